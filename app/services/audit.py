"""The audit log: who did what, when. Flushes only; the calling use case commits."""
from app.extensions import db
from app.models import AuditEvent


def record(action: str, user=None, obj=None, **detail) -> AuditEvent:
    """``user``: the person (or None: the command line), or an API caller, whose token the
    event names (``api_token``) as it is no person."""
    if getattr(user, "api_token_id", None) is not None:
        detail = {**detail, "api_token": user.api_token_id}
    event = AuditEvent(
        action=action,
        user_id=getattr(user, "id", None),
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        detail=detail or None,
    )
    db.session.add(event)
    db.session.flush()
    return event
