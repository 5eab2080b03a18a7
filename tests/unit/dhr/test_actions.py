from datetime import date

import pytest

from app.dhr.actions import Action, ActionUpdate, action_rag, impact_review_due, validate_action

TODAY = date(2016, 6, 8)


def an_action(**changes) -> Action:
    values = dict(id=1, review="AB", scope="single-agency", lead_agency="Police", action="Brief all officers",
                  due=date(2016, 9, 30), status="in progress")
    values.update(changes)
    return Action(**values)


def test_complete_is_green_with_its_impact_review_date():
    action = an_action(status="complete", completed_on=date(2016, 3, 31), due=date(2016, 1, 1))
    assert action.impact_review_due == date(2016, 9, 30)
    assert action_rag(action, TODAY) == ("G", "Complete; impact review due 30 September 2016")


def test_complete_without_a_completion_date_asks_for_one():
    rag, reason = action_rag(an_action(status="complete"), TODAY)
    assert rag == "G" and "enter the completion date" in reason


@pytest.mark.parametrize("status", ["in progress", "outstanding", "not started", "not implemented"])
def test_overdue_and_not_complete_is_red(status):
    rag, reason = action_rag(an_action(status=status, due=date(2016, 5, 31)), TODAY)
    assert (rag, reason) == ("R", "Overdue by 8 days (due 31 May 2016)")


def test_due_within_30_days_is_amber_and_31_days_is_green():
    assert action_rag(an_action(due=date(2016, 7, 8)), TODAY) == ("A", "Due in 30 days (8 July 2016)")
    assert action_rag(an_action(due=date(2016, 7, 9)), TODAY) == ("G", "On track: due 9 July 2016")
    assert action_rag(an_action(due=TODAY), TODAY) == ("A", "Due today")
    assert action_rag(an_action(due=date(2016, 7, 9)), TODAY, due_soon_days=31)[0] == "A"


def test_not_implemented_is_amber_even_when_due_later():
    rag, reason = action_rag(an_action(status="not implemented", due=date(2017, 1, 1)), TODAY)
    assert rag == "A" and reason.startswith("Not implemented")
    assert action_rag(an_action(status="not implemented", due=None), TODAY)[0] == "A"


def test_no_due_date_and_outstanding_is_amber():
    assert action_rag(an_action(status="outstanding", due=None), TODAY) == (
        "A", "Outstanding with no due date: agree one with the lead agency")
    assert action_rag(an_action(status="in progress", due=None), TODAY)[0] == "A"


def test_in_progress_on_time_is_green():
    assert action_rag(an_action(status="in progress", due=date(2016, 12, 31)), TODAY) == (
        "G",
        "On track: due 31 December 2016",
    )


def test_impact_review_due_adds_calendar_months():
    assert impact_review_due(date(2016, 8, 31)) == date(2017, 2, 28)
    assert impact_review_due(date(2016, 1, 15), months=3) == date(2016, 4, 15)
    assert impact_review_due(None) is None
    assert an_action(
        status="complete", completed_on=date(2016, 1, 1), impact_review_due=date(2016, 2, 1)
    ).impact_review_due == date(2016, 2, 1)
    assert an_action(status="in progress").impact_review_due is None


def test_validate_action_names_each_problem_and_normalises_quarters():
    action = an_action(scope="county", status="done", lead_agency=" ", action="", completed_on=date(2016, 7, 1),
                       impact_review_due=date(2016, 6, 1),
                       updates=[ActionUpdate("Q1 2016/17", "Started"), ActionUpdate("June 2016", ""),
                                ActionUpdate("nonsense", "x")])
    by_field = {}
    for p in validate_action(action, TODAY):
        by_field.setdefault(p.field, []).append(p.message)
    assert set(by_field) == {"scope", "status", "lead_agency", "action", "completed_on", "impact_review_due",
                             "updates[1].quarter", "updates[1].text", "updates[2].quarter"}
    assert len(by_field["completed_on"]) == 2
    assert any("is in the future" in m for m in by_field["completed_on"])
    assert by_field["updates[2].quarter"] == ["Update 3: 'nonsense' is not a quarter. Write it like 2016/17 Q1."]
    assert action.updates[0].quarter == "2016/17 Q1"
