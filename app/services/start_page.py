"""What each person has to do next, for the start page ("what you need to do next").

Rules
-----
**An officer's returns.** Every return the schedule expects of the officer's agency (never a
waived one), each with its deadline and one status: *overdue* (not received, its due
date passed), *due* (not received, due today or later), *received* (stored, on time or
late) or *accepted* (received, and its period signed off by a manager). Outstanding
returns come first (overdue, then due, soonest deadline first), then the latest received.
"Today" is the partnership's (``app.services.settings.today``). A return with a draft typed
into the web form says when the draft was saved.

**A manager's, an administrator's and a DHR co-ordinator's work.** The returns overdue
across the partnership and the reporting rate; templates without a first period owed
(administrators set them); DHR cases with an overdue clock and overdue actions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import DhrCase, ReturnDue, ReturnTemplate
from app.policy import MANAGERS, ADMINS, in_group, may_see_dhr, own_agency_only
from app.services.schedule import bring_schedule_up_to_date, first_receipts
from app.services.settings import as_at_date, today
from app.services.web_entry import drafts_for
from app.store import submissions as store

RECEIVED_SHOWN = 8  # received returns listed under the outstanding ones


@dataclass(frozen=True)
class ExpectedReturn:
    due_id: int
    template_slug: str
    template_name: str
    agency_slug: str
    agency_name: str
    period_key: str
    period_label: str
    deadline: date
    status: str  # overdue | due | received | accepted
    note: str  # "41 days overdue", "Received 3 days late", ...
    submission_id: int | None  # the current submission, if received
    has_blank: bool  # a blank return can be downloaded (not a template that reads the agency's own sheet)
    # When a draft of it, typed into the web form, was last saved (None: there is none).
    draft_saved_at: datetime | None = None


@dataclass
class StartPage:
    as_at: date | None  # the partnership's "as at" date, if one is set
    today: date
    returns: list[ExpectedReturn] = field(default_factory=list)  # an officer's
    overdue: int = 0  # partnership-wide (managers)
    received_pct: float | None = None
    unscheduled: list[str] = field(default_factory=list)  # published templates without a first period (admins)
    dhr_overdue_clocks: int = 0
    dhr_overdue_actions: int = 0
    officer: bool = False  # shows their agency's returns
    manages_returns: bool = False  # shows the partnership's overdue returns and reporting rate
    sets_as_at: bool = False  # may change the "as at" date
    has_work: bool = False


def _note(status: str, days: int, deadline: date) -> str:
    s = "" if days == 1 else "s"
    if status == "overdue":
        return f"{days} day{s} overdue"
    if status == "due":
        return "Due today" if days == 0 else f"Due in {days} day{s}"
    return "Received on time" if days <= 0 else f"Received {days} day{s} late"


def expected_returns(agency_ids: list[int] | None, as_of: date) -> list[ExpectedReturn]:
    """The returns expected of these agencies (None: all), with their status as at ``as_of``."""
    from app.indicators.timeliness import statuses as worked_out
    query = (select(ReturnDue).where(ReturnDue.waived_reason.is_(None))
             .options(selectinload(ReturnDue.agency), selectinload(ReturnDue.template), selectinload(ReturnDue.period)))
    if agency_ids is not None:
        query = query.where(ReturnDue.agency_id.in_(agency_ids))
    rows = db.session.scalars(query).all()
    if not rows:
        return []
    drafts = drafts_for(sorted({d.agency_id for d in rows}))
    statuses = worked_out([(d.agency_id, d.template_id, d.period_id, d.due_date) for d in rows],
                          first_receipts(sorted({d.period_id for d in rows})), as_of)
    out = []
    for due, status in zip(rows, statuses):
        current = store.current_submission(due.agency_id, due.template_id, due.period_id)
        if status.came_in:
            kind = "accepted" if store.period_signed_off(due.period_id) else "received"
            days = status.days_late
        elif status.status == "missing":
            kind, days = "overdue", status.days_late
        else:
            kind, days = "due", (due.due_date - as_of).days
        version = due.template.published_version
        has_blank = version is not None and not any(
            sheet.get("layout") == "tables" for sheet in (version.definition or {}).get("sheets", []))
        out.append(ExpectedReturn(due.id, due.template.slug, due.template.name, due.agency.slug, due.agency.name,
                                  due.period.key, due.period.label, due.due_date, kind,
                                  _note(kind, days, due.due_date), current.id if current else None, has_blank,
                                  drafts.get((due.agency_id, due.template_id, due.period_id))))
    order = {"overdue": 0, "due": 1}
    outstanding = sorted((r for r in out if r.status in order), key=lambda r: (order[r.status], r.deadline))
    received = sorted((r for r in out if r.status not in order), key=lambda r: r.deadline, reverse=True)
    return outstanding + received[:RECEIVED_SHOWN]


def start_page(user) -> StartPage:
    """The person's start page: what they need to do next."""
    bring_schedule_up_to_date()
    now = today()
    page = StartPage(as_at_date(), now)
    page.officer, page.manages_returns, page.sets_as_at = (own_agency_only(user), in_group(user, MANAGERS),
                                                           in_group(user, ADMINS))
    if page.officer:
        page.returns = expected_returns([user.agency_id], now)
        page.has_work = bool(page.returns)
    if page.manages_returns:
        from app.services.reporting import reporting_rates_view

        rates = reporting_rates_view(now)
        page.overdue = rates.overall.expected - rates.overall.received
        page.received_pct = rates.overall.received_pct
        page.has_work = True
    if page.sets_as_at:
        page.unscheduled = [t.name for t in db.session.scalars(select(ReturnTemplate).order_by(ReturnTemplate.name))
                            if t.published_version is not None and not t.schedule_from]
    if may_see_dhr(user):
        from app.services.dhr import action_rag_of, case_clocks, list_actions

        page.dhr_overdue_clocks = sum(
            1 for case in db.session.scalars(select(DhrCase))
            if any(clock.status == "overdue" for clock in case_clocks(case, now)))
        page.dhr_overdue_actions = sum(1 for action in list_actions()
                                       if action_rag_of(action, now)[1].startswith("Overdue"))
        page.has_work = True
    return page
