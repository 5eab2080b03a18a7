"""Submissions (uploaded returns) and the audit log."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.api_token import ApiToken
from app.models.area import Agency
from app.models.base import one_of, unique_where, utcnow
from app.models.indicator import Period
from app.models.template import ReturnTemplate, TemplateVersion
from app.models.user import User

SUBMISSION_STATUSES = ("current", "superseded", "rejected")


class Submission(db.Model):
    """One uploaded return file. Superseded submissions are kept, never overwritten."""

    __tablename__ = "submission"
    __table_args__ = (
        one_of("status", SUBMISSION_STATUSES),
        # Two uploads racing for the same agency, template and period cannot both be current.
        unique_where("uq_submission_current", "agency_id", "template_id", "period_id", where="status = 'current'"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    template_id: Mapped[int] = mapped_column(ForeignKey("return_template.id"))
    template_version_id: Mapped[int] = mapped_column(ForeignKey("template_version.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The day it counts as received for lateness: the partnership's "today" when it was
    # stored (app.services.settings.today), which is the upload's date unless an "as at"
    # date is set. None on rows stored before it was recorded: their upload date counts.
    received_on: Mapped[date | None]
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    status: Mapped[str] = mapped_column(String(12), default="current")
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    # Warnings the officer confirmed, as a list of {"sheet", "cell", "message"}.
    warnings: Mapped[list | None] = mapped_column(JSON)
    # How the return came: None for an uploaded file (kept under its checksum), "web" for
    # one typed into the web form (no file: its figures' cells are the blank return's).
    source: Mapped[str | None] = mapped_column(String(12))
    # Sent through the JSON API with this token (None: uploaded by a person or the command line).
    api_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id"))

    agency: Mapped[Agency] = relationship()
    template: Mapped[ReturnTemplate] = relationship()
    template_version: Mapped[TemplateVersion] = relationship()
    period: Mapped[Period] = relationship()
    uploaded_by: Mapped[User | None] = relationship()
    supersedes: Mapped["Submission | None"] = relationship(remote_side=[id])
    api_token: Mapped[ApiToken | None] = relationship()


class EntryDraft(db.Model):
    """A return being typed into the web form, saved to be finished later: the text typed
    in each of the blank return's cells (field id → text), notes included. One per agency,
    template and period; it goes when the return is stored."""

    __tablename__ = "entry_draft"
    __table_args__ = (UniqueConstraint("agency_id", "template_id", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    template_id: Mapped[int] = mapped_column(ForeignKey("return_template.id", ondelete="CASCADE"))
    template_version_id: Mapped[int] = mapped_column(ForeignKey("template_version.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    entries: Mapped[dict] = mapped_column(JSON)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship()
    template: Mapped[ReturnTemplate] = relationship()
    template_version: Mapped[TemplateVersion] = relationship()
    period: Mapped[Period] = relationship()
    saved_by: Mapped[User | None] = relationship()


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None]
    detail: Mapped[dict | None] = mapped_column(JSON)

    user: Mapped[User | None] = relationship()
