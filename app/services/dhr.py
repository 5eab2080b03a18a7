"""Domestic Homicide Reviews: the case register, the pooled budget and the master action
plan (restricted: ``can_see_dhr``), the DHR sheets of the workbook, and the demo data.

Each public function that changes something is one transaction and records an audit
event; ``load_demo_dhr`` only flushes, inside ``flask demo load``'s transaction. The
rules (date order, clocks, budget sums, action RAG) live in ``app.dhr``; this module
moves rows to and from its dataclasses and turns its ``Problem``s into ``ServiceError``
field errors named after the form fields.

Filling a budget year from the DHR budget return (``budget_from_stored_return``)
--------------------------------------------------------------------------------
An upload of the ``dhr-budget-return`` template stores the return's figures as current
DataValues of the indicators in ``RETURN_INDICATORS`` for the financial year (one area,
the county, LC in the demo). The return holds totals, so:

- Partner contributions: if the stored figures include per-partner lines (indicators
  ``dhr-contribution-due-<partner>`` and optionally ``dhr-received-in-advance-<partner>``,
  named "…: <Partner name>", added to the template by an admin), they become one line per
  partner and must add up to the return's totals. Otherwise, if the year already has
  per-partner lines that add up to the return's totals, they are kept (with their
  drawn-down choices). Otherwise the year gets one line, "Partner contributions", with the
  return's totals, drawn down.
- Costs: lines of a kind (business office support, chairs and authors) that already add up
  to the return's figure are kept; otherwise they are replaced by one line with the
  return's figure. Actual costs of cases are kept (the return has none).
- Opening reserve, reviews expected, cost per review come from the return; the fixed
  support of the forecast is the return's business office cost.
A figure missing from the return (or marked not available) stops the fill with a message
naming the return's line: a missing figure is never taken as zero.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, or_, select

from app.dhr import Problem, long_date, pounds
from app.dhr.actions import Action, ActionUpdate, action_rag, demo_actions, validate_action
from app.dhr.budget import (
    COST_KINDS, ZERO, BudgetError, BudgetSummary, BudgetYear, Contribution, CostLine, ForecastYear, forecast,
    leicestershire_2016_17, summarise, to_decimal, validate_budget,
)
from app.dhr.clocks import REVIEW_TYPES, CaseDates, ClockRule, ClockState, compute_clocks, demo_cases, validate_dates
from app.export.dashboard_data import SheetWriter
from app.export.dhr_sheets import CaseRow, dhr_sheet_writers
from app.export.formats import Formats
from app.export.xlsx import new_workbook
from app.extensions import db
from app.models import (
    Area, DataValue, DhrAction, DhrActionUpdate, DhrBudgetYear, DhrCase, DhrContribution, DhrCost, DhrPanelMeeting,
    Indicator, Period, User,
)
from app.periods import PeriodError, financial_year, fy_label, parse_period
from app.services import ServiceError, transaction
from app.services.audit import record

CASE_STATUS_LABELS = {
    "under_consideration": "Under consideration",
    "in_progress": "Review in progress",
    "awaiting_trial": "Paused for a criminal trial",
    "with_home_office": "Report with the Home Office",
    "published": "Published",
    "closed": "Closed",
}
# CaseDates field → DhrCase column.
DATE_COLUMNS = {
    "incident": "incident_date", "notification": "notification_date", "decision": "decision_date",
    "home_office_told": "home_office_told_date", "chair_appointed": "chair_appointed_date",
    "author_appointed": "author_appointed_date", "report_sent": "report_sent_date",
    "qa_outcome_date": "qa_outcome_date", "publication": "publication_date",
}
CASE_TEXT_FIELDS = ("qa_outcome", "chair", "author", "delay_reason", "notes")
ALWAYS_SEE_DHR = ("admin", "dhr_coordinator")


def current_date() -> date:
    """Today, for the clocks and RAGs (one place to read the system clock)."""
    return date.today()


def clock_rule() -> ClockRule:
    """The statutory clocks, from the configuration if set (DHR_DECISION_WITHIN_MONTHS,
    DHR_REVIEW_WITHIN_MONTHS, DHR_AMBER_DAYS), else the Home Office's 1 and 6 months
    with amber at 30 days or fewer left."""
    default = ClockRule()
    config = current_app.config
    return ClockRule(
        decision_within_months=int(config.get("DHR_DECISION_WITHIN_MONTHS", default.decision_within_months)),
        review_within_months=int(config.get("DHR_REVIEW_WITHIN_MONTHS", default.review_within_months)),
        amber_days=int(config.get("DHR_AMBER_DAYS", default.amber_days)),
    )


def _field_errors(problems: list[Problem], names: dict[str, str] | None = None, prefix: str = "") -> dict[str, list[str]]:
    """Problems → {form field: messages}. ``prefix`` ("contributions[2].") keeps only that
    item's problems; ``names`` renames paths ("case" → "case_id"); a path with an index
    ("panel_meetings[1]") goes under its base name."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        if not problem.field.startswith(prefix):
            continue
        path = problem.field[len(prefix):]
        name = (names or {}).get(path, path.split("[")[0])
        errors.setdefault(name, []).append(problem.message)
    return errors


def _refuse(problems: list[Problem], names=None, prefix: str = "") -> None:
    errors = _field_errors(problems, names, prefix)
    if errors:
        raise ServiceError(field_errors=errors)


# ---- access ------------------------------------------------------------------------------


def can_see_dhr(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.can_see_dhr)


def access_list() -> list[User]:
    """Everyone, with the people who always see DHR data last."""
    users = db.session.scalars(select(User).order_by(User.name, User.email)).all()
    return sorted(users, key=lambda u: u.role in ALWAYS_SEE_DHR)


def set_dhr_access(user_id: int, granted: bool, acting_user) -> User:
    """Grant or revoke a manager's or officer's access to the DHR area (audited)."""
    user = db.session.get(User, user_id)
    if user is None:
        raise ServiceError("That user no longer exists.")
    if user.role in ALWAYS_SEE_DHR:
        raise ServiceError(f"{user.name} is {user.role_label.lower()} and always sees DHR data: there is nothing to change.")
    with transaction():
        if user.dhr_access != granted:
            user.dhr_access = granted
            record("dhr_access_granted" if granted else "dhr_access_revoked", acting_user, user, email=user.email)
    return user


# ---- cases -------------------------------------------------------------------------------


def list_cases() -> list[DhrCase]:
    return db.session.scalars(select(DhrCase).order_by(DhrCase.pseudonym)).all()


def case_dates(case: DhrCase, meetings: list[date] | None = None) -> CaseDates:
    values = {name: getattr(case, column) for name, column in DATE_COLUMNS.items()}
    if meetings is None:
        meetings = [m.meeting_date for m in case.panel_meetings]
    return CaseDates(**values, panel_meetings=sorted(meetings), review_type=case.review_type)


def case_clocks(case: DhrCase, on: date | None = None) -> list[ClockState]:
    return compute_clocks(case_dates(case), clock_rule(), on or current_date())


def case_problems(data: dict, case: DhrCase | None = None, on: date | None = None) -> dict[str, list[str]]:
    """Every reason to refuse this case, by form field (pseudonym taken, dates out of
    order or in the future, ...); {} if none."""
    on = on or current_date()
    errors: dict[str, list[str]] = {}
    pseudonym = (data.get("pseudonym") or "").strip()
    clash = db.session.scalar(select(DhrCase).where(func.lower(DhrCase.pseudonym) == pseudonym.lower()))
    if clash is not None and clash is not case:
        errors["pseudonym"] = [f"A case called '{pseudonym}' is already in the register. Choose another pseudonym."]
    if data.get("status") not in CASE_STATUS_LABELS:
        errors["status"] = ["Select the case's status from the list."]
    if data.get("area_id") and db.session.get(Area, data["area_id"]) is None:
        errors["area_id"] = ["Select an area from the list."]
    meetings = [m.meeting_date for m in case.panel_meetings] if case is not None else []
    dates = CaseDates(**{name: data.get(name) for name in DATE_COLUMNS}, panel_meetings=sorted(meetings),
                      review_type=data.get("review_type") or "")
    for name, messages in _field_errors(validate_dates(dates, on)).items():
        errors.setdefault(name, []).extend(messages)
    return errors


def save_case(data: dict, acting_user, case: DhrCase | None = None, on: date | None = None) -> DhrCase:
    """Create or change a case from validated form data; the dates must be in order
    and not in the future (``validate_dates``), else nothing is saved."""
    errors = case_problems(data, case, on)
    if errors:
        raise ServiceError(field_errors=errors)
    with transaction("A case with this pseudonym is already in the register."):
        created = case is None
        if created:
            case = DhrCase()
            db.session.add(case)
        case.pseudonym = data["pseudonym"].strip()
        case.area_id = data.get("area_id") or None
        case.review_type = data["review_type"]
        case.status = data["status"]
        for name, column in DATE_COLUMNS.items():
            setattr(case, column, data.get(name))
        for name in CASE_TEXT_FIELDS:
            setattr(case, name, (data.get(name) or "").strip() or None)
        case.chair_cost = data.get("chair_cost")
        case.author_cost = data.get("author_cost")
        db.session.flush()
        record("dhr_case_created" if created else "dhr_case_updated", acting_user, case, pseudonym=case.pseudonym)
    return case


def add_panel_meeting(case: DhrCase, meeting_date: date, acting_user, on: date | None = None) -> DhrPanelMeeting:
    existing = [m.meeting_date for m in case.panel_meetings]
    if meeting_date in existing:
        raise ServiceError(field_errors={"meeting_date": [f"A panel meeting on {long_date(meeting_date)} is already recorded."]})
    problems = validate_dates(case_dates(case, existing + [meeting_date]), on or current_date())
    if problems:
        mine = [p.message for p in problems if p.field.startswith("panel_meetings")]
        raise ServiceError(field_errors={"meeting_date": mine or [p.message for p in problems]})
    with transaction():
        meeting = DhrPanelMeeting(case=case, meeting_date=meeting_date)
        db.session.add(meeting)
        db.session.flush()
        record("dhr_panel_meeting_added", acting_user, case, meeting_date=meeting_date.isoformat())
    return meeting


def remove_panel_meeting(case: DhrCase, meeting_id: int, acting_user) -> None:
    meeting = next((m for m in case.panel_meetings if m.id == meeting_id), None)
    if meeting is None:
        raise ServiceError("That panel meeting is no longer recorded.")
    with transaction():
        case.panel_meetings.remove(meeting)
        record("dhr_panel_meeting_removed", acting_user, case, meeting_date=meeting.meeting_date.isoformat())


def case_row(case: DhrCase) -> CaseRow:
    return CaseRow(case.pseudonym, case.area.name if case.area else "", CASE_STATUS_LABELS[case.status],
                   case_dates(case), case.qa_outcome or "", case.delay_reason or "")


# ---- pooled budget -----------------------------------------------------------------------


def budget_year_rows() -> list[DhrBudgetYear]:
    return db.session.scalars(select(DhrBudgetYear).order_by(DhrBudgetYear.year_start)).all()


def budget_year_row(year_start: int) -> DhrBudgetYear | None:
    return db.session.scalar(select(DhrBudgetYear).where(DhrBudgetYear.year_start == year_start))


def budget_of(row: DhrBudgetYear) -> BudgetYear:
    contributions = [Contribution(c.partner, c.due, c.received_in_advance, c.drawn_down) for c in row.contributions]
    costs = [CostLine(c.label, c.kind, c.amount, c.case.pseudonym if c.case else None) for c in row.costs]
    return BudgetYear(row.year_start, row.opening_reserve, contributions, costs, row.reviews_expected,
                      row.cost_per_review, row.fixed_support)


@dataclass
class BudgetView:
    row: DhrBudgetYear
    year: BudgetYear
    summary: BudgetSummary | None  # None while the year is incomplete
    problems: list[Problem]


def budget_view(row: DhrBudgetYear) -> BudgetView:
    year = budget_of(row)
    try:
        return BudgetView(row, year, summarise(year), [])
    except BudgetError as error:
        return BudgetView(row, year, None, error.problems)


def budget_forecast(rows: list[DhrBudgetYear], years: int = 3) -> list[ForecastYear]:
    """The next ``years`` from the latest year; [] while there is none or it is incomplete."""
    try:
        return forecast([budget_of(r) for r in rows], years) if rows else []
    except BudgetError:
        return []


def parse_financial_year(text: str | None) -> int:
    """'2016/17' (or 2016-17, 2016/2017) → 2016; a ServiceError on the field "year" otherwise."""
    try:
        period = parse_period((text or "").strip())
    except PeriodError:
        period = None
    if period is None or period.kind != "year":
        raise ServiceError(field_errors={"year": [f"'{text or ''}' is not a financial year. Write it like 2016/17."]})
    return period.fy_start_year


BUDGET_AMOUNTS = ("opening_reserve", "reviews_expected", "cost_per_review", "fixed_support")


def save_budget_year(data: dict, acting_user, row: DhrBudgetYear | None = None) -> DhrBudgetYear:
    """Create a financial year (``data["year"]`` such as "2016/17") or change its opening
    reserve, reviews expected, cost per review and fixed support."""
    year_start = row.year_start if row is not None else parse_financial_year(data.get("year"))
    if row is None and budget_year_row(year_start) is not None:
        raise ServiceError(field_errors={"year": [f"{fy_label(year_start)} is already in the budget. Change it from its page."]})
    amounts = {name: to_decimal(data.get(name)) for name in BUDGET_AMOUNTS}
    # The year's own figures only: a placeholder line stands in for the contributions,
    # which are added and checked one by one (save_contribution).
    trial = BudgetYear(year_start, amounts["opening_reserve"], [Contribution("-", 0)], [], amounts["reviews_expected"],
                       amounts["cost_per_review"], amounts["fixed_support"])
    _refuse(validate_budget(trial), {"year_start": "year"})
    with transaction(f"{fy_label(year_start)} is already in the budget."):
        created = row is None
        if created:
            row = DhrBudgetYear(year_start=year_start)
            db.session.add(row)
        for name, value in amounts.items():
            setattr(row, name, value)
        row.notes = (data.get("notes") or "").strip() or None
        db.session.flush()
        record("dhr_budget_year_created" if created else "dhr_budget_year_updated", acting_user, row,
               year=fy_label(year_start), **{k: str(v) for k, v in amounts.items()})
    return row


def _line_or_404(lines, item_id: int):
    item = next((line for line in lines if line.id == item_id), None)
    if item is None:
        raise LookupError(item_id)
    return item


def save_contribution(row: DhrBudgetYear, data: dict, acting_user, contribution: DhrContribution | None = None) -> DhrContribution:
    """Add or change one partner's contribution: due, received in advance (in an earlier
    year), drawn down or not."""
    year = budget_of(row)
    line = Contribution((data.get("partner") or "").strip(), to_decimal(data.get("due")),
                        to_decimal(data.get("received_in_advance")), bool(data.get("drawn_down")))
    index = row.contributions.index(contribution) if contribution is not None else len(year.contributions)
    others = {c.partner.casefold() for c in row.contributions if c is not contribution}
    if line.partner.casefold() in others:
        raise ServiceError(field_errors={"partner": [
            f"{line.partner} already has a contribution in {row_label(row)}. Change that line instead."]})
    year.contributions[index:index + 1] = [line]
    _refuse(validate_budget(year), prefix=f"contributions[{index}].")
    with transaction(f"{line.partner} is already in {row_label(row)}."):
        created = contribution is None
        if created:
            contribution = DhrContribution(budget_year=row)
            db.session.add(contribution)
        contribution.partner, contribution.due = line.partner, line.due
        contribution.received_in_advance, contribution.drawn_down = line.received_in_advance, line.drawn_down
        db.session.flush()
        record("dhr_contribution_saved", acting_user, contribution, year=row_label(row), partner=line.partner,
               due=str(line.due), received_in_advance=str(line.received_in_advance), drawn_down=line.drawn_down)
    return contribution


def save_cost(row: DhrBudgetYear, data: dict, acting_user, cost: DhrCost | None = None) -> DhrCost:
    """Add or change a cost line: business office support, chairs and authors, or the
    actual cost of a case."""
    case = db.session.get(DhrCase, data["case_id"]) if data.get("case_id") else None
    kind = data.get("kind") or ""
    if case is not None and kind != "case":
        raise ServiceError(field_errors={"case_id": [
            f"Only the actual cost of a case names a case. Choose '{COST_KINDS['case']}' as the kind, or choose "
            "'Not for one case'."]})
    year = budget_of(row)
    line = CostLine((data.get("label") or "").strip(), kind, to_decimal(data.get("amount")),
                    case.pseudonym if case is not None and kind == "case" else None)
    index = row.costs.index(cost) if cost is not None else len(year.costs)
    year.costs[index:index + 1] = [line]
    _refuse(validate_budget(year), {"case": "case_id"}, prefix=f"costs[{index}].")
    with transaction():
        created = cost is None
        if created:
            cost = DhrCost(budget_year=row)
            db.session.add(cost)
        cost.label, cost.kind, cost.amount = line.label, line.kind, line.amount
        cost.case = case if kind == "case" else None
        db.session.flush()
        record("dhr_cost_saved", acting_user, cost, year=row_label(row), label=line.label, kind=kind, amount=str(line.amount))
    return cost


def remove_budget_line(row: DhrBudgetYear, kind: str, item_id: int, acting_user) -> str:
    """Remove a contribution ("contributions") or cost ("costs") line; returns its label."""
    lines = row.contributions if kind == "contributions" else row.costs
    item = _line_or_404(lines, item_id)
    label = item.partner if kind == "contributions" else item.label
    with transaction():
        lines.remove(item)
        record("dhr_budget_line_removed", acting_user, row, year=row_label(row), line=kind, label=label)
    return label


def row_label(row: DhrBudgetYear) -> str:
    return fy_label(row.year_start)


# ---- the DHR budget return -----------------------------------------------------------------

# The return's lines (the demo template's rows) → indicator slugs.
RETURN_INDICATORS = {
    "opening_reserve": "dhr-opening-reserve",
    "contributions_due": "dhr-contributions-due",
    "received_in_advance": "dhr-received-in-advance",
    "business_office": "dhr-business-office-costs",
    "chairs_authors": "dhr-chairs-authors-costs",
    "reviews_expected": "dhr-reviews-expected",
    "cost_per_review": "dhr-cost-per-review",
}
PARTNER_DUE_PREFIX = "dhr-contribution-due-"
PARTNER_ADVANCE_PREFIX = "dhr-received-in-advance-"
SINGLE_PARTNER_LINE = "Partner contributions"


@dataclass
class StoredFigure:
    slug: str
    name: str  # the indicator's name, as the return's line reads
    area: str
    value: float | None
    flag: str
    note: str | None


@dataclass
class ReturnFill:
    row: DhrBudgetYear
    area: str
    notes: list[str] = field(default_factory=list)  # what was taken, kept and replaced


def _stored_return(year_start: int) -> list[StoredFigure]:
    slugs = list(RETURN_INDICATORS.values())
    query = (
        select(Indicator.slug, Indicator.name, Area.code, DataValue.value, DataValue.flag, DataValue.note)
        .join(Indicator, DataValue.indicator_id == Indicator.id).join(Area, DataValue.area_id == Area.id)
        .join(Period, DataValue.period_id == Period.id)
        .where(DataValue.is_current.is_(True), Period.key == financial_year(year_start).key,
               or_(Indicator.slug.in_(slugs), Indicator.slug.startswith(PARTNER_DUE_PREFIX),
                   Indicator.slug.startswith(PARTNER_ADVANCE_PREFIX)))
    )
    return [StoredFigure(*r) for r in db.session.execute(query)]


def _partner_name(figure: StoredFigure, prefix: str) -> tuple[str, str]:
    """(slug, display name) of a per-partner line: the name after the last ': ' of the
    indicator's name, else the slug."""
    slug = figure.slug[len(prefix):]
    name = figure.name.rpartition(": ")[2].strip() if ": " in figure.name else slug
    return slug, name


def _return_figures(year_start: int) -> tuple[str, dict[str, Decimal], dict[str, Decimal], dict[str, Decimal], dict[str, str]]:
    """(area, totals by RETURN_INDICATORS key, per-partner dues, per-partner advances,
    partner names) of the stored return, or a ServiceError saying what is missing."""
    label = fy_label(year_start)
    figures = _stored_return(year_start)
    areas = sorted({f.area for f in figures})
    if not figures:
        raise ServiceError(f"No DHR budget return for {label} has been stored yet. Upload the return for {label} "
                           "(template 'Domestic Homicide Review pooled budget') first, or enter the budget with the forms.")
    if len(areas) > 1:
        raise ServiceError(f"DHR budget return figures for {label} are stored for several areas ({', '.join(areas)}). "
                           "Keep one return per financial year, then try again.")
    by_slug = {f.slug: f for f in figures}
    totals, missing = {}, []
    for key, slug in RETURN_INDICATORS.items():
        figure = by_slug.get(slug)
        if figure is None or figure.value is None:
            why = f" (marked '{figure.flag.replace('_', ' ')}'{': ' + figure.note if figure.note else ''})" if figure else ""
            missing.append(f"'{figure.name if figure else slug}'{why}")
        else:
            totals[key] = to_decimal(figure.value)
    if missing:
        raise ServiceError(f"The DHR budget return for {label} has no figure for {', '.join(missing)}. "
                           "Correct the return and upload it again, or enter the budget with the forms.")
    dues, advances, names = {}, {}, {}
    for figure in figures:
        for prefix, target in ((PARTNER_DUE_PREFIX, dues), (PARTNER_ADVANCE_PREFIX, advances)):
            if figure.slug.startswith(prefix) and figure.value is not None:
                slug, name = _partner_name(figure, prefix)
                target[slug] = to_decimal(figure.value)
                names.setdefault(slug, name)
    orphans = [names[slug] for slug in advances if slug not in dues]
    if orphans:
        raise ServiceError(f"The DHR budget return for {label} has an amount received in advance from "
                           f"{', '.join(orphans)} but no contribution due from them. Correct the return and upload it again.")
    return areas[0], totals, dues, advances, names


def _sums(contributions) -> tuple[Decimal, Decimal]:
    return (sum((Decimal(c.due) for c in contributions), ZERO),
            sum((Decimal(c.received_in_advance) for c in contributions), ZERO))


def _contribution_lines(row, totals, dues, advances, names, notes) -> list[Contribution] | None:
    """The contributions the filled year will have; None = keep the year's own lines."""
    due, advance = totals["contributions_due"], totals["received_in_advance"]
    if dues:
        lines = [Contribution(names[slug], dues[slug], advances.get(slug, ZERO)) for slug in dues]
        if _sums(lines) != (due, advance):
            got_due, got_advance = _sums(lines)
            raise ServiceError(
                f"The return's partner lines add up to {pounds(got_due)} due and {pounds(got_advance)} received in "
                f"advance, but its totals are {pounds(due)} and {pounds(advance)}. Correct the return and upload it again.")
        notes.append(f"Contributions: {len(lines)} partner lines from the return.")
        return lines
    if row is not None and row.contributions and _sums(row.contributions) == (due, advance):
        notes.append(f"Contributions: the {len(row.contributions)} partner lines already entered add up to the return's "
                     f"totals ({pounds(due)} due, {pounds(advance)} received in advance), so they are kept.")
        return None
    if row is not None and row.contributions:
        got_due, got_advance = _sums(row.contributions)
        notes.append(f"Contributions: the partner lines entered added up to {pounds(got_due)} due and {pounds(got_advance)} "
                     f"in advance, not the return's {pounds(due)} and {pounds(advance)}; they are replaced by one line. "
                     "Enter the partners' lines again if you need them.")
    else:
        notes.append(f"Contributions: the return gives totals only, so one line '{SINGLE_PARTNER_LINE}' "
                     f"({pounds(due)} due, {pounds(advance)} received in advance).")
    return [Contribution(SINGLE_PARTNER_LINE, due, advance)]


def _cost_lines(row, totals, notes) -> list[CostLine | DhrCost]:
    """The cost lines the filled year will have: kept rows (DhrCost) or new CostLines."""
    kept: list[CostLine | DhrCost] = []
    for kind, key in (("fixed_support", "business_office"), ("chairs_authors", "chairs_authors")):
        amount = totals[key]
        existing = [c for c in (row.costs if row is not None else []) if c.kind == kind]
        if existing and sum((Decimal(c.amount) for c in existing), ZERO) == amount:
            kept += existing
            notes.append(f"{COST_KINDS[kind]}: the lines entered add up to the return's {pounds(amount)}, so they are kept.")
        else:
            kept.append(CostLine(COST_KINDS[kind], kind, amount))
            notes.append(f"{COST_KINDS[kind]}: {pounds(amount)} from the return.")
    kept += [c for c in (row.costs if row is not None else []) if c.kind == "case"]
    return kept


def budget_from_stored_return(year_start: int, acting_user=None) -> ReturnFill:
    """Create or update the budget year from the stored DHR budget return (see the module
    docstring for how totals become lines)."""
    area, totals, dues, advances, names = _return_figures(year_start)
    row = budget_year_row(year_start)
    notes: list[str] = []
    contributions = _contribution_lines(row, totals, dues, advances, names, notes)
    costs = _cost_lines(row, totals, notes)
    year = BudgetYear(
        year_start, totals["opening_reserve"],
        contributions if contributions is not None else budget_of(row).contributions,
        [c if isinstance(c, CostLine) else CostLine(c.label, c.kind, c.amount, c.case.pseudonym if c.case else None)
         for c in costs],
        totals["reviews_expected"], totals["cost_per_review"], totals["business_office"])
    problems = validate_budget(year)
    if problems:
        raise ServiceError("The DHR budget return cannot fill the budget: " + " ".join(p.message for p in problems))
    with transaction():
        if row is None:
            row = DhrBudgetYear(year_start=year_start)
            db.session.add(row)
        row.opening_reserve, row.reviews_expected = year.opening_reserve, year.reviews_expected
        row.cost_per_review, row.fixed_support = year.cost_per_review, year.fixed_support
        if contributions is not None:
            # Delete before inserting: a partner's new line may carry the name of an old one.
            row.contributions.clear()
            db.session.flush()
            row.contributions.extend(DhrContribution(partner=c.partner, due=c.due, received_in_advance=c.received_in_advance,
                                                     drawn_down=c.drawn_down) for c in contributions)
        row.costs = [c if isinstance(c, DhrCost) else DhrCost(label=c.label, kind=c.kind, amount=c.amount) for c in costs]
        db.session.flush()
        record("dhr_budget_filled_from_return", acting_user, row, year=fy_label(year_start), area=area, notes=notes)
    return ReturnFill(row, area, notes)


# ---- master action plan --------------------------------------------------------------------


def list_actions() -> list[DhrAction]:
    return db.session.scalars(select(DhrAction).order_by(DhrAction.id)).all()


def action_of(row: DhrAction) -> Action:
    updates = [ActionUpdate(u.quarter, u.text, u.evidence or "") for u in row.updates]
    return Action(row.id, row.case.pseudonym if row.case else None, row.scope, row.lead_agency, row.action,
                  row.due_date, row.status, row.completed_on, row.impact_review_due, updates)


def action_rag_of(row: DhrAction, on: date | None = None) -> tuple[str, str]:
    return action_rag(action_of(row), on or current_date())


ACTION_FIELDS = ("scope", "lead_agency", "action", "due_date", "status", "completed_on", "impact_review_due")


def save_action(data: dict, acting_user, row: DhrAction | None = None, on: date | None = None) -> DhrAction:
    """Add or change an action. A completed action needs its completion date; its impact
    review is then due 6 months later unless a date is given."""
    case = db.session.get(DhrCase, data["case_id"]) if data.get("case_id") else None
    action = Action(row.id if row else None, case.pseudonym if case else None, data.get("scope") or "",
                    (data.get("lead_agency") or "").strip(), (data.get("action") or "").strip(), data.get("due_date"),
                    data.get("status") or "", data.get("completed_on"), data.get("impact_review_due"))
    errors = _field_errors(validate_action(action, on or current_date()))
    if action.status == "complete" and action.completed_on is None:
        errors.setdefault("completed_on", []).append(
            "Enter the date the action was completed, so that a review of its impact can be scheduled.")
    if errors:
        raise ServiceError(field_errors=errors)
    with transaction():
        created = row is None
        if created:
            row = DhrAction()
            db.session.add(row)
        row.case = case
        row.scope, row.lead_agency, row.action, row.status = action.scope, action.lead_agency, action.action, action.status
        row.due_date, row.completed_on, row.impact_review_due = action.due, action.completed_on, action.impact_review_due
        db.session.flush()
        record("dhr_action_created" if created else "dhr_action_updated", acting_user, row, status=row.status)
    return row


def add_action_update(row: DhrAction, data: dict, acting_user, on: date | None = None) -> DhrActionUpdate:
    """A quarterly progress update with its evidence; the quarter is stored as its key
    ("Q1 2016/17" → "2016/17 Q1")."""
    update = ActionUpdate((data.get("quarter") or "").strip(), (data.get("text") or "").strip(),
                          (data.get("evidence") or "").strip())
    action = action_of(row)
    action.updates = [update]
    _refuse(validate_action(action, on or current_date()), prefix="updates[0].")
    with transaction():
        saved = DhrActionUpdate(action_item=row, quarter=update.quarter, text=update.text,
                                evidence=update.evidence or None, created_by_id=getattr(acting_user, "id", None))
        db.session.add(saved)
        db.session.flush()
        record("dhr_action_update_added", acting_user, row, quarter=update.quarter)
    return saved


# ---- the workbook --------------------------------------------------------------------------


def dhr_sheets_for(user, today: date | None = None) -> list[SheetWriter]:
    """The DHR Budget, DHR Cases and DHR Actions sheet writers for the consolidated
    workbook (clocks and RAGs as at ``today``, default the current date), or [] for
    anyone who may not see DHR data."""
    if not can_see_dhr(user):
        return []
    return dhr_sheets(today)


def dhr_sheets(today: date | None = None) -> list[SheetWriter]:
    """The DHR sheet writers with no access check: only for the server operator's command."""
    return dhr_sheet_writers([budget_of(r) for r in budget_year_rows()], [case_row(c) for c in list_cases()],
                             [action_of(a) for a in list_actions()], today or current_date(), clock_rule())


def dhr_workbook_bytes(user, on: date | None = None) -> bytes:
    """A workbook of the DHR sheets alone (the DHR area's download)."""
    writers = dhr_sheets_for(user, on)
    if not writers:
        raise PermissionError("This person may not see DHR data.")
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    workbook.set_properties({"title": "Domestic Homicide Reviews", "comments": "Restricted: not for publication"})
    formats = Formats(workbook)
    for write in writers:
        write(workbook, formats)
    workbook.close()
    return buffer.getvalue()


# ---- demo ----------------------------------------------------------------------------------

# demo_cases gives ONS district codes; the demo partnership's areas use short codes.
ONS_TO_DEMO_AREA = {
    "E07000129": "B", "E07000130": "C", "E07000131": "H", "E07000132": "HB", "E07000133": "M",
    "E07000134": "NW", "E07000135": "O", "E06000017": "RUT",
}
DEMO_CASE_DETAILS = {
    "Mary": ("published", "Approved by the Home Office quality-assurance panel", "Criminal trial"),
    "FN": ("published", "Approved by the Home Office quality-assurance panel", "Waited for the safeguarding board's decision"),
    "AB": ("in_progress", None, None),
    "CD": ("in_progress", None, None),
    "EF": ("awaiting_trial", None, "Criminal trial"),
    "GH": ("under_consideration", None, None),
    "JK": ("under_consideration", None, "Police investigation"),
    "LM": ("under_consideration", None, None),
    "NP": ("closed", None, None),
}


def load_demo_dhr(areas: dict[str, Area], on: date | None = None, **_) -> None:
    """The demo's DHR data: pseudonymised cases dated from ``on`` (today) so that every
    clock state appears, the 2016/17 Leicestershire budget and the seven actions
    outstanding in March 2016. Idempotent: rows that exist (by pseudonym, financial
    year, lead agency and action) are left as they are, so a second run (or a later
    day) changes nothing and nothing a co-ordinator entered is overwritten."""
    on = on or current_date()
    cases = {c.pseudonym: c for c in db.session.scalars(select(DhrCase))}
    for pseudonym, dates, review_type, ons_code, notes in demo_cases(on):
        if pseudonym in cases:
            continue
        status, qa_outcome, delay = DEMO_CASE_DETAILS[pseudonym]
        case = DhrCase(pseudonym=pseudonym, area=areas.get(ONS_TO_DEMO_AREA[ons_code]), review_type=review_type,
                       status=status, qa_outcome=qa_outcome if dates.qa_outcome_date else None,
                       delay_reason=delay, notes=notes)
        for name, column in DATE_COLUMNS.items():
            setattr(case, column, getattr(dates, name))
        case.panel_meetings = [DhrPanelMeeting(meeting_date=d) for d in dates.panel_meetings]
        db.session.add(case)
        cases[pseudonym] = case
    year = leicestershire_2016_17()
    if budget_year_row(year.year_start) is None:
        db.session.add(DhrBudgetYear(
            year_start=year.year_start, opening_reserve=year.opening_reserve, reviews_expected=year.reviews_expected,
            cost_per_review=year.cost_per_review, fixed_support=year.fixed_support,
            notes="Leicestershire Safer Communities Strategy Board, 8 June 2016, Agenda Item 9 paragraphs 10-13 and 22.",
            contributions=[DhrContribution(partner=c.partner, due=c.due, received_in_advance=c.received_in_advance,
                                           drawn_down=c.drawn_down) for c in year.contributions],
            costs=[DhrCost(label=c.label, kind=c.kind, amount=c.amount) for c in year.costs]))
    existing = set(db.session.execute(select(DhrAction.lead_agency, DhrAction.action)).all())
    for action in demo_actions(max(on, date(2016, 3, 31))):
        if (action.lead_agency, action.action) in existing:
            continue
        db.session.add(DhrAction(
            case=cases.get(action.review) if action.review else None, scope=action.scope, lead_agency=action.lead_agency,
            action=action.action, due_date=action.due, status=action.status, completed_on=action.completed_on,
            impact_review_due=action.impact_review_due,
            updates=[DhrActionUpdate(quarter=u.quarter, text=u.text, evidence=u.evidence or None) for u in action.updates]))
    db.session.flush()


__all__ = [
    "CASE_STATUS_LABELS", "REVIEW_TYPES", "BudgetView", "ReturnFill", "access_list", "action_of", "action_rag_of",
    "add_action_update", "add_panel_meeting", "budget_forecast", "budget_from_stored_return", "budget_of",
    "budget_view", "budget_year_row", "budget_year_rows", "can_see_dhr", "case_clocks", "case_problems", "case_dates", "case_row",
    "clock_rule", "dhr_sheets_for", "dhr_workbook_bytes", "list_actions", "list_cases", "load_demo_dhr",
    "parse_financial_year", "remove_budget_line", "remove_panel_meeting", "save_action", "save_budget_year",
    "save_case", "save_contribution", "save_cost", "set_dhr_access", "current_date",
]
