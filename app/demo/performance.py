"""The demo's dashboard additions: overall comments and a return schedule."""
from sqlalchemy import select

from app.extensions import db
from app.models import Outcome, OutcomeAssessment, ReturnTemplate
from app.periods import parse_period
from app.services.schedule import schedule_period
from app.store.reference import period_row

# Returns the demo agencies owe: (template slug, periods).
DEMO_SCHEDULE = [
    ("appendix-2-da-sv-outputs", ["Dec 2015 - Mar 2016"]),
    ("table-2-da-sv-outcomes", ["Dec 2015 - Mar 2016"]),
    ("cambridgeshire-da-quarterly", ["2014/15 Q1", "2014/15 Q2", "2014/15 Q3", "2014/15 Q4"]),
]


def load_demo_performance(**_) -> None:
    """``flask demo load``: the overall comments of Leicestershire's 2015/16 dashboard (as
    a manager would type them; never their ratings, which are calculated) and a return
    schedule for the demo templates. Nothing a manager has since changed is overwritten;
    flushes only (the demo load commits)."""
    from app.demo.figures import load_seed

    period = period_row("2015/16")
    for block in load_seed()["leicestershire_dashboard_2015_16_q4"]["outcomes"]:
        outcome = db.session.scalar(select(Outcome).where(Outcome.name == block["outcome"]))
        exists = outcome is None or db.session.scalar(select(OutcomeAssessment.id).where(
            OutcomeAssessment.outcome_id == outcome.id, OutcomeAssessment.period_id == period.id))
        if not exists:
            db.session.add(OutcomeAssessment(outcome_id=outcome.id, period_id=period.id, comment=block["comment"]))
    for slug, texts in DEMO_SCHEDULE:
        template = db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == slug))
        for text in texts if template else []:
            schedule_period(template, parse_period(text))
    db.session.flush()
