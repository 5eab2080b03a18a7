"""Is a change statistically significant? Exact tests, so small counts are handled right.

**Counts (and rates over a known population).** Crimes in a year are modelled as Poisson
with a rate proportional to the exposure (population, or 1 each if not given). Under
H0 "the underlying rate has not changed", the split of the total ``a + b`` between the
two periods is Binomial(n = a + b, p = e_latest / (e_latest + e_previous)); the
two-sided exact test of that binomial (``scipy.stats.binomtest``, the conditional
"C-test" of Przyborowski & Wilenski, 1940) gives the p-value. A rate per 1,000 is turned
back into a count with the population it was worked out from (3.53 per 1,000 of 674,000
≈ 2,379 crimes), so a rate is tested on the events behind it, not on the rate itself.

**Percentages with known numerators and denominators.** The 2×2 table
[[x_latest, n_latest − x_latest], [x_previous, n_previous − x_previous]] is tested with
Fisher's exact test (``scipy.stats.fisher_exact``, two-sided), exact at any size.

Both use alpha = 0.05 by default and report "significant increase", "significant
decrease" or "no significant change". Increase and decrease describe the figure, not
whether it is good: the RAG says that.

``binomial_two_sided`` and ``fisher_two_sided`` compute the same p-values as scipy for
whole columns at once (scipy's own functions take about 1.5 ms and 0.3 ms a call, too
slow for a dashboard of thousands of rows); the tests check they agree.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# scipy (about half a second to import) is imported by the functions that use it, so a
# process that never tests a change for significance never loads it.

ALPHA = 0.05
INCREASE = "significant increase"
DECREASE = "significant decrease"
NO_CHANGE = "no significant change"
# Probabilities within this relative tolerance of the observed one count as "as likely"
# (scipy's binomtest uses the same).
_RELATIVE_TOLERANCE = 1 + 1e-7


@dataclass(frozen=True)
class Significance:
    label: str  # significant increase | significant decrease | no significant change
    p_value: float
    method: str  # "exact Poisson (conditional binomial)" | "Fisher's exact"


def _label(p_value: float, increased: bool, decreased: bool, alpha: float) -> str:
    if p_value < alpha and increased:
        return INCREASE
    if p_value < alpha and decreased:
        return DECREASE
    return NO_CHANGE


def count_change_significance(
    latest: int, previous: int, latest_exposure: float | None = None,
    previous_exposure: float | None = None, alpha: float = ALPHA,
) -> Significance:
    """Exact test of a change in counts, adjusted for exposure (population) if given."""
    from scipy.stats import binomtest
    latest, previous = int(round(latest)), int(round(previous))
    if latest < 0 or previous < 0:
        raise ValueError("Counts cannot be negative.")
    e1, e2 = (
        (1.0, 1.0) if latest_exposure is None or previous_exposure is None else (latest_exposure, previous_exposure)
    )
    share = e1 / (e1 + e2)
    n = latest + previous
    p_value = 1.0 if n == 0 else float(binomtest(latest, n, share).pvalue)
    expected = n * share
    return Significance(
        _label(p_value, latest > expected, latest < expected, alpha), p_value, "exact Poisson (conditional binomial)"
    )


def events_from_rate(rate: float, population: float, per: float) -> int:
    """The count behind a rate: 3.53 per 1,000 of 674,000 → 2,379."""
    return int(round(rate * population / per))


def rate_change_significance(
    latest_rate: float, previous_rate: float, latest_population: float,
    previous_population: float | None = None, per: float = 1000.0, alpha: float = ALPHA,
) -> Significance:
    """Exact test of a change in a rate per ``per`` people, on the counts behind it."""
    previous_population = latest_population if previous_population is None else previous_population
    return count_change_significance(
        events_from_rate(latest_rate, latest_population, per),
        events_from_rate(previous_rate, previous_population, per),
        latest_population, previous_population, alpha,
    )


def proportion_change_significance(
    latest_numerator: int, latest_denominator: int, previous_numerator: int,
    previous_denominator: int, alpha: float = ALPHA,
) -> Significance:
    """Fisher's exact test of a change in a percentage (23 of 35 then 30 of 40, say)."""
    from scipy.stats import fisher_exact
    x1, n1, x2, n2 = (
        int(round(v)) for v in (latest_numerator, latest_denominator, previous_numerator, previous_denominator)
    )
    if not (0 <= x1 <= n1 and 0 <= x2 <= n2):
        raise ValueError("A numerator must be between zero and its denominator.")
    p_value = float(fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue)
    share1, share2 = (x1 / n1 if n1 else 0.0), (x2 / n2 if n2 else 0.0)
    return Significance(_label(p_value, share1 > share2, share1 < share2, alpha), p_value, "Fisher's exact")


# ---- whole columns at once --------------------------------------------------------

def _first_at_most(pmf, threshold, lo, hi):
    """Smallest x in [lo, hi] with pmf(x) <= threshold, where pmf falls on [lo, hi] and
    hi is a sentinel outside the support (pmf 0). Vectorised bisection."""
    lo, hi = lo.copy(), hi.copy()
    while np.any(lo < hi):
        mid = (lo + hi) // 2
        at_most = pmf(mid) <= threshold
        lo, hi = np.where(at_most, lo, mid + 1), np.where(at_most, mid, hi)
    return lo


def _last_at_most(pmf, threshold, lo, hi):
    """Largest x in [lo, hi] with pmf(x) <= threshold, where pmf rises on [lo, hi] and
    lo is a sentinel outside the support (pmf 0). Vectorised bisection."""
    lo, hi = lo.copy(), hi.copy()
    while np.any(lo < hi):
        mid = (lo + hi + 1) // 2
        at_most = pmf(mid) <= threshold
        lo, hi = np.where(at_most, mid, lo), np.where(at_most, hi, mid - 1)
    return lo


def _minlike_two_sided(k, lower, upper, mode, pmf, cdf, sf):
    """Two-sided p-value of a unimodal discrete distribution on [lower, upper]: the
    probability of every outcome no more likely than the observed ``k`` (scipy's
    "minlike" definition, as in binomtest and fisher_exact)."""
    threshold = pmf(k) * _RELATIVE_TOLERANCE
    # k below the mode: its own tail, plus the far tail from the first outcome above the
    # mode that is no more likely than k.
    first_up = _first_at_most(pmf, threshold, mode, upper + 1)
    below = cdf(k) + sf(first_up - 1)
    # k above the mode: the mirror image.
    last_down = _last_at_most(pmf, threshold, lower - 1, mode)
    above = sf(k - 1) + cdf(last_down)
    p = np.where(k < mode, below, above)
    p = np.where(pmf(mode) <= threshold, 1.0, p)  # k is as likely as the mode
    return np.minimum(p, 1.0)


def binomial_two_sided(k, n, p) -> np.ndarray:
    """``scipy.stats.binomtest(k, n, p).pvalue`` for arrays (n = 0 gives 1)."""
    from scipy.stats import binom
    k, n = np.asarray(k, dtype=np.int64), np.asarray(n, dtype=np.int64)
    p = np.broadcast_to(np.asarray(p, dtype=float), k.shape)
    mode = np.clip(np.floor((n + 1) * p), 0, n).astype(np.int64)
    lower = np.zeros_like(n)
    result = _minlike_two_sided(
        k, lower, n, mode,
        lambda x: binom.pmf(x, n, p), lambda x: binom.cdf(x, n, p), lambda x: binom.sf(x, n, p),
    )
    return np.where(n == 0, 1.0, result)


def _log_choose(n, k):
    from scipy.special import gammaln
    return gammaln(n + 1.0) - gammaln(k + 1.0) - gammaln(n - k + 1.0)


def _hypergeom_pmf(x, total, successes, drawn, lower, upper):
    """Hypergeometric probabilities from log-gamma: scipy's ``hypergeom.pmf`` gives the
    same to about 1e-10 but takes 250× as long, and the search calls it ~30 times."""
    inside = (x >= lower) & (x <= upper)
    xs = np.clip(x, lower, upper).astype(float)
    log_p = _log_choose(successes, xs) + _log_choose(total - successes, drawn - xs) - _log_choose(total, drawn)
    return np.where(inside, np.exp(log_p), 0.0)


def fisher_two_sided(x1, n1, x2, n2) -> np.ndarray:
    """``scipy.stats.fisher_exact([[x1, n1-x1], [x2, n2-x2]]).pvalue`` for arrays."""
    from scipy.stats import hypergeom
    x1, n1, x2, n2 = (np.asarray(v, dtype=np.int64) for v in (x1, n1, x2, n2))
    total, drawn = n1 + n2, x1 + x2  # population, and the successes drawn from it
    lower = np.maximum(0, drawn - n2)
    upper = np.minimum(n1, drawn)
    mode = np.clip(((drawn + 1) * (n1 + 1)) // (total + 2), lower, upper)
    result = _minlike_two_sided(
        x1, lower, upper, mode,
        lambda x: _hypergeom_pmf(x, total, n1, drawn, lower, upper), lambda x: hypergeom.cdf(x, total, n1, drawn),
        lambda x: hypergeom.sf(x, total, n1, drawn),
    )
    # A row or column of zeros carries no information.
    empty = (n1 == 0) | (n2 == 0) | (drawn == 0) | (drawn == total)
    return np.where(empty, 1.0, result)


def significance_labels(p_values, increased, decreased, alpha: float = ALPHA) -> np.ndarray:
    """Vectorised labels; rows with a NaN p-value get None."""
    p_values = np.asarray(p_values, dtype=float)
    labels = np.where(
        p_values < alpha, np.where(increased, INCREASE, np.where(decreased, DECREASE, NO_CHANGE)), NO_CHANGE
    )
    return np.where(np.isnan(p_values), None, labels).astype(object)

