"""Action plans: the DHR master action plan and the partnership's strategy plans on one model (issue 19)

New tables: ``action_plan`` (strategy, theme; kind "dhr" or "partnership"),
``plan_objective`` (with its outcome statement), ``plan_action`` (was ``dhr_action``,
now with its plan, objective, reporting agency, "ongoing", tasks, tier and stated RAG),
``plan_action_update`` (was ``dhr_action_update``, now with the status and RAG reported
and where the update came from) and ``plan_action_indicator`` (the indicators an action
is meant to move).

Upgrade carries every DHR action and update over with its id (so links and audit events
still point at it) into one plan of kind "dhr", the master action plan. An action's lead
as written stays as it was; when it is exactly the name or short name of one member
agency (case and spacing aside), that agency becomes the action's reporting agency.

Downgrade carries the DHR plan's actions and updates back into ``dhr_action`` and
``dhr_action_update`` (an action with no scope becomes multi-agency); partnership plans,
their objectives, indicator links and the new columns are dropped.

Revision ID: 0016_action_plans
Revises: 0014_entry_drafts
Create Date: 2026-12-07 04:00:00

"""
from datetime import datetime, UTC

from alembic import op
import sqlalchemy as sa

revision = "0016_action_plans"
down_revision = "0014_entry_drafts"
branch_labels = None
depends_on = None

STATUSES = "'not started', 'in progress', 'outstanding', 'complete', 'not implemented'"
TIERS = "'Prevention', 'Early Resolution', 'Problem Solving', 'High Risk/Intensive'"
DHR_STRATEGY, DHR_THEME = "Domestic Homicide Reviews", "Master action plan"


def _now():
    return datetime.now(UTC).replace(tzinfo=None)


def _create_new_tables():
    op.create_table(
        "action_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("strategy", sa.String(length=200), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('dhr', 'partnership')", name=op.f("ck_action_plan_kind_allowed")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_plan")),
    )
    op.create_table(
        "plan_objective",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["action_plan.id"], name=op.f("fk_plan_objective_plan_id_action_plan"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_objective")),
    )
    op.create_table(
        "plan_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("scope", sa.String(length=16), nullable=True),
        sa.Column("lead_agency", sa.String(length=200), nullable=False),
        sa.Column("lead_agency_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("ongoing", sa.Boolean(), nullable=False),
        sa.Column("tasks", sa.Text(), nullable=True),
        sa.Column("tier", sa.String(length=24), nullable=True),
        sa.Column("rag", sa.String(length=1), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("impact_review_due", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("scope IN ('single-agency', 'multi-agency')", name=op.f("ck_plan_action_scope_allowed")),
        sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f("ck_plan_action_status_allowed")),
        sa.CheckConstraint(f"tier IN ({TIERS})", name=op.f("ck_plan_action_tier_allowed")),
        sa.CheckConstraint("rag IN ('R', 'A', 'G')", name=op.f("ck_plan_action_rag_allowed")),
        sa.ForeignKeyConstraint(["plan_id"], ["action_plan.id"], name=op.f("fk_plan_action_plan_id_action_plan"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["objective_id"], ["plan_objective.id"],
                                name=op.f("fk_plan_action_objective_id_plan_objective"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["case_id"], ["dhr_case.id"], name=op.f("fk_plan_action_case_id_dhr_case")),
        sa.ForeignKeyConstraint(["lead_agency_id"], ["agency.id"], name=op.f("fk_plan_action_lead_agency_id_agency")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_action")),
    )
    op.create_table(
        "plan_action_indicator",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["plan_action.id"],
                                name=op.f("fk_plan_action_indicator_action_id_plan_action"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["indicator_id"], ["indicator.id"],
                                name=op.f("fk_plan_action_indicator_indicator_id_indicator"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("action_id", "indicator_id", name=op.f("pk_plan_action_indicator")),
    )
    op.create_table(
        "plan_action_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("rag", sa.String(length=1), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f("ck_plan_action_update_status_allowed")),
        sa.CheckConstraint("rag IN ('R', 'A', 'G')", name=op.f("ck_plan_action_update_rag_allowed")),
        sa.CheckConstraint("source IN ('web', 'return')", name=op.f("ck_plan_action_update_source_allowed")),
        sa.ForeignKeyConstraint(["action_id"], ["plan_action.id"],
                                name=op.f("fk_plan_action_update_action_id_plan_action"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_plan_action_update_created_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_action_update")),
    )


def _create_old_tables():
    """dhr_action and dhr_action_update as 0002 made them."""
    op.create_table(
        "dhr_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("lead_agency", sa.String(length=200), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("impact_review_due", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("scope IN ('single-agency', 'multi-agency')", name=op.f("ck_dhr_action_scope_allowed")),
        sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f("ck_dhr_action_status_allowed")),
        sa.ForeignKeyConstraint(["case_id"], ["dhr_case.id"], name=op.f("fk_dhr_action_case_id_dhr_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dhr_action")),
    )
    op.create_table(
        "dhr_action_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["dhr_action.id"], name=op.f("fk_dhr_action_update_action_id_dhr_action"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_dhr_action_update_created_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dhr_action_update")),
    )


def _compared(text):
    return " ".join((text or "").casefold().split())


def _reset_sequences(connection, *tables):
    """PostgreSQL: rows were copied with their ids, so each id sequence starts after them."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        connection.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, "
            "false)"))


ACTION_COLUMNS = "id, case_id, scope, lead_agency, action, due_date, status, completed_on, impact_review_due, created_at"
UPDATE_COLUMNS = "id, action_id, quarter, text, evidence, created_by_id, created_at"


def upgrade():
    _create_new_tables()
    connection = op.get_bind()
    actions = connection.execute(sa.text(f"SELECT {ACTION_COLUMNS} FROM dhr_action ORDER BY id")).mappings().all()
    if actions:
        plan_id = connection.execute(
            sa.text("INSERT INTO action_plan (kind, strategy, theme, created_at) VALUES ('dhr', :s, :t, :c) "
                    "RETURNING id"), {"s": DHR_STRATEGY, "t": DHR_THEME, "c": _now()}).scalar()
        agencies = {}
        for agency_id, slug, name in connection.execute(sa.text("SELECT id, slug, name FROM agency ORDER BY id")):
            for key in {_compared(slug), _compared(name)}:
                agencies.setdefault(key, set()).add(agency_id)
        for row in actions:
            matches = agencies.get(_compared(row["lead_agency"]), set())
            connection.execute(sa.text(
                f"INSERT INTO plan_action ({ACTION_COLUMNS}, plan_id, lead_agency_id, ongoing) VALUES "
                "(:id, :case_id, :scope, :lead_agency, :action, :due_date, :status, :completed_on, "
                ":impact_review_due, :created_at, :plan_id, :lead_agency_id, :ongoing)"),
                {**row, "plan_id": plan_id, "lead_agency_id": next(iter(matches)) if len(matches) == 1 else None,
                 "ongoing": False})
        connection.execute(sa.text(
            f"INSERT INTO plan_action_update ({UPDATE_COLUMNS}, source) "
            f"SELECT {UPDATE_COLUMNS}, 'web' FROM dhr_action_update"))
    _reset_sequences(connection, "plan_action", "plan_action_update")
    op.drop_table("dhr_action_update")
    op.drop_table("dhr_action")


def downgrade():
    _create_old_tables()
    connection = op.get_bind()
    dhr = "SELECT id FROM action_plan WHERE kind = 'dhr'"
    connection.execute(sa.text(
        f"INSERT INTO dhr_action ({ACTION_COLUMNS}) SELECT id, case_id, COALESCE(scope, 'multi-agency'), lead_agency, "
        "action, due_date, status, completed_on, impact_review_due, created_at "
        f"FROM plan_action WHERE plan_id IN ({dhr})"))
    connection.execute(sa.text(
        f"INSERT INTO dhr_action_update ({UPDATE_COLUMNS}) SELECT {UPDATE_COLUMNS} FROM plan_action_update "
        f"WHERE action_id IN (SELECT id FROM plan_action WHERE plan_id IN ({dhr}))"))
    _reset_sequences(connection, "dhr_action", "dhr_action_update")
    for table in ("plan_action_update", "plan_action_indicator", "plan_action", "plan_objective", "action_plan"):
        op.drop_table(table)
