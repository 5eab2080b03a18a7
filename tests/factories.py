"""Factories for ad-hoc model objects: sensible defaults, every field overridable, added
to the session and flushed (the test commits if it needs to).

    county = make_area("Shire", kind="county")
    officer = make_user("officer", agency=make_agency("Shire Police"))
"""
import re

from app.extensions import db
from app.models import Agency, Area, Indicator, Outcome, User

PASSWORD = "correct horse battery staple"


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _added(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


def make_area(name: str, code: str | None = None, kind: str = "district", **fields) -> Area:
    return _added(Area(name=name, code=code or _slug(name)[:12].upper(), kind=kind, **fields))


def make_agency(name: str, slug: str | None = None, **fields) -> Agency:
    return _added(Agency(name=name, slug=slug or _slug(name), **fields))


def make_outcome(name: str = "Reduce crime", **fields) -> Outcome:
    return _added(Outcome(name=name, **fields))


def make_indicator(name: str, slug: str | None = None, unit: str = "count", **fields) -> Indicator:
    return _added(Indicator(name=name, slug=slug or _slug(name), unit=unit, **fields))


def make_user(role: str, email: str | None = None, password: str = PASSWORD, **fields) -> User:
    user = User(email=email or f"{role}@example.org", name=fields.pop("name", role.replace("_", " ").title()),
                role=role, **fields)
    user.set_password(password)
    return _added(user)
