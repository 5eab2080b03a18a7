"""data_value's CHECK constraints spelled out with OR instead of IN lists

SQLite 3.40 evaluates an IN list inside a CHECK through a temporary b-tree for every row
inserted; storing a 105,000-figure return spent about half its time there (bench/import).
The rules are unchanged: the same flags, and a value exactly when the flag says so.

Revision ID: 0003_value_checks_spelled_out
Revises: 0002_performance_dhr
Create Date: 2026-11-23 19:10:00

"""
from alembic import op

revision = "0003_value_checks_spelled_out"
down_revision = "0002_performance_dhr"
branch_labels = None
depends_on = None

# Written out here rather than imported, so the revision stays as it was when written.
FLAG_ALLOWED_OR = ("(flag = 'actual' OR flag = 'estimate' OR flag = 'provisional' OR flag = 'not_available' "
                   "OR flag = 'not_released')")
VALUE_MATCHES_FLAG_OR = ("((flag = 'actual' OR flag = 'estimate' OR flag = 'provisional') AND value IS NOT NULL) OR "
                         "((flag = 'not_available' OR flag = 'not_released') AND value IS NULL)")
FLAG_ALLOWED_IN = "flag IN ('actual', 'estimate', 'provisional', 'not_available', 'not_released')"
VALUE_MATCHES_FLAG_IN = ("(flag IN ('actual', 'estimate', 'provisional') AND value IS NOT NULL) OR "
                         "(flag IN ('not_available', 'not_released') AND value IS NULL)")


def _replace_checks(flag_allowed: str, value_matches_flag: str) -> None:
    # Batch mode: SQLite cannot alter a constraint, so the table is copied (indexes and
    # foreign keys carried over); PostgreSQL alters it in place.
    with op.batch_alter_table("data_value") as batch_op:
        batch_op.drop_constraint(op.f("ck_data_value_flag_allowed"), type_="check")
        batch_op.drop_constraint(op.f("ck_data_value_value_matches_flag"), type_="check")
        batch_op.create_check_constraint("flag_allowed", flag_allowed)
        batch_op.create_check_constraint("value_matches_flag", value_matches_flag)


def upgrade():
    _replace_checks(FLAG_ALLOWED_OR, VALUE_MATCHES_FLAG_OR)


def downgrade():
    _replace_checks(FLAG_ALLOWED_IN, VALUE_MATCHES_FLAG_IN)
