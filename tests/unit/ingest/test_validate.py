"""Values as officers type them, the template's rules, cross-field rules and history,
each through a real import of a workbook."""
from datetime import date, datetime

import pytest

from app.definition import (
    FieldRule, RowSpec, SheetLayout, TemplateDefinition, expand_cross_rules, expand_fields, money_rule, percent_rule,
    whole_rule,
)
from app.demo.templates import demo_definitions
from app.ingest.map import plan_sheets
from app.ingest.normalise import normalise_value
from app.ingest.validate import HistoryPoint, all_plain, planned_checks
from app.periods import parse_period
from app.export.blank_return import build_blank_return
from tests.unit.ingest.returns import Catalogue, edit, figures, filled, messages, parse

MESSY = TemplateDefinition(
    slug="messy-return", name="Messy return", frequency="quarterly", agencies=["lwa"],
    sheets=[SheetLayout(name="Return", layout="label_value", default_area="LC", rows=[
        RowSpec(label="Calls", indicator="calls", rule=whole_rule()),
        RowSpec(label="Share engaged", indicator="share", rule=percent_rule(allow_na=True)),
        RowSpec(label="Spend", indicator="spend", rule=money_rule()),
        RowSpec(label="Balance", indicator="balance", rule=FieldRule(type="money", min=None)),
        RowSpec(label="Cases", indicator="cases", rule=whole_rule(required=False)),
        RowSpec(label="Audit date", indicator="audit", rule=FieldRule(type="date", min=None, required=False)),
        RowSpec(label="Survey result", indicator="survey", rule=percent_rule(required=False, allow_na=True)),
        RowSpec(label="Referrals", indicator="referrals", rule=FieldRule(type="decimal", min=0, max=500)),
    ])],
)
ROWS = {row.label: f"C{6 + i}" for i, row in enumerate(MESSY.sheets[0].rows)}
PERIOD = "2016/17 Q1"


def messy(values: dict[str, object], change=None, history=None):
    """An import of the messy return with each row's value cell typed as given."""
    blank = build_blank_return(MESSY, template_version=1, agency_slug="lwa", agency_name="LWA",
                               period=parse_period(PERIOD), due_date=date(2016, 7, 28))
    typed = {"Calls": 10, "Share engaged": 50, "Spend": 100, "Balance": 5, "Referrals": 7, **values}

    def type_in(workbook):
        ws = workbook["Return"]
        for label, value in typed.items():
            ws[ROWS[label]] = value
        if change:
            change(ws)

    return parse(edit(blank, type_in), agency="lwa", catalogue=Catalogue([MESSY]), history=history)


def value_of(parsed, label):
    return figures(parsed).get(ROWS[label])


@pytest.mark.parametrize("typed, expected", [
    ("1,400", (1400, "actual", None)),
    ("  1400 ", (1400, "actual", None)),
    ("1 400", None),  # a space inside a figure is not a thousands separator we guess at
    ("1,400 (estimate)", (1400, "estimate", None)),
    ("1,400 (provisional)", (1400, "provisional", None)),
    ("approx. 1,400", (1400, "estimate", None)),
    (1400.0, (1400, "actual", None)),
])
def test_whole_numbers_as_typed(typed, expected):
    parsed = messy({"Calls": typed})
    if expected is None:
        assert messages(parsed) == ["Return!C6: '1 400' is not a number. Enter a whole number such as 12, or N/A with "
                                    "a reason."]
    else:
        assert messages(parsed) == [] and value_of(parsed, "Calls") == expected


def test_percentages_typed_with_a_sign_as_points_and_as_a_formatted_fraction():
    def percent_format(ws):
        ws[ROWS["Survey result"]].number_format = "0%"

    parsed = messy({"Share engaged": "75%", "Survey result": 0.75}, change=percent_format)
    assert messages(parsed) == []
    assert value_of(parsed, "Share engaged") == (75, "actual", None)
    assert value_of(parsed, "Survey result") == (75, "actual", None)
    # Without the percent format, 0.75 is 0.75 percentage points: taken as typed.
    assert value_of(messy({"Survey result": 0.75}), "Survey result") == (0.75, "actual", None)


def test_money_and_accountants_negatives():
    parsed = messy({"Spend": "£25,500", "Balance": "(1,589)"})
    assert messages(parsed) == []
    assert value_of(parsed, "Spend") == (25500, "actual", None)
    assert value_of(parsed, "Balance") == (-1589, "actual", None)


def test_a_negative_where_the_minimum_is_zero_names_the_figure():
    assert messages(messy({"Spend": "(1,589)"})) == [
        "Return!C8: -1,589 is less than 0, the lowest figure allowed for 'Spend' (Value). Check the figure."]


def test_a_figure_over_the_maximum():
    assert messages(messy({"Referrals": 501})) == [
        "Return!C13: 501 is more than 500, the highest figure allowed for 'Referrals' (Value). Check the figure."]


def test_not_available_needs_a_reason_and_a_footnote_gives_one():
    assert messages(messy({"Share engaged": "N/A"})) == [
        "Return!C7: Say why 'Share engaged' (Value) is not available: write N/A, a dash and the reason, e.g. "
        "'N/A - survey not yet carried out'."]
    parsed = messy({"Share engaged": "N/A - no training courses run yet"})
    assert value_of(parsed, "Share engaged") == (None, "not_available", "no training courses run yet")
    footnoted = messy(
        {"Share engaged": "n/a*"}, change=lambda ws: ws.__setitem__("A16", "* No training courses run yet")
    )
    assert messages(footnoted) == []
    assert value_of(footnoted, "Share engaged") == (None, "not_available", "No training courses run yet")


def test_not_available_where_it_is_not_allowed():
    assert messages(messy({"Calls": "N/A - system down"})) == [
        "Return!C6: 'N/A' is not accepted for 'Calls' (Value): enter the figure. An estimate is fine, written like "
        "1,400 (estimate)."]


@pytest.mark.parametrize("typed", [None, "", "   ", "-", "–"])
def test_blanks_and_dashes_are_missing_never_zero(typed):
    parsed = messy({"Calls": typed, "Cases": typed})
    assert value_of(parsed, "Cases") is None  # optional: nothing stored, not a zero
    assert messages(parsed) == ["Return!C6: Enter the figure for 'Calls' (Value): it is required, and an empty cell "
                                "is not read as 0."]


@pytest.mark.parametrize("typed", ["31/03/2016", "2016-03-31", "31 March 2016", datetime(2016, 3, 31), 42460.0])
def test_dates_as_text_serials_and_date_cells(typed):
    parsed = messy({"Audit date": typed})
    assert messages(parsed) == []
    assert value_of(parsed, "Audit date") == (42460, "actual", "2016-03-31")


def test_a_formula_without_a_saved_result_and_an_error_cell():
    parsed = messy({"Calls": "=1+1", "Spend": "#DIV/0!"})
    assert messages(parsed) == [
        "Return!C6: This cell has a formula whose result was not saved with the file, so we cannot read its value. "
        "Open the workbook in Excel or LibreOffice, save it, and upload it again.",
        "Return!C8: This cell shows #DIV/0!, an error from its formula. Correct the formula, or type the figure, "
        "and upload the return again.",
    ]


def test_words_in_a_figure_and_the_wrong_kind_of_figure():
    assert messages(messy({"Calls": "lots", "Referrals": "£12", "Spend": "12%"})) == [
        "Return!C6: 'lots' is not a number. Enter a whole number such as 12, or N/A with a reason.",
        "Return!C8: '12%' is a percentage, but this cell needs an amount such as £25,500.",
        "Return!C13: '£12' is an amount of money, but this cell needs a number such as 12.5.",
    ]


def test_notes_are_kept_with_the_rows_figures():
    parsed = messy({"Calls": "1,400 (estimate)"}, change=lambda ws: ws.__setitem__("E6", "From the phone system"))
    assert value_of(parsed, "Calls") == (1400, "estimate", "From the phone system")


def test_a_note_on_a_row_without_figures_is_a_warning():
    parsed = messy({}, change=lambda ws: ws.__setitem__("E10", "No cases this quarter"))
    assert messages(parsed) == ["Return!E10: This note was not stored, because its row has no figures. Put the note "
                                "beside a figure, or give it as the comment when you submit."]


# ---- cross-field rules -------------------------------------------------------------------

@pytest.mark.parametrize("defn", demo_definitions(), ids=lambda d: d.slug)
def test_planned_checks_are_the_checks_of_expand_cross_rules(defn):
    period = parse_period({"quarterly": "2016/17 Q2", "monthly": "Oct 2017", "annual": "2016/17",
                           "span": "Dec 2015 - Mar 2016"}[defn.frequency])
    plans = plan_sheets(defn, period)
    planned = [(c.kind, tuple(c.plan.field_id(r, s) for r, s in c.parts),
                c.plan.field_id(*c.total) if c.total else None) for c in planned_checks(defn, plans)]
    expected = [(c.kind, c.parts, c.total) for c in expand_cross_rules(defn, expand_fields(defn, period))]
    assert planned == expected and planned


def test_a_total_that_is_not_the_sum_of_its_parts_names_the_cells():
    parsed = parse(filled({"J6": 735}))
    assert messages(parsed) == [
        "Appendix 2!J6: Total Leics County is 735, but Blaby, Charnwood, Harborough, Hinckley & Bosworth, Melton, "
        "North West Leicestershire and Oadby & Wigston (C6:I6) add up to 734. Correct the total or the figures that "
        "make it up."]
    assert not parsed.accepted


def test_a_total_involving_an_estimate_is_only_a_warning():
    parsed = parse(filled({"C6": "40 (estimate)"}))
    assert messages(parsed, "error") == []
    assert [p.cell for p in parsed.warnings] == ["J6"]


def test_a_missing_part_skips_the_total_check():
    parsed = parse(filled({"C6": None, "J6": 1}))
    assert messages(parsed) == ["Appendix 2!C6: Enter the figure for 'Helpline calls received' (Blaby): it is "
                                "required, and an empty cell is not read as 0."]


def test_repeats_no_more_than_cases():
    rotherham = next(d for d in demo_definitions() if d.slug == "rotherham-table-4")
    blank = build_blank_return(rotherham, template_version=1, agency_slug="rotherham-council", agency_name="RMBC",
                               period=parse_period("Oct 2017"), due_date=date(2017, 11, 21))

    def type_in(workbook):
        ws = workbook["Table 4"]
        for row in range(6, 12):
            for col in "CDE":
                ws[f"{col}{row}"] = 40
        ws["D9"] = 41  # repeat cases (row 9) over referrals (row 8) in the rolling 12 months

    parsed = parse(edit(blank, type_in), agency="rotherham-council")
    assert messages(parsed) == [
        "Table 4!D9: Repeat cases heard at the MARAC cannot be more than the referrals. 'Repeat cases heard at the "
        "MARAC' (D9) is 41, more than 'No. of referrals to the MARAC' (D8), 40. Check these figures."]


# ---- history -----------------------------------------------------------------------------

def history_of(*values, months=3):
    """Earlier quarterly figures for 'Calls' in LC, oldest first, ending 2016/17 Q1's start."""
    points = []
    for i, value in enumerate(reversed(values)):
        period = parse_period("2016/17 Q1").shift_months(-3 * (i + 1))
        points.append(HistoryPoint(period.start, period.end, period.months if months == 3 else months, value))
    return lambda wanted: {("calls", "LC"): points} if ("calls", "LC") in wanted.checked_keys() else {}


def test_a_figure_far_above_the_agencys_history_is_a_warning():
    parsed = messy({"Calls": 400}, history=history_of(90, 100, 110, 120, 95))
    assert messages(parsed) == [
        "Return!C6: 400 is far from this agency's earlier figures for 'Calls' (Value): the last 4 were 100, 110, "
        "120, 95 (median 105). Check it; if it is right, say why in the comment when you submit."]
    assert parsed.accepted  # a warning: confirmed with a comment, not refused


@pytest.mark.parametrize("value, earlier, flagged", [
    (30, (100, 110, 120), True),  # under a third
    (300, (100, 110, 120), False),  # under three times
    (12, (2, 3, 2), False),  # small counts: within 10 of the median
    (40, (2, 3, 2), True),
    (400, (100,), False),  # one earlier figure is not a history
])
def test_the_outlier_rule(value, earlier, flagged):
    parsed = messy({"Calls": value}, history=history_of(*earlier))
    assert bool(parsed.warnings) is flagged


def test_history_of_other_period_lengths_is_not_compared():
    parsed = messy({"Calls": 400}, history=history_of(100, 100, 100, months=12))
    assert parsed.warnings == []


@pytest.mark.parametrize("rule", [whole_rule(), percent_rule(), money_rule(), FieldRule(type="decimal", min=None),
                                  FieldRule(type="decimal", min=-5, max=5)])
@pytest.mark.parametrize("raws", [
    [0.0, 3.0, 500.0], [1.5, 2.0], [-1.0, 4.0], [99.0, 101.0], [100.0], [7.0, "7"], [7.0, None], [7, 8.0],
    [7.0, float("inf")], [float("nan"), 2.0], [-6.0, 1e300], [True, 1.0],
])
def test_a_row_takes_the_short_path_exactly_when_every_figure_would_come_through_unchanged(rule, raws):
    """The short path for a row of plain figures must agree with normalising each one."""
    def unchanged(raw) -> bool:
        normalised, message = normalise_value(raw, rule.type)
        if message or normalised.flag != "actual" or normalised.value is None:
            return False
        within = (rule.min is None or normalised.value >= rule.min) and (
            rule.max is None or normalised.value <= rule.max
        )
        return raw.__class__ is float and normalised.value == raw and within

    assert all_plain(raws, rule) == all(unchanged(raw) for raw in raws)
