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

A contribution's partner is the name the budget gives it ("Charnwood", as the board paper
writes it); ``agency`` is the member agency that pays it (its name), or None for a partner
that is not a member agency: a named partnership member. Partners are never areas: an area
is a place figures are about, a partner is who pays (``contributing_agency`` finds the
agency a place name such as "Charnwood" means).

Money is ``Decimal`` throughout; ints, floats and numeric strings from forms are converted
on construction (floats through ``str`` so 0.1 stays 0.1). A missing amount stays None
and ``validate_budget`` asks for it: a missing value is never a zero.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from collections.abc import Sequence

from app.definition.model import normalise_label
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
    if value is None or isinstance(value, (Decimal, bool)):
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
    agency: str | None = None  # the member agency paying it (its name); None: a named member, not an agency

    def __post_init__(self):
        self.due = to_decimal(self.due)
        self.received_in_advance = to_decimal(self.received_in_advance)

    @property
    def arriving_in_year(self) -> Decimal:
        return self.due - self.received_in_advance


@dataclass(frozen=True)
class MemberAgency:
    """A member agency as a budget may name it: its slug, its name, and the names (name
    first, then aliases) of the area it serves, if it serves one."""

    slug: str
    name: str
    area_names: tuple[str, ...] = ()


def contributing_agency(partner: str, agencies: Sequence[MemberAgency]) -> MemberAgency | None:
    """The member agency a budget's partner name means: the agency of that name (or slug);
    else, for a place name ("Charnwood", "Rutland"), the one agency serving the area of that
    name or alias. None when no agency fits, or a place is served by several (Leicestershire
    has the police, the county council and the youth offending service): the partner is then a
    named member until someone chooses its agency. Case, spacing and punctuation do not count."""
    wanted = normalise_label(partner)
    if not wanted:
        return None
    named = [a for a in agencies if wanted in (normalise_label(a.name), normalise_label(a.slug))]
    if len(named) == 1:
        return named[0]
    serving = [a for a in agencies if wanted in {normalise_label(n) for n in a.area_names}]
    return serving[0] if len(serving) == 1 else None


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
        problems.append(
            Problem(
                "year_start",
                f"The financial year '{year.year_start}' is not one we can use. "
                "Enter the year it starts, e.g. 2016 for 2016/17.",
            )
        )
    problems += _amount_problems(
        "opening_reserve",
        "The opening reserve",
        year.opening_reserve,
        "Enter the amount carried forward, or 0 if the pot was empty.",
    )
    if not year.contributions:
        problems.append(
            Problem(
                "contributions",
                "No partner contributions are entered. Add each partner's contribution due for the year (0 if none).",
            )
        )
    seen: set[str] = set()
    paying: dict[str, str] = {}  # agency → the first line's partner name
    for i, c in enumerate(year.contributions):
        path = f"contributions[{i}]"
        name = (c.partner or "").strip()
        if not name:
            problems.append(
                Problem(f"{path}.partner", f"Contribution {i + 1} has no partner name. "
                                           "Choose the agency that pays it, or enter the partner's name.")
            )
            name = f"contribution {i + 1}"
        elif name.casefold() in seen:
            problems.append(
                Problem(f"{path}.partner", f"{name} is entered twice. Put all of a partner's contribution on one line.")
            )
        seen.add(name.casefold())
        if c.agency and c.agency in paying:
            problems.append(Problem(f"{path}.agency", (
                f"{paying[c.agency]} and {name} are both {c.agency}'s contribution. "
                "Put all of an agency's contribution on one line.")))
        elif c.agency:
            paying[c.agency] = name
        due = _amount_problems(
            f"{path}.due", f"The contribution due from {name}", c.due, "Enter the amount, or 0 if nothing is due."
        )
        advance = _amount_problems(
            f"{path}.received_in_advance",
            f"The amount {name} paid in advance",
            c.received_in_advance,
            "Enter 0 if nothing was paid in an earlier year.",
        )
        problems += due + advance
        if not due and not advance and c.received_in_advance > c.due:
            problems.append(Problem(f"{path}.received_in_advance", (
                f"{name} paid {pounds(c.received_in_advance)} in advance, more than the {pounds(c.due)} due. "
                "Check both amounts: the advance is the part of this year's contribution paid in an earlier year.")))
        if not isinstance(c.drawn_down, bool):
            problems.append(
                Problem(f"{path}.drawn_down", f"Say whether {name}'s contribution is drawn down this year (yes or no).")
            )
    for i, cost in enumerate(year.costs):
        path = f"costs[{i}]"
        label = (cost.label or "").strip() or f"Cost line {i + 1}"
        if not (cost.label or "").strip():
            problems.append(
                Problem(f"{path}.label", f"Cost line {i + 1} has no description. Say what the cost is for.")
            )
        if cost.kind not in COST_KINDS:
            kinds = ", ".join(f"'{k}' ({v.lower()})" for k, v in COST_KINDS.items())
            problems.append(
                Problem(
                    f"{path}.kind",
                    f"{label}: the kind of cost '{cost.kind}' is not one we know. Choose one of {kinds}.",
                )
            )
        elif cost.kind == "case" and not (cost.case or "").strip():
            problems.append(Problem(f"{path}.case", f"{label}: a case cost must name the case. Enter its pseudonym."))
        problems += _amount_problems(
            f"{path}.amount", f"The amount for {label}", cost.amount, "Enter the amount, or remove the line."
        )
    problems += _amount_problems("reviews_expected", "The number of reviews expected", year.reviews_expected,
                                 "Enter how many reviews a year to plan for, e.g. 2.5.", unit="count")
    problems += _amount_problems(
        "cost_per_review",
        "The estimated cost per review",
        year.cost_per_review,
        "Enter the estimate for independent chairs and authors per review.",
    )
    problems += _amount_problems(
        "fixed_support", "The fixed support cost", year.fixed_support, "Enter the annual business-office cost, or 0."
    )
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


# ---- filling a year from the DHR budget return ----------------------------------------
#
# An upload of the ``dhr-budget-return`` template stores the return's figures as current
# figures of the indicators in ``RETURN_INDICATORS`` for the financial year (one area, the
# county, LC in the demo). The return holds totals, so ``fill_from_return``:
#
# - Partner contributions: if the figures include per-partner lines (indicators
#   ``dhr-contribution-due-<partner>`` and optionally ``dhr-received-in-advance-<partner>``,
#   named "…: <Partner name>", added to the template by an admin), they become one line per
#   partner, paid by the member agency the partner's name or slug names (none: a named
#   member), and must add up to the return's totals. Otherwise, if the year already has
#   per-partner lines that add up to the return's totals, they are kept (with their
#   drawn-down choices). Otherwise the year gets one line, "Partner contributions", with
#   the return's totals, drawn down.
# - Costs: lines of a kind (business office support, chairs and authors) that already add
#   up to the return's figure are kept; otherwise they are replaced by one line with the
#   return's figure. Actual costs of cases are kept (the return has none).
# - Opening reserve, reviews expected, cost per review come from the return; the fixed
#   support of the forecast is the return's business office cost.
# A figure missing from the return (or marked not available) stops the fill with a message
# naming the return's line: a missing figure is never taken as zero.

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


@dataclass(frozen=True)
class ReturnFigure:
    """One stored figure of the return."""

    slug: str
    name: str  # the indicator's name, as the return's line reads
    area: str
    value: float | None
    flag: str
    note: str | None


@dataclass
class FilledYear:
    """A budget year as the return fills it. ``contributions_kept``: the year's own partner
    lines stand as they are; ``cost_sources``: for each of ``year.costs``, the index of the
    year's own cost line it keeps, or None for a new line."""

    area: str
    year: BudgetYear
    contributions_kept: bool
    cost_sources: list[int | None]
    notes: list[str] = field(default_factory=list)  # what was taken, kept and replaced


def _refuse(message: str) -> BudgetError:
    return BudgetError([Problem("return", message)])


def _partner_name(figure: ReturnFigure, prefix: str) -> tuple[str, str]:
    """(slug, display name) of a per-partner line: the name after the last ': ' of the
    indicator's name, else the slug."""
    slug = figure.slug[len(prefix):]
    name = figure.name.rpartition(": ")[2].strip() if ": " in figure.name else slug
    return slug, name


def _return_totals(figures: Sequence[ReturnFigure], label: str) -> tuple[str, dict[str, Decimal]]:
    """(area, totals by RETURN_INDICATORS key), or a BudgetError saying what is missing."""
    areas = sorted({f.area for f in figures})
    if not figures:
        raise _refuse(f"No DHR budget return for {label} has been stored yet. Upload the return for {label} "
                      "(template 'Domestic Homicide Review pooled budget') first, or enter the budget with the forms.")
    if len(areas) > 1:
        raise _refuse(f"DHR budget return figures for {label} are stored for several areas ({', '.join(areas)}). "
                      "Keep one return per financial year, then try again.")
    by_slug = {f.slug: f for f in figures}
    totals, missing = {}, []
    for key, slug in RETURN_INDICATORS.items():
        figure = by_slug.get(slug)
        if figure is None or figure.value is None:
            why = (
                f" (marked '{figure.flag.replace('_', ' ')}'{': ' + figure.note if figure.note else ''})"
                if figure
                else ""
            )
            missing.append(f"'{figure.name if figure else slug}'{why}")
        else:
            totals[key] = to_decimal(figure.value)
    if missing:
        raise _refuse(f"The DHR budget return for {label} has no figure for {', '.join(missing)}. "
                      "Correct the return and upload it again, or enter the budget with the forms.")
    return areas[0], totals


def _partner_figures(figures: Sequence[ReturnFigure], label: str) -> tuple[dict, dict, dict]:
    """(dues, advances, names) of the per-partner lines, by partner slug."""
    dues, advances, names = {}, {}, {}
    for figure in figures:
        for prefix, target in ((PARTNER_DUE_PREFIX, dues), (PARTNER_ADVANCE_PREFIX, advances)):
            if figure.slug.startswith(prefix) and figure.value is not None:
                slug, name = _partner_name(figure, prefix)
                target[slug] = to_decimal(figure.value)
                names.setdefault(slug, name)
    orphans = [names[slug] for slug in advances if slug not in dues]
    if orphans:
        raise _refuse(
            f"The DHR budget return for {label} has an amount received in advance from "
            f"{', '.join(orphans)} but no contribution due from them. Correct the return and upload it again."
        )
    return dues, advances, names


def _sums(contributions) -> tuple[Decimal, Decimal]:
    return (sum((Decimal(c.due) for c in contributions), ZERO),
            sum((Decimal(c.received_in_advance) for c in contributions), ZERO))


def _partner_agency(slug: str, name: str, agencies: Sequence[MemberAgency]) -> str | None:
    """The agency a per-partner line names, by the partner's name or else its slug."""
    agency = contributing_agency(name, agencies) or contributing_agency(slug, agencies)
    return agency.name if agency else None


def _contribution_lines(own: list[Contribution], totals, dues, advances, names, notes,
                        agencies: Sequence[MemberAgency] = ()) -> list[Contribution] | None:
    """The contributions the filled year will have; None = keep the year's own lines."""
    due, advance = totals["contributions_due"], totals["received_in_advance"]
    if dues:
        lines = [Contribution(names[slug], dues[slug], advances.get(slug, ZERO),
                              agency=_partner_agency(slug, names[slug], agencies)) for slug in dues]
        if _sums(lines) != (due, advance):
            got_due, got_advance = _sums(lines)
            raise _refuse(
                f"The return's partner lines add up to {pounds(got_due)} due and {pounds(got_advance)} received in "
                f"advance, but its totals are {pounds(due)} and {pounds(advance)}. "
                "Correct the return and upload it again."
            )
        notes.append(f"Contributions: {len(lines)} partner lines from the return.")
        return lines
    if own and _sums(own) == (due, advance):
        notes.append(f"Contributions: the {len(own)} partner lines already entered add up to the return's "
                     f"totals ({pounds(due)} due, {pounds(advance)} received in advance), so they are kept.")
        return None
    if own:
        got_due, got_advance = _sums(own)
        notes.append(
            f"Contributions: the partner lines entered added up to {pounds(got_due)} due and {pounds(got_advance)} "
            f"in advance, not the return's {pounds(due)} and {pounds(advance)}; they are replaced by one line. "
            "Enter the partners' lines again if you need them."
        )
    else:
        notes.append(f"Contributions: the return gives totals only, so one line '{SINGLE_PARTNER_LINE}' "
                     f"({pounds(due)} due, {pounds(advance)} received in advance).")
    return [Contribution(SINGLE_PARTNER_LINE, due, advance)]


def _cost_lines(own: list[CostLine], totals, notes) -> tuple[list[CostLine], list[int | None]]:
    """The cost lines the filled year will have, and for each the index of the own line it keeps."""
    lines: list[CostLine] = []
    sources: list[int | None] = []
    for kind, key in (("fixed_support", "business_office"), ("chairs_authors", "chairs_authors")):
        amount = totals[key]
        existing = [i for i, c in enumerate(own) if c.kind == kind]
        if existing and sum((Decimal(own[i].amount) for i in existing), ZERO) == amount:
            lines += [own[i] for i in existing]
            sources += existing
            notes.append(
                f"{COST_KINDS[kind]}: the lines entered add up to the return's {pounds(amount)}, so they are kept."
            )
        else:
            lines.append(CostLine(COST_KINDS[kind], kind, amount))
            sources.append(None)
            notes.append(f"{COST_KINDS[kind]}: {pounds(amount)} from the return.")
    cases = [i for i, c in enumerate(own) if c.kind == "case"]
    return lines + [own[i] for i in cases], sources + cases


def fill_from_return(figures: Sequence[ReturnFigure], year_start: int, own: BudgetYear | None,
                     agencies: Sequence[MemberAgency] = ()) -> FilledYear:
    """The budget year ``year_start`` filled from the return's stored ``figures`` (the rule
    above), keeping what ``own`` (the year as entered, if any) has that agrees with the
    return. A per-partner line is paid by the member agency of ``agencies`` it names
    (``contributing_agency``, by the partner's name or slug), if any. A BudgetError says
    why the return cannot fill the year."""
    label = fy_label(year_start)
    area, totals = _return_totals(figures, label)
    dues, advances, names = _partner_figures(figures, label)
    notes: list[str] = []
    contributions = _contribution_lines(own.contributions if own else [], totals, dues, advances, names, notes,
                                        agencies)
    costs, sources = _cost_lines(own.costs if own else [], totals, notes)
    year = BudgetYear(
        year_start, totals["opening_reserve"], contributions if contributions is not None else own.contributions,
        costs, totals["reviews_expected"], totals["cost_per_review"], totals["business_office"])
    problems = validate_budget(year)
    if problems:
        raise _refuse("The DHR budget return cannot fill the budget: " + " ".join(p.message for p in problems))
    return FilledYear(area, year, contributions is None, sources, notes)
