"""Who may see DHR data: the access list and an admin's grants (the rule is ``app.policy``)."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.policy import always_sees_dhr
from app.services import ServiceError, transaction
from app.services.audit import record
from app.store.rows import get_row


def access_list() -> list[User]:
    """Everyone, with the people who always see DHR data last."""
    users = db.session.scalars(select(User).order_by(User.name, User.email)).all()
    return sorted(users, key=always_sees_dhr)


def access_user(user_id: int) -> User:
    """The person whose access an admin is about to change, or NotFound."""
    return get_row(User, user_id, f"No user {user_id}.")


def set_dhr_access(user_id: int, granted: bool, acting_user) -> User:
    """Grant or revoke a manager's or officer's access to the DHR area (audited)."""
    user = get_row(User, user_id, f"No user {user_id}.")
    if always_sees_dhr(user):
        raise ServiceError(
            f"{user.name} is {user.role_label.lower()} and always sees DHR data: there is nothing to change."
        )
    with transaction():
        if user.dhr_access != granted:
            user.dhr_access = granted
            record("dhr_access_granted" if granted else "dhr_access_revoked", acting_user, user, email=user.email)
    return user
