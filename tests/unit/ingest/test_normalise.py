"""Values as officers type them: each messy form gets its own case."""
from datetime import date, datetime

import pytest

from app.ingest import normalise
from app.ingest.normalise import NormalisedValue, collect_footnotes, normalise_value

FOOTNOTES = {
    "*": "no training courses run yet",
    "¹": "Survey not run this year",
    "(a)": "estimate from police data",
    "[1]": "Q3 figure only",
}


def ok(value, flag="actual", reason=None, note=None):
    return NormalisedValue(value, flag, reason, note), None


@pytest.mark.parametrize(
    "raw, field_type, expected",
    [
        # plain numbers
        (12, "whole", ok(12.0)),
        (12.0, "whole", ok(12.0)),
        (0, "whole", ok(0.0)),
        (12.5, "decimal", ok(12.5)),
        (25500, "money", ok(25500.0)),
        # surrounding spaces, non-breaking spaces
        ("  12 ", "whole", ok(12.0)),
        ("\u00a012\u00a0", "whole", ok(12.0)),
        # thousands separators and signs
        ("1,400", "whole", ok(1400.0)),
        ("1,234,567", "whole", ok(1234567.0)),
        ("-1,589", "whole", ok(-1589.0)),
        ("−1,589", "whole", ok(-1589.0)),
        ("(1,589)", "whole", ok(-1589.0)),
        ("12.50", "decimal", ok(12.5)),
        # money
        ("£25,500", "money", ok(25500.0)),
        ("£ 25,500.00", "money", ok(25500.0)),
        ("-£1,000", "money", ok(-1000.0)),
        ("£-1,000", "money", ok(-1000.0)),
        ("(£1,589.50)", "money", ok(-1589.5)),
        # percentages
        ("75%", "percent", ok(75.0)),
        ("75 %", "percent", ok(75.0)),
        ("12.5%", "percent", ok(12.5)),
        (75, "percent", ok(75.0)),
        ("75", "percent", ok(75.0)),
        # estimates and provisional figures
        ("1,400 (estimate)", "whole", ok(1400.0, "estimate")),
        ("1400 (est)", "whole", ok(1400.0, "estimate")),
        ("1,400 est.", "whole", ok(1400.0, "estimate")),
        ("1,400 Estimated", "whole", ok(1400.0, "estimate")),
        ("~1,400", "whole", ok(1400.0, "estimate")),
        ("approx. 1,400", "whole", ok(1400.0, "estimate")),
        ("1,400 (estimate - based on Q3)", "whole", ok(1400.0, "estimate", note="based on Q3")),
        ("£25,500 (estimate)", "money", ok(25500.0, "estimate")),
        ("65.7% (est)", "percent", ok(65.7, "estimate")),
        ("1,400 (provisional)", "whole", ok(1400.0, "provisional")),
        ("1400 prov", "whole", ok(1400.0, "provisional")),
        ("1,400 (p)", "whole", ok(1400.0, "provisional")),
        # footnote markers beside a figure
        ("1,400 (a)", "whole", ok(1400.0, "estimate", note="estimate from police data")),
        ("1,400[1]", "whole", ok(1400.0, note="Q3 figure only")),
        # not available, with and without reasons
        ("N/A", "whole", ok(None, "not_available")),
        ("n/a", "whole", ok(None, "not_available")),
        ("NA", "percent", ok(None, "not_available")),
        ("N.A.", "whole", ok(None, "not_available")),
        ("not available", "money", ok(None, "not_available")),
        ("n/a*", "whole", ok(None, "not_available", reason="no training courses run yet")),
        ("N/A¹", "whole", ok(None, "not_available", reason="Survey not run this year")),
        ("N/A (a)", "whole", ok(None, "not_available", reason="estimate from police data")),
        ("n/a**", "whole", ok(None, "not_available")),
        ("N/A - survey not yet carried out", "whole", ok(None, "not_available", reason="survey not yet carried out")),
        ("N/A – No training courses run yet", "whole", ok(None, "not_available", reason="No training courses run yet")),
        ("N/A: survey not yet carried out", "date", ok(None, "not_available", reason="survey not yet carried out")),
        ("N/A (no refuge in district)", "whole", ok(None, "not_available", reason="no refuge in district")),
        # not yet released
        ("not yet released", "whole", ok(None, "not_released")),
        ("TBC", "whole", ok(None, "not_released")),
        ("awaited", "percent", ok(None, "not_released")),
        ("Awaiting data - police", "whole", ok(None, "not_released", reason="police")),
        # missing: never zero
        ("-", "whole", ok(None, "missing")),
        ("–", "whole", ok(None, "missing")),
        ("—", "money", ok(None, "missing")),
        ("", "whole", ok(None, "missing")),
        ("   ", "whole", ok(None, "missing")),
        (None, "whole", ok(None, "missing")),
        (None, "date", ok(None, "missing")),
        ("-", "text", ok(None, "missing")),
        # dates
        ("31/03/2016", "date", ok(date(2016, 3, 31))),
        ("31/3/16", "date", ok(date(2016, 3, 31))),
        ("31.03.2016", "date", ok(date(2016, 3, 31))),
        ("31 March 2016", "date", ok(date(2016, 3, 31))),
        ("31st Mar 2016", "date", ok(date(2016, 3, 31))),
        ("1 Sept 2015", "date", ok(date(2015, 9, 1))),
        ("2016-03-31", "date", ok(date(2016, 3, 31))),
        ("2016-03-31 00:00:00", "date", ok(date(2016, 3, 31))),
        (42460, "date", ok(date(2016, 3, 31))),
        (42460.0, "date", ok(date(2016, 3, 31))),
        ("42460", "date", ok(date(2016, 3, 31))),
        (datetime(2016, 3, 31, 0, 0), "date", ok(date(2016, 3, 31))),
        (date(2016, 3, 31), "date", ok(date(2016, 3, 31))),
        # text
        ("  Awaiting police data  ", "text", ok("Awaiting police data")),
        ("N/A", "text", ok("N/A")),
        (12.0, "text", ok("12")),
        (12.5, "text", ok("12.5")),
        (date(2016, 3, 31), "text", ok("2016-03-31")),
    ],
)
def test_messy_values(raw, field_type, expected):
    assert normalise_value(raw, field_type, footnotes=FOOTNOTES) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [(0.75, 75.0), (0.753, 75.3), (1, 100.0), (0.657, 65.7), (0, 0.0)],
)
def test_a_fraction_in_a_percent_formatted_cell_is_percentage_points(raw, expected):
    assert normalise_value(raw, "percent", percent_formatted=True) == ok(expected)


def test_a_number_in_a_percent_field_without_a_percent_format_is_taken_as_points():
    assert normalise_value(75, "percent") == ok(75.0)
    assert normalise_value(0.75, "percent") == ok(0.75)


@pytest.mark.parametrize(
    "raw, field_type, message",
    [
        ("twelve", "whole", "'twelve' is not a number. Enter a whole number such as 12, or N/A with a reason."),
        (12.5, "whole", "12.5 must be a whole number. Enter a whole number such as 12, or N/A with a reason."),
        ("12.5", "whole", "12.5 must be a whole number. Enter a whole number such as 12, or N/A with a reason."),
        (
            "1,400.5 (est)",
            "whole",
            "'1,400.5 (est)' must be a whole number. Enter a whole number such as 12, or N/A with a reason.",
        ),
        (True, "whole", "TRUE is a yes/no value, not a number. Enter a whole number such as 12, or N/A with a reason."),
        (
            False,
            "percent",
            "FALSE is a yes/no value, not a percentage. Enter a percentage such as 75%, or N/A with a reason.",
        ),
        (True, "date", "TRUE is a yes/no value, not a date. Enter a date such as 31/03/2016, or N/A with a reason."),
        (
            "1,400 apples",
            "whole",
            "'1,400 apples' is not a number. Enter a whole number such as 12, or N/A with a reason.",
        ),
        ("1,40", "whole", "'1,40' is not a number. Enter a whole number such as 12, or N/A with a reason."),
        (
            "1,400 - 1,500",
            "whole",
            "'1,400 - 1,500' is not a number. Enter a whole number such as 12, or N/A with a reason.",
        ),
        ("(1,589", "whole", "'(1,589' is not a number. Enter a whole number such as 12, or N/A with a reason."),
        ("£25,500", "whole", "'£25,500' is an amount of money, but this cell needs a whole number such as 12."),
        ("75%", "decimal", "'75%' is a percentage, but this cell needs a number such as 12.5."),
        ("lots", "money", "'lots' is not an amount of money. Enter an amount such as £25,500, or N/A with a reason."),
        ("nan", "decimal", "'nan' is not a number. Enter a number such as 12.5, or N/A with a reason."),
        ("1_000", "whole", "'1_000' is not a number. Enter a whole number such as 12, or N/A with a reason."),
        (
            datetime(2016, 3, 31),
            "whole",
            "31/03/2016 is a date, not a number. Enter a whole number such as 12, or N/A with a reason.",
        ),
        (
            "31/02/2016",
            "date",
            "'31/02/2016' is not a real date. Enter a date such as 31/03/2016, or N/A with a reason.",
        ),
        (
            "31 Smarch 2016",
            "date",
            "'31 Smarch 2016' is not a real date. Enter a date such as 31/03/2016, or N/A with a reason.",
        ),
        (
            "next Tuesday",
            "date",
            "'next Tuesday' is not a date. Enter a date such as 31/03/2016, or N/A with a reason.",
        ),
        (2016, "date", "2016 is not a date. Enter a date such as 31/03/2016, or N/A with a reason."),
        ("1,400", "date", "'1,400' is not a date. Enter a date such as 31/03/2016, or N/A with a reason."),
    ],
)
def test_errors_are_sentences_for_officers(raw, field_type, message):
    assert normalise_value(raw, field_type) == (None, message)


def test_long_text_in_a_message_is_shortened():
    _, message = normalise_value("a very long explanation " * 10, "whole")
    assert message.startswith("'a very long explanation a very long explanation a very lo...' is not a number.")


def test_unknown_field_type_is_a_programming_error():
    for raw in (1, "1", True):
        with pytest.raises(ValueError):
            normalise_value(raw, "integer")


def test_collect_footnotes():
    texts = [
        "Area",
        "* No training courses run yet",
        "** Figures from the police",
        "† Provisional until audited",
        "¹ - Survey not run",
        "(a) estimate from police data",
        "[1]: Q3 only",
        "*",  # a marker alone is not a footnote
        1400.0,
        None,
        "Notes: * means see below",
    ]
    assert collect_footnotes(texts) == {
        "*": "No training courses run yet",
        "**": "Figures from the police",
        "†": "Provisional until audited",
        "¹": "Survey not run",
        "(a)": "estimate from police data",
        "[1]": "Q3 only",
    }


def test_a_footnote_saying_provisional_flags_the_figure():
    footnotes = collect_footnotes(["† Provisional until audited"])
    assert normalise_value("1,400†", "whole", footnotes=footnotes) == ok(
        1400.0, "provisional", note="Provisional until audited"
    )


def test_plain_numbers_take_the_short_path_without_regular_expressions(monkeypatch):
    class NoRegex:
        def __getattr__(self, name):
            raise AssertionError("a regular expression was used for a plain number")

    for name in ("NUMBER_IN_TEXT", "NOT_AVAILABLE", "NOT_RELEASED", "ESTIMATE", "PROVISIONAL", "FOOTNOTE_MARKER_ONLY"):
        monkeypatch.setattr(normalise, name, NoRegex())
    for field_type in ("whole", "decimal", "money", "percent"):
        assert normalise_value(1400.0, field_type) == ok(1400.0)
        assert normalise_value(7, field_type) == ok(7.0)
    assert normalise_value(0.5, "percent", percent_formatted=True) == ok(50.0)
    assert normalise_value("1400", "whole") == ok(1400.0)


@pytest.mark.parametrize("raw", [float("nan"), float("inf"), float("-inf")])
def test_not_a_number_from_a_formula_is_an_error(raw):
    value, message = normalise_value(raw, "decimal")
    assert value is None and "is not a number" in message


def test_control_characters_in_a_cell_are_dropped_not_stored():
    value, message = normalise_value("Refuge\x00 closed\x07 in May\tfor repairs", "text")
    assert message is None and value.value == "Refuge closed in May\tfor repairs"
    value, message = normalise_value("12\x00", "whole")
    assert message is None and value.value == 12


@pytest.mark.parametrize("typed, flag", [
    ("N/A - not yet released", "not_released"), ("N/A - Not yet released*", "not_released"),
    ("n/a not released", "not_released"), ("N/A - data not collected", "not_available"), ("N/A", "not_available"),
])
def test_the_phrase_the_blank_return_tells_officers_to_type_gives_the_flag_it_means(typed, flag):
    value, message = normalise_value(typed, "whole")
    assert message is None and (value.value, value.flag) == (None, flag)
