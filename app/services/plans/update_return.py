"""The "action plan update" return: the blank one an agency downloads (its actions in a
plan, with last quarter's status), and recording the updates when it is uploaded through
the returns upload page (``record_if_update_return``: the page hands every upload here
first; anything that is not an update return goes on to the standard returns).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from app.errors import Forbidden, NotFound
from app.extensions import db
from app.models import ActionPlan, Agency, PlanAction
from app.models.base import utcnow
from app.periods import PeriodError, parse_period, quarter_of
from app.policy import can_see_agency, may_update_action
from app.services import ServiceError, transaction
from app.services.audit import record
from app.services.plans.plans import (
    get_plan, history, item_of, objective_label, plan_title, store_update,
)
from app.services.returns import safety_limits
from app.services.settings import today
from app.vocabulary import RAG_NAMES

# The update return's reader and writer, and the ingest pipeline's workbook reading they use,
# are imported by the functions that read or write one, not with the app (issue 16).
if TYPE_CHECKING:
    from app.plans.update_return import ReturnAction

CORE_PROPERTIES = "docProps/core.xml"


def _agency(slug: str) -> Agency:
    agency = db.session.scalar(select(Agency).where(Agency.slug == (slug or "")[:60]))
    if agency is None:
        raise NotFound("No such agency.")
    return agency


def _quarter(text: str):
    try:
        period = parse_period(text) if text else quarter_of(today())
    except PeriodError:
        period = None
    if period is None or period.kind != "quarter":
        raise ServiceError(field_errors={"quarter": [f"'{text}' is not a quarter. Write it like 2016/17 Q1."]})
    return period


def _agency_actions(plan: ActionPlan, agency: Agency) -> list[PlanAction]:
    return sorted((a for a in plan.actions if a.lead_agency_id == agency.id),
                  key=lambda a: (a.objective.number if a.objective else 10**6, a.id))


def _return_action(row: PlanAction, quarter_key: str) -> ReturnAction:
    """The action with the last update before ``quarter_key`` (else its status as it stands)."""
    from app.plans.update_return import ReturnAction

    before = [u for u in history(row) if u.quarter < quarter_key]
    last = before[-1] if before else None
    rag = (last.rag if last and last.rag else row.rag) or ""
    status = (last.status if last and last.status else row.status) or ""
    return ReturnAction(row.id, objective_label(row.objective), row.action, item_of(row).timescale.text(),
                        RAG_NAMES.get(rag, ""), status.capitalize(), f"{last.quarter}: {last.text}" if last else "")


def blank_update_return(plan_id: int, agency_slug: str, quarter_text: str, user) -> tuple[str, bytes]:
    """(file name, workbook) of the agency's blank update return for the quarter (blank: this one)."""
    from app.export.plan_update_return import build_update_return

    plan = get_plan(plan_id, user)
    agency = _agency(agency_slug)
    if plan.kind == "dhr":
        raise NotFound("The DHR master plan has no update return: its actions are updated on the DHR pages.")
    if not (can_see_agency(user, agency.id) and may_update_action(user, plan.kind, agency.id)):
        raise Forbidden("You may download the update return of your own agency only.")
    period = _quarter(quarter_text)
    actions = _agency_actions(plan, agency)
    if not actions:
        raise NotFound(f"{agency.name} leads no action in this plan.")
    data = build_update_return(plan_id=plan.id, plan_title=plan_title(plan), agency_slug=agency.slug,
                               agency_name=agency.name, quarter=period.key, quarter_label=period.label,
                               actions=[_return_action(a, period.key) for a in actions], generated_at=utcnow())
    name = re.sub(r"[^a-z0-9]+", "-", f"action-plan-update {agency.slug} {period.key}".lower()).strip("-")
    return f"{name}.xlsx", data


@dataclass(frozen=True)
class RecordedUpdates:
    plan_id: int
    agency: str
    quarter: str
    count: int


def _looks_like_update_return(data: bytes, limits) -> bool:
    """The workbook's keywords say so (its core properties: read without opening the sheets)."""
    from app.ingest.problems import IngestError
    from app.ingest.safety import open_checked_zip, read_zip_member
    from app.plans.update_return import FORMAT

    try:
        with open_checked_zip(data, "", limits) as archive:
            if CORE_PROPERTIES not in archive.namelist():
                return False
            return FORMAT.encode() in read_zip_member(archive, CORE_PROPERTIES, limits)
    except IngestError:
        return False  # not a workbook we can open: the standard returns say why


def record_if_update_return(data: bytes, agency_slug: str, user) -> RecordedUpdates | None:
    """None if ``data`` is not an action plan update return. Otherwise record every update
    on it in one transaction, or refuse the whole return with every problem (sheet, cell and
    sentence) under the file field."""
    from app.ingest.problems import IngestError
    from app.ingest.read import read_workbook
    from app.plans.update_return import identity_of, read_updates

    limits = safety_limits()
    if not _looks_like_update_return(data, limits):
        return None
    try:
        workbook, _ = read_workbook(data, limits, need_formats=False)
    except IngestError as error:
        raise ServiceError(field_errors={"file": [str(p) for p in error.problems]}) from None
    identity = identity_of(workbook)
    if identity is None:
        return None
    plan = db.session.get(ActionPlan, identity.plan_id) if 0 < identity.plan_id < 2**31 else None
    agency = db.session.scalar(select(Agency).where(Agency.slug == identity.agency_slug[:60]))
    if plan is None or plan.kind == "dhr" or agency is None:
        raise ServiceError(field_errors={"file": [
            "This action plan update return is for a plan or agency that is no longer here. Download a new one "
            "from the plan's page."]})
    if agency_slug and agency_slug != agency.slug:
        raise ServiceError(field_errors={"agency": [
            f"This update return is {agency.name}'s. Choose {agency.name} as the agency, or upload your own "
            "agency's return."]})
    if not may_update_action(user, plan.kind, agency.id):
        raise Forbidden("You may upload your own agency's update return only.")
    actions = {a.id: a for a in _agency_actions(plan, agency)}
    updates, problems = read_updates(workbook, identity, set(actions))
    if problems:
        raise ServiceError(field_errors={"file": [str(p) for p in problems]})
    with transaction():
        for returned in updates:
            store_update(actions[returned.action_id], returned.update, {}, user, "return")
        record("plan_update_return_recorded", user, plan, agency=agency.slug, quarter=identity.quarter,
               updates=len(updates))
    return RecordedUpdates(plan.id, agency.name, updates[0].update.quarter, len(updates))
