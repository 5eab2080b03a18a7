"""Totals across areas and periods: sums, recomputed percentages and rates, incomplete
totals, supplied totals and mismatches."""
import pandas as pd
import pytest

from app.indicators import AreaSpec, IndicatorSpec, aggregate, aggregate_areas, combine_periods, derive_recomputed
from app.indicators.totals import area_leaves, prepare_values
from app.indicators.periods import rolling_12_months_parts, year_to_date_parts
from tests.unit.indicators.helpers import CODES, values_frame

PERIOD = "2015-12..2016-03"
TABLE_1 = "leicestershire_da_sv_service_dec2015_mar2016"


def _table_1(seed, with_county=True):
    """Appendix 2 Table 1 as values: districts, and the county total as published."""
    rows = []
    for n, (_name, figures) in enumerate(seed[TABLE_1]["rows"].items()):
        for code, value in zip(CODES, figures[:7]):
            rows.append((f"t{n}", code, PERIOD, value))
        if with_county:
            rows.append((f"t{n}", "LEI", PERIOD, figures[7]))
    specs = [IndicatorSpec(f"t{n}", name) for n, name in enumerate(seed[TABLE_1]["rows"])]
    return values_frame(rows), specs


def test_county_totals_in_table_1_equal_the_sum_of_districts(seed, leicestershire):
    values, specs = _table_1(seed)
    totals = aggregate_areas(values, specs, leicestershire)
    assert len(totals) == 7
    assert set(totals["status"]) == {"supplied"}
    assert (totals["supplied"] == totals["computed"]).all()
    published = [row[7] for row in seed[TABLE_1]["rows"].values()]
    assert totals.sort_values("indicator")["value"].tolist() == published


def test_a_county_figure_that_disagrees_is_a_mismatch_with_both_figures(seed, leicestershire):
    values, specs = _table_1(seed)
    values.loc[(values["indicator"] == "t0") & (values["area"] == "LEI"), "value"] = 740
    result = aggregate(values, specs, leicestershire, "LEI", PERIOD)["t0"]
    assert result.status == "mismatch"
    assert (result.supplied, result.computed, result.value) == (740, 734, 740)
    assert result.message == "The total supplied (740) differs from the sum of the districts (734)."


def test_sum_without_a_supplied_total_is_complete(seed, leicestershire):
    values, specs = _table_1(seed, with_county=False)
    result = aggregate(values, specs, leicestershire, "LEI", PERIOD)["t0"]
    assert (result.status, result.value, result.supplied) == ("complete", 734, None)


def test_a_missing_district_makes_the_total_incomplete_not_smaller(seed, leicestershire):
    values, specs = _table_1(seed, with_county=False)
    values = values[~((values["indicator"] == "t0") & values["area"].isin(["B", "M"]))]
    result = aggregate(values, specs, leicestershire, "LEI", PERIOD)["t0"]
    assert result.status == "incomplete"
    assert result.value is None and result.computed is None
    assert result.missing_areas == ("Blaby", "Melton")
    assert result.message == "Data not yet provided for Blaby, Melton."
    assert result.flag == "not_available"


@pytest.mark.parametrize("flag", ["not_available", "not_released"])
def test_a_district_flagged_without_a_value_counts_as_missing(seed, leicestershire, flag):
    values, specs = _table_1(seed, with_county=False)
    values.loc[(values["indicator"] == "t1") & (values["area"] == "C"), ["value", "flag"]] = [None, flag]
    result = aggregate(values, specs, leicestershire, "LEI", PERIOD)["t1"]
    assert (result.status, result.missing_areas) == ("incomplete", ("Charnwood",))


def test_a_supplied_total_is_kept_when_districts_are_missing_but_cannot_be_checked(seed, leicestershire):
    values, specs = _table_1(seed)
    values = values[~((values["indicator"] == "t2") & (values["area"] == "H"))]
    result = aggregate(values, specs, leicestershire, "LEI", PERIOD)["t2"]
    assert (result.status, result.value) == ("supplied", 160)
    assert (
        result.message
        == "Total as supplied; it cannot be checked against the districts: data not yet provided for Harborough."
    )


def test_a_total_of_estimates_is_an_estimate(seed, leicestershire):
    values, specs = _table_1(seed, with_county=False)
    values.loc[(values["indicator"] == "t3") & (values["area"] == "O"), "flag"] = "estimate"
    values.loc[(values["indicator"] == "t4") & (values["area"] == "O"), "flag"] = "provisional"
    results = aggregate(values, specs, leicestershire, "LEI", PERIOD)
    assert results["t3"].flag == "estimate" and results["t3"].value == 578
    assert results["t4"].flag == "provisional"
    assert results["t5"].flag == "actual"


# ---- recomputed percentages and rates -------------------------------------------------

def _repeat_specs():
    return [
        IndicatorSpec("repeats", "Repeat cases"),
        IndicatorSpec("cases", "Cases heard"),
        IndicatorSpec("repeat_pct", "% repeats", "percent", aggregation="recompute",
                      numerator="repeats", denominator="cases", decimals=1),
    ]


def test_percentages_are_recomputed_from_numerators_not_averaged():
    areas = [AreaSpec("A", "Ayton", parent="X"), AreaSpec("B", "Beeby", parent="X"), AreaSpec("X", "Shire", "county")]
    values = values_frame([
        ("repeats", "A", "2015/16", 23), ("cases", "A", "2015/16", 35), ("repeat_pct", "A", "2015/16", 65.7),
        ("repeats", "B", "2015/16", 1), ("cases", "B", "2015/16", 10), ("repeat_pct", "B", "2015/16", 10.0),
    ])
    result = aggregate(values, _repeat_specs(), areas, "X", "2015/16")["repeat_pct"]
    assert result.status == "complete"
    assert result.value == pytest.approx(100 * 24 / 45)  # 53.3%
    mean_of_percentages = (65.7 + 10.0) / 2  # 37.85%
    assert abs(result.value - mean_of_percentages) > 15


def test_a_supplied_county_percentage_is_checked_to_its_decimals():
    areas = [AreaSpec("A", "Ayton", parent="X"), AreaSpec("B", "Beeby", parent="X"), AreaSpec("X", "Shire", "county")]
    rows = [("repeats", "A", "p", 23), ("cases", "A", "p", 35), ("repeats", "B", "p", 1), ("cases", "B", "p", 10)]
    for supplied, status in [(53.3, "supplied"), (53.4, "mismatch")]:
        values = values_frame(
            [(i, a, "2015/16", v) for i, a, _, v in rows] + [("repeat_pct", "X", "2015/16", supplied)]
        )
        result = aggregate(values, _repeat_specs(), areas, "X", "2015/16")["repeat_pct"]
        assert result.status == status
    assert result.message == "The total supplied (53.4) differs from the figure worked out from the districts (53.3)."


def test_a_recomputed_total_is_incomplete_if_a_numerator_or_denominator_is_missing():
    areas = [AreaSpec("A", "Ayton", parent="X"), AreaSpec("B", "Beeby", parent="X"), AreaSpec("X", "Shire", "county")]
    values = values_frame(
        [("repeats", "A", "2015/16", 23), ("cases", "A", "2015/16", 35), ("repeats", "B", "2015/16", 1)]
    )
    result = aggregate(values, _repeat_specs(), areas, "X", "2015/16")["repeat_pct"]
    assert (result.status, result.value, result.missing_areas) == ("incomplete", None, ("Beeby",))


def test_rates_are_recomputed_from_counts_and_population_of_the_period_year(leicestershire):
    specs = [
        IndicatorSpec("burglaries", "Domestic burglaries"),
        IndicatorSpec("burglary_rate", "Domestic burglary rate", "rate_per_1000", aggregation="recompute",
                      numerator="burglaries", decimals=2),
    ]
    counts = [300, 600, 250, 380, 150, 320, 190]
    values = values_frame([("burglaries", code, "2015/16 Q4", n) for code, n in zip(CODES, counts)])
    result = aggregate(values, specs, leicestershire, "LEI", "2015/16 Q4")["burglary_rate"]
    population_2015 = sum(a.populations[2015] for a in leicestershire if a.kind == "district")
    assert result.value == pytest.approx(1000 * sum(counts) / population_2015)
    derived = derive_recomputed(values, specs, leicestershire).set_index("area")
    assert derived.loc["B", "value"] == pytest.approx(1000 * 300 / 94_000)
    assert derived.loc["B", "status"] == "complete"


def test_a_county_rate_is_its_districts_counts_over_their_populations():
    """Issue 15: the county's count is the sum of its districts', so its population is too.
    The county's own estimate (4,000) counts people whose crimes are not in the sum: 8
    crimes among Ayton's 1,000 people are 8.0 per 1,000, not 2.0."""
    areas = [AreaSpec("A", "Ayton", parent="X", populations={2015: 1000}),
             AreaSpec("X", "Shire", "county", populations={2015: 4000})]
    specs = [IndicatorSpec("n", "Crimes"),
             IndicatorSpec("r", "Crime rate", "rate_per_1000", aggregation="recompute", numerator="n")]
    result = aggregate(values_frame([("n", "A", "2015/16", 8)]), specs, areas, "X", "2015/16")["r"]
    assert (result.status, result.value) == ("complete", 1000 * 8 / 1000)


def test_a_county_rate_needs_every_district_population():
    areas = [AreaSpec("A", "Ayton", parent="X", populations={2015: 1000}), AreaSpec("B", "Beeby", parent="X"),
             AreaSpec("X", "Shire", "county", populations={2015: 4000})]
    specs = [IndicatorSpec("n", "Crimes"),
             IndicatorSpec("r", "Crime rate", "rate_per_1000", aggregation="recompute", numerator="n")]
    values = values_frame([("n", "A", "2015/16", 8), ("n", "B", "2015/16", 3)])
    result = aggregate(values, specs, areas, "X", "2015/16")["r"]
    assert (result.status, result.value, result.message) == ("incomplete", None, "No population figure for the year.")


def test_a_rate_without_a_population_is_incomplete_and_says_so():
    areas = [AreaSpec("A", "Ayton", parent="X", populations={2016: 1000}), AreaSpec("X", "Shire", "county")]
    specs = [IndicatorSpec("n", "Crimes"),
             IndicatorSpec("r", "Crime rate", "rate_per_1000", aggregation="recompute", numerator="n")]
    result = aggregate(values_frame([("n", "A", "2015/16", 8)]), specs, areas, "X", "2015/16")["r"]
    assert (result.status, result.value) == ("incomplete", None)
    assert result.message == "No population figure for the year."


def test_a_district_figure_is_derived_only_where_it_was_not_supplied():
    areas = [AreaSpec("A", "Ayton"), AreaSpec("B", "Beeby")]
    values = values_frame([
        ("repeats", "A", "2015/16", 23), ("cases", "A", "2015/16", 35),
        ("repeats", "B", "2015/16", 1), ("cases", "B", "2015/16", 10), ("repeat_pct", "B", "2015/16", 12.0),
    ])
    derived = derive_recomputed(values, _repeat_specs(), areas).set_index("area")
    assert derived.loc["A", "value"] == pytest.approx(65.714, abs=1e-3) and derived.loc["A", "status"] == "complete"
    assert derived.loc["B", "value"] == 12.0 and derived.loc["B", "status"] == "mismatch"


def test_indicators_that_are_never_combined_have_no_computed_total():
    areas = [AreaSpec("A", "Ayton", parent="X"), AreaSpec("X", "Shire", "county")]
    specs = [IndicatorSpec("survey", "Feel safe", "percent", "higher_is_better", "none")]
    values = values_frame([("survey", "A", "2015/16", 80.0)])
    assert aggregate(values, specs, areas, "X", "2015/16")["survey"].status == "not_combined"
    values = values_frame([("survey", "A", "2015/16", 80.0), ("survey", "X", "2015/16", 77.0)])
    result = aggregate(values, specs, areas, "X", "2015/16")["survey"]
    assert (result.status, result.value) == ("supplied", 77.0)


def test_a_wider_footprint_adds_up_the_districts_of_its_counties():
    areas = [
        AreaSpec("LC", "Leicester", parent="LLR"), AreaSpec("R", "Rutland", parent="LLR"),
        AreaSpec("LEI", "Leicestershire", "county", parent="LLR"),
        AreaSpec("B", "Blaby", parent="LEI"), AreaSpec("C", "Charnwood", parent="LEI"),
        AreaSpec("LLR", "Leicester, Leicestershire & Rutland", "wider"),
    ]
    assert [a.code for a in area_leaves(areas)["LLR"]] == ["LC", "R", "B", "C"]
    values = values_frame([("calls", c, "2015/16", v) for c, v in [("LC", 1500), ("R", 40), ("B", 39), ("C", 230)]])
    totals = aggregate_areas(values, [IndicatorSpec("calls", "Calls")], areas).set_index("area")
    assert totals.loc["LLR", "value"] == 1809 and totals.loc["LEI", "value"] == 269


def test_unknown_target_area_and_bad_configuration_are_refused(leicestershire):
    values = values_frame([("calls", "B", "2015/16", 1)])
    with pytest.raises(ValueError, match="no districts to add up"):
        aggregate(values, [IndicatorSpec("calls", "Calls")], leicestershire, "B", "2015/16")
    pct = IndicatorSpec("p", "Percent", "percent", aggregation="recompute", numerator="calls", denominator="nowhere")
    with pytest.raises(ValueError, match="'nowhere', which is not a configured indicator"):
        aggregate(values, [IndicatorSpec("calls", "Calls"), pct], leicestershire, "LEI", "2015/16")


def test_prepare_values_defaults_flags_and_refuses_duplicates_and_unknown_flags():
    prepared = prepare_values(
        pd.DataFrame({"indicator": ["a", "a"], "area": ["B", "C"], "period": ["p", "p"], "value": [1, None]})
    )
    assert prepared["flag"].tolist() == ["actual", "not_available"]
    with pytest.raises(ValueError, match="two figures for a in B"):
        prepare_values(values_frame([("a", "B", "p", 1), ("a", "B", "p", 2)]))
    with pytest.raises(ValueError, match="Unknown value flag"):
        prepare_values(values_frame([("a", "B", "p", 1, "guess")]))


# ---- across periods ---------------------------------------------------------------------

def _monthly(codes=("B",), months=None, value=10):
    months = months or year_to_date_parts("2017-10")
    return values_frame([("crimes", c, m, value) for c in codes for m in months])


def test_year_to_date_from_months():
    specs = [IndicatorSpec("crimes", "Domestic crimes")]
    parts = year_to_date_parts("2017-10")
    out = combine_periods(_monthly(), specs, [AreaSpec("B", "Blaby")], parts, "2017-04..2017-10")
    row = out.iloc[0]
    assert (row["period"], row["status"], row["value"]) == ("2017-04..2017-10", "complete", 70)


def test_a_missing_month_names_the_month():
    specs = [IndicatorSpec("crimes", "Domestic crimes")]
    parts = year_to_date_parts("2017-10")
    values = _monthly(months=[p for p in parts if p != "2017-06"])
    row = combine_periods(values, specs, [AreaSpec("B", "Blaby")], parts, "2017-04..2017-10").iloc[0]
    assert (row["status"], row["message"]) == ("incomplete", "Data not yet provided for 2017-06.")


def test_supplied_year_to_date_is_checked_against_its_months():
    specs = [IndicatorSpec("crimes", "Domestic crimes")]
    parts = year_to_date_parts("2017-10")
    values = pd.concat([_monthly(value=289), values_frame([("crimes", "B", "2017-04..2017-10", 2027)])])
    row = combine_periods(values, specs, [AreaSpec("B", "Blaby")], parts, "2017-04..2017-10").iloc[0]
    assert (row["status"], row["computed"], row["supplied"]) == ("mismatch", 2023, 2027)
    assert row["message"] == "The total supplied (2,027) differs from the sum of the periods (2,023)."


def test_rolling_twelve_month_rate_from_quarters():
    areas = [AreaSpec("B", "Blaby", populations={2015: 100_000})]
    specs = [IndicatorSpec("n", "Crimes"),
             IndicatorSpec("r", "Crime rate", "rate_per_1000", aggregation="recompute", numerator="n", decimals=2)]
    parts = rolling_12_months_parts("2015/16 Q4", "quarter")
    values = values_frame([("n", "B", q, v) for q, v in zip(parts, [100, 120, 90, 110])])
    out = combine_periods(values, specs, areas, parts, "2015/16").set_index("indicator")
    assert out.loc["n", "value"] == 420
    assert out.loc["r", "value"] == pytest.approx(4.2)


def test_a_zero_denominator_gives_no_figure_and_says_why():
    areas = [AreaSpec("A", "Ayton", parent="X"), AreaSpec("B", "Beeby", parent="X"), AreaSpec("X", "Shire", "county")]
    values = values_frame([("repeats", "A", "2015/16", 0), ("cases", "A", "2015/16", 0),
                           ("repeats", "B", "2015/16", 0), ("cases", "B", "2015/16", 0)])
    result = aggregate(values, _repeat_specs(), areas, "X", "2015/16")["repeat_pct"]
    assert (result.status, result.value) == ("incomplete", None)
    assert result.message == "The denominator is zero, so it cannot be worked out."
