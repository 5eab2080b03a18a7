"""The Action Plan sheet of the consolidated workbook, from every partnership plan."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.export.action_plan_sheet import action_plan_sheet_writer
from app.export.dashboard_data import SheetWriter
from app.extensions import db
from app.models import ActionPlan
from app.services.plans.plans import plan_lines, plan_title
from app.services.settings import today


def action_plan_sheets(on: date | None = None) -> list[SheetWriter]:
    """One sheet listing the partnership plans' actions (not the DHR plan's: restricted,
    on its own sheet), with the count by RAG and tier."""
    on = on or today()
    plans = db.session.scalars(select(ActionPlan).where(ActionPlan.kind == "partnership")
                               .order_by(ActionPlan.strategy, ActionPlan.theme, ActionPlan.id)).all()
    return [action_plan_sheet_writer([(plan_title(p), plan_lines(p, on)) for p in plans], on)]
