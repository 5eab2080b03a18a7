"""Sign-off and unlock of a dashboard period.

Rules
-----
**Sign-off.** A manager signs off a period (audited); while it is locked its figures are
final: imports for it are refused (``is_locked`` / ``ensure_unlocked``, also for a
period inside a signed-off one, e.g. a quarter of a signed-off year), and so are changes
to its ratings and commentary (``editable_period``). An admin unlocks it with a reason
(audited).
"""
from __future__ import annotations

from app.extensions import db
from app.models import Period, PeriodSignOff
from app.models.base import utcnow
from app.periods import PeriodSpec
from app.services import ServiceError, transaction
from app.services.audit import record
from app.services.dashboard import parse_dashboard_period, sign_off_row, stored_period
from app.store.reference import period_row
from app.store.submissions import locking_sign_off


def _locking_sign_off(period: Period) -> PeriodSignOff | None:
    """The locked sign-off of this period or of a period containing it (one rule with imports)."""
    return locking_sign_off(period.id)


def is_locked(period_id: int) -> bool:
    """True while the period, or a period containing it, is signed off and not unlocked:
    its figures are final and imports for it must be refused."""
    period = db.session.get(Period, period_id)
    return period is not None and _locking_sign_off(period) is not None


def lock_message(period: Period) -> str | None:
    sign_off = _locking_sign_off(period)
    if sign_off is None:
        return None
    who = sign_off.signed_off_by.name if sign_off.signed_off_by else "a manager"
    signed = sign_off.period.label
    inside = "" if sign_off.period_id == period.id else f" (it is part of {signed})"
    return (f"{period.label} was signed off by {who} on {sign_off.signed_off_at:%d %B %Y}{inside}, so its figures "
            f"are final. Ask an administrator to unlock {signed} if they must change.")


def ensure_unlocked(period_id: int) -> None:
    """Raise a ServiceError saying who signed the period off, if it is locked."""
    period = db.session.get(Period, period_id)
    message = lock_message(period) if period is not None else None
    if message:
        raise ServiceError(message)


def sign_off(period, user) -> PeriodSignOff:
    spec = parse_dashboard_period(period)
    with transaction("That period has just been signed off by someone else."):
        period_record = period_row(spec)
        existing = sign_off_row(period_record.id)
        if existing is not None and existing.locked:
            raise ServiceError(f"{spec.label} is already signed off.")
        row = existing or PeriodSignOff(period_id=period_record.id)
        row.locked, row.signed_off_by_id, row.signed_off_at = True, user.id, utcnow()
        db.session.add(row)
        db.session.flush()
        record("period_signed_off", user, row, period=spec.key)
    return row


def unlock(period, reason: str, user) -> PeriodSignOff:
    spec = parse_dashboard_period(period)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(field_errors={"reason": ["Give the reason for unlocking: it is kept in the audit log."]})
    with transaction():
        period_record = stored_period(spec)
        row = sign_off_row(period_record.id) if period_record else None
        if row is None or not row.locked:
            raise ServiceError(f"{spec.label} is not signed off, so there is nothing to unlock.")
        row.locked, row.unlocked_by_id, row.unlocked_at, row.unlock_reason = False, user.id, utcnow(), reason
        db.session.flush()
        record("period_unlocked", user, row, period=spec.key, reason=reason)
    return row


def editable_period(spec: PeriodSpec) -> Period:
    """The period's row (created if new), refusing changes while it is signed off."""
    period_record = period_row(spec)
    message = lock_message(period_record)
    if message:
        raise ServiceError(message)
    return period_record


def signed_off_by(period) -> PeriodSignOff | None:
    period_record = stored_period(parse_dashboard_period(period))
    return sign_off_row(period_record.id) if period_record else None


# ---- demo data -------------------------------------------------------------------------------

# Returns the demo agencies owe: (template slug, periods).
DEMO_SCHEDULE = [
    ("appendix-2-da-sv-outputs", ["Dec 2015 - Mar 2016"]),
    ("table-2-da-sv-outcomes", ["Dec 2015 - Mar 2016"]),
    ("cambridgeshire-da-quarterly", ["2014/15 Q1", "2014/15 Q2", "2014/15 Q3", "2014/15 Q4"]),
]
