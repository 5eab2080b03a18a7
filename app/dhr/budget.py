"""The pooled Domestic Homicide Review budget, one financial year at a time.

Partners pledge contributions each year. A contribution may have been paid in an earlier
year for this one ("received in advance": it is already inside the opening reserve), and
a year's contributions may be left in the partners' hands ("not drawn down") when the
reserve is high. Costs are a fixed annual payment for business-office support,
independent chairs and authors (budgeted per review), and actual costs per case.

    received in year   = Σ (due − received in advance)   over contributions drawn down
    closing reserve    = opening reserve + received in year − total costs
    forecast cost      = reviews expected × cost per review + fixed support
    surplus/shortfall  = contributions due − forecast cost        (negative = shortfall)

Money is ``Decimal`` throughout; ints, floats and numeric strings from forms are converted
on construction (floats through ``str`` so 0.1 stays 0.1). A missing amount stays None
and ``validate_budget`` asks for it: a missing value is never a zero.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Mapping, Sequence

from app.dhr import Problem, pounds
from app.periods import fy_label

COST_KINDS = {
    "fixed_support": "Business office support (fixed annual cost)",
    "chairs_authors": "Independent chairs and authors",
    "case": "Actual cost of a case",
}
ZERO = Decimal(0)


def to_decimal(value):
    """Decimal for a number or numeric text ("£2,500"); None stays None; anything else is
    returned unchanged so that ``validate_budget`` can name it."""
    if value is None or isinstance(value, Decimal) or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("£", "")
        if not text:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            return value
    return value


@dataclass
class Contribution:
    partner: str
    due: Decimal | None
    received_in_advance: Decimal | None = ZERO  # paid in an earlier year for this year
    drawn_down: bool = True

    def __post_init__(self):
        self.due = to_decimal(self.due)
        self.received_in_advance = to_decimal(self.received_in_advance)

    @property
    def arriving_in_year(self) -> Decimal:
        return self.due - self.received_in_advance


@dataclass
class CostLine:
    label: str
    kind: str  # a key of COST_KINDS
    amount: Decimal | None
    case: str | None = None  # pseudonym, for kind "case"

    def __post_init__(self):
        self.amount = to_decimal(self.amount)


@dataclass
class BudgetYear:
    year_start: int  # 2016 for 2016/17
    opening_reserve: Decimal | None
    contributions: list[Contribution]
    costs: list[CostLine]
    reviews_expected: Decimal | None
    cost_per_review: Decimal | None
    fixed_support: Decimal | None  # the fixed annual cost used in the forecast

    def __post_init__(self):
        for name in ("opening_reserve", "reviews_expected", "cost_per_review", "fixed_support"):
            setattr(self, name, to_decimal(getattr(self, name)))

    @property
    def label(self) -> str:
        return fy_label(self.year_start)


@dataclass(frozen=True)
class BudgetLine:
    section: str  # Reserve | Contributions | Costs | Forecast
    label: str
    amount: Decimal
    unit: str = "money"  # money | count
    is_total: bool = False


@dataclass(frozen=True)
class BudgetSummary:
    year_start: int
    opening_reserve: Decimal
    contributions_due: Decimal
    received_in_advance: Decimal
    received_in_year: Decimal
    not_drawn_down: Decimal
    costs_by_kind: dict[str, Decimal]
    total_costs: Decimal
    closing_reserve: Decimal
    forecast_cost: Decimal
    surplus_or_shortfall: Decimal  # contributions due − forecast cost; negative = shortfall
    lines: list[BudgetLine]

    @property
    def label(self) -> str:
        return fy_label(self.year_start)


@dataclass(frozen=True)
class ForecastYear:
    year: int  # start year: 2017 for 2017/18
    opening: Decimal
    contributions: Decimal
    cost: Decimal
    closing: Decimal
    surplus_or_shortfall: Decimal  # contributions − cost; negative = shortfall

    @property
    def shortfall(self) -> Decimal:
        """How much the year's cost exceeds its contributions (0 when it does not)."""
        return max(-self.surplus_or_shortfall, ZERO)

    @property
    def label(self) -> str:
        return fy_label(self.year)


class BudgetError(ValueError):
    """A budget year that cannot be summarised; ``problems`` says why."""

    def __init__(self, problems: list[Problem]):
        super().__init__(" ".join(p.message for p in problems))
        self.problems = problems


# ---- validation ---------------------------------------------------------------------

def _amount_problems(path: str, what: str, value, blank_hint: str, unit: str = "money") -> list[Problem]:
    """Missing, not a number, or negative; ``unit`` is money, count or flag."""
    if value is None:
        return [Problem(path, f"{what} is missing. {blank_hint}")]
    example = "an amount such as 2500 or 2,500.00" if unit == "money" else "a number such as 2 or 2.5"
    if not isinstance(value, Decimal) or not value.is_finite():
        return [Problem(path, f"{what} ('{value}') is not a number. Enter {example}.")]
    if value < 0:
        shown = pounds(value) if unit == "money" else f"{value}"
        return [Problem(path, f"{what} is negative ({shown}). Enter {example}, not below 0.")]
    return []


def validate_budget(year: BudgetYear) -> list[Problem]:
    """Every reason this budget year cannot be summarised, with field paths and sentences."""
    problems: list[Problem] = []
    if not isinstance(year.year_start, int) or not 2000 <= year.year_start <= 2100:
        problems.append(Problem("year_start", f"The financial year '{year.year_start}' is not one we can use. Enter the year it starts, e.g. 2016 for 2016/17."))
    problems += _amount_problems("opening_reserve", "The opening reserve", year.opening_reserve, "Enter the amount carried forward, or 0 if the pot was empty.")
    if not year.contributions:
        problems.append(Problem("contributions", "No partner contributions are entered. Add each partner's contribution due for the year (0 if none)."))
    seen: set[str] = set()
    for i, c in enumerate(year.contributions):
        path = f"contributions[{i}]"
        name = (c.partner or "").strip()
        if not name:
            problems.append(Problem(f"{path}.partner", f"Contribution {i + 1} has no partner name. Enter the partner that pays it."))
            name = f"contribution {i + 1}"
        elif name.casefold() in seen:
            problems.append(Problem(f"{path}.partner", f"{name} is entered twice. Put all of a partner's contribution on one line."))
        seen.add(name.casefold())
        due = _amount_problems(f"{path}.due", f"The contribution due from {name}", c.due, "Enter the amount, or 0 if nothing is due.")
        advance = _amount_problems(f"{path}.received_in_advance", f"The amount {name} paid in advance", c.received_in_advance, "Enter 0 if nothing was paid in an earlier year.")
        problems += due + advance
        if not due and not advance and c.received_in_advance > c.due:
            problems.append(Problem(f"{path}.received_in_advance", (
                f"{name} paid {pounds(c.received_in_advance)} in advance, more than the {pounds(c.due)} due. "
                "Check both amounts: the advance is the part of this year's contribution paid in an earlier year.")))
        if not isinstance(c.drawn_down, bool):
            problems.append(Problem(f"{path}.drawn_down", f"Say whether {name}'s contribution is drawn down this year (yes or no)."))
    for i, cost in enumerate(year.costs):
        path = f"costs[{i}]"
        label = (cost.label or "").strip() or f"Cost line {i + 1}"
        if not (cost.label or "").strip():
            problems.append(Problem(f"{path}.label", f"Cost line {i + 1} has no description. Say what the cost is for."))
        if cost.kind not in COST_KINDS:
            kinds = ", ".join(f"'{k}' ({v.lower()})" for k, v in COST_KINDS.items())
            problems.append(Problem(f"{path}.kind", f"{label}: the kind of cost '{cost.kind}' is not one we know. Choose one of {kinds}."))
        elif cost.kind == "case" and not (cost.case or "").strip():
            problems.append(Problem(f"{path}.case", f"{label}: a case cost must name the case. Enter its pseudonym."))
        problems += _amount_problems(f"{path}.amount", f"The amount for {label}", cost.amount, "Enter the amount, or remove the line.")
    problems += _amount_problems("reviews_expected", "The number of reviews expected", year.reviews_expected,
                                 "Enter how many reviews a year to plan for, e.g. 2.5.", unit="count")
    problems += _amount_problems("cost_per_review", "The estimated cost per review", year.cost_per_review, "Enter the estimate for independent chairs and authors per review.")
    problems += _amount_problems("fixed_support", "The fixed support cost", year.fixed_support, "Enter the annual business-office cost, or 0.")
    return problems


# ---- summary and forecast -----------------------------------------------------------

def summarise(year: BudgetYear) -> BudgetSummary:
    """The year's totals and a display list. Raises ``BudgetError`` if the year is invalid."""
    problems = validate_budget(year)
    if problems:
        raise BudgetError(problems)
    drawn = [c for c in year.contributions if c.drawn_down]
    kept = [c for c in year.contributions if not c.drawn_down]
    contributions_due = sum((c.due for c in year.contributions), ZERO)
    received_in_advance = sum((c.received_in_advance for c in year.contributions), ZERO)
    received_in_year = sum((c.arriving_in_year for c in drawn), ZERO)
    not_drawn_down = sum((c.arriving_in_year for c in kept), ZERO)
    costs_by_kind = {kind: sum((c.amount for c in year.costs if c.kind == kind), ZERO) for kind in COST_KINDS}
    total_costs = sum(costs_by_kind.values(), ZERO)
    closing = year.opening_reserve + received_in_year - total_costs
    forecast_cost = year.reviews_expected * year.cost_per_review + year.fixed_support
    balance = contributions_due - forecast_cost

    lines = [BudgetLine("Reserve", "Opening reserve carried forward", year.opening_reserve)]
    for c in year.contributions:
        note = "" if c.drawn_down else " (not drawn down)"
        lines.append(BudgetLine("Contributions", f"{c.partner}{note}", c.due))
    lines += [
        BudgetLine("Contributions", "Total contributions due", contributions_due, is_total=True),
        BudgetLine("Contributions", "Received in an earlier year", received_in_advance),
        BudgetLine("Contributions", "Not drawn down", not_drawn_down),
        BudgetLine("Contributions", "Received in year", received_in_year, is_total=True),
    ]
    lines += [BudgetLine("Costs", cost.label, cost.amount) for cost in year.costs]
    lines += [
        BudgetLine("Costs", "Total costs", total_costs, is_total=True),
        BudgetLine("Reserve", "Closing reserve", closing, is_total=True),
        BudgetLine("Forecast", "Reviews expected a year", year.reviews_expected, unit="count"),
        BudgetLine("Forecast", "Cost per review", year.cost_per_review),
        BudgetLine("Forecast", "Fixed support", year.fixed_support),
        BudgetLine("Forecast", "Forecast cost", forecast_cost, is_total=True),
        BudgetLine("Forecast", "Surplus" if balance >= 0 else "Shortfall", balance, is_total=True),
    ]
    return BudgetSummary(
        year.year_start, year.opening_reserve, contributions_due, received_in_advance, received_in_year,
        not_drawn_down, costs_by_kind, total_costs, closing, forecast_cost, balance, lines)


def forecast(years: Sequence[BudgetYear], next_years: int, reviews_per_year=None, cost_per_review=None,
             fixed_support=None, contributions_per_year=None) -> list[ForecastYear]:
    """The ``next_years`` financial years after the latest of ``years``, carrying its closing
    reserve forward. Each year: cost = reviews × cost per review + fixed support, and all
    contributions are assumed drawn down. An assumption left as None is taken from the
    latest year (its reviews expected, cost per review, fixed support, contributions due)."""
    if not years:
        raise ValueError("A forecast needs at least one budget year to start from.")
    latest = max(years, key=lambda y: y.year_start)
    base = summarise(latest)
    reviews = to_decimal(reviews_per_year) if reviews_per_year is not None else latest.reviews_expected
    per_review = to_decimal(cost_per_review) if cost_per_review is not None else latest.cost_per_review
    fixed = to_decimal(fixed_support) if fixed_support is not None else latest.fixed_support
    income = to_decimal(contributions_per_year) if contributions_per_year is not None else base.contributions_due
    cost = reviews * per_review + fixed
    out, opening = [], base.closing_reserve
    for n in range(1, next_years + 1):
        closing = opening + income - cost
        out.append(ForecastYear(latest.year_start + n, opening, income, cost, closing, income - cost))
        opening = closing
    return out


# ---- the DHR budget return ----------------------------------------------------------
#
# A label → value template. Keys (used verbatim as indicator slugs / field ids):
#   opening_reserve                     money, required
#   contribution:<partner>              money, one per partner, at least one required
#   received_in_advance:<partner>       money, optional (paid in an earlier year for this one)
#   drawn_down:<partner>                1 = drawn down, 0 = not; optional (absent = drawn down)
#   cost_business_office                money, required: fixed annual support, also the
#                                       forecast's fixed support
#   cost_chairs_authors                 money, required: independent chairs and authors
#   cost_case:<pseudonym>               money, optional: actual costs of a case not already
#                                       in cost_chairs_authors
#   reviews_expected                    count (may be fractional, e.g. 2.5), required
#   cost_per_review                     money, required
# <partner> is ``partner_slug(name)`` ("hinckley-and-bosworth"); the partner's display name
# comes from ``partner_names`` (slug → name), else the key text itself.

LEICESTERSHIRE_PARTNERS = (
    "Leicestershire County Council", "Leicestershire Police",
    "Blaby", "Charnwood", "Harborough", "Hinckley & Bosworth", "Melton",
    "North West Leicestershire", "Oadby & Wigston", "Rutland",
)
_RETURN_SINGLES = {
    "opening_reserve": ("Opening reserve carried forward", "money"),
    "cost_business_office": ("Business office support (fixed annual cost)", "money"),
    "cost_chairs_authors": ("Independent chairs and authors", "money"),
    "reviews_expected": ("Reviews expected this year", "count"),
    "cost_per_review": ("Estimated cost per review", "money"),
}
_RETURN_PER_PARTNER = {
    "contribution": ("Contribution due", "money"),
    "received_in_advance": ("Received in an earlier year", "money"),
    "drawn_down": ("Drawn down this year (1 = yes, 0 = no)", "flag"),
}


@dataclass(frozen=True)
class ReturnField:
    key: str
    label: str
    unit: str  # money | count | flag


def partner_slug(name: str) -> str:
    """'Hinckley & Bosworth' → 'hinckley-and-bosworth'."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold().replace("&", " and ")).strip("-")


def return_fields(partners: Sequence[str] = LEICESTERSHIRE_PARTNERS) -> list[ReturnField]:
    """The lines of a DHR budget return for these partners, in template order."""
    fields = [ReturnField("opening_reserve", *_RETURN_SINGLES["opening_reserve"])]
    for prefix, (label, unit) in _RETURN_PER_PARTNER.items():
        fields += [ReturnField(f"{prefix}:{partner_slug(p)}", f"{label}: {p}", unit) for p in partners]
    fields += [ReturnField(k, *v) for k, v in _RETURN_SINGLES.items() if k != "opening_reserve"]
    return fields


def return_values(year: BudgetYear) -> dict[str, Decimal]:
    """The budget year as DHR budget return values (the inverse of ``budget_from_return``)."""
    values = {"opening_reserve": year.opening_reserve}
    for c in year.contributions:
        slug = partner_slug(c.partner)
        values[f"contribution:{slug}"] = c.due
        values[f"received_in_advance:{slug}"] = c.received_in_advance
        values[f"drawn_down:{slug}"] = Decimal(1 if c.drawn_down else 0)
    values["cost_business_office"] = sum((c.amount for c in year.costs if c.kind == "fixed_support"), ZERO)
    values["cost_chairs_authors"] = sum((c.amount for c in year.costs if c.kind == "chairs_authors"), ZERO)
    for c in year.costs:
        if c.kind == "case":
            key = f"cost_case:{c.case}"
            values[key] = values.get(key, ZERO) + c.amount
    values["reviews_expected"] = year.reviews_expected
    values["cost_per_review"] = year.cost_per_review
    return values


def _return_label(key: str, names: Mapping[str, str]) -> str:
    prefix, _, rest = key.partition(":")
    if prefix in _RETURN_PER_PARTNER and rest:
        return f"{_RETURN_PER_PARTNER[prefix][0]}: {names.get(partner_slug(rest), rest)}"
    if prefix == "cost_case" and rest:
        return f"Actual cost of case {rest}"
    return _RETURN_SINGLES.get(key, (key, ""))[0]


def _return_unit(prefix: str) -> str:
    return (_RETURN_PER_PARTNER.get(prefix) or _RETURN_SINGLES.get(prefix) or ("", "money"))[1]


def _read_return(values, names) -> tuple[dict, dict, dict, list[Problem]]:
    """Checked amounts: singles by key, per-partner by (prefix, slug), case costs by
    pseudonym; plus the problems with each line."""
    singles, per_partner, cases, problems = {}, {}, {}, []
    for key, raw in values.items():
        prefix, _, rest = key.partition(":")
        rest = rest.strip()
        if not (key in _RETURN_SINGLES or (rest and (prefix in _RETURN_PER_PARTNER or prefix == "cost_case"))):
            problems.append(Problem(key, f"'{key}' is not a line of the DHR budget return. Use the current template."))
            continue
        label, unit, value = _return_label(key, names), _return_unit(prefix), to_decimal(raw)
        blank_hint = "Enter 1 if it is drawn down, 0 if not." if unit == "flag" else "Enter 0 if there is none."
        found = _amount_problems(key, label, value, blank_hint, unit)
        if not found and unit == "flag" and value not in (0, 1):
            found = [Problem(key, f"{label}: enter 1 if it is drawn down, 0 if not (not {value}).")]
        problems += found
        if found:
            continue
        if key in _RETURN_SINGLES:
            singles[key] = value
        elif prefix == "cost_case":
            cases[rest] = value
        elif (prefix, partner_slug(rest)) in per_partner:
            problems.append(Problem(key, f"{label} appears twice in the return. Keep one line per partner."))
        else:
            per_partner[(prefix, partner_slug(rest))] = value
    return singles, per_partner, cases, problems


def budget_from_return(values: Mapping[str, Decimal | float | int | None], year_start: int,
                       partner_names: Mapping[str, str] | None = None) -> BudgetYear | list[Problem]:
    """Build a BudgetYear from a DHR budget return (keys above), or the problems found.
    Each problem's ``field`` is the return key, so the caller can point at its cell.
    Partner keys match by slug: 'contribution:Charnwood' and 'contribution:charnwood' are
    the same line."""
    names = {partner_slug(n): n for n in LEICESTERSHIRE_PARTNERS}
    names.update({partner_slug(k): v for k, v in (partner_names or {}).items()})
    singles, per_partner, cases, problems = _read_return(values, names)
    for key, (label, _) in _RETURN_SINGLES.items():
        if key not in values:
            problems.append(Problem(key, f"{label} is not in the return. Use the current template."))
    partners = [slug for prefix, slug in per_partner if prefix == "contribution"]
    contribution_slugs = {partner_slug(k.partition(":")[2]): k for k in values if k.startswith("contribution:")}
    if not contribution_slugs:
        problems.append(Problem("contribution", "The return has no partner contributions. Use the current template."))
    for key in values:
        prefix, _, rest = key.partition(":")
        if prefix in ("received_in_advance", "drawn_down") and rest.strip() and partner_slug(rest) not in contribution_slugs:
            problems.append(Problem(key, f"{_return_label(key, names)}: there is no contribution line for this partner. Add one, or remove this line."))
    if problems:
        return problems

    contributions = [Contribution(
        names.get(slug, contribution_slugs[slug].partition(":")[2].strip()), per_partner[("contribution", slug)],
        per_partner.get(("received_in_advance", slug), ZERO), per_partner.get(("drawn_down", slug), 1) == 1,
    ) for slug in partners]
    costs = [
        CostLine(COST_KINDS["fixed_support"], "fixed_support", singles["cost_business_office"]),
        CostLine(COST_KINDS["chairs_authors"], "chairs_authors", singles["cost_chairs_authors"]),
    ]
    costs += [CostLine(f"Actual cost of case {case}", "case", amount, case) for case, amount in cases.items()]
    year = BudgetYear(year_start, singles["opening_reserve"], contributions, costs,
                      singles["reviews_expected"], singles["cost_per_review"], singles["cost_business_office"])
    # Point any remaining problem (e.g. an advance larger than the contribution) at its return line.
    line_keys = {"fixed_support": "cost_business_office", "costs[0]": "cost_business_office", "costs[1]": "cost_chairs_authors"}
    line_keys.update({f"costs[{i + 2}]": f"cost_case:{case}" for i, case in enumerate(cases)})
    for i, slug in enumerate(partners):
        line_keys[f"contributions[{i}]"] = contribution_slugs[slug]
        for prefix in ("received_in_advance", "drawn_down"):
            line_keys[f"contributions[{i}].{prefix}"] = next(
                (k for k in values if k.partition(":")[0] == prefix and partner_slug(k.partition(":")[2]) == slug),
                contribution_slugs[slug])
    problems = [Problem(line_keys.get(p.field, line_keys.get(p.field.partition(".")[0], p.field)), p.message)
                for p in validate_budget(year)]
    return problems or year


# ---- the Leicestershire and Rutland pot, 2016/17 -------------------------------------

def leicestershire_2016_17() -> BudgetYear:
    """Leicestershire Safer Communities Strategy Board, 8 June 2016, Agenda Item 9
    paras 10–13 and 22: £25,500 carried forward; £66,000 due, Charnwood's £2,500 paid in
    2015/16; business office £40,500 plus the £1,589 increase; chairs and authors
    3 × £8,500; forecast on 2.5 reviews a year."""
    districts = LEICESTERSHIRE_PARTNERS[2:]
    contributions = [Contribution("Leicestershire County Council", 30000), Contribution("Leicestershire Police", 16000)]
    contributions += [Contribution(d, 2500, received_in_advance=2500 if d == "Charnwood" else 0) for d in districts]
    costs = [
        CostLine("Safeguarding Board Business Office: officer and admin support", "fixed_support", 40500),
        CostLine("Safeguarding Board Business Office: 2016/17 staffing increase", "fixed_support", 1589),
        CostLine("Independent chairs and authors (3 reviews at £8,500)", "chairs_authors", 25500),
    ]
    return BudgetYear(2016, 25500, contributions, costs, reviews_expected=Decimal("2.5"),
                      cost_per_review=8500, fixed_support=42089)
