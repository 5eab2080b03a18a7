"""What the DHR rules are applied with: today's date and the configured statutory clocks."""
from __future__ import annotations

from datetime import date

from flask import current_app

from app.dhr.clocks import ClockRule
from app.services.settings import today


def current_date() -> date:
    """Today, for the clocks and RAGs: the partnership's today (``app.services.settings``),
    its "as at" date if one is set."""
    return today()


def clock_rule() -> ClockRule:
    """The statutory clocks, from the configuration if set (DHR_DECISION_WITHIN_MONTHS,
    DHR_REVIEW_WITHIN_MONTHS, DHR_AMBER_DAYS), else the Home Office's 1 and 6 months
    with amber at 30 days or fewer left."""
    default = ClockRule()
    config = current_app.config
    return ClockRule(
        decision_within_months=int(config.get("DHR_DECISION_WITHIN_MONTHS", default.decision_within_months)),
        review_within_months=int(config.get("DHR_REVIEW_WITHIN_MONTHS", default.review_within_months)),
        amber_days=int(config.get("DHR_AMBER_DAYS", default.amber_days)),
    )
