"""The blank standard return, opened as a spreadsheet program (openpyxl, LibreOffice) sees it."""
import io
import shutil
import subprocess
import warnings
from datetime import date, datetime

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from app.definition import RowSpec, expand_fields
from app.demo.templates import demo_definitions
from app.export.blank_return import (
    FIRST_DATA_ROW,
    build_blank_return,
    field_cells,
    sheet_grid,
)
from app.periods import parse_period

GENERATED_AT = datetime(2016, 4, 1, 9, 30)
Q4 = parse_period("2015/16 Q4")


def by_slug(slug: str):
    return next(d for d in demo_definitions() if d.slug == slug)


def previous_values_for(fields):
    """Distinct figures for last period, one estimate and one not available."""
    values = {f.id: (float(100 + i), "actual") for i, f in enumerate(fields) if f.is_numeric}
    values["Appendix 2|helpline-calls-received|B"] = (1400.0, "estimate")
    values["Appendix 2|helpline-calls-received|C"] = (None, "not_available")
    return values


def build(defn, period=Q4, **overrides):
    arguments = dict(
        template_version=3, agency_slug="living-without-abuse", agency_name="Living Without Abuse",
        period=period, due_date=date(2016, 4, 28), generated_at=GENERATED_AT,
    )
    arguments.update(overrides)
    return build_blank_return(defn, **arguments)


def open_workbook(content: bytes) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning (e.g. a repaired part) fails the test
        return openpyxl.load_workbook(io.BytesIO(content))


@pytest.fixture(scope="module")
def appendix_2():
    defn = by_slug("appendix-2-da-sv-outputs")
    fields = expand_fields(defn, Q4)
    previous = previous_values_for(fields)
    content = build(defn, previous_values=previous)
    return defn, fields, previous, content, open_workbook(content)


def validation_for(ws, cell: str):
    found = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) == 1, f"{cell}: {len(found)} validations"
    return found[0]


def test_sheets_in_order_with_meta_very_hidden(appendix_2):
    *_, wb = appendix_2
    assert wb.sheetnames == ["Instructions", "Appendix 2", "_meta"]
    assert [ws.sheet_state for ws in wb.worksheets] == ["visible", "visible", "veryHidden"]
    assert wb.active.title == "Instructions"


def test_every_input_cell_has_data_validation(appendix_2):
    defn, fields, _, _, wb = appendix_2
    ws = wb["Appendix 2"]
    cells = field_cells(defn, fields)
    assert len(cells) == 77
    for f in fields:
        sheet, cell = cells[f.id]
        assert sheet == "Appendix 2"
        validation_for(ws, cell)
    # Labels, headers and the unit column carry none.
    for cell in ("A6", "B6", "C5"):
        assert not [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]


def test_whole_number_validation_accepts_estimates_and_explains_itself(appendix_2):
    defn, fields, _, _, wb = appendix_2
    ws = wb["Appendix 2"]
    cells = field_cells(defn, fields)
    blaby = validation_for(ws, cells["Appendix 2|helpline-calls-received|B"][1])
    # One validation covers the whole column of Blaby, written for its top cell.
    assert str(blaby.sqref) == "C6:C12"
    assert blaby.type == "custom"
    assert blaby.formula1 == (
        'OR(AND(ISNUMBER(C6),C6>=0,C6=INT(C6)),ISNUMBER(SEARCH("(estimate)",C6)),'
        'ISNUMBER(SEARCH("(provisional)",C6)))'
    )
    assert blaby.showErrorMessage and blaby.errorStyle in (None, "stop")  # absent = stop
    assert "whole number of 0 or more" in blaby.error
    assert "1,400 (estimate)" in blaby.prompt
    note = validation_for(ws, cells["Appendix 2|helpline-calls-received|note"][1])
    assert note.type == "textLength" and note.operator == "lessThanOrEqual" and note.formula1 == "2000"


def test_percent_validation_allows_na_only_where_the_rule_does():
    defn = by_slug("table-2-da-sv-outcomes")
    fields = expand_fields(defn, Q4)
    ws = open_workbook(build(defn))["Table 2"]
    cells = field_cells(defn, fields)
    row = "Table 2|local-practitioners-report-an-increase-in-confidence-in-dealing-with-svdv-post-training"
    target = validation_for(ws, cells[f"{row}|target"][1])
    performance = validation_for(ws, cells[f"{row}|value"][1])
    assert "N/A" not in target.formula1
    assert performance.formula1 == (
        'OR(AND(ISNUMBER(D6),D6>=0,D6<=100),ISNUMBER(SEARCH("(estimate)",D6)),'
        'ISNUMBER(SEARCH("(provisional)",D6)),LEFT(UPPER(TRIM(D6)),3)="N/A")'
    )
    assert "N/A - and the reason" in performance.error
    assert ws[cells[f"{row}|value"][1]].number_format == '0.0#"%"'
    assert ws["B8"].value == "%"


def test_sheet_is_protected_with_only_inputs_unlocked(appendix_2):
    defn, fields, _, _, wb = appendix_2
    ws = wb["Appendix 2"]
    assert ws.protection.sheet is True
    assert ws.protection.password is None
    assert ws.protection.formatColumns is False  # False = allowed in OOXML's inverted flags
    for f in fields:
        assert ws[field_cells(defn, fields)[f.id][1]].protection.locked is False
    assert ws["A6"].value == "Helpline calls received"
    for cell in ("A1", "A6", "A12", "B6", "C5", "L5"):
        assert ws[cell].protection.locked is True
    assert wb["Instructions"].protection.sheet is True


def test_labels_and_headers_read_as_in_the_definition(appendix_2):
    defn, *_, wb = appendix_2
    ws = wb["Appendix 2"]
    sheet = defn.sheets[0]
    assert [ws.cell(row=FIRST_DATA_ROW + 1 + r, column=1).value for r in range(7)] == [r.label for r in sheet.rows]
    headers = [ws.cell(row=FIRST_DATA_ROW, column=c).value for c in range(1, 14)]
    assert headers == ["Indicator", "Unit", "Blaby", "Charnwood", "Harborough", "Hinckley & Bosworth", "Melton",
                       "North West Leicestershire", "Oadby & Wigston", "Total Leics County", "LLR figure",
                       "LLR target", "Notes"]


def test_last_period_values_sit_in_a_locked_block_aligned_with_the_inputs(appendix_2):
    defn, fields, previous, _, wb = appendix_2
    ws = wb["Appendix 2"]
    grid = sheet_grid(defn.sheets[0])
    assert grid.note == 12 and min(grid.references.values()) == 14  # one empty column after Notes
    assert ws.cell(row=4, column=15).value == "Last period (for reference): 2015/16 Q3"
    assert ws.cell(row=5, column=15).value == "Blaby"
    for f in fields:
        if f.column_key == "note":
            continue
        cell = ws.cell(row=FIRST_DATA_ROW + 1 + f.row_index, column=grid.references[f.column_key] + 1)
        value, flag = previous[f.id]
        expected = {"estimate": "1,400 (estimate)", "not_available": "N/A"}.get(flag, value)
        assert cell.value == expected, f.id
        assert cell.protection.locked is True
        # ...on the same row as the input it belongs to.
        input_cell = ws[field_cells(defn, fields)[f.id][1]]
        assert input_cell.row == cell.row


def test_without_last_period_values_there_is_no_block_and_inputs_stay_put(appendix_2):
    defn, fields, _, _, _ = appendix_2
    ws = open_workbook(build(defn))["Appendix 2"]
    assert ws.max_column == 13
    assert ws["L5"].value == "LLR target" and ws["M5"].value == "Notes"


def test_label_value_sheet_shows_last_period_right_beside_the_input():
    defn = by_slug("dhr-budget-return")
    period = parse_period("2016/17")
    fields = expand_fields(defn, period)
    previous = {"DHR budget|reserve-carried-forward-from-last-year|value": (25500.0, "actual")}
    wb = open_workbook(build(defn, period=period, previous_values=previous,
                             agency_slug="leicestershire-county-council"))
    ws = wb["DHR budget"]
    assert field_cells(defn, fields)["DHR budget|reserve-carried-forward-from-last-year|value"] == ("DHR budget", "C6")
    assert [ws.cell(row=5, column=c).value for c in range(1, 6)] == [
        "Item", "Unit", "Value", "Last period (2015/16)", "Notes"]
    assert ws["D6"].value == 25500 and ws["D6"].protection.locked is True
    assert ws["C6"].number_format == '"£"#,##0.00'
    assert ws["E6"].protection.locked is False


def test_period_row_names_the_period_of_each_column():
    defn = by_slug("rotherham-table-4")
    ws = open_workbook(build(defn, period=parse_period("Oct 2017"), agency_slug="rotherham-council"))["Table 4"]
    assert [ws.cell(row=4, column=c).value for c in range(1, 6)] == [
        "Period covered", None, "Nov 2015 – Oct 2016", "Nov 2016 – Oct 2017", "Apr – Oct 2017"]
    assert [ws.cell(row=5, column=c).value for c in range(3, 7)] == [
        "Rolling 12 months, a year earlier", "Rolling 12 months", "Year to date", "Notes"]


def test_meta_sheet_defined_names_and_properties(appendix_2):
    *_, wb = appendix_2
    meta = {row[0].value: row[1].value for row in wb["_meta"].iter_rows(min_col=1, max_col=2)}
    assert meta == {
        "format": "safer-returns/blank-return/1",
        "template_slug": "appendix-2-da-sv-outputs",
        "template_version": "3",
        "agency_slug": "living-without-abuse",
        "period_key": "2015/16 Q4",
        "period_label": "2015/16 Q4",
        "generated_at": "2016-04-01T09:30:00",
    }
    names = {name: wb.defined_names[name].value for name in wb.defined_names}
    assert names == {
        "SR_TEMPLATE": '"appendix-2-da-sv-outputs"',
        "SR_VERSION": '"3"',
        "SR_AGENCY": '"living-without-abuse"',
        "SR_PERIOD": '"2015/16 Q4"',
    }
    assert wb.properties.title == ("Domestic Abuse & Sexual Violence Support Service: output indicators: "
                                   "Living Without Abuse, 2015/16 Q4")
    assert "template=appendix-2-da-sv-outputs" in wb.properties.keywords
    assert wb.properties.created == GENERATED_AT


def test_instructions_give_the_deadline_the_rules_and_how_to_upload(appendix_2):
    *_, wb = appendix_2
    ws = wb["Instructions"]
    text = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert "Return by Thursday 28 April 2016" in text
    assert any("N/A - survey not yet carried out" in t for t in text)
    assert any("1,400 (estimate)" in t for t in text)
    assert any("Upload a return" in t for t in text)
    rules = [[c.value for c in row] for row in ws.iter_rows() if row[0].value == "Appendix 2"]
    assert rules[0] == ["Appendix 2", "Helpline calls received", "All except LLR target", "Whole number", "Yes",
                        "0", None, "Not allowed", "District and county figures are for the quarter only."]
    assert rules[1][:5] == ["Appendix 2", "Helpline calls received", "LLR target", "Whole number", "No"]
    assert len(rules) == 14


def test_instructions_text_of_the_version_replaces_the_definition_s():
    wb = open_workbook(build(by_slug("appendix-2-da-sv-outputs"), instructions="Figures for Q4 only, please."))
    text = [c.value for row in wb["Instructions"].iter_rows() for c in row if c.value]
    assert "Figures for Q4 only, please." in text
    assert not any(str(t).startswith("Enter the service's output figures") for t in text)


def test_same_arguments_give_the_same_bytes(appendix_2):
    defn, _, previous, content, _ = appendix_2
    assert build(defn, previous_values=previous) == content
    assert build(defn, previous_values=previous, generated_at=datetime(2016, 4, 2)) != content


def test_text_from_the_definition_is_never_a_formula():
    defn = by_slug("dhr-budget-return")
    defn.sheets[0].rows.append(RowSpec(label="=HYPERLINK(\"http://x\",\"y\")", indicator="odd-row"))
    ws = open_workbook(build(defn, period=parse_period("2016/17")))["DHR budget"]
    cell = ws.cell(row=FIRST_DATA_ROW + 1 + 7, column=1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


@pytest.mark.parametrize("defn", demo_definitions(), ids=lambda d: d.slug)
def test_every_demo_template_builds_and_opens(defn):
    period = parse_period(
        {"quarterly": "2014/15 Q3", "monthly": "Oct 2017", "annual": "2016/17", "span": "Dec 2015 - Mar 2016"}[
            defn.frequency
        ]
    )
    fields = expand_fields(defn, period)
    wb = open_workbook(build(defn, period=period, previous_values=previous_values_for(fields)))
    for f in fields:
        sheet, cell = field_cells(defn, fields)[f.id]
        assert wb[sheet][cell].protection.locked is False
        validation_for(wb[sheet], cell)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_every_demo_return(tmp_path):
    paths = []
    for defn in demo_definitions():
        period = parse_period(
            {"quarterly": "2015/16 Q4", "monthly": "Oct 2017", "annual": "2016/17", "span": "Dec 2015 - Mar 2016"}[
                defn.frequency
            ]
        )
        path = tmp_path / f"{defn.slug}.xlsx"
        path.write_bytes(build(defn, period=period, previous_values=previous_values_for(expand_fields(defn, period))))
        paths.append(path)
    out = tmp_path / "pdf"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), *map(str, paths)],
        capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stderr
    for path in paths:
        pdf = out / f"{path.stem}.pdf"
        assert pdf.exists() and pdf.stat().st_size > 5000, f"{pdf.name}: {result.stdout} {result.stderr}"
        assert pdf.read_bytes().startswith(b"%PDF")


def test_column_letters_used_in_the_docs_match_the_grid():
    """The module docstring promises labels in A, units in B and inputs from C."""
    grid = sheet_grid(by_slug("appendix-2-da-sv-outputs").sheets[0])
    assert get_column_letter(grid.inputs["B"] + 1) == "C"
    assert get_column_letter(grid.note + 1) == "M"


def test_reference_columns_are_shown_locked_and_not_validated():
    defn = by_slug("appendix-2-da-sv-outputs")
    defn.sheets[0].columns[9].role = "reference"  # the LLR target, set by the partnership
    fields = expand_fields(defn, Q4)
    target_id = "Appendix 2|helpline-calls-received|target@LLR"
    ws = open_workbook(build(defn, reference_values={target_id: (3000.0, "actual")}))["Appendix 2"]
    cell = field_cells(defn, fields)[target_id][1]
    assert cell == "L6" and ws[cell].value == 3000
    assert ws[cell].protection.locked is True
    assert not [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    rules = [[c.value for c in row] for row in open_workbook(build(defn))["Instructions"].iter_rows()
             if row[0].value == "Appendix 2"]
    assert len(rules) == 7 and rules[0][2] == "All columns"
