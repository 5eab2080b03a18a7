"""The dashboard for a period: what it shows and who sees what.

``performance_table(period)`` reads the indicator engine's rows as kept in the database
(``app.services.results``; ``app.indicators.rows``: which figures each row compares is
its rule), then adds what people added (ratings, commentary, peer values);
``dashboard_view`` arranges it by outcome for a person (with filters);
``app.services.dashboard_export`` turns the same table into the board's workbook.

Rules
-----
**Headline rows.** The dashboard shows each indicator once, for its *headline area*: the
first county with a figure, else the first wider footprint, else the first district (in
the admin's area order). An indicator that is never combined across areas and whose
county supplied no total is shown district by district instead. The district strip
beside a headline row lists each district in that area with its own RAG. Filtering by
area shows that area's rows instead. An indicator with nothing stored by the period's
end is not shown, nor is an outcome none of whose indicators has.

**Ratings shown.** A manager's override or manual rating for P (``app.services.ratings``)
replaces the engine's; an outcome's overall RAG is ``outcome_rag`` of its shown rows'
ratings (after overrides), unless its ``OutcomeAssessment`` overrides it with a reason.
**Commentary** (indicator comments, outcome assessments) shown for P is P's own, else
that of the year P ends (``periods_whose_commentary_applies``).
**Peer values** are figures for the period they describe, so the latest figure
is compared with the peer values of *its* period; with none, a position published for
that period (``PeerPosition``) is shown, saying so (``compare.peer_comparison``).

**Who sees what.** Managers and admins see every row. An officer sees a row only if every
stored figure behind its latest and previous values came from their own agency (so a
county total of several agencies' figures is not shown to any one of them), plus the
name, overall RAG and non-internal comment of outcomes in which they see a row.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.errors import NotFound
from app.extensions import db
from app.indicators import apply_override, outcome_rag
from app.indicators.model import RagResult
from app.indicators.periods import period_of
from app.indicators.table import (
    FIGURE_COLUMNS,
    STORED_COLUMNS,
    DashboardTable,
    IndicatorRow,
    as_indicator_rows,
)
from app.models import (
    Agency,
    Area,
    Commentary,
    DataValue,
    Indicator,
    Outcome,
    OutcomeAssessment,
    PeerPosition,
    PeerValue,
    Period,
    PeriodSignOff,
    RagSetting, Submission, DATA_VALUE_IS_CURRENT,
)
from app.periods import PeriodError, PeriodSpec, periods_whose_commentary_applies
from app.policy import visible_agency_ids
from app.services import ServiceError, results
from app.vocabulary import RAG_NAMES

if TYPE_CHECKING:
    import pandas as pd

# pandas and the engine's comparisons are imported where they run, not at the app's start (issue 16).

NO_OUTCOME = "Indicators not under an outcome"
CHART_POINTS = 8  # periods on a row's chart: what ``dashboard_view`` reads for each row shown


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


PERIOD_ORDER = (Period.end_date.desc(), Period.start_date.asc())  # latest end first, longest first on a tie


def periods_with_figures() -> list[Period]:
    """Periods that have a current figure, latest end first (longest first on a tie)."""
    return list(db.session.scalars(select(Period).where(results.period_has_kept_rows()).order_by(*PERIOD_ORDER)))


def latest_period_with_figures() -> PeriodSpec | None:
    periods = periods_with_figures()
    return period_of(periods[0].key) if periods else None


def stored_period(spec: PeriodSpec) -> Period | None:
    return db.session.scalar(select(Period).where(Period.key == spec.key))


def sign_off_row(period_id: int) -> PeriodSignOff | None:
    return db.session.scalar(select(PeriodSignOff).where(PeriodSignOff.period_id == period_id))


# ---- the figures behind a dashboard -------------------------------------------------------


def _lists(frame: pd.DataFrame, *columns: str) -> list[list]:
    """Columns as plain lists: zipping lists is far faster than zipping pandas' string arrays."""
    return [frame[column].tolist() for column in columns]


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    """A frame from query rows, built column by column (several times faster than row by row)."""
    import pandas as pd
    data = list(zip(*rows)) if rows else [()] * len(columns)
    return pd.DataFrame({name: list(values) for name, values in zip(columns, data)}, columns=columns)


def _stored_rows(end: date, area_codes: set[str] | None = None, periods: set[str] | None = None) -> pd.DataFrame:
    """Current stored figures for periods ending on or before ``end`` (of these areas and
    periods; None: all), with their origin.
    Read as ids and named afterwards: tens of thousands of figures share a few hundred
    names, so the database need not send each name with every row."""
    query = (
        select(DataValue.indicator_id, DataValue.area_id, DataValue.period_id, DataValue.value, DataValue.flag,
               DataValue.agency_id, DataValue.submission_id)
        .join(Period, DataValue.period_id == Period.id)
        .where(DATA_VALUE_IS_CURRENT, Period.end_date <= end)
    )
    if area_codes is not None:
        query = query.where(DataValue.area_id.in_(select(Area.id).where(Area.code.in_(sorted(area_codes)))))
    if periods is not None:
        query = query.where(Period.key.in_(sorted(periods)))
    frame = _frame(db.session.connection().execute(query).all(), STORED_COLUMNS)  # Core: no ORM row handling
    names_of = (("indicator", Indicator, Indicator.slug), ("area", Area, Area.code), ("period", Period, Period.key))
    for column, model, name in names_of:
        names = dict(db.session.execute(select(model.id, name)).all())
        frame[column] = frame[column].map(names).astype(object)
    frame["value"] = frame["value"].astype(float)
    return frame


def data_as_at(end: date) -> datetime | None:
    """When the newest current figure for a period ending by ``end`` was stored. A return's
    figures are stored with its upload time (``returns._store``), so this is the newest
    return with such a figure — one look-up by return, not a read of every figure (0.6 s
    at 1.28 M) — or the newest figure stored without a return (the demo's)."""
    ending = select(Period.id).where(Period.end_date <= end)
    by_return = db.session.scalar(select(func.max(Submission.uploaded_at)).where(
        select(DataValue.id).where(DataValue.submission_id == Submission.id, DATA_VALUE_IS_CURRENT,
                                   DataValue.period_id.in_(ending)).exists()))
    without_return = db.session.scalar(select(func.max(DataValue.created_at)).where(
        DataValue.submission_id.is_(None), DATA_VALUE_IS_CURRENT, DataValue.period_id.in_(ending)))
    return max((moment for moment in (by_return, without_return) if moment is not None), default=None)


@dataclass(kw_only=True)
class PerformanceTable(DashboardTable):
    """The engine's ``DashboardTable`` for a period, with what the database adds: the
    period's row id, the indicators and outcomes (models), area ids and the sign-off."""

    period_id: int | None
    indicators: dict[str, Indicator]
    outcomes: list[Outcome]
    area_ids: dict[str, int]
    sign_off: PeriodSignOff | None = None
    periods_with_figures: list[Period] = field(default_factory=list)  # as ``periods_with_figures()``
    # The current targets are read when first asked for (the workbook does; a page does not:
    # each row's target is in its kept result).
    targets_source: Callable[[], pd.DataFrame] | None = field(default=None, repr=False)

    @property
    def targets(self) -> pd.DataFrame:
        if self._targets is None and self.targets_source is not None:
            self._targets = self.targets_source()
        return self._targets

    @targets.setter
    def targets(self, value: pd.DataFrame | None) -> None:
        self._targets = value

    def in_order(self, rows: Iterable[IndicatorRow]) -> list[IndicatorRow]:
        """Rows as the dashboard lists them (``dashboard_order``)."""
        key = dashboard_order(self.indicators, (a.code for a in self.areas))
        return sorted(rows, key=lambda r: key(r.indicator, r.area))


def dashboard_order(indicator_slugs: Iterable[str], area_codes: Iterable[str]) -> Callable[[str, str], tuple]:
    """The key a dashboard lists its rows by: indicator, in the admins' order, then area, in
    the partnership's order (each given in that order: ``indicator_rows``, ``area_rows``).
    Kept rows are stored in the order they were worked out, which a partial rework changes;
    anything shown or served lists them this way."""
    indicators = {slug: place for place, slug in enumerate(indicator_slugs)}
    areas = {code: place for place, code in enumerate(area_codes)}
    return lambda indicator, area: (indicators[indicator], areas[area])


def performance_table(period, *, area: str | None = None) -> PerformanceTable:
    """The dashboard for ``period`` (text, key or PeriodSpec): the engine's rows as kept in
    the database (``app.services.results``; worked out from the kept figures if the period
    has none kept), with what people added. ``area``: only that area's rows and those of
    the districts under it (a one-county view reads one county). See the rules of this
    module and of ``app.indicators.rows``."""
    from app.store.indicator_inputs import area_rows, area_specs, indicator_rows, indicator_specs, targets
    spec = parse_dashboard_period(period)
    # Each of these is read once: the outcomes first, so that an indicator's outcome is
    # found among them (no query of its own); the engine's specs from the same rows.
    outcomes = list(db.session.scalars(select(Outcome).order_by(Outcome.sort_order, Outcome.id)))
    indicators = indicator_rows()
    specs = indicator_specs(indicators)
    stored_areas = area_rows()
    areas = area_specs(stored_areas)
    area_ids = {a.code: a.id for a in stored_areas}
    # Every period in one read: this one's row and sign-off, those with figures (the
    # page's choice of period) and the keys the charts' figures are named by.
    periods = db.session.execute(select(Period, results.period_has_kept_rows(), PeriodSignOff)
                                 .outerjoin(PeriodSignOff, PeriodSignOff.period_id == Period.id)
                                 .order_by(*PERIOD_ORDER)).all()
    period_record, sign_off = next(((p, s) for p, _, s in periods if p.key == spec.key), (None, None))
    names = results.known_names({i.id: i.slug for i in indicators}, {a.id: a.code for a in stored_areas},
                                {p.id: p.key for p, _, _ in periods})
    scope = results.scope_codes(areas, area) if area in area_ids else None
    found = results.kept_rows(period_record.id if period_record else None, scope)
    if found is None:
        found = [r for r in results.compute_rows(spec, specs, areas) if scope is None or r["area"] in scope]
    wanted = {r["indicator"] for r in found}

    def figures(pairs):
        frame = results.read_figures(spec.end, indicators={i for i, _ in pairs} if pairs else wanted,
                                     areas={a for _, a in pairs} if pairs else scope)
        frame = frame[frame["has_figure"]]
        if pairs:
            keep = set(pairs)
            frame = frame[[pair in keep for pair in zip(frame["indicator"].tolist(), frame["area"].tolist())]]
        return frame[FIGURE_COLUMNS]

    table = PerformanceTable(
        period=spec, period_id=period_record.id if period_record else None, specs=specs,
        indicators={i.slug: i for i in indicators}, outcomes=outcomes, areas=areas, area_ids=area_ids, stored=None,
        figures=None, targets=None, targets_source=targets,
        figure_source=figures, stored_source=lambda periods=None: _stored_rows(spec.end, scope, periods),
        recent_source=lambda pairs, limit: results.read_recent_figures(spec.end, pairs, limit, names),
        sign_off=sign_off, periods_with_figures=[p for p, kept, _ in periods if kept])
    for row in found:
        row["calculated"] = RagResult(row["rag"], row["rag_reason"] or "")
    table.rows = {(row.indicator, row.area): row for row in as_indicator_rows(found)}
    _add_peer_comparisons(table)
    apply_settings(table)
    return table


def _add_peer_comparisons(table: PerformanceTable) -> None:
    """Compare each headline figure with the peer figures of its own period, else show the
    position published for that period (``compare.peer_comparison``)."""
    from app.indicators.compare import peer_comparison
    keys = {row.period for row in table.rows.values()}
    peers: dict[tuple[str, str], list[tuple[str, float]]] = {}
    query = (select(Indicator.slug, Period.key, PeerValue.label, PeerValue.value)
             .join(Indicator, PeerValue.indicator_id == Indicator.id).join(Period, PeerValue.period_id == Period.id)
             .where(Period.key.in_(keys)).order_by(PeerValue.label))
    for slug, key, label, value in db.session.execute(query):
        peers.setdefault((slug, key), []).append((label, value))
    published: dict[tuple[str, str], list[tuple[str, str]]] = {}
    query = (select(Indicator.slug, Period.key, PeerPosition.label, PeerPosition.position)
             .join(Indicator, PeerPosition.indicator_id == Indicator.id)
             .join(Period, PeerPosition.period_id == Period.id)
             .where(Period.key.in_(keys)).order_by(PeerPosition.label))
    for slug, key, label, position in db.session.execute(query):
        published.setdefault((slug, key), []).append((label, position))
    for row in table.rows.values():
        found = peers.get((row.indicator, row.period), [])
        row.peers = found
        row.peer_comparison, row.peer_basis = (
            peer_comparison(row.latest, [v for _, v in found], table.specs[row.indicator].polarity,
                            published.get((row.indicator, row.period), ()))
            if row.headline else (None, None))


# ---- what people added: ratings and commentary, as shown ----------------------------------


def _current_settings(period_id: int) -> dict[tuple[int, int], RagSetting]:
    query = (select(RagSetting).where(RagSetting.period_id == period_id, RagSetting.is_current.is_(True))
             .options(selectinload(RagSetting.set_by)))
    return {(s.indicator_id, s.area_id): s for s in db.session.scalars(query)}


def _applying(model, spec: PeriodSpec) -> list[list]:
    """The ``model`` rows (Commentary or OutcomeAssessment) stored for each period whose
    commentary a dashboard for ``spec`` shows, in ``periods_whose_commentary_applies``
    order (the period's own first)."""
    keys = [p.key for p in periods_whose_commentary_applies(spec)]
    query = select(model, Period.key).join(Period, model.period_id == Period.id).where(Period.key.in_(keys))
    found: dict[str, list] = {key: [] for key in keys}
    for item, key in db.session.execute(query).all():
        found[key].append(item)
    return [found[key] for key in keys]


def _comments(spec: PeriodSpec) -> list[dict[tuple[int, int | None], Commentary]]:
    """Indicator comments by (indicator id, area id or None), one dict per applying period."""
    return [{(c.indicator_id, c.area_id): c for c in rows} for rows in _applying(Commentary, spec)]


def _comment_for(comments: list[dict], indicator_id: int, area_id: int) -> Commentary | None:
    """The comment shown on a row: the first applying period with a comment on the
    indicator (for the row's area, else for all areas) wins."""
    for by_key in comments:
        comment = by_key.get((indicator_id, area_id)) or by_key.get((indicator_id, None))
        if comment is not None:
            return comment
    return None


def apply_settings(table: PerformanceTable) -> None:
    """Apply the period's overrides and manual ratings, and attach commentary, to the rows."""
    settings = _current_settings(table.period_id) if table.period_id else {}
    comments = [by_key for by_key in _comments(table.period) if by_key]  # a period with none cannot apply
    area_ids, rows = table.area_ids, table.rows
    # Each indicator's id and method once, not once per row (a model's attribute costs more than a dict's item).
    ids = {slug: indicator.id for slug, indicator in table.indicators.items()}
    manual = {slug for slug, indicator in table.indicators.items() if indicator.rag_method == "manual"}
    for row in rows.values():
        key = (ids[row.indicator], area_ids[row.area])
        setting = settings.get(key) if settings else None
        result = row.calculated
        row.setting = None
        if setting is not None and (setting.kind == "override" or row.indicator in manual):
            row.setting = setting
            if setting.kind == "manual":
                result = RagResult(setting.rag, f"Rated {RAG_NAMES[setting.rag]} by a manager: {setting.reason}")
            else:
                result = apply_override(result, setting.rag, setting.reason)
        row.rag, row.rag_reason, row.rag_overridden = result.rag, result.reason, result.overridden
        comment = _comment_for(comments, *key) if comments else None
        row.comment = comment.text if comment else None
        row.comment_internal = bool(comment and comment.internal)
    for row in rows.values():
        if row.strip_codes:
            row.strip = [(code, rows[(row.indicator, code)].rag) for code in row.strip_codes]
        else:
            row.strip = []


# ---- the view people read -----------------------------------------------------------------


@dataclass
class OutcomeView:
    outcome_id: int | None
    name: str
    rows: list[IndicatorRow]
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
    import pandas as pd
    allowed = visible_agency_ids(user) if user is not None else None
    if allowed is None:
        return None
    wanted = pd.DataFrame([(r.indicator, r.area, key) for r in table.rows.values()
                           for key in (r.period, r.previous_period) if key],
                          columns=["indicator", "area", "period"])
    contributions = table.contributions_in(wanted["period"].unique())
    behind = contributions.merge(wanted, on=["indicator", "area", "period"])
    behind = behind.assign(own=behind["agency_id"].isin(allowed))
    everyone_own = behind.groupby(["indicator", "area"])["own"].all()
    return {key for key, own in everyone_own.items() if own}


def outcome_blocks(table: PerformanceTable, rows_for: dict[str, list[IndicatorRow]],
                   assessments: dict[int, OutcomeAssessment]) -> list[OutcomeView]:
    """Outcomes in order, each with its rows (indicator order) and overall RAG and comment."""
    blocks = []
    groups = [(o.id, o.name) for o in table.outcomes] + [(None, NO_OUTCOME)]
    for outcome_id, name in groups:
        rows = rows_for.get(outcome_id, [])
        if not rows:
            continue
        calculated = outcome_rag(r.rag for r in rows)
        assessment = assessments.get(outcome_id)
        result = calculated
        if assessment is not None and assessment.rag_override:
            result = apply_override(calculated, assessment.rag_override, assessment.override_reason or "")
        blocks.append(OutcomeView(
            outcome_id, name, rows, result.rag, result.reason, result.overridden,
            assessment.comment if assessment else None, bool(assessment and assessment.internal),
        ))
    return blocks


def _assessments(spec: PeriodSpec) -> dict[int, OutcomeAssessment]:
    """Each outcome's assessment shown for ``spec``: its own period's, else the year's
    (``periods_whose_commentary_applies``); the one that applies wins whole."""
    shown: dict[int, OutcomeAssessment] = {}
    for rows in reversed(_applying(OutcomeAssessment, spec)):
        shown.update({a.outcome_id: a for a in rows})
    return shown


def _sorted_rows(table: PerformanceTable, rows: Iterable[IndicatorRow]) -> dict[int | None, list[IndicatorRow]]:
    grouped: dict[int | None, list[IndicatorRow]] = {}
    for row in table.in_order(rows):
        grouped.setdefault(table.indicators[row.indicator].outcome_id, []).append(row)
    return grouped


def dashboard_view(period, user=None, *, area: str | None = None, outcome_id: int | None = None,
                   table: PerformanceTable | None = None, charts: bool = True) -> DashboardView:
    """The dashboard for ``period`` as ``user`` may see it, optionally for one area (its
    rows instead of the headline rows) and one outcome; ``charts`` False: without reading
    the charts' figures (the workbook reads its own)."""
    table = table or performance_table(period, area=area)
    if area and area not in table.area_ids:
        raise ServiceError(field_errors={"area": ["Choose an area from the list."]})
    shown = [r for r in table.rows.values() if (r.area == area if area else r.headline)]
    rows = shown
    visible = visible_to(table, user)
    hidden = 0
    if visible is not None:
        hidden = sum((r.indicator, r.area) not in visible for r in rows)
        rows = [replace(r, strip=[(code, rag) for code, rag in r.strip if (r.indicator, code) in visible],
                        comment=None if r.comment_internal else r.comment, comment_internal=False)
                for r in rows if (r.indicator, r.area) in visible]
    blocks = outcome_blocks(table, _sorted_rows(table, rows), _assessments(table.period))
    if visible is not None:
        # The overall RAG uses every row; an officer sees it, but not internal comments.
        # (the rows of the same view, one area's or the headline ones, before hiding any)
        full = outcome_blocks(table, _sorted_rows(table, shown), _assessments(table.period))
        overall = {b.outcome_id: b for b in full}
        blocks = [replace(b, rag=overall[b.outcome_id].rag, rag_reason=overall[b.outcome_id].rag_reason,
                          rag_overridden=overall[b.outcome_id].rag_overridden,
                          comment=None if b.comment_internal else b.comment, comment_internal=False)
                  for b in blocks]
    if outcome_id is not None:
        blocks = [b for b in blocks if b.outcome_id == outcome_id]
    codes = {code for b in blocks for r in b.rows for code, _ in r.strip}
    districts = [(a.code, a.name) for a in table.areas if a.code in codes]
    agency = db.session.get(Agency, user.agency_id) if visible is not None and user.agency_id else None
    # The charts' figures, in one read: each row's last CHART_POINTS of each kind of period.
    if charts:
        table.load_recent(((r.indicator, r.area) for b in blocks for r in b.rows), CHART_POINTS)
    return DashboardView(table, blocks, area, outcome_id, agency, hidden, districts)


def indicator_row(period, indicator_id: int,
                  area_code: str | None = None) -> tuple[PerformanceTable, Indicator, IndicatorRow | None]:
    """(table, indicator, the row for that area — or its headline row) for a review page."""
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None:
        raise NotFound("There is no such indicator.")
    table = performance_table(period)
    if area_code:
        return table, indicator, table.rows.get((indicator.slug, area_code))
    headline = [r for r in table.headline_rows() if r.indicator == indicator.slug]
    return table, indicator, headline[0] if headline else None
