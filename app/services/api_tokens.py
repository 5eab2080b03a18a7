"""API tokens (issue 20): issued by an admin to an agency, shown once, kept as a SHA-256;
revocable; each request with one is checked here, and each refusal audited.

A token acts as a person of its role and agency would (``ApiCaller``): the rules in
``app.policy`` decide what it may do, as they do for people. It has no ``id`` (it is no
person): the audit log names the token (``app.services.audit.record``) and submissions
keep ``api_token_id``.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select

from app.errors import NotFound
from app.extensions import db
from app.models import API_TOKEN_ROLES, Agency, ApiToken
from app.models.base import utcnow
from app.policy import role_needs_agency
from app.services import ServiceError, throttle, transaction
from app.services.audit import record

TOKEN_PREFIX = "sr_"
LONGEST_DAYS = 2 * 366  # a token is re-issued at least every two years
NAME_LENGTH = 120


@dataclass(frozen=True)
class ApiCaller:
    """Who a request with a valid token acts as: ``role`` and ``agency_id`` as a person's."""

    api_token_id: int
    name: str
    role: str
    agency_id: int | None
    id = None  # no person's: see the module's rules
    is_authenticated = True
    dhr_access = False


class ApiRefused(Exception):
    """The request is refused (401: no valid token; 403: the token may not do that)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class TooManyRequests(ApiRefused):
    """More requests with one token (or from one address) than ``API_RATE_LIMIT`` allows."""

    def __init__(self, wait_seconds: float, counted_by: str = "with this token"):
        self.wait_seconds = max(1, int(wait_seconds + 0.999))
        unit = "second" if self.wait_seconds == 1 else "seconds"
        super().__init__(429, f"Too many requests {counted_by}: try again in {self.wait_seconds} {unit}.")


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


# ---- the admin's pages ----------------------------------------------------------------------

def list_tokens() -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.name,
                                                                ApiToken.id)))


def token_row(token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(token_id)
    return token


def issue_token(data: dict, user) -> tuple[ApiToken, str]:
    """(the token's row, the token itself, to be shown once). ``data``: name, role,
    agency_id, expires_on (a date). Raises ServiceError by field."""
    name = (data.get("name") or "").strip()
    role = data.get("role") or ""
    agency = db.session.get(Agency, data["agency_id"]) if data.get("agency_id") else None
    expires_on = data.get("expires_on")
    errors: dict[str, list[str]] = {}
    if not name or len(name) > NAME_LENGTH:
        errors["name"] = [f"Give the token a name of up to {NAME_LENGTH} characters, such as the system that will "
                          "use it."]
    if role not in API_TOKEN_ROLES:
        errors["role"] = ["Choose what the token may do."]
    elif role_needs_agency(role) and agency is None:
        errors["agency_id"] = ["Choose the agency whose returns the token submits."]
    now = utcnow().date()  # the real date (a token's life is real time, whatever "as at" date the demo sets)
    if not isinstance(expires_on, date) or expires_on <= now or (expires_on - now).days > LONGEST_DAYS:
        errors["expires_on"] = [f"Choose a date after today and within {LONGEST_DAYS // 366} years."]
    if errors:
        raise ServiceError(field_errors=errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction():
        token = ApiToken(name=name, role=role, agency_id=agency.id if agency else None, token_hash=hash_token(secret),
                         prefix=secret[:10], created_by_id=getattr(user, "id", None),
                         expires_at=datetime.combine(expires_on, time()))
        db.session.add(token)
        db.session.flush()
        record("api_token_issued", user, token, name=name, role=role, agency=agency.slug if agency else None,
               expires_on=expires_on.isoformat())
    return token, secret


def revoke_token(token_id: int, user) -> ApiToken:
    """Revoke a token: every request with it is refused from now on. Revoking twice is once."""
    with transaction():
        token = token_row(token_id)
        if token.revoked_at is None:
            token.revoked_at, token.revoked_by_id = utcnow(), getattr(user, "id", None)
            record("api_token_revoked", user, token, name=token.name)
    return token


# ---- each request ---------------------------------------------------------------------------

def _refuse(status: int, message: str, token: ApiToken | None, reason: str, request: dict) -> ApiRefused:
    with transaction():
        record("api_request_refused", None, token, reason=reason, **request)
    return ApiRefused(status, message)


def _bearer_secret(authorization: str | None) -> str | None:
    """The secret of an ``Authorization: Bearer <token>`` header (None: no such header)."""
    scheme, _, secret = (authorization or "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


def count_request(authorization: str | None, address: str | None) -> None:
    """Count a request against its token if it is one Safer Returns issued (revoked or
    expired included), else against its address, so that made-up tokens cannot each start
    a count of their own; in the database every worker shares
    (``throttle.count_api_request``). Raises TooManyRequests over ``API_RATE_LIMIT``."""
    secret = _bearer_secret(authorization)
    token_hash = hash_token(secret) if secret else None
    issued = token_hash is not None and db.session.scalar(
        select(ApiToken.id).where(ApiToken.token_hash == token_hash)) is not None
    key = "token:" + token_hash if issued else throttle.address_key(address)
    with transaction():
        wait = throttle.count_api_request(key)
    if wait is not None:
        raise TooManyRequests(wait, "with this token" if issued else "from this address")


def authenticate(authorization: str | None, request: dict) -> ApiCaller:
    """The caller a request's ``Authorization: Bearer <token>`` header names. ``request``
    (method, path) goes into the audit log with any refusal. Raises ApiRefused (401)."""
    secret = _bearer_secret(authorization)
    if secret is None:
        raise _refuse(401, "Send an API token: the header 'Authorization: Bearer <token>'.", None, "missing", request)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None:
        raise _refuse(401, "This API token is not one Safer Returns issued.", None, "unknown", request)
    if token.revoked_at is not None:
        raise _refuse(401, "This API token has been revoked: ask an administrator for a new one.", token, "revoked",
                      request)
    if token.expires_at <= utcnow():
        raise _refuse(401, "This API token has expired: ask an administrator for a new one.", token, "expired",
                      request)
    with transaction():
        token.last_used_at = utcnow()
    return ApiCaller(token.id, token.name, token.role, token.agency_id)


def refuse(caller: ApiCaller, message: str, reason: str, request: dict) -> ApiRefused:
    """A 403 for a valid token that may not do this (a manager's token submitting, another
    agency's return), audited with the token."""
    token = db.session.get(ApiToken, caller.api_token_id)
    return _refuse(403, message, token, reason, request)
