"""The DHR case register: cases, their dates and panel meetings, and their statutory clocks.

Each function that changes something is one transaction and records an audit event.
"""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from app.dhr import long_date
from app.dhr.clocks import CaseDates, ClockState, compute_clocks, validate_dates
from app.extensions import db
from app.models import Area, DhrCase, DhrPanelMeeting
from app.services import ServiceError, transaction
from app.services.audit import record
from app.services.dhr.problems import field_errors
from app.services.dhr.settings import clock_rule, current_date
from app.store.rows import get_row

if TYPE_CHECKING:  # the workbook's row: the export is imported when a row is made (issue 16)
    from app.export.dhr_sheets import CaseRow

CASE_STATUS_LABELS = {
    "under_consideration": "Under consideration",
    "in_progress": "Review in progress",
    "awaiting_trial": "Paused for a criminal trial",
    "with_home_office": "Report with the Home Office",
    "published": "Published",
    "closed": "Closed",
}
# CaseDates field → DhrCase column.
DATE_COLUMNS = {
    "incident": "incident_date", "notification": "notification_date", "decision": "decision_date",
    "home_office_told": "home_office_told_date", "chair_appointed": "chair_appointed_date",
    "author_appointed": "author_appointed_date", "report_sent": "report_sent_date",
    "qa_outcome_date": "qa_outcome_date", "publication": "publication_date",
}
CASE_TEXT_FIELDS = ("qa_outcome", "chair", "author", "delay_reason", "notes")


def list_cases() -> list[DhrCase]:
    return db.session.scalars(select(DhrCase).order_by(DhrCase.pseudonym)).all()


def get_case(case_id: int) -> DhrCase:
    return get_row(DhrCase, case_id, f"No DHR case {case_id}.")


def list_areas() -> list[Area]:
    """The areas a case may belong to, in the partnership's order."""
    return db.session.scalars(select(Area).order_by(Area.sort_order, Area.name)).all()


def case_dates(case: DhrCase, meetings: list[date] | None = None) -> CaseDates:
    values = {name: getattr(case, column) for name, column in DATE_COLUMNS.items()}
    if meetings is None:
        meetings = [m.meeting_date for m in case.panel_meetings]
    return CaseDates(**values, panel_meetings=sorted(meetings), review_type=case.review_type)


def case_clocks(case: DhrCase, on: date | None = None) -> list[ClockState]:
    return compute_clocks(case_dates(case), clock_rule(), on or current_date())


def case_problems(data: dict, case: DhrCase | None = None, on: date | None = None) -> dict[str, list[str]]:
    """Every reason to refuse this case, by form field (pseudonym taken, dates out of
    order or in the future, ...); {} if none."""
    on = on or current_date()
    errors: dict[str, list[str]] = {}
    pseudonym = (data.get("pseudonym") or "").strip()
    clash = db.session.scalar(select(DhrCase).where(func.lower(DhrCase.pseudonym) == pseudonym.lower()))
    if clash is not None and clash is not case:
        errors["pseudonym"] = [f"A case called '{pseudonym}' is already in the register. Choose another pseudonym."]
    if data.get("status") not in CASE_STATUS_LABELS:
        errors["status"] = ["Select the case's status from the list."]
    if data.get("area_id") and db.session.get(Area, data["area_id"]) is None:
        errors["area_id"] = ["Select an area from the list."]
    meetings = [m.meeting_date for m in case.panel_meetings] if case is not None else []
    dates = CaseDates(**{name: data.get(name) for name in DATE_COLUMNS}, panel_meetings=sorted(meetings),
                      review_type=data.get("review_type") or "")
    for name, messages in field_errors(validate_dates(dates, on)).items():
        errors.setdefault(name, []).extend(messages)
    return errors


def save_case(data: dict, acting_user, case: DhrCase | None = None, on: date | None = None) -> DhrCase:
    """Create or change a case from validated form data; the dates must be in order
    and not in the future (``validate_dates``), else nothing is saved."""
    errors = case_problems(data, case, on)
    if errors:
        raise ServiceError(field_errors=errors)
    with transaction("A case with this pseudonym is already in the register."):
        created = case is None
        if created:
            case = DhrCase()
            db.session.add(case)
        case.pseudonym = data["pseudonym"].strip()
        case.area_id = data.get("area_id") or None
        case.review_type = data["review_type"]
        case.status = data["status"]
        for name, column in DATE_COLUMNS.items():
            setattr(case, column, data.get(name))
        for name in CASE_TEXT_FIELDS:
            setattr(case, name, (data.get(name) or "").strip() or None)
        case.chair_cost = data.get("chair_cost")
        case.author_cost = data.get("author_cost")
        db.session.flush()
        record("dhr_case_created" if created else "dhr_case_updated", acting_user, case, pseudonym=case.pseudonym)
    return case


def add_panel_meeting(case: DhrCase, meeting_date: date, acting_user, on: date | None = None) -> DhrPanelMeeting:
    existing = [m.meeting_date for m in case.panel_meetings]
    if meeting_date in existing:
        raise ServiceError(
            field_errors={"meeting_date": [f"A panel meeting on {long_date(meeting_date)} is already recorded."]}
        )
    problems = validate_dates(case_dates(case, existing + [meeting_date]), on or current_date())
    if problems:
        mine = [p.message for p in problems if p.field.startswith("panel_meetings")]
        raise ServiceError(field_errors={"meeting_date": mine or [p.message for p in problems]})
    with transaction():
        meeting = DhrPanelMeeting(case=case, meeting_date=meeting_date)
        db.session.add(meeting)
        db.session.flush()
        record("dhr_panel_meeting_added", acting_user, case, meeting_date=meeting_date.isoformat())
    return meeting


def remove_panel_meeting(case: DhrCase, meeting_id: int, acting_user) -> None:
    meeting = next((m for m in case.panel_meetings if m.id == meeting_id), None)
    if meeting is None:
        raise ServiceError("That panel meeting is no longer recorded.")
    with transaction():
        case.panel_meetings.remove(meeting)
        record("dhr_panel_meeting_removed", acting_user, case, meeting_date=meeting.meeting_date.isoformat())


def case_row(case: DhrCase) -> CaseRow:
    from app.export.dhr_sheets import CaseRow

    return CaseRow(case.pseudonym, case.area.name if case.area else "", CASE_STATUS_LABELS[case.status],
                   case_dates(case), case.qa_outcome or "", case.delay_reason or "")


