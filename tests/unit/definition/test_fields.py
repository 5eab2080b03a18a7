"""expand_fields: the cells of a return for one period, with their periods resolved."""
from datetime import date

import pytest

from app.definition import (
    ColumnSpec,
    RowSpec,
    SheetLayout,
    TemplateDefinition,
    check_return_period,
    due_date_for,
    expand_cross_rules,
    expand_fields,
    resolve_period_ref,
)
from app.demo.templates import demo_definitions
from app.periods import PeriodError, parse_period


def by_slug(slug: str) -> TemplateDefinition:
    return next(d for d in demo_definitions() if d.slug == slug)


def test_appendix_2_one_field_per_area_column_plus_target_and_notes():
    fields = expand_fields(by_slug("appendix-2-da-sv-outputs"), parse_period("Q4 2015/16"))
    assert len(fields) == 7 * 11
    first_row = [f for f in fields if f.row_index == 0]
    assert [f.id for f in first_row] == [
        f"Appendix 2|helpline-calls-received|{key}"
        for key in ["B", "C", "H", "HB", "M", "NW", "O", "LC", "LLR", "target@LLR", "note"]
    ]
    assert [f.area for f in first_row] == ["B", "C", "H", "HB", "M", "NW", "O", "LC", "LLR", "LLR", None]
    assert {f.period_key for f in first_row} == {"2015/16 Q4"}
    assert [f.measure for f in first_row][-3:] == ["value", "target", "comment"]
    assert [f.role for f in first_row][7] == "total"
    assert first_row[9].rule.required is False and first_row[0].rule.required is True
    assert first_row[10].rule.type == "text"
    assert [f.column_index for f in first_row] == list(range(11))


def test_ids_are_unique_and_expansion_is_deterministic():
    for defn in demo_definitions():
        period = parse_period(
            {"quarterly": "2015/16 Q4", "monthly": "Oct 2017", "annual": "2016/17", "span": "Dec 2015 - Mar 2016"}[
                defn.frequency
            ]
        )
        fields = expand_fields(defn, period)
        assert len({f.id for f in fields}) == len(fields)
        assert expand_fields(defn, period) == fields


def test_table_2_measures_and_default_area():
    fields = expand_fields(by_slug("table-2-da-sv-outcomes"), parse_period("2015-16-Q4"))
    row = [f for f in fields if f.row_index == 2]
    assert [(f.column_key, f.measure, f.rule.type, f.rule.allow_na) for f in row] == [
        ("target", "target", "percent", False),
        ("value", "value", "percent", True),
        ("comment", "comment", "text", False),
    ]
    assert {f.area for f in fields} == {"LC"}
    assert row[1].rule.na_needs_reason and (row[1].rule.min, row[1].rule.max) == (0, 100)


def test_cambridgeshire_q3_has_the_year_s_quarters_and_the_previous_year_beside_them():
    fields = expand_fields(by_slug("cambridgeshire-da-quarterly"), parse_period("2014/15 Q3"))
    incidents = [f for f in fields if f.row_index == 0]
    assert [(f.column_key, f.period_key) for f in incidents] == [
        ("Q1", "2014/15 Q1"), ("previous_year:Q1", "2013/14 Q1"),
        ("Q2", "2014/15 Q2"), ("previous_year:Q2", "2013/14 Q2"),
        ("Q3", "2014/15 Q3"), ("previous_year:Q3", "2013/14 Q3"),
        ("Q4", "2014/15 Q4"), ("previous_year:Q4", "2013/14 Q4"),
        ("note", "2014/15 Q3"),
    ]
    assert incidents[1].column_header == "Q1 (previous year)"
    # Q4 has not happened yet in a Q3 return, and last year's figures are optional.
    assert [f.rule.required for f in incidents] == [True, False, True, False, True, False, False, False, False]
    assert {f.area for f in fields if f.row_label == "Refuge occupancy rate - Hunts"} == {"HUNTS"}
    assert {f.indicator for f in fields if f.row_label.startswith("Refuge occupancy")} == {"refuge-occupancy-rate"}
    assert {f.area for f in incidents} == {"CAMBS"}


def test_rotherham_october_2017_rolling_and_year_to_date():
    fields = expand_fields(by_slug("rotherham-table-4"), parse_period("Oct 2017"))
    crimes = [f for f in fields if f.row_label == "Domestic Crimes"]
    assert [f.period_key for f in crimes] == ["2015-11..2016-10", "2016-11..2017-10", "2017-04..2017-10", "2017-10"]
    assert [f.column_key for f in crimes] == [
        "previous_year:rolling_12_months", "rolling_12_months", "year_to_date", "note"]
    assert all(f.rule.required for f in crimes[:3])
    assert {f.area for f in fields} == {"ROTH"}


def test_dhr_budget_label_value_has_one_value_column():
    fields = expand_fields(by_slug("dhr-budget-return"), parse_period("2016/17"))
    values = [f for f in fields if f.column_key == "value"]
    assert len(values) == 7 and {f.column_header for f in values} == {"Value"}
    assert values[0].id == "DHR budget|reserve-carried-forward-from-last-year|value"
    assert [f.rule.type for f in values] == ["money"] * 5 + ["decimal", "money"]
    assert {f.period_key for f in fields} == {"2016/17"} and {f.area for f in fields} == {"LC"}


def test_area_default_fills_in_only_where_nothing_else_gives_an_area():
    defn = TemplateDefinition(slug="x", name="X", sheets=[SheetLayout(
        name="S", layout="indicator_by_measure", note_column=False,
        rows=[RowSpec(label="A", indicator="a"), RowSpec(label="B", indicator="b", area="CAM")],
        columns=[ColumnSpec(header="Value", kind="measure", measure="value"),
                 ColumnSpec(header="County target", kind="measure", measure="target", area="LC")])])
    fields = expand_fields(defn, parse_period("2015/16 Q1"), area_default="HUNTS")
    assert [f.area for f in fields] == ["HUNTS", "LC", "CAM", "LC"]


@pytest.mark.parametrize("ref, expected", [
    ("period", "2017-10"),
    ("Q1", "2017/18 Q1"),
    ("Q4", "2017/18 Q4"),
    ("year", "2017/18"),
    ("rolling_12_months", "2016-11..2017-10"),
    ("previous_year:rolling_12_months", "2015-11..2016-10"),
    ("year_to_date", "2017-04..2017-10"),
    ("previous_year:year_to_date", "2016-04..2016-10"),
    ("Feb", "2018-02"),
    ("apr", "2017-04"),
    ("2015/16 Q4", "2015/16 Q4"),
    ("previous_year:Q2 2015/16", "2014/15 Q2"),
])
def test_period_references(ref, expected):
    assert resolve_period_ref(ref, parse_period("Oct 2017")).key == expected


def test_an_unknown_period_reference_is_explained():
    with pytest.raises(PeriodError, match="'last quarter' is not a period reference we recognise"):
        resolve_period_ref("last quarter", parse_period("Oct 2017"))


def test_the_return_period_must_suit_the_frequency_and_the_deadline_follows_it():
    appendix_2 = by_slug("appendix-2-da-sv-outputs")
    cambridgeshire = by_slug("cambridgeshire-da-quarterly")
    assert check_return_period(cambridgeshire, parse_period("2015/16 Q4")) is None
    assert check_return_period(cambridgeshire, parse_period("Oct 2017")) == (
        "'Cambridgeshire domestic abuse strategy: quarterly management information' is a quarterly return: "
        "choose a quarter such as '2015/16 Q4', not 'Oct 2017'.")
    # Appendix 2 covers a span of months ("December 2015 to March 2016"): any period will do.
    assert check_return_period(appendix_2, parse_period("Dec 2015 - Mar 2016")) is None
    assert check_return_period(by_slug("rotherham-table-4"), parse_period("Oct 2017")) is None
    assert due_date_for(appendix_2, parse_period("2015/16 Q4")) == date(2016, 4, 28)


def test_cross_rules_become_one_check_per_row_or_column():
    appendix_2 = by_slug("appendix-2-da-sv-outputs")
    checks = expand_cross_rules(appendix_2, expand_fields(appendix_2, parse_period("2015/16 Q4")))
    assert len(checks) == 7
    assert checks[0].kind == "sum_equals"
    assert checks[0].total == "Appendix 2|helpline-calls-received|LC"
    districts = ["B", "C", "H", "HB", "M", "NW", "O"]
    assert checks[0].parts == tuple(f"Appendix 2|helpline-calls-received|{c}" for c in districts)
    assert checks[0].message == ("'Helpline calls received': Total Leics County should equal the sum of Blaby, "
                                 "Charnwood, Harborough, Hinckley & Bosworth, Melton, North West Leicestershire, "
                                 "Oadby & Wigston.")

    rotherham = by_slug("rotherham-table-4")
    checks = expand_cross_rules(rotherham, expand_fields(rotherham, parse_period("Oct 2017")))
    # The notes column holds text, so only the three period columns are checked.
    assert [(c.parts, c.total) for c in checks] == [
        ((f"Table 4|repeat-cases-heard-at-the-marac|{key}",), f"Table 4|no-of-referrals-to-the-marac|{key}")
        for key in ["previous_year:rolling_12_months", "rolling_12_months", "year_to_date"]
    ]
    assert checks[0].message == "Repeat cases heard at the MARAC cannot be more than the referrals."

    table_2 = by_slug("table-2-da-sv-outcomes")
    checks = expand_cross_rules(table_2, expand_fields(table_2, parse_period("2015/16 Q4")))
    assert len(checks) == 10 and checks[0].kind == "percent_range" and checks[0].total is None
    assert checks[0].parts == (
        "Table 2|service-user-feels-safer-following-intervention-measured-at-exit|target",
        "Table 2|service-user-feels-safer-following-intervention-measured-at-exit|value",
    )
