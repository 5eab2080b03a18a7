"""Statutory clocks for Domestic Homicide Reviews.

The Home Office guidance (Leicestershire Safer Communities Board, 8 June 2016, Agenda
Item 9 para 29): the decision to hold a review should be made within **one month** of the
CSP being notified, and the review then carried out within **six months** of the decision.
Both are configurable in ``ClockRule``.

Two clocks per case:

- **Decision**: starts at the notification to the CSP, stops at the decision.
- **Review**: starts at the decision, stops when the report is sent to the Home Office.
  Alternative reviews and cases not proceeding have no review clock ("not applicable").

Month arithmetic adds calendar months and clamps the day to the end of a shorter month:
31 January + 1 month = 29 February in a leap year (28 otherwise); 31 August + 6 months =
28 February. A clock is due on that date and is overdue from the day after.

RAG: a running clock with ``amber_days`` or fewer left (including "due today") is Amber,
more left is Green, past its due date is Red; a clock that stopped on or before its due
date is Green ("met"), after it Red ("completed late"). A clock that has not started or
does not apply has no RAG.

``today`` is always a parameter: nothing here reads the system clock, so results are
reproducible and testable.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from app.dhr import Problem, long_date, plural

REVIEW_TYPES = {
    "dhr": "Domestic homicide review",
    "joint_dhr_scr": "Joint domestic homicide review and serious case review",
    "alternative": "Alternative review",
    "not_proceeding": "Not proceeding to a review",
}
NO_REVIEW_CLOCK = {
    "alternative": "Not applicable: alternative review",
    "not_proceeding": "Not applicable: not proceeding to a review",
}

# Field name → how a person calls that date, for messages and form labels.
DATE_LABELS = {
    "incident": "incident date",
    "notification": "notification date",
    "decision": "decision date",
    "home_office_told": "date the Home Office was told",
    "chair_appointed": "chair appointment date",
    "author_appointed": "author appointment date",
    "panel_meetings": "panel meeting date",
    "report_sent": "date the report was sent to the Home Office",
    "qa_outcome_date": "quality-assurance outcome date",
    "publication": "publication date",
}
DATE_FIELDS = tuple(DATE_LABELS)

# Each date may not come before these earlier dates; the nearest present one is checked
# first and only the first breach is reported, so one wrong date gives one message.
_AFTER_DECISION = ("decision", "notification", "incident")
MUST_FOLLOW = {
    "notification": ("incident",),
    "decision": ("notification", "incident"),
    "home_office_told": _AFTER_DECISION,
    "chair_appointed": _AFTER_DECISION,
    "author_appointed": _AFTER_DECISION,
    "panel_meetings": _AFTER_DECISION,
    "report_sent": _AFTER_DECISION,
    "qa_outcome_date": ("report_sent",) + _AFTER_DECISION,
    "publication": ("report_sent",) + _AFTER_DECISION,
}

DateProblem = Problem


@dataclass
class CaseDates:
    """The dates of one case, as entered; any may be missing (None)."""

    incident: date | None = None
    notification: date | None = None  # to the Community Safety Partnership
    decision: date | None = None
    home_office_told: date | None = None
    chair_appointed: date | None = None
    author_appointed: date | None = None
    panel_meetings: list[date] = field(default_factory=list)
    report_sent: date | None = None  # to the Home Office
    qa_outcome_date: date | None = None
    publication: date | None = None
    review_type: str = "dhr"  # a key of REVIEW_TYPES

    def dated_fields(self) -> list[tuple[str, str, date]]:
        """(field path, label, date) for every date present, panel meetings numbered."""
        out = []
        for name in DATE_FIELDS:
            if name == "panel_meetings":
                for i, meeting in enumerate(self.panel_meetings):
                    if meeting is not None:
                        out.append((f"panel_meetings[{i}]", f"panel meeting {i + 1} date", meeting))
            elif getattr(self, name) is not None:
                out.append((name, DATE_LABELS[name], getattr(self, name)))
        return out


@dataclass(frozen=True)
class ClockRule:
    decision_within_months: int = 1  # from notification
    review_within_months: int = 6  # from decision
    amber_days: int = 30  # a running clock with this many days or fewer left is Amber


STATUTORY_CLOCKS = ClockRule()  # the statutory guidance's periods, unless an installation sets its own


@dataclass(frozen=True)
class ClockState:
    name: str  # "Decision" | "Review"
    start: date | None
    due: date | None
    stopped: date | None
    days_remaining: int | None  # negative = overdue; for a stopped clock, days to spare at the stop
    status: str  # not started | running | met | overdue | completed late | not applicable
    rag: str | None  # "R" | "A" | "G" | None
    text: str


def add_months(d: date, months: int) -> date:
    """Add calendar months, clamping the day to the last day of a shorter month."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def validate_dates(dates: CaseDates, today: date) -> list[Problem]:
    """Every reason to refuse these dates, each naming the field(s) and what to do."""
    problems: list[Problem] = []
    if dates.review_type not in REVIEW_TYPES:
        choices = ", ".join(f"'{k}' ({v.lower()})" for k, v in REVIEW_TYPES.items())
        problems.append(
            Problem(
                "review_type", f"The review type '{dates.review_type}' is not one we know. Choose one of {choices}."
            )
        )
    for path, label, value in dates.dated_fields():
        if value > today:
            problems.append(Problem(path, (
                f"The {label} ({long_date(value)}) is in the future (today is {long_date(today)}). "
                "Enter the date it happened, or leave it blank until it does.")))
        base = path.split("[")[0]
        for earlier_name in MUST_FOLLOW.get(base, ()):
            earlier = getattr(dates, earlier_name)
            if earlier is None:
                continue
            if value < earlier:
                problems.append(
                    Problem(
                        path,
                        (
                            f"The {label} ({long_date(value)}) is before the "
                            f"{DATE_LABELS[earlier_name]} ({long_date(earlier)}). "
                            "Check both dates and correct the wrong one."
                        ),
                    )
                )
            break
    return problems


def _running(name: str, start: date, due: date, rule: ClockRule, today: date) -> ClockState:
    left = (due - today).days
    if left < 0:
        return ClockState(name, start, due, None, left, "overdue", "R", f"{plural(-left, 'day')} overdue")
    text = "Due today" if left == 0 else f"{plural(left, 'day')} left"
    return ClockState(name, start, due, None, left, "running", "A" if left <= rule.amber_days else "G", text)


def _stopped(name: str, start: date, due: date, stopped: date, met_text: str, late_text: str) -> ClockState:
    spare = (due - stopped).days
    if spare >= 0:
        return ClockState(
            name, start, due, stopped, spare, "met", "G", f"Met: {met_text} in {plural((stopped - start).days, 'day')}"
        )
    return ClockState(
        name,
        start,
        due,
        stopped,
        spare,
        "completed late",
        "R",
        f"Late: {late_text} {plural(-spare, 'day')} after the deadline",
    )


def _clock(name, start, months, stopped, met_text, late_text, waiting_text, rule, today) -> ClockState:
    if start is None:
        return ClockState(name, None, None, stopped, None, "not started", None, waiting_text)
    due = add_months(start, months)
    if stopped is not None:
        return _stopped(name, start, due, stopped, met_text, late_text)
    return _running(name, start, due, rule, today)


def compute_clocks(dates: CaseDates, rule: ClockRule, today: date) -> list[ClockState]:
    """The Decision and Review clocks for one case. Validate the dates first
    (``validate_dates``): out-of-order dates give meaningless day counts."""
    decision = _clock(
        "Decision", dates.notification, rule.decision_within_months, dates.decision,
        "decided", "decided", "Starts when the CSP is notified", rule, today)
    if dates.review_type in NO_REVIEW_CLOCK:
        review = ClockState(
            "Review", None, None, None, None, "not applicable", None, NO_REVIEW_CLOCK[dates.review_type]
        )
    else:
        review = _clock(
            "Review", dates.decision, rule.review_within_months, dates.report_sent,
            "report sent", "report sent", "Starts when the decision is made", rule, today)
    return [decision, review]
