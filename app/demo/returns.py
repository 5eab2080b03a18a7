"""The demo's returns received: the board papers' figures as the returns that brought them in.

``flask demo load`` stores the seed figures (``app.services.demo``); the returns whose figures
the board papers print are then recorded as received, backdated to the day each came in
before the board met (8 June 2016), so the schedule, the start pages, completeness and the
reporting rates agree with the dashboard. Each is the template's blank return filled with the
seed's figures and targets for its period, read and checked by the import's own pipeline
(``app.services.returns.parse_typed``) and stored by its own store (``store_received_return``):
a submission, each figure and target with its sheet and cell. Returns the papers have no
figures for (Cambridgeshire's 2015/16 Q4, Rotherham's months of 2016/17) stay outstanding.
"""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import delete, select

from app.extensions import db
from app.models import (
    DATA_VALUE_IS_CURRENT, TARGET_IS_CURRENT, Agency, Area, DataValue, Indicator, Period, ReturnDue, ReturnTemplate,
    Target,
)
from app.vocabulary import FLAGS_WITHOUT_VALUE

DEMO_SOURCE = "demo"  # Submission.source of a return the demo recorded from its board papers

# Template → (the day its first return came in, the comment it came with). Due 28 April 2016
# (Appendix 2, Table 2) and 30 April 2016 (the police's crime rates).
DEMO_RECEIVED = {
    "appendix-2-da-sv-outputs": (date(2016, 4, 25), "Appendix 2 of the board paper: on time."),
    "police-crime-rates": (date(2016, 5, 3), "Appendix 1's crime rates for 2015/16, sent after the year's "
                                             "figures were published."),
    "table-2-da-sv-outcomes": (date(2016, 5, 9), "Table 2 of the board paper, sent once the exit surveys "
                                                 "were counted."),
}


def _text(value: float | None, flag: str, note: str | None) -> object:
    """A stored figure as an officer would type it into the blank return."""
    if flag in FLAGS_WITHOUT_VALUE:
        return f"N/A - {note}" if note else "N/A"
    if flag in ("estimate", "provisional"):
        return f"{value:g} ({flag})"
    return value


def _seed_values(fields, seed_prefix: str, target_source: str) -> dict[str, object]:
    """Field id → what the seed holds for it (a figure or target the demo loaded, not one a
    return brought in)."""
    indicators = dict(db.session.execute(select(Indicator.slug, Indicator.id)).all())
    areas = dict(db.session.execute(select(Area.code, Area.id)).all())
    periods = dict(db.session.execute(select(Period.key, Period.id)).all())
    values = {}
    for f in fields:
        key = (indicators.get(f.indicator), areas.get(f.area), periods.get(f.period_key))
        if None in key:
            continue
        if f.measure == "value":
            row = db.session.scalar(select(DataValue).where(
                DataValue.indicator_id == key[0], DataValue.area_id == key[1], DataValue.period_id == key[2],
                DATA_VALUE_IS_CURRENT, DataValue.submission_id.is_(None),
                DataValue.source.startswith(seed_prefix)))
            if row is not None:
                values[f.id] = _text(row.value, row.flag, row.note)
        elif f.measure == "target":
            value = db.session.scalar(select(Target.value).where(
                Target.indicator_id == key[0], Target.area_id == key[1], Target.period_id == key[2],
                TARGET_IS_CURRENT, Target.submission_id.is_(None), Target.source == target_source))
            if value is not None:
                values[f.id] = value
    return values


def _forget_seed_rows(submission_id: int, seed_prefix: str, target_source: str) -> None:
    """The seed's own rows of the figures and targets the return now holds go: the return
    brought them in (a figure's history starts with it)."""
    for model, source in ((DataValue, DataValue.source.startswith(seed_prefix)),
                          (Target, Target.source == target_source)):
        keys = db.session.execute(select(model.indicator_id, model.area_id, model.period_id)
                                  .where(model.submission_id == submission_id)).all()
        for indicator_id, area_id, period_id in keys:
            db.session.execute(delete(model).where(
                model.indicator_id == indicator_id, model.area_id == area_id, model.period_id == period_id,
                model.submission_id.is_(None), model.is_current.is_(False), source))
    db.session.flush()


def load_demo_returns(**_) -> None:
    """Record each ``DEMO_RECEIVED`` template's first expected return (its schedule's first
    period) as received on its day, filled from the seed; a return already received (by the
    demo or a real upload) is left alone. Flushes only (the demo load commits)."""
    from app.ingest.typed import entered_fields
    from app.periods import parse_period
    from app.services.demo import DEMO_TARGET_SOURCE, SEED_SOURCE_PREFIX
    from app.services.return_templates import definition_of
    from app.services.returns import parse_typed, store_received_return
    from app.store import submissions as store

    for template in db.session.scalars(select(ReturnTemplate).where(ReturnTemplate.slug.in_(DEMO_RECEIVED))
                                       .order_by(ReturnTemplate.slug)):
        if not template.schedule_from or template.published_version is None:
            continue
        period = parse_period(template.schedule_from)
        received_on, comment = DEMO_RECEIVED[template.slug]
        dues = db.session.execute(select(ReturnDue, Agency).join(Agency, Agency.id == ReturnDue.agency_id).where(
            ReturnDue.template_id == template.id, ReturnDue.period.has(key=period.key),
            ReturnDue.waived_reason.is_(None)).order_by(Agency.slug)).all()
        for due, agency in dues:
            if store.current_submission(agency.id, template.id, due.period_id) is not None:
                continue
            fields = entered_fields(definition_of(template.published_version), period)
            values = _seed_values(fields, SEED_SOURCE_PREFIX, DEMO_TARGET_SOURCE)
            if not any(f.id in values and f.period_key == period.key and f.measure == "value" for f in fields):
                continue  # the papers print none of this period's figures
            source = json.dumps(values, sort_keys=True).encode()
            parsed, _ = parse_typed(values, template_slug=template.slug, period_text=period.key,
                                    agency_slug=agency.slug, user=None, source=source,
                                    filename=f"{template.name}, {period.label} (board paper)")
            submission = store_received_return(parsed, received_on, comment, DEMO_SOURCE)
            _forget_seed_rows(submission.id, SEED_SOURCE_PREFIX, DEMO_TARGET_SOURCE)
