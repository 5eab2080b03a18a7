"""Secure sign-in (issue 21): session versions, two-factor sign-in, sign-in throttling

``user_account`` gains ``session_version`` (raised by sign-out and a new password, which
ends every session made before), the TOTP secret, when two-factor sign-in was set up and
the last 30-second step a code was accepted for. ``recovery_code`` keeps the SHA-256 of
each one-use recovery code; ``sign_in_throttle`` counts failed sign-ins per account and
per address in the database every worker shares.

Revision ID: 0018_security
Revises: 0017_api_tokens
Create Date: 2026-12-07 04:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0018_security"
down_revision = "0017_api_tokens"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default=sa.text("1")))
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("two_factor_since", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))

    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_recovery_code_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_code")),
    )
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_code_user_id"), ["user_id"], unique=False)

    op.create_table(
        "sign_in_throttle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_throttle")),
        sa.UniqueConstraint("key", name=op.f("uq_sign_in_throttle_key")),
    )


def downgrade():
    op.drop_table("sign_in_throttle")
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_code_user_id"))
    op.drop_table("recovery_code")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch copy of
    # user_account would drop the table the rest of the schema refers to.
    for column in ("totp_last_step", "two_factor_since", "totp_secret", "session_version"):
        op.drop_column("user_account", column)
