"""Signing in and managing user accounts: the password rules, invitations and password
resets by signed, expiring links.

A link (``/invitation/<token>``, ``/reset-password/<token>``) carries the user's id and a
fingerprint of their current password hash, signed with the app's secret key
(itsdangerous) and timestamped. It is refused when it was altered, when it is older than
``INVITATION_EXPIRES_DAYS`` / ``PASSWORD_RESET_EXPIRES_HOURS``, or once it has been used
(setting a password changes the hash, so the fingerprint no longer matches).
"""
import hashlib
import hmac
import secrets
import time
from functools import lru_cache
from pathlib import Path

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from app.extensions import db
from app.mail import public_url
from app.models import User
from app.models.base import utcnow
from app.policy import role_needs_agency
from app.services import ServiceError, transaction
from app.services import throttle
from app.services.audit import record
from app.services.notifications import render_email, send_now, send_security_notice
from app.services.passwords import hash_password, needs_rehash, verify_nothing

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 256
LINKS = {
    # purpose: (salt, config setting, seconds per unit of the setting)
    "invitation": ("invitation", "INVITATION_EXPIRES_DAYS", 86400),
    "password_reset": ("password-reset", "PASSWORD_RESET_EXPIRES_HOURS", 3600),
}


COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


def _squashed(text: str) -> str:
    return "".join((text or "").split()).lower()


@lru_cache(maxsize=4)
def _deny_list(extra_file: str | None) -> frozenset[str]:
    words = set()
    for path in filter(None, (COMMON_PASSWORDS_FILE, extra_file)):
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                words.add(_squashed(line))
    return frozenset(words)


def common_passwords() -> frozenset[str]:
    """The deny-list: the shipped file, plus ``PASSWORD_DENY_LIST_FILE`` if an installation set one."""
    return _deny_list(current_app.config.get("PASSWORD_DENY_LIST_FILE"))


def password_problems(password: str | None, email: str | None = None) -> list[str]:
    """What is wrong with a new password, in words (none: it is fine). The one rule, for
    every form that sets a password, after the NCSC's guidance: long enough, not one of
    the passwords everyone tries first, not the person's own email address; no rules
    about mixing kinds of character."""
    password = password or ""
    if not password:
        return ["Enter a password"]
    if len(password) < PASSWORD_MIN_LENGTH:
        return [f"Use at least {PASSWORD_MIN_LENGTH} characters"]
    if len(password) > PASSWORD_MAX_LENGTH:
        return [f"Use {PASSWORD_MAX_LENGTH} characters or fewer"]
    if not password.strip():
        return ["Use letters, numbers or symbols, not only spaces"]
    squashed = _squashed(password)
    if len(set(squashed)) < 4:
        return ["Use more than a few different characters"]
    if squashed in common_passwords():
        return ["That password is too common: a few unrelated words make a better one"]
    address = _squashed(email)
    if address and (address in squashed or squashed in address or squashed == address.split("@")[0]):
        return ["Do not use your email address in your password"]
    return []


class SignInRefused(ServiceError):
    """A sign-in that did not work; ``locked`` when too many attempts have been made."""

    def __init__(self, message: str, locked: bool = False):
        super().__init__(message)
        self.locked = locked


WRONG_DETAILS = "The email address or password is not right"


def locked_message(until) -> str:
    minutes = max(1, int((until - throttle.now()).total_seconds() + 59) // 60)
    return (f"There have been too many attempts to sign in. Try again in {minutes} minute"
            f"{'s' if minutes != 1 else ''}, or reset your password.")


def authenticate(email: str, password: str, address: str | None = None) -> User:
    """The active user with this email and password. Raises ``SignInRefused`` when the
    details are wrong or the account or address is locked. Records the attempt.

    An unknown email takes the same work as a known one (a password is checked against a
    dummy hash, the failure is counted and recorded), so the answer's timing and wording
    do not tell whether an account exists. A hash from the scheme before is replaced."""
    wanted = (email or "").strip().lower()
    keys = (throttle.account_key(wanted), throttle.address_key(address))
    refusal = None
    with transaction():
        user = db.session.scalar(select(User).where(func.lower(User.email) == wanted))
        until = throttle.locked_until(*keys)
        if until is not None:
            record("sign_in_refused_locked", None, None, email=wanted[:254], address=address)
            refusal = SignInRefused(locked_message(until), locked=True)
        else:
            if user is None:
                verify_nothing(password or "")
                right = False
            else:
                right = user.check_password(password or "") and user.active
            if not right:
                throttle.register_failure(*keys)
                record("sign_in_failed", None, None, email=wanted[:254], address=address)
                refusal = SignInRefused(WRONG_DETAILS)
            else:
                if needs_rehash(user.password_hash):
                    user.password_hash = hash_password(password)  # same password: sessions carry on
                throttle.clear(keys[0])
                user.last_login_at = utcnow()
                record("sign_in", user, user, address=address)
    if refusal is not None:
        raise refusal
    return user


def user_for_session(session_id: str | None) -> User | None:
    """The active user a session was made for (``User.get_id``: ``id:version``), or None if
    the session is older than their last sign-out or password change."""
    user_id, _, version = (session_id or "").partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def sign_out(user: User) -> None:
    """End every session this person has (a copied cookie no longer works)."""
    with transaction():
        user.end_sessions()
        record("sign_out", user, user)


def save_user(data: dict, acting_user, user: User | None = None) -> User:
    """Create or update a user from validated form data."""
    email = data["email"].strip().lower()
    clash = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if clash is not None and clash is not user:
        raise ServiceError(field_errors={"email": ["A user with this email address already exists"]})
    if role_needs_agency(data["role"]) and not data.get("agency_id"):
        raise ServiceError(field_errors={"agency_id": ["Select the agency this officer reports for"]})
    if data.get("password") and password_problems(data["password"], email):
        raise ServiceError(field_errors={"password": password_problems(data["password"], email)})
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
        invite = created and not data.get("password")
        if data.get("password"):
            user.set_password(data["password"])
        elif created:  # a password nobody knows, until the person chooses theirs from the invitation
            user.set_password(secrets.token_urlsafe(32))
        db.session.flush()
        record("user_created" if created else "user_updated", acting_user, user, role=user.role, active=user.active,
               invited=invite)
    if invite:
        send_invitation(user, acting_user)
    elif not created and data.get("password"):
        by = getattr(acting_user, "name", None)
        send_security_notice("password_changed", user, how=f"by an administrator{f', {by}' if by else ''}")
    return user


# ---- signed links ----------------------------------------------------------------------------

def clock() -> float:
    """Seconds since the epoch: the time links are stamped and checked with (tests move it)."""
    return time.time()


class _ClockedSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(clock())


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=LINKS[purpose][0], signer=_ClockedSigner)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def link_lifetime(purpose: str) -> int:
    """How long a link works, in the unit of its setting (days for an invitation, hours for a reset)."""
    return int(current_app.config[LINKS[purpose][1]])


def make_link(user: User, purpose: str) -> str:
    token = _serializer(purpose).dumps({"user": user.id, "fingerprint": _fingerprint(user)})
    endpoint = "auth.invitation" if purpose == "invitation" else "auth.reset_password"
    return public_url(endpoint, token=token)


class LinkRefused(ServiceError):
    """A link that does not work: ``reason`` is ``expired``, ``used`` or ``invalid``."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


LINK_REFUSALS = {
    "expired": "This link has expired.",
    "used": "This link has already been used.",
    "invalid": "This link is not valid.",
}


def user_for_link(token: str, purpose: str) -> User:
    """The active user a link was made for. Raises ``LinkRefused``."""
    _, _, unit = LINKS[purpose]
    try:
        data = _serializer(purpose).loads(token or "", max_age=link_lifetime(purpose) * unit)
    except SignatureExpired:
        raise LinkRefused("expired", LINK_REFUSALS["expired"]) from None
    except BadSignature:
        raise LinkRefused("invalid", LINK_REFUSALS["invalid"]) from None
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) and isinstance(data.get("user"), int) \
        else None
    if user is None or not user.active:
        raise LinkRefused("invalid", LINK_REFUSALS["invalid"])
    if not hmac.compare_digest(str(data.get("fingerprint")), _fingerprint(user)):
        raise LinkRefused("used", LINK_REFUSALS["used"])
    return user


def set_password_from_link(token: str, purpose: str, password: str, confirm: str) -> User:
    """Set a new password with an invitation or reset link (which then stops working).
    Raises ``LinkRefused``, or ServiceError (by field) for a password the rules refuse."""
    user = user_for_link(token, purpose)
    problems = password_problems(password, user.email)
    if problems:
        raise ServiceError(field_errors={"password": problems})
    if password != confirm:
        raise ServiceError(field_errors={"confirm": ["Enter the same password twice"]})
    with transaction():
        user.set_password(password)
        record("password_set_from_link", user, user, purpose=purpose)
    if purpose == "password_reset":  # an invitation's first password changes nothing the person had
        send_security_notice("password_changed", user, how="using a reset link sent to this address")
    return user


def send_invitation(user: User, acting_user=None) -> bool:
    """Email a new user the link to choose their password. True if the mail went."""
    days = link_lifetime("invitation")
    subject, body = _link_email("invitation", user, days=days,
                                invited_by=getattr(acting_user, "name", None) or "Your administrator")
    sent = send_now("invitation", user, subject, body, keep_body=False)
    with transaction():
        record("invitation_sent" if sent else "invitation_not_sent", acting_user, user)
    return sent


def request_password_reset(email: str) -> None:
    """Email a password reset link to the active user with this address, if there is one.
    Says nothing either way, so the form cannot be used to find out who has an account."""
    address = (email or "").strip().lower()
    user = db.session.scalar(select(User).where(func.lower(User.email) == address))
    if user is None or not user.active:
        with transaction():
            record("password_reset_unknown", None, None, email=address[:254])
        return
    subject, body = _link_email("password_reset", user, hours=link_lifetime("password_reset"))
    sent = send_now("password_reset", user, subject, body, keep_body=False)
    with transaction():
        record("password_reset_sent" if sent else "password_reset_not_sent", user, user)


def _link_email(purpose: str, user: User, **context) -> tuple[str, str]:
    return render_email(purpose, user=user, link=make_link(user, purpose), **context)
