"""Use cases. Each public function here is one transaction: lower layers flush, these commit.

Errors meant for people are raised as ``ServiceError`` (one or many messages, each
optionally tied to a form field), so routes and commands can show them without a trace.
"""
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from app.extensions import db


class ServiceError(Exception):
    """One or more problems a person can fix. ``field_errors`` maps form field → messages."""

    def __init__(self, message: str = "", field_errors: dict[str, list[str]] | None = None):
        super().__init__(message or "; ".join(m for ms in (field_errors or {}).values() for m in ms))
        self.message = message
        self.field_errors = field_errors or {}


@contextmanager
def transaction(conflict_message: str = "That would conflict with something already saved."):
    """Commit on success, roll back on any failure; a database conflict becomes a ServiceError."""
    try:
        yield db.session
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ServiceError(conflict_message) from exc
    except BaseException:
        db.session.rollback()
        raise
