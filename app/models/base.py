"""Shared column helpers for the models."""
from datetime import datetime, UTC

from sqlalchemy import CheckConstraint, Index, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateIndex


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


# Every index made by unique_where, for with_postgresql_conditions.
PARTIAL_UNIQUE_INDEXES: list[Index] = []


def unique_where(name: str, *columns: str, where: str) -> Index:
    """A unique index over the rows where ``where`` holds (a partial index), on SQLite and
    PostgreSQL alike.

    Made with SQLite's option (``sqlite_where``) only. SQLAlchemy checks a dialect option's
    name by loading that dialect, so naming ``postgresql_where`` here loaded its PostgreSQL
    dialect (with the modules of its five drivers: about 0.02 s of every start) into every
    process, SQLite ones too, where nothing uses it. ``create_app`` calls
    ``with_postgresql_conditions`` for an app whose database is PostgreSQL (SQLAlchemy loads
    the dialect for it anyway), so its indexes read as before from then on; and PostgreSQL's
    ``CREATE INDEX`` calls it first (``create_index_on_postgresql``), so an index is never made
    there without its condition, whichever app the process built.
    """
    index = Index(name, *columns, unique=True, sqlite_where=text(where))
    PARTIAL_UNIQUE_INDEXES.append(index)
    return index


def with_postgresql_conditions() -> None:
    """Give each ``unique_where`` index the same condition for PostgreSQL (``postgresql_where``,
    set as SQLAlchemy lets a dialect option be set after an index is made). Loads SQLAlchemy's
    PostgreSQL dialect; once done, stays done for the process."""
    for index in PARTIAL_UNIQUE_INDEXES:
        index.dialect_kwargs["postgresql_where"] = index.dialect_kwargs["sqlite_where"]


@compiles(CreateIndex, "postgresql")
def create_index_on_postgresql(create: CreateIndex, compiler, **kw) -> str:
    """PostgreSQL's ``CREATE INDEX``, as SQLAlchemy writes it, once the partial indexes name
    their condition for PostgreSQL (see ``unique_where``)."""
    with_postgresql_conditions()
    return compiler.visit_create_index(create, **kw)
