"""An upload that does not fit its template is told what the app sees, in the officer's terms,
in one message instead of a list of missing rows and columns."""
from app.definition import HeaderSpec, TableSpec
from app.ingest.layout_diagnosis import Expected, Header, diagnose, expected_for_sheet
from app.ingest.read import SheetGrid, parse_ref
from tests.unit.ingest.returns import APPENDIX_2_SLUG, definition, edit, filled, messages, parse
from app.ingest.tables import read_tables
from tests.unit.ingest.test_tables import Q4, read

APPENDIX_2 = definition(APPENDIX_2_SLUG).sheets[0]
TURN_ROUND = ("Turn the table round (copy it, then Paste Special → Transpose) or download the blank return and "
              "copy your figures into it, then upload it again.")
TRANSPOSED_APPENDIX_2 = (
    "Appendix 2: This sheet has the areas (Blaby, Charnwood, …) as rows, down column A, and the indicators "
    "(Helpline calls received, …) as columns, along row 5; the template expects the areas as columns and the "
    f"indicators as rows. {TURN_ROUND}")


def grid_of(cells: dict[str, object], name: str = "Appendix 2") -> SheetGrid:
    grid = SheetGrid(name, {parse_ref(ref): value for ref, value in cells.items()})
    grid.n_rows = max(r for r, _ in grid.cells) + 1
    grid.n_cols = max(c for _, c in grid.cells) + 1
    return grid


SMALL = Expected(
    rows=(Header(("Helpline calls",)), Header(("New callers",)), Header(("Safety plans",))),
    columns=(Header(("Blaby",)), Header(("Charnwood", "C/wood")), Header(("Melton",)), Header(("LLR target",))),
    row_kind="indicator", column_kind="area")


def test_a_table_turned_round_is_named_with_what_is_where():
    grid = grid_of({
        "A1": "Indicator", "B1": "Helpline calls", "C1": "New callers", "D1": "Safety plans",
        "A2": "Blaby", "B2": 1, "C2": 2, "D2": 3,
        "A3": "C/wood", "B3": 4, "C3": 5, "D3": 6,
        "A4": "Melton", "B4": 7, "C4": 8, "D4": 9,
    })
    diagnosis = diagnose(grid, SMALL)
    assert diagnosis.kind == "transposed"
    assert diagnosis.message == (
        "This sheet has the areas (Blaby, C/wood, …) as rows, down column A, and the indicators (Helpline calls, "
        f"New callers, …) as columns, along row 1; the template expects the areas as columns and the indicators as "
        f"rows. {TURN_ROUND}")


def test_a_sheet_in_the_template_layout_or_missing_a_few_headings_is_not_diagnosed():
    fits = grid_of({
        "A1": "Indicator", "B1": "Blaby", "C1": "Charnwood", "D1": "Melton", "E1": "LLR target",
        "A2": "Helpline calls", "B2": 1, "A3": "New callers", "B3": 2, "A4": "Safety plans", "B4": 3,
    })
    assert diagnose(fits, SMALL) is None
    one_row = grid_of({"A1": "Indicator", "B1": "Blaby", "C1": "Charnwood", "A2": "Helpline calls", "B2": 1})
    assert diagnose(one_row, SMALL) is None


def test_column_headings_missing_or_replaced_by_the_officers_own():
    missing = grid_of({"A1": "Our figures", "A3": "Helpline calls", "B3": 1, "C3": 2, "A4": "New callers", "B4": 3,
                       "A5": "Safety plans", "B5": 4})
    diagnosis = diagnose(missing, SMALL)
    assert diagnosis.kind == "no_headings"
    assert diagnosis.message == (
        "The column headings are missing: the template expects a row of headings such as 'Blaby', 'Charnwood' "
        "above the figures (from column B). Put the headings back as in the blank return, and upload it again.")
    own = grid_of({"A1": "Indicator", "B1": "District 1", "C1": "District 2", "D1": "District 3",
                   "A2": "Helpline calls", "B2": 1, "A3": "New callers", "D3": 2, "A4": "Safety plans", "C4": 4})
    diagnosis = diagnose(own, SMALL)
    assert diagnosis.kind == "other_headings"
    assert diagnosis.message == (
        "The column headings in row 1 ('District 1', 'District 2', …) are not the template's: it expects headings "
        "such as 'Blaby', 'Charnwood' above the figures. Put the headings back as in the blank return, and upload it "
        "again.")


def test_figures_on_another_sheet_are_pointed_at():
    empty = grid_of({"A1": "Type your figures below"})
    other = grid_of({"A2": "Indicator", "B2": "Blaby", "C2": "Charnwood", "A3": "Helpline calls", "B3": 1,
                     "A4": "New callers", "A5": "Safety plans"}, name="Sheet2")
    diagnosis = diagnose(empty, SMALL, [other])
    assert diagnosis.kind == "other_sheet"
    assert diagnosis.message == (
        "The figures are not on this sheet but on the sheet 'Sheet2' (its labels such as 'Helpline calls' are in "
        "column A). Copy them into this sheet of the blank return, or delete this sheet and give 'Sheet2' this "
        "sheet's name, and upload it again.")
    assert diagnose(empty, SMALL, [grid_of({"A1": "Minutes"}, name="Notes")]) is None


def test_the_template_expectation_of_a_sheet_names_its_main_column_kind():
    expected = expected_for_sheet(APPENDIX_2)
    assert (expected.row_kind, expected.column_kind) == ("indicator", "area")
    assert expected.columns[1].texts == ("Charnwood", "C/wood")
    assert len(expected.rows) == 7


# ---- through the mapper, with our own blank return -------------------------------------------

def transpose(workbook) -> None:
    """The officer's copy of Appendix 2 with the table turned round (Paste Special → Transpose)."""
    ws = workbook["Appendix 2"]
    cells = {(c.row, c.column): c.value for row in ws.iter_rows(min_row=5) for c in row if c.value is not None}
    for row in ws.iter_rows(min_row=5):
        for cell in row:
            cell.value = None
    for (r, c), value in cells.items():
        ws.cell(5 + (c - 1), 1 + (r - 5), value)


def transposed_return() -> bytes:
    return filled(change=transpose)


def test_a_transposed_return_gets_one_message_and_no_figures():
    parsed = parse(transposed_return())
    assert messages(parsed) == [TRANSPOSED_APPENDIX_2]
    assert parsed.values == [] and parsed.targets == []
    assert all(row.grid_row is None for row in parsed.plans[0].rows)


def test_a_return_without_its_heading_row_is_told_so():
    def clear_headings(workbook):
        for cell in workbook["Appendix 2"][5]:
            cell.value = None

    assert messages(parse(filled(change=clear_headings))) == [
        "Appendix 2: The column headings are missing: the template expects a row of headings such as 'Blaby', "
        "'Charnwood' above the figures (from column C). Put the headings back as in the blank return, and upload "
        "it again."]


def test_figures_pasted_into_another_sheet_are_found_there():
    def move(workbook):
        source = workbook["Appendix 2"]
        target = workbook.create_sheet("Our figures")
        for row in source.iter_rows(min_row=5):
            for cell in row:
                if cell.value is not None:
                    target.cell(cell.row, cell.column, cell.value)
                    cell.value = None

    assert messages(parse(filled(change=move))) == [
        "Appendix 2: The figures are not on this sheet but on the sheet 'Our figures' (its labels such as 'Helpline "
        "calls received' are in column A). Copy them into this sheet of the blank return, or delete this sheet and "
        "give 'Our figures' this sheet's name, and upload it again."]


def test_a_few_missing_columns_are_still_listed_one_by_one():
    def drop_two(workbook):
        workbook["Appendix 2"]["C5"] = None
        workbook["Appendix 2"]["D5"] = "Charnwood BC"

    found = messages(parse(filled(change=drop_two)), "error")
    assert any(m.startswith("Appendix 2: The column 'Blaby' is missing") for m in found)
    assert any(m.startswith("Appendix 2: The column 'Charnwood' is missing") for m in found)
    assert parse(edit(filled(), lambda wb: None)).accepted


# ---- tables -----------------------------------------------------------------------------------

def h(label: str, value: str | None = None, **options) -> HeaderSpec:
    return HeaderSpec(label, value=value, **options)


AREAS_BY_MEASURE = TableSpec(
    "Budget", row_dimension="area", column_dimension="measure", fixed={"indicator": "budget"},
    rows=[h("Cambridge", "CAMB"), h("Hunts", "HUNTS"), h("Fenland", "FEN")],
    columns=[h("Target", "target"), h("Performance", "value"), h("Comment", "comment", required=False)])


def test_a_table_with_its_dimensions_swapped_gets_one_message_and_no_figures():
    from tests.unit.ingest.test_tables import grid_of as tables_grid

    grid = tables_grid({
        "A1": "Measure", "B1": "Cambridge", "C1": "Hunts", "D1": "Fenland",
        "A2": "Target", "B2": 10, "C2": 20, "D2": 30,
        "A3": "Performance", "B3": 11, "C3": 21, "D3": 31,
    })
    figures, problems = read(grid, AREAS_BY_MEASURE)
    assert figures == []
    assert problems == [
        "Refuges: This sheet has the measures (Target, Performance) as rows, down column A, and the areas "
        "(Cambridge, Hunts, …) as columns, along row 1; the template expects the measures as columns and the areas "
        "as rows in the table 'Budget'. Turn the table round (copy it, then Paste Special → Transpose), and upload "
        "it again."]


def test_a_table_in_its_layout_missing_one_column_keeps_its_own_message():
    from tests.unit.ingest.test_tables import grid_of as tables_grid

    grid = tables_grid({
        "A1": "Area", "B1": "Target", "C1": "Spent",
        "A2": "Cambridge", "B2": 10, "A3": "Hunts", "B3": 20, "A4": "Fenland", "B4": 30,
    })
    figures, problems = read(grid, AREAS_BY_MEASURE)
    assert len(figures) == 3
    assert problems == ["Refuges: We could not find the column 'Performance' in the table 'Budget'. Check its "
                        "heading, or tell your partnership's admin if it has changed."]


def test_period_columns_turned_round_are_recognised_by_the_period_parser():
    from tests.unit.ingest.test_tables import grid_of as tables_grid

    table = TableSpec("Quarters", row_dimension="indicator", column_dimension="period",
                      rows=[h("Women housed", "women-housed"), h("Children housed", "children-housed")],
                      columns=[HeaderSpec(pattern="period")])
    grid = tables_grid({
        "A1": "Quarter", "B1": "Women housed", "C1": "Children housed",
        "A2": "2015/16 Q3", "B2": 1, "C2": 2,
        "A3": "2015/16 Q4", "B3": 3, "C3": 4,
    })
    figures, problems = read(grid, table)
    assert figures == []
    assert problems == [
        "Refuges: This sheet has the periods (2015/16 Q3, 2015/16 Q4) as rows, down column A, and the indicators "
        "(Women housed, Children housed) as columns, along row 1; the template expects the periods as columns and the "
        "indicators as rows in the table 'Quarters'. Turn the table round (copy it, then Paste Special → Transpose), "
        "and upload it again."]


def test_a_table_found_on_another_sheet_is_pointed_at():
    from tests.unit.ingest.test_tables import grid_of as tables_grid
    from tests.unit.ingest.test_tables import sheet_of

    empty = tables_grid({"A1": "Budget 2015/16"})
    other = tables_grid({"A1": "Area", "B1": "Target", "C1": "Performance", "A2": "Cambridge", "B2": 10,
                         "A3": "Hunts", "A4": "Fenland"}, name="Copy of Refuges")
    figures, problems = read_tables(empty, sheet_of(AREAS_BY_MEASURE), Q4, other_sheets=[other])
    assert figures == []
    assert [str(p) for p in problems] == [
        "Refuges: The figures in the table 'Budget' are not on this sheet but on the sheet 'Copy of Refuges' (its "
        "labels such as 'Cambridge' are in column A). Copy them into this sheet, or delete this sheet and give "
        "'Copy of Refuges' this sheet's name, and upload it again."]
