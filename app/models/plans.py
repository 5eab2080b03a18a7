"""Action plans: the DHR master action plan and the partnership's strategy action plans
(issue 19), one model serving both.

A plan (``ActionPlan``) belongs to a strategy and theme; ``kind`` says whether it is the
restricted DHR master plan ("dhr": ``app.policy.may_see_plan``) or a partnership plan.
Objectives carry their outcome statement. An action has its lead(s) as written ("Data Task
Group") and, when one member agency reports on it, that agency (``lead_agency_id``); a
timescale (a date, or ``ongoing``); tasks/milestones one a line; the RAG its lead gave;
the tier it contributes to; and links to the indicators it is meant to move. DHR actions
keep their review (``case_id``), scope, completion date and impact review, and their RAG
is worked out (``app.dhr.actions.action_rag``). Every quarterly update is kept, with the
status and RAG it reported and whether it came from the web form or the update return.
"""
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.area import Agency
from app.models.base import one_of, utcnow
from app.models.indicator import Indicator
from app.models.user import User
from app.vocabulary import ACTION_TIERS, RAGS

PLAN_KINDS = ("dhr", "partnership")
ACTION_SCOPES = ("single-agency", "multi-agency")
ACTION_STATUSES = ("not started", "in progress", "outstanding", "complete", "not implemented")
UPDATE_SOURCES = ("web", "return")


class ActionPlan(db.Model):
    __tablename__ = "action_plan"
    __table_args__ = (one_of("kind", PLAN_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), default="partnership")
    strategy: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    objectives: Mapped[list["PlanObjective"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanObjective.number")
    actions: Mapped[list["PlanAction"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanAction.id")


class PlanObjective(db.Model):
    __tablename__ = "plan_objective"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plan.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[ActionPlan] = relationship(back_populates="objectives")


plan_action_indicator = Table(
    "plan_action_indicator",
    db.metadata,
    Column("action_id", ForeignKey("plan_action.id", ondelete="CASCADE"), primary_key=True),
    Column("indicator_id", ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True),
)


class PlanAction(db.Model):
    """An action of a plan: a DHR recommendation (from a review, or cross-cutting) or a
    strategy action."""

    __tablename__ = "plan_action"
    __table_args__ = (one_of("scope", ACTION_SCOPES), one_of("status", ACTION_STATUSES),
                      one_of("tier", ACTION_TIERS), one_of("rag", RAGS))

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plan.id", ondelete="CASCADE"))
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("plan_objective.id", ondelete="SET NULL"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("dhr_case.id"))
    scope: Mapped[str | None] = mapped_column(String(16))
    lead_agency: Mapped[str] = mapped_column(String(200), default="")  # the lead(s), as written
    lead_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))  # the agency that reports
    action: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date | None]
    ongoing: Mapped[bool] = mapped_column(default=False)
    tasks: Mapped[str | None] = mapped_column(Text)  # tasks and milestones, one a line
    tier: Mapped[str | None] = mapped_column(String(24))
    rag: Mapped[str | None] = mapped_column(String(1))  # as the lead reported it (partnership plans)
    status: Mapped[str] = mapped_column(String(20), default="not started")
    completed_on: Mapped[date | None]
    impact_review_due: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[ActionPlan] = relationship(back_populates="actions")
    objective: Mapped[PlanObjective | None] = relationship()
    case: Mapped["DhrCase | None"] = relationship()  # noqa: F821 (app.models.dhr)
    agency: Mapped[Agency | None] = relationship()
    indicators: Mapped[list[Indicator]] = relationship(secondary=plan_action_indicator, order_by=Indicator.name)
    updates: Mapped[list["PlanActionUpdate"]] = relationship(
        back_populates="action_item", cascade="all, delete-orphan",
        order_by="(PlanActionUpdate.created_at, PlanActionUpdate.id)")


class PlanActionUpdate(db.Model):
    """A quarterly progress update on an action: what was done, its evidence, and the
    status and RAG its lead reported that quarter."""

    __tablename__ = "plan_action_update"
    __table_args__ = (one_of("status", ACTION_STATUSES), one_of("rag", RAGS), one_of("source", UPDATE_SOURCES))

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("plan_action.id", ondelete="CASCADE"))
    quarter: Mapped[str] = mapped_column(String(20))  # a period key such as "2016/17 Q1"
    text: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(20))
    rag: Mapped[str | None] = mapped_column(String(1))
    source: Mapped[str] = mapped_column(String(8), default="web")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    action_item: Mapped[PlanAction] = relationship(back_populates="updates")
    created_by: Mapped[User | None] = relationship()
