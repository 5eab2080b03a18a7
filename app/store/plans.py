"""The DHR master action plan's row: there is one, made when first needed (flushes)."""
from sqlalchemy import select

from app.extensions import db
from app.models import ActionPlan

DHR_STRATEGY, DHR_THEME = "Domestic Homicide Reviews", "Master action plan"


def dhr_plan_row() -> ActionPlan:
    plan = db.session.scalar(select(ActionPlan).where(ActionPlan.kind == "dhr").order_by(ActionPlan.id).limit(1))
    if plan is None:
        plan = ActionPlan(kind="dhr", strategy=DHR_STRATEGY, theme=DHR_THEME)
        db.session.add(plan)
        db.session.flush()
    return plan
