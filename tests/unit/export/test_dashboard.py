"""The consolidated dashboard workbook, opened with openpyxl and checked against the
published seed tables it was built from."""
import io
import itertools
import random
import re
import shutil
import subprocess
import warnings
import zipfile
from dataclasses import replace

import openpyxl
import pytest
import xlsxwriter.packager

from app.export.dashboard import (
    COMPLETENESS, CONTENTS, DASHBOARD, DISTRICTS, MEASURES, NOTES, ROLLING, TRENDS, build_dashboard,
    dashboard_bytes,
)
from app.export.formats import RAG_COLOURS
from app.export.dashboard_data import (
    TOTAL_KEY, CompletenessRow, CompletenessTable, DistrictRow, DistrictTable, Suppressed, SubmissionRef,
    TrendRow, TrendTable, suppress_small_counts,
)

from tests.dashboard_sheet import columns, dashboard_rows, header_row

from .conftest import percent_text_to_number, seed_dashboard_data

STANDARD_SHEETS = [CONTENTS, DASHBOARD, DISTRICTS, MEASURES, TRENDS, ROLLING, COMPLETENESS, NOTES]
EVIL = '=HYPERLINK("http://evil.example/steal","Click me")'


def open_workbook(content: bytes, data_only: bool = False):
    with warnings.catch_warnings():  # openpyxl drops the sparklines it cannot read, and says so
        warnings.filterwarnings("ignore", "Sparkline Group extension", UserWarning)
        return openpyxl.load_workbook(io.BytesIO(content), data_only=data_only)


@pytest.fixture(scope="module")
def seed_workbook(seed):
    content = dashboard_bytes(seed_dashboard_data(seed))
    return content, open_workbook(content), open_workbook(content, data_only=True)


def row_of(ws, col: int, text: str) -> int:
    """The row whose column ``col`` (1-based) holds ``text``."""
    for (cell,) in ws.iter_rows(min_col=col, max_col=col):
        if cell.value == text:
            return cell.row
    raise AssertionError(f"{text!r} not found in column {col} of {ws.title}")


def every_cell(wb):
    """(sheet, cell) for every cell of the workbook that holds something."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                yield ws, cell


def rules_covering(ws, coordinate: str) -> list:
    return [rule for cf in ws.conditional_formatting for rule in cf.rules if coordinate in cf.sqref]


def has_rag_rules(ws, coordinate: str) -> bool:
    formulas = {formula for rule in rules_covering(ws, coordinate) if rule.type == "cellIs"
                for formula in rule.formula}
    return {'"R"', '"A"', '"G"'} <= formulas


# ---- structure ------------------------------------------------------------------------------


def test_sheets_exist_in_order(seed_workbook):
    _content, wb, _values = seed_workbook
    assert wb.sheetnames == STANDARD_SHEETS


def test_contents_links_every_sheet_and_lists_submissions(seed_workbook, seed_data):
    _content, wb, _values = seed_workbook
    ws = wb[CONTENTS]
    links = {cell.value: cell.hyperlink.location for row in ws.iter_rows() for cell in row if cell.hyperlink}
    assert links == {name: f"'{name}'!A1" for name in STANDARD_SHEETS[1:]}
    assert ws.cell(row_of(ws, 1, "Period"), 2).value == "2015/16 Q4"
    assert ws.cell(row_of(ws, 1, "Data as at"), 2).value == seed_data.data_as_at
    for submission in seed_data.submissions:
        r = row_of(ws, 1, submission.agency)
        assert [c.value for c in ws[r][:4]] == [submission.agency, submission.template, submission.version,
                                               submission.received_at]


def test_print_settings_on_every_sheet(seed_workbook):
    """Every sheet prints landscape on A4 or A3 at 90% or more of its 10-point text (no
    fitting to a page width, which shrank the Dashboard to 6 pt)."""
    _content, wb, _values = seed_workbook
    for ws in wb.worksheets:
        assert ws.page_setup.paperSize in (8, 9), ws.title
        assert ws.page_setup.orientation == "landscape", ws.title
        assert not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (ws.page_setup.scale or 100) >= 90, ws.title
        assert ws.print_title_rows, ws.title
        assert ws.freeze_panes, ws.title
        assert "&P" in ws.oddFooter.right.text and ws.title in ws.oddHeader.left.text
    dashboard = wb[DASHBOARD]
    header = header_row(dashboard)
    assert dashboard.print_title_rows == f"${header}:${header}" and dashboard.freeze_panes == f"A{header + 1}"


# ---- Dashboard (Appendix 1) ----------------------------------------------------------------------


def test_dashboard_rows_equal_the_published_appendix(seed_workbook, seed):
    _content, wb, _values = seed_workbook
    ws = wb[DASHBOARD]
    heads = columns(ws)
    codes = list(seed["leicestershire_dashboard_2015_16_q4"]["area_codes"].values())
    assert [ws.cell(header_row(ws), heads["Peer comparison"] + 1 + i).value for i in range(len(codes))] == codes
    rows = dashboard_rows(ws)
    for outcome in seed["leicestershire_dashboard_2015_16_q4"]["outcomes"]:
        for indicator in outcome["indicators"]:
            row = rows[indicator["name"]]
            assert (row.outcome, row.overall_rag, row.overall_comment) == (
                outcome["outcome"], outcome["overall_rag"], outcome["comment"])
            assert row["Previous"] == indicator["previous"]
            assert row["Latest"] == indicator["latest"]
            assert row["Progress RAG"] == indicator["progress"]
            assert row["Peer comparison"] == indicator.get("county_comparison")  # the paper's position
            if indicator.get("direction"):
                assert row["Direction of travel"].endswith(indicator["direction"].capitalize())
            for code in codes:
                assert row[code] in "RAG"


def test_periods_and_flags_have_their_own_cell_and_the_figure_a_plain_number(seed_workbook):
    """A period (or flag) carried in a number format printed as ### in a narrow column
    (issue 18): each figure's period, with its flag, is in the cell before it."""
    _content, wb, _values = seed_workbook
    rows = dashboard_rows(wb[DASHBOARD])
    estimate = rows["Number of referrals to domestic abuse support services (adults)"]
    assert estimate["Latest"] == 1400 and estimate.cell("Latest").data_type == "n"
    assert estimate["Latest period"] == "2015-16 (estimate)"
    iom = rows["% Reduction in offending by IOM & PPO Offenders"]
    assert (iom["Previous period"], iom["Previous"], iom["Latest period"], iom["Latest"]) == (
        "2013-14", 38.9, "2014-15", 56.1)
    for row in rows.values():
        for header in ("Previous", "Latest"):
            assert "(" not in row.cell(header).number_format, (row, header)


def test_every_rag_cell_is_covered_by_conditional_formats(seed_workbook):
    _content, wb, _values = seed_workbook
    checked = 0
    for ws, cell in every_cell(wb):
        if cell.value in ("R", "A", "G") and cell.data_type == "s":
            assert has_rag_rules(ws, cell.coordinate), f"{ws.title}!{cell.coordinate}"
            checked += 1
    assert checked >= 12 * 9  # the dashboard's progress and district cells at least


def test_the_rag_summary_counts_each_outcomes_ratings_reds_first(seed_workbook, seed):
    _content, wb, _values = seed_workbook
    ws = wb[DASHBOARD]
    top = row_of(ws, 1, "RAG summary") + 1
    assert [ws.cell(top, c).value for c in (1, 4, 5, 6, 7, 8)] == ["Outcome", "Overall RAG", "Red", "Amber",
                                                                   "Green", "Not rated"]
    outcomes = seed["leicestershire_dashboard_2015_16_q4"]["outcomes"]
    summary = {ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(5, 9)]
               for r in range(top + 1, top + 1 + len(outcomes))}
    for outcome in outcomes:
        ratings = [i["progress"] for i in outcome["indicators"]]
        assert summary[outcome["outcome"]] == [ratings.count("R"), ratings.count("A"), ratings.count("G"),
                                               ratings.count(None)]
    reds = [counts[0] for counts in summary.values()]
    assert reds == sorted(reds, reverse=True) and reds[0] > 0
    listed = row_of(ws, 1, "Red indicators")
    red_names = {i["name"] for o in outcomes for i in o["indicators"] if i["progress"] == "R"}
    assert {ws.cell(r, 1).value for r in range(listed + 1, listed + 1 + len(red_names))} == red_names


def test_missing_figures_are_never_zero(seed, seed_workbook):
    _content, wb, _values = seed_workbook
    rows = dashboard_rows(wb[DASHBOARD])
    assert rows["Number of referrals to domestic abuse support services (adults)"]["Progress RAG"] is None
    data = seed_dashboard_data(seed)
    block = data.outcomes[0]
    row = replace(block.rows[0], latest=None, latest_flag="not_yet_released", previous=None)
    data = replace(data, outcomes=[replace(block, rows=[row, *block.rows[1:]]), *data.outcomes[1:]])
    written = dashboard_rows(open_workbook(dashboard_bytes(data))[DASHBOARD])[row.indicator]
    assert written["Previous"] is None
    assert written["Latest"] == "not yet released"


# ---- District tables (Appendix 2) ---------------------------------------------------------------------


def test_district_table_equals_appendix_2_with_summed_totals(seed_workbook, seed):
    _content, wb, values = seed_workbook
    ws, cached = wb[DISTRICTS], values[DISTRICTS]
    rows = seed["leicestershire_da_sv_service_dec2015_mar2016"]["rows"]
    header = row_of(ws, 1, "Indicator")
    assert [c.value for c in ws[header][:11]] == ["Indicator", *seed["leicestershire_dashboard_2015_16_q4"]["areas"],
                                                  "Total Leics County", "LLR figure", "LLR target"]
    for name, figures in rows.items():
        r = row_of(ws, 1, name)
        assert [c.value for c in ws[r][1:8]] == figures[:7]
        assert ws.cell(r, 9).value == f"=SUM(B{r}:H{r})"
        assert cached.cell(r, 9).value == figures[7] == sum(figures[:7])
        assert [ws.cell(r, 10).value, ws.cell(r, 11).value] == figures[8:]
    note_row = row_of(ws, 1, "Helpline calls received")
    assert ws.cell(note_row, 12).value == "District and county figures are Q4 only."


def test_district_wider_figure_is_coloured_against_target_by_formula(seed_workbook):
    _content, wb, _values = seed_workbook
    ws = wb[DISTRICTS]
    r = row_of(ws, 1, "Helpline calls received")
    rules = [rule for rule in rules_covering(ws, f"J{r}") if rule.type == "expression"]
    assert len(rules) == 3
    formulas = " ".join(rule.formula[0] for rule in rules)
    assert f"J{r}>=$K{r}" in formulas and f"ISNUMBER($K{r})" in formulas
    assert not rules_covering(ws, f"B{r}")  # district figures are parts, not against the LLR target


def colour_of(ws, coordinate: str) -> str | None:
    """The RAG colour the sheet's formula rules give a cell, read the way Excel and
    LibreOffice do: each rule's formula is written for the top-left cell of its range
    and shifts with the cell."""
    fills = {fill[1:]: letter for letter, (fill, _text) in RAG_COLOURS.items()}
    cell = ws[coordinate]
    matched = []
    for entry in ws.conditional_formatting:
        if coordinate not in entry.sqref:
            continue
        anchor = min(cell_range.min_row for cell_range in entry.sqref.ranges)
        for rule in entry.rules:
            shift = cell.row - anchor
            formula = re.sub(r"(\$?[A-Z]+)(\d+)", lambda m, shift=shift: f"{m[1]}{int(m[2]) + shift}", rule.formula[0])
            expression = re.sub(r"\$?([A-Z]+\d+)", lambda m: repr(ws[m[1]].value), formula)
            # Our rules are AND(...) of single-argument calls: commas only separate its
            # conditions, and "and" stops at the first false one, as a blank must.
            expression = expression.replace("AND(", "(").replace(",", " and ")
            expression = expression.replace("ISNUMBER(", "is_number(").replace("ABS(", "abs(")
            if eval(expression, {"abs": abs, "is_number": lambda v: isinstance(v, (int, float))}):  # noqa: S307
                matched.append(fills[rule.dxf.fill.bgColor.rgb[-6:].lower()])
    assert len(matched) <= 1, (coordinate, matched)
    return matched[0] if matched else None


def test_target_colours_follow_each_rows_polarity(seed_data):
    cases = [("higher_is_better", 100, 100, "G"), ("lower_is_better", 100, 50, "R"), ("higher_is_better", 95, 100, "A"),
             ("lower_is_better", 104, 100, "A"), ("higher_is_better", 50, 100, "R"), ("lower_is_better", 10, 100, "G"),
             (None, 10, 100, None), ("higher_is_better", None, 100, None)]
    rows = [DistrictRow(f"case {i}", {"B": 1}, 1, "complete", wider=wider, target=target, polarity=polarity,
                        green_within=0.02) for i, (polarity, wider, target, _) in enumerate(cases)]
    table = DistrictTable("Colours", "2015/16 Q4", [("B", "Blaby")], "Total", "Wider", "Target", rows)
    ws = open_workbook(dashboard_bytes(replace(seed_data, district_tables=[table])))[DISTRICTS]
    # One set of rules per polarity, over all its rows: not one per row.
    assert sorted(len(entry.rules) for entry in ws.conditional_formatting) == [3, 3]
    for i, (_polarity, _wider, _target, expected) in enumerate(cases):
        assert colour_of(ws, f"D{row_of(ws, 1, f'case {i}')}") == expected, cases[i]


def test_incomplete_and_mismatched_totals_are_written_as_given_and_flagged(seed, seed_data):
    table = seed_data.district_tables[0]
    first, second = table.rows[:2]
    incomplete = replace(first, values={**first.values, "B": None}, total=first.total - 39, total_status="incomplete")
    mismatch = replace(second, total=second.total + 1)  # "complete", but not the sum
    data = replace(seed_data, district_tables=[replace(table, rows=[incomplete, mismatch])])
    ws = open_workbook(dashboard_bytes(data))[DISTRICTS]
    r = row_of(ws, 1, first.indicator)
    assert ws.cell(r, 2).value is None
    assert ws.cell(r, 9).value == 734 - 39 and "(incomplete)" in ws.cell(r, 9).number_format
    r = row_of(ws, 1, second.indicator)
    assert ws.cell(r, 9).value == 636 and "(check)" in ws.cell(r, 9).number_format


# ---- Outcome measures (Table 2) --------------------------------------------------------------------------


def test_outcome_measures_with_na_and_numbered_footnotes(seed_workbook, seed):
    _content, wb, _values = seed_workbook
    ws = wb[MEASURES]
    reasons = []
    for row in seed["leicestershire_da_sv_outcomes_dec2015_mar2016"]["rows"]:
        r = row_of(ws, 1, row["outcome"])
        assert ws.cell(r, 2).value == row["target"]
        if row["performance"] is None:
            reasons.append(row["not_available_reason"])
            assert ws.cell(r, 3).value == f"N/A (note {len(reasons)})"
            assert ws.cell(r, 4).value is None
        else:
            assert ws.cell(r, 3).value == row["performance"]
            assert ws.cell(r, 4).value == "G"
            assert [rule.type for rule in rules_covering(ws, f"C{r}")] == ["expression"] * 3
    for number, reason in enumerate(reasons, start=1):
        row_of(ws, 1, f"Note {number}: {reason}")


# ---- Quarterly trends (Cambridgeshire) --------------------------------------------------------------------


def test_quarterly_trends_last_year_then_this_year(seed_workbook, seed):
    content, wb, _values = seed_workbook
    ws = wb[TRENDS]
    indicators = seed["cambridgeshire_da_quarterly_2014_15"]["indicators"]
    for name, figures in indicators.items():
        r = row_of(ws, 1, name)
        last_year = figures.get("2013/14", [None] * 4)
        assert [c.value for c in ws[r][1:9]] == [*last_year, *figures["2014/15"]]
    court = row_of(ws, 1, "Total number of domestic abuse cases that went to court")
    assert "Q2 2014/15, Q3 2014/15: not yet released" in ws.cell(court, 11).value
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet5.xml").decode()
        charts = [name for name in archive.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", name)]
    assert sheet_xml.count("<x14:sparkline>") == len(indicators)
    for name in indicators:  # each row's sparkline sits in its Trend cell and draws its own 8 quarters
        r = row_of(ws, 1, name)
        assert f"<xm:f>'Quarterly trends'!B{r}:I{r}</xm:f><xm:sqref>J{r}</xm:sqref>" in sheet_xml
    assert len(charts) == 6  # one per theme: none has more than six indicators


def test_trend_row_with_every_quarter_and_no_note_has_an_empty_note(seed_data):
    table = TrendTable("Theme", "count", "2014/15", "2013/14", [TrendRow("Complete", [1, 2, 3, 4], [5, 6, 7, 8])])
    ws = open_workbook(dashboard_bytes(replace(seed_data, trend_tables=[table])))[TRENDS]
    r = row_of(ws, 1, "Complete")
    assert [c.value for c in ws[r][1:9]] == [5, 6, 7, 8, 1, 2, 3, 4]
    assert ws.cell(r, 11).value is None


# ---- Rolling 12 months (Table 4) -------------------------------------------------------------------------


def test_rolling_table_change_formulas_cache_the_published_change(seed_workbook, seed):
    _content, wb, values = seed_workbook
    ws, cached = wb[ROLLING], values[ROLLING]
    for name, (previous, latest, change, ytd) in seed["rotherham_da_table4_2017"]["rows"].items():
        r = row_of(ws, 1, name)
        assert ws.cell(r, 4).data_type == "f"
        result = cached.cell(r, 4).value
        if isinstance(previous, str):  # percentages: the change is in percentage points
            assert ws.cell(r, 4).value == f"=C{r}-B{r}"
            assert round(result) == percent_text_to_number(change)
        else:
            assert ws.cell(r, 4).value == f"=C{r}/B{r}-1"
            assert round(result * 100) == percent_text_to_number(change)
            assert [ws.cell(r, 2).value, ws.cell(r, 3).value, ws.cell(r, 5).value] == [previous, latest, ytd]


def test_every_formula_has_a_cached_number(seed_workbook):
    _content, wb, values = seed_workbook
    formulas = 0
    for ws, cell in every_cell(wb):
        if cell.data_type == "f":
            formulas += 1
            cached = values[ws.title][cell.coordinate].value
            assert isinstance(cached, (int, float)), f"{ws.title}!{cell.coordinate} {cell.value}"
    assert formulas == 7 + 6 + 4  # county totals, % changes, returns received


# ---- Completeness and notes ----------------------------------------------------------------------------------


def test_completeness_statuses_coloured_and_counted(seed_workbook, seed_data):
    _content, wb, values = seed_workbook
    ws = wb[COMPLETENESS]
    for entry in seed_data.completeness.rows:
        r = row_of(ws, 1, entry.agency)
        assert [c.value for c in ws[r][2:6]] == entry.statuses
        status_rules = {rule.formula[0] for rule in rules_covering(ws, f"C{r}")}
        assert status_rules == {'"received"', '"late"', '"missing"', '"not yet due"'}
    total = row_of(ws, 1, "Returns received")
    assert [values[COMPLETENESS].cell(total, col).value for col in range(3, 7)] == [3, 2, 2, 1]


def test_notes_sheet_has_definitions_and_legends(seed_workbook, seed_data):
    _content, wb, _values = seed_workbook
    ws = wb[NOTES]
    for definition in seed_data.definitions:
        r = row_of(ws, 1, definition.name)
        assert [c.value for c in ws[r][:7]] == [definition.name, definition.outcome, definition.definition,
                                               definition.source, definition.unit_label, definition.polarity_label,
                                               definition.rag_rule]
    for label in ("estimate", "provisional", "N/A", "not yet released", "<5", "[c]"):
        row_of(ws, 1, label)
    assert ws.cell(row_of(ws, 1, "HB"), 2).value == "Hinckley & Bosworth"


# ---- text from agencies stays text -------------------------------------------------------------------------------


def test_agency_text_is_never_a_formula(seed, seed_data):
    block = seed_data.outcomes[0]
    row = replace(block.rows[0], rag_reason=EVIL, significance="=1+1", county_comparison="@SUM(A1)")
    district = seed_data.district_tables[0]
    measures = seed_data.measure_tables[0]
    trend = seed_data.trend_tables[0]
    data = replace(
        seed_data,
        outcomes=[replace(block, overall_comment=EVIL, rows=[row, *block.rows[1:]]), *seed_data.outcomes[1:]],
        district_tables=[replace(district, rows=[replace(district.rows[0], note="=2+2"), *district.rows[1:]])],
        measure_tables=[replace(measures, rows=[replace(measures.rows[2], na_reason="=cmd|' /C calc'!A0")])],
        trend_tables=[replace(trend, rows=[replace(trend.rows[0], note="+44 1234")])],
        completeness=CompletenessTable(["2015/16 Q4"], [CompletenessRow("=EVIL()", "-2+3", ["received"])]),
        submissions=[SubmissionRef("=HYPERLINK(\"x\")", "=TEMPLATE", 1, seed_data.generated_at)],
    )
    wb = open_workbook(dashboard_bytes(data))
    dashboard = wb[DASHBOARD]
    written = dashboard_rows(dashboard)[row.indicator]
    outcome_row = written.row - 1  # the outcome's own row, above its first indicator
    reason_col = columns(dashboard)["RAG reason and commentary"]
    expected = {
        (DASHBOARD, dashboard.cell(outcome_row, reason_col).coordinate): EVIL,
        (DASHBOARD, written.cell("RAG reason and commentary").coordinate): EVIL,
        (DASHBOARD, written.cell("Significance").coordinate): "=1+1",
        (DASHBOARD, written.cell("County comparison").coordinate): "@SUM(A1)",
        (DISTRICTS, f"L{row_of(wb[DISTRICTS], 1, district.rows[0].indicator)}"): "=2+2",
        (TRENDS, f"K{row_of(wb[TRENDS], 1, trend.rows[0].indicator)}"): "+44 1234; Q4 2014/15: not yet due",
        (COMPLETENESS, "A5"): "=EVIL()",
        (COMPLETENESS, "B5"): "-2+3",
        (CONTENTS, f"A{row_of(wb[CONTENTS], 2, '=TEMPLATE')}"): '=HYPERLINK("x")',
    }
    for (sheet, coordinate), text in expected.items():
        cell = wb[sheet][coordinate]
        assert (cell.value, cell.data_type) == (text, "s"), f"{sheet}!{coordinate}"
    row_of(wb[MEASURES], 1, "Note 1: =cmd|' /C calc'!A0")
    # The only formulas anywhere are the ones the exporter writes.
    for ws, cell in every_cell(wb):
        if cell.data_type == "f":
            assert re.fullmatch(r'=(SUM\([A-Z]+\d+:[A-Z]+\d+\)|C\d+[-/]B\d+(-1)?|COUNTIF\(.*,"received"\))',
                                cell.value), f"{ws.title}!{cell.coordinate}: {cell.value}"


def test_internal_comment_is_marked_and_left_out_of_the_public_version(seed_data):
    block = replace(seed_data.outcomes[0], comment_internal=True)
    data = replace(seed_data, outcomes=[block, *seed_data.outcomes[1:]])
    ws = open_workbook(dashboard_bytes(data))[DASHBOARD]
    assert dashboard_rows(ws)[block.rows[0].indicator].overall_comment == "Internal: " + block.overall_comment
    public = open_workbook(dashboard_bytes(replace(data, public=True)))
    ws = public[DASHBOARD]
    assert dashboard_rows(ws)[block.rows[0].indicator].overall_comment is None
    assert "Public version" in public[CONTENTS].cell(row_of(public[CONTENTS], 1, "Version"), 2).value


# ---- determinism, extra sheets, files ------------------------------------------------------------------------------


def test_same_data_gives_identical_bytes(seed):
    assert dashboard_bytes(seed_dashboard_data(seed)) == dashboard_bytes(seed_dashboard_data(seed))
    later = seed_dashboard_data(seed)
    assert dashboard_bytes(replace(later, generated_at=later.generated_at.replace(minute=31))) != \
        dashboard_bytes(later)


def test_extra_sheets_follow_the_standard_ones_and_are_on_contents(seed_data):
    def sheet_writer(name):
        def write(workbook, formats):
            workbook.add_worksheet(name).write_string(0, 0, name, formats.title)
        return write

    names = ["DHR cases", "Partners' actions"]
    wb = open_workbook(dashboard_bytes(replace(seed_data, extra_sheets=[sheet_writer(name) for name in names])))
    assert wb.sheetnames == [*STANDARD_SHEETS, *names]
    contents = wb[CONTENTS]
    assert contents.cell(row_of(contents, 1, "DHR cases"), 1).hyperlink.location == "'DHR cases'!A1"
    assert contents.cell(row_of(contents, 1, "Partners' actions"), 1).hyperlink.location == "'Partners'' actions'!A1"


def test_workbook_is_assembled_in_memory(monkeypatch, seed_data):
    """No part of the workbook (restricted DHR figures included) goes through a temporary file."""
    def no_temp_files(*args, **kwargs):
        raise AssertionError("a workbook part was written to a temporary file")

    monkeypatch.setattr(xlsxwriter.packager.tempfile, "mkstemp", no_temp_files)
    assert open_workbook(dashboard_bytes(seed_data)).sheetnames == STANDARD_SHEETS


def test_build_to_a_path(tmp_path, seed_data):
    target = tmp_path / "dashboard.xlsx"
    build_dashboard(seed_data, str(target))
    assert target.read_bytes() == dashboard_bytes(seed_data)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (make test installs it)")
def test_libreoffice_renders_the_workbook_to_pdf(tmp_path, seed_workbook):
    content, _wb, _values = seed_workbook
    source = tmp_path / "dashboard.xlsx"
    source.write_bytes(content)
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)], capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "dashboard.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= len(STANDARD_SHEETS)
        assert "(A3)" in info


# ---- public version: suppression ---------------------------------------------------------------------------------

AREAS = ["B", "C", "H", "HB", "M", "NW", "O"]


def district_data(seed_data, rows, areas=AREAS):
    table = DistrictTable(
        "Small counts", "2015/16 Q4", [(code, code) for code in areas], "County", "LLR", "Target", rows
    )
    return replace(seed_data, district_tables=[table])


def count_row(values, name="Referrals"):
    values = dict(zip(AREAS, values))
    total = sum(v for v in values.values() if v is not None)
    return DistrictRow(name, values, total, "complete")


def test_single_small_count_hides_the_next_smallest_district(seed_data):
    data = suppress_small_counts(district_data(seed_data, [count_row([3, 230, 58, 143, 51, 0, 65])]))
    row = data.district_tables[0].rows[0]
    assert row.values["B"] == Suppressed(True) and row.values["B"].label == "<5"
    assert row.values["M"] == Suppressed(False) and row.values["M"].label == "[c]"  # 51, the next smallest
    assert row.values["NW"] == 0  # zero is shown: it identifies no one, and hiding it protects nothing
    assert row.total == 550
    assert [row.values[code] for code in ("C", "H", "HB", "O")] == [230, 58, 143, 65]


def test_total_is_hidden_when_no_district_is_left_to_hide(seed_data):
    # The county's own return says 9; the only district reporting anything has 2.
    row = replace(count_row([2, 0, 0, None, 0, 0, 0]), total=9, total_status="mismatch")
    row = suppress_small_counts(district_data(seed_data, [row])).district_tables[0].rows[0]
    assert row.values["B"].label == "<5" and row.total == Suppressed(False)
    small_total = suppress_small_counts(district_data(seed_data, [count_row([2, 0, 0, None, 0, 0, 0])]))
    assert small_total.district_tables[0].rows[0].total == Suppressed(True)


def test_small_total_and_wider_figures_are_hidden(seed_data):
    row = replace(count_row([1, 1, 0, 0, 0, 0, 0]), wider=4)
    hidden = suppress_small_counts(district_data(seed_data, [row])).district_tables[0].rows[0]
    assert hidden.total.label == "<5" and hidden.wider.label == "<5"


def test_rates_from_hidden_counts_are_hidden(seed_data):
    counts = [3, 230, 58, 143, 51, 0, 65]
    rate = DistrictRow("Rate per 1,000", {code: n / 10 for code, n in zip(AREAS, counts)}, 55.0, "complete",
                       unit="rate", decimals=1,
                       numerators={**dict(zip(AREAS, counts)), TOTAL_KEY: sum(counts)})
    hidden = suppress_small_counts(district_data(seed_data, [rate])).district_tables[0].rows[0]
    assert {code for code, value in hidden.values.items() if isinstance(value, Suppressed)} == {"B", "M"}
    assert hidden.values["C"] == 23.0 and hidden.total == 55.0


def reader_candidates(row: DistrictRow, threshold: int = 5) -> dict[str, set[int]]:
    """What a reader who knows the rule can work out: every assignment of the hidden
    districts consistent with the shown total ("<5" is 1..4, "[c]" at least 5)."""
    hidden = [code for code in AREAS if isinstance(row.values.get(code), Suppressed)]
    shown = sum(v for v in row.values.values() if isinstance(v, (int, float)))
    difference = row.total - shown
    ranges = [range(1, threshold) if row.values[code].primary else range(threshold, difference + 1)
              for code in hidden]
    candidates = {code: set() for code in hidden}
    for combination in itertools.product(*ranges):
        if sum(combination) == difference:
            for code, value in zip(hidden, combination):
                candidates[code].add(value)
    return candidates


def test_no_hidden_district_can_be_recovered_from_the_total(seed_data):
    generator = random.Random(20160601)
    rows = [count_row([generator.choice([0, 1, 2, 3, 4, 5, 6, 9, 12, 30]) for _ in AREAS], name=f"Row {i}")
            for i in range(400)]
    rows.append(count_row([1, 1, 40, 50, 60, 70, 80], name="two ones"))  # two 1s sum to 2: both pinned
    rows.append(count_row([4, 4, 40, 50, 60, 70, 80], name="two fours"))
    rows.append(count_row([1, 5, 40, 50, 60, 70, 80], name="one and five"))  # 1 + [c]5: "[c]" >= 5 pins it
    original = {row.indicator: row for row in rows}
    suppressed = suppress_small_counts(district_data(seed_data, rows)).district_tables[0].rows
    hidden_rows = 0
    for row in suppressed:
        true_values = original[row.indicator].values
        for code in AREAS:  # every small count is hidden, everything shown is true
            value = row.values[code]
            if 0 < true_values[code] < 5:
                assert value == Suppressed(True)
            elif not isinstance(value, Suppressed):
                assert value == true_values[code]
        if not any(isinstance(v, Suppressed) for v in row.values.values()):
            continue
        hidden_rows += 1
        if isinstance(row.total, Suppressed):
            continue
        for code, values in reader_candidates(row).items():
            assert true_values[code] in values and len(values) >= 2, (row.indicator, code, values)
    assert hidden_rows > 300
    extra = {row.indicator: row for row in suppressed}
    assert isinstance(extra["two ones"].values["H"], Suppressed)
    assert isinstance(extra["one and five"].values["H"], Suppressed)


def test_trend_dashboard_and_rolling_counts_are_hidden_and_suppression_is_idempotent(seed_data):
    trend = TrendTable("Court", "count", "2014/15", "2013/14",
                       [TrendRow("Cases", [3, 219, None, 0], [12, 4, 5, 6])])
    data = replace(seed_data, trend_tables=[trend])
    hidden = suppress_small_counts(data)
    row = hidden.trend_tables[0].rows[0]
    assert row.this_year == [Suppressed(True), 219, None, 0]
    assert row.last_year == [12, Suppressed(True), 5, 6]
    assert suppress_small_counts(hidden) == hidden
    # Percentages and rates are left alone unless their numerator is small.
    assert hidden.outcomes == data.outcomes and hidden.rolling_tables == data.rolling_tables
    rolling = seed_data.rolling_tables[0]
    small = replace(rolling.rows[2], previous=4)
    hidden = suppress_small_counts(replace(seed_data, rolling_tables=[replace(rolling, rows=[small])]))
    assert hidden.rolling_tables[0].rows[0].previous.label == "<5"
    assert hidden.rolling_tables[0].rows[0].change_text == "[c]"
    block = seed_data.outcomes[2]
    percent = replace(block.rows[0], latest_numerator=3)
    hidden = suppress_small_counts(replace(seed_data, outcomes=[replace(block, rows=[percent])]))
    assert hidden.outcomes[0].rows[0].latest.label == "[c]" and hidden.outcomes[0].rows[0].previous == 29.2


def test_suppressed_workbook_shows_labels_not_formulas(seed_data):
    data = suppress_small_counts(district_data(seed_data, [count_row([3, 230, 58, 143, 51, 0, 65])]))
    wb = open_workbook(dashboard_bytes(replace(data, public=True)))
    ws = wb[DISTRICTS]
    r = row_of(ws, 1, "Referrals")
    assert ws.cell(r, 2).value == "<5" and ws.cell(r, 6).value == "[c]"
    assert ws.cell(r, 9).value == 550 and ws.cell(r, 9).data_type == "n"  # a SUM over "<5" would be wrong


@pytest.mark.parametrize("public, text", [(False, "No uploaded returns: the figures were entered or loaded directly."),
                                          (True, "Not listed in the public version.")])
def test_contents_says_why_no_submissions_are_listed(seed, public, text):
    data = replace(seed_dashboard_data(seed), submissions=[], public=public)
    contents = open_workbook(dashboard_bytes(data))["Contents"]
    assert text in [c.value for row in contents.iter_rows() for c in row]


def test_a_table_that_would_not_fit_on_the_page_starts_the_next(seed_data):
    """Issue 18: on a sheet of several tables only the title rows repeat, so a table split
    over two pages lost its title and header; one that would not fit starts a new page."""
    table = seed_data.district_tables[0]
    tables = [replace(table, title=f"Table {n}") for n in range(1, 9)]
    ws = open_workbook(dashboard_bytes(replace(seed_data, district_tables=tables)))[DISTRICTS]
    breaks = [brk.id for brk in ws.row_breaks.brk]
    titles = {row_of(ws, 1, f"Table {n} — {table.period_label}") for n in range(1, 9)}
    assert breaks and all(b + 1 in titles for b in breaks)  # a break sits just above a table's title
    assert min(titles) - 1 not in breaks  # never before the first
