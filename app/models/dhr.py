"""Domestic Homicide Reviews: pseudonymised cases and the pooled budget (the master action
plan is an action plan: app.models.plans).

Restricted: only the DHR co-ordinator, admins and people an admin has granted access see it.
No real names are asked for: a case has a pseudonym ('Mary', 'FN').
"""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.area import Agency, Area
from app.models.base import one_of, utcnow

REVIEW_TYPES = ("dhr", "joint_dhr_scr", "alternative", "not_proceeding")
CASE_STATUSES = ("under_consideration", "in_progress", "awaiting_trial", "with_home_office", "published", "closed")
COST_KINDS = ("fixed_support", "chairs_authors", "case")
Money = Numeric(12, 2)


class DhrCase(db.Model):
    __tablename__ = "dhr_case"
    __table_args__ = (one_of("review_type", REVIEW_TYPES), one_of("status", CASE_STATUSES))

    id: Mapped[int] = mapped_column(primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(60), unique=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    review_type: Mapped[str] = mapped_column(String(20), default="dhr")
    status: Mapped[str] = mapped_column(String(24), default="under_consideration")
    incident_date: Mapped[date | None]
    notification_date: Mapped[date | None]
    decision_date: Mapped[date | None]
    home_office_told_date: Mapped[date | None]
    chair_appointed_date: Mapped[date | None]
    author_appointed_date: Mapped[date | None]
    report_sent_date: Mapped[date | None]
    qa_outcome: Mapped[str | None] = mapped_column(String(200))
    qa_outcome_date: Mapped[date | None]
    publication_date: Mapped[date | None]
    chair: Mapped[str | None] = mapped_column(String(120))
    author: Mapped[str | None] = mapped_column(String(120))
    chair_cost: Mapped[Decimal | None] = mapped_column(Money)
    author_cost: Mapped[Decimal | None] = mapped_column(Money)
    delay_reason: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    area: Mapped[Area | None] = relationship()
    panel_meetings: Mapped[list["DhrPanelMeeting"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="DhrPanelMeeting.meeting_date"
    )


class DhrPanelMeeting(db.Model):
    __tablename__ = "dhr_panel_meeting"
    __table_args__ = (UniqueConstraint("case_id", "meeting_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dhr_case.id", ondelete="CASCADE"))
    meeting_date: Mapped[date]

    case: Mapped[DhrCase] = relationship(back_populates="panel_meetings")


class DhrBudgetYear(db.Model):
    """The pooled DHR budget for one financial year (year_start 2016 = 2016/17)."""

    __tablename__ = "dhr_budget_year"
    __table_args__ = (CheckConstraint("reviews_expected >= 0", name="reviews_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year_start: Mapped[int] = mapped_column(unique=True)
    opening_reserve: Mapped[Decimal] = mapped_column(Money, default=0)
    reviews_expected: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=0)
    cost_per_review: Mapped[Decimal] = mapped_column(Money, default=0)
    fixed_support: Mapped[Decimal] = mapped_column(Money, default=0)
    notes: Mapped[str | None] = mapped_column(Text)

    contributions: Mapped[list["DhrContribution"]] = relationship(
        back_populates="budget_year", cascade="all, delete-orphan", order_by="DhrContribution.id"
    )
    costs: Mapped[list["DhrCost"]] = relationship(
        back_populates="budget_year", cascade="all, delete-orphan", order_by="DhrCost.id"
    )


class DhrContribution(db.Model):
    """One partner's contribution to a year's pooled budget. ``partner`` is the name the
    budget gives it ("Charnwood"); ``agency`` the member agency that pays it, or None for a
    named partnership member that is not an agency. A partner is never an area. An agency
    pays at most one line a year (0008)."""

    __tablename__ = "dhr_contribution"
    __table_args__ = (
        UniqueConstraint("budget_year_id", "partner"),
        UniqueConstraint("budget_year_id", "agency_id"),
        CheckConstraint("due >= 0 AND received_in_advance >= 0 AND received_in_advance <= due", name="amounts_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_year_id: Mapped[int] = mapped_column(ForeignKey("dhr_budget_year.id", ondelete="CASCADE"))
    partner: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    due: Mapped[Decimal] = mapped_column(Money)
    received_in_advance: Mapped[Decimal] = mapped_column(Money, default=0)
    drawn_down: Mapped[bool] = mapped_column(default=True)

    budget_year: Mapped[DhrBudgetYear] = relationship(back_populates="contributions")
    agency: Mapped[Agency | None] = relationship()


class DhrCost(db.Model):
    __tablename__ = "dhr_cost"
    __table_args__ = (one_of("kind", COST_KINDS), CheckConstraint("amount >= 0", name="amount_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_year_id: Mapped[int] = mapped_column(ForeignKey("dhr_budget_year.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("dhr_case.id"))

    budget_year: Mapped[DhrBudgetYear] = relationship(back_populates="costs")
    case: Mapped[DhrCase | None] = relationship()
