"""compute_dashboard on a small partnership: three districts and their county, five
quarters, a count, a recomputed percentage and a survey figure."""
import math

import pandas as pd
import pytest

from app.indicators import AreaSpec, IndicatorSpec, RagRule, compute_dashboard, dashboard_records, district_strip
from app.indicators.dashboard import DASHBOARD_COLUMNS
from tests.unit.indicators.helpers import values_frame

QUARTERS = ["2014/15 Q4", "2015/16 Q1", "2015/16 Q2", "2015/16 Q3", "2015/16 Q4"]
PERIOD = "2015/16 Q4"
PREVIOUS_YEAR = RagRule("previous_year", "percent", 2, 10)
AREAS = [
    AreaSpec("A", "Ayton", "district", "X", {2014: 50_000, 2015: 50_000}),
    AreaSpec("B", "Beeby", "district", "X", {2014: 80_000, 2015: 80_000}),
    AreaSpec("C", "Ceeton", "district", "X", {2014: 70_000, 2015: 70_000}),
    AreaSpec("X", "Shire", "county"),
]
SPECS = [
    IndicatorSpec("crimes", "Crimes", "count", "lower_is_better", rag=PREVIOUS_YEAR),
    IndicatorSpec("repeats", "Repeat cases", "count", "neutral"),
    IndicatorSpec("cases", "Cases heard", "count", "neutral"),
    IndicatorSpec("repeat_pct", "% repeats", "percent", "lower_is_better", "recompute", "repeats", "cases", 1,
                  RagRule("target", "percent", 0, 5)),
    IndicatorSpec("survey", "Feel safe", "percent", "higher_is_better", "none", decimals=1, rag=PREVIOUS_YEAR),
]
CRIMES = {"A": [100, 104, 108, 112, 130], "B": [200, 210, 220, 230, 260], "C": [150, 150, 150, 150, 150]}
REPEATS = {"A": [10, 10, 10, 10, 30], "B": [20, 20, 20, 20, 20], "C": [5, 5, 5, 5, 5]}
CASES = {"A": [40] * 5, "B": [60] * 5, "C": [30] * 5}
SURVEY = {"A": [80.0] * 5, "B": [70.0] * 5, "C": [75.0] * 5, "X": [76.0, 76.0, 76.0, 76.0, 74.0]}


def _values() -> pd.DataFrame:
    rows = []
    for slug, series in (("crimes", CRIMES), ("repeats", REPEATS), ("cases", CASES), ("survey", SURVEY)):
        for code, figures in series.items():
            rows += [(slug, code, q, v) for q, v in zip(QUARTERS, figures)]
    return values_frame(rows)


def _targets() -> pd.DataFrame:
    return pd.DataFrame(
        [("repeat_pct", code, PERIOD, 30.0) for code in "ABCX"], columns=["indicator", "area", "period", "value"]
    )


def _table(values=None, **kwargs) -> pd.DataFrame:
    values = _values() if values is None else values
    return compute_dashboard(values, _targets(), SPECS, AREAS, PERIOD, **kwargs).set_index(["indicator", "area"])


def test_one_row_per_indicator_and_area_in_order():
    table = compute_dashboard(_values(), _targets(), SPECS, AREAS, PERIOD)
    assert list(table.columns) == DASHBOARD_COLUMNS
    assert list(zip(table["indicator"], table["area"]))[:5] == [
        ("crimes", "A"), ("crimes", "B"), ("crimes", "C"), ("crimes", "X"), ("repeats", "A"),
    ]
    assert len(table) == len(SPECS) * len(AREAS)
    assert set(table["period"]) == {PERIOD} and set(table["previous_period"]) == {"2014/15 Q4"}


def test_county_count_is_the_sum_with_change_and_rating():
    row = _table().loc[("crimes", "X")]
    assert (row["latest"], row["previous"]) == (540, 450)
    assert row["aggregate_status"] == "complete"
    assert row["change"] == pytest.approx(20.0) and row["change_text"] == "+20%"
    assert row["rag"] == "R" and row["rag_reason"] == "Worse than last year by 20% (more than 10%): Red"
    assert row["direction"] == "worsening"
    assert row["significance"] == "significant increase" and row["p_value"] < 0.01


def test_district_rows_are_rated_compared_and_tested():
    table = _table()
    assert table.loc[("crimes", "C"), "rag"] == "G"
    assert table.loc[("crimes", "C"), "direction"] == "stable"
    assert table.loc[("crimes", "C"), "significance"] == "no significant change"
    comparisons = {code: table.loc[("crimes", code), "district_comparison"] for code in "ABC"}
    assert comparisons == {"A": "Top", "B": "Bottom", "C": "Average"}
    assert table.loc[("crimes", "X"), "district_comparison"] is None
    assert [(c, r) for c, r in district_strip(table.reset_index(), "crimes", AREAS)] == [
        ("A", "R"),
        ("B", "R"),
        ("C", "G"),
    ]


def test_a_missing_district_leaves_the_county_incomplete_and_unrated():
    values = _values()
    values = values[~((values["indicator"] == "crimes") & (values["area"] == "B") & (values["period"] == PERIOD))]
    row = _table(values).loc[("crimes", "X")]
    assert math.isnan(row["latest"])
    assert row["aggregate_status"] == "incomplete"
    assert row["aggregate_message"] == "Data not yet provided for Beeby."
    assert row["rag"] is None and row["rag_reason"] == "Data not yet provided for Beeby, so it is not rated."
    assert row["change_text"] == "n/a" and row["significance"] is None


def test_recomputed_percentage_by_target_with_fishers_test():
    table = _table()
    county = table.loc[("repeat_pct", "X")]
    assert county["latest"] == pytest.approx(100 * 55 / 130)
    assert county["previous"] == pytest.approx(100 * 35 / 130)
    assert county["change_text"] == "+15 points"
    assert county["target"] == 30.0 and county["rag"] == "R"
    assert county["significance"] == "significant increase"
    district = table.loc[("repeat_pct", "C")]
    assert district["latest"] == pytest.approx(100 * 5 / 30) and district["rag"] == "G"
    assert district["aggregate_status"] == "complete"
    assert table.loc[("repeat_pct", "B"), "significance"] == "no significant change"


def test_a_targets_own_tolerance_is_its_amber_band():
    """The county's 42.3% repeats (55 of 130) is 5.8% worse than a target of 40: Red by the
    indicator's 5% band, Amber by a target whose tolerance is 6%."""
    plain = _targets().assign(value=40.0)
    with_tolerance = plain.assign(tolerance=[None, None, None, 6.0])
    county = compute_dashboard(_values(), plain, SPECS, AREAS, PERIOD).set_index(["indicator", "area"])
    assert county.loc[("repeat_pct", "X"), "rag_reason"] == "Short of the target of 40 by 5.8% (more than 5%): Red"
    tolerant = compute_dashboard(_values(), with_tolerance, SPECS, AREAS, PERIOD).set_index(["indicator", "area"])
    assert tolerant.loc[("repeat_pct", "X"), "rag_reason"] == "Short of the target of 40 by 5.8% (within 6%): Amber"
    assert tolerant.loc[("repeat_pct", "A"), "rag"] == "R"  # 75% (30 of 40): Ayton's target has no tolerance


def test_survey_figures_are_not_combined_or_tested():
    table = _table()
    county = table.loc[("survey", "X")]
    assert county["latest"] == 74.0 and county["aggregate_status"] == "supplied"
    assert county["change_text"] == "-2 points" and county["rag"] == "A"
    assert county["significance"] is None


def test_neutral_indicators_get_no_rating_direction_or_comparison():
    row = _table().loc[("cases", "A")]
    assert row["rag"] is None and row["direction"] is None and row["district_comparison"] is None


def test_estimates_are_shown_but_not_rated():
    values = _values()
    values.loc[(values["indicator"] == "crimes") & (values["area"] == "A") & (values["period"] == PERIOD), "flag"] = (
        "estimate"
    )
    table = _table(values)
    assert table.loc[("crimes", "A"), "latest"] == 130 and table.loc[("crimes", "A"), "latest_flag"] == "estimate"
    assert table.loc[("crimes", "A"), "rag"] is None
    assert table.loc[("crimes", "X"), "latest_flag"] == "estimate"


def test_peer_comparison_and_trend_periods_are_configurable():
    peers = {("crimes", "X"): [600.0, 650.0], ("crimes", "A"): {"A": 1.0, "Elsewhere": 200.0}}
    table = _table(peers=peers, trend_periods=QUARTERS[-3:])
    assert table.loc[("crimes", "X"), "peer_comparison"] == "Top"
    assert table.loc[("crimes", "A"), "peer_comparison"] == "Top"
    assert table.loc[("crimes", "B"), "peer_comparison"] is None
    assert table.loc[("crimes", "C"), "direction"] == "stable"
    assert table.loc[("crimes", "A"), "trend_percent"] == pytest.approx(100 * 11 / 116.6667, rel=1e-4)


def test_records_have_none_for_missing_figures():
    records = dashboard_records(compute_dashboard(_values(), None, SPECS, AREAS, PERIOD))
    county_pct = next(r for r in records if r["indicator"] == "repeat_pct" and r["area"] == "X")
    assert county_pct["target"] is None and county_pct["rag"] is None
    assert county_pct["rag_reason"] == "No target is set for this period, so it is not rated."
    assert all(not (isinstance(v, float) and math.isnan(v)) for r in records for v in r.values())


def test_other_periods_and_indicators_in_the_frame_are_ignored():
    values = pd.concat([_values(), values_frame([("crimes", "A", "2010/11 Q1", 5), ("unknown", "A", PERIOD, 1)])])
    assert _table(values).loc[("crimes", "A"), "latest"] == 130
