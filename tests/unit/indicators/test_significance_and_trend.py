import numpy as np
import pytest
from scipy.stats import binomtest, fisher_exact

from app.indicators import (
    count_change_significance,
    direction_of_travel,
    proportion_change_significance,
    rate_change_significance,
)
from app.indicators.significance import (
    DECREASE,
    INCREASE,
    NO_CHANGE,
    binomial_two_sided,
    events_from_rate,
    fisher_two_sided,
    significance_labels,
)
from app.indicators.trend import TWO_FIGURES, directions, relative_slopes, travel

LEICESTERSHIRE_POPULATION = 674_000


# ---- significance -------------------------------------------------------------------

def test_domestic_burglary_rise_in_the_seed_is_a_significant_increase():
    result = rate_change_significance(3.53, 3.10, LEICESTERSHIRE_POPULATION)
    assert result.label == INCREASE
    assert result.p_value < 1e-4
    assert events_from_rate(3.10, LEICESTERSHIRE_POPULATION, 1000) == 2089
    assert events_from_rate(3.53, LEICESTERSHIRE_POPULATION, 1000) == 2379


def test_small_count_changes_are_not_significant():
    assert count_change_significance(15, 12).label == NO_CHANGE
    assert count_change_significance(12, 15).label == NO_CHANGE


def test_a_large_fall_is_a_significant_decrease():
    result = count_change_significance(124, 190)  # first time entrants
    assert result.label == DECREASE
    assert result.p_value == pytest.approx(binomtest(124, 314, 0.5).pvalue)


def test_population_growth_is_allowed_for():
    # 10% more crimes with 10% more people is no change in the underlying rate.
    assert count_change_significance(1100, 1000, 110_000, 100_000).p_value == pytest.approx(1.0)
    assert count_change_significance(1100, 1000).label == "significant increase"


def test_nothing_to_test():
    assert count_change_significance(0, 0).label == NO_CHANGE
    with pytest.raises(ValueError):
        count_change_significance(-1, 3)


def test_proportions_use_fishers_exact_test():
    same = proportion_change_significance(23, 35, 30, 40)
    assert same.label == NO_CHANGE and same.method == "Fisher's exact"
    assert same.p_value == pytest.approx(fisher_exact([[23, 12], [30, 10]]).pvalue)
    assert proportion_change_significance(90, 100, 50, 100).label == INCREASE
    assert proportion_change_significance(50, 100, 90, 100).label == DECREASE
    with pytest.raises(ValueError, match="between zero and its denominator"):
        proportion_change_significance(40, 35, 1, 2)


def test_vectorised_binomial_matches_scipy():
    rng = np.random.default_rng(7)
    k = rng.integers(0, 400, 300)
    n = k + rng.integers(0, 400, 300)
    p = rng.uniform(0.05, 0.95, 300)
    expected = [binomtest(int(a), int(b), c).pvalue if b else 1.0 for a, b, c in zip(k, n, p)]
    np.testing.assert_allclose(binomial_two_sided(k, n, p), expected, rtol=1e-9, atol=1e-300)
    # Symmetric case, where ties between the tails are exact.
    k = rng.integers(0, 3000, 200)
    n = k + rng.integers(0, 3000, 200)
    expected = [binomtest(int(a), int(b), 0.5).pvalue if b else 1.0 for a, b in zip(k, n)]
    np.testing.assert_allclose(binomial_two_sided(k, n, 0.5), expected, rtol=1e-9, atol=1e-300)


def test_vectorised_fisher_matches_scipy():
    rng = np.random.default_rng(8)
    for high in (8, 60, 2000):
        n1 = rng.integers(0, high, 200)
        n2 = rng.integers(0, high, 200)
        x1 = (rng.uniform(size=200) * (n1 + 1)).astype(int).clip(0, n1)
        x2 = (rng.uniform(size=200) * (n2 + 1)).astype(int).clip(0, n2)
        expected = [fisher_exact([[a, b - a], [c, d - c]]).pvalue for a, b, c, d in zip(x1, n1, x2, n2)]
        np.testing.assert_allclose(fisher_two_sided(x1, n1, x2, n2), expected, rtol=1e-8, atol=1e-300)


def test_labels_for_a_column():
    labels = significance_labels([0.01, 0.01, 0.2, np.nan], [True, False, True, False], [False, True, False, False])
    assert labels.tolist() == [INCREASE, DECREASE, NO_CHANGE, None]


# ---- direction of travel -------------------------------------------------------------------

def test_rising_figures_worsen_when_lower_is_better():
    assert direction_of_travel([100, 105, 110, 115], "lower_is_better") == "worsening"
    assert direction_of_travel([100, 105, 110, 115], "higher_is_better") == "improving"
    assert direction_of_travel([115, 110, 105, 100], "lower_is_better") == "improving"


def test_small_slopes_are_stable():
    assert direction_of_travel([100, 101, 100, 101], "lower_is_better") == "stable"
    # Slope exactly 2% of the mean per period is still stable; a little more is not.
    assert direction_of_travel([98, 100, 102], "lower_is_better") == "stable"
    assert direction_of_travel([97.9, 100, 102.1], "lower_is_better") == "worsening"
    assert direction_of_travel([97.9, 100, 102.1], "lower_is_better", stable_within=5) == "stable"


def test_missing_figures_are_skipped_and_too_few_give_none():
    assert direction_of_travel([100, None, 110, 120], "lower_is_better") == "worsening"
    assert direction_of_travel([100, None, None, 120], "lower_is_better") is None
    assert direction_of_travel([100, 120], "lower_is_better", min_points=2) == "worsening"
    assert direction_of_travel([], "lower_is_better") is None


def test_neutral_polarity_has_no_direction():
    assert direction_of_travel([1, 2, 3], "neutral") is None


def test_slope_is_relative_to_the_mean():
    percent, n = relative_slopes([[10, 20, 30], [0, 0, 0], [np.nan, 4, 4]])
    assert percent[0] == pytest.approx(50.0)
    assert percent[1] == 0.0 and percent[2] == 0.0
    assert n.tolist() == [3, 3, 2]


def test_vectorised_directions_match_one_at_a_time():
    rng = np.random.default_rng(3)
    matrix = rng.normal(100, 5, size=(50, 4))
    matrix[rng.uniform(size=matrix.shape) < 0.1] = np.nan
    polarities = rng.choice(["lower_is_better", "higher_is_better", "neutral"], 50)
    together = directions(matrix, polarities)
    for row, polarity, direction in zip(matrix, polarities, together):
        assert direction_of_travel(list(row), polarity) == direction


def test_two_figures_give_a_direction_by_their_change_within_each_indicators_band():
    # Appendix 1: total crime 45.79 -> 47.21 (+3.1%), burglary 3.10 -> 3.53 (+13.9%) with a
    # ±13.5% band; MARAC repeats 29.2% -> 27.0% (-2.2 points) with ±5 points and with ±2.
    matrix = [[np.nan, 45.79, 47.21], [np.nan, 3.10, 3.53], [29.2, np.nan, 27.0], [29.2, np.nan, 27.0],
              [100, 105, 110], [np.nan, np.nan, 5.0], [0.0, np.nan, 0.0]]
    polarities = ["lower_is_better"] * 5 + ["lower_is_better", "higher_is_better"]
    bands = [13.5, 13.5, 5, 2, 2, 2, 2]
    points = [False, False, True, True, False, False, False]
    found, measure, derived = travel(matrix, polarities, bands, points)
    assert found.tolist() == ["stable", "worsening", "stable", "improving", "worsening", None, "stable"]
    assert derived == [TWO_FIGURES] * 4 + ["trend over 3 periods", None, TWO_FIGURES]
    assert round(measure[0], 1) == 3.1 and round(measure[2], 1) == -2.2
    # Three or more figures: the slope rule, with the row's own band.
    assert travel([[97.9, 100, 102.1]], ["lower_is_better"], [5], [False])[0].tolist() == ["stable"]
