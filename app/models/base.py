"""Shared column helpers for the models."""
from datetime import datetime, UTC

from sqlalchemy import CheckConstraint


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def one_of(column: str, values, name: str | None = None) -> CheckConstraint:
    """A portable CHECK constraint that keeps a text column to a fixed vocabulary."""
    return CheckConstraint(vocabulary_sql(column, values), name=name or f"{column}_allowed")


def vocabulary_sql(column: str, values, *, as_equalities: bool = False) -> str:
    """``column IN ('a', 'b')``, or spelled out as ``(column = 'a' OR column = 'b')``.

    The spelled-out form is for tables written in bulk: SQLite 3.40 evaluates an IN list
    in a CHECK through a temporary b-tree for every row, which made storing a 100,000-figure
    return twice as slow (bench/import prints both)."""
    quoted = [f"'{v}'" for v in values]
    if as_equalities:
        return "(" + " OR ".join(f"{column} = {v}" for v in quoted) + ")"
    return f"{column} IN ({', '.join(quoted)})"
