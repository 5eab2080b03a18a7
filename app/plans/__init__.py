"""Action plans' rules (issue 19): timescales, the overdue and "amber without a lead or a
milestone" flags, and what makes an action or a quarterly update acceptable.

Flask-free and model-free, shared by the web forms, the update return, the workbook and
the demo. The DHR master plan's own RAG rule stays in ``app.dhr.actions``.

Flags on an action (``action_flags``), each with a sentence saying what to do:

- **overdue**: its timescale is a date before today and it is not complete ("ongoing"
  actions are never overdue);
- **amber, no lead**: rated amber with no lead named;
- **amber, no milestone**: rated amber with no task or milestone written (Rotherham's
  paper flags both, so that an amber rating always has someone and something behind it).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from app.dhr import Problem, long_date, plural
from app.periods import PeriodError, parse_period
from app.vocabulary import ACTION_TIERS, RAG_NAMES, RAGS

STATUSES = ("not started", "in progress", "outstanding", "complete", "not implemented")
ONGOING = "ongoing"
DATE_PATTERNS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d")
MONTH_PATTERNS = ("%B %Y", "%b %Y", "%m/%Y")
FLAG_OVERDUE, FLAG_NO_LEAD, FLAG_NO_MILESTONE = "overdue", "amber_no_lead", "amber_no_milestone"
FLAG_LABELS = {FLAG_OVERDUE: "Overdue", FLAG_NO_LEAD: "Amber with no lead",
               FLAG_NO_MILESTONE: "Amber with no milestone"}
MAX_TEXT = 4000


@dataclass(frozen=True)
class Timescale:
    due: date | None = None
    ongoing: bool = False

    def text(self) -> str:
        if self.ongoing:
            return "Ongoing"
        return long_date(self.due) if self.due else ""


def parse_timescale(text: str) -> Timescale | None:
    """"ongoing", a date ("31/10/2015", "31 October 2015") or a month ("October 2015": its
    last day); a blank is no timescale (Timescale()); None if it cannot be read."""
    cleaned = " ".join((text or "").replace(",", " ").split())
    if not cleaned:
        return Timescale()
    if cleaned.casefold() == ONGOING:
        return Timescale(ongoing=True)
    for pattern in DATE_PATTERNS:
        try:
            return Timescale(datetime.strptime(cleaned, pattern).date())
        except ValueError:
            continue
    for pattern in MONTH_PATTERNS:
        try:
            first = datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
        return Timescale(first.replace(day=calendar.monthrange(first.year, first.month)[1]))
    return None


def rag_code(text: str | None) -> str | None:
    """"Amber", "amber", "A" → "A"; a blank → None; anything else → "?" (refused)."""
    cleaned = (text or "").strip()
    if not cleaned:
        return None
    for code, name in RAG_NAMES.items():
        if cleaned.casefold() in (code.casefold(), name.casefold()):
            return code
    return "?"


def milestones(tasks: str | None) -> list[str]:
    """The tasks and milestones, one a line (bullets and numbering left out)."""
    lines = (re.sub(r"^\s*(?:[-*•]|\d+[.)])\s*", "", line).strip() for line in (tasks or "").splitlines())
    return [line for line in lines if line]


@dataclass
class PlanItem:
    """What the rules need of an action."""

    action: str
    lead: str = ""
    timescale: Timescale = field(default_factory=Timescale)
    tasks: str = ""
    rag: str | None = None
    status: str = "not started"
    tier: str | None = None


def action_flags(item: PlanItem, today: date) -> list[tuple[str, str]]:
    """(flag, sentence) for each flag of the module docstring that applies."""
    flags = []
    due = item.timescale.due
    if due is not None and not item.timescale.ongoing and item.status != "complete" and due < today:
        days = (today - due).days
        flags.append((FLAG_OVERDUE, f"Overdue by {plural(days, 'day')}: its timescale was {long_date(due)} and it "
                                    "is not complete. Agree a new timescale or close it."))
    if item.rag == "A":
        if not item.lead.strip():
            flags.append((FLAG_NO_LEAD, "Amber with no lead: name who leads this action."))
        if not milestones(item.tasks):
            flags.append((FLAG_NO_MILESTONE, "Amber with no milestone: write the tasks or milestones that will "
                                             "bring it back on track."))
    return flags


def validate_item(item: PlanItem) -> list[Problem]:
    problems = []
    if not item.action.strip():
        problems.append(Problem("action", "Describe the action."))
    elif len(item.action) > MAX_TEXT:
        problems.append(Problem("action", f"Shorten the action to {MAX_TEXT:,} characters or fewer."))
    if len(item.lead) > 200:
        problems.append(Problem("lead_agency", "Shorten the lead(s) to 200 characters or fewer."))
    if len(item.tasks or "") > MAX_TEXT:
        problems.append(Problem("tasks", f"Shorten the tasks to {MAX_TEXT:,} characters or fewer."))
    if item.rag is not None and item.rag not in RAGS:
        problems.append(Problem("rag", "Choose Red, Amber or Green."))
    if item.status not in STATUSES:
        problems.append(Problem("status", f"'{item.status}' is not a status we know. Choose one of: "
                                          f"{', '.join(STATUSES)}."))
    if item.tier is not None and item.tier not in ACTION_TIERS:
        problems.append(Problem("tier", f"Choose the tier: {', '.join(ACTION_TIERS)}."))
    return problems


@dataclass
class QuarterlyUpdate:
    quarter: str
    text: str
    status: str | None = None
    rag: str | None = None


def validate_update(update: QuarterlyUpdate, where: str = "") -> list[Problem]:
    """Every reason to refuse an update; the quarter is normalised in place ("Q4 2015/16" →
    "2015/16 Q4"). ``where`` starts each message ("Row 7: ")."""
    problems = []
    try:
        period = parse_period(update.quarter)
    except PeriodError:
        period = None
    if period is None or period.kind != "quarter":
        problems.append(Problem("quarter", f"{where}'{update.quarter}' is not a quarter. Write it like 2016/17 Q1."))
    else:
        update.quarter = period.key
    if not update.text.strip():
        problems.append(Problem("text", f"{where}Say what progress was made this quarter."))
    elif len(update.text) > MAX_TEXT:
        problems.append(Problem("text", f"{where}Shorten the update to {MAX_TEXT:,} characters or fewer."))
    if update.status is not None and update.status not in STATUSES:
        problems.append(Problem("status", f"{where}'{update.status}' is not a status we know. Choose one of: "
                                          f"{', '.join(STATUSES)}."))
    if update.rag is not None and update.rag not in RAGS:
        problems.append(Problem("rag", f"{where}Choose Red, Amber or Green for the RAG status."))
    return problems


# ---- what a page, the workbook and the update return show of an action ------------------

@dataclass(frozen=True)
class IndicatorRating:
    """A linked indicator and its latest kept rating (rag None: not rated)."""

    name: str
    rag: str | None
    period: str = ""  # the period the rating is for ("2015/16 Q4"), "" if there is none


@dataclass(frozen=True)
class UpdateLine:
    quarter: str
    text: str
    status: str | None = None
    rag: str | None = None
    source: str = "web"
    by: str = ""


@dataclass(frozen=True)
class ActionLine:
    """One action as shown: its objective, lead, timescale, RAG (with why), flags, latest
    update and linked indicators' ratings."""

    id: int
    objective: str  # "1. Improve data collection" ("" if none)
    action: str
    lead: str
    agency: str  # the reporting agency's name ("" if none)
    timescale: str
    tasks: tuple[str, ...]
    tier: str
    rag: str | None
    rag_reason: str
    status: str
    flags: tuple[tuple[str, str], ...] = ()
    latest: UpdateLine | None = None
    indicators: tuple[IndicatorRating, ...] = ()


def rag_tier_counts(lines: list[ActionLine]) -> dict[tuple[str, str], int]:
    """(RAG letter or "", tier or "") → number of actions: the workbook's summary."""
    counts: dict[tuple[str, str], int] = {}
    for line in lines:
        key = (line.rag or "", line.tier or "")
        counts[key] = counts.get(key, 0) + 1
    return counts
