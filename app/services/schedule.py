"""The return schedule and which returns have come in.

Rules
-----
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

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.indicators.periods import period_of
from app.indicators.timeliness import completeness
from app.models import Agency, Area, Indicator, Period, ReturnDue, ReturnTemplate, Submission
from app.periods import PeriodError, PeriodSpec, parse_period
from app.services import ServiceError, transaction
from app.services.audit import record
from app.services.dashboard import parse_dashboard_period
from app.services.results import incomplete_totals
from app.store.reference import period_row


def schedule_period(template: ReturnTemplate, spec: PeriodSpec) -> int:
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
                                     due_date=spec.end + timedelta(days=template.due_days)))
            added += 1
    return added


def schedulable_templates() -> list[ReturnTemplate]:
    """Every return template, by name: the choices of the schedule form."""
    return list(db.session.scalars(select(ReturnTemplate).order_by(ReturnTemplate.name)))


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
            added = schedule_period(template, spec)
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
            for (a, t), by_period in sorted(cells.items(),
                                            key=lambda kv: (agencies[kv[0][0]].name, templates[kv[0][1]].name))]
    view = CompletenessView(periods, rows)
    if with_gaps:
        # The kept results, not the engine: only the rows whose total is incomplete.
        period_record = db.session.scalar(select(Period).where(Period.key == spec.key))
        found = incomplete_totals(spec, period_record.id if period_record else None)
        names = dict(db.session.execute(select(Area.code, Area.name)).all())
        indicators = dict(db.session.execute(select(Indicator.slug, Indicator.name)).all())
        view.gaps = [(indicators[r["indicator"]], names[r["area"]], r["aggregate_message"])
                     for r in found if r["aggregate_message"]]
    return view
