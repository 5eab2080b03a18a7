"""A return sent as values (app.ingest.typed) is read exactly as our own blank return
filled with the same figures: the same grid text around the inputs, the same figures in
the same cells, the same problems."""
import pytest

from app.demo.templates import demo_definitions
from app.export.blank_return import HEADER_ROW, field_cells
from app.ingest.pipeline import parse_return, parse_workbook
from app.ingest.read import read_workbook
from app.ingest.typed import entered_fields, typed_workbook
from app.periods import parse_period
from tests.unit.ingest.returns import APPENDIX_2_SLUG, LIMITS, LWA, SEED_PERIOD, Catalogue, blank, definition, filled, \
    seed_cells


@pytest.mark.parametrize("defn", demo_definitions(), ids=lambda d: d.slug)
def test_the_typed_grid_holds_the_blank_returns_own_text(defn):
    period = parse_period(SEED_PERIOD if defn.frequency != "annual" else "2015/16")
    typed = typed_workbook(defn, version=1, agency_slug=LWA, period=period, values={})
    read, problems = read_workbook(blank(defn.slug, period.label), LIMITS)
    assert problems == []
    for grid in typed.workbook.sheets:
        on_file = read.sheet(grid.name)
        below_title = {key: value for key, value in on_file.cells.items() if key[0] >= HEADER_ROW - 1}
        assert grid.cells == below_title, grid.name


def key(value):
    return value.indicator, value.area, value.measure, value.value, value.flag, value.note, value.sheet, value.cell


def typed_parse(values: dict):
    defn, period = definition(APPENDIX_2_SLUG), parse_period(SEED_PERIOD)
    typed = typed_workbook(defn, version=1, agency_slug=LWA, period=period, values=values)
    return typed, parse_workbook(typed.workbook, b"{}", "request.json", agency_slug=LWA, catalogue=Catalogue(),
                                 limits=LIMITS)


def by_cell_values(edits: dict) -> dict:
    """Field id → the seed figure of its cell, with ``edits`` (cell → value) applied."""
    defn, period = definition(APPENDIX_2_SLUG), parse_period(SEED_PERIOD)
    cells = field_cells(defn, entered_fields(defn, period))
    figures = {**seed_cells(), **edits}
    return {field_id: figures[cell] for field_id, (_, cell) in cells.items() if cell in figures}


def test_appendix_2_as_values_reads_as_the_filled_blank_return():
    typed, parsed = typed_parse(by_cell_values({}))
    uploaded = parse_return(filled(), "a2.xlsx", agency_slug=LWA, catalogue=Catalogue(), limits=LIMITS)
    assert len(parsed.values) == 63 and len(parsed.targets) == 7
    assert [key(v) for v in parsed.values] == [key(v) for v in uploaded.values]
    assert [key(v) for v in parsed.targets] == [key(v) for v in uploaded.targets]
    assert parsed.problems == uploaded.problems == [] and typed.unknown == []
    assert parsed.template.slug == APPENDIX_2_SLUG and parsed.period.key == "2015-12..2016-03"


def test_problems_name_the_same_cells_as_an_upload_would():
    edits = {"C7": "lots", "J6": 735, "D8": "1,400 (estimate)"}
    _, parsed = typed_parse(by_cell_values(edits))
    uploaded = parse_return(filled(edits), "a2.xlsx", agency_slug=LWA, catalogue=Catalogue(), limits=LIMITS)
    assert [(p.sheet, p.cell, p.message) for p in parsed.problems] == \
        [(p.sheet, p.cell, p.message) for p in uploaded.problems]
    assert {p.cell for p in parsed.errors} == {"C7", "J6"}


def test_a_key_that_is_no_field_is_named():
    typed, _ = typed_parse({"Appendix 2|no-such-row|B": 1, "Appendix 2|helpline-calls-received|B": 39})
    assert typed.unknown == ["Appendix 2|no-such-row|B"]
