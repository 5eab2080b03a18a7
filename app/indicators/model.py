"""The engine's inputs and results: plain dataclasses, no Flask, no database.

The service that reads the database builds these from rows (one ``IndicatorSpec`` per
``Indicator``, one ``AreaSpec`` per ``Area`` with its populations) and a values frame
from ``DataValue`` rows (columns ``indicator, area, period, value, flag`` where
``indicator`` is the slug, ``area`` the code and ``period`` the canonical key).

Flags, units, polarities and RAG ratings are ``app.vocabulary``'s, as in ``app.models``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from app.vocabulary import POINT_UNITS, POLARITIES, UNITS

AGGREGATIONS = ("sum", "recompute", "none")
RAG_METHODS = ("none", "target", "previous_year", "manual")
RAG_BAND_KINDS = ("percent", "absolute")
# What a figure is compared with (``rows.choose_periods``): the same period a year earlier
# (like for like), or, for a cohort or rolling measure published over periods of changing
# length, the latest earlier figure of any length.
COMPARISON_BASES = ("same_period_last_year", "latest_earlier_period")
COMPARISON_BASIS_LABELS = {
    "same_period_last_year": "The same period last year (like for like)",
    "latest_earlier_period": "The latest earlier figure, of any length (cohort or rolling measures)",
}
# Direction of travel: a change within this band (per cent, or percentage points for a
# percentage) is "stable" unless the indicator sets its own.
DEFAULT_STABLE_WITHIN = 2.0
AREA_KINDS = ("district", "county", "wider")

# Rates are "per" this many people.
RATE_SCALE = {"rate_per_1000": 1000.0, "rate_per_100000": 100_000.0}
# A recomputed indicator is scale × numerator / denominator.
RECOMPUTE_SCALE = {"percent": 100.0, "ratio": 1.0, **RATE_SCALE}


def per_head_of_population(unit: str, denominator) -> bool:
    """A recomputed rate (per 1,000 or 100,000) with no denominator indicator is per head
    of the population of the areas its count is from (``totals.Populations``)."""
    return unit in RATE_SCALE and not denominator


def _one_of(what: str, value, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}; got {value!r}.")


def is_missing(value) -> bool:
    """True for None and NaN: a missing figure, never a zero."""
    return value is None or (isinstance(value, float) and math.isnan(value))


@dataclass(frozen=True)
class RagRule:
    """How an indicator is rated.

    ``method``: ``none``; ``target`` (band the shortfall against the period's target);
    ``previous_year`` (band the worsening since the same period a year earlier);
    ``manual`` (a manager types the RAG; the engine returns none).
    ``band_kind``: ``percent`` measures the worsening relative to the target or the
    previous figure (13.9% worse); ``absolute`` in the indicator's own unit (for a
    percentage indicator that is percentage points).
    A worsening of at most ``green_within`` is Green, at most ``amber_within`` Amber,
    beyond that Red; any improvement (or meeting the target) is Green.
    ``rate_estimates``: estimates are rated only if this is true.
    """

    method: str = "none"
    band_kind: str = "percent"
    green_within: float = 0.0
    amber_within: float = 0.0
    rate_estimates: bool = False

    def __post_init__(self):
        _one_of("RAG method", self.method, RAG_METHODS)
        _one_of("RAG band kind", self.band_kind, RAG_BAND_KINDS)
        if self.green_within < 0 or self.amber_within < self.green_within:
            raise ValueError(
                "The RAG bands must satisfy 0 ≤ green band ≤ amber band "
                f"(got green {self.green_within}, amber {self.amber_within})."
            )


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator as configured by an admin.

    ``comparison_basis`` (``COMPARISON_BASES``): what its latest figure is compared with;
    ``stable_within``: the direction of travel's stable band (per cent, or percentage
    points for a percentage).

    ``aggregation``: ``sum`` adds areas (and periods) together; ``recompute`` works the
    figure out again from ``numerator`` and ``denominator`` (slugs of other indicators;
    a rate with no denominator uses the area's population); ``none`` is never combined.
    """

    slug: str
    name: str
    unit: str = "count"
    polarity: str = "lower_is_better"
    aggregation: str = "sum"
    numerator: str | None = None
    denominator: str | None = None
    decimals: int = 0
    rag: RagRule = field(default_factory=RagRule)
    comparison_basis: str = "same_period_last_year"
    stable_within: float = DEFAULT_STABLE_WITHIN

    def __post_init__(self):
        _one_of(f"The unit of '{self.name}'", self.unit, UNITS)
        _one_of(f"The comparison of '{self.name}'", self.comparison_basis, COMPARISON_BASES)
        if not (self.stable_within >= 0 and math.isfinite(self.stable_within)):
            raise ValueError(f"The stable band of '{self.name}' must be 0 or more (got {self.stable_within}).")
        _one_of(f"The polarity of '{self.name}'", self.polarity, POLARITIES)
        _one_of(f"The aggregation of '{self.name}'", self.aggregation, AGGREGATIONS)
        if self.aggregation == "recompute":
            if self.unit not in RECOMPUTE_SCALE:
                raise ValueError(
                    f"'{self.name}' is a {self.unit}: only percentages, rates and ratios can be "
                    "recomputed from a numerator and denominator. Choose 'sum' or 'none'."
                )
            if not self.numerator:
                raise ValueError(f"'{self.name}' is recomputed, so it needs a numerator indicator.")
            if not self.denominator and not per_head_of_population(self.unit, self.denominator):
                raise ValueError(
                    f"'{self.name}' is recomputed, so it needs a denominator indicator "
                    "(only rates may use the area's population instead)."
                )

    @property
    def parts(self) -> tuple[str, ...]:
        """The indicators a recomputed one is worked out from (its numerator and, unless it
        is a rate per head of population, its denominator); none for any other."""
        if self.aggregation != "recompute":
            return ()
        return tuple(part for part in (self.numerator, self.denominator) if part)

    @property
    def change_kind(self) -> str:
        return "points" if self.unit in POINT_UNITS else "relative"


@dataclass(frozen=True)
class AreaSpec:
    """A district, county or wider footprint. ``parent`` is the code of the area it sits in."""

    code: str
    name: str
    kind: str = "district"
    parent: str | None = None
    populations: dict[int, int] = field(default_factory=dict)

    def __post_init__(self):
        _one_of(f"The kind of area '{self.name}'", self.kind, AREA_KINDS)

    def population_for(self, year: int) -> int | None:
        """Population for a year, or the nearest earlier estimate (None if none earlier)."""
        earlier = [y for y in self.populations if y <= year]
        return self.populations[max(earlier)] if earlier else None


@dataclass(frozen=True)
class AggregateResult:
    """A total for an area made from its districts (or for a span made from its parts).

    ``status``: ``complete`` (computed from every part), ``incomplete`` (a part is missing:
    ``value`` is None, never a smaller number), ``supplied`` (an agency gave the total and
    it agrees with the parts, or the parts cannot be checked), ``mismatch`` (the supplied
    total and the parts disagree: ``value`` is the supplied figure, both are kept),
    ``not_combined`` (the indicator is never combined and no total was supplied).
    """

    value: float | None
    status: str
    missing_areas: tuple[str, ...] = ()
    supplied: float | None = None
    computed: float | None = None
    flag: str = "actual"
    message: str = ""


@dataclass(frozen=True)
class RagResult:
    """A rating and a sentence saying why. ``original`` keeps the calculated result when
    a manager has overridden it."""

    rag: str | None
    reason: str
    overridden: bool = False
    original: RagResult | None = None
