"""Sign-in throttling: failed sign-ins counted per account and per address, in the
database (so every worker and every machine sees the same counts), with a lockout.

Settings (app/config.py): ``SIGN_IN_MAX_FAILURES`` failures for one email address, or
``SIGN_IN_ADDRESS_MAX_FAILURES`` from one network address, within
``SIGN_IN_FAILURE_WINDOW_MINUTES`` lock that key for ``SIGN_IN_LOCKOUT_MINUTES``; the
lock then expires by itself. An email address with no account is counted and locked
the same way, so a lockout does not tell anyone who has an account. Flushes only.

API requests (``count_api_request``): at most ``API_RATE_LIMIT`` ("120 per minute") with one
token, or without one from one address, counted in fixed windows of the limit's length
(aligned to the clock: a minute's window starts on the minute), also in the database, so
every gunicorn worker and machine counts against the same limit.
"""
import re
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import ApiRequestCount, SignInThrottle
from app.services.audit import record


def now() -> datetime:
    """The sign-in clock (``accounts.clock``, which tests move), as a naive UTC datetime."""
    from app.services import accounts

    return datetime.fromtimestamp(accounts.clock(), UTC).replace(tzinfo=None)


def account_key(email: str) -> str:
    return "account:" + (email or "").strip().lower()[:250]


def address_key(address: str | None) -> str:
    return "address:" + (address or "unknown")[:250]


def _limit(key: str) -> int:
    setting = "SIGN_IN_ADDRESS_MAX_FAILURES" if key.startswith("address:") else "SIGN_IN_MAX_FAILURES"
    return int(current_app.config[setting])


def _row(key: str, model=SignInThrottle):
    """A counter's row (``SignInThrottle`` or ``ApiRequestCount``) by its key, locked for update."""
    return db.session.scalar(select(model).where(model.key == key).with_for_update())


def _first_row(model, key: str, **values):
    """A key's first row of ``model``; if another worker wrote it a moment ago, theirs."""
    try:
        with db.session.begin_nested():
            row = model(key=key, **values)
            db.session.add(row)
        return row
    except IntegrityError:
        return _row(key, model)


def locked_until(*keys: str) -> datetime | None:
    """The latest time any of these keys stays locked until, or None if none is locked now."""
    moment = now()
    ends = [row.locked_until for row in db.session.scalars(select(SignInThrottle).where(SignInThrottle.key.in_(keys)))
            if row.locked_until is not None and row.locked_until > moment]
    return max(ends) if ends else None


def register_failure(*keys: str) -> None:
    """Count a failed attempt against each key; lock a key that reached its limit (audited)."""
    moment = now()
    window = timedelta(minutes=float(current_app.config["SIGN_IN_FAILURE_WINDOW_MINUTES"]))
    for key in keys:
        row = _row(key) or _first_row(SignInThrottle, key, failures=0, first_failure_at=moment)
        stale = moment - row.first_failure_at > window or (row.locked_until and row.locked_until <= moment)
        if row.failures and stale:
            row.failures, row.first_failure_at, row.locked_until = 0, moment, None  # start counting afresh
        row.failures += 1
        if row.failures >= _limit(key) and row.locked_until is None:
            row.locked_until = moment + timedelta(minutes=float(current_app.config["SIGN_IN_LOCKOUT_MINUTES"]))
            kind, _, value = key.partition(":")
            record("sign_in_locked", None, None, **{kind: value}, failures=row.failures,
                   until=row.locked_until.isoformat(timespec="seconds"))
    db.session.flush()


def clear(key: str) -> None:
    """A successful sign-in: the account's count starts again (an address's does not)."""
    row = _row(key)
    if row is not None:
        db.session.delete(row)
        db.session.flush()


# ---- the API's rate limit ------------------------------------------------------------------

RATE_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
RATE_SETTING = re.compile(r"^\s*(\d+)\s*(?:per|/)\s*(\d+\s+)?(second|minute|hour|day)s?\s*$", re.IGNORECASE)
STALE_COUNTS = timedelta(days=1)  # counts whose window began longer ago than this are removed


def parse_rate(setting: str) -> tuple[int, int]:
    """(requests, seconds) from a setting such as "120 per minute", "1000 per 2 hours",
    "10/second". Raises ValueError saying what is expected."""
    match = RATE_SETTING.match(str(setting or ""))
    if match is None or int(match.group(1)) < 1:
        raise ValueError(f"API_RATE_LIMIT is {setting!r}: write it as a number of requests per second, minute, "
                         "hour or day, such as \"120 per minute\" or \"5000 per day\".")
    return int(match.group(1)), int(match.group(2) or 1) * RATE_UNITS[match.group(3).lower()]


def count_api_request(key: str) -> float | None:
    """Count one API request against ``key`` in the current window. None when it is within
    the limit; otherwise the seconds until the window ends. Flushes."""
    limit, seconds = parse_rate(current_app.config["API_RATE_LIMIT"])
    from app.services import accounts

    clock = accounts.clock()
    start_at = clock - clock % seconds
    window_start = datetime.fromtimestamp(start_at, UTC).replace(tzinfo=None)
    row = _row(key, ApiRequestCount)
    if row is None:  # a key's first request: counts older than a day are removed meanwhile
        db.session.execute(delete(ApiRequestCount).where(ApiRequestCount.window_start < window_start - STALE_COUNTS))
        row = _first_row(ApiRequestCount, key, window_start=window_start, requests=0)
    if row.window_start != window_start:
        row.window_start, row.requests = window_start, 0
    row.requests += 1
    db.session.flush()
    return None if row.requests <= limit else start_at + seconds - clock
