"""Reading the agency's own tables: each figure finds its indicator, area, period and measure."""
from app.definition import BlockSpec, FieldRule, HeaderSpec, SheetLayout, TableSpec, TitleSpec, Transform
from app.ingest.read import SheetGrid, parse_ref, read_workbook
from app.ingest.safety import SafetyLimits
from app.ingest.tables import apply_transform, blank_means, check_only_problems, read_tables
from app.periods import parse_period
from tests.unit.ingest.builders import xlsx

Q4 = parse_period("2015/16 Q4")


def grid_of(cells: dict[str, object], name: str = "Refuges", **extra) -> SheetGrid:
    grid = SheetGrid(name, {parse_ref(ref): value for ref, value in cells.items()}, **extra)
    grid.n_rows = max(r for r, _ in grid.cells) + 1
    grid.n_cols = max(c for _, c in grid.cells) + 1
    return grid


def sheet_of(*tables: TableSpec, default_area: str | None = None) -> SheetLayout:
    return SheetLayout("Refuges", "tables", note_column=False, default_area=default_area, tables=list(tables))


def read(grid: SheetGrid, *tables: TableSpec, period=Q4, **options):
    figures, problems = read_tables(grid, sheet_of(*tables), period, **options)
    return figures, [str(p) for p in problems]


def summary(figures) -> list[tuple]:
    return [(f.cell, f.indicator, f.area, f.period_key, f.measure, f.raw) for f in figures]


def h(label: str, value: str | None = None, **options) -> HeaderSpec:
    return HeaderSpec(label, value=value, **options)


def test_indicators_as_columns_areas_as_rows():
    grid = grid_of({
        "A1": "Refuge figures",
        "A3": "District", "B3": "Women housed", "C3": "Children housed",
        "A4": "Cambridge", "B4": 12, "C4": 15,
        "A5": "Hunts", "B5": 7,
    })
    table = TableSpec("Districts", row_dimension="area", column_dimension="indicator",
                      rows=[h("Cambridge", "CAMB"), h("Huntingdonshire", "HUNTS", aliases=["Hunts"])],
                      columns=[h("Women housed", "women-housed"), h("Children housed", "children-housed")])
    figures, problems = read(grid, table)
    assert problems == []
    assert summary(figures) == [
        ("B4", "women-housed", "CAMB", "2015/16 Q4", "value", 12),
        ("C4", "children-housed", "CAMB", "2015/16 Q4", "value", 15),
        ("B5", "women-housed", "HUNTS", "2015/16 Q4", "value", 7),
        ("C5", "children-housed", "HUNTS", "2015/16 Q4", "value", None),
    ]
    assert figures[0].headers == ("Cambridge", "Women housed")
    assert figures[0].rule == FieldRule(required=False, type="whole", min=0, allow_na=True)


def test_two_stacked_year_blocks_with_repeated_labels_and_their_own_header_rows():
    grid = grid_of({
        "A1": "2014/15",
        "A2": "Indicator", "B2": "Cambridge", "C2": "Hunts",
        "A3": "Women housed", "B3": 1, "C3": 2,
        "A4": "Children housed", "B4": 3, "C4": 4,
        "A6": "2015/16",
        "A7": "Indicator", "B7": "Hunts", "C7": "Cambridge",
        "A8": "Women housed", "B8": 5, "C8": 6,
        "A9": "Children housed", "B9": 7, "C9": 8,
    })
    table = TableSpec("By year", row_dimension="indicator", column_dimension="area",
                      rows=[h("Women housed", "women-housed"), h("Children housed", "children-housed")],
                      columns=[h("Cambridge", "CAMB"), h("Hunts", "HUNTS")],
                      block=BlockSpec("period", "period"))
    figures, problems = read(grid, table)
    assert problems == []
    assert summary(figures) == [
        ("B3", "women-housed", "CAMB", "2014/15", "value", 1),
        ("C3", "women-housed", "HUNTS", "2014/15", "value", 2),
        ("B4", "children-housed", "CAMB", "2014/15", "value", 3),
        ("C4", "children-housed", "HUNTS", "2014/15", "value", 4),
        ("B8", "women-housed", "HUNTS", "2015/16", "value", 5),
        ("C8", "women-housed", "CAMB", "2015/16", "value", 6),
        ("B9", "children-housed", "HUNTS", "2015/16", "value", 7),
        ("C9", "children-housed", "CAMB", "2015/16", "value", 8),
    ]
    assert figures[4].headers == ("Women housed", "Hunts", "2015/16")


def test_a_label_repeated_within_a_block_is_an_error_naming_both_cells():
    grid = grid_of({
        "A1": "2015/16", "A2": "Indicator", "B2": "Cambridge",
        "A3": "Women housed", "B3": 1,
        "A4": "Women housed", "B4": 2,
    })
    table = TableSpec("By year", row_dimension="indicator", column_dimension="area",
                      rows=[h("Women housed", "women-housed")], columns=[h("Cambridge", "CAMB")],
                      block=BlockSpec("period", "period"))
    figures, problems = read(grid, table)
    assert problems == ["Refuges!A4: 'Women housed' appears twice in the table 'By year', in the block "
                        "'2015/16': here and in A3. Delete one, or give each block its own heading."]
    assert summary(figures) == [("B3", "women-housed", "CAMB", "2015/16", "value", 1)]


def test_a_merged_two_row_header():
    grid = grid_of({
        "A1": "Indicator", "B1": "Cambridge", "D1": "Hunts",
        "B2": "Target", "C2": "Actual", "D2": "Target", "E2": "Actual",
        "A3": "Women housed", "B3": 10, "C3": 12, "D3": 5, "E3": 4,
    }, merged=[(0, 0, 1, 0), (0, 1, 0, 2)])  # A1:A2 down, B1:C1 across; "Hunts" written once over D:E
    table = TableSpec("Targets", row_dimension="indicator", column_dimension="measure", header_rows=2,
                      rows=[h("Women housed", "women-housed")],
                      columns=[h("Cambridge Target", "target"), h("Cambridge Actual", "value")],
                      fixed={"area": "CAMB"})
    hunts = TableSpec("Hunts", row_dimension="indicator", column_dimension="measure", header_rows=2,
                      rows=[h("Women housed", "women-housed")],
                      columns=[h("Hunts Target", "target"), h("Hunts Actual", "value")], fixed={"area": "HUNTS"})
    figures, problems = read(grid, table, hunts)
    assert summary(figures) == [
        ("B3", "women-housed", "CAMB", "2015/16 Q4", "target", 10),
        ("C3", "women-housed", "CAMB", "2015/16 Q4", "value", 12),
        ("D3", "women-housed", "HUNTS", "2015/16 Q4", "target", 5),
        ("E3", "women-housed", "HUNTS", "2015/16 Q4", "value", 4),
    ]
    assert figures[0].headers == ("Women housed", "Cambridge Target")
    # Each table warns about the other's columns, which it does not read.
    assert problems == [
        "Refuges!D2: The column 'Target' is not part of the table 'Targets', so we have not read its figures. "
        "If it should be, tell your partnership's admin.",
        "Refuges!E2: The column 'Actual' is not part of the table 'Targets', so we have not read its figures. "
        "If it should be, tell your partnership's admin.",
        "Refuges!B2: The column 'Target' is not part of the table 'Hunts', so we have not read its figures. "
        "If it should be, tell your partnership's admin.",
        "Refuges!C2: The column 'Actual' is not part of the table 'Hunts', so we have not read its figures. "
        "If it should be, tell your partnership's admin.",
    ]


def test_a_period_heading_that_changes_every_month_and_a_percent_change_column():
    grid = grid_of({
        "A1": "Indicator", "B1": "12 months to 31 Oct 2016", "C1": "12 months to 31 Oct 2017", "D1": "% change",
        "A2": "Violent crime", "B2": 100, "C2": 110, "D2": 0.1,
        "A3": "Burglary", "B3": 50, "C3": 40, "D3": -0.25,
    })
    table = TableSpec("Crime", row_dimension="indicator", column_dimension="period",
                      rows=[h("Violent crime", "violent-crime"), h("Burglary", "burglary")],
                      columns=[h("", pattern="period"),
                               h("% change", treat="check_only", check="percent_change",
                                 transform=Transform(scale=100))],
                      fixed={"area": "CAMBS"})
    figures, problems = read(grid, table, period=parse_period("Oct 2017"))
    assert problems == []
    assert [(f.cell, f.indicator, f.period_key, f.treat, f.check, f.raw) for f in figures] == [
        ("B2", "violent-crime", "2015-11..2016-10", "figure", None, 100),
        ("C2", "violent-crime", "2016-11..2017-10", "figure", None, 110),
        ("D2", "violent-crime", "2017-10", "check_only", "percent_change", 0.1),
        ("B3", "burglary", "2015-11..2016-10", "figure", None, 50),
        ("C3", "burglary", "2016-11..2017-10", "figure", None, 40),
        ("D3", "burglary", "2017-10", "check_only", "percent_change", -0.25),
    ]
    values = {(f.row, f.col): apply_transform(float(f.raw), f.transforms) for f in figures}
    assert values[(1, 3)] == 10
    values[(2, 3)] = -30.0  # should be -20
    assert [str(p) for p in check_only_problems(figures, values)] == [
        "Refuges!D3: '% change' is -30%, but the figures beside it make a change of -20.0%. "
        "Check the change and the figures."]


def test_a_title_cell_gives_the_period_and_a_target_row_gives_the_measure():
    grid = grid_of({
        "A1": "Period: December 2015 to March 2016",
        "A3": "", "B3": "Cambridge", "C3": "Hunts",
        "A4": "Women housed", "B4": 12, "C4": 9,
        "A5": "Target", "B5": 10, "C5": 10,
    })
    table = TableSpec("Titled", row_dimension="measure", column_dimension="area",
                      rows=[h("Women housed", "value"), h("Target", "target")],
                      columns=[h("Cambridge", "CAMB"), h("Hunts", "HUNTS")],
                      fixed={"indicator": "women-housed"}, title=TitleSpec("period", "cells", r"Period:\s*(.+)"))
    figures, problems = read(grid, table)
    assert problems == []
    assert summary(figures) == [
        ("B4", "women-housed", "CAMB", "2015-12..2016-03", "value", 12),
        ("C4", "women-housed", "HUNTS", "2015-12..2016-03", "value", 9),
        ("B5", "women-housed", "CAMB", "2015-12..2016-03", "target", 10),
        ("C5", "women-housed", "HUNTS", "2015-12..2016-03", "target", 10),
    ]
    assert figures[0].headers == ("Women housed", "Cambridge", "Period: December 2015 to March 2016")


def test_a_title_from_the_sheet_name_and_a_missing_title():
    table = TableSpec("Titled", row_dimension="indicator", column_dimension="area",
                      rows=[h("Women housed", "women-housed")], columns=[h("Cambridge", "CAMB")],
                      title=TitleSpec("period", "sheet_name", r"(\d{4}/\d\d Q\d)"))
    grid = grid_of({"B1": "Cambridge", "A2": "Women housed", "B2": 3}, name="Refuges 2015/16 Q3")
    figures, problems = read(grid, table)
    assert summary(figures) == [("B2", "women-housed", "CAMB", "2015/16 Q3", "value", 3)]
    grid = grid_of({"B1": "Cambridge", "A2": "Women housed", "B2": 3})
    figures, problems = read(grid, table)
    assert figures == []
    assert problems == ["Refuges: We could not find the period of the table 'Titled': we looked for the sheet's "
                        "name matching '(\\d{4}/\\d\\d Q\\d)'."]


def test_a_sign_flipped_row_carries_its_transform_and_a_total_row_is_check_only():
    grid = grid_of({
        "B1": "Q3", "C1": "Q4",
        "A2": "Income", "B2": 100, "C2": 100,
        "A3": "Surplus/(shortfall)", "B3": -20, "C3": -30,
        "A4": "Total", "B4": 80, "C4": 75,
    })
    table = TableSpec("Budget", row_dimension="indicator", column_dimension="period",
                      rows=[h("Income", "income"), h("Surplus/(shortfall)", "shortfall", transform=Transform(sign=-1)),
                            h("Total", treat="check_only", check="sum")],
                      columns=[h("Q3", "Q3"), h("Q4", "Q4")])
    figures, problems = read(grid, table)
    assert problems == []
    shortfall = [f for f in figures if f.indicator == "shortfall"]
    assert [(f.cell, f.period_key, f.raw, apply_transform(f.raw, f.transforms)) for f in shortfall] == [
        ("B3", "2015/16 Q3", -20, 20), ("C3", "2015/16 Q4", -30, 30)]
    totals = [f for f in figures if f.treat == "check_only"]
    assert [(f.cell, f.check, f.check_from) for f in totals] == [("B4", "sum", "row"), ("C4", "sum", "row")]
    values = {(f.row, f.col): float(f.raw) for f in figures}
    assert [str(p) for p in check_only_problems(figures, values)] == [
        "Refuges!C4: 'Total' is 75, but the figures it adds up make 70. Check the total and its parts."]


def test_a_hidden_junk_column_blank_and_sub_heading_rows_mid_table():
    grid = grid_of({
        "A1": "Indicator", "B1": "Cambridge", "D1": "Hunts",
        "A2": "Women housed", "B2": 1, "C2": "junk", "D2": 2,
        "A4": "Outcomes",
        "A5": "Children housed", "B5": 3, "C5": 99, "D5": 4,
        "A6": "Other figures", "B6": 5,
        "A7": "Hidden note", "B7": 6,
        "A8": "Women supported", "B8": 7, "D8": 8,
        "A10": "Not part of the table", "B10": 100,
    }, hidden_cols={2}, hidden_rows={6})
    table = TableSpec("Districts", row_dimension="indicator", column_dimension="area",
                      rows=[h("Women housed", "women-housed"), h("Children housed", "children-housed"),
                            h("Women supported", "women-supported")],
                      columns=[h("Cambridge", "CAMB"), h("Hunts", "HUNTS")])
    figures, problems = read(grid, table)
    assert [f.cell for f in figures] == ["B2", "D2", "B5", "D5", "B8", "D8"]
    assert problems == [
        "Refuges!A6: 'Other figures' is not a row of the table 'Districts', so we have not read its figures. "
        "If it should be, tell your partnership's admin.",
        "Refuges!B7: Row 7 is hidden and is not part of the table 'Districts', but it holds entries: we have "
        "not read them.",
        "Refuges!C2: Column C is hidden and is not part of the table 'Districts', but it holds entries: we have "
        "not read them.",
    ]
    junk = TableSpec(**{**table.__dict__, "columns": [*table.columns, h("", treat="ignore", offset=2)]})
    figures, problems = read(grid, junk)
    assert [f.cell for f in figures] == ["B2", "D2", "B5", "D5", "B8", "D8"]
    assert len(problems) == 2


def test_several_indicators_on_one_row_periods_as_rows():
    grid = grid_of({
        "A1": "Quarter", "B1": "Reviews expected", "C1": "Cost per review", "D1": "Total",
        "A2": "2015/16 Q3", "B2": 4, "C2": 2500, "D2": 10000,
        "A3": "2015/16 Q4", "B3": 5, "C3": 2500, "D3": 12500,
    })
    table = TableSpec("Reviews", row_dimension="period", column_dimension="indicator",
                      rows=[h("", pattern="period")],
                      columns=[h("Reviews expected", "reviews-expected"), h("Cost per review", "review-cost"),
                               h("Total", "review-total-cost", rule=FieldRule(type="money"))])
    figures, problems = read(grid, table)
    assert problems == []
    assert summary(figures) == [
        ("B2", "reviews-expected", None, "2015/16 Q3", "value", 4),
        ("C2", "review-cost", None, "2015/16 Q3", "value", 2500),
        ("D2", "review-total-cost", None, "2015/16 Q3", "value", 10000),
        ("B3", "reviews-expected", None, "2015/16 Q4", "value", 5),
        ("C3", "review-cost", None, "2015/16 Q4", "value", 2500),
        ("D3", "review-total-cost", None, "2015/16 Q4", "value", 12500),
    ]
    assert figures[2].rule.type == "money"


def test_an_offset_column_with_no_header():
    grid = grid_of({
        "A1": "Domestic homicide reviews",
        "A3": "Reviews started", "C3": 2,
        "A4": "Reviews completed", "C4": 1,
    })
    table = TableSpec("Label values", row_dimension="indicator", column_dimension="measure", header_rows=0,
                      rows=[h("Reviews started", "dhr-started"), h("Reviews completed", "dhr-completed")],
                      columns=[h("", "value", offset=2)], fixed={"area": "LLR"})
    figures, problems = read(grid, table)
    assert problems == []
    assert summary(figures) == [
        ("C3", "dhr-started", "LLR", "2015/16 Q4", "value", 2),
        ("C4", "dhr-completed", "LLR", "2015/16 Q4", "value", 1),
    ]


def test_a_missing_required_header_is_an_error_naming_it_and_the_table():
    grid = grid_of({"B1": "Cambridge", "A2": "Women housed", "B2": 1})
    table = TableSpec("Districts", row_dimension="indicator", column_dimension="area",
                      rows=[h("Women housed", "women-housed"), h("Children housed", "children-housed"),
                            h("Refuge rooms", "refuge-rooms", required=False)],
                      columns=[h("Cambridge", "CAMB"), h("Hunts", "HUNTS")])
    figures, problems = read(grid, table)
    assert summary(figures) == [("B2", "women-housed", "CAMB", "2015/16 Q4", "value", 1)]
    assert problems == [
        "Refuges: We could not find the column 'Hunts' in the table 'Districts'. Check its heading, or tell "
        "your partnership's admin if it has changed.",
        "Refuges: We could not find the row 'Children housed' in the table 'Districts'. Check its label, or "
        "tell your partnership's admin if it has changed.",
    ]


def test_transform_helpers():
    assert apply_transform(0.29, Transform(scale=100)) == 29
    assert apply_transform(5, (Transform(sign=-1), Transform(scale=2))) == -10
    assert apply_transform(None, Transform(sign=-1)) is None
    assert blank_means((Transform(), Transform(blank="not_available"))) == "not_available"


def test_from_real_xlsx_a_merged_header_and_a_hidden_column():
    def build(workbook):
        sheet = workbook.add_worksheet("Refuges")
        bold = workbook.add_format({"bold": True})
        sheet.write("A1", "Period: 2015/16 Q3")
        sheet.merge_range("B2:C2", "Cambridge", bold)
        sheet.write_row("B3", ["Women", "Children", "Notes"])
        sheet.write_row("A4", ["Housed", 4, 6, "check"])
        sheet.set_column("D:D", None, None, {"hidden": True})

    workbook, _ = read_workbook(xlsx(build), SafetyLimits())
    table = TableSpec("Refuges", row_dimension="measure", column_dimension="indicator", header_rows=2,
                      rows=[h("Housed", "value")],
                      columns=[h("Cambridge Women", "women-housed"), h("Cambridge Children", "children-housed")],
                      fixed={"area": "CAMB"}, title=TitleSpec("period", "cells", r"Period:\s*(.+)"))
    figures, problems = read(workbook.sheet("Refuges"), table)
    assert summary(figures) == [
        ("B4", "women-housed", "CAMB", "2015/16 Q3", "value", 4),
        ("C4", "children-housed", "CAMB", "2015/16 Q3", "value", 6),
    ]
    assert problems == ["Refuges!D4: Column D is hidden and is not part of the table 'Refuges', but it holds "
                        "entries: we have not read them."]
