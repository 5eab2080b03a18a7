"""Periods as people write them, and their canonical keys."""
from datetime import date

import pytest

from app.periods import PeriodError, parse_period, quarter, rolling_12_months, year_to_date


@pytest.mark.parametrize(
    "text, key, kind",
    [
        ("2015/16 Q4", "2015/16 Q4", "quarter"),
        ("Q4 2015/16", "2015/16 Q4", "quarter"),
        ("2015-16-Q4", "2015/16 Q4", "quarter"),
        ("q4 2015-16", "2015/16 Q4", "quarter"),
        ("Jan - Mar 2016", "2015/16 Q4", "quarter"),
        ("2015/16", "2015/16", "year"),
        ("2015-16", "2015/16", "year"),
        ("2015/2016", "2015/16", "year"),
        ("Apr 2015 - Mar 2016", "2015/16", "year"),
        ("Oct 2017", "2017-10", "month"),
        ("October 2017", "2017-10", "month"),
        ("2017-10", "2017-10", "month"),
        ("10/2017", "2017-10", "month"),
        ("Dec 2015 - Mar 2016", "2015-12..2016-03", "span"),
        ("December 2015 to March 2016", "2015-12..2016-03", "span"),
        ("Apr-Dec 2015", "2015-04..2015-12", "span"),
        ("12 months to 31st October 2017", "2016-11..2017-10", "span"),
        ("Year to Date Apr - Oct 2017", "2017-04..2017-10", "span"),
        ("2015-12..2016-03", "2015-12..2016-03", "span"),
        ("  2015/16   Q4 ", "2015/16 Q4", "quarter"),
    ],
)
def test_periods_as_people_write_them(text, key, kind):
    spec = parse_period(text)
    assert (spec.key, spec.kind) == (key, kind)
    assert parse_period(spec.key) == spec  # every key reads back as itself


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Enter a period"),
        ("2015/17", "the second year must follow the first"),
        ("Q5 2015/16", "is not a period we recognise"),
        ("Mar 2016 - Dec 2015", "starts (Mar 2016) after it ends (Dec 2015)"),
        ("2017-13", "is not a financial year"),
        ("next quarter", "is not a period we recognise"),
    ],
)
def test_unreadable_periods_say_why(text, message):
    with pytest.raises(PeriodError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_period(text)


def test_quarters_follow_the_financial_year():
    assert (quarter(2015, 1).start, quarter(2015, 1).end) == (date(2015, 4, 1), date(2015, 6, 30))
    assert (quarter(2015, 4).start, quarter(2015, 4).end) == (date(2016, 1, 1), date(2016, 3, 31))
    assert [q.key for q in parse_period("2014/15").quarters()] == [f"2014/15 Q{i}" for i in (1, 2, 3, 4)]


def test_previous_year_and_rolling_periods():
    assert parse_period("2015/16 Q4").previous_year().key == "2014/15 Q4"
    assert parse_period("2015/16 Q4").previous().key == "2015/16 Q3"
    assert rolling_12_months(date(2017, 10, 31)).previous_year().key == "2015-11..2016-10"
    assert year_to_date(date(2017, 10, 1)).key == "2017-04..2017-10"
    assert parse_period("Dec 2015 - Mar 2016").label == "Dec 2015 – Mar 2016"
    assert parse_period("Dec 2015 - Mar 2016").previous().key == "2015-08..2015-11"


@pytest.mark.parametrize("text", ["0000/01 Q1", "0000/01", "9999/00 Q4", "Dec 0000 - Mar 0001", "1899/00", "Jan 2200",
                                  "2015-13..2016-02", "12 months to October 0001", "x" * 5000])
def test_years_outside_living_memory_and_impossible_months_are_refused_with_a_message(text):
    with pytest.raises(PeriodError) as refused:
        parse_period(text)
    assert "period" in str(refused.value) or "years we keep" in str(refused.value)
