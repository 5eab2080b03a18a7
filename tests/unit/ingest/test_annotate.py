"""The officer's workbook handed back with its problems marked, everything else untouched."""
import io

import openpyxl
import pytest

from app.export.annotate import PROBLEMS_SHEET, CannotAnnotate, TooLargeToAnnotate, annotate_workbook
from app.ingest.problems import Problem
from tests.unit.ingest.builders import rezip, with_empty_formatted_rows
from tests.unit.ingest.returns import filled


def marked(data: bytes, problems) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(annotate_workbook(data, problems)))


def test_cells_are_filled_and_commented_and_the_rest_untouched():
    data = filled({"N3": "=C6+D6", "C8": "abc"})
    workbook = marked(data, [
        Problem("Appendix 2", "C8", "'abc' is not a number."),
        Problem("Appendix 2", "D6", "Far from earlier figures.", "warning"),
        Problem("Appendix 2", "D6", "Check the total too.", "warning"),
    ])
    ws = workbook["Appendix 2"]
    assert ws["C8"].fill.fgColor.rgb == "00FFC7CE" and ws["D6"].fill.fgColor.rgb == "00FFEB9C"
    assert ws["C8"].comment.text == "Error (must be fixed): 'abc' is not a number."
    assert ws["D6"].comment.text == ("Warning (check it): Far from earlier figures.\n\n"
                                     "Warning (check it): Check the total too.")
    original = openpyxl.load_workbook(io.BytesIO(data))["Appendix 2"]
    for row in ws.iter_rows(min_row=1, max_row=14, max_col=14):
        for cell in row:
            assert cell.value == original[cell.coordinate].value
            if cell.coordinate not in ("C8", "D6"):
                before = original[cell.coordinate].fill
                assert cell.comment is None
                assert (cell.fill.patternType, cell.fill.fgColor.rgb) == (before.patternType, before.fgColor.rgb)
    assert ws["N3"].value == "=C6+D6"  # the officer's formula is kept as a formula
    assert PROBLEMS_SHEET not in workbook.sheetnames  # every problem had a cell


def test_problems_without_a_cell_go_on_a_first_sheet_as_plain_text():
    workbook = marked(filled(), [Problem(None, None, "=HYPERLINK(\"http://x\") is not a return."),
                                 Problem("Appendix 2", None, "The row 'Safety plans established' is missing."),
                                 Problem("Sheet gone", "C6", "A cell on a sheet that is not there.", "warning")])
    assert workbook.sheetnames[0] == PROBLEMS_SHEET and workbook.active.title == PROBLEMS_SHEET
    ws = workbook[PROBLEMS_SHEET]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert rows == [
        ["The whole file", "Error (must be fixed)", "=HYPERLINK(\"http://x\") is not a return."],
        ["Appendix 2", "Error (must be fixed)", "The row 'Safety plans established' is missing."],
        ["Sheet gone!C6", "Warning (check it)", "A cell on a sheet that is not there."],
    ]
    assert ws["C2"].data_type == "s"  # text, never a formula


def test_a_workbook_marked_twice_keeps_one_problems_sheet():
    once = annotate_workbook(filled(), [Problem(None, None, "First.")])
    twice = openpyxl.load_workbook(io.BytesIO(annotate_workbook(once, [Problem(None, None, "Second.")])))
    assert twice.sheetnames.count(PROBLEMS_SHEET) == 1 and twice[PROBLEMS_SHEET]["C2"].value == "Second."


def test_a_problem_inside_a_merged_cell_is_marked_on_its_first_cell():
    data = filled(change=lambda wb: wb["Appendix 2"].merge_cells("N6:O7"))
    ws = marked(data, [Problem("Appendix 2", "O7", "Inside a merge.")])["Appendix 2"]
    assert "Inside a merge." in ws["N6"].comment.text


def test_sheets_too_large_to_hold_are_refused():
    with pytest.raises(TooLargeToAnnotate):
        annotate_workbook(filled(), [Problem(None, None, "x")], max_sheet_bytes=100)


def test_a_million_empty_formatted_rows_are_left_out_and_the_table_is_marked():
    data = with_empty_formatted_rows(filled({"C7": "lots"}), 1_000_000, "Appendix 2")
    problems = [Problem("Appendix 2", "C7", "'lots' is not a number."), Problem("Appendix 2", "D14", "Blank.")]
    marked_up = annotate_workbook(data, problems)
    assert len(marked_up) < 50_000  # 5 MB in, the table and its marks out
    ws = openpyxl.load_workbook(io.BytesIO(marked_up))["Appendix 2"]
    # The table ends at row 12; the problem below it (D14) is kept, the million rows after it are not.
    assert (ws.max_row, ws.max_column) == (14, 13)
    assert ws["C7"].comment.text == "Error (must be fixed): 'lots' is not a number." and ws["C7"].value == "lots"
    assert ws["D14"].comment.text == "Error (must be fixed): Blank."
    assert ws["D7"].value == 186 and ws["A12"].value == "Face to face contacts with existing service users"


def test_a_used_range_beyond_the_bound_is_refused_with_a_message():
    def formatted_down_to_a_note(workbook):
        ws = workbook["Appendix 2"]
        for row in range(13, 2013):
            for col in range(1, 11):
                ws.cell(row, col).number_format = "0.00"
        ws.cell(2013, 1, "A note at the bottom")

    data = filled({"C7": "lots"}, change=formatted_down_to_a_note)  # 20,000 formatted cells in the used range
    with pytest.raises(TooLargeToAnnotate, match="too large to mark up"):
        annotate_workbook(data, [Problem("Appendix 2", "C7", "x")], max_cells=10_000)
    assert annotate_workbook(data, [Problem("Appendix 2", "C7", "x")])  # within the default bound


def test_a_workbook_openpyxl_cannot_load_is_a_message_not_an_exception():
    data = rezip(filled(), replace={"xl/styles.xml": b"<styleSheet><cellXfs><xf"})
    with pytest.raises(CannotAnnotate, match="could not be marked up"):
        annotate_workbook(data, [Problem(None, None, "x")])
