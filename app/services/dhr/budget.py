"""The pooled DHR budget: financial years, their contributions and costs, the forecast, and
filling a year from the stored DHR budget return (the rule is ``app.dhr.budget.fill_from_return``;
this module reads the stored figures and saves).

Each function that changes something is one transaction and records an audit event.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select

from app.dhr import Problem
from app.dhr.budget import (
    COST_KINDS, PARTNER_ADVANCE_PREFIX, PARTNER_DUE_PREFIX, RETURN_INDICATORS, BudgetError, BudgetSummary, BudgetYear,
    Contribution, CostLine, ForecastYear, MemberAgency, ReturnFigure, contributing_agency, fill_from_return, forecast,
    summarise, to_decimal, validate_budget,
)
from app.errors import NotFound
from app.extensions import db
from app.models import (
    DATA_VALUE_IS_CURRENT, Agency, Area, DataValue, DhrBudgetYear, DhrCase, DhrContribution, DhrCost, Indicator,
    Period,
)
from app.periods import PeriodError, financial_year, fy_label, parse_period
from app.services import ServiceError, transaction
from app.services.audit import record
from app.services.dhr.problems import refuse
from app.services.reference import agencies_by_name
from app.services.vocabulary import partnership_names


def budget_year_rows() -> list[DhrBudgetYear]:
    return db.session.scalars(select(DhrBudgetYear).order_by(DhrBudgetYear.year_start)).all()


def budget_year_row(year_start: int) -> DhrBudgetYear | None:
    return db.session.scalar(select(DhrBudgetYear).where(DhrBudgetYear.year_start == year_start))


def get_budget_year(year_start: int) -> DhrBudgetYear:
    row = budget_year_row(year_start)
    if row is None:
        raise NotFound(f"No DHR budget for {fy_label(year_start)}.")
    return row


def budget_of(row: DhrBudgetYear) -> BudgetYear:
    contributions = [Contribution(c.partner, c.due, c.received_in_advance, c.drawn_down,
                                  c.agency.name if c.agency else None) for c in row.contributions]
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


# ---- who pays: member agencies, or named members that are not agencies ----------------------


def member_agencies() -> list[MemberAgency]:
    """Every agency as a budget may name it (``app.dhr.budget.contributing_agency``)."""
    area_names = partnership_names().area_names()
    return [MemberAgency(a.slug, a.name, tuple(area_names.get(a.area.code, ())) if a.area else ())
            for a in agencies_by_name()]


def agency_named(name: str | None, members: list[MemberAgency] | None = None) -> Agency | None:
    """The member agency a partner name means ("Charnwood": Charnwood Borough Council), or
    None for a named member that is not an agency."""
    found = contributing_agency(name or "", member_agencies() if members is None else members)
    return db.session.scalar(select(Agency).where(Agency.slug == found.slug)) if found else None


BUDGET_AMOUNTS = ("opening_reserve", "reviews_expected", "cost_per_review", "fixed_support")


def save_budget_year(data: dict, acting_user, row: DhrBudgetYear | None = None) -> DhrBudgetYear:
    """Create a financial year (``data["year"]`` such as "2016/17") or change its opening
    reserve, reviews expected, cost per review and fixed support."""
    year_start = row.year_start if row is not None else parse_financial_year(data.get("year"))
    if row is None and budget_year_row(year_start) is not None:
        raise ServiceError(
            field_errors={"year": [f"{fy_label(year_start)} is already in the budget. Change it from its page."]}
        )
    amounts = {name: to_decimal(data.get(name)) for name in BUDGET_AMOUNTS}
    # The year's own figures only: a placeholder line stands in for the contributions,
    # which are added and checked one by one (save_contribution).
    trial = BudgetYear(year_start, amounts["opening_reserve"], [Contribution("-", 0)], [], amounts["reviews_expected"],
                       amounts["cost_per_review"], amounts["fixed_support"])
    refuse(validate_budget(trial), {"year_start": "year"})
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


def _budget_line(lines, item_id: int):
    item = next((line for line in lines if line.id == item_id), None)
    if item is None:
        raise NotFound(f"No budget line {item_id}.")
    return item


def get_contribution(row: DhrBudgetYear, item_id: int) -> DhrContribution:
    return _budget_line(row.contributions, item_id)


def get_cost(row: DhrBudgetYear, item_id: int) -> DhrCost:
    return _budget_line(row.costs, item_id)


def save_contribution(row: DhrBudgetYear, data: dict, acting_user,
                      contribution: DhrContribution | None = None) -> DhrContribution:
    """Add or change one partner's contribution: the member agency that pays it
    (``agency_id``; if none is chosen, the agency the name means, as the demo and the
    return find it, else none: a named member that is not an agency), the name the budget
    gives it (``partner``; the agency's name if left blank), due, received in advance (in an
    earlier year), drawn down or not."""
    year = budget_of(row)
    typed = (data.get("partner") or "").strip()
    agency = db.session.get(Agency, data["agency_id"]) if data.get("agency_id") else agency_named(typed)
    if data.get("agency_id") and agency is None:
        raise ServiceError(field_errors={"agency_id": ["That agency no longer exists. Choose another."]})
    partner = typed or (agency.name if agency else "")
    line = Contribution(partner, to_decimal(data.get("due")), to_decimal(data.get("received_in_advance")),
                        bool(data.get("drawn_down")), agency.name if agency else None)
    index = row.contributions.index(contribution) if contribution is not None else len(year.contributions)
    others = {c.partner.casefold() for c in row.contributions if c is not contribution}
    if line.partner.casefold() in others:
        raise ServiceError(field_errors={"partner": [
            f"{line.partner} already has a contribution in {row_label(row)}. Change that line instead."]})
    paying = next((c for c in row.contributions if c is not contribution and agency and c.agency_id == agency.id), None)
    if paying is not None:
        raise ServiceError(field_errors={"agency_id": [
            f"{agency.name} already pays the contribution '{paying.partner}' in {row_label(row)}. "
            "Change that line instead: put all of an agency's contribution on one line."]})
    year.contributions[index:index + 1] = [line]
    refuse(validate_budget(year), {"agency": "agency_id"}, prefix=f"contributions[{index}].")
    with transaction(f"{line.partner} is already in {row_label(row)}."):
        created = contribution is None
        if created:
            contribution = DhrContribution(budget_year=row)
            db.session.add(contribution)
        contribution.partner, contribution.due = line.partner, line.due
        contribution.received_in_advance, contribution.drawn_down = line.received_in_advance, line.drawn_down
        contribution.agency = agency
        db.session.flush()
        record("dhr_contribution_saved", acting_user, contribution, year=row_label(row), partner=line.partner,
               agency=agency.slug if agency else None,
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
    refuse(validate_budget(year), {"case": "case_id"}, prefix=f"costs[{index}].")
    with transaction():
        created = cost is None
        if created:
            cost = DhrCost(budget_year=row)
            db.session.add(cost)
        cost.label, cost.kind, cost.amount = line.label, line.kind, line.amount
        cost.case = case if kind == "case" else None
        db.session.flush()
        record(
            "dhr_cost_saved",
            acting_user,
            cost,
            year=row_label(row),
            label=line.label,
            kind=kind,
            amount=str(line.amount),
        )
    return cost


def remove_budget_line(row: DhrBudgetYear, kind: str, item_id: int, acting_user) -> str:
    """Remove a contribution ("contributions") or cost ("costs") line; returns its label."""
    lines = row.contributions if kind == "contributions" else row.costs
    item = _budget_line(lines, item_id)
    label = item.partner if kind == "contributions" else item.label
    with transaction():
        lines.remove(item)
        record("dhr_budget_line_removed", acting_user, row, year=row_label(row), line=kind, label=label)
    return label


def row_label(row: DhrBudgetYear) -> str:
    return fy_label(row.year_start)


# ---- the DHR budget return -----------------------------------------------------------------


@dataclass
class ReturnFill:
    row: DhrBudgetYear
    area: str  # the code of the area the return's figures are stored for
    notes: list[str] = field(default_factory=list)  # what was taken, kept and replaced
    area_name: str = ""  # that area's name, for people


def stored_return(year_start: int) -> list[ReturnFigure]:
    """The current stored figures of the DHR budget return for the financial year."""
    slugs = list(RETURN_INDICATORS.values())
    query = (
        select(Indicator.slug, Indicator.name, Area.code, DataValue.value, DataValue.flag, DataValue.note)
        .join(Indicator, DataValue.indicator_id == Indicator.id).join(Area, DataValue.area_id == Area.id)
        .join(Period, DataValue.period_id == Period.id)
        .where(DATA_VALUE_IS_CURRENT, Period.key == financial_year(year_start).key,
               or_(Indicator.slug.in_(slugs), Indicator.slug.startswith(PARTNER_DUE_PREFIX),
                   Indicator.slug.startswith(PARTNER_ADVANCE_PREFIX)))
    )
    return [ReturnFigure(*r) for r in db.session.execute(query)]


def budget_from_stored_return(year_start: int, acting_user=None) -> ReturnFill:
    """Create or update the budget year from the stored DHR budget return (how totals
    become lines: ``app.dhr.budget.fill_from_return``)."""
    figures = stored_return(year_start)
    row = budget_year_row(year_start)
    try:
        filled = fill_from_return(figures, year_start, budget_of(row) if row is not None else None,
                                  member_agencies())
    except BudgetError as error:
        raise ServiceError(str(error)) from error
    year = filled.year
    with transaction():
        if row is None:
            row = DhrBudgetYear(year_start=year_start)
            db.session.add(row)
        own_costs = list(row.costs)
        row.opening_reserve, row.reviews_expected = year.opening_reserve, year.reviews_expected
        row.cost_per_review, row.fixed_support = year.cost_per_review, year.fixed_support
        if not filled.contributions_kept:
            # Delete before inserting: a partner's new line may carry the name of an old one.
            row.contributions.clear()
            db.session.flush()
            agencies = {a.name: a for a in agencies_by_name()}
            row.contributions.extend(
                DhrContribution(partner=c.partner, due=c.due, received_in_advance=c.received_in_advance,
                                drawn_down=c.drawn_down, agency=agencies.get(c.agency)) for c in year.contributions)
        row.costs = [own_costs[i] if i is not None else DhrCost(label=c.label, kind=c.kind, amount=c.amount)
                     for c, i in zip(year.costs, filled.cost_sources)]
        db.session.flush()
        record("dhr_budget_filled_from_return", acting_user, row, year=fy_label(year_start), area=filled.area,
               notes=filled.notes)
    area_name = db.session.scalar(select(Area.name).where(Area.code == filled.area)) or filled.area
    return ReturnFill(row, filled.area, filled.notes, area_name)
