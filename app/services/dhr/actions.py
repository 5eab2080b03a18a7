"""The DHR master action plan: actions, their RAG, and quarterly progress updates.

Each function that changes something is one transaction and records an audit event.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.dhr.actions import Action, ActionUpdate, action_rag, validate_action
from app.errors import NotFound
from app.extensions import db
from app.models import DhrCase, PlanAction, PlanActionUpdate
from app.services import ServiceError, transaction
from app.services.audit import record
from app.services.dhr.budget import agency_named
from app.services.dhr.problems import field_errors, refuse
from app.services.dhr.settings import current_date
from app.store.plans import dhr_plan_row
from app.store.rows import get_row


def _dhr_actions():
    """The master plan's actions (an action plan of kind "dhr": app.models.plans)."""
    return select(PlanAction).join(PlanAction.plan).where(PlanAction.plan.has(kind="dhr"))


def list_actions() -> list[PlanAction]:
    return db.session.scalars(_dhr_actions().order_by(PlanAction.id)).all()


def get_action(action_id: int) -> PlanAction:
    row = get_row(PlanAction, action_id, f"No DHR action {action_id}.")
    if row.plan.kind != "dhr":  # a partnership plan's action is not one of these pages'
        raise NotFound(f"No DHR action {action_id}.")
    return row


def case_actions(case: DhrCase) -> list[PlanAction]:
    """The actions from one case's review, in the order they were added."""
    return db.session.scalars(select(PlanAction).where(PlanAction.case_id == case.id).order_by(PlanAction.id)).all()


def action_of(row: PlanAction) -> Action:
    updates = [ActionUpdate(u.quarter, u.text, u.evidence or "") for u in row.updates]
    return Action(row.id, row.case.pseudonym if row.case else None, row.scope or "single-agency", row.lead_agency,
                  row.action, row.due_date, row.status, row.completed_on, row.impact_review_due, updates)


def action_rag_of(row: PlanAction, on: date | None = None) -> tuple[str, str]:
    return action_rag(action_of(row), on or current_date())


ACTION_FIELDS = ("scope", "lead_agency", "action", "due_date", "status", "completed_on", "impact_review_due")


def save_action(data: dict, acting_user, row: PlanAction | None = None, on: date | None = None) -> PlanAction:
    """Add or change an action. A completed action needs its completion date; its impact
    review is then due 6 months later unless a date is given."""
    case = db.session.get(DhrCase, data["case_id"]) if data.get("case_id") else None
    action = Action(row.id if row else None, case.pseudonym if case else None, data.get("scope") or "",
                    (data.get("lead_agency") or "").strip(), (data.get("action") or "").strip(), data.get("due_date"),
                    data.get("status") or "", data.get("completed_on"), data.get("impact_review_due"))
    errors = field_errors(validate_action(action, on or current_date()))
    if action.status == "complete" and action.completed_on is None:
        errors.setdefault("completed_on", []).append(
            "Enter the date the action was completed, so that a review of its impact can be scheduled.")
    if errors:
        raise ServiceError(field_errors=errors)
    # The lead as written stays; the member agency it names (if one) is the one that reports on it.
    agency = agency_named(action.lead_agency)
    with transaction():
        created = row is None
        if created:
            row = PlanAction(plan=dhr_plan_row())
            db.session.add(row)
        row.case = case
        row.agency = agency
        row.scope, row.lead_agency, row.action, row.status = (
            action.scope,
            action.lead_agency,
            action.action,
            action.status,
        )
        row.due_date, row.completed_on, row.impact_review_due = (
            action.due,
            action.completed_on,
            action.impact_review_due,
        )
        db.session.flush()
        record("dhr_action_created" if created else "dhr_action_updated", acting_user, row, status=row.status)
    return row


def add_action_update(row: PlanAction, data: dict, acting_user, on: date | None = None) -> PlanActionUpdate:
    """A quarterly progress update with its evidence; the quarter is stored as its key
    ("Q1 2016/17" → "2016/17 Q1")."""
    update = ActionUpdate((data.get("quarter") or "").strip(), (data.get("text") or "").strip(),
                          (data.get("evidence") or "").strip())
    action = action_of(row)
    action.updates = [update]
    refuse(validate_action(action, on or current_date()), prefix="updates[0].")
    with transaction():
        saved = PlanActionUpdate(action_item=row, quarter=update.quarter, text=update.text,
                                evidence=update.evidence or None, created_by_id=getattr(acting_user, "id", None))
        db.session.add(saved)
        db.session.flush()
        record("dhr_action_update_added", acting_user, row, quarter=update.quarter)
    return saved


