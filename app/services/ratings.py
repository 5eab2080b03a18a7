"""What managers add to a dashboard period: ratings, commentary, outcome assessments and
peer values. One transaction each, audited; refused while the period is signed off.

Rules
-----
**Ratings.** The engine rates by the indicator's rule and polarity; estimates and missing
figures get no RAG unless the rule says so. A manager's *override* (reason required)
replaces the rating and is shown as overridden with the calculated rating kept; a
*manual* rating counts only while the indicator's rule is "manual". Both are
``RagSetting`` rows for the dashboard period P (a rating belongs to the report: the next
report rates afresh), never deleted: the latest is current, earlier ones are history.
An outcome's overall RAG may be overridden, with a reason, by its ``OutcomeAssessment``
for P.

**Commentary** is stored for P too: per indicator (for one area, or for all its areas), and
an overall comment per outcome; a dashboard shows P's own, else that of the year P ends
(``app.periods.periods_whose_commentary_applies``: a year's comments show on its Q4);
either may be marked internal (left out of the public
workbook and of officers' view). **Peer values** are figures for the period they
describe (see ``app.services.dashboard`` for how they are compared).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.errors import NotFound
from app.extensions import db
from app.indicators.table import IndicatorRow
from app.models import Area, Commentary, Indicator, Outcome, OutcomeAssessment, PeerValue, Period, RagSetting
from app.services import ServiceError, transaction
from app.services.audit import record
from app.services.dashboard import indicator_row, parse_dashboard_period, stored_period
from app.services.sign_off import editable_period
from app.store.reference import period_row
from app.vocabulary import RAGS
from app.store.rows import get_row


def _area_by_code(code: str | None, field_name: str = "area") -> Area:
    area = db.session.scalar(select(Area).where(Area.code == (code or "").strip()))
    if area is None:
        raise ServiceError(field_errors={field_name: ["Choose an area from the list."]})
    return area


def _indicator(indicator_id: int) -> Indicator:
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None:
        raise ServiceError("There is no such indicator.")
    return indicator


def _current_ratings(indicator: Indicator, area: Area, period: Period) -> list[RagSetting]:
    return list(db.session.scalars(select(RagSetting).where(
        RagSetting.indicator_id == indicator.id, RagSetting.area_id == area.id,
        RagSetting.period_id == period.id, RagSetting.is_current.is_(True))))


def get_indicator(indicator_id: int) -> Indicator:
    """The indicator, or NotFound."""
    return get_row(Indicator, indicator_id, "There is no such indicator.")


def get_outcome(outcome_id: int) -> Outcome:
    """The outcome, or NotFound."""
    return get_row(Outcome, outcome_id, "There is no such outcome.")


@dataclass
class IndicatorReview:
    """What a manager reviews of an indicator for a period: its row for ``area_code``
    (given, or its headline area's), that area, whether the period is locked and the
    area's rating history."""

    indicator: Indicator
    row: IndicatorRow | None
    area_code: str | None
    area: Area | None
    locked: bool
    history: list[RagSetting] = field(default_factory=list)


def indicator_review(period, indicator_id: int, area_code: str | None = None) -> IndicatorReview:
    """The review of an indicator for ``period``, for one area or its headline row;
    NotFound for an unknown indicator or area."""
    table, indicator, row = indicator_row(period, indicator_id, area_code)
    code = area_code or (row.area if row else None)
    area = db.session.scalar(select(Area).where(Area.code == code)) if code else None
    if area_code and area is None:
        raise NotFound("There is no such area.")
    locked = bool(table.sign_off and table.sign_off.locked)
    history = rating_history(period, indicator.id, code) if code else []
    return IndicatorReview(indicator, row, code, area, locked, history)


def set_rating(period, indicator_id: int, area_code: str, kind: str, rag: str, reason: str, user) -> RagSetting:
    """A manager's override of the calculated RAG, or the manual RAG of an indicator rated
    by hand. Earlier settings stay as history; audited."""
    spec = parse_dashboard_period(period)
    indicator = _indicator(indicator_id)
    errors: dict[str, list[str]] = {}
    if kind not in ("override", "manual"):
        errors["kind"] = ["Choose whether this overrides the calculated rating or is a manual rating."]
    elif kind == "manual" and indicator.rag_method != "manual":
        errors["kind"] = [f"'{indicator.name}' is rated by its rule; to change its rating, override it."]
    if rag not in RAGS:
        errors["rag"] = ["Choose Red, Amber or Green."]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["Give the reason for this rating: it is shown beside it and kept in the audit log."]
    if errors:
        raise ServiceError(field_errors=errors)
    with transaction():
        period_record = editable_period(spec)
        area = _area_by_code(area_code)
        for old in _current_ratings(indicator, area, period_record):
            old.is_current = False
        setting = RagSetting(kind=kind, indicator_id=indicator.id, area_id=area.id, period_id=period_record.id,
                             rag=rag, reason=reason, set_by_id=user.id, is_current=True)
        db.session.add(setting)
        db.session.flush()
        record(f"rag_{kind}_set", user, setting, indicator=indicator.slug, area=area.code, period=spec.key,
               rag=rag, reason=reason)
    return setting


def withdraw_rating(period, indicator_id: int, area_code: str, user) -> None:
    """Go back to the calculated rating (the withdrawn setting stays as history)."""
    spec = parse_dashboard_period(period)
    indicator = _indicator(indicator_id)
    with transaction():
        period_record = editable_period(spec)
        area = _area_by_code(area_code)
        current = _current_ratings(indicator, area, period_record)
        if not current:
            raise ServiceError("There is no rating set by a manager to withdraw.")
        for setting in current:
            setting.is_current = False
            record(f"rag_{setting.kind}_withdrawn", user, setting, indicator=indicator.slug, area=area.code,
                   period=spec.key, rag=setting.rag)


def rating_history(period, indicator_id: int, area_code: str) -> list[RagSetting]:
    spec = parse_dashboard_period(period)
    period_record = stored_period(spec)
    area = db.session.scalar(select(Area).where(Area.code == area_code))
    if period_record is None or area is None:
        return []
    query = (select(RagSetting).where(RagSetting.period_id == period_record.id, RagSetting.indicator_id == indicator_id,
                                      RagSetting.area_id == area.id)
             .order_by(RagSetting.set_at.desc(), RagSetting.id.desc()).options(selectinload(RagSetting.set_by)))
    return list(db.session.scalars(query))


def save_commentary(period, indicator_id: int, area_code: str | None, text: str, internal: bool,
                    user) -> Commentary | None:
    """Set (or, with empty text, remove) the comment on an indicator for a period — for
    one area, or for all its areas when ``area_code`` is empty."""
    spec = parse_dashboard_period(period)
    indicator = _indicator(indicator_id)
    text = (text or "").strip()
    with transaction():
        period_record = editable_period(spec)
        area = _area_by_code(area_code) if area_code else None
        same_area = Commentary.area_id == area.id if area else Commentary.area_id.is_(None)
        comment = db.session.scalar(select(Commentary).where(
            Commentary.indicator_id == indicator.id, Commentary.period_id == period_record.id, same_area))
        if not text:
            if comment is None:
                raise ServiceError(field_errors={"text": ["Enter the comment."]})
            db.session.delete(comment)
            record("commentary_removed", user, comment, indicator=indicator.slug, period=spec.key)
            return None
        created = comment is None
        comment = comment or Commentary(indicator_id=indicator.id, period_id=period_record.id,
                                        area_id=area.id if area else None)
        comment.text, comment.internal, comment.author_id = text, bool(internal), user.id
        db.session.add(comment)
        db.session.flush()
        record("commentary_saved", user, comment, indicator=indicator.slug, period=spec.key,
               area=area.code if area else None, internal=bool(internal), created=created)
    return comment


def outcome_assessment(period, outcome_id: int) -> OutcomeAssessment | None:
    period_record = stored_period(parse_dashboard_period(period))
    if period_record is None:
        return None
    return db.session.scalar(select(OutcomeAssessment).where(
        OutcomeAssessment.outcome_id == outcome_id, OutcomeAssessment.period_id == period_record.id))


def save_outcome_assessment(period, outcome_id: int, comment: str, internal: bool, rag_override: str | None,
                            override_reason: str, user) -> OutcomeAssessment:
    """The overall comment of an outcome for a period and, optionally, an overridden
    overall RAG (with its reason). Audited."""
    spec = parse_dashboard_period(period)
    outcome = db.session.get(Outcome, outcome_id)
    if outcome is None:
        raise ServiceError("There is no such outcome.")
    rag_override = rag_override or None
    override_reason = (override_reason or "").strip() or None
    errors: dict[str, list[str]] = {}
    if rag_override is not None and rag_override not in RAGS:
        errors["rag_override"] = ["Choose Red, Amber or Green, or keep the calculated rating."]
    if rag_override and not override_reason:
        errors["override_reason"] = [
            "Give the reason for overriding the overall rating: it is shown beside it and audited."]
    if errors:
        raise ServiceError(field_errors=errors)
    with transaction():
        period_record = editable_period(spec)
        assessment = db.session.scalar(select(OutcomeAssessment).where(
            OutcomeAssessment.outcome_id == outcome.id, OutcomeAssessment.period_id == period_record.id))
        assessment = assessment or OutcomeAssessment(outcome_id=outcome.id, period_id=period_record.id)
        before = assessment.rag_override
        assessment.comment = (comment or "").strip() or None
        assessment.internal = bool(internal)
        assessment.rag_override = rag_override
        assessment.override_reason = override_reason if rag_override else None
        assessment.author_id = user.id
        db.session.add(assessment)
        db.session.flush()
        record("outcome_assessment_saved", user, assessment, outcome=outcome.name, period=spec.key,
               rag_override=rag_override, previous_override=before, reason=assessment.override_reason)
    return assessment


def peer_values(indicator_id: int) -> list[PeerValue]:
    query = (select(PeerValue).join(Period).where(PeerValue.indicator_id == indicator_id)
             .order_by(Period.end_date.desc(), PeerValue.label).options(selectinload(PeerValue.period)))
    return list(db.session.scalars(query))


def save_peer_value(indicator_id: int, period, label: str, value, user) -> PeerValue:
    """A comparator figure (England average, most similar group …) for an indicator and the
    period it describes; the same label and period again replaces the figure."""
    indicator = _indicator(indicator_id)
    errors: dict[str, list[str]] = {}
    label = (label or "").strip()
    if not label:
        errors["label"] = ["Enter who the figure is for, for example 'England average'."]
    if value is None:
        errors["value"] = ["Enter the peer's figure as a number, for example 3.2."]
    try:
        spec = parse_dashboard_period(period)
    except ServiceError as error:
        errors.update(error.field_errors)
    if errors:
        raise ServiceError(field_errors=errors)
    with transaction():
        period_record = period_row(spec)
        peer = db.session.scalar(select(PeerValue).where(
            PeerValue.indicator_id == indicator.id, PeerValue.period_id == period_record.id, PeerValue.label == label))
        peer = peer or PeerValue(indicator_id=indicator.id, period_id=period_record.id, label=label)
        peer.value = float(value)
        db.session.add(peer)
        db.session.flush()
        record("peer_value_saved", user, peer, indicator=indicator.slug, period=spec.key, label=label,
               value=float(value))
    return peer


def get_peer_value(peer_id: int) -> PeerValue:
    """The peer figure, or NotFound (its confirmation page names what will go)."""
    return get_row(PeerValue, peer_id, "That peer figure has already been removed.")


def remove_peer_value(peer_id: int, user) -> None:
    with transaction():
        peer = db.session.get(PeerValue, peer_id)
        if peer is None:
            raise ServiceError("That peer figure has already been removed.")
        record("peer_value_removed", user, peer, indicator=peer.indicator.slug, label=peer.label, value=peer.value,
               period=peer.period.key)
        db.session.delete(peer)
