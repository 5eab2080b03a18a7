"""mail_message: the email the service sends (issue 17)

Reminders, chasers, receipts, notes to managers, invitations and password resets, one
row per message to one person. ``key`` is unique, so a scheduled reminder is made once
only however often ``flask reminders send`` runs; a failed send stays ``failed`` with
its error and is retried by the next run. A new table only.

Revision ID: 0011_mail
Revises: 0010_targets_and_rates
Create Date: 2026-12-07 01:20:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0011_mail"
# The lead renumbers on merge: 0009_comparison_basis was main's head when this was written.
down_revision = "0010_targets_and_rates"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mail_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=250), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('reminder', 'chaser', 'receipt', 'period_complete', 'invitation', 'password_reset')",
            name=op.f("ck_mail_message_kind_allowed")),
        sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')",
                           name=op.f("ck_mail_message_status_allowed")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_mail_message_user_id_user_account"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_message")),
        sa.UniqueConstraint("key", name=op.f("uq_mail_message_key")),
    )
    op.create_index("ix_mail_message_status", "mail_message", ["status"], unique=False)


def downgrade():
    op.drop_index("ix_mail_message_status", table_name="mail_message")
    op.drop_table("mail_message")
