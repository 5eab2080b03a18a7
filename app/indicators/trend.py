"""Direction of travel: improving, stable or worsening over the last few periods.

Rule: fit a least-squares straight line through the figures of the last N periods
(default 4 quarters or 3 years, see ``periods.trend_period_keys``), skipping missing
ones, and express its slope per period as a percentage of the mean of those figures.
Within ±``stable_within`` (default 2%) per period is "stable"; otherwise the direction
follows the indicator's polarity (a rising burglary rate is "worsening", rising hate
reporting is "improving"). Fewer than ``min_points`` figures (default 3), or a neutral
polarity, give None.

On the dashboard (``travel``) each indicator sets its own stable band
(``IndicatorSpec.stable_within``, default 2), and a direction is also given from *two*
figures, as board papers give it from two years': the change from the earlier to the
later (relative % for counts, rates and money; percentage points for a percentage, as
the dashboard's change column) within ±band is "stable", otherwise it follows the
polarity. Each direction says how it was derived: "from two figures" or "trend over N
periods" (N figures).
"""
from __future__ import annotations

import numpy as np

STABLE_WITHIN = 2.0
MIN_POINTS = 3
_NOISE_DECIMALS = 9


def relative_slopes(matrix) -> tuple[np.ndarray, np.ndarray]:
    """Per row of a (series × periods) array, oldest period first: the least-squares slope
    per period as % of the row's mean (NaN figures skipped), and how many figures there
    were. A row with mean 0 has slope % 0 if flat, ±inf otherwise."""
    y = np.atleast_2d(np.asarray(matrix, dtype=float))
    present = ~np.isnan(y)
    n = present.sum(axis=1)
    x = np.broadcast_to(np.arange(y.shape[1], dtype=float), y.shape)
    y0 = np.where(present, y, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_mean = np.where(present, x, 0.0).sum(axis=1) / n
        y_mean = y0.sum(axis=1) / n
        dx = np.where(present, x - x_mean[:, None], 0.0)
        slope = (dx * (y0 - y_mean[:, None])).sum(axis=1) / (dx * dx).sum(axis=1)
        percent = slope / np.abs(y_mean) * 100.0
    percent = np.where((y_mean == 0) & (slope == 0), 0.0, percent)
    return percent, n


def directions(matrix, polarities, stable_within: float = STABLE_WITHIN, min_points: int = MIN_POINTS) -> np.ndarray:
    """Direction of travel for each row of ``matrix`` given each row's polarity."""
    return classify_slopes(*relative_slopes(matrix), polarities, stable_within, min_points)


def classify_slopes(
    percent, n, polarities, stable_within: float = STABLE_WITHIN, min_points: int = MIN_POINTS
) -> np.ndarray:
    """Direction of travel from ``relative_slopes``' output and each row's polarity."""
    polarities = np.asarray(polarities, dtype=object)
    rising = percent > 0
    good_if_rising = polarities == "higher_is_better"
    moving = np.where(rising == good_if_rising, "improving", "worsening")
    with np.errstate(invalid="ignore"):
        stable = np.round(np.abs(percent), _NOISE_DECIMALS) <= stable_within
    result = np.where(stable, "stable", moving).astype(object)
    unknown = (n < max(min_points, 2)) | np.isnan(percent) | (polarities == "neutral")
    result[unknown] = None
    return result


def direction_of_travel(
    values, polarity: str, stable_within: float = STABLE_WITHIN, min_points: int = MIN_POINTS
) -> str | None:
    """"improving" | "stable" | "worsening" | None for one series, oldest first (None or
    NaN for a missing figure)."""
    row = [np.nan if v is None else v for v in values]
    return directions([row], [polarity], stable_within, min_points)[0]


TWO_FIGURES = "from two figures"


def travel(matrix, polarities, stable_within, points) -> tuple[np.ndarray, np.ndarray, list[str | None]]:
    """The dashboard's direction of travel for each row of ``matrix`` (series × periods,
    oldest first, NaN where there is no figure): (direction, the measure it was judged on
    — slope % per period, or for two figures the change — and how it was derived). Each
    row has its own ``polarities``, ``stable_within`` band and ``points`` (True for a
    percentage: its change is in points)."""
    y = np.atleast_2d(np.asarray(matrix, dtype=float))
    bands = np.broadcast_to(np.asarray(stable_within, dtype=float), (y.shape[0],))
    percent, n = relative_slopes(y)
    trend = classify_slopes(percent, n, polarities, bands, MIN_POINTS)
    present = ~np.isnan(y)
    rows = np.arange(y.shape[0])
    first = y[rows, np.argmax(present, axis=1)] if y.shape[1] else np.full(y.shape[0], np.nan)
    last = y[rows, y.shape[1] - 1 - np.argmax(present[:, ::-1], axis=1)] if y.shape[1] else first
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(first != 0, (last / first - 1.0) * 100.0, np.where(last == first, 0.0, np.nan))
    change = np.where(np.broadcast_to(np.asarray(points, dtype=bool), (y.shape[0],)), last - first, relative)
    two = n == 2
    pair = classify_slopes(change, n, polarities, bands, 2)
    result = np.where(two, pair, trend).astype(object)
    measure = np.where(two, change, percent)
    derived = [None if d is None else (TWO_FIGURES if count == 2 else f"trend over {count} periods")
               for d, count in zip(result.tolist(), n.tolist())]
    return result, measure, derived
