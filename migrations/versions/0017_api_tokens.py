"""api_token, and submission.api_token_id: machine submissions through the JSON API (issue 20)

A token is issued by an admin to an agency (or, for reading indicator values, as a
manager's); only its SHA-256 is kept. A submission sent through the API names its token.

Revision ID: 0017_api_tokens
Revises: 0016_action_plans
Create Date: 2026-12-07 04:00:00

"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa

revision = "0017_api_tokens"
down_revision = "0016_action_plans"
branch_labels = None
depends_on = None


@contextmanager
def _submission_copied():
    """SQLite copies ``submission`` to change its foreign keys, dropping the old table while
    figures and targets point at it: foreign keys are off for the copy (which keeps every
    id). The pragma works only outside a transaction, so what came before is committed
    (SQLite's DDL here is not transactional anyway)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    raw = bind.connection.driver_connection
    raw.commit()
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.commit()
        raw.execute("PRAGMA foreign_keys = ON")


def upgrade():
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("role IN ('officer', 'manager')", name=op.f("ck_api_token_role_allowed")),
        sa.CheckConstraint("role <> 'officer' OR agency_id IS NOT NULL",
                           name=op.f("ck_api_token_officer_token_has_agency")),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_api_token_agency_id_agency")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_api_token_created_by_id_user_account")),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["user_account.id"],
                                name=op.f("fk_api_token_revoked_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with _submission_copied(), op.batch_alter_table("submission") as batch:
        batch.add_column(sa.Column("api_token_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_submission_api_token_id_api_token"), "api_token", ["api_token_id"], ["id"])


def downgrade():
    with _submission_copied(), op.batch_alter_table("submission") as batch:
        batch.drop_constraint(op.f("fk_submission_api_token_id_api_token"), type_="foreignkey")
        batch.drop_column("api_token_id")
    op.drop_table("api_token")
