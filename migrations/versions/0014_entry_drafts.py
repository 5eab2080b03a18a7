"""Entering a return in the browser (issue 17): drafts, and where a submission came from

``entry_draft``: a return being typed into the web form, saved to be finished later: the
agency, template, the template version it was started on, the period, the text typed in
each of the blank return's cells (JSON, field id → text, notes included), who saved it and
when. One per agency, template and period; it is removed when the return is stored.

``submission.source``: None for an uploaded file (kept under its checksum), "web" for a
return typed into the web form. Rows stored before are uploads: they keep None.

Revision ID: 0014_entry_drafts
Revises: 0013_indicator_results
Create Date: 2026-12-07 03:40:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0014_entry_drafts"
# The lead renumbers on merge: chained after 0017_api_tokens, main's head when main was merged in.
down_revision = "0013_indicator_results"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("submission", sa.Column("source", sa.String(length=12), nullable=True))
    op.create_table(
        "entry_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("template_version_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.Column("saved_by_id", sa.Integer(), nullable=True),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_entry_draft_agency_id_agency"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["template_id"], ["return_template.id"],
                                name=op.f("fk_entry_draft_template_id_return_template"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["template_version_id"], ["template_version.id"],
                                name=op.f("fk_entry_draft_template_version_id_template_version"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["period_id"], ["period.id"], name=op.f("fk_entry_draft_period_id_period")),
        sa.ForeignKeyConstraint(["saved_by_id"], ["user_account.id"],
                                name=op.f("fk_entry_draft_saved_by_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_draft")),
        sa.UniqueConstraint("agency_id", "template_id", "period_id",
                            name=op.f("uq_entry_draft_agency_id_template_id_period_id")),
    )


def downgrade():
    op.drop_table("entry_draft")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch copy of
    # submission would drop the table its figures and targets refer to.
    op.drop_column("submission", "source")
