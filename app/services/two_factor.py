"""Two-factor sign-in: a time-based code (TOTP, RFC 6238, pyotp) from an authenticator
app, or a one-use recovery code.

Who must use it is ``app.policy.must_use_two_factor`` (anyone who can see restricted DHR
data); anyone else may turn it on. Setting up shows the secret once, as a QR code and as
text; the person proves their app works by entering a code, and is then shown ten
recovery codes, once: only their SHA-256 is kept. A code is accepted once (the step it
was made for is remembered), and wrong codes count towards the account's sign-in lockout.
Someone who loses their phone and their recovery codes asks an administrator, who resets
their second factor (``reset``; never their own: ``policy.may_reset_two_factor``).
pyotp is imported when a code is made or checked, not with the app.
"""
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app
from markupsafe import Markup
from sqlalchemy import func, select

from app.extensions import db
from app.models import RecoveryCode, User
from app.models.base import utcnow
from app.dhr import long_date
from app.errors import Forbidden, NotFound
from app.policy import may_reset_two_factor, must_use_two_factor
from app.services import ServiceError, throttle, transaction
from app.services.audit import record
from app.services.notifications import send_security_notice

if TYPE_CHECKING:
    import pyotp

RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
WRONG_CODE = "The code is not right. Enter the 6-digit code your authenticator app shows now, or a recovery code."


def needs_setting_up(user: User) -> bool:
    """This person must use two-factor sign-in and has not set it up yet."""
    return must_use_two_factor(user) and not user.two_factor_enabled


def asks_for_code(user: User) -> bool:
    return user.two_factor_enabled


def _totp(secret: str) -> "pyotp.TOTP":
    import pyotp

    return pyotp.TOTP(secret)


def _step(moment: float) -> int:
    return int(moment // 30)


def begin_setup(user: User) -> tuple[str, Markup]:
    """A new secret for this person's authenticator app (replacing one never confirmed):
    the secret as text, and the QR code of its ``otpauth://`` link as inline SVG."""
    import pyotp
    import segno

    if user.two_factor_enabled:
        raise ServiceError("Two-factor sign-in is already set up for this account.")
    secret = pyotp.random_base32()
    with transaction():
        user.totp_secret = secret
        user.two_factor_since = None
        record("two_factor_setup_started", user, user)
    uri = _totp(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["SERVICE_NAME"])
    svg = segno.make(uri, error="m").svg_inline(scale=4, light="#fff", title="QR code for your authenticator app")
    return secret, Markup(svg)


def _hash(code: str) -> str:
    return hashlib.sha256(_normal(code).encode()).hexdigest()


def _normal(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _totp_step(user: User, code: str) -> int | None:
    """The 30-second step this code is right for (now, or one step either side), or None."""
    from app.services import accounts

    digits = _normal(code)
    if not (user.totp_secret and len(digits) == 6 and digits.isdigit()):
        return None
    moment = accounts.clock()
    totp = _totp(user.totp_secret)
    for offset in (0, -1, 1):
        at = moment + offset * 30
        if secrets.compare_digest(totp.at(at), digits):
            return _step(at)
    return None


def confirm_setup(user: User, code: str, address: str | None = None) -> list[str]:
    """Turn two-factor sign-in on once a code from the app is right; the recovery codes, to
    show once. Raises ServiceError (field ``code``) when the code is wrong."""
    step = _totp_step(user, code)
    if step is None:
        with transaction():
            throttle.register_failure(throttle.account_key(user.email), throttle.address_key(address))
            record("two_factor_code_wrong", user, user, address=address)
        raise ServiceError(field_errors={"code": [WRONG_CODE.split(", or")[0] + "."]})
    with transaction():
        user.two_factor_since = utcnow()
        user.totp_last_step = step
        codes = _new_recovery_codes(user)
        record("two_factor_enabled", user, user)
    return codes


def _drop_recovery_codes(user: User) -> int:
    """Delete every recovery code the person has (flushes); how many were still unused."""
    unused = 0
    for old in db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        unused += old.used_at is None
        db.session.delete(old)
    db.session.flush()
    return unused


def _new_recovery_codes(user: User) -> list[str]:
    """A fresh set of recovery codes in place of any before (flushes): the codes, to show once."""
    _drop_recovery_codes(user)
    codes = ["-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(4)) for _ in range(3))
             for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(c)) for c in codes)
    return codes


def replace_recovery_codes(user: User, code: str, address: str | None = None) -> list[str]:
    """A signed-in person's new set of recovery codes, to show once; the old ones, used or not,
    stop working. A code from their authenticator app proves it is them (a wrong one counts
    towards the lockout, as at sign-in). Raises ServiceError (field ``code``)."""
    if not user.two_factor_enabled:
        raise ServiceError("Two-factor sign-in is not set up for this account, so it has no recovery codes.")
    keys = (throttle.account_key(user.email), throttle.address_key(address))
    refusal = None
    with transaction():
        until = throttle.locked_until(*keys)
        step = _totp_step(user, code) if until is None else None
        if until is not None:
            from app.services.accounts import locked_message

            refusal = ServiceError(field_errors={"code": [locked_message(until)]})
        elif step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
            throttle.register_failure(*keys)
            record("two_factor_code_wrong", user, user, address=address)
            refusal = ServiceError(field_errors={"code": [WRONG_CODE.split(", or")[0] + "."]})
        else:
            user.totp_last_step = step
            unused_before = _drop_recovery_codes(user)
            codes = _new_recovery_codes(user)
            record("recovery_codes_replaced", user, user, unused_before=unused_before)
    if refusal is not None:
        raise refusal
    send_security_notice("recovery_codes_replaced", user)
    return codes


def check_code(user: User, code: str, address: str | None = None) -> None:
    """The second step of signing in: a code from the app (each works once) or an unused
    recovery code (then used up). Raises ServiceError; wrong codes count towards the lockout."""
    keys = (throttle.account_key(user.email), throttle.address_key(address))
    refusal = None
    with transaction():
        until = throttle.locked_until(*keys)
        if until is not None:
            from app.services.accounts import locked_message

            refusal = ServiceError(field_errors={"code": [locked_message(until)]})
        else:
            step = _totp_step(user, code)
            recovery = None
            if step is None:
                recovery = db.session.scalar(select(RecoveryCode).where(
                    RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code),
                    RecoveryCode.used_at.is_(None)))
            if step is not None and (user.totp_last_step is None or step > user.totp_last_step):
                user.totp_last_step = step
                throttle.clear(keys[0])
                record("two_factor_sign_in", user, user, address=address)
            elif recovery is not None:
                recovery.used_at = utcnow()
                throttle.clear(keys[0])
                record("two_factor_recovery_code_used", user, user, address=address)
            else:
                throttle.register_failure(*keys)
                record("two_factor_code_wrong", user, user, address=address)
                refusal = ServiceError(field_errors={"code": [WRONG_CODE]})
    if refusal is not None:
        raise refusal


def recovery_codes_left(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())


# ---- an administrator's reset (a lost phone and lost recovery codes) ---------------------------


def _person_to_reset(user: User | None, acting_user, missing: str) -> User:
    """``acting_user`` None: the command line (whoever runs it on the server, e.g. for the
    only administrator's own second factor)."""
    if user is None:
        raise NotFound(missing)
    if acting_user is not None and not may_reset_two_factor(acting_user, user):
        raise Forbidden("Only another administrator may reset your two-factor sign-in." if user.id ==
                        getattr(acting_user, "id", None) else "Only an administrator may reset two-factor sign-in.")
    if not user.two_factor_enabled:
        raise ServiceError(f"{user.name} has not set up two-factor sign-in, so there is nothing to reset.")
    return user


def reset_preview(user_id: int, acting_user) -> tuple[User, int]:
    """The person whose second factor an admin is about to reset, and their unused recovery
    codes. Raises Forbidden (``policy.may_reset_two_factor``), NotFound, or ServiceError
    when they have no second factor to reset."""
    user = _person_to_reset(db.session.get(User, user_id), acting_user, f"No user {user_id}.")
    return user, recovery_codes_left(user)


@dataclass(frozen=True)
class ResetDone:
    user: User
    emailed: bool  # the person was told by email (a failed send is in the mail record)

    @property
    def message(self) -> str:
        """What the admin (on the web or the command line) is told."""
        then = "set it up again" if must_use_two_factor(self.user) else "may set it up again"
        told = ("We have emailed them to say so." if self.emailed else
                "The email telling them so could not be sent: tell them yourself.")
        return (f"{self.user.name}'s second factor has been reset: they are signed out, and {then} when they next "
                f"sign in. {told}")


def reset(user_id: int, acting_user) -> ResetDone:
    """Clear a person's second factor for them (an admin, never for themselves): their
    authenticator secret and recovery codes go, and every session they have ends, also one
    half-way through signing in. On their next sign-in those who must use two-factor sign-in
    (``policy.must_use_two_factor``) set it up again with a new QR code; others sign in with
    their password and may turn it on again. Recorded in the audit log, and the person is
told by email (a security notice)."""
    return _reset(_person_to_reset(db.session.get(User, user_id), acting_user, f"No user {user_id}."), acting_user)


def reset_by_email(email: str) -> ResetDone:
    """The same reset from the command line (``flask users reset-two-factor``), by email
    address: for an installation's only administrator, whom no other admin can reset."""
    wanted = (email or "").strip().lower()
    user = db.session.scalar(select(User).where(func.lower(User.email) == wanted))
    return _reset(_person_to_reset(user, None, f"There is no user with the email address {wanted}."), None)


def _reset(user: User, acting_user) -> ResetDone:
    with transaction():
        since = user.two_factor_since
        unused = _drop_recovery_codes(user)
        user.totp_secret = None
        user.two_factor_since = None
        user.totp_last_step = None
        user.end_sessions()
        record("two_factor_reset", acting_user, user, email=user.email, set_up_on=long_date(since),
               recovery_codes_unused=unused)
    by = f"An administrator, {acting_user.name}," if acting_user is not None else "An administrator, on the server,"
    emailed = send_security_notice("two_factor_reset", user, by=by, must_set_up=must_use_two_factor(user))
    return ResetDone(user, emailed)
