"""The return schedule and which returns have come in.

Rules
-----
**Expected returns.** A published template with agencies and a first period
(``ReturnTemplate.schedule_from``, set by an administrator) is owed by each of its agencies
for that period and every following one of the same length that has begun by today
(``app.services.settings.today``; a span template's one period only), due the template's
due days after the period ends. The rows are generated (``generate_due_returns``), never
scheduled by hand; reading the schedule brings it up to date. A manager may still add a
return (with a reason) or waive one (with a reason): a waived return is expected of
nobody and counts nowhere.

**Completeness.** Each ``ReturnDue`` row (agency × template × period, due date = period
end + the template's ``due_days``) is received, late, missing or not yet due
(``app.indicators.timeliness``), counting the first receipt of a current or superseded
submission. The completeness page for P shows the returns due for periods ending in the
12 months up to P's end, and every total on P's dashboard still waiting for a district.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.indicators.periods import period_of
from app.models import Agency, Period, ReturnDue, ReturnTemplate, Submission, TemplateVersion
from app.models.base import utcnow
from app.periods import PeriodError, PeriodSpec, parse_period, periods_from
from app.services import ServiceError, transaction
from app.services.audit import record
from app.services.dashboard import dashboard_order, parse_dashboard_period
from app.services.results import incomplete_totals
from app.services.settings import today
from app.store.reference import period_row
from app.store.rows import get_row


# ---- generated from the templates --------------------------------------------------------------------

def _first_period(template: ReturnTemplate, text: str) -> PeriodSpec:
    """The period ``text`` names, if it suits the template's frequency; else ServiceError."""
    from app.definition import check_return_period

    try:
        spec = parse_period(text)
    except PeriodError as error:
        raise ServiceError(field_errors={"schedule_from": [str(error)]}) from None
    wrong = check_return_period(template, spec)
    if wrong:
        raise ServiceError(field_errors={"schedule_from": [wrong]})
    return spec


def expected_periods(template: ReturnTemplate, until: date | None = None) -> list[PeriodSpec]:
    """The periods a template is owed for, from its first period to those begun by ``until``
    (default today); none if it has no first period or is not published."""
    if not template.schedule_from or template.published_version is None:
        return []
    return periods_from(parse_period(template.schedule_from), until or today())


def _missing_due_returns(until: date | None = None) -> list[ReturnDue]:
    """The rows every template's schedule lacks (not added to the session). Templates with
    their agencies in one read, only those with a published version (asked as such, not by
    loading every version's layout), and the periods in one read."""
    published = (select(TemplateVersion.id).where(TemplateVersion.template_id == ReturnTemplate.id,
                                                  TemplateVersion.status == "published").exists())
    templates = [t for t in db.session.scalars(
        select(ReturnTemplate).where(ReturnTemplate.schedule_from.is_not(None), published)
        .options(selectinload(ReturnTemplate.agencies)).order_by(ReturnTemplate.id)) if t.agencies]
    if not templates:
        return []
    held = {tuple(row) for row in db.session.execute(
        select(ReturnDue.template_id, ReturnDue.agency_id, ReturnDue.period_id).where(
            ReturnDue.template_id.in_([t.id for t in templates])))}
    until = until or today()
    # (as ``expected_periods``: the templates read are published)
    expected = [(template, periods_from(parse_period(template.schedule_from), until)) for template in templates]
    keys = sorted({spec.key for _, specs in expected for spec in specs})
    periods = {p.key: p for p in db.session.scalars(select(Period).where(Period.key.in_(keys)))} if keys else {}
    missing = []
    for template, specs in expected:
        for spec in specs:
            period_id = (periods.get(spec.key) or period_row(spec)).id
            for agency in template.agencies:
                if (template.id, agency.id, period_id) not in held:
                    missing.append(ReturnDue(template_id=template.id, agency_id=agency.id, period_id=period_id,
                                             due_date=spec.end + timedelta(days=template.due_days)))
                    held.add((template.id, agency.id, period_id))
    return missing


def generate_due_returns(until: date | None = None) -> int:
    """Add the missing rows of every template's schedule (flushes); returns how many."""
    missing = _missing_due_returns(until)
    if missing:
        db.session.add_all(missing)
        db.session.flush()
    return len(missing)


def bring_schedule_up_to_date(until: date | None = None) -> int:
    """Generate whatever the templates now owe by ``until`` (default today: a new period
    begun, a template published). Commits only when rows were added: finding the schedule
    up to date (nearly every read) does not commit, which would expire every row the
    request has already loaded."""
    for attempt in range(2):
        missing = _missing_due_returns(until)
        if not missing:
            return 0
        try:
            with transaction():
                db.session.add_all(missing)
            return len(missing)
        except ServiceError:
            # Another worker added some of the same rows a moment ago (the unique key refused
            # ours): read again what is still missing, rather than fail the page.
            if attempt:
                raise
    return 0


@dataclass
class TemplateSchedule:
    template: ReturnTemplate
    periods: list[PeriodSpec]  # expected so far, oldest first


def template_schedules() -> list[TemplateSchedule]:
    """Every published template with what it is owed so far (the schedule page)."""
    bring_schedule_up_to_date()
    return [TemplateSchedule(t, expected_periods(t)) for t in schedulable_templates() if t.published_version]


def set_schedule_start(template_id: int, period_text: str, user) -> int:
    """An administrator sets the first period a template is owed for; the schedule is
    generated from it at once. Returns how many returns were added."""
    template = db.session.get(ReturnTemplate, template_id)
    if template is None:
        raise ServiceError("There is no such template.")
    spec = _first_period(template, (period_text or "").strip())
    if template.published_version is None:
        raise ServiceError(f"Publish '{template.name}' first: only a published template is owed.")
    if not template.agencies:
        raise ServiceError(f"No agency submits '{template.name}' yet: choose its agencies in the template's settings.")
    with transaction():
        before = template.schedule_from
        template.schedule_from = spec.key
        added = generate_due_returns()
        record("schedule_start_set", user, template, before=before, after=spec.key, added=added)
    return added


def due_return(due_id: int) -> ReturnDue:
    """An expected return, or NotFound."""
    return get_row(ReturnDue, due_id)


def waive_due_return(due_id: int, reason: str, user) -> ReturnDue:
    """A manager waives an expected return, saying why; it is then expected of nobody."""
    due = db.session.get(ReturnDue, due_id)
    if due is None:
        raise ServiceError("There is no such expected return.")
    if not (reason or "").strip():
        raise ServiceError(field_errors={"reason": ["Say why this return is not needed."]})
    with transaction():
        due.waived_reason, due.waived_by_id, due.waived_at = reason.strip(), getattr(user, "id", None), utcnow()
        record("return_waived", user, due, template=due.template.slug, agency=due.agency.slug,
               period=due.period.key, reason=due.waived_reason)
    return due


def schedule_period(template: ReturnTemplate, spec: PeriodSpec, reason: str | None = None) -> int:
    """Add the schedule rows of a template for one period, one per agency that submits it
    (due the template's number of days after the period ends); returns how many were new."""
    period_record = period_row(spec)
    added = 0
    for agency in template.agencies:
        exists = db.session.scalar(select(ReturnDue.id).where(
            ReturnDue.template_id == template.id, ReturnDue.agency_id == agency.id,
            ReturnDue.period_id == period_record.id))
        if exists is None:
            db.session.add(ReturnDue(template_id=template.id, agency_id=agency.id, period_id=period_record.id,
                                     due_date=spec.end + timedelta(days=template.due_days), added_reason=reason))
            added += 1
    return added


def schedulable_templates() -> list[ReturnTemplate]:
    """Every return template, by name: the choices of the schedule form."""
    return list(db.session.scalars(select(ReturnTemplate).order_by(ReturnTemplate.name)))


def schedule_returns(template_id: int, period_texts: Iterable[str], user, reason: str | None = None
                     ) -> tuple[int, int]:
    """A manager adds returns the template's schedule does not generate, with a reason: one
    per period and agency that submits it, due the template's due days after the period
    ends. Returns (created, already there)."""
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
            added = schedule_period(template, spec, (reason or "").strip() or None)
            created, existing = created + added, existing + len(template.agencies) - added
        db.session.flush()
        record("returns_scheduled", user, template, periods=[s.key for s in specs], created=created, existing=existing,
               reason=(reason or "").strip() or None)
    return created, existing


@dataclass
class CompletenessView:
    periods: list[Period]
    rows: list[tuple[Agency, ReturnTemplate, list[dict | None]]]  # one cell per period: status, note, due
    gaps: list[tuple[str, str, str]] = field(default_factory=list)  # (indicator, area, message)
    scheduled: list[Period] = field(default_factory=list)  # every period with a schedule (``scheduled_periods``)


def first_receipts(period_ids: list[int]) -> list[tuple[int, int, int, date]]:
    """(agency, template, period, the day it was first received) for these periods: the
    day a current or superseded submission counts as received (``received_on``, else the
    day it was uploaded)."""
    rows = db.session.execute(
        select(Submission.agency_id, Submission.template_id, Submission.period_id, Submission.received_on,
               func.min(Submission.uploaded_at))
        .where(Submission.status.in_(("current", "superseded")), Submission.period_id.in_(period_ids))
        .group_by(Submission.agency_id, Submission.template_id, Submission.period_id, Submission.received_on)).all()
    first: dict[tuple[int, int, int], date] = {}
    for agency_id, template_id, period_id, received_on, uploaded_at in rows:
        day = received_on or uploaded_at.date()
        key = (agency_id, template_id, period_id)
        first[key] = min(first.get(key, day), day)
    return [(*key, day) for key, day in first.items()]


def scheduled_periods() -> list[Period]:
    query = select(Period).where(Period.id.in_(select(ReturnDue.period_id))).order_by(
        Period.end_date.desc(), Period.start_date, Period.id)  # a tie of ends: the longer period first, always
    return list(db.session.scalars(query))


def completeness_view(period=None, as_of: date | None = None, *, with_gaps: bool = True) -> CompletenessView:
    """Received / late / missing / not yet due for the returns due for periods ending in
    the 12 months up to the end of ``period`` (default: the latest scheduled period), and
    the totals that are incomplete on that period's dashboard."""
    from app.indicators.timeliness import statuses
    now = today()
    bring_schedule_up_to_date(now)
    as_of = as_of or now
    scheduled = scheduled_periods()
    if period is None:
        if not scheduled:
            return CompletenessView([], [])
        spec = period_of(scheduled[0].key)
    else:
        spec = parse_dashboard_period(period)
    window_start = spec.end - timedelta(days=365)
    periods = list(db.session.scalars(
        select(Period).where(Period.id.in_(select(ReturnDue.period_id).where(ReturnDue.waived_reason.is_(None))),
                             Period.end_date <= spec.end,
                             Period.end_date > window_start).order_by(Period.end_date, Period.start_date)))
    due_rows = db.session.scalars(
        select(ReturnDue).where(ReturnDue.period_id.in_([p.id for p in periods]), ReturnDue.waived_reason.is_(None))
        .options(joinedload(ReturnDue.agency), joinedload(ReturnDue.template))).all()
    received = first_receipts([p.id for p in periods])
    schedule = [(d.agency_id, d.template_id, d.period_id, d.due_date) for d in due_rows]
    cells: dict[tuple[int, int], dict[int, dict]] = {}
    for d, status in zip(due_rows, statuses(schedule, received, as_of)):
        cells.setdefault((d.agency_id, d.template_id), {})[d.period_id] = {
            "status": status.status, "note": status.note, "due": d.due_date, "id": d.id}
    agencies = {d.agency_id: d.agency for d in due_rows}
    templates = {d.template_id: d.template for d in due_rows}
    rows = [(agencies[a], templates[t], [by_period.get(p.id) for p in periods])
            for (a, t), by_period in sorted(cells.items(),
                                            key=lambda kv: (agencies[kv[0][0]].name, templates[kv[0][1]].name))]
    view = CompletenessView(periods, rows, scheduled=scheduled)
    if with_gaps:
        # The kept results, not the engine: only the rows whose total is incomplete.
        period_record = db.session.scalar(select(Period).where(Period.key == spec.key))
        found = [r for r in incomplete_totals(spec, period_record.id if period_record else None)
                 if r["aggregate_message"]]
        if found:
            from app.store.indicator_inputs import area_rows, indicator_rows  # (it loads pandas)
            indicators = {i.slug: i.name for i in indicator_rows()}
            areas = {a.code: a.name for a in area_rows()}
            key = dashboard_order(indicators, areas)
            found.sort(key=lambda r: key(r["indicator"], r["area"]))
            view.gaps = [(indicators[r["indicator"]], areas[r["area"]], r["aggregate_message"]) for r in found]
    return view
