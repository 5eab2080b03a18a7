"""target: tolerance, who entered it, its source file and its retirement (issue 15)

Targets get admin pages: an admin types or uploads them, with a tolerance (the target's
own amber band), and may retire one. So a target row says who entered it (``entered_by_id``),
from which uploaded file and row (``source``; a return's target keeps its submission,
sheet and cell), its ``tolerance``, and, once retired without a replacement, when and by
whom (``retired_at``, ``retired_by_id``). Targets already stored keep every column empty:
nobody is recorded as having typed them, and the indicator's own amber band applies.

Rates per 1,000 or 100,000 population need no new column: an indicator whose unit is a
rate, worked out from a numerator indicator with no denominator, is per head of the
area's population (``area_population``, one estimate per area and year, since 0001).

Downgrading drops the columns; a retired target stays not current.

Revision ID: 0010_targets_and_rates
Revises: 0009_comparison_basis
Create Date: 2026-12-07 01:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0010_targets_and_rates"
down_revision = "0009_comparison_basis"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("target") as batch_op:
        batch_op.add_column(sa.Column("tolerance", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("entered_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("source", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("retired_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("retired_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_target_entered_by_id_user_account"), "user_account",
                                    ["entered_by_id"], ["id"])
        batch_op.create_foreign_key(op.f("fk_target_retired_by_id_user_account"), "user_account",
                                    ["retired_by_id"], ["id"])
        batch_op.create_check_constraint(op.f("ck_target_tolerance_not_negative"),
                                         "tolerance IS NULL OR tolerance >= 0")


def downgrade():
    with op.batch_alter_table("target") as batch_op:
        batch_op.drop_constraint(op.f("ck_target_tolerance_not_negative"), type_="check")
        batch_op.drop_constraint(op.f("fk_target_retired_by_id_user_account"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_target_entered_by_id_user_account"), type_="foreignkey")
        batch_op.drop_column("retired_by_id")
        batch_op.drop_column("retired_at")
        batch_op.drop_column("source")
        batch_op.drop_column("entered_by_id")
        batch_op.drop_column("tolerance")
