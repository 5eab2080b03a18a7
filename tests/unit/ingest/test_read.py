"""Reading workbooks: values, formats calamine cannot see, bounds, and hostile XML."""
import time
from datetime import date, datetime
from types import SimpleNamespace

import openpyxl
import pytest
from defusedxml import DefusedXmlException

import sys
import app.ingest.read as read_module
from app.ingest.problems import IngestError
from app.ingest.read import cell_ref, excel_serial_to_datetime, parse_ref, read_workbook
from app.ingest.safety import SafetyLimits
from tests.unit.ingest.builders import member, move_last_cell, rezip, simple_xlsx, xlsx

LIMITS = SafetyLimits()
SHEET_PART = "xl/worksheets/sheet1.xml"


def read(data: bytes, limits: SafetyLimits = LIMITS, need_formats=True):
    return read_workbook(data, limits, need_formats)


def messages(problems) -> list[str]:
    return [str(problem) for problem in problems]


@pytest.fixture
def no_calamine(monkeypatch):
    """Fail the test if calamine is asked to open the workbook: the bounded reader must."""

    def refuse(*args, **kwargs):
        raise AssertionError("calamine must not read this workbook")

    # The reader imports calamine when it first reads (not at the app's start): stand in for it there.
    stand_in = SimpleNamespace(CalamineWorkbook=SimpleNamespace(from_filelike=refuse))
    monkeypatch.setitem(sys.modules, "python_calamine", stand_in)


@pytest.mark.parametrize(
    "row, col, ref",
    [
        (0, 0, "A1"),
        (6, 2, "C7"),
        (0, 25, "Z1"),
        (0, 26, "AA1"),
        (9, 701, "ZZ10"),
        (0, 702, "AAA1"),
        (1048575, 16383, "XFD1048576"),
    ],
)
def test_cell_references_both_ways(row, col, ref):
    assert cell_ref(row, col) == ref
    assert parse_ref(ref) == (row, col)


def test_parse_ref_accepts_dollars_and_lower_case_and_refuses_nonsense():
    assert parse_ref("$c$7") == (6, 2)
    for bad in ("7C", "C0", "", "C7:D8", "ABCD1"):
        with pytest.raises(ValueError):
            parse_ref(bad)


def test_excel_serials():
    assert excel_serial_to_datetime(42460) == datetime(2016, 3, 31)
    assert excel_serial_to_datetime(42460.5) == datetime(2016, 3, 31, 12)
    assert excel_serial_to_datetime(1) == datetime(1900, 1, 1)
    assert excel_serial_to_datetime(61) == datetime(1900, 3, 1)
    assert excel_serial_to_datetime(0, date1904=True) == datetime(1904, 1, 1)
    with pytest.raises(ValueError):
        excel_serial_to_datetime(-1)


def mixed_values(workbook, deep_stray_row: int | None = None):
    sheet = workbook.add_worksheet("Appendix 2")
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_string("A1", "Area")
    sheet.write_string("B1", "Incidents")
    sheet.write_string("A2", "Blaby")
    sheet.write_number("B2", 1400)
    sheet.write_number("C2", 12.75)
    sheet.write_boolean("D2", True)
    sheet.write_datetime("E2", datetime(2016, 3, 31), date_format)
    sheet.write_string("F2", "  1,400 (estimate) ")
    sheet.write_string("G2", "N/A - survey not yet carried out")
    sheet.write_number("B3", 0)
    if deep_stray_row is not None:
        sheet.write_string(deep_stray_row, 0, "stray")


EXPECTED_VALUES = {
    (0, 0): "Area",
    (0, 1): "Incidents",
    (1, 0): "Blaby",
    (1, 1): 1400.0,
    (1, 2): 12.75,
    (1, 3): True,
    (1, 4): date(2016, 3, 31),
    (1, 5): "  1,400 (estimate) ",
    (1, 6): "N/A - survey not yet carried out",
    (2, 1): 0.0,
}


def test_values_by_calamine():
    workbook, problems = read(xlsx(mixed_values))
    grid = workbook.sheet("Appendix 2")
    assert grid.cells == EXPECTED_VALUES
    assert (grid.n_rows, grid.n_cols) == (3, 7)
    assert problems == []


def test_the_bounded_reader_gives_the_same_values_as_calamine(no_calamine):
    # A cell at row 20,000 sends the sheet to the streaming reader.
    workbook, problems = read(xlsx(lambda wb: mixed_values(wb, deep_stray_row=19_999)))
    assert workbook.sheet("Appendix 2").cells == EXPECTED_VALUES
    assert messages(problems) == [
        "Appendix 2: This sheet has entries below row 5,000; only the first 5,000 rows were read. "
        "Delete unused rows below your table (select them, right-click, Delete), save and re-upload."
    ]


def test_a_stray_value_at_row_a_million_is_not_walked():
    data = move_last_cell(simple_xlsx({"A1": "Area", "B1": 5, "C2": "oops"}), "C1000000")
    started = time.perf_counter()
    workbook, problems = read(data)
    assert time.perf_counter() - started < 0.5
    assert workbook.sheet("Returns").cells == {(0, 0): "Area", (0, 1): 5.0}
    [problem] = problems
    assert problem.severity == "warning" and problem.sheet == "Returns"
    assert "only the first 5,000 rows were read; delete unused rows" in problem.message.replace(". Delete", "; delete")


@pytest.mark.parametrize(
    "far_cell, warning",
    [
        ("XFD1", "to the right of column GR; only the first 200 columns were read"),
        ("AAA300", "to the right of column GR; only the first 200 columns were read"),
        ("XFD1048576", "below row 5,000; only the first 5,000 rows were read"),
    ],
)
def test_far_cells_that_would_make_calamine_abort_are_read_by_the_bounded_reader(far_cell, warning, no_calamine):
    # Calamine fills a dense grid up to the last cell: A1 plus XFD1048576 asks it for tens
    # of gigabytes and it aborts the process. The bounded reader must take these sheets.
    data = move_last_cell(simple_xlsx({"A1": 1, "B2": "two", "C3": "far"}), far_cell)
    assert far_cell.encode() in member(data, SHEET_PART)
    started = time.perf_counter()
    workbook, problems = read(data)
    assert time.perf_counter() - started < 0.5
    assert workbook.sheet("Returns").cells == {(0, 0): 1.0, (1, 1): "two"}
    [problem] = problems
    assert problem.severity == "warning" and warning in problem.message


@pytest.mark.parametrize("odd_ref", [b"xfd3", b"$XFD$3", b"XFD3 "])
def test_odd_cell_references_are_never_handed_to_calamine(odd_ref, no_calamine):
    data = simple_xlsx({"A1": 1, "C3": "far"})
    sheet = member(data, SHEET_PART).replace(b'<c r="C3"', b'<c r="' + odd_ref + b'"')
    workbook, problems = read(rezip(data, replace={SHEET_PART: sheet}))
    assert workbook.sheet("Returns").cells == {(0, 0): 1.0}
    [problem] = problems
    assert problem.sheet == "Returns" and "to the right of column GR" in problem.message


def test_cells_without_references_are_placed_by_the_bounded_reader(no_calamine):
    data = simple_xlsx({"A1": "placeholder"})
    sheet = member(data, SHEET_PART)
    start, end = sheet.index(b"<sheetData>"), sheet.index(b"</sheetData>")
    rows = (
        b'<row r="2"><c><v>1</v></c><c/><c t="b"><v>0</v></c></row>'
        b'<row>\n  <c t="inlineStr"><is><t>next</t></is>\n  </c>\n  <c t="str"><f>"a"</f><v>a</v>\n  </c>\n</row>'
    )
    workbook, problems = read(rezip(data, replace={SHEET_PART: sheet[: start + 11] + rows + sheet[end:]}))
    assert workbook.sheet("Returns").cells == {(1, 0): 1.0, (1, 2): False, (2, 0): "next", (2, 1): "a"}
    assert problems == []


@pytest.mark.parametrize("reference, calamine_allowed", [(b"B2", True), (b"XFD2", False)])
def test_a_reference_after_other_attributes_is_still_sized(reference, calamine_allowed, request):
    if not calamine_allowed:
        request.getfixturevalue("no_calamine")
    data = simple_xlsx({"A1": 1, "B2": 2})
    sheet = member(data, SHEET_PART).replace(b'<c r="B2">', b'<c s="0" r="' + reference + b'">')
    workbook, _ = read(rezip(data, replace={SHEET_PART: sheet}))
    expected = {(0, 0): 1.0, (1, 1): 2.0} if calamine_allowed else {(0, 0): 1.0}
    assert workbook.sheet("Returns").cells == expected


def test_sheet_names_with_ampersands_and_apostrophes():
    def build(workbook):
        workbook.add_worksheet("Hinckley & Bosworth").write("A1", 1)
        workbook.add_worksheet("Officer's notes").write("A1", "note")

    workbook, problems = read(xlsx(build))
    assert [grid.name for grid in workbook.sheets] == ["Hinckley & Bosworth", "Officer's notes"]
    assert workbook.sheet("Hinckley & Bosworth").cells == {(0, 0): 1.0}
    assert workbook.sheet("Officer's notes").cells == {(0, 0): "note"}
    assert problems == []


def test_a_dimension_that_claims_the_whole_sheet_costs_nothing():
    data = simple_xlsx({"A1": "Area", "B1": 3})
    sheet = member(data, SHEET_PART)
    lying = sheet.replace(b'<dimension ref="A1:B1"/>', b'<dimension ref="A1:XFD1048576"/>')
    assert lying != sheet
    started = time.perf_counter()
    workbook, problems = read(rezip(data, replace={SHEET_PART: lying}))
    assert time.perf_counter() - started < 0.5
    assert workbook.sheet("Returns").cells == {(0, 0): "Area", (0, 1): 3.0}
    assert problems == []


def test_formatted_but_empty_rows_far_below_are_not_reported():
    data = simple_xlsx({"A1": 7})
    sheet = member(data, SHEET_PART).replace(
        b"</sheetData>", b'<row r="1000000" ht="30" customHeight="1"/></sheetData>'
    )
    workbook, problems = read(rezip(data, replace={SHEET_PART: sheet}))
    assert workbook.sheet("Returns").cells == {(0, 0): 7.0}
    assert problems == []


def test_rows_past_the_limit_with_only_empty_cells_are_not_reported(no_calamine):
    def build(workbook):
        sheet = workbook.add_worksheet("Returns")
        sheet.write("A1", 7)
        sheet.write_blank(99_999, 3, None, workbook.add_format({"bold": True}))

    workbook, problems = read(xlsx(build))
    assert workbook.sheet("Returns").cells == {(0, 0): 7.0}
    assert problems == []


def test_columns_past_a_small_limit_are_trimmed_with_a_warning():
    workbook, problems = read(simple_xlsx({"A1": 1, "D1": 4, "F1": 6}), SafetyLimits(max_columns=4))
    assert workbook.sheet("Returns").cells == {(0, 0): 1.0, (0, 3): 4.0}
    assert messages(problems) == [
        "Returns: This sheet has entries to the right of column D; only the first 4 columns were read. "
        "Delete unused columns to the right of your table, save and re-upload."
    ]


def test_long_text_is_cut_with_a_warning_naming_the_cell():
    workbook, problems = read(simple_xlsx({"C7": "x" * 2500}))
    assert workbook.sheet("Returns").value(6, 2) == "x" * 2000
    [problem] = problems
    assert str(problem).startswith("Returns!C7: This cell holds 2,500 characters; only the first 2,000 were read.")


def test_formula_without_a_saved_result_written_by_openpyxl():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Returns"
    sheet["A1"], sheet["A2"], sheet["A3"] = 1, 2, "=A1+A2"
    data = _openpyxl_bytes(book)
    workbook, _ = read(data)
    grid = workbook.sheet("Returns")
    assert grid.formula_no_value == {(2, 0)}
    assert (2, 0) not in grid.cells
    assert grid.n_rows == 3
    # Skipping the formats pass skips this too: the caller chose speed.
    fast, _ = read(data, need_formats=False)
    assert fast.sheet("Returns").formula_no_value == set()


def test_formulas_with_and_without_saved_results_written_by_xlsxwriter():
    def build(workbook):
        sheet = workbook.add_worksheet("Returns")
        sheet.write_formula("A1", "=1+1", None, 2)
        sheet.write_formula("A2", "=1+1", None, "")
        sheet.write_formula("A3", '=""', None, "")
        sheet.write_formula("A4", "=1/0", None, "#DIV/0!")
        sheet.write_formula("A5", '="a"&"b"', None, "ab")

    grid = read(xlsx(build))[0].sheet("Returns")
    assert grid.cells == {(0, 0): 2.0, (4, 0): "ab"}
    assert grid.formula_no_value == {(1, 0), (2, 0)}
    assert grid.error_cells == {(3, 0): "#DIV/0!"}


def test_percent_formatted_cells_are_found():
    def build(workbook):
        sheet = workbook.add_worksheet("Returns")
        sheet.write_number("A1", 0.75, workbook.add_format({"num_format": "0%"}))  # built-in 9
        sheet.write_number("A2", 0.753, workbook.add_format({"num_format": "0.00%"}))  # built-in 10
        sheet.write_number("A3", 0.5, workbook.add_format({"num_format": "0.0%"}))  # custom
        sheet.write_number("A4", 75, workbook.add_format({"num_format": '0.0#"%"'}))  # quoted: not a percentage
        sheet.write_number("A5", 12, workbook.add_format({"num_format": "#,##0"}))
        workbook.add_worksheet("Other").write_number("A1", 0.1, workbook.add_format({"num_format": "0%"}))

    data = xlsx(build)
    workbook, _ = read(data)
    assert workbook.sheet("Returns").percent_cells == {(0, 0), (1, 0), (2, 0)}
    assert workbook.sheet("Returns").value(0, 0) == 0.75
    assert workbook.sheet("Other").percent_cells == {(0, 0)}
    only_returns, _ = read(data, need_formats=lambda name: name == "Returns")
    assert only_returns.sheet("Returns").percent_cells == {(0, 0), (1, 0), (2, 0)}
    assert only_returns.sheet("Other").percent_cells == set()


def test_percent_cells_found_by_the_bounded_reader_too(no_calamine):
    def build(workbook):
        sheet = workbook.add_worksheet("Returns")
        sheet.write_number("B2", 0.75, workbook.add_format({"num_format": "0%"}))
        sheet.write_formula("B3", "=B2*2", None, "")
        sheet.write("XFD1", "far")

    grid = read(xlsx(build))[0].sheet("Returns")
    assert grid.percent_cells == {(1, 1)}
    assert grid.formula_no_value == {(2, 1)}
    assert grid.cells == {(1, 1): 0.75}


def formats_of_every_kind(workbook, deep_stray_row: int | None = None):
    sheet = workbook.add_worksheet("Returns")
    percent, fixed = workbook.add_format({"num_format": "0.0%"}), workbook.add_format({"num_format": "#,##0"})
    sheet.write_number("B2", 0.75, percent)
    sheet.write_number("C2", 1400, fixed)
    sheet.write_formula("D2", "=B2*2", percent, 1.5)
    sheet.write_formula("D3", "=B2*3", percent, "")
    sheet.write_formula("E2", "=1/0", None, "#DIV/0!")
    sheet.write_formula("E3", "=NA()", None, "#N/A")
    sheet.write_formula("F2", '=""', None, "")
    sheet.write_formula("F3", '=IF(B2>0,"yes","no")', None, "yes")
    sheet.write_array_formula("G2:G3", "{=B2:B3*2}", None, 1.5)
    if deep_stray_row is not None:
        sheet.write_string(deep_stray_row, 0, "stray")


def test_the_pattern_pass_and_the_bounded_reader_find_the_same_formats(monkeypatch):
    plain = read(xlsx(formats_of_every_kind))[0].sheet("Returns")
    assert plain.percent_cells == {(1, 1), (1, 3), (2, 3)}
    assert plain.formula_no_value == {(2, 3), (1, 5)}
    assert plain.error_cells == {(1, 4): "#DIV/0!", (2, 4): "#N/A"}
    assert plain.cells == {(1, 1): 0.75, (1, 2): 1400.0, (1, 3): 1.5, (2, 5): "yes", (1, 6): 1.5, (2, 6): 0.0}

    refuse = SimpleNamespace(CalamineWorkbook=SimpleNamespace(from_filelike=None))
    monkeypatch.setitem(sys.modules, "python_calamine", refuse)
    bounded = read(xlsx(lambda wb: formats_of_every_kind(wb, deep_stray_row=20_000)))[0].sheet("Returns")
    for attribute in ("percent_cells", "formula_no_value", "error_cells", "cells"):
        assert getattr(bounded, attribute) == getattr(plain, attribute), attribute


def blank_return_identity(workbook):
    """As app/export/blank_return.py records it: a very hidden _meta sheet and text names."""
    workbook.add_worksheet("Appendix 2").write("A1", "Area")
    meta = workbook.add_worksheet("_meta")
    for row, (key, value) in enumerate(
        [("template_slug", "appendix-2-da-sv-outputs"), ("template_version", "3"), ("period_key", "2016-17-Q4")]
    ):
        meta.write_string(row, 0, key)
        meta.write_string(row, 1, value)
    meta.very_hidden()
    workbook.add_worksheet("Notes").hide()
    workbook.define_name("SR_TEMPLATE", '="appendix-2-da-sv-outputs"')
    workbook.define_name("SR_VERSION", '="3"')
    workbook.define_name("SR_QUOTE", '="say ""hello"""')
    workbook.define_name("SR_AREA_CELL", "='Appendix 2'!$A$1")
    workbook.define_name("'Appendix 2'!LocalName", "='Appendix 2'!$A$1")
    workbook.define_name("Print_Area_Like", "='Appendix 2'!$A$1:$B$2")


def test_defined_names_hidden_sheets_and_meta():
    workbook, problems = read(xlsx(blank_return_identity))
    assert workbook.hidden_sheets == {"_meta", "Notes"}
    assert workbook.defined_names["SR_TEMPLATE"] == '"appendix-2-da-sv-outputs"'
    assert workbook.defined_names["Appendix 2!LocalName"] == "'Appendix 2'!$A$1"
    assert workbook.meta == {
        "SR_TEMPLATE": "appendix-2-da-sv-outputs",
        "SR_VERSION": "3",
        "SR_QUOTE": 'say "hello"',
        "SR_AREA_CELL": "Area",
        "template_slug": "appendix-2-da-sv-outputs",
        "template_version": "3",
        "period_key": "2016-17-Q4",
    }
    assert problems == []


def test_merged_ranges():
    def build(workbook):
        sheet = workbook.add_worksheet("Returns")
        sheet.merge_range("B2:D3", "Quarter 4", workbook.add_format({"bold": True}))
        sheet.merge_range("A10:A12", "Blaby", workbook.add_format({"bold": True}))

    grid = read(xlsx(build))[0].sheet("Returns")
    assert sorted(grid.merged) == [(1, 1, 2, 3), (9, 0, 11, 0)]
    assert grid.value(1, 1) == "Quarter 4"


def test_time_limit_stops_reading_with_an_error():
    workbook, problems = read(simple_xlsx(), SafetyLimits(max_seconds=0))
    [problem] = problems
    assert problem.severity == "error" and problem.sheet == "Returns"
    assert "took longer than 0 seconds" in problem.message


def test_unsafe_files_are_refused_before_any_parsing():
    with pytest.raises(IngestError) as raised:
        read(b"%PDF-1.4 ...")
    assert "is a PDF document" in str(raised.value)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
"""


@pytest.mark.parametrize("part", [SHEET_PART, "xl/workbook.xml", "xl/sharedStrings.xml", "xl/styles.xml"])
def test_entity_expansion_in_any_part_is_refused(part):
    data = simple_xlsx({"A1": "Area", "B1": 1})
    original = member(data, part)
    body = original.split(b"?>", 1)[1]  # drop the XML declaration; the DOCTYPE goes before the root
    hostile = (
        BILLION_LAUGHS + body.replace(b"Area", b"&lol9;")
        if part != SHEET_PART
        else BILLION_LAUGHS
        + body.replace(
            b"<sheetData>", b'<sheetData><row r="9"><c r="A9" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        )
    )
    with pytest.raises(IngestError) as raised:
        read(rezip(data, replace={part: hostile}))
    assert "XML document type or entity declarations" in str(raised.value)
    assert "save it again as Excel Workbook (.xlsx)" in str(raised.value)


def test_external_entity_is_refused():
    data = simple_xlsx()
    workbook_xml = member(data, "xl/workbook.xml").split(b"?>", 1)[1]
    hostile = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + workbook_xml.replace(
        b'name="Returns"', b'name="&xxe;"'
    )
    with pytest.raises(IngestError) as raised:
        read(rezip(data, replace={"xl/workbook.xml": hostile}))
    assert "entity declarations" in str(raised.value)


def test_the_expat_parser_itself_refuses_entities():
    # The second line of defence, behind the check of each part's prolog.
    with pytest.raises(DefusedXmlException):
        read_module._parse_shared_strings(BILLION_LAUGHS + b"<sst><si><t>&lol9;</t></si></sst>")


def test_prefixed_tags_and_cells_without_references_are_read_by_position(no_calamine):
    data = simple_xlsx({"A1": "placeholder"})
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<x:sheetData><x:row><x:c t=\"inlineStr\"><x:is><x:t>Area</x:t></x:is></x:c><x:c><x:v>5</x:v></x:c></x:row>"
        b"<x:row><x:c/><x:c t=\"b\"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>"
    )
    workbook, problems = read(rezip(data, replace={SHEET_PART: sheet}))
    assert workbook.sheet("Returns").cells == {(0, 0): "Area", (0, 1): 5.0, (1, 1): True}
    assert problems == []


def test_a_broken_sheet_becomes_a_problem_not_a_traceback():
    data = simple_xlsx({"A1": "Area"})
    broken = member(data, SHEET_PART).replace(b"</sheetData>", b"<row r=\"2\"><c r=\"A2\"><v>1</sheetData>")
    workbook, problems = read(rezip(data, replace={SHEET_PART: broken}))
    assert messages(problems) == [
        "Returns: We could not read this sheet. Open the workbook in Excel or LibreOffice, save it "
        "again as Excel Workbook (.xlsx) and re-upload it."
    ]
    assert workbook.sheets == []


def test_a_broken_workbook_part_becomes_an_ingest_error():
    data = simple_xlsx()
    with pytest.raises(IngestError) as raised:
        read(rezip(data, replace={"xl/workbook.xml": b"<workbook><sheets><sheet name="}))
    assert "We could not read this workbook" in str(raised.value)


def test_a_sheet_whose_part_is_missing_is_reported():
    data = rezip(simple_xlsx(), remove={SHEET_PART})
    workbook, problems = read(data)
    assert [problem.sheet for problem in problems] == ["Returns"]
    assert "its contents are missing" in problems[0].message


def _openpyxl_bytes(book) -> bytes:
    import io

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_hidden_rows_and_columns():
    def build(workbook):
        sheet = workbook.add_worksheet("Returns")
        sheet.write("A1", "Label")
        sheet.write("C5", 7)
        sheet.set_row(3, None, None, {"hidden": True})
        sheet.set_row(6, None, None, {"hidden": True})
        sheet.set_column("C:C", None, None, {"hidden": True})
        sheet.set_column("E:F", None, None, {"hidden": True})
        workbook.add_worksheet("Plain").write("A1", 1)

    workbook = read(xlsx(build))[0]
    grid = workbook.sheet("Returns")
    assert grid.hidden_rows == {3, 6}
    assert grid.hidden_cols == {2, 4, 5}
    assert grid.value(4, 2) == 7  # hidden cells are still read
    assert workbook.sheet("Plain").hidden_rows == set() and workbook.sheet("Plain").hidden_cols == set()


def test_hidden_as_libreoffice_writes_it_and_to_the_last_column():
    """LibreOffice writes hidden="true", and hides "every column to the right" up to XFD."""
    sheet_xml = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<cols><col min="1" max="1" width="20" customWidth="true"/>'
        b'<col collapsed="false" customWidth="true" hidden="true" max="16384" min="4" width="9"/></cols>'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Label</t></is></c></row>'
        b'<row r="2" hidden="true"><c r="A2"><v>2</v></c></row></sheetData></worksheet>'
    )
    data = rezip(simple_xlsx(), replace={"xl/worksheets/sheet1.xml": sheet_xml})
    grid = read(data, SafetyLimits(max_columns=10))[0].sheet("Returns")
    assert grid.hidden_rows == {1}
    assert grid.hidden_cols == set(range(3, 10))
