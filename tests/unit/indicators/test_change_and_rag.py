import math

import numpy as np
import pytest

from app.indicators import IndicatorSpec, RagRule, apply_override, change, format_change, outcome_rag, rate
from app.indicators.rag import with_tolerance
from app.indicators.year_change import change_kind, changes, round_half_up

PREVIOUS_YEAR = RagRule("previous_year", "percent", 2, 10)


def spec(polarity="lower_is_better", unit="rate_per_1000", rule=PREVIOUS_YEAR, decimals=2):
    return IndicatorSpec("x", "X", unit=unit, polarity=polarity, decimals=decimals, rag=rule)


# ---- change -------------------------------------------------------------------------

def test_relative_change_for_counts_rates_money_and_ratios():
    for unit in ("count", "rate_per_1000", "rate_per_100000", "money", "ratio"):
        assert change_kind(unit) == "relative"
        assert change(110, 100, unit) == pytest.approx(10.0)


def test_percentage_point_change_for_percentages():
    assert change_kind("percent") == "points"
    assert change(19, 29, "percent") == -10


def test_no_change_figure_from_missing_or_zero():
    assert change(None, 5, "count") is None
    assert change(5, float("nan"), "count") is None
    assert change(5, 0, "count") is None
    assert change(5, 0, "percent") == 5


def test_vectorised_changes_match_the_scalar():
    latest = np.array([3179, 19, 470, 5, np.nan])
    previous = np.array([1902, 29, 527, 0, 4])
    units = ["count", "percent", "count", "count", "count"]
    out = changes(latest, previous, np.array([u == "percent" for u in units]))
    for got, lat, prev, unit in zip(out, latest, previous, units):
        expected = change(lat, prev, unit)
        assert (expected is None and math.isnan(got)) or got == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "text"),
    [
        (67.14, "count", 0, "+67%"),
        (-10.8, "count", 0, "-11%"),
        (0.4, "count", 0, "0%"),
        (-0.4, "count", 0, "0%"),
        (2.5, "count", 0, "+3%"),
        (-2.5, "count", 0, "-3%"),
        (-10, "percent", 0, "-10 points"),
        (-1, "percent", 0, "-1 point"),
        (1.04, "percent", 0, "+1 point"),
        (1.45, "percent", 1, "+1.5 points"),
        (0, "percent", 0, "0 points"),
        (None, "count", 0, "n/a"),
    ],
)
def test_format_change(value, unit, decimals, text):
    assert format_change(value, unit, decimals) == text


def test_round_half_up_is_away_from_zero():
    assert str(round_half_up(0.125, 2)) == "0.13"
    assert str(round_half_up(-0.5)) == "-1"


# ---- RAG against the previous year --------------------------------------------------

@pytest.mark.parametrize(
    ("latest", "previous", "expected"),
    [
        (90, 100, "G"),  # improved
        (100, 100, "G"),  # same
        (102, 100, "G"),  # worse by exactly 2%
        (102.1, 100, "A"),
        (110, 100, "A"),  # worse by exactly 10%
        (110.1, 100, "R"),
    ],
)
def test_previous_year_bands_for_lower_is_better(latest, previous, expected):
    assert rate(spec(), latest, previous).rag == expected


def test_polarity_turns_a_rise_into_an_improvement():
    assert rate(spec("higher_is_better"), 120, 100).rag == "G"
    assert rate(spec("higher_is_better"), 80, 100).rag == "R"
    assert rate(spec("higher_is_better"), 95, 100).rag == "A"


def test_absolute_band_on_a_percentage_is_in_points():
    rule = RagRule("previous_year", "absolute", 1, 3)
    result = rate(spec(unit="percent", rule=rule, decimals=1), 32, 30)
    assert result.rag == "A"
    assert (
        result.reason
        == "Worse than last year by 2 percentage points "
        "(more than 1 percentage points, within 3 percentage points): Amber"
    )
    assert rate(spec(unit="percent", rule=rule), 34, 30).rag == "R"


def test_reasons_say_why():
    assert rate(spec(), 90, 100).reason == "Better than last year by 10%: Green"
    assert rate(spec(), 100, 100).reason == "Same as last year: Green"
    assert rate(spec(), 113.9, 100).reason == "Worse than last year by 13.9% (more than 10%): Red"


def test_with_no_figure_for_the_same_period_last_year_the_target_rates_it_else_nothing():
    # Issue 15: the 30 first-time entrants of a quarter, with no figure for that quarter a year earlier.
    assert rate(spec(unit="count", decimals=0), 30, None).reason == (
        "There is no figure for the same period last year, so it is not rated.")
    with_target = rate(spec(unit="count", decimals=0), 30, None, target=35)
    assert (with_target.rag, with_target.reason) == (
        "G", "No figure for the same period last year, so rated against the target. "
             "Better than the target of 35 by 14.3%: Green")
    short = rate(spec(unit="count", decimals=0), 40, None, target=35, previous_flag="not_released")
    assert short.rag == "R" and "Short of the target of 35 by 14.3% (more than 10%)" in short.reason
    # A cohort measure compared with its latest earlier figure says so.
    assert rate(spec(unit="ratio"), 0.62, 1.25, against_previous="the latest earlier figure (2014/15)").reason == (
        "Better than the latest earlier figure (2014/15) by 50.4%: Green")


def test_no_rating_without_a_comparator_or_with_a_zero_base():
    assert rate(spec(), 5, None).rag is None
    assert "same period last year" in rate(spec(), 5, None).reason
    assert rate(spec(), 5, 4, previous_flag="not_released").rag is None
    zero = rate(spec(), 5, 0)
    assert zero.rag is None and "cannot be measured against zero" in zero.reason
    absolute = RagRule("previous_year", "absolute", 1, 3)
    assert rate(spec(rule=absolute), 5, 0).rag == "R"


def test_estimates_and_missing_figures_are_not_rated_unless_the_rule_says_so():
    assert rate(spec(), 105, 100, flag="estimate").rag is None
    assert rate(spec(), 105, 100, previous_flag="estimate").reason == (
        "The previous year's figure is an estimate, so it is not rated."
    )
    rates_estimates = RagRule("previous_year", "percent", 2, 10, rate_estimates=True)
    assert rate(spec(rule=rates_estimates), 105, 100, flag="estimate").rag == "A"
    assert rate(spec(), None, 100).rag is None
    assert rate(spec(), float("nan"), 100).rag is None
    assert rate(spec(), 5, 100, flag="not_available").rag is None


def test_provisional_figures_are_rated():
    assert rate(spec(), 105, 100, flag="provisional").rag == "A"


def test_neutral_none_and_manual_rules_give_no_rating():
    assert rate(spec("neutral"), 200, 100).rag is None
    assert rate(spec(rule=RagRule("none")), 200, 100).reason == "No RAG rule is set for this indicator."
    manual = rate(spec(rule=RagRule("manual")), 200, 100)
    assert manual.rag is None and "rated by hand" in manual.reason


# ---- RAG against a target ---------------------------------------------------------------

TARGET = RagRule("target", "percent", 0, 5)


def test_target_bands_for_higher_is_better():
    s = spec("higher_is_better", "percent", TARGET, 0)
    assert rate(s, 88, target=88).reason == "Meets the target of 88: Green"
    assert rate(s, 86, target=88).reason == "Short of the target of 88 by 2.3% (within 5%): Amber"
    assert rate(s, 80, target=88).rag == "R"
    assert rate(s, 95, target=88).rag == "G"


def test_target_for_lower_is_better_with_absolute_band():
    s = spec("lower_is_better", "count", RagRule("target", "absolute", 5, 20), 0)
    assert rate(s, 100, target=100).rag == "G"
    assert rate(s, 104, target=100).rag == "G"
    assert rate(s, 110, target=100).rag == "A"
    assert rate(s, 121, target=100).reason == "Short of the target of 100 by 21 (more than 20): Red"
    assert rate(s, 90, target=100).rag == "G"


def test_a_targets_own_tolerance_is_its_amber_band():
    """Issue 15: 81.38% against a target of 85 is 4.26% short: Amber within the
    indicator's 5%, Red against a target whose own tolerance is 2%."""
    s = spec("higher_is_better", "percent", TARGET, 2)
    assert rate(s, 81.38, target=85).reason == "Short of the target of 85 by 4.3% (within 5%): Amber"
    assert rate(s, 81.38, target=85, tolerance=2).reason == "Short of the target of 85 by 4.3% (more than 2%): Red"
    assert rate(s, 81.38, target=85, tolerance=4.5).rag == "A"
    assert rate(s, 81.38, target=85, tolerance=float("nan")).rag == "A"  # no tolerance: the indicator's band
    assert rate(s, 85, target=85, tolerance=0).reason == "Meets the target of 85: Green"


def test_a_target_next_to_zero_is_rated_and_said_without_overflowing():
    s = spec("higher_is_better", "percent", TARGET, 2)
    assert rate(s, 81.38, target=1e-320).reason == "Better than the target of 0 by more than 1,000,000,000,000%: Green"
    lower = spec("lower_is_better", "percent", TARGET, 2)
    assert rate(lower, 81.38, target=1e-300).rag == "R"


def test_a_tolerance_narrows_a_wider_green_band_and_leaves_other_rules_alone():
    wide = RagRule("target", "absolute", 5, 20)
    assert with_tolerance(wide, 3) == RagRule("target", "absolute", 3, 3)
    assert with_tolerance(wide, 10) == RagRule("target", "absolute", 5, 10)
    assert with_tolerance(wide, None) is wide
    # Rated against last year, a target's tolerance plays no part; falling back to the target, it does.
    s = spec("higher_is_better", "percent", PREVIOUS_YEAR, 2)
    assert rate(s, 81.38, previous=81.0, target=85, tolerance=1).reason == "Better than last year by 0.5%: Green"
    assert rate(s, 81.38, previous=None, target=85, tolerance=1).reason == (
        "No figure for the same period last year, so rated against the target. "
        "Short of the target of 85 by 4.3% (more than 1%): Red")


def test_no_target_no_rating():
    assert rate(spec(rule=TARGET), 5, 4, target=None).reason == "No target is set for this period, so it is not rated."


# ---- overrides and outcomes -------------------------------------------------------------

def test_override_keeps_the_calculated_rating():
    calculated = rate(spec(), 120, 100)
    overridden = apply_override(calculated, "A", "Appropriate measures are being considered")
    assert overridden.rag == "A" and overridden.overridden
    assert overridden.original == calculated
    assert "calculated: Red" in overridden.reason and "Appropriate measures" in overridden.reason
    again = apply_override(overridden, "G", "Second thoughts")
    assert again.original == calculated


def test_override_needs_a_rating_and_a_reason():
    calculated = rate(spec(), 120, 100)
    with pytest.raises(ValueError, match="Give a reason"):
        apply_override(calculated, "A", "  ")
    with pytest.raises(ValueError, match="Red, Amber or Green"):
        apply_override(calculated, "Purple", "because")


@pytest.mark.parametrize(
    ("rags", "expected"),
    [
        (["A", "R", "R", "G"], "A"),
        (["G", "G", "G"], "G"),
        (["G", None], "G"),
        (["R"], "R"),
        (["R", "R", "A"], "R"),
        (["A", "G"], "A"),
        ([None, None], None),
        ([], None),
    ],
)
def test_outcome_rag_rule(rags, expected):
    assert outcome_rag(rags).rag == expected


def test_outcome_rag_reason_and_override():
    result = outcome_rag(["A", "R", "R", "G"])
    assert result.reason == "A mix of ratings (2 Red, 1 Amber, 1 Green; 4 rated), Red not a majority: Amber."
    overridden = apply_override(outcome_rag(["R"]), "A", "Indicators do not yet cover this priority")
    assert overridden.rag == "A" and overridden.original.rag == "R"
