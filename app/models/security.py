"""Sign-in throttling and two-factor recovery codes."""
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


class RecoveryCode(db.Model):
    """A one-use code for signing in without the authenticator app; only its SHA-256 is kept."""
    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]
