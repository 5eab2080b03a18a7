"""The demo's dashboard additions: how Appendix 1's indicators are compared, overall
comments and the templates' first periods owed (their schedule), and one return a
manager added."""
from sqlalchemy import select

from app.extensions import db
from app.models import Indicator, Outcome, OutcomeAssessment, ReturnTemplate
from app.periods import parse_period
from app.services.schedule import generate_due_returns, schedule_period
from app.store.reference import period_row

# The first period each demo template is owed for; the schedule is generated from it up to
# the demo's "as at" date (8 June 2016, the board meeting): Living Without Abuse's
# Dec 2015 - Mar 2016 returns (a one-off span) due 28 April 2016, Leicestershire Police's
# 2015/16 crime rates due 30 April 2016, Cambridgeshire's quarters from 2015/16 Q4,
# Rotherham's months from April 2016 and the county council's 2016/17 DHR budget.
DEMO_SCHEDULE_FROM = {
    "appendix-2-da-sv-outputs": "Dec 2015 - Mar 2016",
    "table-2-da-sv-outcomes": "Dec 2015 - Mar 2016",
    "cambridgeshire-da-quarterly": "2015/16 Q4",
    "rotherham-table-4": "Apr 2016",
    "dhr-budget-return": "2016/17",
    "police-crime-rates": "2015/16",
}

# A return a manager added beyond the schedule (a span template is owed once), with the
# reason: Living Without Abuse's output figures for the first quarter of 2016/17, due 28
# July 2016, so its officer, whose Dec 2015 - Mar 2016 returns are in (app.demo.returns),
# has the next one to send.
DEMO_ADDED_RETURNS = {
    "appendix-2-da-sv-outputs": ("2016/17 Q1", "The board asked for the service's first quarter of 2016/17 "
                                               "at its September meeting."),
}

# Appendix 1 compares the youth re-offending rate, a cohort measure published over
# periods of changing length, with the latest earlier figure: Apr-Dec 2015 with 2014/15.
DEMO_COMPARISON_BASES = {"youth-reoffending-rate": "latest_earlier_period"}
# Appendix 1's direction of travel came from "current trends based upon the past six
# months" (paragraph 3), figures the paper does not print. These stable bands are the
# ones under which its two years' figures give the directions it published: crime
# rates stable within ±13.5% (total +3.1%, vehicle +11.3%, violence -13.0% stable;
# burglary +13.9% worsening), survey and MARAC percentages within ±5 points (MARAC
# -2.2 and ASB victims +0.1 stable; confidence +6.6 improving). Others keep the default 2.
DEMO_STABLE_BANDS = {
    "total-crime-rate": 13.5, "domestic-burglary-rate": 13.5, "vehicle-crime-rate": 13.5,
    "violence-with-injury-rate": 13.5, "marac-repeat-cases-pct": 5.0, "asb-victims-pct": 5.0,
    "asb-confidence-pct": 5.0,
}


def _configure_comparisons() -> None:
    for indicator in db.session.scalars(select(Indicator).where(
            Indicator.slug.in_([*DEMO_COMPARISON_BASES, *DEMO_STABLE_BANDS]))):
        indicator.comparison_basis = DEMO_COMPARISON_BASES.get(indicator.slug, "same_period_last_year")
        indicator.stable_within = DEMO_STABLE_BANDS.get(indicator.slug, indicator.stable_within)


PUBLISHED_POSITION_LABEL = "County comparison, Appendix 1"


def _load_published_positions(seed: dict) -> None:
    """Appendix 1's County Comparison (Top / Average / Bottom) for each indicator's latest
    period: the paper publishes the position, not its peers' figures, so it is stored as a
    published position (``PeerPosition``), through the upload's own store."""
    from app.indicators.periods import period_of
    from app.models import PeerPosition
    from app.services.peer_figures import PeerRow, store_peer_rows

    by_name = {i.name: i for i in db.session.scalars(select(Indicator))}
    rows = []
    for block in seed["leicestershire_dashboard_2015_16_q4"]["outcomes"]:
        for item in block["indicators"]:
            indicator = by_name.get(item["name"].replace("poulation", "population"))
            if indicator is None or not item.get("county_comparison"):
                continue
            period = period_of(item.get("latest_period", "2015-16"))
            held = db.session.scalar(select(PeerPosition.id).join(PeerPosition.period).where(
                PeerPosition.indicator_id == indicator.id, PeerPosition.label == PUBLISHED_POSITION_LABEL,
                PeerPosition.period.has(key=period.key)))
            if held is None:
                rows.append(PeerRow(0, indicator.id, period, PUBLISHED_POSITION_LABEL,
                                    position=item["county_comparison"]))
    store_peer_rows(rows)


def load_demo_performance(**_) -> None:
    """``flask demo load``: how Appendix 1's indicators are compared (``DEMO_COMPARISON_BASES``,
    ``DEMO_STABLE_BANDS``), its published County Comparison, the overall comments of
    Leicestershire's 2015/16 dashboard (as a manager would type them; never their ratings,
    which are calculated) and a return schedule for the demo templates (with ``DEMO_ADDED_RETURNS``). Nothing a manager
    has since changed is overwritten; flushes only (the demo load commits)."""
    from app.demo.figures import load_seed

    _configure_comparisons()
    _load_published_positions(load_seed())
    period = period_row("2015/16")
    for block in load_seed()["leicestershire_dashboard_2015_16_q4"]["outcomes"]:
        outcome = db.session.scalar(select(Outcome).where(Outcome.name == block["outcome"]))
        exists = outcome is None or db.session.scalar(select(OutcomeAssessment.id).where(
            OutcomeAssessment.outcome_id == outcome.id, OutcomeAssessment.period_id == period.id))
        if not exists:
            db.session.add(OutcomeAssessment(outcome_id=outcome.id, period_id=period.id, comment=block["comment"]))
    for template in db.session.scalars(select(ReturnTemplate).where(ReturnTemplate.slug.in_(DEMO_SCHEDULE_FROM))):
        if template.schedule_from is None:  # an administrator's choice is kept
            template.schedule_from = parse_period(DEMO_SCHEDULE_FROM[template.slug]).key
    db.session.flush()
    generate_due_returns()
    for template in db.session.scalars(select(ReturnTemplate).where(ReturnTemplate.slug.in_(DEMO_ADDED_RETURNS))):
        period, reason = DEMO_ADDED_RETURNS[template.slug]
        schedule_period(template, parse_period(period), reason)
    db.session.flush()

