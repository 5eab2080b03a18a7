"""The indicator engine's results, kept in the database and brought up to date by every
write that changes their inputs (issue 16).

Two tables (``app.models.results``):

* ``indicator_figure``: every figure the dashboard can use, per indicator × area ×
  period: stored, recomputed from a numerator and denominator, or a total of districts
  (with its status and message). A figure depends only on the stored figures of its own
  period, so a change to one period's figures re-works out that period's only.
* ``indicator_result``: the engine's row per dashboard period × indicator × area
  (``app.indicators.rows.result_rows``: latest and compared figures, rating, change,
  direction, significance, district comparison, headline and strip). The dashboard for a
  period P reads figures for periods ending by P's end, so a change to a period's figures
  or targets reworks the rows of dashboard periods ending on or after it, for the
  indicators affected: those changed and those worked out from them (their numerator or
  denominator). Every period with a current figure has its rows kept; a dashboard asked
  for another period is worked out from ``indicator_figure`` when asked. A period's
  first figures (a new quarter) give it the rows of the dashboard before it of its kind
  where they are provably the same (copied in the database), and only the rows of the
  indicators and areas that changed are worked out (``_earlier_board``).

What a person adds on top (a manager's override or manual rating, commentary, peer
figures, sign-off) is read when a page is shown (it is one period's worth and cheap), so
those writes need no recomputation.

``results_changed(indicator_ids, period_ids)`` is the one hook: every service that
changes stored figures, targets, populations, areas or an indicator's rule calls it in
its own transaction, after its writes. ``recompute()`` rebuilds everything
(``flask indicators recompute --all``, and migration 0013).
"""
from __future__ import annotations

import json
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import (
    Integer, and_, delete, event, false, func, insert, inspect, literal, or_, select, true, update,
)
from sqlalchemy.orm import Session

from app.extensions import db
from app.indicators.model import AreaSpec, IndicatorSpec
from app.indicators.periods import period_of
from app.indicators.table import KEPT_FIELDS, kept_records
from app.models import (
    DATA_VALUE_IS_CURRENT, Area, AreaPopulation, DataValue, Indicator, IndicatorFigure, IndicatorResult, Period,
    Target,
)
from app.periods import PeriodSpec
from app.store.rows import fetch_tuples, insert_tuples
from app.vocabulary import FLAGS_WITHOUT_VALUE

if TYPE_CHECKING:
    import pandas as pd

    from app.indicators.rows import ResultRows

# The engine and pandas are imported by the functions that run them, so that importing the
# app (each worker's start, every `flask` command) does not load them (issue 16).

CHUNK = 500
FIGURE_TABLE_COLUMNS = ["indicator", "area", "period", "has_figure", "value", "flag", "status", "message"]


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    import pandas as pd
    if rows:  # the same frame as the columns one by one (the tests check it), in half the time
        return pd.DataFrame.from_records(rows, columns=columns)
    return pd.DataFrame({name: [] for name in columns}, columns=columns)


class _Names:
    """Ids ↔ names of indicators, areas and periods, read once per use (or given by a
    caller that has read them already: ``known_names``)."""

    def __init__(self, indicator: dict[int, str] | None = None, area: dict[int, str] | None = None,
                 period: dict[int, str] | None = None):
        self.indicator = indicator if indicator is not None else \
            dict(db.session.execute(select(Indicator.id, Indicator.slug)).all())
        self.area = area if area is not None else dict(db.session.execute(select(Area.id, Area.code)).all())
        self.period = period if period is not None else dict(db.session.execute(select(Period.id, Period.key)).all())
        self.indicator_id = {v: k for k, v in self.indicator.items()}
        self.area_id = {v: k for k, v in self.area.items()}
        self.period_id = {v: k for k, v in self.period.items()}

    def name(self, frame: pd.DataFrame) -> pd.DataFrame:
        for column, names in (("indicator", self.indicator), ("area", self.area), ("period", self.period)):
            frame[column] = frame[column].map(names).astype(object)
        return frame


def known_names(indicators: dict[int, str], areas: dict[int, str], periods: dict[int, str]) -> _Names:
    """Every indicator's short name, area's code and period's key by id, as a caller (the
    dashboard page) has read them already: given to ``read_recent_figures``, not read again."""
    return _Names(indicators, areas, periods)


def with_parts(specs: dict[str, IndicatorSpec], slugs: Iterable[str]) -> set[str]:
    """``slugs`` and the numerators and denominators they are worked out from."""
    out = set(slugs)
    for slug in list(out):
        spec = specs.get(slug)
        if spec is not None:
            out |= set(spec.parts)
    return out


def with_wholes(specs: dict[str, IndicatorSpec], slugs: Iterable[str]) -> set[str]:
    """``slugs`` and every indicator worked out from any of them, however indirectly."""
    out = set(slugs)
    while True:
        more = {s.slug for s in specs.values() if out.intersection(s.parts)} - out
        if not more:
            return out
        out |= more


# ---- figures ------------------------------------------------------------------------------


def _stored(names: _Names, indicator_ids: list[int], period_ids: list[int] | None,
            area_codes: set[str] | None = None) -> pd.DataFrame:
    """Current stored figures of these indicators (and periods, areas; None: all)."""
    rows = []
    for chunk in _chunks(indicator_ids):
        query = (select(DataValue.indicator_id, DataValue.area_id, DataValue.period_id, DataValue.value,
                        DataValue.flag)
                 .where(DATA_VALUE_IS_CURRENT, DataValue.indicator_id.in_(chunk)))
        if period_ids is not None:
            query = query.where(DataValue.period_id.in_(period_ids))
        if area_codes is not None:
            query = query.where(DataValue.area_id.in_(sorted(names.area_id[c] for c in area_codes)))
        rows += fetch_tuples(query)
    frame = names.name(_frame(rows, ["indicator", "area", "period", "value", "flag"]))
    frame["value"] = frame["value"].astype(float)
    return frame


def figures_for(stored: pd.DataFrame, specs: dict[str, IndicatorSpec], areas: list[AreaSpec],
                slugs: set[str]) -> pd.DataFrame:
    """``FIGURE_TABLE_COLUMNS`` for the indicators ``slugs`` from the stored figures
    (which must include those of their numerators and denominators): each key with
    something stored behind it, and its figure where the engine has one."""
    from app.indicators.rows import behind
    from app.indicators.table import FIGURE_COLUMNS
    from app.indicators.totals import as_spec_map, prepare_values
    from app.indicators.dashboard import dashboard_figures
    import pandas as pd
    present = behind(stored[["indicator", "area", "period"]], specs, areas)
    present = present[present["indicator"].isin(slugs)]
    if present.empty:
        return pd.DataFrame(columns=FIGURE_TABLE_COLUMNS)
    values = prepare_values(stored[["indicator", "area", "period", "value", "flag"]])
    figures = dashboard_figures(values, as_spec_map(specs), areas, sorted(present["period"].unique()))
    figures = figures[FIGURE_COLUMNS].drop_duplicates(["indicator", "area", "period"], keep="last")
    out = present.merge(figures.assign(has_figure=True), on=["indicator", "area", "period"], how="left")
    out["has_figure"] = out["has_figure"].eq(True)
    return out[FIGURE_TABLE_COLUMNS]


FIGURE_ROW_COLUMNS = ("indicator_id", "area_id", "period_id", "has_figure", "value", "flag", "status", "message")


def _plain_list(series: pd.Series) -> list:
    """A column's values as Python ones, None where missing (NaN included), a column at a time."""
    missing = series.isna()
    return series.astype(object).where(~missing, None).tolist() if missing.any() else series.tolist()


def _write_figures(names: _Names, frame: pd.DataFrame) -> list[tuple]:
    """Insert the figures of ``frame`` (``FIGURE_TABLE_COLUMNS``), built a column at a time
    (a tuple per figure from Python-level calls per cell cost 0.2 s for 105,000); returns
    the rows inserted, in ``FIGURE_ROW_COLUMNS``, in the order inserted."""
    ids = [list(map(lookup.__getitem__, frame[column].tolist())) for column, lookup in
           (("indicator", names.indicator_id), ("area", names.area_id), ("period", names.period_id))]
    rows = list(zip(*ids, frame["has_figure"].astype(bool).tolist(),
                    *(_plain_list(frame[column]) for column in ("value", "flag", "status", "message"))))
    insert_tuples(IndicatorFigure.__table__, FIGURE_ROW_COLUMNS, rows)
    return rows


@dataclass
class _Fresh:
    """What ``_refresh_figures`` just did: the ``indicator_figure`` rows of these indicators
    (and periods, areas; None: all) were deleted and ``rows`` (``FIGURE_ROW_COLUMNS``)
    inserted in their place, in this order, after every other row. ``read_figures`` takes
    them from here rather than reading back what was just written."""

    rows: list[tuple]
    indicator_ids: list[int]
    period_ids: list[int] | None
    area_ids: list[int] | None

    def replaced(self):
        """The rows of the table that are these (a condition on ``IndicatorFigure``)."""
        return and_(IndicatorFigure.indicator_id.in_(self.indicator_ids),
                    *([] if self.period_ids is None else [IndicatorFigure.period_id.in_(self.period_ids)]),
                    *([] if self.area_ids is None else [IndicatorFigure.area_id.in_(self.area_ids)]))


def _refresh_figures(names: _Names, specs, areas, slugs: set[str], period_ids: list[int] | None,
                     area_codes: set[str] | None = None) -> _Fresh:
    """Rework the figures of ``slugs`` for these periods and areas (None: all), reading the
    stored figures of the whole tree the areas are in (a total needs all its districts)."""
    ids = sorted(names.indicator_id[s] for s in slugs if s in names.indicator_id)
    area_ids = None if area_codes is None else sorted(names.area_id[c] for c in area_codes)
    for chunk in _chunks(ids):
        query = delete(IndicatorFigure).where(IndicatorFigure.indicator_id.in_(chunk))
        if period_ids is not None:
            query = query.where(IndicatorFigure.period_id.in_(period_ids))
        if area_ids is not None:
            query = query.where(IndicatorFigure.area_id.in_(area_ids))
        db.session.execute(query)
    fresh = _Fresh([], ids, period_ids, area_ids)
    inputs = sorted(names.indicator_id[s] for s in with_parts(specs, slugs) if s in names.indicator_id)
    stored = _stored(names, inputs, period_ids, None if area_codes is None else tree_of(areas, area_codes))
    if not stored.empty:
        figures = figures_for(stored, specs, areas, slugs)
        if area_codes is not None:
            figures = figures[figures["area"].isin(area_codes)]
        fresh.rows = _write_figures(names, figures)
    return fresh


def period_has_kept_rows():
    """Whether a period's dashboard rows are kept, as a clause on ``Period``: this module
    keeps a period's rows while it has a current figure, so these are the periods with
    figures, found through ``uq_indicator_result`` (period first) rather than by reading
    any figure."""
    return select(IndicatorResult.id).where(IndicatorResult.period_id == Period.id).exists()


def read_recent_figures(end, pairs: list[tuple[str, str]], limit: int,
                        names: _Names | None = None) -> dict[tuple[str, str], dict[str, tuple]]:
    """For each (indicator, area) pair, the figures (``has_figure``) of its last ``limit``
    periods of each kind ending by ``end`` (the latest end first, then the latest worked
    out): {pair: {period key: (value, flag, status, message)}}, each pair's periods in the
    order they were worked out, as ``read_figures`` gives them. What a chart of a pair's
    last ``limit`` figures needs, read without the rest of its history."""
    names = names or _Names()
    wanted = {(names.indicator_id[i], names.area_id[a]) for i, a in pairs
              if i in names.indicator_id and a in names.area_id}
    if not wanted:
        return {}
    indicator_ids, area_ids = sorted({i for i, _ in wanted}), sorted({a for _, a in wanted})
    # Read first only the periods that can hold a pair's last ``limit`` figures of a kind
    # when it has a figure for each (those ending on one of the kind's ``limit`` latest
    # ends): an index look-up each, not a ranking of every pair's whole history (a
    # county's charts: 3,200 figures of 16,000, 6 ms rather than 33 on SQLite). Anything
    # older ranks after all of them, so only a pair with fewer than ``limit`` of a kind
    # there is ranked further back, among the older periods of that kind alone. Only
    # periods with figures count: each has its dashboard's rows kept (a figure is only
    # worked out for a period something is stored for), while a period the schedule made
    # for returns not yet in would move the window onto periods with nothing to show.
    shape = {id_: (kind, ends) for id_, kind, ends in db.session.execute(
        select(Period.id, Period.kind, Period.end_date).where(Period.end_date <= end, period_has_kept_rows()))}
    ends_of: dict[str, set] = {}
    for kind, ends in shape.values():
        ends_of.setdefault(kind, set()).add(ends)
    cutoff = {kind: sorted(ends, reverse=True)[:limit][-1] for kind, ends in ends_of.items()}
    recent = sorted(id_ for id_, (kind, ends) in shape.items() if ends >= cutoff[kind])
    # (figure id, indicator id, area id, period id, value, flag, status, message) by (indicator id, area id, kind)
    groups: dict[tuple[int, int, str], list[tuple]] = {}
    for row in _figures_in(indicator_ids, area_ids, recent):
        if row[1:3] in wanted:
            groups.setdefault((row[1], row[2], shape[row[3]][0]), []).append(row)
    for rows in groups.values():
        if len(rows) > limit:  # periods of a kind ending the same day: the ranking's order
            rows.sort(key=lambda row: (shape[row[3]][1], row[0]), reverse=True)
            del rows[limit:]
    older = {kind for kind, ends in ends_of.items() if len(ends) > limit}
    short = {(i, a, kind): limit - len(groups.get((i, a, kind), ())) for i, a in wanted for kind in older
             if len(groups.get((i, a, kind), ())) < limit}
    if short:
        for row, rank in _ranked_before(end, cutoff, short):
            if rank <= short.get((row[1], row[2], shape[row[3]][0]), 0):
                groups.setdefault((row[1], row[2], shape[row[3]][0]), []).append(row)
    found: dict[tuple[str, str], dict[str, tuple]] = {}
    indicator, area, period = names.indicator, names.area, names.period
    for _, i, a, p, value, flag, status, message in sorted(row for rows in groups.values() for row in rows):
        found.setdefault((indicator[i], area[a]), {})[period[p]] = (value, flag, status, message)
    return found


def _figures_in(indicator_ids: list[int], area_ids: list[int], period_ids: list[int]) -> list[tuple]:
    """The figures (``has_figure``) of these indicators, areas and periods: (figure id,
    indicator id, area id, period id, value, flag, status, message)."""
    if not period_ids:
        return []
    return fetch_tuples(select(IndicatorFigure.id, IndicatorFigure.indicator_id, IndicatorFigure.area_id,
                               IndicatorFigure.period_id, IndicatorFigure.value, IndicatorFigure.flag,
                               IndicatorFigure.status, IndicatorFigure.message)
                        .where(IndicatorFigure.has_figure.is_(True), IndicatorFigure.indicator_id.in_(indicator_ids),
                               IndicatorFigure.area_id.in_(area_ids), IndicatorFigure.period_id.in_(period_ids)))


def _ranked_before(end, cutoff: dict[str, object], short: dict[tuple[int, int, str], int]) -> list[tuple]:
    """For the (indicator id, area id, kind) groups of ``short`` (each with how many more
    figures it wants), the figures of periods of that kind ending before the kind's
    ``cutoff`` (and by ``end``), each with its rank in its group (1: the latest; ties on
    the end, the latest worked out): as ``_figures_in``'s rows, up to the most any group wants."""
    kinds = sorted({kind for _, _, kind in short})
    rank = func.row_number().over(
        partition_by=(IndicatorFigure.indicator_id, IndicatorFigure.area_id, Period.kind),
        order_by=(Period.end_date.desc(), IndicatorFigure.id.desc()))
    before = or_(*(and_(Period.kind == kind, Period.end_date < cutoff[kind]) for kind in kinds))
    inner = (select(IndicatorFigure.id, IndicatorFigure.indicator_id, IndicatorFigure.area_id,
                    IndicatorFigure.period_id, IndicatorFigure.value, IndicatorFigure.flag, IndicatorFigure.status,
                    IndicatorFigure.message, rank.label("recent"))
             .join(Period, IndicatorFigure.period_id == Period.id)
             .where(IndicatorFigure.has_figure.is_(True), Period.end_date <= end, before, period_has_kept_rows(),
                    IndicatorFigure.indicator_id.in_(sorted({i for i, _, _ in short})),
                    IndicatorFigure.area_id.in_(sorted({a for _, a, _ in short})))
             .subquery())
    query = select(*inner.c).where(inner.c.recent <= max(short.values()))
    return [(tuple(row[:8]), row[8]) for row in fetch_tuples(query)]


def with_ancestors(areas: list[AreaSpec], codes: Iterable[str]) -> set[str]:
    """``codes`` and every area they lie in (county, wider footprint)."""
    parent = {a.code: a.parent for a in areas}
    out = set()
    for code in codes:
        while code is not None and code not in out:
            out.add(code)
            code = parent.get(code)
    return out


def tree_of(areas: list[AreaSpec], codes: Iterable[str]) -> set[str]:
    """Every area under the topmost areas ``codes`` lie in (those included)."""
    parent = {a.code: a.parent for a in areas}
    tops = set()
    for code in codes:
        while parent.get(code) is not None:
            code = parent[code]
        tops.add(code)
    out = set(tops)
    for area in areas:
        if with_ancestors(areas, [area.code]) & tops:
            out.add(area.code)
    return out


def rows_touched(areas: list[AreaSpec], changed: set[str]) -> set[str]:
    """The areas whose dashboard rows a change to ``changed``'s figures can move: their
    figures' areas (they and the areas they lie in) and, as districts are compared
    within their county, every district beside a changed one."""
    figure_areas = with_ancestors(areas, changed)
    parents = {a.parent for a in areas if a.code in figure_areas and a.parent is not None}
    return figure_areas | {a.code for a in areas if a.parent in parents and a.kind == "district"}


def read_figures(end, *, indicators: Iterable[str] | None = None, areas: Iterable[str] | None = None,
                 names: _Names | None = None, since=None, fresh: _Fresh | None = None) -> pd.DataFrame:
    """``FIGURE_TABLE_COLUMNS`` from ``indicator_figure`` for periods ending by ``end``
    (and starting on or after ``since``: a date for all, or a date — None: no bound — for
    each indicator, whose figures are the only ones read), for these indicators and areas
    (None: all), in the order they were worked out. ``fresh``: the figures the refresh has
    just written, taken as they were written (the same frame; an import's 105,000 figures
    are not read back)."""
    names = names or _Names()
    query = (select(IndicatorFigure.id, IndicatorFigure.indicator_id, IndicatorFigure.area_id,
                    IndicatorFigure.period_id, IndicatorFigure.has_figure, IndicatorFigure.value, IndicatorFigure.flag,
                    IndicatorFigure.status, IndicatorFigure.message)
             .join(Period, IndicatorFigure.period_id == Period.id).where(Period.end_date <= end)
             .order_by(IndicatorFigure.id))
    if indicators is not None:
        wanted = sorted({names.indicator_id[s] for s in indicators if s in names.indicator_id})
        query = query.where(IndicatorFigure.indicator_id.in_(wanted))
    if areas is not None:
        query = query.where(IndicatorFigure.area_id.in_(sorted({names.area_id[c] for c in areas})))
    queries = [query]
    # Fresh figures of every indicator and area read: the rows of their periods are all
    # fresh, so those periods are not read at all (an import's new period: nothing is).
    covered = fresh is not None and bool(fresh.indicator_ids) and set(fresh.indicator_ids).issuperset(
        names.indicator if indicators is None else (names.indicator_id[s] for s in indicators
                                                    if s in names.indicator_id)) \
        and (fresh.area_ids is None or set(fresh.area_ids).issuperset(
            names.area if areas is None else (names.area_id[c] for c in areas)))
    if covered and fresh.period_ids is None:
        queries = []
    elif covered:
        queries = [query.where(IndicatorFigure.period_id.not_in(fresh.period_ids))]
    elif fresh is not None and fresh.indicator_ids:
        queries = [query.where(~fresh.replaced())]
    query = queries[0] if queries else None
    if query is not None and isinstance(since, dict):
        by_start: dict = {}
        for slug, start in since.items():
            if slug in names.indicator_id:
                by_start.setdefault(start, []).append(names.indicator_id[slug])
        # Indicators with a bound are looked up by indicator, area and period (from the
        # earliest bound on: ``uq_indicator_figure``), not read back to their first figure;
        # those without one are read whole, by a query of their own.
        dated = {start: ids for start, ids in by_start.items() if start is not None}
        queries = []
        if None in by_start:
            queries.append(query.where(IndicatorFigure.indicator_id.in_(sorted(by_start[None]))))
        if dated:
            recent = sorted(set(db.session.scalars(select(Period.id).where(Period.start_date >= min(dated),
                                                                           Period.end_date <= end)))
                            - set(fresh.period_ids if covered else ()))
        if dated and recent:
            bounded = query.where(
                IndicatorFigure.indicator_id.in_(sorted(i for ids in dated.values() for i in ids)),
                IndicatorFigure.period_id.in_(recent),
                or_(false(), *(IndicatorFigure.indicator_id.in_(sorted(ids)) & (Period.start_date >= start)
                               for start, ids in dated.items())))
            if areas is None:
                bounded = bounded.where(IndicatorFigure.area_id.in_(sorted(names.area)))
            queries.append(bounded)
    elif query is not None and since is not None:
        queries = [query.where(Period.start_date >= since)]
    rows = [row for q in queries for row in fetch_tuples(q)]
    if len(queries) > 1:
        rows.sort(key=lambda row: row[0])
    rows = [row[1:] for row in rows]
    if fresh is not None and fresh.rows:  # written last, so last in the order worked out
        rows += _fresh_read(fresh, end, indicators, areas, names, since)
    frame = names.name(_frame(rows, FIGURE_TABLE_COLUMNS))
    frame["value"] = frame["value"].astype(float)
    frame["has_figure"] = frame["has_figure"].astype(bool)
    return frame


def _fresh_read(fresh: _Fresh, end, indicators: Iterable[str] | None, areas: Iterable[str] | None, names: _Names,
                since) -> list[tuple]:
    """The rows of ``fresh`` that ``read_figures``' queries would read, as they give them."""
    dates = {i: (start, stop) for i, start, stop in db.session.execute(
        select(Period.id, Period.start_date, Period.end_date).where(
            Period.id.in_(sorted({row[2] for row in fresh.rows}))))}
    wanted = None if indicators is None else {names.indicator_id[s] for s in indicators if s in names.indicator_id}
    area_ids = None if areas is None else {names.area_id[c] for c in areas}
    if isinstance(since, dict):  # only the indicators named, each from its own start (None: all)
        starts = {names.indicator_id[slug]: start for slug, start in since.items() if slug in names.indicator_id}
        wanted = set(starts) if wanted is None else wanted & set(starts)
    else:
        starts = None
    periods_of = {}  # indicator's bound → the fresh periods it reads
    for bound in ({since} if starts is None else set(starts.values())):
        periods_of[bound] = {p for p, (start, stop) in dates.items()
                             if stop <= end and (bound is None or start >= bound)}
    every = periods_of.get(since) if starts is None else None
    written = set(dates)
    if ((wanted is None or wanted.issuperset(fresh.indicator_ids))
            and (area_ids is None or area_ids.issuperset(map(operator.itemgetter(1), fresh.rows)))
            and all(found == written for found in periods_of.values())):
        return fresh.rows  # every one (an import's figures, read by the rows of its own period)
    return [row for row in fresh.rows
            if (wanted is None or row[0] in wanted) and (area_ids is None or row[1] in area_ids)
            and row[2] in (every if every is not None else periods_of[starts[row[0]]])]


# A period's length in days is at most 31 a month (periods are whole months); its trend
# window steps back by its own length, its compared period by a year. An indicator
# compared with its latest earlier period (which may lie any distance back) is read
# without a bound.
DAYS_A_MONTH = 31
DEFAULT_TREND_PERIODS = 4  # as ``rows.row_directions`` takes it


def lookback_starts(names: _Names, specs: dict[str, IndicatorSpec], trend_lengths: dict[str, int],
                    slugs: set[str], area_codes: set[str] | None, first_end, settled_before=None) -> dict[str, object]:
    """For each indicator of ``slugs``, the earliest period start its dashboard rows for
    periods ending on or after ``first_end`` can read (None: no bound): its latest figure
    in each area as at ``first_end`` (a later period's latest is never earlier), less a
    year for the same period last year and its trend window, each of ``trend_lengths``
    periods as long as the longest of its periods that can be a latest figure. An import
    then reads the last few years of its indicators, not their whole history.

    ``settled_before``: no figure of a period ending before this date has changed since
    the rows were last kept (the earliest end of the periods a write changed). The latest
    figures are then those of the kept rows of the last dashboard ending before it (a
    bound from below: a later figure only moves them on), read by period, not by a
    query over every figure the indicators ever had."""
    ids = sorted(names.indicator_id[s] for s in slugs if s in names.indicator_id)
    if settled_before is not None:
        latest, floor = _latest_kept(names, ids, area_codes, settled_before)
    else:
        latest, floor = _latest_figures(names, ids, area_codes, first_end), None
    bounds = {i: min(latest.get(i) or floor or first_end, first_end) for i in ids}
    months = _longest_since(names, ids, bounds)
    out = {}
    for slug in slugs:
        spec, indicator_id = specs.get(slug), names.indicator_id.get(slug)
        if spec is None or spec.comparison_basis == "latest_earlier_period":
            out[slug] = None
            continue
        length = max(int(trend_lengths.get(slug) or DEFAULT_TREND_PERIODS), 1)
        reach = timedelta(days=(length * months.get(indicator_id, 12) + 12 + 1) * DAYS_A_MONTH)
        out[slug] = bounds.get(indicator_id, first_end) - reach
    return out


def _latest_figures(names: _Names, ids: list[int], area_codes: set[str] | None, first_end) -> dict[int, object]:
    """For each indicator, the earliest of its areas' latest figure ends as at ``first_end``
    (from every figure it has: a full recompute's bound)."""
    latest = {}
    for chunk in _chunks(ids):
        per_area = (select(IndicatorFigure.indicator_id, func.max(Period.end_date).label("latest"))
                    .join(Period, IndicatorFigure.period_id == Period.id)
                    .where(Period.end_date <= first_end, IndicatorFigure.indicator_id.in_(chunk))
                    .group_by(IndicatorFigure.indicator_id, IndicatorFigure.area_id))
        if area_codes is not None:
            per_area = per_area.where(IndicatorFigure.area_id.in_(sorted(names.area_id[c] for c in area_codes)))
        per_area = per_area.subquery()
        latest.update(db.session.execute(select(per_area.c.indicator_id, func.min(per_area.c.latest))
                                         .group_by(per_area.c.indicator_id)).all())
    return latest


def _latest_kept(names: _Names, ids: list[int], area_codes: set[str] | None,
                 before) -> tuple[dict[int, object], object]:
    """({indicator: the earliest of its areas' latest figure ends}, floor) from the kept
    rows of the last dashboard ending before ``before`` (floor: its end; an area with no
    row there has no figure ending by then). No such dashboard: no figure ends before
    ``before``, which is then the floor."""
    board = db.session.execute(
        select(Period.id, Period.end_date).where(
            Period.end_date < before, period_has_kept_rows())
        .order_by(Period.end_date.desc()).limit(1)).first()
    if board is None:
        return {}, before
    latest: dict[int, object] = {}
    ends: dict[str, object] = {}
    area_ids = None if area_codes is None else sorted(names.area_id[c] for c in area_codes)
    for chunk in _chunks(ids):
        query = select(IndicatorResult.indicator_id, IndicatorResult.data).where(
            IndicatorResult.period_id == board.id, IndicatorResult.indicator_id.in_(chunk))
        if area_ids is not None:
            query = query.where(IndicatorResult.area_id.in_(area_ids))
        kept = db.session.execute(query).all()
        for (indicator_id, _), row in zip(kept, kept_records(data for _, data in kept)):
            key = row["period"]
            if key not in ends:
                ends[key] = period_of(key).end
            if indicator_id not in latest or ends[key] < latest[indicator_id]:
                latest[indicator_id] = ends[key]
    return latest, board.end_date


def _longest_since(names: _Names, ids: list[int], bounds: dict[int, object]) -> dict[int, int]:
    """The length in months of each indicator's longest period ending on or after its
    bound (the periods a latest figure can be of), looked up by indicator, area and
    period (``uq_indicator_figure``)."""
    if not ids:
        return {}
    periods = {i: (end, period_of(key).months) for i, key, end in db.session.execute(
        select(Period.id, Period.key, Period.end_date).where(Period.end_date >= min(bounds.values())))}
    area_ids = sorted(names.area)
    longest: dict[int, int] = {}
    for chunk in _chunks(ids, max(1, CHUNK // max(len(periods), 1))):
        low = min(bounds[i] for i in chunk)
        wanted = sorted(p for p, (end, _) in periods.items() if end >= low)
        if not wanted:
            continue
        query = (select(IndicatorFigure.indicator_id, IndicatorFigure.period_id)
                 .where(IndicatorFigure.indicator_id.in_(chunk), IndicatorFigure.area_id.in_(area_ids),
                        IndicatorFigure.period_id.in_(wanted)).distinct())
        for indicator_id, period_id in db.session.execute(query):
            end, months = periods[period_id]
            if end >= bounds[indicator_id]:
                longest[indicator_id] = max(longest.get(indicator_id, 0), months)
    return longest


# ---- rows ---------------------------------------------------------------------------------


def _notes_and_gaps(names: _Names, slugs: set[str] | None, end, period_ids: list[int] | None = None,
                    area_codes: set[str] | None = None) -> tuple[dict, dict]:
    """The notes stored with current figures, and the flags of stored gaps (not available,
    not yet released), by (indicator, area, period), for periods ending by ``end`` (and
    among ``period_ids``, if given: the periods whose figures were read, as a row's
    latest figure is one of them; looked up by indicator, area and period), in these
    areas (None: all; a row's note and gap are its own area's)."""
    query = (select(Indicator.slug, Area.code, Period.key, DataValue.note, DataValue.flag)
             .join(Indicator, DataValue.indicator_id == Indicator.id).join(Area, DataValue.area_id == Area.id)
             .join(Period, DataValue.period_id == Period.id)
             .where(DATA_VALUE_IS_CURRENT, Period.end_date <= end,
                    ((DataValue.note.is_not(None)) & (DataValue.note != "")) | DataValue.flag.in_(FLAGS_WITHOUT_VALUE)))
    if slugs is not None or period_ids is not None:
        query = query.where(DataValue.indicator_id.in_(sorted(
            names.indicator if slugs is None else (names.indicator_id[s] for s in slugs if s in names.indicator_id))))
    if period_ids is not None or area_codes is not None:
        query = query.where(DataValue.area_id.in_(sorted(
            names.area if area_codes is None else (names.area_id[c] for c in area_codes))))
    if period_ids is not None:
        query = query.where(DataValue.period_id.in_(period_ids))
    notes, gaps = {}, {}
    for slug, code, key, note, flag in db.session.execute(query):
        if note:
            notes[(slug, code, key)] = note
        if flag in FLAGS_WITHOUT_VALUE:
            gaps[(slug, code, key)] = flag
    return notes, gaps


class _RowInputs:
    """Everything ``result_rows`` needs for some indicators, read once for several periods
    (with ``first_end``, only for periods ending on or after it: each indicator's figures
    from its ``lookback_starts`` on)."""

    def __init__(self, names: _Names, specs, areas, slugs: set[str] | None, end, area_codes: set[str] | None = None,
                 first_end=None, settled_before=None, fresh: _Fresh | None = None):
        from app.store.indicator_inputs import targets
        self.specs, self.areas, self.slugs = specs, areas, slugs
        inputs = set(specs) if slugs is None else with_parts(specs, slugs)
        self.trend_lengths = dict(db.session.execute(select(Indicator.slug, Indicator.trend_periods)).all())
        since = None
        if first_end is not None:
            wholes = lookback_starts(names, specs, self.trend_lengths, set(specs) if slugs is None else slugs,
                                     area_codes, first_end, settled_before)
            since = dict(wholes)
            for slug, start in wholes.items():  # a part is read as far back as what is made of it
                for part in with_parts(specs, {slug}) - {slug}:
                    if part not in wholes:
                        known = since.get(part, start)
                        since[part] = None if known is None or start is None else min(known, start)
        self.figures = read_figures(end, indicators=None if slugs is None else inputs, areas=area_codes,
                                    names=names, since=since, fresh=fresh)
        self.period_end = {key: period_of(key).end for key in self.figures["period"].unique()}
        self.ends = self.figures["period"].map(self.period_end)
        # A row's target, note and gap are those of its latest figure's period, one of
        # those read: with a bound, only their targets and notes are read.
        read = None if since is None else sorted(names.period_id[k] for k in self.period_end)
        self.targets = targets(slugs, period_ids=read)
        self.notes, self.gaps = _notes_and_gaps(names, slugs, end, read, area_codes)

    def rows(self, spec: PeriodSpec) -> list[dict]:
        return self.rows_for([spec])[spec.key].records()

    def rows_for(self, specs: list[PeriodSpec]) -> dict[str, ResultRows]:
        """{period key: its dashboard's rows} for these periods, worked out in as few
        passes of the engine as keep each pass's table under ``ROWS_PER_PASS`` rows (a
        pass has a fixed cost; one table for every period of a long history would not
        fit in memory)."""
        from app.indicators.rows import result_columns_for
        from app.indicators.table import FIGURE_COLUMNS
        out: dict[str, ResultRows] = {}
        for batch in _passes(specs, self.ends):
            end = max(spec.end for spec in batch)
            upto = self.figures[self.ends <= end] if len(self.figures) else self.figures
            present = upto if self.slugs is None else upto[upto["indicator"].isin(self.slugs)]
            figures = upto[upto["has_figure"]][FIGURE_COLUMNS]
            out.update(result_columns_for(present[["indicator", "area", "period"]], figures, self.targets, self.specs,
                                       self.areas, batch, self.trend_lengths, self.notes, self.gaps))
        return out


ROWS_PER_PASS = 200_000  # figures × dashboards one pass of the engine may hold


def _passes(specs: list[PeriodSpec], ends: pd.Series) -> list[list[PeriodSpec]]:
    """``specs`` in groups, earliest first, each reading at most ``ROWS_PER_PASS`` figures
    summed over its dashboards (a dashboard reads the figures ending by its end); a
    dashboard that alone reads more has a pass of its own."""
    ordered = sorted(specs, key=lambda spec: (spec.end, spec.key))
    # The figures counted by end (a few distinct dates: counting them is a hash a figure,
    # where turning 100,000 dates into numpy's cost a Python call each).
    counts = ends.value_counts().items() if len(ends) else ()
    by_end = sorted(counts)
    passes: list[list[PeriodSpec]] = []
    load = 0
    for spec in ordered:
        size = sum(count for end, count in by_end if end <= spec.end)
        if passes and load + size <= ROWS_PER_PASS:
            passes[-1].append(spec)
            load += size
        else:
            passes.append([spec])
            load = size
    return passes


def compute_rows(spec: PeriodSpec, specs=None, areas=None) -> list[dict]:
    """The rows of the dashboard for ``spec``, worked out from ``indicator_figure`` now
    (for a period whose rows are not kept)."""
    from app.store.indicator_inputs import area_specs, indicator_specs
    specs = specs or indicator_specs()
    areas = areas or area_specs()
    return _RowInputs(_Names(), specs, areas, None, spec.end).rows(spec)


def _dashboard_periods() -> dict[int, Period]:
    """Every period with a current figure: each has its dashboard's rows kept."""
    query = select(Period).where(Period.id.in_(select(DataValue.period_id).where(DATA_VALUE_IS_CURRENT)))
    return {p.id: p for p in db.session.scalars(query)}


def _kept_periods() -> set[int]:
    return set(db.session.scalars(select(IndicatorResult.period_id).distinct()))


def _periods_changed(changed: set[int], earliest_end) -> tuple[dict[int, Period], set[int]]:
    """(wanted, kept) as ``_dashboard_periods`` and ``_kept_periods`` give them, for the
    periods a change to the figures of the periods ``changed`` (ending on or after
    ``earliest_end``) can touch: those ending on or after ``earliest_end``. Only a changed
    period can gain its first figure or lose its last, so any other keeps its rows if it
    had them. Index-friendly, so an import does not read every period's figures: whether
    a period's rows are kept by ``uq_indicator_result`` (period first), whether a changed
    period still has a figure by ``ix_indicator_figure_area`` (area, then period: a
    period has a current figure if and only if it has a figure row, which the figures'
    refresh has just brought up to date)."""
    periods = {p.id: p for p in db.session.scalars(select(Period).where(Period.end_date >= earliest_end))}
    kept = set(db.session.scalars(select(Period.id).where(
        Period.end_date >= earliest_end, period_has_kept_rows())))
    area_ids = sorted(db.session.scalars(select(Area.id)))
    still = set()
    for chunk in _chunks(sorted(changed)):
        still |= set(db.session.scalars(select(IndicatorFigure.period_id).where(
            IndicatorFigure.area_id.in_(area_ids), IndicatorFigure.period_id.in_(chunk)).distinct()))
    wanted = {i: p for i, p in periods.items() if (i in still if i in changed else i in kept)}
    return wanted, kept


def _earlier_board(period: Period) -> Period | None:
    """The kept dashboard whose rows are those of the dashboard for ``period`` (a period
    with no rows yet) for every indicator × area whose figures have not changed since,
    but for directions gone stale (``_copy_rows``); None if there is none.

    That is the latest kept dashboard B of ``period``'s kind ending before it, when no
    other period of that kind ends on B's end and nothing is stored for a period ending
    after B, up to ``period``'s end, but ``period`` itself. An unchanged indicator × area
    then has the same figures ending by either end, and ``rows.choose_periods_for``
    picks the same latest one on both: the latest end wins; on a tie, the dashboard's own
    period, then one of its kind (the same kind on both), then the longest — and only B
    ranks differently (first on its own dashboard, first of its kind on ``period``'s, as
    no other of its kind ends then). So its compared figure, rating, change, trend,
    significance and notes are the same, and so is its district comparison (its
    county's districts are unchanged too: ``rows_touched``), and the districts under it
    with rows (``strip_codes``). What moves is marked again (headline and several) or
    put right when copied (a direction gone stale)."""
    spec = period_of(period.key)
    kept = period_has_kept_rows()
    board = db.session.scalars(select(Period).where(Period.end_date < period.end_date, Period.kind == spec.kind, kept)
                               .order_by(Period.end_date.desc(), Period.start_date.desc()).limit(1)).first()
    if board is None:
        return None
    same_day = db.session.scalars(select(Period.key).where(Period.end_date == board.end_date)).all()
    if any(key != board.key and period_of(key).kind == spec.kind for key in same_day):
        return None
    between = sorted(db.session.scalars(select(Period.id).where(
        Period.end_date > board.end_date, Period.end_date <= period.end_date, Period.id != period.id)))
    if between:
        area_ids = sorted(db.session.scalars(select(Area.id)))  # by ``ix_indicator_figure_area``
        for chunk in _chunks(between):
            if db.session.scalar(select(IndicatorFigure.id).where(
                    IndicatorFigure.area_id.in_(area_ids), IndicatorFigure.period_id.in_(chunk)).limit(1)) is not None:
                return None
    return board


RESULT_COPY_COLUMNS = ("indicator_id", "area_id", "position", "headline", "several", "aggregate_status", "data")


def _copy_rows(board: Period, period: Period) -> None:
    """Copy the kept rows of the dashboard ``board`` to ``period``'s (``_earlier_board``),
    in the database, and clear the direction of those whose latest figure ended a year or
    more before ``period`` ends but not before ``board`` does (``rows.current_directions``).
    Those rows are found by their latest period's key in their JSON (a superset: each is
    then checked by its own ``period``)."""
    from app.indicators.rows import DIRECTION_FIELDS, stale_after
    columns = [getattr(IndicatorResult, name) for name in RESULT_COPY_COLUMNS]
    db.session.execute(insert(IndicatorResult).from_select(
        ["period_id", *RESULT_COPY_COLUMNS],
        select(literal(period.id, Integer), *columns).where(IndicatorResult.period_id == board.id)))
    low, high = stale_after(period_of(board.key)), stale_after(period_of(period.key))
    stale = sorted(db.session.scalars(select(Period.key).where(Period.end_date > low, Period.end_date <= high)))
    for chunk in _chunks(stale, 50):
        query = select(IndicatorResult.id, IndicatorResult.data).where(
            IndicatorResult.period_id == period.id,
            or_(*(IndicatorResult.data.contains(f'"{key}"', autoescape=True) for key in chunk)))
        found = db.session.execute(query).all()
        changed = []
        for (row_id, text), row in zip(found, kept_records(text for _, text in found)):
            if row.get("period") in chunk and any(row.get(name) is not None for name in DIRECTION_FIELDS):
                decoded = json.loads(text)
                for name in DIRECTION_FIELDS:
                    if isinstance(decoded, list):
                        decoded[KEPT_FIELDS.index(name)] = None
                    else:
                        decoded[name] = None
                changed.append({"id": row_id, "data": json.dumps(decoded, separators=(",", ":"))})
        if changed:
            db.session.execute(update(IndicatorResult), changed)


def _refresh_rows(names: _Names, specs, areas, slugs: set[str] | None, earliest_end,
                  area_codes: set[str] | None = None, changed: set[int] | None = None,
                  fresh: _Fresh | None = None) -> None:
    """Rework the kept rows of ``slugs`` (None: all) in these areas (None: all) for
    dashboard periods ending on or after ``earliest_end`` (None: all); add every row of a
    period newly with figures, and drop those of a period left with none (with
    ``changed``, the periods whose figures changed: only they can). The headline and
    strip of the indicators' other rows are marked again. A change naming indicators or
    areas gives a period newly with figures the rows of the earlier dashboard it shares
    its other rows with (``_earlier_board``, ``_copy_rows``), then reworks it as a kept
    period: an import of a new quarter works out its own areas' rows, not every area's.
    ``fresh``: the figures the refresh has just written (``_refresh_figures``), not read
    back."""
    from app.indicators.rows import mark_headlines
    if changed is not None and earliest_end is not None:
        wanted, kept = _periods_changed(changed, earliest_end)
    else:
        wanted, kept = _dashboard_periods(), _kept_periods()
    # A full recompute (nothing named) reads everything; a change reads what its rows can.
    bounded = not (slugs is None and area_codes is None and earliest_end is None)
    for chunk in _chunks(sorted(kept - set(wanted))):
        db.session.execute(delete(IndicatorResult).where(IndicatorResult.period_id.in_(chunk)))
    new = [wanted[i] for i in sorted(set(wanted) - kept)]
    again = [wanted[i] for i in sorted(kept & set(wanted))
             if earliest_end is None or wanted[i].end_date >= earliest_end]
    if new:
        for chunk in _chunks([p.id for p in new]):
            db.session.execute(delete(IndicatorResult).where(IndicatorResult.period_id.in_(chunk)))
    if new and earliest_end is not None and not (slugs is None and area_codes is None):
        # A new period's rows outside the change are an earlier dashboard's: copied, then
        # reworked for the change as a kept period is (not worked out for every area).
        for period in new:
            board = _earlier_board(period)
            if board is not None:
                _copy_rows(board, period)
                again.append(period)
        new = [p for p in new if p not in again]
    if new:
        inputs = _RowInputs(names, specs, areas, None, max(p.end_date for p in new),
                            first_end=min(p.end_date for p in new) if bounded else None,
                            settled_before=earliest_end if bounded else None, fresh=fresh)
        found = inputs.rows_for([period_of(p.key) for p in new])
        for period in new:
            _write_rows(names, period.id, found[period.key])
    if not again or slugs is not None and not slugs:
        return
    if slugs is None and area_codes is None:
        for chunk in _chunks([p.id for p in again]):
            db.session.execute(delete(IndicatorResult).where(IndicatorResult.period_id.in_(chunk)))
        inputs = _RowInputs(names, specs, areas, None, max(p.end_date for p in again), fresh=fresh)
        found = inputs.rows_for([period_of(p.key) for p in again])
        for period in again:
            _write_rows(names, period.id, found[period.key])
        return
    which = set(specs) if slugs is None else slugs
    ids = sorted(names.indicator_id[s] for s in which if s in names.indicator_id)
    area_ids = None if area_codes is None else sorted(names.area_id[c] for c in area_codes)
    for chunk in _chunks(ids):
        query = delete(IndicatorResult).where(IndicatorResult.period_id.in_([p.id for p in again]),
                                              IndicatorResult.indicator_id.in_(chunk))
        if area_ids is not None:
            query = query.where(IndicatorResult.area_id.in_(area_ids))
        db.session.execute(query)
    inputs = _RowInputs(names, specs, areas, which, max(p.end_date for p in again), area_codes,
                        first_end=min(p.end_date for p in again), settled_before=earliest_end, fresh=fresh)
    found = inputs.rows_for([period_of(p.key) for p in again])
    for period in again:
        rows = found[period.key]
        others = _others(names, period.id, ids, areas, rows.marks)
        mark_headlines([*rows.marks, *others.values()], areas)
        for row_id, light in others.items():
            if (light["headline"], light["several"]) != light["was"]:
                db.session.execute(update(IndicatorResult).where(IndicatorResult.id == row_id).values(
                    headline=light["headline"], several=light["several"]))
        start = db.session.scalar(select(func.coalesce(func.max(IndicatorResult.position), -1) + 1)
                                  .where(IndicatorResult.period_id == period.id))
        _write_rows(names, period.id, rows, start)


def _others(names: _Names, period_id: int, indicator_ids: list[int], areas: list[AreaSpec],
            marks: list[dict]) -> dict[int, dict]:
    """The kept rows of these indicators for a period that ``mark_headlines`` must see
    beside the rows worked out again (``marks``) to mark each of them, and each of its
    own it sees, as it would mark every row of the period, as much of each as it needs;
    a row it does not see was marked neither headline nor several, and is not now. Those
    are: every row marked now (it may be marked no more), every county's and wider
    footprint's (an indicator's first row is one of them if it has one: ``KIND_ORDER``),
    every row of an indicator with none, and the districts' under a row worked out again
    (its strip) and under an indicator's first row if that is shown district by
    district. A partnership's import then reads its neighbours' county rows, not all
    their districts'."""
    from app.indicators.rows import first_rows, shown_by_district
    from app.indicators.totals import area_leaves
    kind = {a.code: a.kind for a in areas}
    leaves = area_leaves(areas)
    found: dict[int, dict] = {}

    def read(ids, condition) -> None:
        for chunk in _chunks(sorted(ids)):
            query = (select(IndicatorResult.id, IndicatorResult.indicator_id, IndicatorResult.area_id,
                            IndicatorResult.aggregate_status, IndicatorResult.headline, IndicatorResult.several)
                     .where(IndicatorResult.period_id == period_id, IndicatorResult.indicator_id.in_(chunk),
                            condition))
            for row_id, indicator_id, area_id, status, headline, several in db.session.execute(query):
                found[row_id] = {"indicator": names.indicator[indicator_id], "area": names.area[area_id],
                                 "aggregate_status": status, "was": (headline, several)}

    def area_ids(codes) -> list[int]:
        return sorted(names.area_id[c] for c in codes)

    upper = [a.code for a in areas if a.kind != "district"]
    read(indicator_ids, or_(IndicatorResult.area_id.in_(area_ids(upper)), IndicatorResult.headline.is_(True),
                            IndicatorResult.several.is_(True)))
    with_upper = {row["indicator"] for row in [*marks, *found.values()] if kind[row["area"]] != "district"}
    read([i for i in indicator_ids if names.indicator[i] not in with_upper], true())
    under = {leaf.code for row in marks for leaf in leaves.get(row["area"], ()) if leaf.kind == "district"}
    if under:
        read(indicator_ids, IndicatorResult.area_id.in_(area_ids(under)))
    by_area: dict[str, list[int]] = {}
    for slug, row in first_rows([*marks, *found.values()], areas).items():
        if shown_by_district(row, leaves):
            by_area.setdefault(row["area"], []).append(names.indicator_id[slug])
    for code, ids in by_area.items():
        read(ids, IndicatorResult.area_id.in_(area_ids(leaf.code for leaf in leaves[code])))
    return found


RESULT_ROW_COLUMNS = ("period_id", "indicator_id", "area_id", "position", "headline", "several", "aggregate_status",
                      "data")


def _write_rows(names: _Names, period_id: int, rows: ResultRows, start: int = 0) -> None:
    """Store a dashboard's rows at positions ``start`` on, each as its columns and its
    JSON array of ``KEPT_FIELDS`` (``ResultRows.json_rows``: written a column at a time,
    with no dict per row; headline and several are columns, so marking them again touches
    no JSON)."""
    indicator_id, area_id = names.indicator_id, names.area_id
    insert_tuples(IndicatorResult.__table__, RESULT_ROW_COLUMNS, list(zip(
        [period_id] * len(rows), map(indicator_id.__getitem__, rows.column("indicator")),
        map(area_id.__getitem__, rows.column("area")), range(start, start + len(rows)), rows.column("headline"),
        rows.column("several"), rows.column("aggregate_status"), rows.json_rows(KEPT_FIELDS))))


class _Pending:
    """What the session's ORM writes since the last refresh changed (``watch``)."""

    def __init__(self):
        self.everything = False
        self.indicators: set = set()  # ids, or Indicator objects not yet flushed
        self.periods: set | None = set()  # None: every period
        self.areas: set | None = set()  # None: every area

    def __bool__(self):
        return self.everything or bool(self.indicators)


PENDING = "indicator_results_pending"
RESULT_FIELDS_OF_AREA = ("code", "kind", "parent_id")


def _pending(session) -> _Pending:
    return session.info.setdefault(PENDING, _Pending())


def _noticed(session, _context, _instances) -> None:
    """Before a flush: note which results the session's ORM writes affect. (Bulk writes
    by statement, like the import's, call ``results_changed`` themselves.)"""
    pending = _pending(session)
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(obj, (DataValue, Target)):
            if obj in session.dirty and not session.is_modified(obj):
                continue
            pending.indicators.add(obj.indicator_id if obj.indicator_id is not None else obj.indicator)
            if pending.periods is not None:
                pending.periods.add(obj.period_id if obj.period_id is not None else obj.period)
            if pending.areas is not None:
                pending.areas.add(obj.area_id if obj.area_id is not None else obj.area)
        elif isinstance(obj, Indicator) and (obj in session.new or obj in session.deleted
                                             or session.is_modified(obj)):
            pending.indicators.add(obj)
            pending.periods = pending.areas = None
        elif isinstance(obj, AreaPopulation) or (isinstance(obj, Area) and (
                obj in session.new or obj in session.deleted
                or any(inspect(obj).attrs[name].history.has_changes() for name in RESULT_FIELDS_OF_AREA))):
            pending.everything = True


def _before_commit(session) -> None:
    """Before a commit: bring the results of whatever the ORM writes changed up to date."""
    if session is not db.session.registry():
        return
    session.flush()  # the commit would flush anyway: this notices what it writes
    if _pending(session):
        results_changed((), (), ())


event.listen(Session, "before_flush", _noticed)
event.listen(Session, "before_commit", _before_commit)


def _ids(items, model) -> set[int]:
    return {item if isinstance(item, int) else item.id for item in items if item is not None
            and (isinstance(item, int) or inspect(item).persistent)}


def results_changed(indicator_ids: Iterable[int] | None = None, period_ids: Iterable[int] | None = None,
                    area_ids: Iterable[int] | None = None) -> None:
    """The one hook: bring the kept results up to date after a write, in the caller's
    transaction (flushing it first): the figures of these indicators (None: all) and of
    every indicator worked out from them, for these periods (None: all), and their rows
    on the dashboards of periods ending on or after the earliest of them; with
    ``area_ids``, only the figures of those areas and the areas they lie in, and the rows
    those can move (``rows_touched``). Call it after
    storing or retiring figures or targets with statements (with what they were for);
    with no arguments after a change to areas or populations. Writes through the ORM
    (a DataValue, Target, Indicator, Area or AreaPopulation added, changed or deleted) are
    noticed and added to what is brought up to date, here or at the latest at commit."""
    from app.store.indicator_inputs import area_specs, indicator_specs
    db.session.flush()
    pending = db.session.info.pop(PENDING, None) or _Pending()
    if indicator_ids is not None and not pending.everything:
        indicator_ids = set(indicator_ids) | _ids(pending.indicators, Indicator)
        if period_ids is not None:
            period_ids = None if pending.periods is None else set(period_ids) | _ids(pending.periods, Period)
        if area_ids is not None:
            area_ids = None if pending.areas is None else set(area_ids) | _ids(pending.areas, Area)
    else:
        indicator_ids, period_ids, area_ids = None, None, None
    if indicator_ids is not None and not indicator_ids:
        return
    names = _Names()
    specs, areas = indicator_specs(), area_specs()
    slugs = None
    if indicator_ids is not None:
        slugs = with_wholes(specs, {names.indicator[i] for i in set(indicator_ids) if i in names.indicator})
    periods = None if period_ids is None else sorted(set(period_ids))
    changed = None if area_ids is None else {names.area[i] for i in area_ids if i in names.area}
    fresh = _refresh_figures(names, specs, areas, set(specs) if slugs is None else slugs, periods,
                             None if changed is None else with_ancestors(areas, changed))
    earliest = None
    if periods:
        earliest = db.session.scalar(select(func.min(Period.end_date)).where(Period.id.in_(periods)))
    _refresh_rows(names, specs, areas, slugs, earliest, None if changed is None else rows_touched(areas, changed),
                  None if periods is None else set(periods), fresh)
    db.session.info.pop(PENDING, None)


def recompute() -> dict[str, int]:
    """Rebuild every kept result from the stored figures (after a rule change outside the
    app, or a restore); returns how many figures and rows there now are."""
    db.session.execute(delete(IndicatorResult))
    db.session.execute(delete(IndicatorFigure))
    results_changed()
    return {"figures": db.session.scalar(select(func.count(IndicatorFigure.id))),
            "rows": db.session.scalar(select(func.count(IndicatorResult.id))),
            "periods": len(_kept_periods())}


def snapshot() -> dict[str, dict]:
    """Every kept figure and row by its natural key, for comparing with a recompute."""
    names = _Names()
    figures = {(names.indicator[i], names.area[a], names.period[p]): (h, v, f, s, m) for i, a, p, h, v, f, s, m in
               db.session.execute(select(IndicatorFigure.indicator_id, IndicatorFigure.area_id,
                                         IndicatorFigure.period_id, IndicatorFigure.has_figure,
                                         IndicatorFigure.value, IndicatorFigure.flag, IndicatorFigure.status,
                                         IndicatorFigure.message))}
    kept = db.session.execute(select(
        IndicatorResult.period_id, IndicatorResult.indicator_id, IndicatorResult.area_id, IndicatorResult.data,
        IndicatorResult.headline, IndicatorResult.several)).all()
    rows = {(names.period[p], names.indicator[i], names.area[a]): {**row, "headline": h, "several": s}
            for (p, i, a, _, h, s), row in zip(kept, kept_records(d for _, _, _, d, _, _ in kept))}
    return {"figures": figures, "rows": rows}


# ---- reading ------------------------------------------------------------------------------


def scope_codes(areas: list[AreaSpec], area: str | None) -> set[str] | None:
    """The areas a view of ``area`` reads: it and the districts under it (None: all)."""
    from app.indicators.totals import area_leaves
    if area is None:
        return None
    return {area} | {leaf.code for leaf in area_leaves(areas).get(area, [])}


def kept_rows(period_id: int | None, area_codes: set[str] | None = None) -> list[dict] | None:
    """The kept rows of the dashboard for this period (for these areas; None: all), in
    the order they were kept (a rework or a copied new period stores its rows after the
    rest: anything that lists them sorts them, ``PerformanceTable.in_order``); None if the
    period's rows are not kept."""
    if period_id is None:
        return None
    query = (select(IndicatorResult.data, IndicatorResult.headline, IndicatorResult.several)
             .where(IndicatorResult.period_id == period_id).order_by(IndicatorResult.position))
    if area_codes is not None:
        ids = db.session.scalars(select(Area.id).where(Area.code.in_(sorted(area_codes)))).all()
        query = query.where(IndicatorResult.area_id.in_(ids))
    kept = db.session.execute(query).all()
    found = kept_records(data for data, _, _ in kept)
    for row, (_, headline, several) in zip(found, kept):
        row["headline"], row["several"] = headline, several
    if found:
        return found
    kept = db.session.scalar(select(IndicatorResult.id).where(IndicatorResult.period_id == period_id).limit(1))
    return [] if kept is not None else None


def _has_kept_rows(period_id: int) -> bool:
    return db.session.scalar(select(IndicatorResult.id).where(IndicatorResult.period_id == period_id).limit(1)) \
        is not None


def same_latest_figures(spec: PeriodSpec) -> int | None:
    """For a period with nothing stored for it (so no kept dashboard), the kept dashboard
    whose rows have the same latest figures, or None if none ends by then. Every period
    with a figure has kept rows, so the latest ending on or before ``spec`` holds every
    figure ``spec``'s dashboard would use; among those ending that day the engine's own
    tie-break picks the latest figure (``spec``'s kind, then the longest), and a kept
    dashboard of that kind, or else the longest, breaks ties the same way."""
    kept = period_has_kept_rows()
    latest = select(func.max(Period.end_date)).where(Period.end_date <= spec.end, kept).scalar_subquery()
    tied = db.session.execute(select(Period.id, Period.kind, Period.start_date)  # one read, not one per day
                              .where(Period.end_date == latest, kept).order_by(Period.id)).all()
    if not tied:
        return None
    same_kind = [p for p in tied if p.kind == spec.kind]
    return (same_kind or sorted(tied, key=lambda p: p.start_date))[0].id


def incomplete_totals(spec: PeriodSpec, period_id: int | None) -> list[dict]:
    """The rows of the dashboard for ``spec`` whose total is incomplete, in the order they
    were kept, from the kept rows (never the engine: for a period with nothing stored, those of
    the dashboard with the same latest figures)."""
    if period_id is None or not _has_kept_rows(period_id):
        period_id = same_latest_figures(spec)
        if period_id is None:
            return []
    query = (select(IndicatorResult.data).where(IndicatorResult.period_id == period_id,
                                               IndicatorResult.aggregate_status == "incomplete")
             .order_by(IndicatorResult.position))
    return kept_records(db.session.scalars(query))


def recompute_results(indicator_slugs: Iterable[str] | None = None) -> dict[str, int]:
    """``flask indicators recompute``: rebuild every kept result (``indicator_slugs``
    None) or those of some indicators and of the indicators worked out from them, in one
    transaction. An unknown short name is a ServiceError naming it."""
    from app.services import ServiceError, transaction

    with transaction():
        if indicator_slugs is None:
            return recompute()
        wanted = sorted(set(indicator_slugs))
        ids = dict(db.session.execute(select(Indicator.slug, Indicator.id).where(Indicator.slug.in_(wanted))).all())
        unknown = [slug for slug in wanted if slug not in ids]
        if unknown:
            raise ServiceError(f"There is no indicator with the short name {', '.join(unknown)}.")
        results_changed(ids.values())
        return {"figures": db.session.scalar(select(func.count(IndicatorFigure.id))),
                "rows": db.session.scalar(select(func.count(IndicatorResult.id))),
                "periods": len(_kept_periods())}
