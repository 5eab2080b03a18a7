"""What managers add to the computed figures: RAG overrides and manual ratings, commentary,
peer comparators, the return schedule (completeness) and period sign-off."""
from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.vocabulary import PEER_POSITIONS, RAGS  # one vocabulary with the engine
from app.models.area import Agency, Area
from app.models.base import one_of, utcnow
from app.models.indicator import Indicator, Outcome, Period
from app.models.template import ReturnTemplate
from app.models.user import User

RAG_SETTINGS = ("manual", "override")


class RagSetting(db.Model):
    """A rating set by a person: a manual RAG (for 'manual' indicators) or a manager's
    override of a computed one, always with a reason. Never deleted: the latest is current."""

    __tablename__ = "rag_setting"
    __table_args__ = (one_of("rag", RAGS), one_of("kind", RAG_SETTINGS))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    rag: Mapped[str] = mapped_column(String(1))
    reason: Mapped[str] = mapped_column(Text)
    is_current: Mapped[bool] = mapped_column(default=True)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    indicator: Mapped[Indicator] = relationship()
    area: Mapped[Area] = relationship()
    period: Mapped[Period] = relationship()
    set_by: Mapped[User | None] = relationship()


class Commentary(db.Model):
    """A manager's comment on an indicator (optionally for one area) for a period."""

    __tablename__ = "commentary"
    __table_args__ = (UniqueConstraint("indicator_id", "period_id", "area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    text: Mapped[str] = mapped_column(Text)
    # Internal commentary is left out of the public workbook.
    internal: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    indicator: Mapped[Indicator] = relationship()
    period: Mapped[Period] = relationship()
    area: Mapped[Area | None] = relationship()
    author: Mapped[User | None] = relationship()


class OutcomeAssessment(db.Model):
    """The overall comment and, optionally, an overridden overall RAG for an outcome and period."""

    __tablename__ = "outcome_assessment"
    __table_args__ = (UniqueConstraint("outcome_id", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcome.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(default=False)
    rag_override: Mapped[str | None] = mapped_column(String(1))
    override_reason: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    outcome: Mapped[Outcome] = relationship()
    period: Mapped[Period] = relationship()
    author: Mapped[User | None] = relationship()


class PeerValue(db.Model):
    """A comparator figure for an indicator and period (England average, most similar group...)."""

    __tablename__ = "peer_value"
    __table_args__ = (UniqueConstraint("indicator_id", "period_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    label: Mapped[str] = mapped_column(String(120))
    value: Mapped[float] = mapped_column(Float)

    indicator: Mapped[Indicator] = relationship()
    period: Mapped[Period] = relationship()


class PeerPosition(db.Model):
    """A position among peers as published with the figures (iQuanta's most similar group,
    a board paper's "County Comparison"), for an indicator and period, when the peers'
    own figures are not held: shown only where no ``PeerValue`` lets the engine work it out."""

    __tablename__ = "peer_position"
    __table_args__ = (UniqueConstraint("indicator_id", "period_id", "label"), one_of("position", PEER_POSITIONS))

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[str] = mapped_column(String(8))

    indicator: Mapped[Indicator] = relationship()
    period: Mapped[Period] = relationship()


class ReturnDue(db.Model):
    """The schedule: this agency owes this template for this period by this date."""

    __tablename__ = "return_due"
    __table_args__ = (UniqueConstraint("template_id", "agency_id", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("return_template.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    due_date: Mapped[date]
    # Why a manager added it by hand (None: generated from the template's schedule).
    added_reason: Mapped[str | None] = mapped_column(Text)
    # Why a manager waived it (None: it is expected); a waived return counts nowhere.
    waived_reason: Mapped[str | None] = mapped_column(Text)
    waived_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    waived_at: Mapped[datetime | None]

    template: Mapped[ReturnTemplate] = relationship()
    agency: Mapped[Agency] = relationship()
    period: Mapped[Period] = relationship()


class PeriodSignOff(db.Model):
    """A period signed off by a manager: its figures are locked until an admin unlocks it."""

    __tablename__ = "period_sign_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), unique=True)
    locked: Mapped[bool] = mapped_column(default=True)
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    signed_off_at: Mapped[datetime] = mapped_column(default=utcnow)
    unlocked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    unlocked_at: Mapped[datetime | None]
    unlock_reason: Mapped[str | None] = mapped_column(Text)

    period: Mapped[Period] = relationship()
    signed_off_by: Mapped[User | None] = relationship(foreign_keys=[signed_off_by_id])
    unlocked_by: Mapped[User | None] = relationship(foreign_keys=[unlocked_by_id])
