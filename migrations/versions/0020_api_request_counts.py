"""API request counts kept in the database, replacing Flask-Limiter's per-worker memory

``api_request_count`` counts the API requests made with one token (or, without one, from one
address) in the current fixed window of ``API_RATE_LIMIT``, in the database every worker and
machine shares: four gunicorn workers no longer allow four times the limit.

Revision ID: 0020_api_request_counts
Revises: 0019_security_notices
Create Date: 2026-12-07 09:45:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0020_api_request_counts"
down_revision = "0019_security_notices"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_request_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_request_count")),
        sa.UniqueConstraint("key", name=op.f("uq_api_request_count_key")),
    )
    with op.batch_alter_table("api_request_count", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_request_count_window_start"), ["window_start"], unique=False)


def downgrade():
    with op.batch_alter_table("api_request_count", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_request_count_window_start"))
    op.drop_table("api_request_count")
