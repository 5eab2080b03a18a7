"""Change against the previous year, as Rotherham's Table 4 reports it.

Counts, rates, money and ratios change *relatively*: (latest / previous − 1) × 100, so
1,902 → 3,179 domestic crimes is +67%. Percentages change in *percentage points*:
latest − previous, so an outcome rate of 29% → 19% is −10 points (not −34%).

Text uses the ASCII hyphen-minus for negatives ("-11%", "-1 point"), as the seed tables
do: it survives CSV, Excel and copy-and-paste unchanged, and screen readers say "minus".
Rounding is half away from zero (2.5 → 3, −2.5 → −3), as people round by hand.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from app.indicators.model import is_missing
from app.vocabulary import POINT_UNITS, UNITS

if TYPE_CHECKING:
    import numpy as np

NO_CHANGE_TEXT = "n/a"


def change_kind(unit: str) -> str:
    """``points`` for percentages, ``relative`` for everything else."""
    if unit not in UNITS:
        raise ValueError(f"Unknown unit {unit!r}.")
    return "points" if unit in POINT_UNITS else "relative"


def change(latest, previous, unit: str) -> float | None:
    """Change from ``previous`` to ``latest``: relative % or percentage points by unit.

    None when either figure is missing, or (relative change) when the previous figure is
    zero: a rise from nothing has no percentage."""
    kind = change_kind(unit)
    if is_missing(latest) or is_missing(previous):
        return None
    if kind == "points":
        return float(latest) - float(previous)
    if previous == 0:
        return None
    return (float(latest) / float(previous) - 1.0) * 100.0


def changes(latest: np.ndarray, previous: np.ndarray, points: np.ndarray) -> np.ndarray:
    """``change`` for whole columns at once: ``points`` is a boolean array saying which
    rows are percentages. Missing results are NaN."""
    import numpy as np  # numpy is loaded by the engine, not by the pages that only format a change

    latest = np.asarray(latest, dtype=float)
    previous = np.asarray(previous, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(previous != 0, (latest / previous - 1.0) * 100.0, np.nan)
    return np.where(np.asarray(points, dtype=bool), latest - previous, relative)


def round_half_up(value: float, decimals: int = 0) -> Decimal:
    """Round half away from zero (Python's ``round`` rounds halves to even)."""
    step = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP)


def format_change(value, unit: str, decimals: int = 0) -> str:
    """"+67%", "-11%", "0%", "-10 points", "-1 point", "+1.5 points"; "n/a" if missing."""
    kind = change_kind(unit)
    if is_missing(value):
        return NO_CHANGE_TEXT
    rounded = round_half_up(value, decimals)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0%"
    sign = "+" if rounded > 0 else ""
    if kind == "relative":
        return f"{sign}{rounded}%"
    noun = "point" if abs(rounded) == 1 else "points"
    return f"{sign}{rounded} {noun}"
