"""Sessions: who is signed in, for how long, and the half-way state between the password
and the two-factor code.

Flask-Login keeps ``User.get_id()`` (id and session version) in the signed session
cookie; ``load_user`` refuses it once the person has signed out or changed their password
(the version moved on), after ``SESSION_IDLE_MINUTES`` without a request, and
``SESSION_ABSOLUTE_HOURS`` after signing in.
"""
from flask import current_app, session
from flask_login import login_user, logout_user

from app.services import accounts

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
PENDING = "pending_sign_in"


def begin_session(user) -> None:
    """Signed in: both factors (or the one the person needs) are done."""
    session.pop(PENDING, None)
    login_user(user)
    session[SIGNED_IN_AT] = session[SEEN_AT] = accounts.clock()


def end_session() -> None:
    logout_user()
    session.clear()


def load_user(session_id: str):
    """Flask-Login's user loader: the signed-in person, or None (the session has ended)."""
    now = accounts.clock()
    signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    config = current_app.config
    if not isinstance(signed_in_at, (int, float)) or not isinstance(seen_at, (int, float)):
        return None
    if now - seen_at > float(config["SESSION_IDLE_MINUTES"]) * 60 \
            or now - signed_in_at > float(config["SESSION_ABSOLUTE_HOURS"]) * 3600:
        session.clear()
        return None
    user = accounts.user_for_session(session_id)
    if user is not None and now - seen_at >= 30:  # rewrite the cookie at most every 30 s
        session[SEEN_AT] = now
    return user


def hold_pending(user, next_url: str | None) -> None:
    """The password was right; the second factor is still to come."""
    session.clear()
    session[PENDING] = {"user": user.get_id(), "at": accounts.clock(), "next": next_url}


def pending_user():
    """The person half-way through signing in, or None (none, expired, or their sessions ended)."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("at"), (int, float)):
        return None
    if accounts.clock() - pending["at"] > float(current_app.config["TWO_FACTOR_PENDING_MINUTES"]) * 60:
        session.pop(PENDING, None)
        return None
    return accounts.user_for_session(pending.get("user"))


def pending_next() -> str | None:
    pending = session.get(PENDING)
    return pending.get("next") if isinstance(pending, dict) else None
