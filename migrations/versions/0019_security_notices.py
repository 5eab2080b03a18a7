"""Security notices: email telling a person their password or second factor changed

``mail_message.kind`` gains ``security_notice``: the email sent when someone's password is
changed (from a reset link, or by an administrator), an administrator resets their second
factor, or they make new recovery codes, so a change they did not make does not go unseen.

Revision ID: 0019_security_notices
Revises: 0018_security
Create Date: 2026-12-07 09:30:00

"""
from alembic import op

revision = "0019_security_notices"
down_revision = "0018_security"
branch_labels = None
depends_on = None

# Written out here rather than imported, so the revision stays as it was when written.
KINDS_BEFORE = ("reminder", "chaser", "receipt", "period_complete", "invitation", "password_reset")
KINDS_AFTER = KINDS_BEFORE + ("security_notice",)


def _kinds(kinds: tuple[str, ...]) -> None:
    # Batch mode: SQLite cannot alter a constraint, so the table is copied; PostgreSQL
    # alters it in place. Every kind before is still allowed, so no row can be refused.
    with op.batch_alter_table("mail_message") as batch_op:
        batch_op.drop_constraint(op.f("ck_mail_message_kind_allowed"), type_="check")
        batch_op.create_check_constraint("kind_allowed", "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")")


def upgrade():
    _kinds(KINDS_AFTER)


def downgrade():
    op.execute("DELETE FROM mail_message WHERE kind = 'security_notice'")
    _kinds(KINDS_BEFORE)
