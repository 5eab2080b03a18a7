"""The DHR sheets: live budget formulas with correct cached results, clocks and RAGs,
text kept as text, print set-up. (LibreOffice recalculation is proven end to end in
tests/functional/test_dhr_budget.py.)"""
import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from app.demo.dhr import demo_actions, demo_cases, leicestershire_2016_17
from app.dhr.actions import Action, ActionUpdate, action_rag
from app.dhr.budget import BudgetYear, Contribution, CostLine, forecast, summarise
from app.dhr.clocks import STATUTORY_CLOCKS, CaseDates, ClockRule, compute_clocks
from app.export.dashboard import dashboard_bytes
from app.export.dhr_sheets import (
    ACTIONS_SHEET, BUDGET_SHEET, CASES_SHEET, CaseRow, dhr_sheet_writers,
)
from app.export.formats import Formats
from app.export.xlsx import new_workbook

TODAY = date(2016, 6, 8)


def build(years=(), cases=(), actions=(), today=TODAY, rule=STATUTORY_CLOCKS) -> bytes:
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    formats = Formats(workbook)
    for write in dhr_sheet_writers(list(years), list(cases), list(actions), today, rule):
        write(workbook, formats)
    workbook.close()
    return buffer.getvalue()


def books(data: bytes):
    """(formulas, cached values) views of the same workbook."""
    return openpyxl.load_workbook(io.BytesIO(data)), openpyxl.load_workbook(io.BytesIO(data), data_only=True)


def rows_by_label(ws) -> dict[str, int]:
    """Column A text → row number (the first occurrence: the first year block)."""
    found = {}
    for (cell,) in ws.iter_rows(min_col=1, max_col=1):
        if isinstance(cell.value, str):
            found.setdefault(cell.value, cell.row)
    return found


def demo_case_rows(today=TODAY) -> list[CaseRow]:
    return [CaseRow(name, area, "Review in progress", dates, delay_reason=notes)
            for name, dates, _type, area, notes in demo_cases(today)]


def test_three_sheets_in_order():
    formulas, _ = books(build([leicestershire_2016_17()], demo_case_rows(), demo_actions(TODAY)))
    assert formulas.sheetnames == [BUDGET_SHEET, CASES_SHEET, ACTIONS_SHEET]


def test_leicestershire_budget_formulas_and_cached_results():
    formulas, cached = books(build([leicestershire_2016_17()]))
    ws, values = formulas[BUDGET_SHEET], cached[BUDGET_SHEET]
    row = rows_by_label(ws)
    opening = row["Opening reserve carried forward"]
    total = row["Total contributions"]
    closing = row["Closing reserve"]
    forecast_row = row["Forecast cost"]
    # Inputs are plain numbers; totals are formulas over them.
    assert ws[f"B{opening}"].value == 25500
    assert ws[f"B{total}"].value.startswith("=SUM(B") and ws[f"E{total}"].value.startswith("=SUM(E")
    assert ws[f"B{closing}"].value == f"=B{opening}+E{total}-B{row['Total costs']}"
    reviews, per_review, fixed = (row[k] for k in ("Reviews expected a year", "Estimated cost per review",
                                                    "Fixed support a year"))
    assert ws[f"B{forecast_row}"].value == f"=B{reviews}*B{per_review}+B{fixed}"
    assert (ws[f"B{reviews}"].value, ws[f"B{per_review}"].value, ws[f"B{fixed}"].value) == (2.5, 8500, 42089)
    charnwood = row["Charnwood"]
    assert ws[f"E{charnwood}"].value == f'=IF(D{charnwood}="Yes",B{charnwood}-C{charnwood},0)'
    # The cached results are the board paper's figures.
    assert values[f"B{total}"].value == 66000 and values[f"C{total}"].value == 2500
    assert values[f"E{total}"].value == 63500 and values[f"E{charnwood}"].value == 0
    assert values[f"B{row['Total costs']}"].value == 67589
    assert values[f"B{closing}"].value == 21411
    assert values[f"B{forecast_row}"].value == 63339
    balance = forecast_row + 2
    assert ws[f"A{balance}"].value.startswith("=IF(") and values[f"A{balance}"].value == "Surplus"
    assert values[f"B{balance}"].value == 2661


def test_cached_results_agree_with_the_budget_rules_for_a_shortfall_with_pence():
    year = BudgetYear(
        2017, Decimal("1000.50"),
        [Contribution("County", 5000), Contribution("Police", 3000, received_in_advance=1000),
         Contribution("District", 2000, drawn_down=False)],
        [CostLine("Office", "fixed_support", Decimal("4000.25")), CostLine("Case costs: AB", "case", 9000, case="AB")],
        reviews_expected=Decimal(3), cost_per_review=Decimal(3000), fixed_support=Decimal("4000.25"))
    summary = summarise(year)
    later = forecast([year], 3)
    formulas, cached = books(build([year]))
    ws, values = formulas[BUDGET_SHEET], cached[BUDGET_SHEET]
    row = rows_by_label(ws)
    total = row["Total contributions"]
    assert values[f"B{total}"].value == float(summary.contributions_due)
    assert values[f"E{total}"].value == float(summary.received_in_year)
    assert values[f"B{row['Not drawn down (left with partners)']}"].value == float(summary.not_drawn_down) == 2000
    assert values[f"B{row['Closing reserve']}"].value == float(summary.closing_reserve)
    assert values[f"B{row['Forecast cost']}"].value == float(summary.forecast_cost)
    balance = row["Forecast cost"] + 2
    assert summary.surplus_or_shortfall < 0
    assert values[f"A{balance}"].value == "Shortfall" and values[f"B{balance}"].value == float(
        summary.surplus_or_shortfall
    )
    assert ws[f"D{row['District']}"].value == "No"
    # Pence are shown.
    assert ws[f"B{row['Opening reserve carried forward']}"].number_format == "£#,##0.00"
    # The forecast block follows the latest year's closing reserve.
    for fy in later:
        r = row[fy.label]
        assert [values.cell(r, c).value for c in range(2, 7)] == pytest.approx(
            [
                float(fy.opening),
                float(fy.contributions),
                float(fy.cost),
                float(fy.closing),
                float(fy.surplus_or_shortfall),
            ]
        )
    first = row[later[0].label]
    assert ws[f"B{first}"].value == f"=B{row['Closing reserve']}"
    assert ws[f"B{first + 1}"].value == f"=E{first}"


def test_negative_closing_reserve_and_shortfall_are_red():
    formulas, _ = books(build([leicestershire_2016_17()]))
    ws = formulas[BUDGET_SHEET]
    row = rows_by_label(ws)
    entries = [(str(e.sqref), rule) for e in ws.conditional_formatting for rule in e.rules]
    assert len(entries) == 1
    ranges, rule = entries[0]
    assert rule.type == "cellIs" and rule.operator == "lessThan" and rule.formula == ["0"]
    assert rule.dxf.fill.bgColor.rgb[-6:].lower() == "d4351c"
    cells = set(ranges.split())
    assert f"B{row['Closing reserve']}" in cells and f"B{row['Forecast cost'] + 2}" in cells
    assert f"E{row['2017/18']}" in cells and f"F{row['2019/20']}" in cells


def test_drawn_down_cells_only_take_yes_or_no():
    formulas, _ = books(build([leicestershire_2016_17()]))
    ws = formulas[BUDGET_SHEET]
    row = rows_by_label(ws)
    (validation,) = ws.data_validations.dataValidation
    assert validation.type == "list" and validation.formula1 == '"Yes,No"'
    assert str(validation.sqref) == f"D{row['Leicestershire County Council']}:D{row['Rutland']}"


def test_an_incomplete_year_is_written_with_blanks_and_says_what_is_missing():
    year = leicestershire_2016_17()
    year.opening_reserve = None
    formulas, cached = books(build([year]))
    ws = formulas[BUDGET_SHEET]
    row = rows_by_label(ws)
    assert ws[f"B{row['Opening reserve carried forward']}"].value is None  # blank, never 0
    assert "The opening reserve is missing" in ws[f"F{row['2016/17']}"].value
    # The formulas read the blank as 0, and so does the cached result.
    assert cached[BUDGET_SHEET][f"B{row['Closing reserve']}"].value == 21411 - 25500


def test_no_budget_year_yet():
    formulas, _ = books(build([]))
    assert formulas[BUDGET_SHEET]["A4"].value == "No budget year has been entered yet."


def test_years_are_written_in_order_and_the_forecast_starts_from_the_latest():
    later = leicestershire_2016_17()
    later.year_start = 2017
    later.opening_reserve = Decimal(21411)
    formulas, cached = books(build([later, leicestershire_2016_17()]))
    ws = formulas[BUDGET_SHEET]
    labels = [c.value for (c,) in ws.iter_rows(min_col=1, max_col=1) if c.value in ("2016/17", "2017/18", "2018/19")]
    assert labels == ["2016/17", "2017/18", "2018/19"]
    first_forecast = [c.row for (c,) in ws.iter_rows(min_col=1, max_col=1) if c.value == "2018/19"][0]
    assert cached[BUDGET_SHEET][f"B{first_forecast}"].value == 21411 + 63500 - 67589


def test_text_from_people_stays_text():
    year = leicestershire_2016_17()
    year.contributions[0].partner = "=HYPERLINK(\"http://example.org\",\"x\")"
    cases = [
        CaseRow("=1+1", "Blaby", "Review in progress", CaseDates(incident=date(2016, 1, 1)), delay_reason="@SUM(A1)")
    ]
    actions = [
        Action(1, "=1+1", "single-agency", "+Police", "-do it", updates=[ActionUpdate("2016/17 Q1", "=A1", "=B1")])
    ]
    formulas, _ = books(build([year], cases, actions))
    texts = [c for ws in formulas for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value[:1] in "=+-@" and c.data_type != "f"]
    assert {c.value for c in texts} >= {
        year.contributions[0].partner,
        "=1+1",
        "@SUM(A1)",
        "+Police",
        "-do it",
        "=A1",
        "=B1",
    }
    assert all(c.data_type == "s" for c in texts)


def test_cases_sheet_clocks_days_and_rags():
    rows = demo_case_rows()
    formulas, _ = books(build(cases=rows))
    ws = formulas[CASES_SHEET]
    header = [c.value for c in ws[3]]
    assert header[:4] == ["Pseudonym", "Area", "Review type", "Status"]
    decision_days, review_days = header.index("Days left") + 1, len(header) - header[::-1].index("Days left")
    seen = set()
    for i, case in enumerate(rows):
        r = 4 + i
        assert ws.cell(r, 1).value == case.pseudonym
        decision, review = compute_clocks(case.dates, ClockRule(), TODAY)
        for clock, days_col in ((decision, decision_days), (review, review_days)):
            assert ws.cell(r, days_col).value == clock.days_remaining
            assert ws.cell(r, days_col + 1).value == clock.rag
            assert ws.cell(r, days_col - 1).value == clock.text
            seen.add((clock.status, clock.rag))
    # The demo cases exercise every clock state.
    assert {s for s, _ in seen} == {"met", "completed late", "running", "overdue", "not started", "not applicable"}
    assert ws.cell(4, 5).value.date() == rows[0].dates.incident
    rules = [(str(e.sqref), rule.formula[0]) for e in ws.conditional_formatting for rule in e.rules]
    from openpyxl.utils import get_column_letter as col
    assert {f for _, f in rules} == {'"R"', '"A"', '"G"'}
    assert all(sq == f"{col(decision_days + 1)}4:{col(decision_days + 1)}{3 + len(rows)} "
                     f"{col(review_days + 1)}4:{col(review_days + 1)}{3 + len(rows)}" for sq, _ in rules)


def test_configured_amber_days_change_the_rag():
    dates = CaseDates(incident=date(2016, 1, 1), notification=date(2016, 1, 5), decision=date(2016, 1, 20))
    case = [CaseRow("AB", "Blaby", "Review in progress", dates)]
    today = date(2016, 6, 25)  # the review is due on 20 July: 25 days left
    strict = books(build(cases=case, today=today, rule=ClockRule(amber_days=30)))[0][CASES_SHEET]
    relaxed = books(build(cases=case, today=today, rule=ClockRule(amber_days=20)))[0][CASES_SHEET]
    assert strict.cell(4, 23).value == "A" and relaxed.cell(4, 23).value == "G"
    assert strict.cell(4, 22).value == 25


def test_actions_sheet_rag_updates_and_impact_review():
    actions = demo_actions(TODAY)
    actions[0].updates.append(ActionUpdate("2016/17 Q1", "Police confirmed two of three actions.", "Email of 3 June"))
    formulas, _ = books(build(actions=actions))
    ws = formulas[ACTIONS_SHEET]
    header = [c.value for c in ws[3]]
    col = {name: header.index(name) + 1 for name in header}
    for i, action in enumerate(actions):
        r = 4 + i
        assert ws.cell(r, col["Ref"]).value == action.id
        assert ws.cell(r, col["Review"]).value == (action.review or "Cross-cutting")
        assert (ws.cell(r, col["RAG"]).value, ws.cell(r, col["Why this RAG"]).value) == action_rag(action, TODAY)
    assert ws.cell(4, col["Latest update"]).value == "2016/17 Q1"
    assert ws.cell(4, col["Evidence"]).value == "Email of 3 June"
    assert ws.cell(4, col["Earlier updates"]).value.startswith("2015/16 Q4: Police are still to confirm")
    swanswell = 4 + next(i for i, a in enumerate(actions) if a.lead_agency == "Swanswell")
    assert ws.cell(swanswell, col["Impact review due"]).value.date() == date(2016, 9, 30)
    assert [str(e.sqref) for e in ws.conditional_formatting] == [f"H4:H{3 + len(actions)}"]


@pytest.mark.parametrize("sheet, title_rows, freeze", [
    (BUDGET_SHEET, "$1:$2", "B3"), (CASES_SHEET, "$1:$3", "B4"), (ACTIONS_SHEET, "$1:$3", "B4")])
def test_print_ready(sheet, title_rows, freeze):
    formulas, _ = books(build([leicestershire_2016_17()], demo_case_rows(), demo_actions(TODAY)))
    ws = formulas[sheet]
    assert ws.page_setup.paperSize in (8, 9) and ws.page_setup.orientation == "landscape"
    assert (ws.page_setup.scale or 100) >= 90  # 10-point text prints at 9 pt or more
    assert ws.print_title_rows == title_rows and ws.freeze_panes == freeze
    if sheet != BUDGET_SHEET:  # too wide for A3: column groups, each with the pseudonym or ref column
        assert ws.col_breaks.count and ws.print_title_cols == "$A:$A"
    assert "Restricted" in ws.oddHeader.right.text


@pytest.mark.filterwarnings("ignore:Sparkline Group extension:UserWarning")
def test_the_sheets_plug_into_the_consolidated_workbook(seed_data):
    """Through DashboardData.extra_sheets, after the standard sheets and listed on Contents."""
    writers = dhr_sheet_writers([leicestershire_2016_17()], demo_case_rows(), demo_actions(TODAY), TODAY)
    formulas, cached = books(dashboard_bytes(replace(seed_data, extra_sheets=writers)))
    assert formulas.sheetnames[-3:] == [BUDGET_SHEET, CASES_SHEET, ACTIONS_SHEET]
    contents = [c.value for row in formulas["Contents"].iter_rows() for c in row if isinstance(c.value, str)]
    assert all(any(name in text for text in contents) for name in (BUDGET_SHEET, CASES_SHEET, ACTIONS_SHEET))
    assert cell_value(cached[BUDGET_SHEET], "Closing reserve") == 21411


def cell_value(ws, label: str):
    return ws[f"B{rows_by_label(ws)[label]}"].value
