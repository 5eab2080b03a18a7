"""Sign-in throttling, the API's request counts and two-factor recovery codes."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class SignInThrottle(db.Model):
    """Failed sign-ins counted against one key (``account:<email>`` or ``address:<ip>``),
    in the database every worker shares; ``locked_until`` set once there were too many."""
    __tablename__ = "sign_in_throttle"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failure_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]


class ApiRequestCount(db.Model):
    """API requests made with one token (``token:<sha256 of the header>``) or, without one,
    from one address, in the fixed window of ``API_RATE_LIMIT`` that began at
    ``window_start``: kept in the database so every worker counts against the same limit."""
    __tablename__ = "api_request_count"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    window_start: Mapped[datetime] = mapped_column(index=True)
    requests: Mapped[int] = mapped_column(default=0)


class RecoveryCode(db.Model):
    """A one-use code for signing in without the authenticator app; only its SHA-256 is kept."""
    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]
