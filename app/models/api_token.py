"""Tokens that let an agency's own system use the JSON API (issue 20).

The token itself is shown once, when an admin issues it; only its SHA-256 is kept (a
token is 32 random bytes, so a fast hash is enough: there is nothing to guess). ``role``
is what the token may do, as a person of that role of the agency could: an officer's
(submit and read back the agency's returns) or a manager's (read the indicator values
and ratings).
"""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.area import Agency
from app.models.base import one_of, utcnow

API_TOKEN_ROLES = ("officer", "manager")


class ApiToken(db.Model):
    __tablename__ = "api_token"
    __table_args__ = (
        one_of("role", API_TOKEN_ROLES),
        CheckConstraint("role <> 'officer' OR agency_id IS NOT NULL", name="officer_token_has_agency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # the token's first characters, to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    agency: Mapped[Agency | None] = relationship()
