"""indicator: what its latest figure is compared with, and its direction's stable band (issue 15)

``comparison_basis``: "same_period_last_year" (like for like: the same period a year
earlier, the default and what every indicator stored so far gets) or
"latest_earlier_period" (a cohort or rolling measure published over periods of changing
length, compared with its latest earlier figure: Leicestershire's youth re-offending,
Apr–Dec 2015 against 2014/15). ``stable_within``: a direction of travel within this band
(per cent, or percentage points for a percentage) is "stable"; 2, the rule's old fixed
band, for every indicator stored so far.

``peer_position``: a position among peers (Top, Average, Bottom) as published with the
figures, for an indicator and period, when the peers' own figures are not held (the
Leicestershire paper's "County Comparison" column). A new table.

Revision ID: 0009_comparison_basis
Revises: 0008_budget_contributors
Create Date: 2026-12-07 00:40:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0009_comparison_basis"
# The lead renumbers on merge: 0008_budget_contributors is the head once 0007/0008 land.
down_revision = "0008_budget_contributors"
branch_labels = None
depends_on = None


CHECKS = (("ck_indicator_comparison_basis_allowed",
           "comparison_basis IN ('same_period_last_year', 'latest_earlier_period')"),
          ("ck_indicator_stable_within_not_negative", "stable_within >= 0"))


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    # Columns added in place. SQLite cannot add a CHECK to a table without copying it, and
    # copying ``indicator`` would drop it first, which deletes (ON DELETE CASCADE) every
    # figure, target and comment that points at it; there the checks are the forms' and
    # services' only (a database made by create_all has them too).
    op.add_column("indicator", sa.Column("comparison_basis", sa.String(length=24), nullable=False,
                                         server_default="same_period_last_year"))
    op.add_column("indicator", sa.Column("stable_within", sa.Float(), nullable=False, server_default=sa.text("2.0")))
    if not _sqlite():
        for name, condition in CHECKS:
            op.create_check_constraint(op.f(name), "indicator", condition)
    op.create_table(
        "peer_position",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("position", sa.String(length=8), nullable=False),
        sa.CheckConstraint("position IN ('Top', 'Average', 'Bottom')", name=op.f("ck_peer_position_position_allowed")),
        sa.ForeignKeyConstraint(["indicator_id"], ["indicator.id"], name=op.f("fk_peer_position_indicator_id_indicator"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["period_id"], ["period.id"], name=op.f("fk_peer_position_period_id_period")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer_position")),
        sa.UniqueConstraint("indicator_id", "period_id", "label",
                            name=op.f("uq_peer_position_indicator_id_period_id_label")),
    )


def downgrade():
    op.drop_table("peer_position")
    if not _sqlite():
        for name, _condition in reversed(CHECKS):
            op.drop_constraint(op.f(name), "indicator", type_="check")
    # SQLite 3.35+ drops a column in place.
    op.drop_column("indicator", "stable_within")
    op.drop_column("indicator", "comparison_basis")
