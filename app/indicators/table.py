"""The dashboard's table for one period and its rows, as the pages and the workbook use
them: ``IndicatorRow`` (one indicator × area) and ``DashboardTable`` (the rows of a period
with the figures behind them, read when first wanted). Flask-free.

They live apart from the engine (``app.indicators.rows``) so that the services naming them
load no pandas until a table is filled (issue 16: the app starts without pandas).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import MISSING, dataclass, field, fields
from typing import TYPE_CHECKING

from app.indicators.model import AreaSpec, IndicatorSpec, RagResult
from app.indicators.periods import period_of
from app.periods import PeriodSpec

if TYPE_CHECKING:
    import pandas as pd

STORED_COLUMNS = ["indicator", "area", "period", "value", "flag", "agency_id", "submission_id"]
FIGURE_COLUMNS = ["indicator", "area", "period", "value", "flag", "status", "message"]
CONTRIBUTION_COLUMNS = ["indicator", "area", "period", "agency_id", "submission_id"]

@dataclass
class IndicatorRow:
    """One indicator × area on the dashboard: the engine's columns (``period`` is the
    latest figure's period, ``previous_period`` the one it is compared with), then what
    the service adds: ``note`` (the stored note, e.g. why a figure is not available),
    ``calculated`` (the engine's RagResult), ``setting`` (a manager's rating, if any),
    ``rag_overridden``, ``comment``, ``comment_internal``, ``headline``, ``several`` (the
    indicator is shown on more than one row), ``strip_codes`` and ``strip`` ((district
    code, RAG) under a headline area), ``peers`` and ``peer_comparison``."""

    indicator: str
    area: str
    period: str
    previous_period: str | None
    latest: float | None
    latest_flag: str | None
    previous: float | None
    previous_flag: str | None
    area_kind: str | None
    unit: str | None
    polarity: str | None
    target: float | None
    change: float | None
    change_text: str | None
    rag: str | None
    rag_reason: str | None
    direction: str | None
    trend_percent: float | None
    significance: str | None
    p_value: float | None
    district_comparison: str | None
    aggregate_status: str | None
    aggregate_message: str | None
    note: str | None = None
    calculated: RagResult | None = None
    headline: bool = False
    several: bool = False
    strip_codes: list[str] = field(default_factory=list)
    strip: list[tuple[str, str | None]] = field(default_factory=list)
    peers: list[tuple[str, float]] = field(default_factory=list)
    peer_comparison: str | None = None
    setting: object | None = None  # the service's RagSetting
    rag_overridden: bool = False
    comment: str | None = None
    comment_internal: bool = False
    # What the latest figure is compared with, in words (``comparison_text``), and how the
    # direction was derived ("from two figures", "trend over 4 periods").
    comparison: str | None = None
    direction_basis: str | None = None
    peer_basis: str | None = None  # how the peer comparison was found (``compare.peer_comparison``)
    target_tolerance: float | None = None  # the target's own amber band, if it has one


# A kept row (``indicator_result.data``) is a JSON array of these fields' values, in this
# order: the ``IndicatorRow`` fields the engine works out (headline and several are columns
# of their own). An array, not an object: a third of the bytes to write and to read, the
# names written once here rather than in every row. Rows kept before 7 December 2026 are
# objects, read as they are.
KEPT_FIELDS = ("indicator", "area", "period", "previous_period", "latest", "latest_flag", "previous", "previous_flag",
               "area_kind", "unit", "polarity", "target", "target_tolerance", "change", "change_text", "comparison",
               "rag", "rag_reason", "direction", "trend_percent", "direction_basis", "significance", "p_value",
               "district_comparison", "aggregate_status", "aggregate_message", "note", "strip_codes")


def kept_records(texts: Iterable[str]) -> list[dict]:
    """Kept rows as dicts of their fields, from their stored JSON texts, decoded in one
    call (thousands of ``json.loads`` calls cost more)."""
    import json

    decoded = json.loads("[" + ",".join(texts) + "]")
    return [dict(zip(KEPT_FIELDS, values)) if isinstance(values, list) else values for values in decoded]


def as_indicator_rows(records: Iterable[dict]) -> list[IndicatorRow]:
    """``IndicatorRow(**record)`` of each record (the engine's row, as kept or worked out,
    with what the service adds: headline, several, calculated), made by giving each row
    its attributes in one step: the dataclass's own ``__init__``, with its 40 parameters,
    took 10 ms of a county's 3,200 rows (a county's page is 0.15 s), this 2 ms. A record's
    keys are ``IndicatorRow`` fields; the fields it lacks take their defaults, a list
    default a new list each (tests/unit/indicators/test_table.py checks the rows equal
    ``IndicatorRow(**record)``'s)."""
    defaults, factories = _row_defaults()
    new = object.__new__
    rows = []
    for record in records:
        row = new(IndicatorRow)
        attributes = {**defaults, **record}
        for name, factory in factories:
            if name not in record:
                attributes[name] = factory()
        row.__dict__ = attributes
        rows.append(row)
    return rows


_ROW_DEFAULTS: tuple[dict, list] | None = None


def _row_defaults() -> tuple[dict, list]:
    """(IndicatorRow's plain defaults by field, (field, default factory) pairs)."""
    global _ROW_DEFAULTS
    if _ROW_DEFAULTS is None:
        _ROW_DEFAULTS = ({f.name: f.default for f in fields(IndicatorRow) if f.default is not MISSING},
                         [(f.name, f.default_factory) for f in fields(IndicatorRow)
                          if f.default_factory is not MISSING])
    return _ROW_DEFAULTS


@dataclass
class DashboardTable:
    """Everything computed for one dashboard period (the service adds what it read from the database).

    ``rows``: one ``IndicatorRow`` per indicator × area that has a figure, keyed (slug,
    area code). ``stored``: the stored rows (indicator, area, period, value, flag,
    agency_id, submission_id); ``figures``: every figure (stored, recomputed, totals) up
    to the period's end with something stored behind it: indicator, area, period, value,
    flag, status, message. Either may be None and read when first wanted:
    ``stored_source()`` gives the stored rows, ``figure_source(pairs)`` the figures of
    those (indicator, area) pairs (None: every pair), so a page reads the figures of the
    rows it shows and no others."""

    period: PeriodSpec
    specs: dict[str, IndicatorSpec]
    areas: list[AreaSpec]
    figures: pd.DataFrame | None
    stored: pd.DataFrame | None
    targets: pd.DataFrame
    rows: dict[tuple[str, str], IndicatorRow] = field(default_factory=dict)
    figure_source: Callable[[list[tuple[str, str]] | None], pd.DataFrame] | None = field(default=None, repr=False)
    stored_source: Callable[[], pd.DataFrame] | None = field(default=None, repr=False)
    # ``recent_source(pairs, limit)``: for each (indicator, area) pair, only the figures of
    # its last ``limit`` periods of each kind, as {pair: {period: figure_lookup's tuple}}.
    recent_source: Callable[[list[tuple[str, str]], int], dict] | None = field(default=None, repr=False)
    _pairs: dict = field(default_factory=dict, repr=False)  # (indicator, area) → {period: figure_lookup's tuple}
    _recent: dict = field(default_factory=dict, repr=False)  # the same, the last ``_recent_limit`` of each kind
    _recent_limit: int = field(default=0, repr=False)
    _all_loaded: bool = field(default=False, repr=False)
    _contributions: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def contributions(self) -> pd.DataFrame:
        """Which stored rows (agency, submission) lie behind each indicator × area × period."""
        if self._contributions is None:
            if self.stored is None:
                self.stored = self.stored_source()
            from app.indicators.rows import behind

            self._contributions = behind(self.stored[CONTRIBUTION_COLUMNS], self.specs, self.areas)
        return self._contributions

    def contributions_in(self, periods: Iterable[str]) -> pd.DataFrame:
        """``contributions`` for these periods only (what lies behind a figure is stored
        for its own period), read for them alone when the stored rows are not at hand."""
        periods = set(periods)
        if self._contributions is not None or self.stored is not None or self.stored_source is None:
            found = self.contributions
        else:
            from app.indicators.rows import behind

            stored = self.stored_source(periods)
            found = behind(stored[CONTRIBUTION_COLUMNS], self.specs, self.areas)
        return found[found["period"].isin(periods)]

    @property
    def area_by_code(self) -> dict[str, AreaSpec]:
        return {a.code: a for a in self.areas}

    def _take(self, frame: pd.DataFrame, pairs: list[tuple[str, str]] | None) -> None:
        for pair in pairs or ():
            self._pairs.setdefault(pair, {})
        from app.indicators.rows import figure_lookup

        for (slug, code, key), found in figure_lookup(frame).items():
            self._pairs.setdefault((slug, code), {})[key] = found

    def load_figures(self, pairs: Iterable[tuple[str, str]] | None = None) -> None:
        """Read the figures of these (indicator, area) pairs (None: all) if not read yet."""
        if self._all_loaded:
            return
        if pairs is None or self.figure_source is None:
            self._take(self.figures if self.figure_source is None else self.figure_source(None), None)
            self._all_loaded = True
            return
        wanted = sorted({pair for pair in pairs if pair not in self._pairs})
        if wanted:
            self._take(self.figure_source(wanted), wanted)

    def load_recent(self, pairs: Iterable[tuple[str, str]], limit: int) -> None:
        """Read, for these pairs, what ``series`` shows up to ``limit`` figures: the last
        ``limit`` figures of each kind of period (a chart's, not a pair's whole history).
        Without a ``recent_source``, or once every figure is read, reads as ``load_figures``."""
        if self._all_loaded or self.recent_source is None:
            self.load_figures(pairs)
            return
        wanted = sorted({pair for pair in pairs if pair not in self._pairs and pair not in self._recent})
        if self._recent and limit != self._recent_limit:
            self.load_figures(wanted)
            return
        if wanted:
            found = self.recent_source(wanted, limit)
            self._recent.update({pair: found.get(pair, {}) for pair in wanted})
            self._recent_limit = limit

    def _pair(self, indicator: str, area: str) -> dict:
        if not self._all_loaded and (indicator, area) not in self._pairs:
            self.load_figures([(indicator, area)])
        return self._pairs.get((indicator, area), {})

    def figure(self, indicator: str, area: str, period_key: str | None) -> dict | None:
        """One figure (value None when missing), or None if nothing is stored behind it."""
        found = self._pair(indicator, area).get(period_key)
        return None if found is None else figure_dict(indicator, area, period_key, found)

    def series(self, indicator: str, area: str, kind: str, limit: int = 8) -> list[dict]:
        """The figures of one indicator × area for periods of ``kind``, oldest first (the
        last ``limit`` of them)."""
        pair = (indicator, area)
        if pair in self._recent and limit <= self._recent_limit and not self._all_loaded and pair not in self._pairs:
            found = self._recent[pair]  # the last ``_recent_limit`` of each kind: enough
        else:
            found = self._pair(indicator, area)
        keys = [k for k in found if period_of(k).kind == kind]
        keys.sort(key=chart_order)
        return [figure_dict(indicator, area, k, found[k]) for k in keys[-limit:]]

    def headline_rows(self) -> list[IndicatorRow]:
        return [row for row in self.rows.values() if row.headline]


def chart_order(period_key: str) -> tuple:
    """Periods oldest first by their end; two ending the same day (a rolling year and a
    year to date) the longer first, then by key, so every worker and every database draws
    them in the same order."""
    period = period_of(period_key)
    return period.end, period.start, period_key


def figure_dict(indicator: str, area: str, period_key: str, found: tuple) -> dict:
    """One figure as pages and the workbook read it, from its (value, flag, status, message)."""
    from app.indicators.rows import plain

    value, flag, status, message = (plain(x) for x in found)
    return {"indicator": indicator, "area": area, "period": period_key, "value": value, "flag": flag,
            "status": status, "message": message}
