"""The shared formats, colours and print setup, read back with openpyxl."""
import io
import re

import openpyxl
import pytest

from app.export.formats import (
    RAG_COLOURS, STATUS_COLOURS, Formats, chart_series, column_points, fit_row, lines_needed, number_format,
    print_layout, setup_print,
)
from app.export.xlsx import new_workbook


def written(build) -> openpyxl.Workbook:
    """Run ``build(workbook, formats, worksheet)`` on a fresh workbook and read it back."""
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    formats = Formats(workbook)
    build(workbook, formats, workbook.add_worksheet("Sheet & more"))
    workbook.close()
    return openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))


@pytest.mark.parametrize("unit, decimals, suffix, expected", [
    ("count", 0, None, "#,##0"),
    ("count", 0, "estimate", '#,##0" (estimate)"'),
    ("rate", 2, "2013-14", '#,##0.00" (2013-14)"'),
    ("percent", 1, None, '0.0"%"'),
    ("percent", 1, "2014-15, estimate", '0.0"% (2014-15, estimate)"'),
    ("percent", 0, 'say "hi"', "0\"% (say 'hi')\""),
    ("money", 0, None, "£#,##0"),
    ("ratio", 2, None, "0.00"),
])
def test_number_formats(unit, decimals, suffix, expected):
    assert number_format(unit, decimals, suffix) == expected


def test_figure_formats_are_made_once_and_cells_keep_numbers():
    made = {}

    def build(workbook, formats, ws):
        made["same"] = formats.figure("percent", 1) is formats.figure("percent", 1) is formats.percent(1)
        made["different"] = formats.figure("percent", 1) is not formats.figure("percent", 2)
        ws.write_number(0, 0, 38.9, formats.percent(1))
        ws.write_number(1, 0, 1400, formats.figure("count", 0, "estimate"))
        ws.write_number(2, 0, 66000, formats.money())

    ws = written(build).active
    assert made == {"same": True, "different": True}
    assert (ws["A1"].value, ws["A1"].number_format) == (38.9, '0.0"%"')
    assert ws["A2"].value == 1400 and ws["A2"].font.i  # estimates are italic too
    assert ws["A3"].number_format == "£#,##0" and not ws["A3"].font.i


def test_rag_rules_cover_several_ranges_with_accessible_colours():
    def build(workbook, formats, ws):
        formats.add_rag_formats(ws, "B2:B4 D2:F4")

    ws = written(build).active
    entries = list(ws.conditional_formatting)
    assert len(entries) == 1 and str(entries[0].sqref) == "B2:B4 D2:F4"
    colours = {}
    for rule in entries[0].rules:
        assert rule.type == "cellIs" and rule.operator == "equal"
        colours[rule.formula[0].strip('"')] = (
            rule.dxf.fill.bgColor.rgb[-6:].lower(),
            rule.dxf.font.color.rgb[-6:].lower(),
        )
    assert colours == {letter: (fill[1:], text[1:]) for letter, (fill, text) in RAG_COLOURS.items()}
    assert colours["R"] == ("d4351c", "ffffff") and colours["A"][1] == "0b0c0c"


def evaluate(formula: str, value: float, target: float) -> bool:
    """Evaluate one of our conditional-format formulas for one cell (B2 against $C2)."""
    expression = formula.lstrip("=").replace("$C2", repr(target)).replace("B2", repr(value))
    expression = expression.replace("AND(", "all_of(").replace("ISNUMBER(", "is_number(").replace("ABS(", "abs(")
    assert re.fullmatch(r"[\w().,<>=+\-* ]+", expression), expression
    return eval(expression, {"all_of": lambda *conditions: all(conditions), "abs": abs,  # noqa: S307
                             "is_number": lambda v: isinstance(v, (int, float))})


def target_rules(polarity: str, green: float, amber: float) -> dict[str, str]:
    def build(workbook, formats, ws):
        formats.add_target_formats(ws, "B2:B9", "$C2", polarity, green, amber)

    rules = [rule for entry in written(build).active.conditional_formatting for rule in entry.rules]
    assert all(rule.type == "expression" for rule in rules)
    by_fill = {rule.dxf.fill.bgColor.rgb[-6:].lower(): rule.formula[0] for rule in rules}
    return {letter: by_fill[fill[1:]] for letter, (fill, _text) in RAG_COLOURS.items()}


@pytest.mark.parametrize("polarity, cases", [
    ("higher_is_better", [(120, "G"), (100, "G"), (98, "G"), (97.9, "A"), (90, "A"), (89.9, "R"), (0, "R")]),
    ("lower_is_better", [(50, "G"), (100, "G"), (102, "G"), (102.1, "A"), (110, "A"), (110.5, "R")]),
])
def test_target_rules_give_exactly_one_colour(polarity, cases):
    rules = target_rules(polarity, 0.02, 0.1)
    for value, expected in cases:
        matched = [letter for letter, formula in rules.items() if evaluate(formula, value, 100)]
        assert matched == [expected], (value, matched)


def test_target_rules_without_tolerance_and_bad_polarity():
    rules = target_rules("higher_is_better", 0.0, 0.1)
    assert [letter for letter, f in rules.items() if evaluate(f, 99.99, 100)] == ["A"]
    assert [letter for letter, f in rules.items() if evaluate(f, 100, 100)] == ["G"]

    def build(workbook, formats, ws):
        formats.add_target_formats(ws, "B2:B3", "$C2", "sideways")

    with pytest.raises(ValueError, match="polarity"):
        written(build)


def test_setup_print():
    def build(workbook, formats, ws):
        setup_print(ws, (3, 4), [30, 12.5, 8], title="Hinckley & Bosworth dashboard", subtitle="2015/16 Q4",
                    freeze_columns=1)

    ws = written(build).active
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"  # A4: it fits
    assert (ws.page_setup.scale or 100) == 100
    assert ws.print_title_rows == "$4:$5" and ws.freeze_panes == "B6"
    assert [ws.column_dimensions[c].width for c in "ABC"] == pytest.approx([30, 12.5, 8], abs=0.8)  # plus padding
    assert "Hinckley && Bosworth dashboard" in ws.oddHeader.left.text  # "&" alone is a header code
    assert ws.oddHeader.right.text.endswith("2015/16 Q4")
    assert ws.oddFooter.right.text == "Page &P of &N" and ws.oddFooter.left.text == "&A"
    assert ws.page_margins.left == 0.4


def test_print_layout_keeps_text_at_9_points_or_more():
    assert print_layout([30] * 3) == (9, 100, [])  # A4 landscape at full size
    assert print_layout([30] * 5) == (8, 100, [])  # A3
    paper, scale, breaks = print_layout([30] * 5 + [12])  # a little wider: A3, shrunk, never below 90%
    assert (paper, breaks) == (8, []) and 90 <= scale < 100
    assert print_layout([30] * 5 + [12], smallest_font=9)[2]  # 9-point text cannot shrink: split instead
    assert print_layout([30] * 6)[2]  # shrinking to fit would go below 9 pt: split
    paper, scale, breaks = print_layout([20] + [30] * 12, label_columns=1)
    assert (paper, scale) == (8, 100) and breaks and all(b > 1 for b in breaks)
    groups = [1, *breaks, 13]  # every group, with the label column, fits the A3 width
    for start, end in zip(groups, groups[1:]):
        assert sum(column_points(w) for w in [20] + [30] * (end - start)) <= 1190.6 - 57.6


def test_row_heights_fit_wrapped_text():
    assert lines_needed(None, 20) == 1
    assert lines_needed("short", 20) == 1
    assert lines_needed("x" * 200, 20) > lines_needed("x" * 100, 20) > 1
    assert lines_needed("one\ntwo\nthree", 40) == 3

    def build(workbook, formats, ws):
        assert fit_row(ws, 0, [("short", 20)]) == 1
        assert fit_row(ws, 1, [("word " * 40, 20), ("short", 10)]) == lines_needed("word " * 40, 20)
        assert fit_row(ws, 2, [(None, 5), ("", 5)]) == 1  # empty cells need a line, no more
        assert fit_row(ws, 3, [(None, 5)], min_lines=3) == 3
        assert fit_row(ws, 4, [], min_lines=0) == 0

    ws = written(build).active
    assert ws.row_dimensions[1].height is None
    assert ws.row_dimensions[2].height > 4 * 12.75
    assert ws.row_dimensions[3].height is None
    assert ws.row_dimensions[4].height == pytest.approx(3 * 12.75 + 3)


def relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_chart_years_differ_by_lightness_not_hue_alone():
    this_year, last_year = chart_series(True)["fill"]["color"], chart_series(False)["fill"]["color"]
    assert contrast(this_year, last_year) >= 2


def test_rag_and_status_text_colours_pass_wcag_aa():
    for fill, text in [*RAG_COLOURS.values(), *STATUS_COLOURS.values()]:
        assert contrast(fill, text) >= 4.5, (fill, text)
