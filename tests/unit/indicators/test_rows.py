"""The dashboard's period choice and its one-pass rows, without the app: the rows must be
what ``compute_dashboard`` gives wherever both apply."""
import numpy as np
import pandas as pd
import pytest

from app.indicators import AreaSpec, IndicatorSpec, RagRule, compute_dashboard
from app.indicators.dashboard import dashboard_figures
from app.indicators.totals import as_spec_map, prepare_values
from app.periods import parse_period
from app.indicators.rows import (
    behind, choose_periods, current_directions, engine_rows, indicators_behind, result_rows, result_rows_for,
)

DISTRICTS = [("N", "North", 90_000), ("S", "South", 120_000), ("E", "East", 60_000)]
RULE = RagRule("previous_year", "percent", 2, 10)
QUARTERS = [f"{year}/{(year + 1) % 100:02d} Q{q}" for year in (2013, 2014, 2015) for q in (1, 2, 3, 4)]


def areas():
    return [
        AreaSpec("SH", "Shire", "county"),
        *(AreaSpec(code, name, "district", "SH", {2013: pop, 2014: pop, 2015: pop}) for code, name, pop in DISTRICTS),
    ]


def specs():
    return as_spec_map(
        [
            IndicatorSpec("burglary", "Burglaries", "count", "lower_is_better", "sum", rag=RULE),
            IndicatorSpec("engaged", "Engaged", "count", "higher_is_better", "sum"),
            IndicatorSpec("referred", "Referred", "count", "neutral", "sum"),
            IndicatorSpec(
                "engagement",
                "% engaged",
                "percent",
                "higher_is_better",
                "recompute",
                "engaged",
                "referred",
                1,
                rag=RULE,
            ),
            IndicatorSpec(
                "crime-rate",
                "Crime rate",
                "rate_per_1000",
                "lower_is_better",
                "recompute",
                "burglary",
                decimals=2,
                rag=RULE,
            ),
            IndicatorSpec(
                "survey",
                "Feel safe",
                "percent",
                "higher_is_better",
                "none",
                decimals=1,
                rag=RagRule("target", "percent", 0, 5),
            ),
        ]
    )


def values():
    rng = np.random.default_rng(2016)
    rows = []
    for quarter in QUARTERS:
        for code, _name, _pop in DISTRICTS:
            referred = int(rng.integers(30, 60))
            rows += [("burglary", code, quarter, float(rng.integers(20, 90)), "actual"),
                     ("referred", code, quarter, float(referred), "actual"),
                     ("engaged", code, quarter, float(rng.integers(5, referred)), "actual")]
        rows.append(("survey", "SH", quarter, float(rng.uniform(70, 90)), "actual"))
    rows = [r for r in rows if not (r[0] == "burglary" and r[1] == "E" and r[2] == "2015/16 Q3")]  # an incomplete total
    return pd.DataFrame(rows, columns=["indicator", "area", "period", "value", "flag"])


def present(frame):
    own = frame[["indicator", "area", "period"]]
    parts = own[own["indicator"].isin(["engaged", "referred"])].assign(indicator="engagement")
    rates = own[own["indicator"] == "burglary"].assign(indicator="crime-rate")
    both = pd.concat([own, parts, rates])
    county = both[both["area"] != "SH"].assign(area="SH")
    return pd.concat([both, county]).drop_duplicates(ignore_index=True)


@pytest.mark.parametrize("period", ["2015/16 Q4", "2015/16 Q3"])
def test_rows_are_what_compute_dashboard_gives_at_the_same_period(period):
    frame, spec_map, area_list = values(), specs(), areas()
    targets = pd.DataFrame(  # a target's own tolerance rates the same through both doors
        [("survey", "SH", q, 80.0, 2.0 if q.endswith("Q4") else None) for q in QUARTERS],
        columns=["indicator", "area", "period", "value", "tolerance"],
    )
    prepared = prepare_values(frame)
    figures = dashboard_figures(prepared, spec_map, area_list, QUARTERS)
    choices = choose_periods(present(frame), parse_period(period))
    if period.endswith("Q3"):  # East's burglaries are missing for Q3: its latest is Q2, the county's is incomplete
        assert choices.set_index(["indicator", "area"]).loc[("burglary", "E"), "latest"] == "2015/16 Q2"
    choices = choices[choices["latest"] == period]
    ours = engine_rows(choices, figures, targets, spec_map, area_list, {s: 4 for s in spec_map}).set_index(
        ["indicator", "area"]
    )
    theirs = compute_dashboard(prepared, targets, spec_map, area_list, period).set_index(["indicator", "area"])
    theirs = theirs.loc[ours.index]
    for column in ["latest", "previous", "target", "change", "trend_percent", "p_value"]:
        pd.testing.assert_series_equal(ours[column].astype(float), theirs[column].astype(float), check_names=False)
    for column in ["previous_period", "change_text", "rag", "rag_reason", "direction", "significance",
                   "district_comparison", "aggregate_status", "aggregate_message"]:
        assert ours[column].tolist() == theirs[column].tolist(), column
    assert ours.loc[("burglary", "SH"), "aggregate_status"] == ("incomplete" if period.endswith("Q3") else "complete")


def test_latest_lags_ties_prefer_the_period_and_only_a_cohort_measure_falls_back_to_the_last_earlier_figure():
    rows = [
        ("iom", "LC", "2013/14"), ("iom", "LC", "2014/15"),  # lags a year: still shown
        ("youth", "LC", "2014/15"), ("youth", "LC", "2015-04..2015-12"),  # no Apr-Dec 2014
        ("crime", "LC", "2015/16 Q4"), ("crime", "LC", "2015/16"), ("crime", "LC", "2014/15"),  # same end as P
        ("later", "LC", "2016/17 Q1"),  # after the period: not shown
        ("first", "LC", "2015/16"),  # nothing before it
        ("refuge", "FEN", "2014/15 Q2"), ("refuge", "FEN", "2014/15 Q3"),  # no 2013/14 Q3
        ("entrants", "LC", "2015/16"), ("entrants", "LC", "2016/17 Q1"),  # a quarter after a year
    ]
    present_rows = pd.DataFrame(rows, columns=["indicator", "area", "period"])
    chosen = choose_periods(present_rows, parse_period("2015/16")).set_index("indicator")
    assert chosen.loc["iom", ["latest", "previous", "year_apart"]].tolist() == ["2014/15", "2013/14", True]
    # Like for like by default: Apr-Dec 2015 is compared with Apr-Dec 2014, of which nothing is stored.
    assert chosen.loc["youth", ["latest", "previous", "year_apart"]].tolist() == [
        "2015-04..2015-12", "2014-04..2014-12", False]
    assert chosen.loc["crime", ["latest", "previous", "year_apart"]].tolist() == ["2015/16", "2014/15", True]
    assert chosen.loc["first", ["latest", "previous", "year_apart"]].tolist() == ["2015/16", "2014/15", False]
    assert "later" not in chosen.index
    # A cohort measure set to "latest earlier period" compares Apr-Dec 2015 with 2014/15, as the paper does.
    cohort = choose_periods(present_rows, parse_period("2015/16"), {"youth": "latest_earlier_period"})
    cohort = cohort.set_index("indicator")
    assert cohort.loc["youth", ["latest", "previous", "year_apart"]].tolist() == ["2015-04..2015-12", "2014/15", False]
    assert cohort.loc["iom", "previous"] == "2013/14"  # like for like still wins where it exists
    # Issue 15: a quarter is never compared with the quarter before, nor with a whole year.
    quarters = choose_periods(present_rows, parse_period("2016/17 Q1")).set_index("indicator")
    assert quarters.loc["refuge", ["latest", "previous"]].tolist() == ["2014/15 Q3", "2013/14 Q3"]
    assert quarters.loc["entrants", ["latest", "previous"]].tolist() == ["2016/17 Q1", "2015/16 Q1"]
    # On the quarter's own dashboard the quarter wins the tie of end dates.
    quarter = choose_periods(present_rows, parse_period("2015/16 Q4")).set_index("indicator")
    assert quarter.loc["crime", "latest"] == "2015/16 Q4"


def test_a_figure_a_year_or_more_older_than_the_dashboard_has_no_current_direction():
    """Appendix 1 prints no direction for the IOM cohort: its latest figure (2014/15) is
    older than the 2015/16 dashboard. Its change and RAG still stand."""
    table = pd.DataFrame({
        "indicator": ["iom", "crime", "quarterly"], "area": ["LC"] * 3,
        "period": ["2014/15", "2015/16", "2015/16 Q1"],
        "direction": ["improving", "stable", "worsening"], "direction_basis": ["from two figures"] * 3,
        "trend_percent": [44.2, 3.1, 12.0], "rag": ["G", "A", "R"],
    })
    out = current_directions(table.copy(), parse_period("2015/16")).set_index("indicator")
    assert out.loc["iom", "direction"] is None and out.loc["iom", "direction_basis"] is None
    assert np.isnan(out.loc["iom", "trend_percent"]) and out.loc["iom", "rag"] == "G"
    assert out.loc["crime", "direction"] == "stable" and out.loc["quarterly", "direction"] == "worsening"
    # A quarter's dashboard: last year's Q4 is a year old, the quarter before is current.
    quarters = pd.DataFrame({"indicator": ["a", "b"], "area": ["LC", "LC"], "period": ["2014/15 Q4", "2015/16 Q3"],
                             "direction": ["stable", "stable"], "direction_basis": ["x", "x"],
                             "trend_percent": [1.0, 1.0]})
    out = current_directions(quarters, parse_period("2015/16 Q4")).set_index("indicator")
    assert out["direction"].tolist() == [None, "stable"]


def test_several_dashboards_in_one_pass_have_the_rows_each_has_alone():
    """Issue 16: a refresh works out every dashboard it reworks in one pass. Each keeps its
    own rows: on 2015/16 Q3's dashboard East's burglaries are Q2's (its Q3 is missing),
    ranked alone, not with the North and South of Q2's dashboard; on 2016/17 Q4's the
    latest figures are a year old and have no current direction."""
    frame, spec_map, area_list = values(), specs(), areas()
    targets = pd.DataFrame([("survey", "SH", q, 80.0, None) for q in QUARTERS],
                           columns=["indicator", "area", "period", "value", "tolerance"])
    figures = dashboard_figures(prepare_values(frame), spec_map, area_list, QUARTERS)
    periods = [parse_period(key) for key in ("2015/16 Q2", "2015/16 Q3", "2015/16", "2016/17 Q4")]
    notes = {("survey", "SH", "2015/16 Q2"): "Survey moved online"}
    lengths = {slug: 4 for slug in spec_map}
    together = result_rows_for(present(frame), figures, targets, spec_map, area_list, periods, lengths, notes, {})
    for period in periods:
        alone = result_rows(present(frame), figures, targets, spec_map, area_list, period, lengths, notes, {})
        assert together[period.key] == alone, period.key
    east = {r["area"]: r for r in together["2015/16 Q3"] if r["indicator"] == "burglary"}["E"]
    assert east["period"] == "2015/16 Q2" and east["district_comparison"] is None
    ranked = [r["district_comparison"] for r in together["2015/16 Q2"] if r["indicator"] == "burglary"
              and r["area"] != "SH"]
    assert len(ranked) == 3 and None not in ranked
    assert {r["direction"] for r in together["2016/17 Q4"]} == {None}
    assert {r["direction"] for r in together["2015/16"]} - {None}


def test_rows_written_a_column_at_a_time_are_the_json_of_each_row():
    """Issue 16: the refresh writes each kept row's JSON (an array of its fields' values) a
    column at a time, encoding each distinct value once. It must give, byte for byte, what
    encoding each row's values gives, where equal values have different JSON (0.0 and -0.0;
    1, 1.0 and True) and for text JSON escapes; and read back, the row's dict."""
    import json

    from app.indicators.rows import ResultRows, json_column, result_columns
    from app.indicators.table import kept_records

    frame = pd.DataFrame({
        "indicator": ["a", "a", "b", "b"], "area": ["N", "S", "N", "E"], "period": ["2015/16"] * 4,
        "latest": [0.0, -0.0, float("inf"), np.nan], "change": [1.5, 1.5, -0.0, 2.0],
        "rag_reason": ['Worse by 3% "so" red', "é", None, "Worse by 3% \"so\" red"],
        "aggregate_status": [None, "incomplete", None, None], "p_value": [np.float64(0.05), None, 1e-300, 0.05],
    })
    rows = result_columns(frame, areas(), notes={("a", "S", "2015/16"): "Moved online"}, gaps={})
    records = rows.records()
    assert records[1]["note"] == "Moved online" and records[3]["latest"] is None
    fields = (*frame.columns, "note", "strip_codes", "headline")
    encode = json.JSONEncoder(separators=(",", ":")).encode
    texts = rows.json_rows(fields)
    assert texts == [encode([r[f] for f in fields]) for r in records]
    assert texts[1].startswith('["a","S","2015/16",-0.0,') and texts[2].startswith('["b","N","2015/16",Infinity,')
    assert [dict(zip(fields, values)) for values in json.loads("[" + ",".join(texts) + "]")] == [
        {f: r[f] for f in fields} for r in records]
    with pytest.raises(ValueError, match="rag_reason"):
        rows.json_rows(tuple(f for f in fields if f != "rag_reason"))
    # A row kept as an object (before 7 December 2026) is read as it is.
    assert kept_records(['{"rag":"R"}', "[" + '"b",' * 2 + "null]"]) == [
        {"rag": "R"}, {"indicator": "b", "area": "b", "period": None}]
    mixed = [1, 1.0, True, None, 0, False, 0.0, -0.0]
    assert json_column(mixed, set(map(type, mixed))) == [encode(v) for v in mixed]
    assert json_column([["N", "S"], [], ["N", "S"]], {list}) == ['["N","S"]', "[]", '["N","S"]']
    empty = ResultRows([], [], [], [])
    assert empty.records() == [] and empty.json_rows(fields) == [] and empty.column("indicator") == []


@pytest.mark.parametrize("seed", range(5))
def test_the_indicators_behind_figures_are_those_behind_finds(seed):
    """The workbook asks the database for the submissions with a row of
    ``indicators_behind``'s indicators in each area and period: they must be those
    ``behind`` (a frame of every row) finds under the figures written, through a
    recomputed rate's numerator and denominator and through counties and a wider
    footprint."""
    import random

    rng = random.Random(seed)
    wider = [AreaSpec("W", "Wider", "wider"), *(replace_parent(a, "W") for a in areas()),
             AreaSpec("OT", "Other", "county", "W"), AreaSpec("OT1", "Other one", "district", "OT")]
    slugs, codes, periods = list(specs()), [a.code for a in wider], QUARTERS[:4]
    rows = [(rng.choice(slugs), rng.choice(codes), rng.choice(periods), rng.randint(1, 40)) for _ in range(300)]
    keys = {(rng.choice(slugs), rng.choice(codes), rng.choice(periods)) for _ in range(25)}
    frame = behind(pd.DataFrame(rows, columns=["indicator", "area", "period", "submission_id"]), specs(), wider)
    expected = {int(s) for i, a, p, s in zip(frame["indicator"], frame["area"], frame["period"],
                                             frame["submission_id"]) if (i, a, p) in keys}
    own = {s for i, a, p, s in rows if (i, a, p) in keys}
    assert own < expected < {s for *_, s in rows}  # some only through a whole or a wider area, and not all
    found = indicators_behind(keys, specs(), wider)
    assert {s for i, a, p, s in rows if i in found.get((a, p), ())} == expected


def replace_parent(area: AreaSpec, parent: str) -> AreaSpec:
    """``area`` with ``parent`` if it has none (a county under the wider footprint)."""
    from dataclasses import replace

    return area if area.parent else replace(area, parent=parent)
