"""The Domestic Homicide Review sheets of the consolidated workbook: DHR Budget, DHR Cases
and DHR Actions.

Flask-free: ``dhr_sheet_writers(budget_years, cases, actions, today)`` takes plain
dataclasses (``app.dhr``) and returns one ``SheetWriter`` per sheet, for
``DashboardData.extra_sheets`` or any workbook made with ``new_workbook`` and ``Formats``.
These sheets are restricted: the caller decides who receives them.

DHR Budget: one block per financial year, then a forecast for the next years. Inputs
(amounts, "Yes"/"No" drawn down, reviews expected, cost per review, fixed support) are
plain numbers or words in shaded cells; every total is a live formula carrying its
computed value as the cached result (LibreOffice and openpyxl show cached results
without recalculating), so a manager can change an input and see the closing reserve
and the surplus or shortfall follow. A negative closing reserve or a shortfall is red
by a conditional format.

DHR Cases and DHR Actions: the clocks and RAGs are computed for ``today`` and written as
values (a formula with TODAY() would change every time the file is opened, unlike the
board paper it goes into); RAG letters are coloured by conditional formats.

Every text a person typed (pseudonyms, partners, actions, updates) is written with
``write_string``.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from app.dhr import long_date
from app.dhr.actions import Action, action_rag
from app.dhr.budget import COST_KINDS, ZERO, BudgetYear, validate_budget
from app.dhr.clocks import REVIEW_TYPES, STATUTORY_CLOCKS, CaseDates, ClockRule, compute_clocks
from app.periods import fy_label
from app.export.dashboard_data import SheetWriter
from app.export.formats import BORDER_COLOUR, FONT, TEXT_COLOUR, Formats, fit_row, number_format, setup_print

if TYPE_CHECKING:  # XlsxWriter loads when a workbook is written, not with the app (tests/functional/test_fast_start.py)
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

BUDGET_SHEET = "DHR Budget"
CASES_SHEET = "DHR Cases"
ACTIONS_SHEET = "DHR Actions"
RESTRICTED = "Restricted: not for publication"
FORECAST_YEARS = 3
# GOV.UK light yellow: the cells a manager may change.
INPUT_FILL = "#fff7bf"
YES, NO = "Yes", "No"


@dataclass(frozen=True)
class CaseRow:
    """One case of the register as the DHR Cases sheet shows it."""

    pseudonym: str
    area: str  # the area's name ("" if none)
    status: str  # the status as people read it ("Review in progress")
    dates: CaseDates  # includes the review type
    qa_outcome: str = ""
    delay_reason: str = ""


def dhr_sheet_writers(budget_years: Sequence[BudgetYear], cases: Sequence[CaseRow], actions: Sequence[Action],
                      today: date, rule: ClockRule = STATUTORY_CLOCKS) -> list[SheetWriter]:
    """The three DHR sheet writers, in workbook order."""
    years = sorted(budget_years, key=lambda y: y.year_start)
    return [
        lambda workbook, formats: write_budget_sheet(workbook, formats, years, today),
        lambda workbook, formats: write_cases_sheet(workbook, formats, list(cases), today, rule),
        lambda workbook, formats: write_actions_sheet(workbook, formats, list(actions), today),
    ]


def _meta(today: date) -> str:
    return f"{RESTRICTED} · as at {long_date(today)}"


def _text(ws: Worksheet, row: int, col: int, value: str | None, fmt) -> None:
    """Text a person typed: always a string, never a formula; empty is a blank cell."""
    if value:
        ws.write_string(row, col, str(value), fmt)
    else:
        ws.write_blank(row, col, None, fmt)


def _short_date(workbook: Workbook):
    """"17 Sep 2014": the case and action sheets have many date columns, and the shared
    long date ("17 September 2014") would need twice the width."""
    return workbook.add_format({**FONT, "font_color": TEXT_COLOUR, "border": 1, "border_color": BORDER_COLOUR,
                                "valign": "top", "align": "left", "num_format": "d mmm yyyy"})


def _date(ws: Worksheet, row: int, col: int, value: date | None, fmt) -> None:
    if value is None:
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_datetime(row, col, value, fmt)


def _header(ws: Worksheet, row: int, labels: Sequence[str], widths: Sequence[float], formats: Formats) -> None:
    for col, label in enumerate(labels):
        ws.write_string(row, col, label, formats.header_wrap)
    fit_row(ws, row, list(zip(labels, widths)))


def _number(value: Decimal | int | float | None) -> float | None:
    return None if value is None else float(value)


# ---- DHR Budget ------------------------------------------------------------------------

BUDGET_COLUMNS = ("Item", "Amount", "Received in an earlier year", "Drawn down this year", "Arriving in year", "Notes")
BUDGET_WIDTHS = (58, 15, 15, 12, 15, 50)
AMOUNT, ADVANCE, DRAWN, ARRIVING, NOTES = 1, 2, 3, 4, 5
FORECAST_COLUMNS = ("Year", "Opening reserve", "Contributions due", "Forecast cost", "Closing reserve",
                    "Surplus (shortfall if negative)")


class _BudgetFormats:
    """The budget sheet's own formats, in the shared font and colours: inputs shaded."""

    def __init__(self, workbook: Workbook, formats: Formats, decimals: int):
        cell = {**FONT, "font_color": TEXT_COLOUR, "border": 1, "border_color": BORDER_COLOUR, "valign": "top"}
        self.money = formats.money(decimals)
        self.total = formats.figure("money", decimals, bold=True)
        self.input_money = workbook.add_format(
            {**cell, "bg_color": INPUT_FILL, "num_format": number_format("money", decimals)}
        )
        self.input_count = workbook.add_format({**cell, "bg_color": INPUT_FILL, "num_format": "#,##0.0#"})
        self.input_choice = workbook.add_format({**cell, "bg_color": INPUT_FILL, "align": "center"})
        self.input_text = workbook.add_format({**cell, "bg_color": INPUT_FILL, "text_wrap": True})
        self.label = formats.text_wrap
        self.total_label = formats.label
        self.header = formats.header_wrap


def _dec(value) -> Decimal:
    """An input as the cached results see it: a missing input is a blank cell, which the
    sheet's formulas read as 0 (the year's heading says what is missing)."""
    return value if isinstance(value, Decimal) and value.is_finite() else ZERO


def _budget_decimals(years: Sequence[BudgetYear]) -> int:
    amounts = []
    for y in years:
        amounts += [y.opening_reserve, y.cost_per_review, y.fixed_support]
        amounts += [a for c in y.contributions for a in (c.due, c.received_in_advance)]
        amounts += [c.amount for c in y.costs]
    return 2 if any(_dec(a) != _dec(a).to_integral_value() for a in amounts) else 0


def _cell(row: int, col: int) -> str:
    from xlsxwriter.utility import xl_rowcol_to_cell

    return xl_rowcol_to_cell(row, col)


def _column(first: int, last: int, col: int) -> str:
    return f"{_cell(first, col)}:{_cell(last, col)}"


class _BudgetBlock:
    """Writes the financial years one under another; remembers the cells of the latest
    year that the forecast block refers to, and the cells to show red when negative."""

    def __init__(self, ws: Worksheet, f: _BudgetFormats, formats: Formats):
        self.ws, self.f, self.formats = ws, f, formats
        self.negative_cells: list[str] = []
        self.cells: dict[str, str] = {}  # of the latest year written
        self.values: dict[str, Decimal] = {}

    def input(self, row: int, col: int, value, fmt) -> str:
        if isinstance(value, Decimal) and value.is_finite():
            self.ws.write_number(row, col, float(value), fmt)
        else:
            self.ws.write_blank(row, col, None, fmt)
        return _cell(row, col)

    def formula(self, row: int, col: int, formula: str, value: Decimal, fmt) -> str:
        self.ws.write_formula(row, col, formula, fmt, float(value))
        return _cell(row, col)

    def label(self, row: int, text: str, note: str = "", *, total: bool = False) -> None:
        self.ws.write_string(row, 0, text, self.f.total_label if total else self.f.label)
        if note:
            self.ws.write_string(row, NOTES, note, self.formats.note)
            fit_row(self.ws, row, [(note, BUDGET_WIDTHS[NOTES])])

    def header(self, row: int, labels: Sequence[str]) -> None:
        for col, text in enumerate(labels):
            _text(self.ws, row, col, text, self.f.header)
        fit_row(self.ws, row, list(zip(labels, BUDGET_WIDTHS)))

    def write_year(self, row: int, year: BudgetYear) -> int:
        """Write ``year`` from ``row``; returns the next free row."""
        ws, f = self.ws, self.f
        ws.write_string(row, 0, year.label, self.formats.subtitle)
        problems = " ".join(p.message for p in validate_budget(year))
        if problems:
            ws.write_string(row, NOTES, f"Incomplete: {problems}", self.formats.note)
            fit_row(ws, row, [(f"Incomplete: {problems}", BUDGET_WIDTHS[NOTES])])
        row += 1
        self.label(row, "Opening reserve carried forward", "Carried forward from the year before")
        opening = self.input(row, AMOUNT, year.opening_reserve, f.input_money)
        row += 2

        self.header(row, ("Partner contributions", "Contribution due", "Received in an earlier year",
                          "Drawn down this year", "Arriving in year", "Notes"))
        row += 1
        first = row
        due_total = advance_total = arriving_total = kept_total = ZERO
        for c in year.contributions:
            _text(ws, row, 0, c.partner, f.input_text)
            due = self.input(row, AMOUNT, c.due, f.input_money)
            advance = self.input(row, ADVANCE, c.received_in_advance, f.input_money)
            ws.write_string(row, DRAWN, YES if c.drawn_down else NO, f.input_choice)
            net = _dec(c.due) - _dec(c.received_in_advance)
            self.formula(row, ARRIVING, f'=IF({_cell(row, DRAWN)}="{YES}",{due}-{advance},0)',
                         net if c.drawn_down else ZERO, f.money)
            if not c.drawn_down:
                ws.write_string(row, NOTES, "Not drawn down: left with the partner this year", self.formats.note)
                kept_total += net
            else:
                arriving_total += net
            due_total += _dec(c.due)
            advance_total += _dec(c.received_in_advance)
            fit_row(ws, row, [(c.partner, BUDGET_WIDTHS[0])])
            row += 1
        last = max(row - 1, first)  # an empty table still gives SUM a (blank) range
        if not year.contributions:
            ws.write_blank(row, 0, None, f.label)
            row += 1
        ws.data_validation(
            first,
            DRAWN,
            last,
            DRAWN,
            {
                "validate": "list",
                "source": [YES, NO],
                "error_title": "Drawn down this year?",
                "error_message": f"Enter {YES} if the contribution is drawn down this year, "
                f"or {NO} if it is left with the partner.",
            },
        )
        self.label(row, "Total contributions", total=True)
        contributions = self.formula(row, AMOUNT, f"=SUM({_column(first, last, AMOUNT)})", due_total, f.total)
        self.formula(row, ADVANCE, f"=SUM({_column(first, last, ADVANCE)})", advance_total, f.total)
        ws.write_blank(row, DRAWN, None, self.formats.blank)
        received = self.formula(row, ARRIVING, f"=SUM({_column(first, last, ARRIVING)})", arriving_total, f.total)
        drawn_range, due_range, advance_range = (_column(first, last, col) for col in (DRAWN, AMOUNT, ADVANCE))
        row += 2

        self.header(row, ("Costs", "Amount", "", "", "", "Kind of cost"))
        row += 1
        first = row
        cost_total = ZERO
        for cost in year.costs:
            _text(ws, row, 0, cost.label, f.input_text)
            self.input(row, AMOUNT, cost.amount, f.input_money)
            kind = COST_KINDS.get(cost.kind, cost.kind)
            _text(ws, row, NOTES, f"{kind}: case {cost.case}" if cost.case else kind, self.formats.text_wrap)
            cost_total += _dec(cost.amount)
            fit_row(ws, row, [(cost.label, BUDGET_WIDTHS[0]), (kind, BUDGET_WIDTHS[NOTES])])
            row += 1
        last = max(row - 1, first)
        if not year.costs:
            ws.write_blank(row, 0, None, f.label)
            row += 1
        self.label(row, "Total costs", total=True)
        costs = self.formula(row, AMOUNT, f"=SUM({_column(first, last, AMOUNT)})", cost_total, f.total)
        row += 2

        self.header(row, ("Reserve and forecast", "Amount", "", "", "", "How it is worked out"))
        row += 1
        self.label(row, "Received in year", "Due less received in advance, from partners drawing down")
        self.formula(row, AMOUNT, f"={received}", arriving_total, f.money)
        row += 1
        self.label(
            row, "Not drawn down (left with partners)", "Due less received in advance, from partners not drawing down"
        )
        self.formula(
            row,
            AMOUNT,
            f'=SUMIF({drawn_range},"{NO}",{due_range})-SUMIF({drawn_range},"{NO}",{advance_range})',
            kept_total,
            f.money,
        )
        row += 1
        self.label(row, "Closing reserve", "Opening reserve + received in year − total costs", total=True)
        closing_value = _dec(year.opening_reserve) + arriving_total - cost_total
        closing = self.formula(row, AMOUNT, f"={opening}+{received}-{costs}", closing_value, f.total)
        row += 1
        self.label(row, "Reviews expected a year")
        reviews = self.input(row, AMOUNT, year.reviews_expected, f.input_count)
        row += 1
        self.label(row, "Estimated cost per review", "Independent chair and author")
        per_review = self.input(row, AMOUNT, year.cost_per_review, f.input_money)
        row += 1
        self.label(row, "Fixed support a year", "Business office support")
        fixed = self.input(row, AMOUNT, year.fixed_support, f.input_money)
        row += 1
        forecast_cost = _dec(year.reviews_expected) * _dec(year.cost_per_review) + _dec(year.fixed_support)
        self.label(row, "Forecast cost", "Reviews expected × cost per review + fixed support", total=True)
        forecast_cell = self.formula(row, AMOUNT, f"={reviews}*{per_review}+{fixed}", forecast_cost, f.total)
        row += 1
        self.label(row, "Contributions due", "Total contributions")
        due_cell = self.formula(row, AMOUNT, f"={contributions}", due_total, f.money)
        row += 1
        balance = due_total - forecast_cost
        balance_cell = _cell(row, AMOUNT)
        ws.write_formula(row, 0, f'=IF({balance_cell}<0,"Shortfall","Surplus")', f.total_label,
                         "Shortfall" if balance < 0 else "Surplus")
        ws.write_string(
            row, NOTES, "Contributions due − forecast cost; a shortfall is negative, in red", self.formats.note
        )
        self.formula(row, AMOUNT, f"={due_cell}-{forecast_cell}", balance, f.total)
        self.negative_cells += [closing, balance_cell]
        self.cells = {"closing": closing, "contributions": due_cell, "forecast": forecast_cell}
        self.values = {"closing": closing_value,
                       "contributions": due_total, "forecast": forecast_cost}
        return row + 2

    def write_forecast(self, row: int, latest: BudgetYear, count: int) -> int:
        """The next ``count`` years from the latest year's closing reserve, contributions
        due and forecast cost, as formulas on the latest year's cells (the same sums as
        ``app.dhr.budget.forecast``)."""
        ws, f = self.ws, self.f
        ws.write_string(row, 0, (f"Forecast for the next {count} years from {latest.label}: every contribution "
                                 f"drawn down, reviews and costs as in {latest.label}"), self.formats.subtitle)
        row += 1
        self.header(row, FORECAST_COLUMNS)
        row += 1
        sources = tuple(self.cells[k] for k in ("closing", "contributions", "forecast"))
        opening, income, cost = (self.values[k] for k in ("closing", "contributions", "forecast"))
        for n in range(1, count + 1):
            ws.write_string(row, 0, fy_label(latest.year_start + n), f.label)
            for col, source, value in zip((1, 2, 3), sources, (opening, income, cost)):
                self.formula(row, col, f"={source}", value, f.money)
            closing = opening + income - cost
            self.formula(row, 4, f"={_cell(row, 1)}+{_cell(row, 2)}-{_cell(row, 3)}", closing, f.total)
            self.formula(row, 5, f"={_cell(row, 2)}-{_cell(row, 3)}", income - cost, f.money)
            self.negative_cells += [_cell(row, 4), _cell(row, 5)]
            sources = (_cell(row, 4), _cell(row, 2), _cell(row, 3))
            opening = closing
            row += 1
        return row + 1


def write_budget_sheet(workbook: Workbook, formats: Formats, years: Sequence[BudgetYear], today: date,
                       forecast_years: int = FORECAST_YEARS) -> Worksheet:
    ws = workbook.add_worksheet(BUDGET_SHEET)
    f = _BudgetFormats(workbook, formats, _budget_decimals(years))
    ws.write_string(0, 0, "Domestic Homicide Reviews: pooled budget", formats.title)
    ws.write_string(1, 0, f"{_meta(today)} · Shaded cells are inputs: change one and the totals, closing reserve "
                          "and forecast follow.", formats.meta)
    block = _BudgetBlock(ws, f, formats)
    row = 3
    if not years:
        ws.write_string(row, 0, "No budget year has been entered yet.", formats.note)
    for year in years:
        row = block.write_year(row, year)
    if years:
        block.write_forecast(row, years[-1], forecast_years)
        ws.conditional_format(block.negative_cells[0], {
            "type": "cell", "criteria": "<", "value": 0, "format": formats.rag_R,
            "multi_range": " ".join(block.negative_cells)})
    setup_print(ws, (0, 1), BUDGET_WIDTHS, title=BUDGET_SHEET, subtitle=RESTRICTED, freeze_columns=1)
    return ws


# ---- DHR Cases -------------------------------------------------------------------------

CASE_COLUMNS = (
    ("Pseudonym", 14), ("Area", 16), ("Review type", 22), ("Status", 18),
    ("Incident", 13), ("CSP notified", 13), ("Decision", 13), ("Home Office told", 13),
    ("Chair appointed", 13), ("Author appointed", 13), ("Panel meetings", 16),
    ("Report sent to the Home Office", 13), ("Quality assurance", 13), ("Quality-assurance outcome", 20),
    ("Published", 13),
    ("Decision due", 13), ("Decision clock", 22), ("Days left", 8), ("RAG", 6),
    ("Review due", 13), ("Review clock", 24), ("Days left", 8), ("RAG", 6),
    ("Reasons for delay", 30),
)
CASE_DATE_COLUMNS = ("incident", "notification", "decision", "home_office_told", "chair_appointed", "author_appointed")


def write_cases_sheet(workbook: Workbook, formats: Formats, cases: Sequence[CaseRow], today: date,
                      rule: ClockRule = STATUTORY_CLOCKS) -> Worksheet:
    ws = workbook.add_worksheet(CASES_SHEET)
    date_format = _short_date(workbook)
    labels = [label for label, _ in CASE_COLUMNS]
    widths = [width for _, width in CASE_COLUMNS]
    ws.write_string(0, 0, "Domestic Homicide Reviews: case register and statutory clocks", formats.title)
    ws.write_string(1, 0, (f"{_meta(today)} · Decision due {rule.decision_within_months} month(s) after the CSP is "
                           f"notified; review due {rule.review_within_months} months after the decision. "
                           f"Days left: negative means overdue (running) or late (stopped). "
                           f"Amber: {rule.amber_days} days or fewer left."), formats.meta)
    _header(ws, 2, labels, widths, formats)
    row = 3
    for case in cases:
        d = case.dates
        _text(ws, row, 0, case.pseudonym, formats.text)
        _text(ws, row, 1, case.area, formats.text_wrap)
        _text(ws, row, 2, REVIEW_TYPES.get(d.review_type, d.review_type), formats.text_wrap)
        _text(ws, row, 3, case.status, formats.text_wrap)
        for col, name in enumerate(CASE_DATE_COLUMNS, start=4):
            _date(ws, row, col, getattr(d, name), date_format)
        meetings = "\n".join(f"{m.day} {m:%b %Y}" for m in sorted(m for m in d.panel_meetings if m))
        _text(ws, row, 10, meetings, formats.text_wrap)
        _date(ws, row, 11, d.report_sent, date_format)
        _date(ws, row, 12, d.qa_outcome_date, date_format)
        _text(ws, row, 13, case.qa_outcome, formats.text_wrap)
        _date(ws, row, 14, d.publication, date_format)
        texts = [(meetings, widths[10]), (case.qa_outcome, widths[13]), (case.delay_reason, widths[23]),
                 (REVIEW_TYPES.get(d.review_type, d.review_type), widths[2])]
        for clock, col in zip(compute_clocks(d, rule, today), (15, 19)):
            _date(ws, row, col, clock.due, date_format)
            _text(ws, row, col + 1, clock.text, formats.text_wrap)
            if clock.days_remaining is None:
                ws.write_blank(row, col + 2, None, formats.blank)
            else:
                ws.write_number(row, col + 2, clock.days_remaining, formats.integer)
            _text(ws, row, col + 3, clock.rag, formats.rag)
            texts.append((clock.text, widths[col + 1]))
        _text(ws, row, 23, case.delay_reason, formats.text_wrap)
        fit_row(ws, row, texts)
        row += 1
    if not cases:
        ws.write_string(row, 0, "No cases have been entered yet.", formats.note)
    last = max(row - 1, 3)
    formats.add_rag_formats(ws, f"{_column(3, last, 18)} {_column(3, last, 22)}")
    setup_print(ws, (0, 2), widths, title=CASES_SHEET, subtitle=RESTRICTED, freeze_columns=1)
    return ws


# ---- DHR Actions -----------------------------------------------------------------------

ACTION_COLUMNS = (
    ("Ref", 5), ("Review", 12), ("Scope", 13), ("Lead agency", 22), ("Action", 40), ("Due", 13),
    ("Status", 13), ("RAG", 6), ("Why this RAG", 30), ("Completed", 13), ("Impact review due", 13),
    ("Latest update", 11), ("Progress", 44), ("Evidence", 24), ("Earlier updates", 40),
)


def _update_text(update) -> str:
    evidence = f" (evidence: {update.evidence})" if update.evidence else ""
    return f"{update.quarter}: {update.text}{evidence}"


def write_actions_sheet(workbook: Workbook, formats: Formats, actions: Sequence[Action], today: date) -> Worksheet:
    ws = workbook.add_worksheet(ACTIONS_SHEET)
    date_format = _short_date(workbook)
    labels = [label for label, _ in ACTION_COLUMNS]
    widths = [width for _, width in ACTION_COLUMNS]
    ws.write_string(0, 0, "Domestic Homicide Reviews: master action plan", formats.title)
    ws.write_string(1, 0, (f"{_meta(today)} · RAG: complete green; overdue red; due within 30 days, not "
                           "implemented or without a due date amber; otherwise green. A completed action's impact "
                           "is reviewed 6 months after completion."), formats.meta)
    _header(ws, 2, labels, widths, formats)
    row = 3
    for action in actions:
        rag, reason = action_rag(action, today)
        updates = sorted(action.updates, key=lambda u: u.quarter, reverse=True)
        latest = updates[0] if updates else None
        earlier = "\n".join(_update_text(u) for u in updates[1:])
        if action.id is None:
            ws.write_blank(row, 0, None, formats.integer)
        elif isinstance(action.id, int):
            ws.write_number(row, 0, action.id, formats.integer)
        else:
            ws.write_string(row, 0, str(action.id), formats.centre)
        _text(ws, row, 1, action.review or "Cross-cutting", formats.text_wrap)
        _text(ws, row, 2, action.scope.capitalize(), formats.text_wrap)
        _text(ws, row, 3, action.lead_agency, formats.text_wrap)
        _text(ws, row, 4, action.action, formats.text_wrap)
        _date(ws, row, 5, action.due, date_format)
        _text(ws, row, 6, action.status.capitalize(), formats.text_wrap)
        _text(ws, row, 7, rag, formats.rag)
        _text(ws, row, 8, reason, formats.text_wrap)
        _date(ws, row, 9, action.completed_on, date_format)
        _date(ws, row, 10, action.impact_review_due, date_format)
        _text(ws, row, 11, latest.quarter if latest else "", formats.text)
        _text(ws, row, 12, latest.text if latest else "", formats.text_wrap)
        _text(ws, row, 13, latest.evidence if latest else "", formats.text_wrap)
        _text(ws, row, 14, earlier, formats.text_wrap)
        fit_row(ws, row, [(action.lead_agency, widths[3]), (action.action, widths[4]), (reason, widths[8]),
                          (latest.text if latest else "", widths[12]), (latest.evidence if latest else "", widths[13]),
                          (earlier, widths[14])])
        row += 1
    if not actions:
        ws.write_string(row, 0, "No actions have been entered yet.", formats.note)
    formats.add_rag_formats(ws, _column(3, max(row - 1, 3), 7))
    setup_print(ws, (0, 2), widths, title=ACTIONS_SHEET, subtitle=RESTRICTED, freeze_columns=1)
    return ws
