"""The audit log: who did what, when. ``record`` flushes only (the calling use case
commits); ``audit_view`` and ``audit_csv`` are the admins' audit page and its download,
which name people, agencies, areas, indicators and templates (never their slugs or ids)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Agency, ApiToken, Area, AuditEvent, DhrBudgetYear, DhrCase, Indicator, Outcome, PeerValue, PeriodSignOff,
    RagSetting, ReturnDue, ReturnTemplate, Submission, Target, TemplateVersion, User,
)
from app.periods import fy_label
from app.vocabulary import audit_action_label

PER_PAGE = 50


def record(action: str, user=None, obj=None, **detail) -> AuditEvent:
    """``user``: the person (or None: the command line), or an API caller, whose token the
    event names (``api_token``) as it is no person."""
    if getattr(user, "api_token_id", None) is not None:
        detail = {**detail, "api_token": user.api_token_id}
    event = AuditEvent(
        action=action,
        user_id=getattr(user, "id", None),
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        detail=detail or None,
    )
    db.session.add(event)
    db.session.flush()
    return event


# ---- the audit page -------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    person_id: int | None = None  # who did it (None: anyone; 0: nobody signed in)
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None  # inclusive


@dataclass
class AuditLine:
    at: datetime
    who: str
    action: str  # in words
    what: str  # what it was done to, in words
    detail: str  # the rest, in words


@dataclass
class AuditView:
    lines: list[AuditLine]
    total: int
    page: int
    pages: int
    people: list[tuple[int, str]]  # (id, name) of everyone who appears in the log
    actions: list[tuple[str, str]]  # (action, words) of every action in the log


def _name(model, key_column, key):
    return db.session.scalar(select(model.name).where(key_column == key)) if key is not None else None


# A detail key's label, and how a value under it is turned into a name.
_NAMED = {
    "indicator": ("Indicator", lambda v: _name(Indicator, Indicator.slug, v)),
    "area": ("Area", lambda v: _name(Area, Area.code, v)),
    "agency": ("Agency", lambda v: _name(Agency, Agency.slug, v)),
    "template": ("Template", lambda v: _name(ReturnTemplate, ReturnTemplate.slug, v)),
    "candidates": ("Could be", lambda v: ", ".join(_name(ReturnTemplate, ReturnTemplate.slug, t) or t for t in v)),
}
# Keys that hold ids or codes nobody reads (the object itself is named in "what").
_HIDDEN = {"by", "sha256", "agency_slug"}


def _detail_text(detail: dict | None) -> str:
    parts = []
    for key, value in (detail or {}).items():
        if key in _HIDDEN or key.endswith("_id") or value in (None, "", [], {}):
            continue
        if key in _NAMED:
            label, namer = _NAMED[key]
            value = namer(value) or "(since removed)"
        else:
            label = key.replace("_", " ").capitalize()
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            elif isinstance(value, bool):
                value = "yes" if value else "no"
        parts.append(f"{label}: {value}")
    return "; ".join(parts)


def _object_text(object_type: str | None, object_id: int | None) -> str:
    """The object an event was about, in words; empty when it is gone or there was none."""
    describe = _DESCRIBE.get(object_type or "")
    row = db.session.get(describe[0], object_id) if describe and object_id is not None else None
    return describe[1](row) if row is not None else ""


_DESCRIBE = {
    "User": (User, lambda r: r.name),
    "ApiToken": (ApiToken, lambda r: f"API token {r.name}"),
    "Agency": (Agency, lambda r: r.name),
    "Area": (Area, lambda r: r.name),
    "Indicator": (Indicator, lambda r: r.name),
    "Outcome": (Outcome, lambda r: r.name),
    "Target": (Target, lambda r: f"Target for {r.indicator.name}, {r.area.name}, {r.period.label}"),
    "TemplateVersion": (TemplateVersion, lambda r: f"{r.template.name}, version {r.number}"),
    "ReturnTemplate": (ReturnTemplate, lambda r: r.name),
    "Submission": (Submission, lambda r: f"{r.agency.name}'s {r.template.name} for {r.period.label}"),
    "ReturnDue": (ReturnDue, lambda r: f"{r.agency.name}'s {r.template.name} for {r.period.label}"),
    "RagSetting": (RagSetting, lambda r: f"Rating of {r.indicator.name}, {r.area.name}, {r.period.label}"),
    "PeerValue": (PeerValue, lambda r: f"Peer figure {r.label} for {r.indicator.name}, {r.period.label}"),
    "PeriodSignOff": (PeriodSignOff, lambda r: r.period.label),
    "DhrCase": (DhrCase, lambda r: f"DHR case {r.pseudonym}"),
    "DhrBudgetYear": (DhrBudgetYear, lambda r: f"DHR budget {fy_label(r.year_start)}"),
}


def _filtered(filters: AuditFilters):
    query = select(AuditEvent)
    if filters.person_id == 0:
        query = query.where(AuditEvent.user_id.is_(None))
    elif filters.person_id is not None:
        query = query.where(AuditEvent.user_id == filters.person_id)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.date_from:
        query = query.where(AuditEvent.at >= datetime.combine(filters.date_from, time.min))
    if filters.date_to:
        query = query.where(AuditEvent.at < datetime.combine(filters.date_to + timedelta(days=1), time.min))
    return query


def _line(event: AuditEvent) -> AuditLine:
    who = event.user.name if event.user else "Nobody signed in"
    return AuditLine(event.at, who, audit_action_label(event.action),
                     _object_text(event.object_type, event.object_id), _detail_text(event.detail))


def audit_view(filters: AuditFilters, page: int = 1, per_page: int = PER_PAGE) -> AuditView:
    """One page of the audit log, newest first, with what its filters can choose from."""
    query = _filtered(filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    events = db.session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                                .offset((page - 1) * per_page).limit(per_page)).all()
    people = db.session.execute(select(User.id, User.name).where(
        User.id.in_(select(AuditEvent.user_id).distinct())).order_by(User.name)).all()
    actions = sorted({(a, audit_action_label(a)) for a in db.session.scalars(select(AuditEvent.action).distinct())},
                     key=lambda pair: pair[1])
    return AuditView([_line(e) for e in events], total, page, pages, [tuple(p) for p in people], actions)


def csv_safe(text: str) -> str:
    """A cell a spreadsheet shows as text: one starting = + - @ (or a tab or carriage
    return) could be run as a formula, so it is prefixed with an apostrophe."""
    return "'" + text if text and text[0] in "=+-@\t\r" else text


def audit_csv(filters: AuditFilters) -> str:
    """Every row the filters select, newest first, as CSV (When, Who, What was done, To what, Details)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["When", "Who", "What was done", "To what", "Details"])
    events = db.session.scalars(_filtered(filters).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    for event in events:
        line = _line(event)
        writer.writerow([csv_safe(cell) for cell in (line.at.strftime("%Y-%m-%d %H:%M:%S"), line.who, line.action,
                                                     line.what, line.detail)])
    return out.getvalue()
