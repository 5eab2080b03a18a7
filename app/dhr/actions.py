"""The master action plan: recommendations from every review, and cross-cutting ones.

Action RAG, first rule that applies wins (``action_rag``):

1. complete                                   → G
2. past its due date and not complete         → R
3. due within ``due_soon_days`` (30) days     → A
4. status "not implemented"                   → A
5. no due date (outstanding, not started or in progress) → A: agree a due date
6. otherwise (in progress, outstanding or not started, due more than 30 days ahead) → G

The seed (Agenda Item 9 para 5) notes there is no process for revisiting completed
actions to see their ongoing impact: a completed action gets an impact-review date,
``months`` (6) after completion (``impact_review_due``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.dhr import Problem, long_date, plural
from app.dhr.clocks import add_months
from app.periods import PeriodError, parse_period

SCOPES = ("single-agency", "multi-agency")
STATUSES = ("not started", "in progress", "outstanding", "complete", "not implemented")
DUE_SOON_DAYS = 30
IMPACT_REVIEW_MONTHS = 6


@dataclass
class ActionUpdate:
    quarter: str  # a quarter key such as "2015/16 Q4" (app.periods)
    text: str
    evidence: str = ""


@dataclass
class Action:
    id: int | str | None
    review: str | None  # the review's pseudonym; None = cross-cutting
    scope: str  # single-agency | multi-agency
    lead_agency: str
    action: str
    due: date | None = None
    status: str = "not started"
    completed_on: date | None = None
    impact_review_due: date | None = None  # set from completed_on when left empty
    updates: list[ActionUpdate] = field(default_factory=list)

    def __post_init__(self):
        if self.impact_review_due is None and self.status == "complete" and self.completed_on is not None:
            self.impact_review_due = impact_review_due(self.completed_on)


def impact_review_due(completed_on: date | None, months: int = IMPACT_REVIEW_MONTHS) -> date | None:
    """When to look again at a completed action's impact (calendar months, clamped)."""
    return add_months(completed_on, months) if completed_on is not None else None


def action_rag(action: Action, today: date, due_soon_days: int = DUE_SOON_DAYS) -> tuple[str, str]:
    """(RAG, reason) by the rule in the module docstring."""
    if action.status == "complete":
        if action.impact_review_due is not None:
            return "G", f"Complete; impact review due {long_date(action.impact_review_due)}"
        return "G", "Complete; enter the completion date to schedule an impact review"
    if action.due is not None:
        left = (action.due - today).days
        if left < 0:
            return "R", f"Overdue by {plural(-left, 'day')} (due {long_date(action.due)})"
        if left <= due_soon_days:
            return "A", "Due today" if left == 0 else f"Due in {plural(left, 'day')} ({long_date(action.due)})"
    if action.status == "not implemented":
        return "A", "Not implemented: agree with the lead agency whether to pursue, replace or close it"
    if action.due is None:
        return "A", f"{action.status.capitalize()} with no due date: agree one with the lead agency"
    return "G", f"On track: due {long_date(action.due)}"


def validate_action(action: Action, today: date) -> list[Problem]:
    """Every reason to refuse this action as entered. Quarter keys of updates are normalised
    in place ("Q4 2015/16" → "2015/16 Q4")."""
    problems = []
    if action.scope not in SCOPES:
        problems.append(
            Problem("scope", f"'{action.scope}' is not a scope we know. Choose single-agency or multi-agency.")
        )
    if action.status not in STATUSES:
        problems.append(
            Problem("status", f"'{action.status}' is not a status we know. Choose one of: {', '.join(STATUSES)}.")
        )
    if not (action.lead_agency or "").strip():
        problems.append(Problem("lead_agency", "Enter the lead agency for this action."))
    if not (action.action or "").strip():
        problems.append(Problem("action", "Describe the action."))
    if action.completed_on is not None:
        if action.status != "complete":
            problems.append(Problem("completed_on", (
                f"The action has a completion date ({long_date(action.completed_on)}) but its status is "
                f"'{action.status}'. Mark it complete, or clear the completion date.")))
        if action.completed_on > today:
            problems.append(Problem("completed_on", (
                f"The completion date ({long_date(action.completed_on)}) is in the future (today is "
                f"{long_date(today)}). Enter the date it was completed.")))
    if (
        action.impact_review_due is not None
        and action.completed_on is not None
        and action.impact_review_due < action.completed_on
    ):
        problems.append(Problem("impact_review_due", (
            f"The impact review date ({long_date(action.impact_review_due)}) is before the completion date "
            f"({long_date(action.completed_on)}). Choose a later date.")))
    for i, update in enumerate(action.updates):
        try:
            period = parse_period(update.quarter)
        except PeriodError:
            period = None
        if period is None or period.kind != "quarter":
            problems.append(Problem(f"updates[{i}].quarter", (
                f"Update {i + 1}: '{update.quarter}' is not a quarter. Write it like 2016/17 Q1.")))
        elif period.key != update.quarter:
            update.quarter = period.key  # store one spelling, so quarters sort and match
        if not (update.text or "").strip():
            problems.append(Problem(f"updates[{i}].text", f"Update {i + 1} has no text. Say what progress was made."))
    return problems
