"""Finding a return's cells by labels: our own layout, and what officers do to it."""
import pytest
from openpyxl.styles import Font

from app.definition import expand_fields
from app.demo.templates import demo_definitions
from app.ingest.map import map_workbook, plan_sheets
from app.ingest.read import read_workbook
from app.periods import parse_period
from tests.unit.ingest.builders import xlsx
from tests.unit.ingest.returns import (
    LIMITS, blank, cells_of, definition, figures, filled, messages, parse, seed_cells,
)

PERIODS = {"quarterly": ["2016/17 Q2", "2015/16 Q4"], "monthly": ["Oct 2017", "Apr 2017"],
           "annual": ["2016/17"], "span": ["Dec 2015 - Mar 2016", "Apr 2016 - Jul 2016"]}


@pytest.mark.parametrize("defn", demo_definitions(), ids=lambda d: d.slug)
def test_plans_give_exactly_the_fields_of_expand_fields(defn):
    for text in PERIODS[defn.frequency]:
        period = parse_period(text)
        # Without the sanity bound on figures (tested below), the plans are the definition's fields.
        planned = [f for plan in plan_sheets(defn, period, "LC", max_figure={}) for f in plan.fields()]
        assert planned == expand_fields(defn, period, "LC")


@pytest.mark.parametrize("defn", demo_definitions(), ids=lambda d: d.slug)
def test_our_blank_return_maps_to_the_cells_it_was_written_to(defn):
    period = parse_period(PERIODS[defn.frequency][0])
    previous = {f.id: (1.0, "actual") for f in expand_fields(defn, period.previous())}
    workbook, _ = read_workbook(blank(defn.slug, PERIODS[defn.frequency][0], previous=previous), LIMITS)
    plans = plan_sheets(defn, period)
    assert map_workbook(workbook, plans) == []
    expected = cells_of(defn.slug, PERIODS[defn.frequency][0])
    found = {plan.field_id(row, slot): (plan.name, slot.letters + row.number)
             for plan in plans for row in plan.rows for slot in plan.slots}
    assert found == expected


def test_the_seed_figures_are_read_from_their_cells():
    parsed = parse(filled())
    assert messages(parsed) == []
    assert {cell: value for cell, (value, _, _) in figures(parsed).items()} == seed_cells()


def test_an_inserted_row_a_spacer_row_and_moved_columns():
    def rearrange(workbook):
        ws = workbook["Appendix 2"]
        ws.insert_rows(8, 2)  # a spacer row and an officer's own row between rows 7 and 8
        ws["A9"] = "Our own extra count"
        ws["C9"] = 12
        # Swap the Blaby (C) and LLR target (L) columns, headers and figures.
        for row in range(5, 16):
            ws.cell(row, 3).value, ws.cell(row, 12).value = ws.cell(row, 12).value, ws.cell(row, 3).value
        ws.insert_cols(2)  # a new column before the unit column moves everything right

    parsed = parse(filled(change=rearrange))
    got = figures(parsed)
    # Helpline calls (row 6) Blaby is now in M6; Business line calls (seed row 8) moved to row 10.
    assert got["M6"][0] == 39 and got["D6"][0] == 3000
    assert got["M10"][0] == 30 and got["E10"][0] == 36
    assert {v.key: v.value for v in parsed.values} == {v.key: v.value for v in parse(filled()).values}
    assert messages(parsed, "error") == []
    assert messages(parsed, "warning") == [
        "Appendix 2!A9: The row 'Our own extra count' is not part of this return, so its entries were not imported. "
        "If it should be, give it the label it has in the blank return."
    ]


def test_a_renamed_sheet_is_found_by_its_labels():
    parsed = parse(filled(change=lambda wb: setattr(wb["Appendix 2"], "title", "Our figures Q4")))
    assert messages(parsed) == []
    assert parsed.values[0].location == "Our figures Q4!C6"
    assert len(parsed.values) == 63


def test_a_sheet_name_differing_only_in_case_and_spaces_is_the_same_sheet():
    parsed = parse(filled(change=lambda wb: setattr(wb["Appendix 2"], "title", "APPENDIX  2")))
    assert messages(parsed) == [] and len(parsed.values) == 63


def test_labels_and_headers_match_whatever_the_case_spacing_and_punctuation():
    def retype(workbook):
        ws = workbook["Appendix 2"]
        ws["A6"] = "  HELPLINE calls received. "
        ws["F5"] = "H&B"  # an alias of Hinckley & Bosworth
        ws["A10"] = "Cases opened"  # an alias of row 5

    parsed = parse(filled(change=retype))
    assert messages(parsed) == []
    assert figures(parsed)["F6"][0] == 143


def test_merged_and_two_row_headers():
    def two_rows(workbook):
        ws = workbook["Appendix 2"]
        ws.insert_rows(5)  # headers now in row 6, data from row 7
        ws["K5"] = "LLR"
        ws.merge_cells("K5:L5")
        ws["K6"], ws["L6"] = "figure", "target"
        ws.merge_cells("C5:I5")
        ws["C5"] = "Districts"

    parsed = parse(filled(change=two_rows))
    assert messages(parsed) == []
    got = figures(parsed)
    assert got["K7"][0] == 2893 and got["L7"][0] == 3000


def test_a_header_merged_down_over_two_rows():
    def merged_down(workbook):
        ws = workbook["Appendix 2"]
        ws.insert_rows(5)
        ws["C5"] = "Blaby"
        ws["C6"] = None
        ws.merge_cells("C5:C6")

    parsed = parse(filled(change=merged_down))
    assert messages(parsed) == [] and figures(parsed)["C7"][0] == 39


def test_last_periods_block_is_not_read_as_figures():
    previous = {f"Appendix 2|helpline-calls-received|{code}": (999.0, "actual") for code in ["B", "C", "LC"]}
    data = filled(data=blank(previous=previous))
    parsed = parse(data)
    assert messages(parsed) == []
    assert 999 not in [v.value for v in parsed.values]
    assert {v.cell for v in parsed.values} == {c for c in seed_cells() if not c.startswith("L")}


def test_last_periods_block_placed_left_of_the_inputs_is_still_skipped():
    headers = ["Blaby", "Charnwood", "Harborough", "Hinckley & Bosworth", "Melton", "North West Leicestershire",
               "Oadby & Wigston", "Total Leics County", "LLR figure", "LLR target"]

    def block_first(workbook):
        ws = workbook["Appendix 2"]
        ws.insert_cols(3, 11)  # inputs now start at N
        ws["C4"] = "Last period (for reference): Aug - Nov 2015"
        ws.merge_cells("C4:L4")
        for c, header in enumerate(headers):
            ws.cell(5, 3 + c).value = header
            ws.cell(6, 3 + c).value = 999

    parsed = parse(filled(change=block_first))
    assert messages(parsed) == []
    assert figures(parsed)["N6"][0] == 39 and 999 not in [v.value for v in parsed.values]


def test_a_missing_required_row_and_column_are_errors_naming_them():
    def remove(workbook):
        ws = workbook["Appendix 2"]
        ws.delete_rows(9)  # Safety plans established
        ws.delete_cols(4)  # Charnwood

    parsed = parse(filled(change=remove))
    assert (
        "Appendix 2: The column 'Charnwood' is missing: we look for that heading in the header row (row 5). "
        "Put the column back with its heading as in the blank return, and upload it again." in messages(parsed, "error")
    )
    assert "Appendix 2: The row 'Safety plans established' is missing: we look for that label in column A. " \
           "Put the row back with its label as in the blank return, and upload it again." in messages(parsed, "error")
    assert not parsed.accepted


def test_a_missing_optional_column_is_a_warning():
    parsed = parse(filled(change=lambda wb: wb["Appendix 2"].delete_cols(12)))  # LLR target: not required
    assert messages(parsed, "error") == []
    assert messages(parsed, "warning") == [
        "Appendix 2: The column 'LLR target' is missing: we look for that heading in the header row (row 5). "
        "Its figures were left empty."]
    assert parsed.targets == []


def test_a_label_typed_twice_and_a_heading_typed_twice():
    def duplicate(workbook):
        ws = workbook["Appendix 2"]
        ws["A14"] = "Safety plans established"
        ws["O5"] = "Blaby"
        ws["O6"] = 1

    parsed = parse(filled(change=duplicate))
    assert ("Appendix 2!A14: The row 'Safety plans established' appears twice, in rows 9 and 14; we read row 9. "
            "Delete one of them and upload the return again.") in messages(parsed, "error")
    assert ("Appendix 2!O5: There is more than one column headed 'Blaby' (also O); we read column C. Delete the "
            "extra column and upload the return again.") in messages(parsed, "warning")


def test_entries_in_columns_and_unlabelled_rows_outside_the_return_are_warnings():
    def extra(workbook):
        ws = workbook["Appendix 2"]
        ws["N5"] = "Our running total"
        ws["N6"] = 5
        ws["D14"] = 17

    parsed = parse(filled(change=extra))
    assert messages(parsed, "warning") == [
        "Appendix 2!D14: Row 14 has entries but no label, so they were not imported. Give the row its label from "
        "the blank return, or clear it.",
        "Appendix 2!N5: Column N headed 'Our running total' is not part of this return, so its entries were not "
        "imported. If it should be, give it the heading it has in the blank return.",
    ]


def test_a_footnote_below_the_table_is_not_an_extra_row():
    parsed = parse(
        filled({"C6": "39*"}, change=lambda wb: wb["Appendix 2"].__setitem__("A15", "* estimated from calls"))
    )
    assert messages(parsed) == []
    assert figures(parsed)["C6"] == (39, "estimate", "estimated from calls")


def test_a_workbook_without_the_sheet_or_its_labels():
    def other(workbook):
        ws = workbook["Appendix 2"]
        ws.title = "Something else"
        for row in range(6, 13):
            ws.cell(row, 1).value = f"Line {row}"

    parsed = parse(filled(change=other))
    assert messages(parsed, "error") == [
        "File: The workbook has no sheet called 'Appendix 2', and no other sheet holds its row labels (such as "
        "'Helpline calls received'). Copy your figures into that sheet of the blank return, or rename your sheet "
        "back to 'Appendix 2', and upload it again."]


def test_a_fresh_workbook_with_the_labels_anywhere_is_read():
    table_2 = definition("table-2-da-sv-outcomes")

    def build(workbook):
        ws = workbook.add_worksheet("Outcomes")
        ws.write_string("B3", "Outcome measure")
        for c, header in enumerate(["Performance", "Target", "Comment"]):
            ws.write_string(2, 3 + c, header)
        for r, row in enumerate(table_2.sheets[0].rows):
            ws.write_string(4 + 2 * r, 1, row.label)  # blank spacer rows between them
            ws.write_number(4 + 2 * r, 3, 70 + r)
            ws.write_number(4 + 2 * r, 4, 75)

    parsed = parse(xlsx(build), period="Dec 2015 - Mar 2016")
    assert messages(parsed) == []
    assert parsed.identification.how == "fingerprint"
    got = figures(parsed)
    assert got["D5"] == (70, "actual", None) and got["E5"] == (75, "actual", None) and got["D23"][0] == 79


def test_bold_or_coloured_labels_do_not_matter():
    parsed = parse(filled(change=lambda wb: setattr(wb["Appendix 2"]["A6"], "font", Font(bold=True, color="FF0000"))))
    assert messages(parsed) == []
