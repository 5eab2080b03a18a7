"""People who sign in, and their roles."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.area import Agency
from app.models.base import one_of, utcnow
from app.policy import ROLES
ROLE_LABELS = {
    "officer": "Agency officer",
    "manager": "Manager / board officer",
    "admin": "Administrator",
    "dhr_coordinator": "DHR co-ordinator",
}


class User(UserMixin, db.Model):
    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL
    __table_args__ = (
        one_of("role", ROLES),
        # An officer always belongs to exactly one agency.
        CheckConstraint("role <> 'officer' OR agency_id IS NOT NULL", name="officer_has_agency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    active: Mapped[bool] = mapped_column(default=True)
    # Managers and officers may be granted access to the restricted DHR area by an admin.
    dhr_access: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Part of every session: raising it (sign-out, a new password) ends every session the
    # person has, since a session made with an older number no longer loads (``get_id``).
    session_version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    # Two-factor sign-in (app/services/two_factor.py): the TOTP secret (base32), the time the
    # person proved their authenticator app works (None: not set up), and the last 30-second
    # step a code was accepted for (a code works once).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    two_factor_since: Mapped[datetime | None]
    totp_last_step: Mapped[int | None]

    agency: Mapped[Agency | None] = relationship()

    # Flask-Login reads is_active; an inactive user cannot sign in.
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: the id and the session version, so a
        session from before a sign-out or a password change no longer loads."""
        return f"{self.id}:{self.session_version}"

    @property
    def two_factor_enabled(self) -> bool:
        return self.two_factor_since is not None and bool(self.totp_secret)

    def set_password(self, password: str) -> None:
        """A new password (argon2): every session the person has ends."""
        from app.services.passwords import hash_password

        self.password_hash = hash_password(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        from app.services.passwords import verify_password

        return verify_password(self.password_hash, password)

    def end_sessions(self) -> None:
        self.session_version = (self.session_version or 1) + 1

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    def __repr__(self) -> str:
        return f"<User {self.email}>"
