"""Comparisons: districts against each other, an area against its peers, and the strip of
district RAGs ("B C H HB M NW O") on the dashboard.

**Districts (Top / Average / Bottom).** The districts of one county are ranked by the
indicator in its good direction (lowest first for lower-is-better). With n districts
that have a figure, the best ⌊n/3⌋ are "Top", the worst ⌊n/3⌋ "Bottom", the rest
"Average" (7 districts: 2 Top, 3 Average, 2 Bottom). Tied figures share the rank furthest from
the end, so a tie across a boundary puts the tied districts on the middle side. The county is not ranked with
its districts: it is their total. Fewer than 3 figures, or a neutral polarity, give None.

**Peers (Top / Average / Bottom).** An area is compared with the mean of its comparator
values (its most similar group, say): within ±5% of the peer mean (``band_percent``) is
"Average"; better than that by the polarity is "Top", worse "Bottom". A band rather than
quartiles, because peer groups are often small and a band reads plainly: "12% better
than the peer average".

**Figures first, then a published position.** Where the peers' figures are held, the
position is worked out from them (``peer_comparison``); where only a position published
with the figures is held (a board paper's "County Comparison", iQuanta's most similar
group), that position is shown, saying so.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from app.indicators.model import IndicatorSpec, is_missing
from app.indicators.rag import rate

PEER_BAND_PERCENT = 5.0
MIN_DISTRICTS = 3


def _good_direction_sign(polarity) -> float:
    return {"higher_is_better": 1.0, "lower_is_better": -1.0}.get(polarity, np.nan)


def rank_districts(
    frame: pd.DataFrame, group: list[str], value: str = "value", polarity: str = "polarity"
) -> pd.Series:
    """Top / Average / Bottom (or None) for each row of ``frame``, ranking rows within
    each ``group`` (e.g. indicator and county) by ``value`` in the ``polarity``'s good
    direction."""
    good = frame[value].astype(float) * frame[polarity].map(_good_direction_sign).astype(float)
    grouped = good.groupby([frame[g] for g in group], sort=False, dropna=False)
    best_rank = grouped.rank(method="max", ascending=False)
    worst_rank = grouped.rank(method="max", ascending=True)
    count = grouped.transform("count")
    k = count // 3
    result = np.where(
        (best_rank <= k) & (worst_rank > k), "Top",
        np.where((worst_rank <= k) & (best_rank > k), "Bottom", "Average"),
    ).astype(object)
    result[(good.isna() | (count < MIN_DISTRICTS)).to_numpy()] = None
    return pd.Series(result, index=frame.index, name="district_comparison", dtype=object)


def compare_districts(values: Mapping[str, float | None], polarity: str) -> dict[str, str | None]:
    """Top / Average / Bottom for each district code in ``values``."""
    frame = pd.DataFrame({"area": list(values), "value": [np.nan if is_missing(v) else v for v in values.values()]})
    frame["polarity"] = polarity
    frame["group"] = 0
    return dict(zip(frame["area"], rank_districts(frame, ["group"])))


def compare_with_peers(
    value, peers: Mapping[str, float | None] | Sequence[float | None], polarity: str,
    band_percent: float = PEER_BAND_PERCENT, area: str | None = None,
) -> str | None:
    """Top / Average / Bottom against the mean of the peers' figures (``area`` itself is
    left out when ``peers`` is a mapping that includes it)."""
    sign = _good_direction_sign(polarity)
    if isinstance(peers, Mapping):
        peers = [v for code, v in peers.items() if code != area]
    figures = [float(v) for v in peers if not is_missing(v)]
    if is_missing(value) or not figures or np.isnan(sign):
        return None
    mean = sum(figures) / len(figures)
    difference = (float(value) - mean) * sign
    better_by = difference / abs(mean) * 100.0 if mean else (np.inf * np.sign(difference) if difference else 0.0)
    if abs(round(better_by, 9)) <= band_percent:
        return "Average"
    return "Top" if better_by > 0 else "Bottom"


def peer_comparison(value, figures: Sequence[float | None], polarity: str,
                    published: Sequence[tuple[str, str]] = (),
                    band_percent: float = PEER_BAND_PERCENT) -> tuple[str | None, str | None]:
    """(Top / Average / Bottom or None, how it was found): from the peers' ``figures``
    when there are any ("against the average of 3 peer figures"), else the first
    ``published`` (label, position) ("as published: County comparison, Appendix 1")."""
    held = [v for v in figures if not is_missing(v)]
    if held:
        position = compare_with_peers(value, held, polarity, band_percent)
        count = len(held)
        return position, (f"against the average of {count} peer figure{'s' if count != 1 else ''}"
                          if position else None)
    if published:
        label, position = published[0]
        return position, f"as published: {label}"
    return None, None


def district_rags(
    spec: IndicatorSpec,
    latest: Mapping[str, float | None],
    previous: Mapping[str, float | None] | None = None,
    targets: Mapping[str, float | None] | None = None,
    flags: Mapping[str, str] | None = None,
) -> dict[str, str | None]:
    """Each district's own RAG by the indicator's rule: code → "R" | "A" | "G" | None."""
    previous, targets, flags = previous or {}, targets or {}, flags or {}
    return {
        code: rate(spec, value, previous.get(code), targets.get(code), flags.get(code, "actual")).rag
        for code, value in latest.items()
    }
