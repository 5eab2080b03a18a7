from datetime import date

import pytest

from app.dhr.clocks import (
    CaseDates,
    ClockRule,
    add_months,
    compute_clocks,
    validate_dates,
)

RULE = ClockRule()
TODAY = date(2016, 6, 8)


def clocks(dates, today=TODAY, rule=RULE):
    decision, review = compute_clocks(dates, rule, today)
    assert (decision.name, review.name) == ("Decision", "Review")
    return decision, review


@pytest.mark.parametrize("start, months, expected", [
    (date(2016, 1, 31), 1, date(2016, 2, 29)),  # leap year
    (date(2015, 1, 31), 1, date(2015, 2, 28)),
    (date(2016, 8, 31), 6, date(2017, 2, 28)),
    (date(2016, 3, 31), 1, date(2016, 4, 30)),
    (date(2016, 4, 15), 6, date(2016, 10, 15)),
    (date(2016, 11, 30), 3, date(2017, 2, 28)),
    (date(2016, 12, 1), 1, date(2017, 1, 1)),
])
def test_add_months_clamps_to_the_end_of_a_shorter_month(start, months, expected):
    assert add_months(start, months) == expected


def test_decision_40_days_after_notification_is_red_completed_late():
    decision, _ = clocks(CaseDates(notification=date(2016, 4, 1), decision=date(2016, 5, 11)))
    assert decision.due == date(2016, 5, 1)
    assert decision.stopped == date(2016, 5, 11)
    assert (decision.status, decision.rag) == ("completed late", "R")
    assert decision.days_remaining == -10
    assert decision.text == "Late: decided 10 days after the deadline"


def test_decision_within_the_month_is_met_green():
    decision, _ = clocks(CaseDates(notification=date(2016, 4, 1), decision=date(2016, 4, 22)))
    assert (decision.status, decision.rag, decision.text) == ("met", "G", "Met: decided in 21 days")


def test_decision_on_the_due_date_is_met_and_the_day_after_is_late():
    on_time, _ = clocks(CaseDates(notification=date(2016, 1, 31), decision=date(2016, 2, 29)))
    late, _ = clocks(CaseDates(notification=date(2016, 1, 31), decision=date(2016, 3, 1)))
    assert (on_time.status, on_time.rag, on_time.days_remaining) == ("met", "G", 0)
    assert (late.status, late.rag, late.text) == ("completed late", "R", "Late: decided 1 day after the deadline")


@pytest.mark.parametrize("notified, today, left", [
    (date(2016, 4, 1), date(2016, 4, 21), 10),  # April has 30 days: due 1 May
    (date(2016, 1, 1), date(2016, 1, 21), 11),  # January has 31: due 1 February
    (date(2016, 2, 1), date(2016, 2, 21), 9),   # February 2016 has 29: due 1 March
])
def test_no_decision_20_days_after_notification_is_running_with_days_left(notified, today, left):
    decision, review = clocks(CaseDates(incident=notified, notification=notified), today=today)
    assert (decision.status, decision.rag) == ("running", "A")
    assert decision.days_remaining == left
    assert decision.text == f"{left} days left"
    assert (review.status, review.rag, review.text) == ("not started", None, "Starts when the decision is made")


def test_review_five_months_after_decision_without_report_is_amber_or_green_by_the_rule():
    dates = CaseDates(notification=date(2015, 12, 10), decision=date(2016, 1, 1))
    today = date(2016, 6, 1)  # five calendar months on: due 1 July, 30 days left
    _, review = clocks(dates, today=today, rule=ClockRule(amber_days=30))
    assert review.due == date(2016, 7, 1)
    assert (review.status, review.rag, review.days_remaining, review.text) == ("running", "A", 30, "30 days left")
    _, review = clocks(dates, today=today, rule=ClockRule(amber_days=29))
    assert (review.status, review.rag, review.text) == ("running", "G", "30 days left")
    _, day_before = clocks(dates, today=date(2016, 5, 31), rule=ClockRule(amber_days=30))
    assert (day_before.rag, day_before.text) == ("G", "31 days left")


def test_running_clock_due_today_is_amber_and_next_day_overdue_red():
    dates = CaseDates(notification=date(2016, 5, 1))
    due_today, _ = clocks(dates, today=date(2016, 6, 1))
    overdue, _ = clocks(dates, today=date(2016, 6, 9))
    assert (due_today.status, due_today.rag, due_today.text, due_today.days_remaining) == (
        "running",
        "A",
        "Due today",
        0,
    )
    assert (overdue.status, overdue.rag, overdue.text, overdue.days_remaining) == ("overdue", "R", "8 days overdue", -8)


def test_review_clock_uses_configured_months_and_reports_lateness():
    dates = CaseDates(notification=date(2015, 1, 5), decision=date(2015, 2, 1), report_sent=date(2015, 11, 3))
    _, review = clocks(dates)
    assert review.due == date(2015, 8, 1)
    assert (review.status, review.rag, review.text) == (
        "completed late",
        "R",
        "Late: report sent 94 days after the deadline",
    )
    _, nine_months = clocks(dates, rule=ClockRule(review_within_months=9))
    assert (nine_months.due, nine_months.status, nine_months.rag) == (date(2015, 11, 1), "completed late", "R")
    _, twelve = clocks(dates, rule=ClockRule(review_within_months=12))
    assert (twelve.status, twelve.rag, twelve.text) == ("met", "G", "Met: report sent in 275 days")


@pytest.mark.parametrize("review_type, text", [
    ("alternative", "Not applicable: alternative review"),
    ("not_proceeding", "Not applicable: not proceeding to a review"),
])
def test_review_clock_not_applicable_without_a_full_review(review_type, text):
    dates = CaseDates(notification=date(2016, 1, 4), decision=date(2016, 1, 20), review_type=review_type)
    decision, review = clocks(dates)
    assert (decision.status, decision.rag) == ("met", "G")
    assert (review.status, review.rag, review.due, review.text) == ("not applicable", None, None, text)


def test_joint_review_has_a_review_clock():
    _, review = clocks(
        CaseDates(notification=date(2016, 1, 4), decision=date(2016, 1, 20), review_type="joint_dhr_scr")
    )
    assert review.status == "running" and review.due == date(2016, 7, 20)


def test_nothing_entered_means_not_started():
    decision, review = clocks(CaseDates(incident=date(2016, 6, 1)))
    assert (decision.status, decision.rag, decision.text) == ("not started", None, "Starts when the CSP is notified")
    assert review.status == "not started"


def test_decision_before_incident_is_refused_with_a_message_naming_both():
    problems = validate_dates(CaseDates(incident=date(2016, 4, 3), decision=date(2016, 3, 1)), TODAY)
    assert [p.field for p in problems] == ["decision"]
    assert problems[0].message.startswith(
        "The decision date (1 March 2016) is before the incident date (3 April 2016).")


def test_each_order_rule_is_checked():
    problems = validate_dates(CaseDates(
        incident=date(2016, 1, 10),
        notification=date(2016, 1, 5),
        decision=date(2016, 2, 1),
        home_office_told=date(2016, 1, 31),
        chair_appointed=date(2016, 1, 30),
        author_appointed=date(2016, 1, 29),
        panel_meetings=[date(2016, 3, 1), date(2016, 1, 28)],
        report_sent=date(2016, 1, 27),
        qa_outcome_date=date(2016, 1, 26),
        publication=date(2016, 1, 25),
    ), TODAY)
    by_field = {p.field: p.message for p in problems}
    assert set(by_field) == {
        "notification", "home_office_told", "chair_appointed", "author_appointed",
        "panel_meetings[1]", "report_sent", "qa_outcome_date", "publication"}
    assert by_field["notification"].startswith(
        "The notification date (5 January 2016) is before the incident date (10 January 2016)."
    )
    assert by_field["home_office_told"].startswith(
        "The date the Home Office was told (31 January 2016) is before the decision date (1 February 2016)."
    )
    assert by_field["panel_meetings[1]"].startswith(
        "The panel meeting 2 date (28 January 2016) is before the decision date"
    )
    # the nearest earlier date is the one named, so one wrong date gives one message
    assert by_field["publication"].startswith(
        "The publication date (25 January 2016) is before "
        "the date the report was sent to the Home Office (27 January 2016)."
    )
    assert all("Check both dates" in m for m in by_field.values())


def test_missing_dates_fall_back_to_the_earlier_date_present():
    problems = validate_dates(CaseDates(incident=date(2016, 3, 1), report_sent=date(2016, 2, 1)), TODAY)
    assert [p.field for p in problems] == ["report_sent"]
    assert "before the incident date (1 March 2016)" in problems[0].message


def test_dates_in_order_and_same_day_are_accepted():
    same = date(2016, 2, 1)
    dates = CaseDates(incident=same, notification=same, decision=same, home_office_told=same,
                      chair_appointed=same, author_appointed=same, panel_meetings=[same],
                      report_sent=same, qa_outcome_date=same, publication=same)
    assert validate_dates(dates, TODAY) == []


def test_future_dates_are_refused_relative_to_the_given_today():
    dates = CaseDates(incident=date(2016, 6, 1), notification=date(2016, 6, 9))
    problems = validate_dates(dates, date(2016, 6, 8))
    assert [p.field for p in problems] == ["notification"]
    assert problems[0].message.startswith(
        "The notification date (9 June 2016) is in the future (today is 8 June 2016)."
    )
    assert validate_dates(dates, date(2016, 6, 9)) == []


def test_unknown_review_type_is_refused():
    problems = validate_dates(CaseDates(review_type="serious case review"), TODAY)
    assert [p.field for p in problems] == ["review_type"]
    assert "'joint_dhr_scr'" in problems[0].message
