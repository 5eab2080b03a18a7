"""The partnership's settings, and the one function that says what day it is.

Rules
-----
**Today.** ``today()`` is the date the app treats as today for lateness (the schedule,
reporting rates, the day a return counts as received) and for the DHR clocks. It is the
partnership's "as at" date if one is set: by an administrator on the settings page
(stored in ``partnership_setting``), else by the ``AS_AT_DATE`` configuration
(``YYYY-MM-DD``); unset, it is the real date. A demonstration or a training copy sets it
so that returns for 2015/16 are late by days, not years. Nothing else reads the system
clock for these rules (timestamps of when something happened stay real).
"""
from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import PartnershipSetting
from app.services import ServiceError, transaction
from app.services.audit import record

AS_AT = "as_at"


def _stored(key: str) -> str | None:
    return db.session.scalar(select(PartnershipSetting.value).where(PartnershipSetting.key == key))


def _parse_day(text: str | None, what: str) -> date | None:
    if text is None or not str(text).strip():
        return None
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise ServiceError(f"{what} '{text}' is not a date: write it as YYYY-MM-DD, for example 2016-06-08.") from None


def as_at_date() -> date | None:
    """The partnership's "as at" date, if one is set (the settings page, else AS_AT_DATE)."""
    stored = _stored(AS_AT)
    if stored:
        return date.fromisoformat(stored)
    return _parse_day(current_app.config.get("AS_AT_DATE"), "The AS_AT_DATE setting")


def today() -> date:
    """The date the app treats as today (see the module's rules)."""
    return as_at_date() or date.today()


def store_as_at(value: date | None, user=None) -> None:
    """Flush the "as at" date (None: the real date again); the caller commits."""
    row = db.session.get(PartnershipSetting, AS_AT)
    if row is None:
        row = PartnershipSetting(key=AS_AT)
        db.session.add(row)
    before = row.value
    row.value = value.isoformat() if value else None
    row.updated_by_id = getattr(user, "id", None)
    db.session.flush()
    if before != row.value:
        record("as_at_set", user, None, before=before, after=row.value)


def store_default_as_at(value: date) -> bool:
    """Flush ``value`` as the "as at" date unless one was ever chosen (on the settings page,
    even to clear it, or in AS_AT_DATE): the demo's date never overrides an administrator's.
    True if it was stored."""
    if db.session.get(PartnershipSetting, AS_AT) is not None or current_app.config.get("AS_AT_DATE"):
        return False
    store_as_at(value)
    return True


def set_as_at(value: date | None, user) -> None:
    """An administrator sets (or clears) the "as at" date."""
    with transaction():
        store_as_at(value, user)
