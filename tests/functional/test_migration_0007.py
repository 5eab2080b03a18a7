"""Migration 0007 brings every stored template definition to the current JSON schema, on
SQLite and PostgreSQL (the suite's database; see tests/functional/test_migrations.py)."""
import json
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa

from app.definition import TemplateDefinition, definition_from_json
from app.demo.templates import demo_definitions
from app.extensions import db
from tests.conftest import drop_everything


def _strip_defaults(data):
    """A definition as an older version of the app may have stored it: settings left at
    their default missing, whole numbers as floats."""
    if isinstance(data, dict):
        defaults = {"help": "", "aliases": [], "role": "input", "title": "", "with_previous_year": False,
                    "na_needs_reason": True, "area": None}
        return {k: _strip_defaults(v) for k, v in data.items() if k not in defaults or defaults[k] != v}
    if isinstance(data, list):
        return [_strip_defaults(item) for item in data]
    return float(data) if isinstance(data, int) and not isinstance(data, bool) else data


def _store_definitions(definitions: dict[str, object]) -> None:
    with db.engine.begin() as connection:
        for number, (slug, definition) in enumerate(definitions.items(), start=1):
            template_id = connection.execute(
                sa.text("INSERT INTO return_template (slug, name, frequency, due_days, created_at) VALUES "
                        "(:slug, :slug, 'quarterly', 28, '2016-07-01 12:00:00') RETURNING id"), {"slug": slug}).scalar()
            connection.execute(
                sa.insert(sa.table("template_version", sa.column("template_id"), sa.column("number"),
                                   sa.column("status"), sa.column("definition", sa.JSON),
                                   sa.column("created_at"))),
                {"template_id": template_id, "number": number, "status": "published", "definition": definition,
                 "created_at": "2016-07-01 12:00:00"})


def _stored_definitions() -> dict[str, object]:
    with db.engine.connect() as connection:
        rows = connection.execute(sa.select(sa.column("slug"), sa.column("definition", sa.JSON)).select_from(
            sa.table("return_template").join(sa.table("template_version"),
                                             sa.text("return_template.id = template_version.template_id")))).all()
    return dict(rows)


# The revision before 0007, whatever it is numbered when branches are merged.
BEFORE_0007 = "0007_definitions_as_tables-1"


@pytest.fixture
def emptied_after(app):
    """The app, with no session holding locks that would block DDL on PostgreSQL; the
    database migrated to head and empty again afterwards, as the suite expects."""
    db.session.remove()
    yield app
    db.session.remove()
    drop_everything()
    flask_migrate.upgrade()


def test_definitions_are_brought_to_the_current_json_and_back(emptied_after):
    """0007 rewrites every stored definition as `flask templates dump` writes it (a load and
    dump round trip): an older layout stored without its default settings gains them and
    still loads as the same template; a tables template is unchanged; one that does not
    load is left as it was. A downgrade removes only the keys 0007 added to the tables model."""
    corpus = Path(__file__).parents[1] / "fixtures" / "corpus" / "refuge_occupancy.template.json"
    tables = json.loads(corpus.read_text())
    demo = {d.slug: d.to_dict() for d in demo_definitions()}
    older = {slug: _strip_defaults(data) for slug, data in demo.items()}
    broken = {"slug": "broken", "sheets": "not a list"}
    flask_migrate.downgrade(revision=BEFORE_0007)
    _store_definitions({**older, "refuges": tables, "broken": broken})
    assert _stored_definitions()["appendix-2-da-sv-outputs"] != demo["appendix-2-da-sv-outputs"]

    flask_migrate.upgrade()

    stored = _stored_definitions()
    for slug, data in demo.items():
        assert stored[slug] == data  # every default written, whole numbers as integers
        assert TemplateDefinition.from_dict(stored[slug]).to_dict() == stored[slug]
    assert stored["refuges"] == definition_from_json(corpus.read_text()).to_dict() == tables
    assert stored["broken"] == broken

    with db.engine.begin() as connection:  # a template saved after the upgrade, using what 0007 added
        uses_new = json.loads(json.dumps(tables))
        uses_new["sheets"][0]["tables"][0]["rule_from"] = "column"
        uses_new["sheets"][0]["tables"][0]["rows"][0]["fixed"] = {"area": "HUNTS"}
        versions = sa.table("template_version", sa.column("template_id"), sa.column("definition", sa.JSON))
        refuges = sa.select(sa.column("id")).select_from(sa.table("return_template")).where(
            sa.column("slug") == "refuges").scalar_subquery()
        connection.execute(versions.update().where(versions.c.template_id == refuges).values(definition=uses_new))
    assert _stored_definitions()["refuges"] == uses_new

    flask_migrate.downgrade(revision=BEFORE_0007)

    stored = _stored_definitions()
    assert stored["refuges"] == tables
    assert stored["appendix-2-da-sv-outputs"] == demo["appendix-2-da-sv-outputs"]
    assert stored["broken"] == broken
