"""Signing in and managing user accounts."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import User
from app.models.base import utcnow
from app.policy import role_needs_agency
from app.services import ServiceError, transaction
from app.services.audit import record


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Records the attempt."""
    with transaction():
        user = db.session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))
        if user is None or not user.active or not user.check_password(password or ""):
            record("sign_in_failed", None, None, email=(email or "").strip().lower()[:254])
            return None
        user.last_login_at = utcnow()
        record("sign_in", user, user)
        return user


def save_user(data: dict, acting_user, user: User | None = None) -> User:
    """Create or update a user from validated form data."""
    email = data["email"].strip().lower()
    clash = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if clash is not None and clash is not user:
        raise ServiceError(field_errors={"email": ["A user with this email address already exists"]})
    if role_needs_agency(data["role"]) and not data.get("agency_id"):
        raise ServiceError(field_errors={"agency_id": ["Select the agency this officer reports for"]})
    if user is None and not data.get("password"):
        raise ServiceError(field_errors={"password": ["Enter a password for the new user"]})
    with transaction("A user with this email address already exists."):
        created = user is None
        if created:
            user = User()
            db.session.add(user)
        user.email = email
        user.name = data["name"].strip()
        user.role = data["role"]
        user.agency_id = data.get("agency_id") or None
        user.active = bool(data.get("active", True))
        if data.get("password"):
            user.set_password(data["password"])
        db.session.flush()
        record("user_created" if created else "user_updated", acting_user, user, role=user.role, active=user.active)
    return user
