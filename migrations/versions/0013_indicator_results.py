"""indicator_figure and indicator_result: the indicator engine's results, kept (issue 16)

``indicator_figure``: every figure the dashboard can use per indicator × area × period
(stored, recomputed, or a total of districts, with its status and message).
``indicator_result``: the engine's row per dashboard period × indicator × area, as JSON,
with the headline flag and the total's status as columns. Both are derived from the
stored figures, targets, areas and indicator rules: this migration fills them
(``app.services.results.recompute``, what ``flask indicators recompute --all`` runs).

Revision ID: 0013_indicator_results
Revises: 0012_schedules_from_templates
Create Date: 2026-12-07 01:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0013_indicator_results"
down_revision = "0012_schedules_from_templates"
branch_labels = None
depends_on = None


def _keys(table: str) -> list:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["indicator_id"], ["indicator.id"], name=op.f(f"fk_{table}_indicator_id_indicator"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f(f"fk_{table}_area_id_area"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["period_id"], ["period.id"], name=op.f(f"fk_{table}_period_id_period"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade():
    op.create_table(
        "indicator_figure", *_keys("indicator_figure"),
        sa.Column("has_figure", sa.Boolean(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("flag", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
    )
    op.create_index("uq_indicator_figure", "indicator_figure", ["indicator_id", "area_id", "period_id"], unique=True)
    op.create_index("ix_indicator_figure_area", "indicator_figure", ["area_id", "period_id"])
    op.create_table(
        "indicator_result", *_keys("indicator_result"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("headline", sa.Boolean(), nullable=False),
        sa.Column("several", sa.Boolean(), nullable=False),
        sa.Column("aggregate_status", sa.String(length=16), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
    )
    op.create_index("uq_indicator_result", "indicator_result", ["period_id", "indicator_id", "area_id"], unique=True)
    op.create_index("ix_indicator_result_area", "indicator_result", ["period_id", "area_id"])
    _recompute()


def _recompute():
    """Fill the new tables from what is stored, on the migration's own connection."""
    connection = op.get_bind()
    if connection.execute(sa.text("SELECT 1 FROM data_value LIMIT 1")).first() is None:
        return  # nothing stored, nothing to work out
    from sqlalchemy.orm import Session

    from app.extensions import db
    from app.services.results import recompute

    session = Session(bind=connection)
    before = db.session.registry()
    db.session.registry.set(session)
    try:
        recompute()
        session.flush()
    finally:
        db.session.registry.set(before)


def downgrade():
    op.drop_index("ix_indicator_result_area", table_name="indicator_result")
    op.drop_index("uq_indicator_result", table_name="indicator_result")
    op.drop_table("indicator_result")
    op.drop_index("ix_indicator_figure_area", table_name="indicator_figure")
    op.drop_index("uq_indicator_figure", table_name="indicator_figure")
    op.drop_table("indicator_figure")
