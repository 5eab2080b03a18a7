"""The demo's partnership action plan: Kirklees's Domestic Abuse Strategy 2015-18 action
plan, from the seed (``kirklees_da_action_plan_2015_16`` in seed_figures.json: five
actions with their objective, leads, timescale, RAG and tier; the objectives' wording
where the pack's scan kept it).

The seed says nothing of which indicators the actions are meant to move; the demo links
two of them to the partnership's domestic abuse indicators, so the plan shows linked
indicators' ratings as a real plan would. Idempotent: a plan of the same strategy and
theme is left as it is.
"""
from __future__ import annotations

from sqlalchemy import select

from app.demo.figures import load_seed
from app.extensions import db
from app.models import ActionPlan, Indicator, PlanAction, PlanObjective
from app.plans import parse_timescale, rag_code

SEED_KEY = "kirklees_da_action_plan_2015_16"
# action number in the seed's examples (1-based) → indicators (by name) it is meant to move
DEMO_LINKS = {
    1: ["Total number of domestic abuse incidents reported to the Police"],
    5: ["% of referrals into the IDVA service that engage with the service"],
}


def load_demo_plans(indicators: dict[str, Indicator] | None = None, **_) -> None:
    seed = load_seed()[SEED_KEY]
    strategy, theme = f"Kirklees {seed['strategy']}", seed["theme"]
    exists = db.session.scalar(select(ActionPlan.id).where(ActionPlan.strategy == strategy, ActionPlan.theme == theme))
    if exists is not None:
        return
    plan = ActionPlan(kind="partnership", strategy=strategy, theme=theme)
    db.session.add(plan)
    numbers = sorted({example["objective"] for example in seed["examples"]})
    objectives = {n: PlanObjective(plan=plan, number=n, title=seed["objectives"].get(str(n), f"Objective {n}"))
                  for n in numbers}
    by_name = indicators or {i.name: i for i in db.session.scalars(select(Indicator))}
    for position, example in enumerate(seed["examples"], start=1):
        timescale = parse_timescale(example["timescale"])
        linked = [by_name[name] for name in DEMO_LINKS.get(position, []) if name in by_name]
        db.session.add(PlanAction(
            plan=plan, objective=objectives[example["objective"]], action=example["action"],
            lead_agency=example["lead"], due_date=timescale.due, ongoing=timescale.ongoing,
            rag=rag_code(example["rag"]), status="in progress", tier=example["tier"], indicators=linked))
    db.session.flush()
