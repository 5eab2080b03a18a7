"""The action plan rules: timescales as plans write them, the overdue flag and the
"amber without a lead or a milestone" flags."""
from datetime import date

import pytest

from app.plans import (
    FLAG_NO_LEAD, FLAG_NO_MILESTONE, FLAG_OVERDUE, PlanItem, QuarterlyUpdate, Timescale, action_flags, milestones,
    parse_timescale, rag_code, validate_update,
)

TODAY = date(2016, 3, 31)


@pytest.mark.parametrize("text, expected", [
    ("October 2015", Timescale(date(2015, 10, 31))),
    ("Feb 2016", Timescale(date(2016, 2, 29))),
    ("31/10/2015", Timescale(date(2015, 10, 31))),
    ("1 December 2015", Timescale(date(2015, 12, 1))),
    ("Ongoing", Timescale(ongoing=True)),
    ("", Timescale()),
    ("soon", None),
    ("31/02/2016", None),
])
def test_timescales_as_plans_write_them(text, expected):
    assert parse_timescale(text) == expected


def flags(**item) -> list[str]:
    return [flag for flag, _ in action_flags(PlanItem("An action", **item), TODAY)]


def test_past_its_timescale_and_not_complete_is_overdue():
    assert flags(timescale=Timescale(date(2016, 3, 30)), lead="Police", tasks="x", rag="G") == [FLAG_OVERDUE]
    sentence = action_flags(PlanItem("An action", timescale=Timescale(date(2015, 10, 31))), TODAY)[0][1]
    assert sentence.startswith("Overdue by 152 days: its timescale was 31 October 2015")


def test_due_today_complete_or_ongoing_is_not_overdue():
    assert flags(timescale=Timescale(TODAY)) == []
    assert flags(timescale=Timescale(date(2015, 10, 31)), status="complete") == []
    assert flags(timescale=Timescale(ongoing=True)) == []


def test_amber_needs_a_lead_and_a_milestone():
    assert flags(rag="A", lead="", tasks="") == [FLAG_NO_LEAD, FLAG_NO_MILESTONE]
    assert flags(rag="A", lead="  ", tasks="- \n 1. ") == [FLAG_NO_LEAD, FLAG_NO_MILESTONE]
    assert flags(rag="A", lead="Data Task Group", tasks="- Agree the fields") == []
    assert flags(rag="R", lead="", tasks="") == []  # the rule is Rotherham's, for amber


def test_milestones_leave_bullets_and_numbers_out():
    assert milestones("- Agree the fields\n\n2) First extract\n• Report") == ["Agree the fields", "First extract",
                                                                           "Report"]


@pytest.mark.parametrize("text, code", [("Amber", "A"), ("green", "G"), ("R", "R"), ("", None), ("Purple", "?")])
def test_rag_words_and_letters(text, code):
    assert rag_code(text) == code


def test_an_update_needs_a_quarter_and_progress():
    update = QuarterlyUpdate("Q4 2015/16", "Fields agreed")
    assert validate_update(update) == [] and update.quarter == "2015/16 Q4"
    problems = validate_update(QuarterlyUpdate("2015/16", " ", status="done", rag="X"), "Row 6: ")
    assert [p.field for p in problems] == ["quarter", "text", "status", "rag"]
    assert problems[0].message == "Row 6: '2015/16' is not a quarter. Write it like 2016/17 Q1."
