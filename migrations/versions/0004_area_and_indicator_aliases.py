"""area_alias and indicator_alias: the other names an area or an indicator goes by

One vocabulary per partnership (issue 14): "NWLDC", "North West Leicestershire District
Council" are kept once, on the area, and every template reads them. A child table rather
than a JSON list on the row, so the database itself refuses one alias naming two areas:
``normalised`` (the alias as labels are compared: case, spacing and punctuation do not
count) is unique. New tables only: the rows already stored are not touched.

Revision ID: 0004_area_and_indicator_aliases
Revises: 0003_value_checks_spelled_out
Create Date: 2026-11-24 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0004_area_and_indicator_aliases"
down_revision = "0003_value_checks_spelled_out"
branch_labels = None
depends_on = None


def _create(table: str, owner: str, length: int) -> None:
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(f"{owner}_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=length), nullable=False),
        sa.Column("normalised", sa.String(length=length), nullable=False),
        sa.ForeignKeyConstraint([f"{owner}_id"], [f"{owner}.id"], name=op.f(f"fk_{table}_{owner}_id_{owner}"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("normalised", name=op.f(f"uq_{table}_normalised")),
    )
    op.create_index(op.f(f"ix_{table}_{owner}_id"), table, [f"{owner}_id"], unique=False)


def upgrade():
    _create("area_alias", "area", 120)
    _create("indicator_alias", "indicator", 300)


def downgrade():
    for table, owner in (("indicator_alias", "indicator"), ("area_alias", "area")):
        op.drop_index(op.f(f"ix_{table}_{owner}_id"), table_name=table)
        op.drop_table(table)
