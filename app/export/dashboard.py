"""The consolidated dashboard workbook a board receives.

Flask-free: ``build_dashboard(data, target)`` writes a ``DashboardData`` (see
``dashboard_data``) with XlsxWriter. Sheets, in order: Contents, Dashboard (Leicestershire
Appendix 1), District tables (Appendix 2), Outcome measures (Table 2), Quarterly trends
(Cambridgeshire), Rolling 12 months (Rotherham Table 4), Completeness, Notes and
definitions, then ``data.extra_sheets`` (the DHR and action plan sheets, added by their
own issues), all listed on Contents.

Rules kept on every sheet
- Every text is written with ``write_string`` (and the workbook cannot turn strings into
  formulas), so an agency's comment "=HYPERLINK(...)" stays a comment.
- Numbers are numbers; a missing figure is a blank cell or its flag's words, never 0.
- RAG letters stay in the cells; colours are conditional formats over ranges.
- Each formula (county totals, % change, returns received) carries its result as the
  cached value, so readers that do not recalculate show the right figure.
- The same data gives the same bytes: the creation time is ``data.generated_at``.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import IO

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from app.export.dashboard_data import (
    FLAGS, SUPPRESSED_LEGEND, TOTAL_KEY, WIDER_KEY, DashboardData, DistrictRow, DistrictTable, Figure,
    MeasureTable, OutcomeBlock, RollingRow, RollingTable, Suppressed, TrendTable,
)
from app.export.formats import (
    CHART_FONT, PRINTABLE_HEIGHT, Formats, chart_series, fit_row, lines_needed, print_layout, row_height,
    setup_print,
)
from app.export.xlsx import close_workbook, new_workbook
from app.indicators.rag import most_reds_first, rag_counts
from app.vocabulary import NO_SAME_PERIOD, RAG_NAMES, SAME_PERIOD_LAST_YEAR, direction_text

CONTENTS = "Contents"
DASHBOARD = "Dashboard"
DISTRICTS = "District tables"
MEASURES = "Outcome measures"
TRENDS = "Quarterly trends"
ROLLING = "Rolling 12 months"
COMPLETENESS = "Completeness"
NOTES = "Notes and definitions"
SHEET_DESCRIPTIONS = {
    DASHBOARD: "Outcomes, supporting indicators, previous year and latest, direction of travel, "
               "progress RAG, peer, county and district comparison.",
    DISTRICTS: "Indicators by district with the county total, the wider footprint and its target.",
    MEASURES: "Outcome measures against their targets; N/A reasons as numbered notes.",
    TRENDS: "Quarters this year beside last year, with a sparkline per indicator and charts per theme.",
    ROLLING: "Rolling 12 months compared with the 12 months before, and year to date.",
    COMPLETENESS: "Which agencies' returns were received, late or missing, by period.",
    NOTES: "Each indicator's definition, source, unit, polarity and RAG rule; keys to RAG, flags and districts.",
}
FIRST_TABLE_ROW = 3  # rows 0-1 hold the sheet's title and the partnership/period line
# Trend charts, in pixels: a bar pair per indicator, under its table.
CHART_WIDTH, CHART_BASE_HEIGHT, CHART_BAR_HEIGHT, CHART_MAX_HEIGHT = 720, 120, 34, 1400
DEFAULT_ROW_PIXELS = 20
PLAIN_NUMBERS = frozenset({int, float})
RANGES_PER_RULE = 64  # areas in one rule's range: keep it well inside what Excel reads


def dashboard_bytes(data: DashboardData) -> bytes:
    buffer = io.BytesIO()
    build_dashboard(data, buffer)
    return buffer.getvalue()


def build_dashboard(data: DashboardData, target: str | IO[bytes]) -> None:
    """Write the workbook for ``data`` to ``target`` (a path or a binary file object)."""
    workbook = new_workbook(target)
    workbook.set_properties({
        "title": data.title,
        "subject": f"{data.partnership}: {data.period_label}",
        "company": data.partnership,
        "created": data.generated_at,
        "comments": _version_text(data),
    })
    formats = Formats(workbook)
    contents = workbook.add_worksheet(CONTENTS)
    for name, write in ((DASHBOARD, _write_dashboard), (DISTRICTS, _write_district_tables),
                        (MEASURES, _write_measure_tables), (TRENDS, _write_trends),
                        (ROLLING, _write_rolling_tables), (COMPLETENESS, _write_completeness),
                        (NOTES, _write_notes)):
        sheet = _Sheet(workbook, workbook.add_worksheet(name), formats, data)
        write(sheet, data)
    # The DHR sheets and the action plan sheet are added here by their own issues.
    for writer in data.extra_sheets:
        writer(workbook, formats)
    # Written last, so that it lists the extra sheets too.
    _write_contents(
        _Sheet(workbook, contents, formats, data), data, [sheet.name for sheet in workbook.worksheets()[1:]]
    )
    close_workbook(workbook)


def _format_time(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y, %H:%M}"


def _version_text(data: DashboardData) -> str:
    return "Public version" if data.public else "Restricted: not for publication"


class _Sheet:
    """One worksheet and the shared formats. Text and figures are written through here
    (or, in the hottest loops, straight with write_number/write_string), so that text is
    always a string and a missing figure is never 0."""

    def __init__(self, workbook, worksheet: Worksheet, formats: Formats, data: DashboardData):
        self.workbook = workbook
        self.ws = worksheet
        self.f = formats
        self.data = data
        # Colour rules are gathered while writing and added once per sheet in finish():
        # every rule costs XlsxWriter about as much as writing a few dozen cells.
        self._rag_ranges: list[str] = []
        self._target_rows: dict[tuple, list[int]] = {}
        self._tables: list[int] = []  # the first row (its title) of each table on the sheet

    def table_at(self, row: int) -> None:
        """A table starts at ``row`` (its title): on a sheet of several tables, one that
        would not fit on what is left of a page starts the next, so its title and header
        print with its rows."""
        self._tables.append(row)

    def _table_breaks(self, widths: Sequence[float], label_columns: int) -> list[int]:
        if len(self._tables) < 2:
            return []
        paper, scale, _breaks = print_layout(widths, label_columns)
        page = PRINTABLE_HEIGHT[paper] * 100 / scale - 2 * DEFAULT_ROW_POINTS - 45  # less the repeated title rows
        sizes = self.ws.row_sizes

        def height(first: int, last: int) -> float:
            return sum((sizes[r][0] if r in sizes and sizes[r][0] else DEFAULT_ROW_POINTS) for r in range(first, last))

        ends = [*self._tables[1:], (self.ws.dim_rowmax or self._tables[-1]) + 1]
        used, breaks = height(0, self._tables[0]), []
        for first, end in zip(self._tables, ends):
            size = height(first, end)
            if used > 2 * DEFAULT_ROW_POINTS + 45 and used + size > page:
                breaks.append(first)
                used = 0.0
            used += size
        return breaks

    def text(self, row: int, col: int, value: str | None, fmt=None) -> None:
        if value is None or value == "":
            self.ws.write_blank(row, col, None, fmt or self.f.blank)
        else:
            self.ws.write_string(row, col, str(value), fmt or self.f.text)

    def merged_text(self, first_row: int, first_col: int, last_row: int, last_col: int, value: str | None, fmt) -> None:
        if first_row != last_row or first_col != last_col:
            self.ws.merge_range(first_row, first_col, last_row, last_col, "", fmt)
        self.text(first_row, first_col, value, fmt)

    def figure(self, row: int, col: int, value: Figure, unit: str, decimals: int,
               flag: str | None = None, period: str | None = None, *, bold: bool = False) -> None:
        """A figure; ``flag`` and ``period`` (when it is not the column's) are shown in
        brackets after it, or instead of it when it is missing."""
        if value is None:
            if flag:
                self.ws.write_string(row, col, FLAGS[flag][0], self.f.missing)
            else:
                self.ws.write_blank(row, col, None, self.f.blank)
        elif isinstance(value, Suppressed):
            self.ws.write_string(row, col, value.label, self.f.suppressed)
        else:
            suffix = None
            if flag or period:  # rare: most figures are plain
                suffix = ", ".join(part for part in (period, FLAGS[flag][0] if flag else None) if part)
            self.ws.write_number(row, col, value, self.f.figure(unit, decimals, suffix, bold=bold))

    def rag(self, row: int, col: int, letter: str | None, overridden: bool = False) -> None:
        if letter is None:
            self.ws.write_blank(row, col, None, self.f.blank)
        else:
            self.ws.write_string(row, col, letter, self.f.rag_overridden if overridden else self.f.rag)

    def heading(self, title: str) -> None:
        """Rows 0-1: the sheet's title, then partnership, period, data as at, version."""
        data = self.data
        self.ws.write_string(0, 0, title, self.f.title)
        self.ws.write_string(1, 0, f"{data.partnership} · {data.period_label} · data as at "
                                   f"{_format_time(data.data_as_at)} · {_version_text(data)}", self.f.meta)

    def header_row(self, row: int, labels: Sequence[str], widths: Sequence[float], first_col: int = 0) -> None:
        for offset, label in enumerate(labels):
            self.ws.write_string(row, first_col + offset, label, self.f.header_wrap)
        fit_row(self.ws, row, list(zip(labels, widths[first_col:])))

    def colour_rag(self, cell_range: str) -> None:
        """Colour ``cell_range`` by its R/A/G letters."""
        self._rag_ranges.append(cell_range)

    def colour_against_target(self, rows: Sequence, first_row: int, value_col: int, target_col: int) -> None:
        """Colour each row's ``value_col`` against its ``target_col`` by the row's
        polarity and tolerances (rows without a polarity stay uncoloured)."""
        for index, row in enumerate(rows):
            if row.polarity is not None:
                key = (value_col, target_col, row.polarity, row.green_within, row.amber_within)
                self._target_rows.setdefault(key, []).append(first_row + index)

    def finish(self, header_rows: tuple[int, int], widths: Sequence[float], freeze_columns: int = 0,
               label_columns: int | None = None) -> None:
        """Add the gathered colour rules and the print setup."""
        if self._rag_ranges:
            self.f.add_rag_formats(self.ws, " ".join(self._rag_ranges))
        for (value_col, target_col, polarity, green, amber), rows in self._target_rows.items():
            # One set of three rules for all rows sharing a rule, as a multi-range
            # going top to bottom, so the formula's anchor (the first range's top cell)
            # is also the top-left of them all, however a reader resolves it.
            runs = _runs(rows)
            for start in range(0, len(runs), RANGES_PER_RULE):
                chunk = runs[start:start + RANGES_PER_RULE]
                ranges = " ".join(_range(first, value_col, last, value_col) for first, last in chunk)
                target = f"${xl_col_to_name(target_col)}{chunk[0][0] + 1}"
                self.f.add_target_formats(self.ws, ranges, target, polarity, green, amber)
        breaks = self._table_breaks(widths, freeze_columns if label_columns is None else label_columns)
        if breaks:
            self.ws.set_h_pagebreaks(breaks)
        setup_print(self.ws, header_rows, widths, title=f"{self.data.title}: {self.ws.name}",
                    subtitle=f"{self.data.period_label} · {_version_text(self.data)}", freeze_columns=freeze_columns,
                    label_columns=label_columns)

    def footnotes(self, row: int, notes: Sequence[tuple[str, str]], last_col: int, widths: Sequence[float]) -> int:
        """Numbered notes below a table, each across the table's width: "Note 1: " then
        the text (which may be an agency's), both parts strings. Returns the next free row."""
        text_width = sum(widths[:last_col + 1])
        for marker, note in notes:
            self.ws.merge_range(row, 0, row, last_col, "", self.f.footnote)
            self.ws.write_rich_string(row, 0, self.f.footnote_marker, f"{marker}: ", note, self.f.footnote)
            fit_row(self.ws, row, [(f"{marker}: {note}", text_width)])
            row += 1
        return row

    def key_lines(self, row: int, lines: Sequence[str]) -> int:
        for line in lines:
            self.ws.write_string(row, 0, line, self.f.note_line)
            row += 1
        return row


def _repeat_header(first_headers: tuple[int, int] | None, blocks: int) -> tuple[int, int]:
    """Rows to repeat on every printed page and freeze: a single table's header rows;
    with several tables (each with its own header) the sheet's title rows, since a
    repeated header would stand above the next table's own."""
    return first_headers if blocks == 1 and first_headers else (0, 1)


def _runs(rows: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs of consecutive rows."""
    runs: list[list[int]] = []
    for row in sorted(rows):
        if runs and runs[-1][1] == row - 1:
            runs[-1][1] = row
        else:
            runs.append([row, row])
    return [(first, last) for first, last in runs]


def _range(first_row: int, first_col: int, last_row: int, last_col: int) -> str:
    return f"{xl_rowcol_to_cell(first_row, first_col)}:{xl_rowcol_to_cell(last_row, last_col)}"


# ---- Contents -------------------------------------------------------------------------------


def _write_contents(sheet: _Sheet, data: DashboardData, sheet_names: list[str]) -> None:
    widths = [30, 70, 10, 24]
    ws, f = sheet.ws, sheet.f
    ws.write_string(0, 0, data.title, f.title)
    facts = [("Partnership", data.partnership), ("Period", data.period_label),
             ("Version", _version_text(data))]
    row = 2
    for label, value in facts:
        ws.write_string(row, 0, label, f.label)
        sheet.text(row, 1, value)
        row += 1
    for label, moment in (("Data as at", data.data_as_at), ("Generated", data.generated_at)):
        ws.write_string(row, 0, label, f.label)
        ws.write_datetime(row, 1, moment, f.datetime)
        row += 1
    if data.left_out:
        ws.merge_range(row, 0, row, 3, "", f.note)
        sheet.text(row, 0, data.left_out, f.note)
        fit_row(ws, row, [(data.left_out, sum(widths))])
        row += 1
    row += 1
    sheet.header_row(row, ["Sheet", "What it shows"], widths)
    row += 1
    for name in sheet_names:
        quoted = name.replace("'", "''")  # a quote in a sheet name is doubled in a reference
        ws.write_url(row, 0, f"internal:'{quoted}'!A1", f.link, string=name)
        sheet.text(row, 1, SHEET_DESCRIPTIONS.get(name, ""), f.text_wrap)
        fit_row(ws, row, [(SHEET_DESCRIPTIONS.get(name), widths[1])])
        row += 1
    row += 1
    ws.write_string(row, 0, "Figures from these submissions", f.subtitle)
    row += 1
    sheet.header_row(row, ["Agency", "Return template", "Version", "Received"], widths)
    row += 1
    if not data.submissions:
        empty = ("Not listed in the public version." if data.public
                 else "No uploaded returns: the figures were entered or loaded directly.")
        ws.write_string(row, 0, empty, f.note)
    for submission in data.submissions:
        sheet.text(row, 0, submission.agency, f.text_wrap)
        sheet.text(row, 1, submission.template, f.text_wrap)
        ws.write_number(row, 2, submission.version, f.integer)
        ws.write_datetime(row, 3, submission.received_at, f.datetime)
        row += 1
    sheet.finish((0, 0), widths)


# ---- Dashboard (Appendix 1) ------------------------------------------------------------------

# The columns every dashboard has, then those shown only when some row has something in
# them (significance, peer and county comparison, a column per district with a RAG): a
# column empty for the whole export is left out, so the sheet prints at full size.
DASHBOARD_COLUMNS = [
    ("indicator", "Supporting indicator", 34), ("previous_period", "Previous period", 11),
    ("previous", "Previous", 9), ("latest_period", "Latest period", 11), ("latest", "Latest", 9),
    ("trend", "Last 8 periods", 10), ("direction", "Direction of travel", 13), ("rag", "Progress RAG", 8),
    ("reason", "RAG reason and commentary", 38),
]
OPTIONAL_COLUMNS = [("significance", "Significance", 12), ("peer", "Peer comparison", 10),
                    ("county", "County comparison", 11)]
DISTRICT_WIDTH = 6
SPARK_POINTS = 8
SUMMARY_NAME_COLUMNS = 3
# Pages of the Dashboard are filled outcome by outcome: an outcome that would not fit on
# what is left of a page starts the next one, so its name heads its rows on paper.
DEFAULT_ROW_POINTS = 15


class _DashboardLayout:
    """Which columns the Dashboard has for ``data``, and where."""

    def __init__(self, data: DashboardData):
        rows = [row for block in data.outcomes for row in block.rows]
        present = {"significance": any(r.significance for r in rows),
                   "peer": any(r.peer_comparison for r in rows),
                   "county": any(r.county_comparison for r in rows)}
        columns = DASHBOARD_COLUMNS + [c for c in OPTIONAL_COLUMNS if present[c[0]]]
        self.areas = [(code, name) for code, name in data.district_codes()
                      if any(r.district_rags.get(code) for r in rows)]
        self.col = {key: index for index, (key, _label, _width) in enumerate(columns)}
        self.labels = [label for _key, label, _width in columns] + [code for code, _name in self.areas]
        self.widths = [width for _key, _label, width in columns] + [DISTRICT_WIDTH] * len(self.areas)
        self.first_district = len(columns)
        self.last = len(self.labels) - 1
        self.spark_first = self.last + 2  # the sparklines' figures: hidden columns after the table


def _rag_summary(data: DashboardData) -> list[tuple[OutcomeBlock, dict[str | None, int]]]:
    """Each outcome with its counts of R, A, G and unrated rows, those with most reds first."""
    counted = [(block, rag_counts(row.rag for row in block.rows)) for block in data.outcomes]
    return most_reds_first(counted, lambda pair: pair[1])


def _write_dashboard(sheet: _Sheet, data: DashboardData) -> None:
    ws, f = sheet.ws, sheet.f
    layout = _DashboardLayout(data)
    widths = layout.widths
    sheet.heading(data.title)
    row, heights = _write_rag_summary(sheet, data, layout, FIRST_TABLE_ROW)
    header = row + 1
    for col, label in enumerate(layout.labels):
        ws.write_string(header, col, label, f.header_wrap if col < layout.first_district else f.header_centre)
    header_lines = fit_row(ws, header, list(zip(layout.labels, widths)), min_lines=2)
    paper, scale, _breaks = print_layout(widths)
    page = PRINTABLE_HEIGHT[paper] * 100 / scale - row_height(header_lines) - 30  # less the page header's room
    row = header + 1
    first_data_row = row
    sparks: tuple[list[str], list[str]] = ([], [])
    blocks = []  # (first row, height in points) of each outcome
    for block in data.outcomes:
        block_heights = _write_outcome(sheet, block, row, layout, sparks)
        blocks.append((row, sum(block_heights)))
        row += len(block_heights)
    # The table starts under the summary if its first outcome fits there too, else on
    # the next page (a header alone at the foot of a page helps no one).
    used = heights + row_height(header_lines)
    breaks = []
    if blocks and used + blocks[0][1] > page:
        breaks.append(header)
        used = 0.0
    for first, height in blocks:
        if used and used + height > page:
            breaks.append(first)
            used = 0.0
        used += height
    last_data_row = row - 1
    if last_data_row >= first_data_row:
        sheet.colour_rag(_range(first_data_row, layout.col["rag"], last_data_row, layout.col["rag"]))
        if layout.areas:
            sheet.colour_rag(_range(first_data_row, layout.first_district, last_data_row, layout.last))
    if sparks[0]:
        # show_hidden: the figures are in hidden columns, which a sparkline skips by default.
        ws.add_sparkline(0, 0, {"location": sparks[0], "range": sparks[1], "markers": True, "show_hidden": True,
                                "weight": 1.5, "series_color": "#1d70b8", "empty_cells": "gaps"})
        ws.set_column(layout.spark_first, layout.spark_first + SPARK_POINTS - 1, 8, None, {"hidden": True})
    key = [
        "Previous and latest: the figures compared, each with the period it covers beside it. Previous is the "
        "same period a year earlier unless its period says otherwise ('the latest earlier figure'). Where "
        "nothing has been received for the latest period yet, the latest figure received is shown, with its "
        "period, and the reason says so.",
        "Last 8 periods: the indicator's figures for its last 8 periods of the same length, oldest on the left.",
        "Direction of travel shows performance, not the figure: a fall in burglary is ↑ Improving. "
        "In brackets, how it was derived: from two figures (their change, within the indicator's stable band, "
        "is Stable) or the trend over that many periods.",
        "RAG: R red, A amber, G green. A RAG with a double border was set by a manager; "
        "the reason is beside it (or in the overall comment, on the outcome's row).",
    ]
    if "peer" in layout.col:
        key.append("Peer comparison: the partnership's position among its peers (Top, Average, Bottom): worked out "
                   "from the peers' figures where they are held (within 5% of their average is Average), else as "
                   "published with the figures (the web dashboard says which).")
    if layout.areas:
        key.append("Districts: " + "; ".join(f"{code} {name}" for code, name in layout.areas) + ".")
    key_row = row + 1
    for line in key:
        sheet.merged_text(key_row, 0, key_row, layout.last, line, f.note)
        fit_row(ws, key_row, [(line, sum(widths))])
        key_row += 1
    if breaks:
        ws.set_h_pagebreaks(breaks)
    sheet.finish((header, header), widths)


def _write_rag_summary(sheet: _Sheet, data: DashboardData, layout: _DashboardLayout, row: int) -> tuple[int, float]:
    """The RAG summary above the table: R/A/G counts per outcome (most reds first), then
    the red indicators with their reasons. Returns (the last row written, its height in
    points from the top of the sheet)."""
    ws, f = sheet.ws, sheet.f
    ws.write_string(row, 0, "RAG summary", f.subtitle)
    heights = 2 * DEFAULT_ROW_POINTS + 21.0
    row += 1
    # The outcome's name across the first SUMMARY_NAME_COLUMNS columns, so it wraps less.
    labels = ["Overall RAG", RAG_NAMES["R"], RAG_NAMES["A"], RAG_NAMES["G"], "Not rated"]
    name_width = sum(layout.widths[:SUMMARY_NAME_COLUMNS])
    sheet.merged_text(row, 0, row, SUMMARY_NAME_COLUMNS - 1, "Outcome", f.header_wrap)
    for col, label in enumerate(labels, start=SUMMARY_NAME_COLUMNS):
        ws.write_string(row, col, label, f.header_wrap)
    heights += row_height(fit_row(ws, row, list(zip(labels, layout.widths[SUMMARY_NAME_COLUMNS:]))))
    first = row + 1
    for block, counts in _rag_summary(data):
        row += 1
        sheet.merged_text(row, 0, row, SUMMARY_NAME_COLUMNS - 1, block.name, f.text_wrap)
        sheet.rag(row, SUMMARY_NAME_COLUMNS, block.overall_rag, block.overall_rag_overridden)
        for col, letter in enumerate(("R", "A", "G", None), start=SUMMARY_NAME_COLUMNS + 1):
            ws.write_number(row, col, counts[letter], f.integer)
        heights += row_height(fit_row(ws, row, [(block.name, name_width)]))
    if data.outcomes:
        sheet.colour_rag(_range(first, SUMMARY_NAME_COLUMNS, row, SUMMARY_NAME_COLUMNS))
    reds = [(block, r) for block in data.outcomes for r in block.rows if r.rag == "R"]
    row += 2
    heights += DEFAULT_ROW_POINTS
    ws.write_string(row, 0, "Red indicators" if reds else "No indicator is rated red.", f.subtitle)
    heights += 21.0
    rag_col, reason_col = layout.col["rag"], layout.col["reason"]
    for block, red in reds:
        row += 1
        sheet.text(row, 0, red.indicator, f.text_wrap)
        sheet.merged_text(row, 1, row, rag_col - 1, block.name, f.text_wrap)
        sheet.rag(row, rag_col, red.rag, red.rag_overridden)
        sheet.colour_rag(_range(row, rag_col, row, rag_col))
        sheet.merged_text(row, reason_col, row, layout.last, red.rag_reason, f.text_wrap)
        lines = fit_row(ws, row, [(red.indicator, layout.widths[0]),
                                  (block.name, sum(layout.widths[1:rag_col])),
                                  (red.rag_reason, sum(layout.widths[reason_col:]))])
        heights += row_height(lines) if lines > 1 else DEFAULT_ROW_POINTS
    return row + 1, heights + DEFAULT_ROW_POINTS


def _write_outcome(sheet: _Sheet, block: OutcomeBlock, first_row: int, layout: _DashboardLayout,
                   sparks) -> list[float]:
    """One outcome: a row with its name, overall RAG and comment, then a row per
    supporting indicator. Returns the rows' heights in points."""
    ws, f = sheet.ws, sheet.f
    rag_col, reason_col = layout.col["rag"], layout.col["reason"]
    sheet.merged_text(first_row, 0, first_row, rag_col - 1, block.name, f.outcome)
    sheet.rag(first_row, rag_col, block.overall_rag, block.overall_rag_overridden)
    sheet.colour_rag(_range(first_row, rag_col, first_row, rag_col))
    # Internal commentary is for the restricted version only; the caller leaves it out
    # of the public one, and so does this, in case it did not.
    comment = None if (block.comment_internal and sheet.data.public) else block.overall_comment
    if layout.last > reason_col:  # one area's workbook may have no district columns after it
        ws.merge_range(first_row, reason_col, first_row, layout.last, "", f.outcome_comment)
    if comment and block.comment_internal:
        ws.write_rich_string(first_row, reason_col, f.label, "Internal: ", comment, f.outcome_comment)
    else:
        sheet.text(first_row, reason_col, comment, f.outcome_comment)
    lines = max(lines_needed(block.name, sum(layout.widths[:rag_col])),
                lines_needed(comment, sum(layout.widths[reason_col:])) + (1 if block.comment_internal else 0))
    heights = [row_height(lines) if lines > 1 else DEFAULT_ROW_POINTS]
    if lines > 1:
        ws.set_row(first_row, heights[0])
    rows = block.rows or [None]
    for offset, row in enumerate(rows, start=1):
        lines = _write_indicator(sheet, first_row + offset, row, layout, sparks)
        heights.append(row_height(lines) if lines > 1 else DEFAULT_ROW_POINTS)
        if lines > 1:
            ws.set_row(first_row + offset, heights[-1])
    return heights


def _period_text(label: str | None, *notes: str | None) -> str | None:
    parts = [part for part in notes if part]
    return f"{label} ({', '.join(parts)})" if label and parts else (label or ", ".join(parts) or None)


def _write_indicator(sheet: _Sheet, r: int, row, layout: _DashboardLayout, sparks) -> int:
    """One supporting indicator's cells; returns the lines its wrapped texts need."""
    ws, f, col, widths = sheet.ws, sheet.f, layout.col, layout.widths
    if row is None:
        ws.write_string(r, 0, "No supporting indicators", f.missing)
        for c in range(1, layout.last + 1):
            ws.write_blank(r, c, None, f.blank)
        return 1
    texts = [(row.indicator, widths[0])]
    sheet.text(r, 0, row.indicator, f.text_wrap)
    if row.comparison == NO_SAME_PERIOD and row.previous is None and not row.previous_flag:
        message = NO_SAME_PERIOD[0].upper() + NO_SAME_PERIOD[1:]
        sheet.merged_text(r, col["previous_period"], r, col["previous"], message, f.missing_wrap)
        texts.append((message, widths[col["previous_period"]] + widths[col["previous"]]))
    else:
        latest_earlier = row.comparison not in (None, SAME_PERIOD_LAST_YEAR, NO_SAME_PERIOD)
        text = _period_text(row.previous_label, "the latest earlier figure" if latest_earlier else None,
                            FLAGS[row.previous_flag][0] if row.previous_flag and row.previous is not None else None)
        sheet.text(r, col["previous_period"], text, f.text_wrap)
        texts.append((text, widths[col["previous_period"]]))
        sheet.figure(r, col["previous"], row.previous, row.unit, row.decimals,
                     row.previous_flag if row.previous is None else None)
    flag_words = FLAGS[row.latest_flag][0] if row.latest_flag and row.latest is not None else None
    text = _period_text(row.latest_label, flag_words)
    sheet.text(r, col["latest_period"], text, f.text_wrap)
    texts.append((text, widths[col["latest_period"]]))
    sheet.figure(r, col["latest"], row.latest, row.unit, row.decimals,
                 row.latest_flag if row.latest is None else None)
    _write_history(sheet, r, row, layout, sparks)
    direction = direction_text(row.direction, row.direction_basis)
    sheet.text(r, col["direction"], direction, f.text_wrap)
    sheet.rag(r, col["rag"], row.rag, row.rag_overridden)
    sheet.text(r, col["reason"], row.rag_reason, f.text_wrap)
    texts += [(direction, widths[col["direction"]]), (row.rag_reason, widths[col["reason"]])]
    if "significance" in col:
        sheet.text(r, col["significance"], row.significance, f.text_wrap)
        texts.append((row.significance, widths[col["significance"]]))
    if "peer" in col:
        sheet.text(r, col["peer"], row.peer_comparison, f.centre)
    if "county" in col:
        sheet.text(r, col["county"], row.county_comparison, f.text_wrap)
        texts.append((row.county_comparison, widths[col["county"]]))
    for offset, (code, _name) in enumerate(layout.areas):
        sheet.rag(r, layout.first_district + offset, row.district_rags.get(code))
    lines = 1
    for text, width in texts:
        if text:
            lines = max(lines, lines_needed(text, width))
    return lines


def _write_history(sheet: _Sheet, r: int, row, layout: _DashboardLayout, sparks) -> None:
    """The sparkline's figures (hidden columns) and its place; suppressed and missing
    figures are left blank (a sparkline plots text as 0)."""
    ws = sheet.ws
    trend_col = layout.col["trend"]
    ws.write_blank(r, trend_col, None, sheet.f.blank)
    points = [value for _label, value in row.history][-SPARK_POINTS:]
    if sum(isinstance(value, (int, float)) for value in points) < 2:
        return
    first = layout.spark_first + SPARK_POINTS - len(points)  # right-aligned: the latest is always last
    for offset, value in enumerate(points):
        if isinstance(value, (int, float)):
            ws.write_number(r, first + offset, value)
    sparks[0].append(xl_rowcol_to_cell(r, trend_col))
    sparks[1].append(_range(r, layout.spark_first, r, layout.spark_first + SPARK_POINTS - 1))


# ---- District tables (Appendix 2) -------------------------------------------------------------


def _district_headers(table: DistrictTable) -> list[str]:
    return (["Indicator"] + [name for _code, name in table.area_columns]
            + [table.total_column, table.wider_column, table.target_column, "Notes"])


def _write_district_tables(sheet: _Sheet, data: DashboardData) -> None:
    tables = data.district_tables
    sheet.heading(DISTRICTS)
    widest = max((len(table.area_columns) for table in tables), default=7)
    widths = [34] + [9] * widest + [10, 10, 9, 26]
    row = FIRST_TABLE_ROW
    first_header = None
    for table in tables:
        table_widths = [34] + [9] * len(table.area_columns) + [10, 10, 9, 26]
        sheet.table_at(row)
        sheet.ws.write_string(row, 0, f"{table.title} — {table.period_label}", sheet.f.subtitle)
        sheet.header_row(row + 1, _district_headers(table), table_widths)
        first_header = first_header or (row + 1, row + 1)
        row = _write_district_rows(sheet, table, row + 2, table_widths) + 1
    if not tables:
        sheet.ws.write_string(row, 0, "No district tables for this period.", sheet.f.note)
    sheet.finish(_repeat_header(first_header, len(tables)), widths, freeze_columns=1)


def _write_district_rows(sheet: _Sheet, table: DistrictTable, first_row: int, widths) -> int:
    ws, f = sheet.ws, sheet.f
    codes = [code for code, _name in table.area_columns]
    total_col = len(codes) + 1
    wider_col, target_col, notes_col = total_col + 1, total_col + 2, total_col + 3
    # "B{row}:I{row}" for the county total's =SUM, made once per table, not per row.
    sum_range = f"{xl_col_to_name(1)}{{}}:{xl_col_to_name(total_col - 1)}{{}}" if codes else None
    write_string, write_number, text_wrap = ws.write_string, ws.write_number, f.text_wrap
    indicator_width, notes_width = widths[0], widths[notes_col]
    for r, row in enumerate(table.rows, start=first_row):
        write_string(r, 0, row.indicator, text_wrap)
        row_values, flags = row.values, row.flags
        values = [row_values.get(code) for code in codes]
        plain = f.figure(row.unit, row.decimals)
        col = 1
        for code, value in zip(codes, values):
            if value.__class__ in PLAIN_NUMBERS and code not in flags:  # the bulk of the sheet: kept direct
                write_number(r, col, value, plain)
            else:
                sheet.figure(r, col, value, row.unit, row.decimals, flags.get(code))
            col += 1
        _write_county_total(sheet, r, row, values, total_col, sum_range)
        sheet.figure(r, wider_col, row.wider, row.unit, row.decimals, flags.get(WIDER_KEY))
        sheet.figure(r, target_col, row.target, row.unit, row.decimals)
        sheet.text(r, notes_col, row.note, text_wrap)
        fit_row(ws, r, [(row.indicator, indicator_width), (row.note, notes_width)])
    sheet.colour_against_target(table.rows, first_row, wider_col, target_col)
    return first_row + len(table.rows)


def _write_county_total(sheet: _Sheet, r: int, row: DistrictRow, values: list[Figure], col: int,
                        sum_range: str | None) -> None:
    """A complete count total is =SUM of the districts (cached: the sum), so it follows
    edits; anything else is the engine's figure with its status as a flag.
    ``sum_range`` is the districts' range with "{}" for the row number."""
    status = row.total_status
    total_sum = None
    if (
        status == "complete"
        and row.unit == "count"
        and values
        and all(isinstance(value, (int, float)) for value in values)
    ):
        total_sum = sum(values)
    if total_sum is not None and isinstance(row.total, (int, float)):
        if abs(total_sum - row.total) < 1e-9:
            sheet.ws.write_formula(r, col, f"=SUM({sum_range.format(r + 1, r + 1)})",
                                   sheet.f.figure(row.unit, row.decimals, bold=True), total_sum)
            return
        status = "mismatch"  # the engine's total is not the sum of the districts shown
    flag = row.flags.get(TOTAL_KEY) or (status if status != "complete" else None)
    sheet.figure(r, col, row.total, row.unit, row.decimals, flag, bold=True)


# ---- Outcome measures (Table 2) ------------------------------------------------------------------


def _write_measure_tables(sheet: _Sheet, data: DashboardData) -> None:
    widths = [70, 12, 14, 8]
    sheet.heading(MEASURES)
    row = FIRST_TABLE_ROW
    first_header = None
    for table in data.measure_tables:
        sheet.table_at(row)
        sheet.ws.write_string(row, 0, table.title, sheet.f.subtitle)
        sheet.header_row(row + 1, ["Outcome", table.target_heading, table.performance_heading, "RAG"], widths)
        first_header = first_header or (row + 1, row + 1)
        row = _write_measure_rows(sheet, table, row + 2, widths) + 1
    if not data.measure_tables:
        sheet.ws.write_string(row, 0, "No outcome measures for this period.", sheet.f.note)
    sheet.finish(_repeat_header(first_header, len(data.measure_tables)), widths)


def _write_measure_rows(sheet: _Sheet, table: MeasureTable, first_row: int, widths) -> int:
    ws, f = sheet.ws, sheet.f
    notes: list[tuple[str, str]] = []
    for r, row in enumerate(table.rows, start=first_row):
        sheet.text(r, 0, row.outcome, f.text_wrap)
        sheet.figure(r, 1, row.target, row.unit, row.target_decimals)
        if row.performance is None:
            marker = None
            if row.na_reason:
                notes.append((f"Note {len(notes) + 1}", row.na_reason))
                marker = f"N/A (note {len(notes)})"
            ws.write_string(r, 2, marker or FLAGS["not_available"][0], f.missing)
        else:
            sheet.figure(r, 2, row.performance, row.unit, row.decimals)
        sheet.rag(r, 3, row.rag)
        fit_row(ws, r, [(row.outcome, widths[0])])
    last_row = first_row + len(table.rows) - 1
    if table.rows:
        sheet.colour_against_target(table.rows, first_row, 2, 1)
        sheet.colour_rag(_range(first_row, 3, last_row, 3))
    return sheet.footnotes(last_row + 1, notes, 3, widths)


# ---- Quarterly trends (Cambridgeshire) -------------------------------------------------------------


def _write_trends(sheet: _Sheet, data: DashboardData) -> None:
    # Whole-year columns (J, K) only when some row has a figure stored for a whole year:
    # one layout for the whole sheet, so its column widths suit every table.
    years = 2 if any(table.has_year_totals for table in data.trend_tables) else 0
    widths = [36] + [8] * 8 + [9] * years + [12, 30]
    sheet.heading(TRENDS)
    row = FIRST_TABLE_ROW
    first_header = None
    locations: list[str] = []
    ranges: list[str] = []
    for table in data.trend_tables:
        first_header = first_header or (row + 1, row + 2)
        row = _write_trend_table(sheet, table, row, widths, locations, ranges, years)
    if locations:
        # One sparkline group for the sheet: XlsxWriter styles each group afresh, and
        # that, not the drawing, is what costs (~0.6 ms a group).
        sheet.ws.add_sparkline(0, 0, {"location": locations, "range": ranges, "markers": True,
                                      "high_point": True, "low_point": True,
                                      "series_color": "#1d70b8", "empty_cells": "gaps"})
    if not data.trend_tables:
        sheet.ws.write_string(row, 0, "No quarterly trends for this period.", sheet.f.note)
    sheet.finish(_repeat_header(first_header, len(data.trend_tables)), widths, freeze_columns=1)


def _write_trend_table(sheet: _Sheet, table: TrendTable, row: int, widths, locations, ranges, years: int = 0) -> int:
    """A theme: title, two header rows, a row per indicator (last year's quarters then
    this year's, so the sparkline reads left to right in time; then, if ``years``, each
    year's whole-year figure), then its charts."""
    ws, f = sheet.ws, sheet.f
    trend_col, notes_col = 9 + years, 10 + years
    sheet.table_at(row)
    ws.write_string(row, 0, table.theme, f.subtitle)
    top, quarters = row + 1, row + 2
    sheet.merged_text(top, 0, quarters, 0, "Indicator", f.header_wrap)
    sheet.merged_text(top, 1, top, 4, table.prev_year_label, f.header_centre)
    sheet.merged_text(top, 5, top, 8, table.year_label, f.header_centre)
    if years:
        sheet.merged_text(top, 9, top, 10, "Whole year", f.header_centre)
        ws.write_string(quarters, 9, table.prev_year_label, f.header_centre)
        ws.write_string(quarters, 10, table.year_label, f.header_centre)
    sheet.merged_text(top, trend_col, quarters, trend_col, "Trend over 8 quarters", f.header_wrap)
    sheet.merged_text(top, notes_col, quarters, notes_col, "Notes", f.header_wrap)
    for offset in range(8):
        ws.write_string(quarters, 1 + offset, f"Q{offset % 4 + 1}", f.header_centre)
    first_row = quarters + 1
    fmt = f.figure(table.unit, table.decimals)
    write_string, write_number, write_blank, text_wrap = ws.write_string, ws.write_number, ws.write_blank, f.text_wrap
    spark = xl_col_to_name(trend_col)
    for r, trend in enumerate(table.rows, start=first_row):
        write_string(r, 0, trend.indicator, text_wrap)
        col = 1
        totals = (trend.last_year_total, trend.this_year_total) if years else ()
        for value in (*trend.last_year, *trend.this_year, *totals):
            if isinstance(value, (int, float)):
                write_number(r, col, value, fmt)
            elif isinstance(value, Suppressed):
                write_string(r, col, value.label, f.suppressed)
            else:
                # Blank, not the flag's words: charts and sparklines plot text as 0.
                write_blank(r, col, None, f.missing_fill)
            col += 1
        write_blank(r, trend_col, None, f.blank)
        note = _trend_note(trend, table)
        sheet.text(r, notes_col, note, text_wrap)
        locations.append(f"{spark}{r + 1}")  # the sparkline (column J, or L after the years) shows B:I (1-8)
        ranges.append(f"B{r + 1}:I{r + 1}")
        fit_row(ws, r, [(trend.indicator, widths[0]), (note, widths[notes_col])])
    last_row = first_row + len(table.rows) - 1
    return _insert_trend_chart(sheet, table, quarters, first_row, last_row)


def _trend_note(trend, table: TrendTable) -> str | None:
    """The row's note, then which quarters are missing and why (the cells are blank)."""
    if not trend.note and None not in trend.last_year and None not in trend.this_year:
        return None  # the usual row: nothing missing, nothing to say
    reasons: dict[str, list[str]] = {}
    for year, values, flags in ((table.prev_year_label, trend.last_year, trend.last_year_flags),
                                (table.year_label, trend.this_year, trend.this_year_flags)):
        for quarter, (value, flag) in enumerate(zip(values, flags), start=1):
            if value is None and flag:
                reasons.setdefault(FLAGS[flag][0], []).append(f"Q{quarter} {year}")
    parts = [trend.note] if trend.note else []
    parts += [f"{', '.join(quarters)}: {reason}" for reason, quarters in reasons.items()]
    return "; ".join(parts) or None


def _insert_trend_chart(sheet: _Sheet, table: TrendTable, quarters_row: int, first_row: int, last_row: int) -> int:
    """The theme's chart: a bar per indicator for the latest quarter with figures this
    year, beside the same quarter last year (one chart per theme with two series: an
    indicator's own eight quarters are in its sparkline). Returns the first free row
    below it."""
    latest = max((quarter for trend in table.rows for quarter, value in enumerate(trend.this_year)
                  if isinstance(value, (int, float))), default=None)
    if latest is None:
        sheet.ws.write_string(last_row + 1, 0, "No figures yet this year, so no chart.", sheet.f.note_line)
        return last_row + 3
    name = sheet.ws.name
    chart = sheet.workbook.add_chart({"type": "bar"})
    quarter = f"Q{latest + 1}"
    for this_year, col, year in ((False, 1 + latest, table.prev_year_label), (True, 5 + latest, table.year_label)):
        chart.add_series({"name": f"{quarter} {year}", "categories": [name, first_row, 0, last_row, 0],
                          "values": [name, first_row, col, last_row, col], **chart_series(this_year)})
    chart.set_title(
        {
            "name": f"{table.theme}: {quarter} {table.year_label} against {quarter} {table.prev_year_label}"[:250],
            "name_font": CHART_FONT | {"size": 11, "bold": True},
        }
    )
    # In a bar chart the x axis is the value axis: bars start at zero. Indicators run top
    # to bottom as in the table, with the value axis kept at the bottom.
    chart.set_x_axis({"name": table.unit, "min": 0, "num_font": CHART_FONT, "name_font": CHART_FONT})
    chart.set_y_axis({"num_font": CHART_FONT, "reverse": True, "crossing": "max"})
    chart.set_legend({"position": "bottom", "font": CHART_FONT})
    chart.show_blanks_as("gap")
    bars = last_row - first_row + 1
    height = min(CHART_MAX_HEIGHT, CHART_BASE_HEIGHT + CHART_BAR_HEIGHT * bars)
    chart.set_size({"width": CHART_WIDTH, "height": height})
    sheet.ws.insert_chart(last_row + 2, 0, chart, {"y_offset": 5})
    return last_row + 3 + -(-height // DEFAULT_ROW_PIXELS)


# ---- Rolling 12 months and year to date (Table 4) -----------------------------------------------


def _write_rolling_tables(sheet: _Sheet, data: DashboardData) -> None:
    widths = [60, 16, 16, 11, 16]
    ws, f = sheet.ws, sheet.f
    sheet.heading(ROLLING)
    row = FIRST_TABLE_ROW
    first_header = None
    for table in data.rolling_tables:
        sheet.table_at(row)
        ws.write_string(row, 0, table.title, f.subtitle)
        top = row + 1
        sheet.merged_text(top, 0, top + 1, 0, "Indicator", f.header_wrap)
        sheet.merged_text(top, 1, top, 3, "Rolling 12-month comparison", f.header_centre)
        ws.write_string(top, 4, "Year to date", f.header_centre)
        sheet.header_row(top + 1, table.columns, widths, first_col=1)
        first_header = first_header or (top, top + 1)
        row = _write_rolling_rows(sheet, table, top + 2, widths) + 1
    if not data.rolling_tables:
        ws.write_string(row, 0, "No rolling 12-month figures for this period.", f.note)
    sheet.finish(_repeat_header(first_header, len(data.rolling_tables)), widths)


def _write_rolling_rows(sheet: _Sheet, table: RollingTable, first_row: int, widths) -> int:
    ws, f = sheet.ws, sheet.f
    figure, text_wrap, width = sheet.figure, f.text_wrap, widths[0]
    for r, row in enumerate(table.rows, start=first_row):
        sheet.text(r, 0, row.indicator, text_wrap)
        figure(r, 1, row.previous, row.unit, row.decimals)
        figure(r, 2, row.latest, row.unit, row.decimals)
        _write_change(sheet, r, row)
        figure(r, 4, row.ytd, row.unit, row.decimals)
        fit_row(ws, r, [(row.indicator, width)])
    return first_row + len(table.rows)


def rolling_change(row: RollingRow) -> tuple[str, float] | None:
    """(kind, value) of the change from previous to latest: relative for counts, rates
    and money (latest / previous - 1), percentage points for percentages; None when it
    cannot be computed."""
    previous, latest = row.previous, row.latest
    if not (isinstance(previous, (int, float)) and isinstance(latest, (int, float))):
        return None
    if row.unit == "percent":
        return "points", latest - previous
    if previous == 0:
        return None
    return "relative", latest / previous - 1


def _write_change(sheet: _Sheet, r: int, row: RollingRow) -> None:
    change = rolling_change(row)
    if change is None:
        sheet.text(r, 3, row.change_text, sheet.f.missing)
        return
    kind, value = change
    formula = f"=C{r + 1}-B{r + 1}" if kind == "points" else f"=C{r + 1}/B{r + 1}-1"
    sheet.ws.write_formula(r, 3, formula, sheet.f.change(kind), value)


# ---- Completeness -----------------------------------------------------------------------------------


def _write_completeness(sheet: _Sheet, data: DashboardData) -> None:
    ws, f = sheet.ws, sheet.f
    table = data.completeness
    widths = [28, 28] + [11] * len(table.periods)
    sheet.heading(COMPLETENESS)
    header = FIRST_TABLE_ROW
    sheet.header_row(header, ["Agency", "Return template", *table.periods], widths)
    first_row = header + 1
    for index, entry in enumerate(table.rows):
        r = first_row + index
        sheet.text(r, 0, entry.agency, f.text_wrap)
        sheet.text(r, 1, entry.template, f.text_wrap)
        for offset, status in enumerate(entry.statuses):
            sheet.text(r, 2 + offset, status, f.status)
    last_row = first_row + len(table.rows) - 1
    if table.rows and table.periods:
        f.add_status_formats(ws, _range(first_row, 2, last_row, 1 + len(table.periods)))
        total_row = last_row + 1
        ws.write_string(total_row, 0, "Returns received", f.label)
        ws.write_blank(total_row, 1, None, f.blank)
        for offset in range(len(table.periods)):
            col = 2 + offset
            received = sum(
                1 for entry in table.rows if offset < len(entry.statuses) and entry.statuses[offset] == "received"
            )
            ws.write_formula(total_row, col, f'=COUNTIF({_range(first_row, col, last_row, col)},"received")',
                             f.integer, received)
    elif not table.rows:
        ws.write_string(first_row, 0, "No returns are scheduled for these periods.", f.note)
    if table.rates:
        _write_reporting_rates(sheet, table, first_row + len(table.rows) + 2)
    sheet.finish((header, header), widths, freeze_columns=1, label_columns=2)


def _write_reporting_rates(sheet: _Sheet, table, row: int) -> None:
    """Expected / received / on time, partnership-wide, by template, agency and period,
    as values (they cover each template's last 8 periods, not only the columns above)."""
    ws, f = sheet.ws, sheet.f
    ws.write_string(row, 0, f"Reporting rates as at {table.rates_as_at} (each template's last 8 periods)", f.subtitle)
    row += 1
    labels = ["", "", "Expected", "Received", "On time", "Reporting rate", "On time rate"]
    for col, label in enumerate(labels):
        sheet.text(row, col, label, f.label)
    for rate in table.rates:
        row += 1
        sheet.text(row, 0, rate.section, f.text_wrap)
        sheet.text(row, 1, rate.label, f.text_wrap)
        for col, number in enumerate((rate.expected, rate.received, rate.on_time), start=2):
            ws.write_number(row, col, number, f.integer)
        for col, pct in enumerate((rate.received_pct, rate.on_time_pct), start=5):
            if pct is None:
                ws.write_blank(row, col, None, f.blank)
            else:
                ws.write_number(row, col, round(pct, 1), f.percent(0))


# ---- Notes and definitions -----------------------------------------------------------------------------


def _write_notes(sheet: _Sheet, data: DashboardData) -> None:
    ws, f = sheet.ws, sheet.f
    widths = [28, 20, 44, 22, 12, 12, 34]
    sheet.heading(NOTES)
    header = FIRST_TABLE_ROW
    labels = ["Indicator", "Outcome", "Definition", "Source", "Unit", "Polarity", "RAG rule"]
    sheet.header_row(header, labels, widths)
    row = header + 1
    for definition in data.definitions:
        cells = [definition.name, definition.outcome, definition.definition, definition.source,
                 definition.unit_label, definition.polarity_label, definition.rag_rule]
        for col, value in enumerate(cells):
            sheet.text(row, col, value, f.text_wrap)
        fit_row(ws, row, list(zip(cells, widths)))
        row += 1
    if not data.definitions:
        ws.write_string(row, 0, "No indicator definitions were supplied.", f.note)
        row += 1

    row += 1
    ws.write_string(row, 0, "RAG ratings", f.subtitle)
    row += 1
    first_rag = row
    for letter, word in RAG_NAMES.items():
        ws.write_string(row, 0, letter, f.rag)
        ws.write_string(row, 1, word, f.text)
        row += 1
    sheet.colour_rag(_range(first_rag, 0, row - 1, 0))
    ws.write_string(row, 0, "Each indicator's RAG rule is in the table above. A RAG with a double "
                            "border was set by a manager, who recorded the reason.", f.note_line)
    row += 2

    ws.write_string(row, 0, "Flags", f.subtitle)
    row += 1
    sheet.header_row(row, ["Shown as", "Meaning"], widths)
    row += 1
    legend = [(label, meaning) for label, meaning in FLAGS.values()]
    legend += [("2014/15 (estimate)", "On the Dashboard, a figure's period with its flag, in the cell before it."),
               ("blank", "No figure: nothing was reported and no reason given. A missing figure is never shown as 0."),
               *SUPPRESSED_LEGEND]
    for label, meaning in legend:
        ws.write_string(row, 0, label, f.text)
        ws.write_string(row, 1, meaning, f.text_wrap)
        fit_row(ws, row, [(meaning, widths[1])])
        row += 1

    areas = [(code, name) for code, name in data.district_codes()]
    if areas:
        row += 1
        ws.write_string(row, 0, "Districts", f.subtitle)
        row += 1
        sheet.header_row(row, ["Code", "District"], widths)
        row += 1
        for code, name in areas:
            sheet.text(row, 0, code)
            sheet.text(row, 1, name)
            row += 1
    sheet.finish((header, header), widths)
