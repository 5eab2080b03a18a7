"""Email the service has sent, or is trying to send: the record that keeps scheduled
mail idempotent (a ``key`` is sent once, ever) and lets a failed send be retried."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import one_of, utcnow

MAIL_KINDS = ("reminder", "chaser", "receipt", "period_complete", "invitation", "password_reset",
              "security_notice")
MAIL_STATUSES = ("pending", "sending", "sent", "failed")


class MailMessage(db.Model):
    """One email to one person. ``key`` names what it is about (e.g. the reminder for one
    scheduled return to one officer) and is unique, so the same mail is never made twice.
    ``body`` is kept so a failed send can be retried; it is never kept for mail carrying a
    sign-in link (invitations, password resets), which are not retried."""

    __tablename__ = "mail_message"
    __table_args__ = (
        one_of("kind", MAIL_KINDS),
        one_of("status", MAIL_STATUSES),
        Index("ix_mail_message_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(250))
    body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<MailMessage {self.kind} {self.recipient} {self.status}>"
