"""Migration 0016 carries the DHR master action plan over to the action-plan tables and
back, on SQLite and PostgreSQL (the suite runs on both)."""
import flask_migrate
import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.conftest import drop_everything


def rows(sql: str, **params) -> list[tuple]:
    with db.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(sa.text(sql), params)]


def run(sql: str, **params) -> None:
    with db.engine.begin() as connection:
        connection.execute(sa.text(sql), params)


@pytest.fixture
def before_action_plans(app):
    """The database as it was at 0013 with two DHR actions (ids 4 and 9), one update, and an
    agency whose name one action's lead matches."""
    db.session.remove()
    drop_everything()
    flask_migrate.upgrade(revision="0013_indicator_results")
    run("INSERT INTO area (id, code, name, kind, sort_order) VALUES (1, 'E1', 'Shire', 'county', 0)")
    run("INSERT INTO agency (id, slug, name, area_id) VALUES (3, 'police', 'Leicestershire Police', 1)")
    run("INSERT INTO dhr_case (id, pseudonym, review_type, status, created_at, updated_at) "
        "VALUES (1, 'Mary', 'dhr', 'in_progress', '2016-01-01 00:00:00', '2016-01-01 00:00:00')")
    run("INSERT INTO dhr_action (id, case_id, scope, lead_agency, action, due_date, status, created_at) VALUES "
        "(4, 1, 'single-agency', 'leicestershire  police', 'Train call handlers', '2016-09-30', 'in progress', "
        "'2016-01-02 00:00:00'), "
        "(9, NULL, 'multi-agency', 'All partners', 'Share the learning', NULL, 'not started', '2016-01-03 00:00:00')")
    run("INSERT INTO dhr_action_update (id, action_id, quarter, text, evidence, created_at) VALUES "
        "(7, 4, '2016/17 Q1', 'Half the handlers trained', 'Training log', '2016-07-01 00:00:00')")
    yield
    db.session.remove()
    drop_everything()
    flask_migrate.upgrade()


def test_upgrade_keeps_every_dhr_action_and_update_in_the_master_plan(before_action_plans):
    flask_migrate.upgrade(revision="0016_action_plans")

    assert rows("SELECT kind, strategy, theme FROM action_plan") == [
        ("dhr", "Domestic Homicide Reviews", "Master action plan")]
    assert rows("SELECT id, case_id, scope, lead_agency, lead_agency_id, action, status, ongoing FROM plan_action "
                "ORDER BY id") == [
        (4, 1, "single-agency", "leicestershire  police", 3, "Train call handlers", "in progress", False),
        (9, None, "multi-agency", "All partners", None, "Share the learning", "not started", False)]
    assert rows("SELECT id, action_id, quarter, text, evidence, source FROM plan_action_update") == [
        (7, 4, "2016/17 Q1", "Half the handlers trained", "Training log", "web")]
    assert "dhr_action" not in sa.inspect(db.engine).get_table_names()
    # New rows get new ids (PostgreSQL's sequences start after the copied ones).
    plan_id = rows("SELECT id FROM action_plan")[0][0]
    run("INSERT INTO plan_action (plan_id, lead_agency, action, ongoing, status, created_at) "
        "VALUES (:p, '', 'Another', :f, 'not started', '2016-02-01 00:00:00')", p=plan_id, f=False)
    assert rows("SELECT max(id) FROM plan_action") == [(10,)]


def test_downgrade_brings_the_dhr_actions_back_and_drops_partnership_plans(before_action_plans):
    flask_migrate.upgrade(revision="0016_action_plans")
    run("INSERT INTO action_plan (id, kind, strategy, theme, created_at) VALUES "
        "(50, 'partnership', 'Domestic Abuse Strategy 2015-18', 'Kirklees', '2016-01-01 00:00:00')")
    run("INSERT INTO plan_action (id, plan_id, lead_agency, action, ongoing, status, tier, rag, created_at) VALUES "
        "(60, 50, 'Data Task Group', 'Agree data fields', :f, 'in progress', 'Problem Solving', 'A', "
        "'2016-01-01 00:00:00')", f=False)

    flask_migrate.downgrade(revision="0013_indicator_results")

    assert rows("SELECT id, case_id, scope, lead_agency, action, status FROM dhr_action ORDER BY id") == [
        (4, 1, "single-agency", "leicestershire  police", "Train call handlers", "in progress"),
        (9, None, "multi-agency", "All partners", "Share the learning", "not started")]
    assert rows("SELECT id, action_id, quarter, text FROM dhr_action_update") == [
        (7, 4, "2016/17 Q1", "Half the handlers trained")]
    tables = set(sa.inspect(db.engine).get_table_names())
    assert not tables & {"action_plan", "plan_objective", "plan_action", "plan_action_update", "plan_action_indicator"}

    flask_migrate.upgrade()
    assert rows("SELECT id FROM plan_action ORDER BY id") == [(4,), (9,)]
