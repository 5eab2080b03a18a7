"""The quarterly cycle runs itself (issue 17): schedules from templates, an "as at" date

``return_template.schedule_from``: the first period a template's agencies owe (a period
key); from it every period up to today is expected of each agency, generated rather
than scheduled by hand. ``return_due.added_reason``: why a manager added a return by hand
(None: generated). ``return_due.waived_reason`` / ``waived_by_id`` / ``waived_at``: a
return a manager waived, with the reason; it counts nowhere.

``submission.received_on``: the day a return counts as received for lateness, the
partnership's "today" when it was stored (the upload's date unless an "as at" date is
set); rows stored before keep None and their upload date counts.

``partnership_setting``: settings an administrator changes in the app; the first is
``as_at``, the date the app treats as today for lateness and the DHR clocks. A new table.

Revision ID: 0012_schedules_from_templates
Revises: 0011_mail
Create Date: 2026-12-07 01:20:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0012_schedules_from_templates"
# The lead renumbers on merge: 0009_comparison_basis was the head on main when this was
# written; chained after 0011_mail, main's head when main was merged into this branch.
down_revision = "0011_mail"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("return_template", sa.Column("schedule_from", sa.String(length=40), nullable=True))
    # Batch mode: SQLite copies return_due to add the foreign key (nothing points at
    # return_due, so the copy loses nothing); PostgreSQL alters it in place.
    with op.batch_alter_table("return_due") as batch:
        batch.add_column(sa.Column("added_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("waived_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("waived_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("waived_at", sa.DateTime(), nullable=True))
        batch.create_foreign_key(op.f("fk_return_due_waived_by_id_user_account"), "user_account",
                                 ["waived_by_id"], ["id"])
    op.add_column("submission", sa.Column("received_on", sa.Date(), nullable=True))
    op.create_table(
        "partnership_setting",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"],
                                name=op.f("fk_partnership_setting_updated_by_id_user_account")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_partnership_setting")),
    )


def downgrade():
    op.drop_table("partnership_setting")
    op.drop_column("submission", "received_on")
    with op.batch_alter_table("return_due") as batch:
        batch.drop_constraint(op.f("fk_return_due_waived_by_id_user_account"), type_="foreignkey")
        for column in ("waived_at", "waived_by_id", "waived_reason", "added_reason"):
            batch.drop_column(column)
    op.drop_column("return_template", "schedule_from")
