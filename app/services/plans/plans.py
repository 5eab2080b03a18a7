"""Action plans, their objectives and actions, quarterly updates, and how they are shown.

One set of functions serves the DHR master plan and the partnership's strategy plans:
who may see or change which is ``app.policy`` (``may_see_plan``, ``may_manage_plan``,
``may_update_action``). The DHR plan's own records (review, scope, completion date) are
entered on the DHR pages (``app.services.dhr.actions``); its actions show here too, with
the RAG the DHR rule works out. Each function that changes something is one transaction
and records an audit event.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.dhr.actions import action_rag
from app.errors import Forbidden, NotFound
from app.indicators.table import kept_records
from app.extensions import db
from app.models import (
    ActionPlan, Agency, Indicator, IndicatorResult, Period, PlanAction, PlanActionUpdate, PlanObjective,
)
from app.plans import (
    ActionLine, IndicatorRating, PlanItem, QuarterlyUpdate, Timescale, UpdateLine, action_flags, milestones,
    validate_item, validate_update,
)
from app.policy import may_manage_plan, may_see_plan, may_update_action
from app.services import ServiceError, transaction
from app.services.audit import record
from app.services.dhr.actions import action_of
from app.services.dhr.problems import field_errors, refuse
from app.services.settings import today
from app.store.rows import get_row
from app.vocabulary import RAG_NAMES

PLAN_KIND_NAMES = {"dhr": "DHR master action plan", "partnership": "Partnership action plan"}


# ---- reading ---------------------------------------------------------------------------

def visible_plans(user) -> list[ActionPlan]:
    plans = db.session.scalars(select(ActionPlan).order_by(ActionPlan.strategy, ActionPlan.theme, ActionPlan.id))
    return [p for p in plans if may_see_plan(user, p.kind)]


def get_plan(plan_id: int, user) -> ActionPlan:
    """The plan, or NotFound if there is none or this person may not know of it."""
    plan = db.session.get(ActionPlan, plan_id) if plan_id is not None and 0 < plan_id < 2**31 else None
    if plan is None or not may_see_plan(user, plan.kind):
        raise NotFound(f"No action plan {plan_id}.")
    return plan


def get_action(action_id: int, user) -> PlanAction:
    row = db.session.get(PlanAction, action_id) if action_id is not None and 0 < action_id < 2**31 else None
    if row is None or not may_see_plan(user, row.plan.kind):
        raise NotFound(f"No action {action_id}.")
    return row


def get_objective(plan: ActionPlan, objective_id: int) -> PlanObjective:
    row = get_row(PlanObjective, objective_id, f"No objective {objective_id}.") if 0 < objective_id < 2**31 else None
    if row is None or row.plan_id != plan.id:
        raise NotFound(f"No objective {objective_id} in this plan.")
    return row


def plan_title(plan: ActionPlan) -> str:
    return f"{plan.strategy}: {plan.theme}" if plan.theme else plan.strategy


def objective_label(objective: PlanObjective | None) -> str:
    return f"{objective.number}. {objective.title}" if objective is not None else ""


def history(row: PlanAction) -> list[PlanActionUpdate]:
    """Every update of the action, oldest quarter first (two in one quarter: in the order given)."""
    return sorted(row.updates, key=lambda u: (u.quarter, u.created_at, u.id))


def _update_line(update: PlanActionUpdate) -> UpdateLine:
    by = update.created_by.name if update.created_by is not None and getattr(update.created_by, "name", None) else ""
    return UpdateLine(update.quarter, update.text, update.status, update.rag, update.source, by)


def latest_ratings(indicator_ids: set[int]) -> dict[int, IndicatorRating]:
    """Each indicator's latest kept rating: its headline row of the latest dashboard period
    that has one (``app.services.results``, the engine's kept rows); of two periods ending
    on the same day (a rolling year and a year to date), the longer."""
    if not indicator_ids:
        return {}
    query = (select(IndicatorResult.indicator_id, IndicatorResult.data, Period.label, Indicator.name)
             .join(Period, Period.id == IndicatorResult.period_id)
             .join(Indicator, Indicator.id == IndicatorResult.indicator_id)
             .where(IndicatorResult.indicator_id.in_(sorted(indicator_ids)), IndicatorResult.headline.is_(True))
             .order_by(Period.end_date.desc(), Period.start_date, IndicatorResult.position))
    found: dict[int, IndicatorRating] = {}
    for indicator_id, data, label, name in db.session.execute(query):
        if indicator_id not in found:
            found[indicator_id] = IndicatorRating(name, kept_records([data])[0].get("rag"), label)
    return found


def shown_rag(row: PlanAction, on: date) -> tuple[str | None, str]:
    """(RAG, why): the DHR plan's worked out by its rule; a partnership action's as its lead
    last reported it."""
    if row.plan.kind == "dhr":
        return action_rag(action_of(row), on)
    if row.rag is None:
        return None, "Not yet rated"
    return row.rag, f"{RAG_NAMES[row.rag]}, as reported by the lead"


def item_of(row: PlanAction) -> PlanItem:
    return PlanItem(row.action, row.lead_agency or "", Timescale(row.due_date, row.ongoing), row.tasks or "",
                    row.rag, row.status, row.tier)


def action_lines(rows: list[PlanAction], on: date | None = None) -> list[ActionLine]:
    on = on or today()
    ratings = latest_ratings({i.id for row in rows for i in row.indicators})
    lines = []
    for row in rows:
        rag, reason = shown_rag(row, on)
        item = item_of(row)
        if row.plan.kind == "dhr":
            item.rag = rag  # the flags judge the RAG the rule gives
        updates = history(row)
        lines.append(ActionLine(
            id=row.id, objective=objective_label(row.objective), action=row.action, lead=row.lead_agency or "",
            agency=row.agency.name if row.agency else "", timescale=item.timescale.text(),
            tasks=tuple(milestones(row.tasks)), tier=row.tier or "", rag=rag, rag_reason=reason, status=row.status,
            flags=tuple(action_flags(item, on)), latest=_update_line(updates[-1]) if updates else None,
            indicators=tuple(ratings.get(i.id, IndicatorRating(i.name, None)) for i in row.indicators)))
    return lines


def plan_lines(plan: ActionPlan, on: date | None = None) -> list[ActionLine]:
    """The plan's actions in objective order, then as added."""
    rows = sorted(plan.actions, key=lambda a: (a.objective.number if a.objective else 10**6, a.id))
    return action_lines(rows, on)


def update_lines(row: PlanAction) -> list[UpdateLine]:
    return [_update_line(u) for u in history(row)]


# ---- changing ----------------------------------------------------------------------------

def _require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden("You may not change this action plan.")


def save_plan(data: dict, user, row: ActionPlan | None = None) -> ActionPlan:
    """Add a partnership plan or change a plan's strategy and theme."""
    _require(may_manage_plan(user, row.kind if row else "partnership"))
    strategy, theme = (data.get("strategy") or "").strip(), (data.get("theme") or "").strip()
    errors = {}
    if not strategy:
        errors["strategy"] = ["Enter the strategy this plan delivers, for example 'Domestic Abuse Strategy 2015-18'."]
    elif len(strategy) > 200:
        errors["strategy"] = ["Shorten the strategy's name to 200 characters or fewer."]
    if len(theme) > 200:
        errors["theme"] = ["Shorten the theme to 200 characters or fewer."]
    if errors:
        raise ServiceError(field_errors=errors)
    with transaction():
        created = row is None
        if created:
            row = ActionPlan(kind="partnership")
            db.session.add(row)
        row.strategy, row.theme = strategy, theme
        db.session.flush()
        record("action_plan_created" if created else "action_plan_updated", user, row)
    return row


def save_objective(plan: ActionPlan, data: dict, user, row: PlanObjective | None = None) -> PlanObjective:
    """Add or change an objective: its number (the next one if left blank), title and outcome."""
    _require(may_manage_plan(user, plan.kind))
    title, outcome = (data.get("title") or "").strip(), (data.get("outcome") or "").strip()
    number = data.get("number")
    errors = {}
    if not title:
        errors["title"] = ["Enter the objective."]
    elif len(title) > 4000:
        errors["title"] = ["Shorten the objective to 4,000 characters or fewer."]
    if len(outcome) > 4000:
        errors["outcome"] = ["Shorten the outcome statement to 4,000 characters or fewer."]
    if number is not None and not 1 <= number <= 999:
        errors["number"] = ["Number the objective from 1 to 999."]
    if errors:
        raise ServiceError(field_errors=errors)
    with transaction():
        created = row is None
        if number is None:
            number = row.number if row is not None else max((o.number for o in plan.objectives), default=0) + 1
        if created:
            row = PlanObjective(plan=plan, number=number, title=title)
            db.session.add(row)
        row.number, row.title, row.outcome = number, title, outcome or None
        db.session.flush()
        record("plan_objective_created" if created else "plan_objective_updated", user, row, plan=plan.id)
    return row


def agencies() -> list[Agency]:
    return db.session.scalars(select(Agency).order_by(Agency.name)).all()


def indicators() -> list[Indicator]:
    return db.session.scalars(select(Indicator).order_by(Indicator.name)).all()


def save_action(plan: ActionPlan, data: dict, user, row: PlanAction | None = None) -> PlanAction:
    """Add or change a partnership plan's action (the DHR plan's are entered on the DHR pages)."""
    _require(may_manage_plan(user, plan.kind))
    if plan.kind == "dhr":
        raise ServiceError("Add and change the DHR master plan's actions on the DHR pages.")
    timescale = data.get("timescale")
    item = PlanItem((data.get("action") or "").strip(), (data.get("lead_agency") or "").strip(),
                    timescale if isinstance(timescale, Timescale) else Timescale(), (data.get("tasks") or "").strip(),
                    data.get("rag") or None, data.get("status") or "not started", data.get("tier") or None)
    problems = validate_item(item)
    objective = agency = None
    extra: dict[str, list[str]] = {}
    if data.get("objective_id"):
        objective = db.session.get(PlanObjective, data["objective_id"]) if 0 < data["objective_id"] < 2**31 else None
        if objective is None or objective.plan_id != plan.id:
            extra["objective_id"] = ["Choose one of this plan's objectives."]
    if data.get("lead_agency_id"):
        agency = db.session.get(Agency, data["lead_agency_id"]) if 0 < data["lead_agency_id"] < 2**31 else None
        if agency is None:
            extra["lead_agency_id"] = ["Choose an agency from the list."]
    wanted = [i for i in (data.get("indicator_ids") or []) if isinstance(i, int)]
    linked = db.session.scalars(select(Indicator).where(Indicator.id.in_(wanted))).all() if wanted else []
    if len(linked) != len(set(wanted)):
        extra["indicator_ids"] = ["Choose indicators from the list."]
    if extra:
        raise ServiceError(field_errors={**field_errors(problems), **extra})
    refuse(problems)
    with transaction():
        created = row is None
        if created:
            row = PlanAction(plan=plan)
            db.session.add(row)
        row.objective, row.agency, row.indicators = objective, agency, list(linked)
        row.action, row.lead_agency, row.tasks = item.action, item.lead, item.tasks or None
        row.due_date, row.ongoing = item.timescale.due, item.timescale.ongoing
        row.rag, row.status, row.tier = item.rag, item.status, item.tier
        db.session.flush()
        record("plan_action_created" if created else "plan_action_updated", user, row, plan=plan.id)
    return row


def add_update(row: PlanAction, data: dict, user, source: str = "web") -> PlanActionUpdate:
    """A quarterly update by the action's lead agency (or whoever manages the plan): the
    progress made, and the status and RAG as they now stand, which become the action's."""
    if not may_update_action(user, row.plan.kind, row.lead_agency_id):
        raise Forbidden("Only the lead agency or the plan's managers may update this action.")
    update = _checked_update(data)
    with transaction():
        saved = store_update(row, update, data, user, source)
        record("plan_action_update_added", user, row, quarter=update.quarter, source=source)
    return saved


def _checked_update(data: dict, where: str = "") -> QuarterlyUpdate:
    update = QuarterlyUpdate((data.get("quarter") or "").strip(), (data.get("text") or "").strip(),
                             data.get("status") or None, data.get("rag") or None)
    refuse(validate_update(update, where))
    return update


def store_update(row: PlanAction, update: QuarterlyUpdate, data: dict, user, source: str) -> PlanActionUpdate:
    saved = PlanActionUpdate(action_item=row, quarter=update.quarter, text=update.text,
                             evidence=(data.get("evidence") or "").strip() or None, status=update.status,
                             rag=update.rag if row.plan.kind != "dhr" else None, source=source,
                             created_by_id=getattr(user, "id", None))
    db.session.add(saved)
    if update.status:
        row.status = update.status
    if update.rag and row.plan.kind != "dhr":
        row.rag = update.rag
    db.session.flush()
    return saved
