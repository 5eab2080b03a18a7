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
        problems.append(Problem("scope", f"'{action.scope}' is not a scope we know. Choose single-agency or multi-agency."))
    if action.status not in STATUSES:
        problems.append(Problem("status", f"'{action.status}' is not a status we know. Choose one of: {', '.join(STATUSES)}."))
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
    if action.impact_review_due is not None and action.completed_on is not None and action.impact_review_due < action.completed_on:
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


# The seed's "due" phrases and the dates they stand for.
SEED_DUE_DATES = {"end of May 2016": date(2016, 5, 31), "later in 2016": date(2016, 12, 31)}

# Outstanding actions at the end of March 2016 (seed_figures.json
# ``outstanding_actions_march_2016``), with the board paper's words as the 2015/16 Q4 update.
_SEED_ACTIONS = [
    ("Mary", "single-agency", "Police", "Confirm all actions are complete", "outstanding", None,
     "Police are still to confirm all actions relating to 'Mary' DHR are complete.", ""),
    ("FN", "single-agency", "Police", "Confirm learning has been disseminated", "outstanding", None,
     "Police are still to confirm that learning from 'FN' DHR has been disseminated.", ""),
    (None, "single-agency", "Swanswell", "Roll out approach to DASH and train all relevant staff", "complete", None,
     "Swanswell have confirmed that they have rolled out their approach to DASH and all relevant staff "
     "have received DASH training.", "Confirmation from Swanswell"),
    (None, "single-agency", "Leicestershire County Children's Social Care",
     "Case audit of compliance with supervision policy on case closure", "outstanding", None,
     "Yet to confirm whether the case audit of compliance with supervision policy on case closure is complete.", ""),
    (None, "multi-agency", "Domestic violence delivery group",
     "Review how domestic abuse is covered within multi-agency case management processes", "in progress",
     "end of May 2016", "Currently being finalised; will be completed by the end of May.", ""),
    (None, "multi-agency", "Domestic violence delivery group",
     "Finalise a framework of pathways for domestic abuse support", "in progress", "later in 2016",
     "Delayed by the commissioning of Leicester, Leicestershire & Rutland joint services for those affected by "
     "domestic abuse and sexual violence; now under way to report later in 2016.", ""),
    (None, "multi-agency", "Domestic violence delivery group",
     "Approach to working with businesses on employment policies regarding domestic abuse", "not implemented", None,
     "An approach has been identified working with Respect; not implemented due to changes in the domestic abuse "
     "partnership structure and other priorities within the Leicestershire County Community Safety Team.", ""),
]
# Swanswell's confirmation was reported at the end of the year (March 2016).
_SEED_COMPLETED_ON = date(2016, 3, 31)


def demo_actions(today: date) -> list[Action]:
    """The seven actions outstanding at March 2016 (Agenda Item 9 paras 7–8).
    Their dates come from the seed, so ``today`` changes nothing but must not be earlier
    than the end of March 2016, when the updates were written."""
    if today < _SEED_COMPLETED_ON:
        raise ValueError(f"The demo actions were reported on {long_date(_SEED_COMPLETED_ON)}; today must not be earlier.")
    return [
        Action(
            id=i, review=review, scope=scope, lead_agency=agency, action=text,
            due=SEED_DUE_DATES.get(due_phrase), status=status,
            completed_on=_SEED_COMPLETED_ON if status == "complete" else None,
            updates=[ActionUpdate("2015/16 Q4", update, evidence)],
        )
        for i, (review, scope, agency, text, status, due_phrase, update, evidence) in enumerate(_SEED_ACTIONS, 1)
    ]
