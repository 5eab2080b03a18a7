"""A formula whose saved result disagrees with the cells it adds up (the file was not
recalculated) is warned about, naming its cell, where the app can tell: a SUM or a chain
of + over cells it also read."""
import re

import pytest

from app.ingest.validate import summed_cells
from tests.unit.ingest.builders import member, rezip, sheet_part
from tests.unit.ingest.returns import filled, messages, parse

STALE = ("Appendix 2!J6: Total in J6 is 734 but the cells it adds up (SUM(C6:I6)) come to 736 — the file may not "
         "have been recalculated.")


def with_saved_results(data: bytes, results: dict[str, str], sheet: str = "Appendix 2") -> bytes:
    """The workbook with each formula cell's saved result set as a spreadsheet program would
    have saved it (openpyxl writes formulas with none)."""
    part = sheet_part(data, sheet)
    xml = member(data, part)
    for ref, result in results.items():
        start = xml.index(b'<c r="%s"' % ref.encode())
        end = xml.index(b"</c>", start)
        # An empty <v>, however the XML writer spelt it (ElementTree: "<v />"; lxml, which
        # openpyxl uses when it is installed: "<v/>" or "<v></v>").
        cell = re.sub(rb"<v\s*/>|<v></v>", b"<v>%s</v>" % result.encode(), xml[start:end], count=1)
        xml = xml[:start] + cell + xml[end:]
    return rezip(data, replace={part: xml})


@pytest.mark.parametrize("formula, cells", [
    ("SUM(C6:C8)", [(5, 2), (6, 2), (7, 2)]),
    ("C6+$D$6 + SUM(E6, F6:F7)", [(5, 2), (5, 3), (5, 4), (5, 5), (6, 5)]),
    ("sum(C6)", [(5, 2)]),
])
def test_the_cells_a_sum_adds_up(formula, cells):
    assert summed_cells(formula) == cells


@pytest.mark.parametrize("formula", ["AVERAGE(C6:C8)", "C6-C7", "SUM(C6:C8)*2", "Other!C6+C7", "SUM(A1:XFD1048576)",
                                     "C6+", "SUM(C6:C8)/100", "ROUND(SUM(C6:C8),0)"])
def test_any_other_formula_is_not_taken_for_a_sum(formula):
    assert summed_cells(formula) is None


def test_a_sum_saved_with_a_result_its_cells_no_longer_add_up_to_is_warned_about_at_its_cell():
    # J6 was saved as 734 (the seed's 39 + 230 + 58 + ...), then C6 became 41 without a recalculation.
    data = with_saved_results(filled({"C6": 41, "J6": "=SUM(C6:I6)", "J7": "=C7+D7+E7+F7+G7+H7+I7"}),
                              {"J6": "734", "J7": "635"})
    parsed = parse(data)
    warnings = messages(parsed, "warning")
    assert any(m.startswith(STALE) for m in warnings), warnings
    assert not any("J7" in m for m in messages(parsed))  # J7's saved 635 is what its cells add up to
    assert [p.cell for p in parsed.problems if "may not have been recalculated" in p.message] == ["J6"]


def test_the_streaming_reader_finds_the_same():
    # A cell far to the right on another sheet sends every sheet to the streaming XML reader.
    def far_cell(workbook):
        workbook["Instructions"]["ZZ3"] = "far"

    data = with_saved_results(filled({"C6": 41, "J6": "=SUM(C6:I6)"}, change=far_cell), {"J6": "734"})
    assert any(m.startswith(STALE) for m in messages(parse(data), "warning"))


def test_where_the_app_cannot_tell_it_says_nothing():
    # C6 holds text (SUM would skip it; the app cannot know what was meant); D7 is a formula without a result.
    data = with_saved_results(filled({"C6": "forty", "J6": "=SUM(C6:I6)", "D7": "=1+1", "J7": "=SUM(C7:I7)"}),
                              {"J6": "734", "J7": "9"})
    assert not any("may not have been recalculated" in m for m in messages(parse(data)))


@pytest.mark.parametrize("streaming", [False, True])
def test_a_sum_dragged_down_as_excel_saves_it_is_checked_on_every_row(streaming):
    # Excel writes a formula dragged over J6:J7 once, on J6, and only its index on J7.
    def change(workbook):
        if streaming:
            workbook["Instructions"]["ZZ3"] = "far"

    data = filled({"C7": 50, "J6": "=SUM(C6:I6)", "J7": "=SUM(C7:I7)"}, change=change)
    part = sheet_part(data, "Appendix 2")
    xml = member(data, part)
    empty = rb"(<v\s*/>|<v></v>)"
    xml = re.sub(rb"<f>SUM\(C6:I6\)</f>" + empty, b'<f t="shared" ref="J6:J7" si="0">SUM(C6:I6)</f><v>734</v>', xml)
    xml = re.sub(rb"<f>SUM\(C7:I7\)</f>" + empty, b'<f t="shared" si="0"/><v>635</v>', xml)
    warnings = [p for p in parse(rezip(data, replace={part: xml})).problems if "recalculated" in p.message]
    assert [(p.cell, p.message.split(" —")[0]) for p in warnings] == [
        ("J7", "Total in J7 is 635 but the cells it adds up (SUM(C7:I7)) come to 636")]
