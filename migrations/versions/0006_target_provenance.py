"""target: provenance and history, as data_value has (issue 14)

A target read from a return points back to its submission, sheet and cell, and a newer
target for the same indicator, area and period marks the old one not current instead of
overwriting it. So the unique constraint on (indicator, area, period) becomes a partial
unique index over the current rows only, as ``uq_data_value_current`` is. Targets already
stored (typed by an administrator, loaded by the demo) stay current, with no submission;
their ``created_at`` is unknown and left empty.

Downgrading keeps only the current targets: the constraint it restores allows one row per
indicator, area and period, so the superseded history is deleted.

Revision ID: 0006_target_provenance
Revises: 0004_area_and_indicator_aliases
Create Date: 2026-11-26 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0006_target_provenance"
down_revision = "0004_area_and_indicator_aliases"
branch_labels = None
depends_on = None

CURRENT = sa.text("is_current")


def upgrade():
    # Batch mode: SQLite cannot drop a constraint or add a foreign key in place, so the
    # table is copied (rows, indexes and foreign keys carried over); PostgreSQL alters it.
    with op.batch_alter_table("target") as batch_op:
        batch_op.add_column(sa.Column("submission_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sheet", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("cell", sa.String(length=16), nullable=True))
        # The server default makes the rows already stored current.
        batch_op.add_column(sa.Column("is_current", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("created_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_target_submission_id_submission"), "submission",
                                    ["submission_id"], ["id"])
        batch_op.drop_constraint(op.f("uq_target_indicator_id_area_id_period_id"), type_="unique")
    # Created after the batch, so SQLite's copy of the table need not carry a partial index.
    op.create_index("uq_target_current", "target", ["indicator_id", "area_id", "period_id"], unique=True,
                    sqlite_where=CURRENT, postgresql_where=CURRENT)
    op.create_index("ix_target_submission", "target", ["submission_id"], unique=False)


def downgrade():
    op.drop_index("ix_target_submission", table_name="target")
    op.drop_index("uq_target_current", table_name="target", sqlite_where=CURRENT, postgresql_where=CURRENT)
    op.execute(sa.text("DELETE FROM target WHERE NOT is_current"))
    with op.batch_alter_table("target") as batch_op:
        batch_op.create_unique_constraint(op.f("uq_target_indicator_id_area_id_period_id"),
                                          ["indicator_id", "area_id", "period_id"])
        batch_op.drop_constraint(op.f("fk_target_submission_id_submission"), type_="foreignkey")
        batch_op.drop_column("created_at")
        batch_op.drop_column("is_current")
        batch_op.drop_column("cell")
        batch_op.drop_column("sheet")
        batch_op.drop_column("submission_id")
