"""Performance: the dashboard for a period, and what managers add to it.

``performance_table(period)`` reads the stored figures and works out, for every indicator
× area that has a figure, everything the dashboard shows; ``dashboard_view`` arranges it
by outcome for a person (with filters); ``app.services.dashboard_export`` turns the same
table into the board's workbook. The use cases below it (overrides, manual ratings,
commentary, outcome assessments, peer values, the return schedule, sign-off and unlock)
are one transaction each and audited.

Rules
-----
**Which figures a dashboard for period P compares.** For each indicator × area:

* *latest* is the current figure (or flagged gap, or total) whose period ends on or
  before P ends, the latest such period winning; on a tie of end dates, P itself, then a
  period of P's kind, then the longest. So an indicator whose data lags still shows:
  the IOM reduction for 2014/15 on the 2015/16 dashboard.
* *previous* is the figure for the same period a year before *latest* if anything is
  stored for it (a figure, a flagged gap, or a total of districts); otherwise the most
  recent figure for a period that ends before *latest* starts (Leicestershire's youth
  re-offending compares Apr–Dec 2015 with 2014/15). Both periods' labels are shown.
* Ratings, change, direction of travel (over each indicator's own number of recent
  periods), significance and district comparison are the indicator engine's, worked out
  for every row at its own periods in one pass (``engine_rows``: what
  ``compute_dashboard`` gives, without its fixed cost per period). Where *previous* is
  not the same period a year earlier, change and RAG are against it, and significance
  is not tested: the two periods are not alike, so a test of counts would mislead.
* An area "has a figure" for a period if a value or flagged gap is stored for it, for its
  numerator or denominator, or (for a county or wider footprint) for any district in it.
  A county total is then the engine's: summed or recomputed from its districts, or the
  supplied total (checked); a missing district makes it "incomplete" (data not yet
  provided for …), never smaller.

**Headline rows.** The dashboard shows each indicator once, for its *headline area*: the
first county with a figure, else the first wider footprint, else the first district (in
the admin's area order). An indicator that is never combined across areas and whose
county supplied no total is shown district by district instead. The district strip
beside a headline row lists each district in that area with its own RAG. Filtering by
area shows that area's rows instead. An indicator with nothing stored by the period's
end is not shown, nor is an outcome none of whose indicators has.

**Ratings.** The engine rates by the indicator's rule and polarity; estimates and missing
figures get no RAG unless the rule says so. A manager's *override* (reason required)
replaces the rating and is shown as overridden with the calculated rating kept; a
*manual* rating counts only while the indicator's rule is "manual". Both are
``RagSetting`` rows for the dashboard period P (a rating belongs to the report: the next
report rates afresh), never deleted: the latest is current, earlier ones are history.
An outcome's overall RAG is ``outcome_rag`` of its shown rows' ratings (after overrides),
unless its ``OutcomeAssessment`` for P overrides it with a reason.

**Commentary** belongs to P too: per indicator (for one area, or for all its areas), and
an overall comment per outcome; either may be marked internal (left out of the public
workbook and of officers' view). **Peer values** are figures for the period they
describe, so the latest figure is compared with the peer values of *its* period.

**Who sees what.** Managers and admins see every row. An officer sees a row only if every
stored figure behind its latest and previous values came from their own agency (so a
county total of several agencies' figures is not shown to any one of them), plus the
name, overall RAG and non-internal comment of outcomes in which they see a row.

**Sign-off.** A manager signs off a period (audited); while it is locked its figures are
final: imports for it are refused (``is_locked`` / ``ensure_unlocked``, also for a
period inside a signed-off one, e.g. a quarter of a signed-off year), and so are changes
to its ratings and commentary. An admin unlocks it with a reason (audited).

**Completeness.** Each ``ReturnDue`` row (agency × template × period, due date = period
end + the template's ``due_days``) is received, late, missing or not yet due
(``app.indicators.timeliness``), counting the first receipt of a current or superseded
submission. The completeness page for P shows the returns due for periods ending in the
12 months up to P's end, and every total on P's dashboard still waiting for a district.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.indicators import apply_override, outcome_rag
from app.indicators.compare import compare_with_peers, rank_districts
# The engine's own steps, used as compute_dashboard uses them (see engine_rows).
from app.indicators.dashboard import _figures as engine_figures, _ratings as engine_ratings, _significance as engine_significance
from app.indicators.model import AreaSpec, IndicatorSpec, RagResult
from app.indicators.periods import period_of, previous_year_key, trend_period_keys
from app.indicators.timeliness import completeness
from app.indicators.significance import ALPHA
from app.indicators.totals import Populations, area_leaves, as_spec_map, prepare_values, spec_column
from app.indicators.trend import MIN_POINTS, STABLE_WITHIN, classify_slopes, relative_slopes
from app.indicators.year_change import changes, format_change
from app.models.base import utcnow
from app.models import (
    Agency, Area, Commentary, DataValue, Indicator, Outcome, OutcomeAssessment, PeerValue, Period,
    PeriodSignOff, RagSetting, ReturnDue, ReturnTemplate, Submission,
)
from app.periods import PeriodError, PeriodSpec, parse_period
from app.vocabulary import FLAGS_WITHOUT_VALUE, POINT_UNITS, RAG_NAMES, RAGS
from app.policy import visible_agency_ids
from app.services import ServiceError, transaction
from app.services.audit import record
from app.store.indicator_inputs import area_specs, indicator_specs, targets
from app.store.reference import period_row
from app.store.submissions import locking_sign_off



KIND_ORDER = {"county": 0, "wider": 1, "district": 2}
STORED_COLUMNS = ["indicator", "area", "period", "value", "flag", "agency_id", "submission_id"]
FIGURE_COLUMNS = ["indicator", "area", "period", "value", "flag", "status", "message"]
CONTRIBUTION_COLUMNS = ["indicator", "area", "period", "agency_id", "submission_id"]
LABEL_COLUMNS = ["latest_flag", "previous_flag", "rag", "rag_reason", "direction", "significance", "district_comparison",
                 "aggregate_status"]
NO_OUTCOME = "Indicators not under an outcome"


# ---- periods ------------------------------------------------------------------------------


def parse_dashboard_period(text, field_name: str = "period") -> PeriodSpec:
    """A period from text, a key or a URL slug ("2015-16-Q4"), or a ServiceError for the field."""
    if isinstance(text, PeriodSpec):
        return text
    try:
        return period_of(str(text or "").strip())
    except PeriodError as error:
        raise ServiceError(field_errors={field_name: [str(error)]}) from error


def period_slug(spec_or_key) -> str:
    """The period as it appears in a URL: "2015/16 Q4" → "2015-16-Q4"."""
    key = spec_or_key.key if isinstance(spec_or_key, PeriodSpec) else str(spec_or_key)
    return key.replace("/", "-").replace(" ", "-")


def periods_with_figures() -> list[Period]:
    """Periods that have a current figure, latest end first (longest first on a tie)."""
    query = (
        select(Period).where(Period.id.in_(select(DataValue.period_id).where(DataValue.is_current.is_(True))))
        .order_by(Period.end_date.desc(), Period.start_date.asc())
    )
    return list(db.session.scalars(query))


def latest_period_with_figures() -> PeriodSpec | None:
    periods = periods_with_figures()
    return period_of(periods[0].key) if periods else None


def _stored_period(spec: PeriodSpec) -> Period | None:
    return db.session.scalar(select(Period).where(Period.key == spec.key))


# ---- the figures behind a dashboard -------------------------------------------------------


def _lists(frame: pd.DataFrame, *columns: str) -> list[list]:
    """Columns as plain lists: zipping lists is far faster than zipping pandas' string arrays."""
    return [frame[column].tolist() for column in columns]


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    """A frame from query rows, built column by column (several times faster than row by row)."""
    data = list(zip(*rows)) if rows else [()] * len(columns)
    return pd.DataFrame({name: list(values) for name, values in zip(columns, data)}, columns=columns)


def _stored_rows(end: date) -> pd.DataFrame:
    """Current stored figures for periods ending on or before ``end``, with their origin.
    Read as ids and named afterwards: tens of thousands of figures share a few hundred
    names, so the database need not send each name with every row."""
    query = (
        select(DataValue.indicator_id, DataValue.area_id, DataValue.period_id, DataValue.value, DataValue.flag,
               DataValue.agency_id, DataValue.submission_id)
        .join(Period, DataValue.period_id == Period.id)
        .where(DataValue.is_current.is_(True), Period.end_date <= end)
    )
    frame = _frame(db.session.connection().execute(query).all(), STORED_COLUMNS)  # Core: no ORM row handling
    for column, model, name in (("indicator", Indicator, Indicator.slug), ("area", Area, Area.code), ("period", Period, Period.key)):
        names = dict(db.session.execute(select(model.id, name)).all())
        frame[column] = frame[column].map(names).astype(object)
    frame["value"] = frame["value"].astype(float)
    return frame


def _stored_notes(end: date) -> dict[tuple[str, str, str], str]:
    """The notes stored with current figures (why a figure is not available, say)."""
    query = (
        select(Indicator.slug, Area.code, Period.key, DataValue.note)
        .join(Indicator, DataValue.indicator_id == Indicator.id).join(Area, DataValue.area_id == Area.id)
        .join(Period, DataValue.period_id == Period.id)
        .where(DataValue.is_current.is_(True), Period.end_date <= end, DataValue.note.is_not(None), DataValue.note != "")
    )
    return {(slug, code, key): note for slug, code, key, note in db.session.execute(query)}


def data_as_at(end: date) -> datetime | None:
    """When the newest current figure for a period ending by ``end`` was stored."""
    return db.session.scalar(select(func.max(DataValue.created_at)).join(Period, DataValue.period_id == Period.id)
                             .where(DataValue.is_current.is_(True), Period.end_date <= end))


def behind(frame: pd.DataFrame, specs: dict[str, IndicatorSpec], areas: list[AreaSpec]) -> pd.DataFrame:
    """``frame``'s stored rows (indicator, area, period and any other columns) also under
    every indicator × area they lie behind: a recomputed indicator's numerator and
    denominator rows under it, and every district's rows under its county and wider
    footprint. Duplicates dropped."""
    parts = pd.DataFrame(
        [(part, s.slug) for s in specs.values() if s.aggregation == "recompute"
         for part in (s.numerator, s.denominator) if part],
        columns=["part", "whole"],
    )
    via_parts = frame.merge(parts, left_on="indicator", right_on="part").assign(indicator=lambda f: f["whole"])
    own = pd.concat([frame, via_parts[frame.columns]], ignore_index=True)
    leaves = pd.DataFrame(
        [(leaf.code, parent) for parent, members in area_leaves(areas).items() for leaf in members],
        columns=["leaf", "parent"],
    )
    via_leaves = own.merge(leaves, left_on="area", right_on="leaf").assign(area=lambda f: f["parent"])
    return pd.concat([own, via_leaves[frame.columns]], ignore_index=True).drop_duplicates(ignore_index=True)


def _period_facts(keys: Iterable[str]) -> pd.DataFrame:
    rows = []
    for key in set(keys):
        spec = period_of(key)
        rows.append((key, spec.start, spec.end, spec.kind, spec.months, spec.label))
    return pd.DataFrame(rows, columns=["period", "start", "end", "kind", "months", "label"])


def choose_periods(present: pd.DataFrame, period: PeriodSpec) -> pd.DataFrame:
    """For each indicator × area in ``present`` (indicator, area, period) with a period
    ending by ``period``'s end: its ``latest`` and ``previous`` period keys (see the
    module's rules) and whether previous is the same period a year earlier, stored
    (``year_apart``)."""
    facts = _period_facts(present["period"])
    facts = facts[facts["end"] <= period.end].assign(is_target=lambda f: f["period"] == period.key,
                                                     same_kind=lambda f: f["kind"] == period.kind)
    # Periods are few: rank them once, then each indicator × area takes its best-ranked one.
    facts = facts.sort_values(["end", "is_target", "same_kind", "months"], ignore_index=True)
    rank = dict(zip(facts["period"].tolist(), range(len(facts))))
    rows = present[present["period"].isin(rank.keys())]
    best = rows.assign(rank=rows["period"].map(rank)).groupby(["indicator", "area"], sort=False)["rank"].max()
    latest = best.reset_index()
    latest["latest"] = facts["period"].to_numpy(dtype=object)[latest["rank"].to_numpy()]
    latest["latest_start"] = facts["start"].to_numpy(dtype=object)[latest["rank"].to_numpy()]
    latest["latest_kind"] = facts["kind"].to_numpy(dtype=object)[latest["rank"].to_numpy()]
    latest = latest.drop(columns="rank")
    year_before = {key: previous_year_key(key) for key in latest["latest"].unique()}
    latest["year_before"] = latest["latest"].map(year_before)
    stored_keys = set(zip(*_lists(present, "indicator", "area", "period")))
    latest["year_apart"] = [key in stored_keys for key in zip(*_lists(latest, "indicator", "area", "year_before"))]

    earlier = rows.merge(latest[~latest["year_apart"]], on=["indicator", "area"]).merge(facts, on="period")
    earlier = earlier[earlier["end"] < earlier["latest_start"]].assign(
        like_latest=lambda f: f["kind"] == f["latest_kind"])
    fallback = (earlier.sort_values(["end", "like_latest", "months"]).groupby(["indicator", "area"], sort=False)
                .tail(1)[["indicator", "area", "period"]].rename(columns={"period": "fallback"}))
    out = latest.merge(fallback, on=["indicator", "area"], how="left")
    out["previous"] = np.where(out["year_apart"] | out["fallback"].isna(), out["year_before"], out["fallback"])
    return out[["indicator", "area", "latest", "previous", "year_apart"]].astype({"previous": object})


@dataclass
class PerformanceTable:
    """Everything computed for one dashboard period.

    ``rows``: one dict per indicator × area that has a figure, keyed (slug, area code),
    with the engine's dashboard columns (``period`` is the latest figure's period,
    ``previous_period`` the one it is compared with) plus ``note`` (the stored note, e.g.
    why a figure is not available), ``calculated`` (the engine's RagResult), ``setting``
    (a manager's RagSetting, if any), ``rag_overridden``, ``comment``,
    ``comment_internal``, ``headline``, ``several`` (the indicator is shown on more than
    one row), ``strip`` ((district code, RAG) under a headline area) and ``peers``.
    ``figures``: every figure (stored, recomputed, totals) up to the period's end with
    something stored behind it: indicator, area, period, value, flag, status, message."""

    period: PeriodSpec
    period_id: int | None
    specs: dict[str, IndicatorSpec]
    indicators: dict[str, Indicator]
    outcomes: list[Outcome]
    areas: list[AreaSpec]
    area_ids: dict[str, int]
    figures: pd.DataFrame
    stored: pd.DataFrame
    targets: pd.DataFrame
    sign_off: PeriodSignOff | None = None
    rows: dict[tuple[str, str], dict] = field(default_factory=dict)
    _index: dict | None = field(default=None, repr=False)
    _contributions: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def contributions(self) -> pd.DataFrame:
        """Which stored rows (agency, submission) lie behind each indicator × area × period."""
        if self._contributions is None:
            self._contributions = behind(self.stored[CONTRIBUTION_COLUMNS], self.specs, self.areas)
        return self._contributions

    _series: dict | None = field(default=None, repr=False)

    @property
    def area_by_code(self) -> dict[str, AreaSpec]:
        return {a.code: a for a in self.areas}

    def _figures_by_key(self) -> dict:
        if self._index is None:  # built on first use: the web page asks for a few rows, the workbook for more
            self._index = figure_lookup(self.figures)
        return self._index

    def figure(self, indicator: str, area: str, period_key: str | None) -> dict | None:
        """One figure (value None when missing), or None if nothing is stored behind it."""
        found = self._figures_by_key().get((indicator, area, period_key))
        if found is None:
            return None
        value, flag, status, message = (_plain(x) for x in found)
        return {"indicator": indicator, "area": area, "period": period_key, "value": value, "flag": flag,
                "status": status, "message": message}

    def series(self, indicator: str, area: str, kind: str, limit: int = 8) -> list[dict]:
        """The figures of one indicator × area for periods of ``kind``, oldest first (the
        last ``limit`` of them)."""
        if self._series is None:
            self._series = {}
            for slug, code, key in self._figures_by_key():
                self._series.setdefault((slug, code), []).append(key)
        keys = [k for k in self._series.get((indicator, area), []) if period_of(k).kind == kind]
        keys.sort(key=lambda k: period_of(k).end)
        return [self.figure(indicator, area, k) for k in keys[-limit:]]

    def headline_rows(self) -> list[dict]:
        return [row for row in self.rows.values() if row["headline"]]


def engine_rows(choices: pd.DataFrame, figures: pd.DataFrame, target_frame: pd.DataFrame,
                specs: dict[str, IndicatorSpec], areas: list[AreaSpec], trend_lengths: dict[str, int]) -> pd.DataFrame:
    """``compute_dashboard``'s columns for rows that each have their own latest and
    compared period (``choose_periods``), in one pass with the engine's own steps: ratings
    (``rate``, incomplete totals explained), change, direction of travel over each row's
    own trend periods, district comparison within county and period, and significance —
    tested only where the compared figure is the same period a year earlier.

    ``figures`` is the engine's figure table for every period involved. One
    ``compute_dashboard`` call per distinct latest period gives the same rows (the tests
    check it) at several times the cost: each call has a fixed cost of about 0.1 s."""
    table = choices.rename(columns={"latest": "period", "previous": "previous_period"}).reset_index(drop=True)
    lookup = figure_lookup(figures)
    missing = (np.nan, None, None, None)
    keys = list(zip(*_lists(table, "indicator", "area", "period")))
    found = [lookup.get(key, missing) for key in keys]
    for position, column in enumerate(("latest", "latest_flag", "latest_status", "latest_message")):
        table[column] = [f[position] for f in found]
    table["latest"] = table["latest"].astype(float)
    found = [lookup.get(key, missing) for key in zip(*_lists(table, "indicator", "area", "previous_period"))]
    table["previous"] = np.array([f[0] for f in found], dtype=float)
    table["previous_flag"] = [f[1] for f in found]
    table["area_kind"] = table["area"].map({a.code: a.kind for a in areas})
    table["unit"] = spec_column(table["indicator"], specs, "unit")
    table["polarity"] = spec_column(table["indicator"], specs, "polarity")
    wanted = target_frame[["indicator", "area", "period", "value"]].drop_duplicates(["indicator", "area", "period"])
    table = table.merge(wanted.rename(columns={"value": "target"}), on=["indicator", "area", "period"], how="left")
    table["change"] = changes(table["latest"], table["previous"], table["unit"].isin(POINT_UNITS))
    table["change_text"] = [format_change(c, u) for c, u in zip(table["change"].tolist(), table["unit"].tolist())]
    table["rag"], table["rag_reason"] = engine_ratings(table, specs)
    table["direction"], table["trend_percent"] = _directions(table, lookup, trend_lengths)
    table["significance"], table["p_value"] = None, np.nan
    populations = Populations(areas)
    for (latest, compared), group in table[table["year_apart"]].groupby(["period", "previous_period"], sort=False):
        labels, p_values = engine_significance(group, figures, specs, populations, latest, compared, ALPHA)
        table.loc[group.index, "significance"] = pd.Series(list(labels), index=group.index, dtype=object)
        table.loc[group.index, "p_value"] = p_values
    parents = table["area"].map({a.code: a.parent for a in areas})
    districts = table["area_kind"].eq("district") & parents.notna()
    table["district_comparison"] = None
    if districts.any():
        ranked = table.loc[districts, ["indicator", "period", "latest", "polarity"]].assign(parent=parents[districts])
        table.loc[districts, "district_comparison"] = rank_districts(ranked, ["indicator", "parent", "period"], "latest", "polarity")
    table["aggregate_status"], table["aggregate_message"] = table["latest_status"], table["latest_message"].fillna("")
    for column in LABEL_COLUMNS:  # None, not NaN, for a missing label
        table[column] = table[column].astype(object).where(table[column].notna(), None)
    return table.drop(columns=["latest_status", "latest_message", "year_apart"])


def figure_lookup(figures: pd.DataFrame) -> dict[tuple[str, str, str], tuple]:
    """(indicator, area, period) → (value, flag, status, message) for every figure."""
    return dict(zip(zip(*_lists(figures, "indicator", "area", "period")), zip(*_lists(figures, "value", "flag", "status", "message"))))


def _directions(table: pd.DataFrame, lookup: dict, trend_lengths: dict[str, int]):
    """Direction of travel and slope per row, each over its own last N periods (a shorter
    window padded with gaps on the left: that does not move a least-squares slope)."""
    nothing = (np.nan,)
    windows: dict[tuple[str, int], list[str]] = {}
    rows = []
    for slug, area, latest in zip(*_lists(table, "indicator", "area", "period")):
        length = max(int(trend_lengths.get(slug) or 4), 1)
        if (latest, length) not in windows:
            windows[(latest, length)] = trend_period_keys(latest, length)
        rows.append([lookup.get((slug, area, key), nothing)[0] for key in windows[(latest, length)]])
    width = max((len(r) for r in rows), default=1)
    matrix = np.array([[np.nan] * (width - len(r)) + r for r in rows], dtype=float).reshape(len(rows), width)
    slope_percent, points = relative_slopes(matrix)
    return classify_slopes(slope_percent, points, table["polarity"], STABLE_WITHIN, MIN_POINTS), slope_percent


def _plain(value):
    """None for NaN / NA, else the value (numpy scalars as Python ones)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def performance_table(period) -> PerformanceTable:
    """Compute the dashboard for ``period`` (text, key or PeriodSpec). See the module's rules."""
    spec = parse_dashboard_period(period)
    specs = indicator_specs()
    indicator_rows = {i.slug: i for i in db.session.scalars(select(Indicator).options(selectinload(Indicator.outcome)))}
    outcomes = list(db.session.scalars(select(Outcome).order_by(Outcome.sort_order, Outcome.id)))
    areas = area_specs()
    area_ids = dict(db.session.execute(select(Area.code, Area.id)).all())
    stored = _stored_rows(spec.end)
    period_record = _stored_period(spec)
    context = dict(period=spec, period_id=period_record.id if period_record else None, specs=specs,
                   indicators=indicator_rows, outcomes=outcomes, areas=areas, area_ids=area_ids, stored=stored,
                   targets=targets(), sign_off=_sign_off_row(period_record.id) if period_record else None)
    if stored.empty:
        return PerformanceTable(figures=pd.DataFrame(columns=FIGURE_COLUMNS), **context)

    present = behind(stored[["indicator", "area", "period"]], specs, areas)
    values = prepare_values(stored[["indicator", "area", "period", "value", "flag"]])
    figures = engine_figures(values, as_spec_map(specs), areas, sorted(present["period"].unique()))
    figures = figures.merge(present, on=["indicator", "area", "period"])[FIGURE_COLUMNS]
    table = PerformanceTable(figures=figures, **context)

    trend_lengths = {slug: row.trend_periods for slug, row in indicator_rows.items()}
    engine = engine_rows(choose_periods(present, spec), figures, table.targets, specs, areas, trend_lengths)
    notes = _stored_notes(spec.end)
    flagged = stored[stored["flag"].isin(FLAGS_WITHOUT_VALUE)]
    gaps = dict(zip(zip(*_lists(flagged, "indicator", "area", "period")), flagged["flag"].tolist()))
    for record_ in engine.astype(object).where(engine.notna(), None).to_dict("records"):
        row = {key: _plain(value) for key, value in record_.items()}
        key = (row["indicator"], row["area"], row["period"])
        row["note"] = notes.get(key)
        if row["latest"] is None and key in gaps:
            # The area itself said why there is no figure (not available, not yet released):
            # that, not a total of its districts, is the reason to show.
            row["latest_flag"], row["aggregate_message"] = gaps[key], ""
        row["calculated"] = RagResult(row["rag"], row["rag_reason"] or "")
        table.rows[(row["indicator"], row["area"])] = row
    _mark_headlines(table)
    _add_peer_comparisons(table)
    apply_settings(table)
    return table


def _mark_headlines(table: PerformanceTable) -> None:
    """Set ``headline`` on the rows the dashboard shows (see the module's rules) and
    ``strip``, the (code, RAG) of each district under a headline county or footprint."""
    order = {a.code: (KIND_ORDER[a.kind], index) for index, a in enumerate(table.areas)}
    leaves = area_leaves(table.areas)
    by_indicator: dict[str, list[dict]] = {}
    for row in table.rows.values():
        row["headline"], row["strip_codes"] = False, []
        by_indicator.setdefault(row["indicator"], []).append(row)
    for slug, rows in by_indicator.items():
        rows.sort(key=lambda r: order[r["area"]])
        first = rows[0]
        shown = [first]
        if first["aggregate_status"] == "not_combined" and first["area"] in leaves:
            members = {leaf.code for leaf in leaves[first["area"]]}
            shown = [r for r in rows if r["area"] in members] or shown
        for row in shown:
            row["headline"] = True
        present = {r["area"] for r in rows}
        for row in rows:
            row["strip_codes"] = [leaf.code for leaf in leaves.get(row["area"], [])
                                  if leaf.kind == "district" and leaf.code in present]
        multiple = len(shown) > 1
        for row in shown:
            row["several"] = multiple


def _add_peer_comparisons(table: PerformanceTable) -> None:
    """Compare each headline figure with the peer values of its own period."""
    keys = {row["period"] for row in table.rows.values()}
    peers: dict[tuple[str, str], list[tuple[str, float]]] = {}
    query = (select(Indicator.slug, Period.key, PeerValue.label, PeerValue.value)
             .join(Indicator, PeerValue.indicator_id == Indicator.id).join(Period, PeerValue.period_id == Period.id)
             .where(Period.key.in_(keys)).order_by(PeerValue.label))
    for slug, key, label, value in db.session.execute(query):
        peers.setdefault((slug, key), []).append((label, value))
    for row in table.rows.values():
        found = peers.get((row["indicator"], row["period"]), [])
        row["peers"] = found
        row["peer_comparison"] = (
            compare_with_peers(row["latest"], [v for _, v in found], table.specs[row["indicator"]].polarity)
            if row["headline"] and found else None
        )


# ---- what people added: ratings, commentary, outcome assessments --------------------------


def _current_settings(period_id: int) -> dict[tuple[int, int], RagSetting]:
    query = (select(RagSetting).where(RagSetting.period_id == period_id, RagSetting.is_current.is_(True))
             .options(selectinload(RagSetting.set_by)))
    return {(s.indicator_id, s.area_id): s for s in db.session.scalars(query)}


def _comments(period_id: int) -> dict[tuple[int, int | None], Commentary]:
    return {(c.indicator_id, c.area_id): c for c in db.session.scalars(select(Commentary).where(Commentary.period_id == period_id))}


def apply_settings(table: PerformanceTable) -> None:
    """Apply the period's overrides and manual ratings, and attach commentary, to the rows."""
    settings = _current_settings(table.period_id) if table.period_id else {}
    comments = _comments(table.period_id) if table.period_id else {}
    for row in table.rows.values():
        indicator = table.indicators[row["indicator"]]
        key = (indicator.id, table.area_ids[row["area"]])
        setting = settings.get(key)
        result = row["calculated"]
        row["setting"] = None
        if setting is not None and (setting.kind == "override" or indicator.rag_method == "manual"):
            row["setting"] = setting
            if setting.kind == "manual":
                result = RagResult(setting.rag, f"Rated {RAG_NAMES[setting.rag]} by a manager: {setting.reason}")
            else:
                result = apply_override(result, setting.rag, setting.reason)
        row["rag"], row["rag_reason"], row["rag_overridden"] = result.rag, result.reason, result.overridden
        comment = comments.get(key) or comments.get((indicator.id, None))
        row["comment"] = comment.text if comment else None
        row["comment_internal"] = bool(comment and comment.internal)
    for row in table.rows.values():
        row["strip"] = [(code, table.rows[(row["indicator"], code)]["rag"]) for code in row["strip_codes"]]


# ---- the view people read -----------------------------------------------------------------


@dataclass
class OutcomeView:
    outcome_id: int | None
    name: str
    rows: list[dict]
    rag: str | None
    rag_reason: str
    rag_overridden: bool
    comment: str | None
    comment_internal: bool


@dataclass
class DashboardView:
    table: PerformanceTable
    outcomes: list[OutcomeView]
    area: str | None = None
    outcome_id: int | None = None
    officer_agency: Agency | None = None
    hidden_rows: int = 0
    districts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def period(self) -> PeriodSpec:
        return self.table.period

    @property
    def locked(self) -> bool:
        return bool(self.table.sign_off and self.table.sign_off.locked)


def visible_to(table: PerformanceTable, user) -> set[tuple[str, str]] | None:
    """The rows an officer may see (None: all). See the module's rules."""
    allowed = visible_agency_ids(user) if user is not None else None
    if allowed is None:
        return None
    contributions = table.contributions
    wanted = pd.DataFrame([(r["indicator"], r["area"], key) for r in table.rows.values()
                           for key in (r["period"], r["previous_period"]) if key],
                          columns=["indicator", "area", "period"])
    behind = contributions.merge(wanted, on=["indicator", "area", "period"])
    behind = behind.assign(own=behind["agency_id"].isin(allowed))
    everyone_own = behind.groupby(["indicator", "area"])["own"].all()
    return {key for key, own in everyone_own.items() if own}


def outcome_blocks(table: PerformanceTable, rows_for: dict[str, list[dict]], assessments: dict[int, OutcomeAssessment]) -> list[OutcomeView]:
    """Outcomes in order, each with its rows (indicator order) and overall RAG and comment."""
    blocks = []
    groups = [(o.id, o.name) for o in table.outcomes] + [(None, NO_OUTCOME)]
    for outcome_id, name in groups:
        rows = rows_for.get(outcome_id, [])
        if not rows:
            continue
        calculated = outcome_rag(r["rag"] for r in rows)
        assessment = assessments.get(outcome_id)
        result = calculated
        if assessment is not None and assessment.rag_override:
            result = apply_override(calculated, assessment.rag_override, assessment.override_reason or "")
        blocks.append(OutcomeView(
            outcome_id, name, rows, result.rag, result.reason, result.overridden,
            assessment.comment if assessment else None, bool(assessment and assessment.internal),
        ))
    return blocks


def _assessments(period_id: int | None) -> dict[int, OutcomeAssessment]:
    if period_id is None:
        return {}
    return {a.outcome_id: a for a in db.session.scalars(select(OutcomeAssessment).where(OutcomeAssessment.period_id == period_id))}


def _sorted_rows(table: PerformanceTable, rows: Iterable[dict]) -> dict[int | None, list[dict]]:
    order = {a.code: index for index, a in enumerate(table.areas)}
    grouped: dict[int | None, list[dict]] = {}
    for row in sorted(rows, key=lambda r: (table.indicators[r["indicator"]].sort_order,
                                           table.indicators[r["indicator"]].id, order[r["area"]])):
        grouped.setdefault(table.indicators[row["indicator"]].outcome_id, []).append(row)
    return grouped


def dashboard_view(period, user=None, *, area: str | None = None, outcome_id: int | None = None,
                   table: PerformanceTable | None = None) -> DashboardView:
    """The dashboard for ``period`` as ``user`` may see it, optionally for one area (its
    rows instead of the headline rows) and one outcome."""
    table = table or performance_table(period)
    if area and area not in table.area_ids:
        raise ServiceError(field_errors={"area": ["Choose an area from the list."]})
    rows = [r for r in table.rows.values() if (r["area"] == area if area else r["headline"])]
    visible = visible_to(table, user)
    hidden = 0
    if visible is not None:
        hidden = sum((r["indicator"], r["area"]) not in visible for r in rows)
        rows = [{**r, "strip": [(code, rag) for code, rag in r["strip"] if (r["indicator"], code) in visible],
                 "comment": None if r["comment_internal"] else r["comment"], "comment_internal": False}
                for r in rows if (r["indicator"], r["area"]) in visible]
    blocks = outcome_blocks(table, _sorted_rows(table, rows), _assessments(table.period_id))
    if visible is not None:
        # The overall RAG uses every row; an officer sees it, but not internal comments.
        full = outcome_blocks(table, _sorted_rows(table, [r for r in table.rows.values() if r["headline"]]),
                              _assessments(table.period_id))
        overall = {b.outcome_id: b for b in full}
        blocks = [replace(b, rag=overall[b.outcome_id].rag, rag_reason=overall[b.outcome_id].rag_reason,
                          rag_overridden=overall[b.outcome_id].rag_overridden,
                          comment=None if b.comment_internal else b.comment, comment_internal=False)
                  for b in blocks]
    if outcome_id is not None:
        blocks = [b for b in blocks if b.outcome_id == outcome_id]
    codes = {code for b in blocks for r in b.rows for code, _ in r["strip"]}
    districts = [(a.code, a.name) for a in table.areas if a.code in codes]
    agency = db.session.get(Agency, user.agency_id) if visible is not None and user.agency_id else None
    return DashboardView(table, blocks, area, outcome_id, agency, hidden, districts)


def indicator_row(period, indicator_id: int, area_code: str | None = None) -> tuple[PerformanceTable, Indicator, dict | None]:
    """(table, indicator, the row for that area — or its headline row) for a review page."""
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None:
        raise ServiceError("There is no such indicator.")
    table = performance_table(period)
    if area_code:
        return table, indicator, table.rows.get((indicator.slug, area_code))
    headline = [r for r in table.headline_rows() if r["indicator"] == indicator.slug]
    return table, indicator, headline[0] if headline else None


def rating_history(period, indicator_id: int, area_code: str) -> list[RagSetting]:
    spec = parse_dashboard_period(period)
    period_record = _stored_period(spec)
    area = db.session.scalar(select(Area).where(Area.code == area_code))
    if period_record is None or area is None:
        return []
    query = (select(RagSetting).where(RagSetting.period_id == period_record.id, RagSetting.indicator_id == indicator_id,
                                      RagSetting.area_id == area.id)
             .order_by(RagSetting.set_at.desc(), RagSetting.id.desc()).options(selectinload(RagSetting.set_by)))
    return list(db.session.scalars(query))


# ---- sign-off -----------------------------------------------------------------------------


def _sign_off_row(period_id: int) -> PeriodSignOff | None:
    return db.session.scalar(select(PeriodSignOff).where(PeriodSignOff.period_id == period_id))


def _locking_sign_off(period: Period) -> PeriodSignOff | None:
    """The locked sign-off of this period or of a period containing it (one rule with imports)."""
    return locking_sign_off(period.id)


def is_locked(period_id: int) -> bool:
    """True while the period, or a period containing it, is signed off and not unlocked:
    its figures are final and imports for it must be refused."""
    period = db.session.get(Period, period_id)
    return period is not None and _locking_sign_off(period) is not None


def lock_message(period: Period) -> str | None:
    sign_off = _locking_sign_off(period)
    if sign_off is None:
        return None
    who = sign_off.signed_off_by.name if sign_off.signed_off_by else "a manager"
    signed = sign_off.period.label
    inside = "" if sign_off.period_id == period.id else f" (it is part of {signed})"
    return (f"{period.label} was signed off by {who} on {sign_off.signed_off_at:%d %B %Y}{inside}, so its figures "
            f"are final. Ask an administrator to unlock {signed} if they must change.")


def ensure_unlocked(period_id: int) -> None:
    """Raise a ServiceError saying who signed the period off, if it is locked."""
    period = db.session.get(Period, period_id)
    message = lock_message(period) if period is not None else None
    if message:
        raise ServiceError(message)


def sign_off(period, user) -> PeriodSignOff:
    spec = parse_dashboard_period(period)
    with transaction("That period has just been signed off by someone else."):
        period_record = period_row(spec)
        existing = _sign_off_row(period_record.id)
        if existing is not None and existing.locked:
            raise ServiceError(f"{spec.label} is already signed off.")
        row = existing or PeriodSignOff(period_id=period_record.id)
        row.locked, row.signed_off_by_id, row.signed_off_at = True, user.id, utcnow()
        db.session.add(row)
        db.session.flush()
        record("period_signed_off", user, row, period=spec.key)
    return row


def unlock(period, reason: str, user) -> PeriodSignOff:
    spec = parse_dashboard_period(period)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(field_errors={"reason": ["Give the reason for unlocking: it is kept in the audit log."]})
    with transaction():
        period_record = _stored_period(spec)
        row = _sign_off_row(period_record.id) if period_record else None
        if row is None or not row.locked:
            raise ServiceError(f"{spec.label} is not signed off, so there is nothing to unlock.")
        row.locked, row.unlocked_by_id, row.unlocked_at, row.unlock_reason = False, user.id, utcnow(), reason
        db.session.flush()
        record("period_unlocked", user, row, period=spec.key, reason=reason)
    return row


def _editable_period(spec: PeriodSpec) -> Period:
    """The period's row (created if new), refusing changes while it is signed off."""
    period_record = period_row(spec)
    message = lock_message(period_record)
    if message:
        raise ServiceError(message)
    return period_record


# ---- ratings, commentary, outcome assessments, peer values --------------------------------


def _area_by_code(code: str | None, field_name: str = "area") -> Area:
    area = db.session.scalar(select(Area).where(Area.code == (code or "").strip()))
    if area is None:
        raise ServiceError(field_errors={field_name: ["Choose an area from the list."]})
    return area


def _indicator(indicator_id: int) -> Indicator:
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None:
        raise ServiceError("There is no such indicator.")
    return indicator


def _current_ratings(indicator: Indicator, area: Area, period: Period) -> list[RagSetting]:
    return list(db.session.scalars(select(RagSetting).where(
        RagSetting.indicator_id == indicator.id, RagSetting.area_id == area.id,
        RagSetting.period_id == period.id, RagSetting.is_current.is_(True))))


def set_rating(period, indicator_id: int, area_code: str, kind: str, rag: str, reason: str, user) -> RagSetting:
    """A manager's override of the calculated RAG, or the manual RAG of an indicator rated
    by hand. Earlier settings stay as history; audited."""
    spec = parse_dashboard_period(period)
    indicator = _indicator(indicator_id)
    errors: dict[str, list[str]] = {}
    if kind not in ("override", "manual"):
        errors["kind"] = ["Choose whether this overrides the calculated rating or is a manual rating."]
    elif kind == "manual" and indicator.rag_method != "manual":
        errors["kind"] = [f"'{indicator.name}' is rated by its rule; to change its rating, override it."]
    if rag not in RAGS:
        errors["rag"] = ["Choose Red, Amber or Green."]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["Give the reason for this rating: it is shown beside it and kept in the audit log."]
    if errors:
        raise ServiceError(field_errors=errors)
    with transaction():
        period_record = _editable_period(spec)
        area = _area_by_code(area_code)
        for old in _current_ratings(indicator, area, period_record):
            old.is_current = False
        setting = RagSetting(kind=kind, indicator_id=indicator.id, area_id=area.id, period_id=period_record.id,
                             rag=rag, reason=reason, set_by_id=user.id, is_current=True)
        db.session.add(setting)
        db.session.flush()
        record(f"rag_{kind}_set", user, setting, indicator=indicator.slug, area=area.code, period=spec.key,
               rag=rag, reason=reason)
    return setting


def withdraw_rating(period, indicator_id: int, area_code: str, user) -> None:
    """Go back to the calculated rating (the withdrawn setting stays as history)."""
    spec = parse_dashboard_period(period)
    indicator = _indicator(indicator_id)
    with transaction():
        period_record = _editable_period(spec)
        area = _area_by_code(area_code)
        current = _current_ratings(indicator, area, period_record)
        if not current:
            raise ServiceError("There is no rating set by a manager to withdraw.")
        for setting in current:
            setting.is_current = False
            record(f"rag_{setting.kind}_withdrawn", user, setting, indicator=indicator.slug, area=area.code,
                   period=spec.key, rag=setting.rag)


def save_commentary(period, indicator_id: int, area_code: str | None, text: str, internal: bool, user) -> Commentary | None:
    """Set (or, with empty text, remove) the comment on an indicator for a period — for
    one area, or for all its areas when ``area_code`` is empty."""
    spec = parse_dashboard_period(period)
    indicator = _indicator(indicator_id)
    text = (text or "").strip()
    with transaction():
        period_record = _editable_period(spec)
        area = _area_by_code(area_code) if area_code else None
        same_area = Commentary.area_id == area.id if area else Commentary.area_id.is_(None)
        comment = db.session.scalar(select(Commentary).where(
            Commentary.indicator_id == indicator.id, Commentary.period_id == period_record.id, same_area))
        if not text:
            if comment is None:
                raise ServiceError(field_errors={"text": ["Enter the comment."]})
            db.session.delete(comment)
            record("commentary_removed", user, comment, indicator=indicator.slug, period=spec.key)
            return None
        created = comment is None
        comment = comment or Commentary(indicator_id=indicator.id, period_id=period_record.id,
                                        area_id=area.id if area else None)
        comment.text, comment.internal, comment.author_id = text, bool(internal), user.id
        db.session.add(comment)
        db.session.flush()
        record("commentary_saved", user, comment, indicator=indicator.slug, period=spec.key,
               area=area.code if area else None, internal=bool(internal), created=created)
    return comment


def outcome_assessment(period, outcome_id: int) -> OutcomeAssessment | None:
    period_record = _stored_period(parse_dashboard_period(period))
    if period_record is None:
        return None
    return db.session.scalar(select(OutcomeAssessment).where(
        OutcomeAssessment.outcome_id == outcome_id, OutcomeAssessment.period_id == period_record.id))


def save_outcome_assessment(period, outcome_id: int, comment: str, internal: bool, rag_override: str | None,
                            override_reason: str, user) -> OutcomeAssessment:
    """The overall comment of an outcome for a period and, optionally, an overridden
    overall RAG (with its reason). Audited."""
    spec = parse_dashboard_period(period)
    outcome = db.session.get(Outcome, outcome_id)
    if outcome is None:
        raise ServiceError("There is no such outcome.")
    rag_override = rag_override or None
    override_reason = (override_reason or "").strip() or None
    errors: dict[str, list[str]] = {}
    if rag_override is not None and rag_override not in RAGS:
        errors["rag_override"] = ["Choose Red, Amber or Green, or keep the calculated rating."]
    if rag_override and not override_reason:
        errors["override_reason"] = ["Give the reason for overriding the overall rating: it is shown beside it and audited."]
    if errors:
        raise ServiceError(field_errors=errors)
    with transaction():
        period_record = _editable_period(spec)
        assessment = db.session.scalar(select(OutcomeAssessment).where(
            OutcomeAssessment.outcome_id == outcome.id, OutcomeAssessment.period_id == period_record.id))
        assessment = assessment or OutcomeAssessment(outcome_id=outcome.id, period_id=period_record.id)
        before = assessment.rag_override
        assessment.comment = (comment or "").strip() or None
        assessment.internal = bool(internal)
        assessment.rag_override = rag_override
        assessment.override_reason = override_reason if rag_override else None
        assessment.author_id = user.id
        db.session.add(assessment)
        db.session.flush()
        record("outcome_assessment_saved", user, assessment, outcome=outcome.name, period=spec.key,
               rag_override=rag_override, previous_override=before, reason=assessment.override_reason)
    return assessment


def peer_values(indicator_id: int) -> list[PeerValue]:
    query = (select(PeerValue).join(Period).where(PeerValue.indicator_id == indicator_id)
             .order_by(Period.end_date.desc(), PeerValue.label).options(selectinload(PeerValue.period)))
    return list(db.session.scalars(query))


def save_peer_value(indicator_id: int, period, label: str, value, user) -> PeerValue:
    """A comparator figure (England average, most similar group …) for an indicator and the
    period it describes; the same label and period again replaces the figure."""
    indicator = _indicator(indicator_id)
    errors: dict[str, list[str]] = {}
    label = (label or "").strip()
    if not label:
        errors["label"] = ["Enter who the figure is for, for example 'England average'."]
    if value is None:
        errors["value"] = ["Enter the peer's figure as a number, for example 3.2."]
    try:
        spec = parse_dashboard_period(period)
    except ServiceError as error:
        errors.update(error.field_errors)
    if errors:
        raise ServiceError(field_errors=errors)
    with transaction():
        period_record = period_row(spec)
        peer = db.session.scalar(select(PeerValue).where(
            PeerValue.indicator_id == indicator.id, PeerValue.period_id == period_record.id, PeerValue.label == label))
        peer = peer or PeerValue(indicator_id=indicator.id, period_id=period_record.id, label=label)
        peer.value = float(value)
        db.session.add(peer)
        db.session.flush()
        record("peer_value_saved", user, peer, indicator=indicator.slug, period=spec.key, label=label, value=float(value))
    return peer


def remove_peer_value(peer_id: int, user) -> None:
    with transaction():
        peer = db.session.get(PeerValue, peer_id)
        if peer is None:
            raise ServiceError("That peer figure has already been removed.")
        record("peer_value_removed", user, peer, label=peer.label, value=peer.value, period=peer.period.key)
        db.session.delete(peer)


# ---- the return schedule and completeness -------------------------------------------------


def _schedule(template: ReturnTemplate, spec: PeriodSpec) -> int:
    """Add the schedule rows of a template for one period, one per agency that submits it
    (due the template's number of days after the period ends); returns how many were new."""
    period_record = period_row(spec)
    added = 0
    for agency in template.agencies:
        exists = db.session.scalar(select(ReturnDue.id).where(
            ReturnDue.template_id == template.id, ReturnDue.agency_id == agency.id, ReturnDue.period_id == period_record.id))
        if exists is None:
            db.session.add(ReturnDue(template_id=template.id, agency_id=agency.id, period_id=period_record.id,
                                     due_date=spec.end + timedelta(days=template.due_days)))
            added += 1
    return added


def schedule_returns(template_id: int, period_texts: Iterable[str], user) -> tuple[int, int]:
    """Make the schedule rows of a template for each period and each agency that submits
    it: due date = period end + the template's due days. Returns (created, already there)."""
    from app.definition import check_return_period

    template = db.session.get(ReturnTemplate, template_id)
    if template is None:
        raise ServiceError(field_errors={"template_id": ["Choose a return template."]})
    problems, specs = [], []
    for text in period_texts:
        try:
            spec = parse_period(text)
        except PeriodError as error:
            problems.append(str(error))
            continue
        wrong = check_return_period(template, spec)
        problems.extend([wrong] if wrong else [])
        specs.append(spec)
    if not specs and not problems:
        problems.append("Enter at least one period, one a line, for example '2016/17 Q1'.")
    if not template.agencies:
        problems.append(f"No agency submits '{template.name}' yet: choose its agencies in the template's settings.")
    if problems:
        raise ServiceError(field_errors={"periods": problems})
    created = existing = 0
    with transaction():
        for spec in specs:
            added = _schedule(template, spec)
            created, existing = created + added, existing + len(template.agencies) - added
        db.session.flush()
        record("returns_scheduled", user, template, periods=[s.key for s in specs], created=created, existing=existing)
    return created, existing


@dataclass
class CompletenessView:
    periods: list[Period]
    rows: list[tuple[Agency, ReturnTemplate, list[dict | None]]]  # one cell per period: status, note, due
    gaps: list[tuple[str, str, str]] = field(default_factory=list)  # (indicator, area, message)


def scheduled_periods() -> list[Period]:
    query = select(Period).where(Period.id.in_(select(ReturnDue.period_id))).order_by(Period.end_date.desc())
    return list(db.session.scalars(query))


def completeness_view(period=None, as_of: date | None = None, *, with_gaps: bool = True) -> CompletenessView:
    """Received / late / missing / not yet due for the returns due for periods ending in
    the 12 months up to the end of ``period`` (default: the latest scheduled period), and
    the totals that are incomplete on that period's dashboard."""
    as_of = as_of or date.today()
    if period is None:
        scheduled = scheduled_periods()
        if not scheduled:
            return CompletenessView([], [])
        spec = period_of(scheduled[0].key)
    else:
        spec = parse_dashboard_period(period)
    window_start = spec.end - timedelta(days=365)
    periods = list(db.session.scalars(
        select(Period).where(Period.id.in_(select(ReturnDue.period_id)), Period.end_date <= spec.end,
                             Period.end_date > window_start).order_by(Period.end_date, Period.start_date)))
    due_rows = db.session.scalars(
        select(ReturnDue).where(ReturnDue.period_id.in_([p.id for p in periods]))
        .options(selectinload(ReturnDue.agency), selectinload(ReturnDue.template))).all()
    received = db.session.execute(
        select(Submission.agency_id, Submission.template_id, Submission.period_id, func.min(Submission.uploaded_at))
        .where(Submission.status.in_(("current", "superseded")), Submission.period_id.in_([p.id for p in periods]))
        .group_by(Submission.agency_id, Submission.template_id, Submission.period_id)).all()
    schedule = [(d.agency_id, d.template_id, d.period_id, d.due_date) for d in due_rows]
    statuses = completeness(schedule, received, as_of) if schedule else pd.DataFrame()
    cells: dict[tuple[int, int], dict[int, dict]] = {}
    for d, status in zip(due_rows, statuses.to_dict("records") if schedule else []):
        cells.setdefault((d.agency_id, d.template_id), {})[d.period_id] = {
            "status": status["status"], "note": status["note"], "due": d.due_date}
    agencies = {d.agency_id: d.agency for d in due_rows}
    templates = {d.template_id: d.template for d in due_rows}
    rows = [(agencies[a], templates[t], [by_period.get(p.id) for p in periods])
            for (a, t), by_period in sorted(cells.items(), key=lambda kv: (agencies[kv[0][0]].name, templates[kv[0][1]].name))]
    view = CompletenessView(periods, rows)
    if with_gaps:
        table = performance_table(spec)
        names = {a.code: a.name for a in table.areas}
        view.gaps = [(table.indicators[r["indicator"]].name, names[r["area"]], r["aggregate_message"])
                     for r in table.rows.values() if r["aggregate_status"] == "incomplete" and r["aggregate_message"]]
    return view


def signed_off_by(period) -> PeriodSignOff | None:
    period_record = _stored_period(parse_dashboard_period(period))
    return _sign_off_row(period_record.id) if period_record else None


# ---- demo data -------------------------------------------------------------------------------

# Returns the demo agencies owe: (template slug, periods).
DEMO_SCHEDULE = [
    ("appendix-2-da-sv-outputs", ["Dec 2015 - Mar 2016"]),
    ("table-2-da-sv-outcomes", ["Dec 2015 - Mar 2016"]),
    ("cambridgeshire-da-quarterly", ["2014/15 Q1", "2014/15 Q2", "2014/15 Q3", "2014/15 Q4"]),
]


def load_demo_performance(**_) -> None:
    """``flask demo load``: the overall comments of Leicestershire's 2015/16 dashboard (as
    a manager would type them; never their ratings, which are calculated) and a return
    schedule for the demo templates. Nothing a manager has since changed is overwritten;
    flushes only (the demo load commits)."""
    from app.demo.figures import load_seed

    period = period_row("2015/16")
    for block in load_seed()["leicestershire_dashboard_2015_16_q4"]["outcomes"]:
        outcome = db.session.scalar(select(Outcome).where(Outcome.name == block["outcome"]))
        exists = outcome is None or db.session.scalar(select(OutcomeAssessment.id).where(
            OutcomeAssessment.outcome_id == outcome.id, OutcomeAssessment.period_id == period.id))
        if not exists:
            db.session.add(OutcomeAssessment(outcome_id=outcome.id, period_id=period.id, comment=block["comment"]))
    for slug, texts in DEMO_SCHEDULE:
        template = db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == slug))
        for text in texts if template else []:
            _schedule(template, parse_period(text))
    db.session.flush()
