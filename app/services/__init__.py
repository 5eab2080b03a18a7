"""Use cases. Each public function here is one transaction: lower layers flush, these commit.

Errors meant for people are raised as ``ServiceError`` (from ``app.errors``, with
``NotFound`` and ``Forbidden``) (one or many messages, each
optionally tied to a form field), so routes and commands can show them without a trace.
"""
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from app.errors import ServiceError
from app.extensions import db

__all__ = ["ServiceError", "transaction"]


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
