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
from tests.conftest import drop_everything

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
    drop_everything()
    assert table_names() == set()

    flask_migrate.upgrade()

    tables = table_names()
    assert tables >= SPINE_TABLES, f"missing after upgrade: {sorted(SPINE_TABLES - tables)}"
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


def _insert_figure(flag: str, value) -> None:
    """One data_value row, written in plain SQL so only the database's own checks judge it."""
    with db.engine.begin() as connection:
        ids = {}
        for table, column, key in (
            ("indicator", "slug", "check-ind"),
            ("area", "code", "CHK"),
            ("period", "key", "2016/17"),
        ):
            ids[table] = connection.execute(sa.text(f"SELECT id FROM {table} WHERE {column} = :k"), {"k": key}).scalar()
        connection.execute(
            sa.text("INSERT INTO data_value (indicator_id, area_id, period_id, value, flag, is_current, created_at) "
                    "VALUES (:i, :a, :p, :v, :f, :c, :t)"),
            {"i": ids["indicator"], "a": ids["area"], "p": ids["period"], "v": value, "f": flag, "c": False,
             "t": "2016-07-01 12:00:00"})


@pytest.fixture
def one_of_each(schema_owner):
    from app.models import Area, Indicator
    from app.store.reference import period_row

    db.session.add_all([Indicator(slug="check-ind", name="Check"), Area(code="CHK", name="Check area")])
    period_row("2016/17")
    db.session.commit()
    db.session.remove()
    yield
    drop_everything()
    flask_migrate.upgrade()


@pytest.mark.parametrize("flag, value", [("actual", 3.0), ("estimate", 0.0), ("provisional", 1.5),
                                         ("not_available", None), ("not_released", None)])
def test_the_figure_checks_accept_every_flag_with_the_value_it_needs(one_of_each, flag, value):
    _insert_figure(flag, value)


@pytest.mark.parametrize("flag, value", [("actual", None), ("estimate", None), ("not_available", 4.0),
                                         ("zero", 0.0), ("Actual", 1.0)])
def test_the_figure_checks_refuse_a_flag_and_value_that_disagree(one_of_each, flag, value):
    with pytest.raises(sa.exc.IntegrityError):
        _insert_figure(flag, value)


def test_spelling_the_figure_checks_out_keeps_the_figures_already_stored(one_of_each):
    """0003 rebuilds data_value on SQLite (a constraint cannot be altered there): rows survive."""
    flask_migrate.downgrade(revision="0002_performance_dhr")
    _insert_figure("actual", 7.0)
    _insert_figure("not_available", None)

    flask_migrate.upgrade()

    with db.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT flag, value FROM data_value ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("actual", 7.0), ("not_available", None)]
    with pytest.raises(sa.exc.IntegrityError):
        _insert_figure("actual", None)


def test_the_alias_tables_keep_the_areas_and_indicators_already_stored(one_of_each):
    """0004 adds area_alias and indicator_alias beside rows already stored: they survive,
    take aliases, and one alias cannot name two areas."""
    flask_migrate.downgrade(revision="0003_value_checks_spelled_out")
    _insert_figure("actual", 7.0)

    flask_migrate.upgrade()

    with db.engine.begin() as connection:
        area = connection.execute(sa.text("SELECT id, name FROM area WHERE code = 'CHK'")).one()
        indicator = connection.execute(sa.text("SELECT id, name FROM indicator WHERE slug = 'check-ind'")).one()
        assert (area.name, indicator.name) == ("Check area", "Check")
        assert connection.execute(sa.text("SELECT flag, value FROM data_value")).all() == [("actual", 7.0)]
        connection.execute(sa.text("INSERT INTO area_alias (area_id, name, normalised) VALUES (:a, 'CHK BC', "
                                   "'chk bc')"), {"a": area.id})
        connection.execute(sa.text("INSERT INTO indicator_alias (indicator_id, name, normalised) VALUES (:i, "
                                   "'Checks', 'checks')"), {"i": indicator.id})
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO area_alias (area_id, name, normalised) VALUES (:a, 'Chk B.C.', "
                                   "'chk bc')"), {"a": area.id})


def _ids_of_one_of_each(connection) -> dict[str, int]:
    return {table: connection.execute(sa.text(f"SELECT id FROM {table} WHERE {column} = :k"), {"k": key}).scalar()
            for table, column, key in (("indicator", "slug", "check-ind"), ("area", "code", "CHK"),
                                       ("period", "key", "2016/17"))}


def test_targets_already_stored_stay_current_and_keep_one_current_target_per_key(one_of_each):
    """0006 gives target a submission, sheet, cell and history: a target stored before it
    survives, current and with no submission; a superseded target may sit beside the
    current one, a second current one may not. A downgrade keeps the current target."""
    flask_migrate.downgrade(revision="0004_area_and_indicator_aliases")
    with db.engine.begin() as connection:
        ids = _ids_of_one_of_each(connection)
        connection.execute(sa.text("INSERT INTO target (indicator_id, area_id, period_id, value, note) "
                                   "VALUES (:indicator, :area, :period, 95.0, 'typed by an admin')"), ids)

    flask_migrate.upgrade()

    with db.engine.begin() as connection:
        kept = connection.execute(
            sa.text("SELECT value, note, submission_id, sheet, cell, is_current FROM target")).all()
        assert [tuple(row) for row in kept] == [(95.0, "typed by an admin", None, None, None, True)]
        connection.execute(sa.text("INSERT INTO target (indicator_id, area_id, period_id, value, sheet, cell, "
                                   "is_current, created_at) VALUES (:indicator, :area, :period, 90.0, 'Appendix 2', "
                                   "'L6', :old, '2016-07-01 12:00:00')"), {**ids, "old": False})
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO target (indicator_id, area_id, period_id, value) "
                                   "VALUES (:indicator, :area, :period, 80.0)"), ids)

    flask_migrate.downgrade(revision="0004_area_and_indicator_aliases")
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT value, note FROM target")).all() == [(95.0, "typed by an admin")]


# The revision before 0008, whatever it is numbered when branches are merged.
BEFORE_0008 = "0008_budget_contributors-1"


@pytest.fixture
def rebuilt_after(schema_owner):
    """The test's rows are removed afterwards, and the schema left at head, even if it fails."""
    yield
    db.session.remove()
    drop_everything()
    flask_migrate.upgrade()


def test_budget_contributions_already_stored_are_linked_to_the_agencies_they_name(rebuilt_after):
    """0008: each contribution stored before it is paid by the member agency its partner
    name means (by the agency's name, or the place its council serves, or an alias of that
    place); a place several agencies serve, or a name no agency has, stays a named partner,
    as does a second line naming an agency that already pays one. Then an agency pays one
    line a year. A downgrade keeps the links."""
    flask_migrate.downgrade(revision=BEFORE_0008)
    with db.engine.begin() as connection:
        def insert(sql, **values):
            return connection.execute(sa.text(sql + " RETURNING id"), values).scalar()

        county = insert("INSERT INTO area (name, code, kind, sort_order) VALUES ('Leicestershire', 'LC', 'county', 0)")
        charnwood = insert("INSERT INTO area (name, code, kind, parent_id, sort_order) "
                           "VALUES ('Charnwood', 'C', 'district', :p, 1)", p=county)
        connection.execute(sa.text("INSERT INTO area_alias (area_id, name, normalised) VALUES (:a, 'Charnwood BC', "
                                   "'charnwood bc')"), {"a": charnwood})
        agencies = {slug: insert("INSERT INTO agency (slug, name, area_id) VALUES (:s, :n, :a)", s=slug, n=name, a=area)
                    for slug, name, area in [("leicestershire-police", "Leicestershire Police", county),
                                             ("leicestershire-county-council", "Leicestershire County Council", county),
                                             ("charnwood-borough-council", "Charnwood Borough Council", charnwood)]}
        years = [insert("INSERT INTO dhr_budget_year (year_start, opening_reserve, reviews_expected, cost_per_review, "
                        "fixed_support) VALUES (:y, 0, 0, 0, 0)", y=y) for y in (2016, 2017)]
        for year, partner, due in [(years[0], "Leicestershire Police", 16000), (years[0], "Charnwood", 2500),
                                   (years[0], "Charnwood CSP fund", 100), (years[0], "Leicestershire", 500),
                                   (years[0], "Office of the Police and Crime Commissioner", 5000),
                                   (years[1], "charnwood bc", 2500), (years[1], "LEICESTERSHIRE COUNTY COUNCIL", 30000),
                                   (years[1], "Charnwood Borough Council", 1)]:
            connection.execute(sa.text("INSERT INTO dhr_contribution (budget_year_id, partner, due, "
                                       "received_in_advance, drawn_down) VALUES (:y, :p, :d, 0, :t)"),
                               {"y": year, "p": partner, "d": due, "t": True})

    flask_migrate.upgrade()

    def links():
        with db.engine.connect() as connection:
            return connection.execute(sa.text(
                "SELECT y.year_start, c.partner, a.slug, c.due FROM dhr_contribution c JOIN dhr_budget_year y "
                "ON y.id = c.budget_year_id LEFT JOIN agency a ON a.id = c.agency_id ORDER BY c.id")).all()

    linked = [(2016, "Leicestershire Police", "leicestershire-police", 16000),
              (2016, "Charnwood", "charnwood-borough-council", 2500),
              (2016, "Charnwood CSP fund", None, 100),
              (2016, "Leicestershire", None, 500),
              (2016, "Office of the Police and Crime Commissioner", None, 5000),
              (2017, "charnwood bc", "charnwood-borough-council", 2500),
              (2017, "LEICESTERSHIRE COUNTY COUNCIL", "leicestershire-county-council", 30000),
              (2017, "Charnwood Borough Council", None, 1)]  # Charnwood already pays 2017's "charnwood bc"
    assert [tuple(row) for row in links()] == linked
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM area")).scalar() == 2  # no area came or went
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE dhr_contribution SET agency_id = :a WHERE partner = 'Leicestershire'"),
                           {"a": agencies["leicestershire-police"]})

    flask_migrate.downgrade(revision=BEFORE_0008)
    assert [tuple(row) for row in links()] == linked


def test_targets_already_stored_keep_their_values_and_get_no_tolerance_or_author(one_of_each):
    """0010 gives target a tolerance, who entered it, its source file and its retirement: a
    target stored before it survives with all of them empty (the indicator's own amber band
    applies, nobody is recorded as having typed it); a negative tolerance is refused; a
    downgrade keeps the targets."""
    flask_migrate.downgrade(revision="0009_comparison_basis")
    with db.engine.begin() as connection:
        ids = _ids_of_one_of_each(connection)
        connection.execute(sa.text("INSERT INTO target (indicator_id, area_id, period_id, value, note, is_current, "
                                   "created_at) VALUES (:indicator, :area, :period, 95.0, 'typed by an admin', "
                                   ":current, '2016-07-01 12:00:00')"), {**ids, "current": True})

    flask_migrate.upgrade()

    with db.engine.begin() as connection:
        kept = connection.execute(sa.text("SELECT value, note, is_current, tolerance, entered_by_id, source, "
                                          "retired_at, retired_by_id FROM target")).all()
        assert [tuple(row) for row in kept] == [(95.0, "typed by an admin", True, None, None, None, None, None)]
        connection.execute(sa.text("INSERT INTO user_account (email, name, password_hash, role, active, dhr_access, "
                                   "created_at) VALUES ('a@example.org', 'Ann Admin', 'x', 'admin', :yes, :no, "
                                   "'2016-07-01 12:00:00')"), {"yes": True, "no": False})
        admin = connection.execute(sa.text("SELECT id FROM user_account")).scalar()
        connection.execute(sa.text("UPDATE target SET is_current = :no, retired_at = '2016-08-01 09:00:00', "
                                   "retired_by_id = :admin"), {"no": False, "admin": admin})
        connection.execute(sa.text("INSERT INTO target (indicator_id, area_id, period_id, value, tolerance, "
                                   "entered_by_id, source, is_current) VALUES (:indicator, :area, :period, 90.0, 2.5, "
                                   ":admin, 'targets.csv, row 2', :current)"), {**ids, "admin": admin, "current": True})
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE target SET tolerance = -1 WHERE value = 90.0"))

    flask_migrate.downgrade(revision="0009_comparison_basis")
    with db.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT value, is_current FROM target ORDER BY id")).all()
    assert [tuple(row) for row in rows] == [(95.0, False), (90.0, True)]
