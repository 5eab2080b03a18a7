"""The Alembic migrations build the schema the models describe, on SQLite and PostgreSQL.

Each test leaves the database migrated to head (and empty), as the rest of the suite
expects from the session-scoped ``migrated`` fixture.
"""
import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from app.extensions import db
from tests.conftest import _drop_everything

SPINE_TABLES = {
    "area",
    "agency",
    "user_account",
    "indicator",
    "outcome",
    "period",
    "target",
    "data_value",
    "return_template",
    "template_version",
    "submission",
    "audit_event",
}


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def current_revisions() -> set[str]:
    with db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def head_revisions(app) -> set[str]:
    config = app.extensions["migrate"].migrate.get_config()
    return set(ScriptDirectory.from_config(config).get_heads())


@pytest.fixture
def schema_owner(app):
    """The app, with no session holding locks that would block DDL on PostgreSQL."""
    db.session.remove()
    yield app
    db.session.remove()


def test_upgrade_builds_every_table_on_an_empty_database(schema_owner):
    _drop_everything()
    assert table_names() == set()

    flask_migrate.upgrade()

    tables = table_names()
    assert SPINE_TABLES <= tables, f"missing after upgrade: {sorted(SPINE_TABLES - tables)}"
    model_tables = set(db.metadata.tables)
    assert model_tables <= tables, f"models with no migration: {sorted(model_tables - tables)}"
    assert current_revisions() == head_revisions(schema_owner)


def test_downgrade_to_base_removes_everything_and_upgrade_restores_it(schema_owner):
    flask_migrate.downgrade(revision="base")

    # Only Alembic's own bookkeeping table may survive a full downgrade.
    assert table_names() <= {"alembic_version"}, "a downgrade left tables behind"
    assert current_revisions() == set()

    flask_migrate.upgrade()

    assert set(db.metadata.tables) | {"alembic_version"} == table_names()
    assert current_revisions() == head_revisions(schema_owner)


def test_models_match_the_migrated_schema(schema_owner):
    """What `flask db migrate` would autogenerate now: it must be nothing.

    Types are compared too, so a column whose type changed in a model without a
    migration is caught. Server defaults are compared as well: the models and the
    migrations must agree on them for both databases.
    """
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "compare_server_default": True},
        )
        differences = compare_metadata(context, db.metadata)

    assert differences == [], "models and migrations differ (write a migration):\n" + "\n".join(
        map(repr, differences)
    )
