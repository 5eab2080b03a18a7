"""Every cell format, colour and print setting of the workbooks we write.

Flask-free. ``Formats(workbook)`` registers the formats on a workbook once; exporters
(the dashboard, and the DHR and action-plan sheets) take them from it and never call
``add_format`` themselves, so all our workbooks look and print alike.

Decisions
- Font Arial 10 (a council may not use GDS Transport); text aligned top-left.
- Percentages are stored as the published number, 0 to 100, with the number format
  ``0.0"%"``: the cell holds 38.9, the figure in the database and on the board paper,
  so a target of 40 compares like with like and typing 45 over it means 45%.
- A flag or a period different from the column's is part of the number format
  (``#,##0" (estimate)"``): the cell stays a number equal to the figure and still reads
  "1,400 (estimate)" as the seed papers do.
- RAG colours are GOV.UK's, with text colours that pass WCAG AA: red #d4351c and green
  #00703c with white text, amber #f47738 with black text. The letter stays in the cell
  so nothing depends on colour alone.
- Colours are conditional formats over whole ranges (one rule per colour, not per cell:
  fewer rules, same cost to write) so a colour follows its value when someone edits.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # XlsxWriter loads when a workbook is written, not with the app (tests/functional/test_fast_start.py)
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

FONT = {"font_name": "Arial", "font_size": 10}
TEXT_COLOUR = "#0b0c0c"
SECONDARY_TEXT = "#505a5f"
BORDER_COLOUR = "#b1b4b6"
HEADER_FILL = "#f3f2f1"
LINK_COLOUR = "#1d70b8"

# (fill, text) per RAG letter and per submission status.
RAG_COLOURS = {"R": ("#d4351c", "#ffffff"), "A": ("#f47738", "#0b0c0c"), "G": ("#00703c", "#ffffff")}
STATUS_COLOURS = {
    "received": RAG_COLOURS["G"],
    "late": RAG_COLOURS["A"],
    "missing": RAG_COLOURS["R"],
    "not yet due": ("#f3f2f1", "#0b0c0c"),
}
CHART_COLOURS = {"this_year": "#1d70b8", "last_year": "#9fc2e3"}
CHART_FONT = {"name": "Arial", "size": 10}

# Number formats by unit; "{d}" is the decimal part (".00" or "").
NUMBER_FORMATS = {
    "count": "#,##0{d}",
    "rate": "#,##0{d}",
    "percent": '0{d}"%"',
    "money": "£#,##0{d}",
    "ratio": "0{d}",
}
# Changes: relative for counts (stored as a fraction, 0.67 = +67%), percentage points
# for percentages.
CHANGE_FORMATS = {
    "relative": "+0%;-0%;0%",
    "points": '+0" pts";-0" pts";0" pts"',
}

LINE_HEIGHT = 12.75  # points per line of Arial 10
CHARACTER_WIDTH = 0.85  # an Arial 10 character, in column-width units (a Calibri 11 "0")
A4_PAPER = 9
A3_PAPER = 8


def number_format(unit: str, decimals: int, suffix: str | None = None) -> str:
    """The Excel number format of a figure, e.g. ("percent", 1, "estimate") ->
    ``0.0"% (estimate)"``."""
    decimal_part = "." + "0" * decimals if decimals > 0 else ""
    pattern = NUMBER_FORMATS[unit].format(d=decimal_part)
    if not suffix:
        return pattern
    literal = suffix.replace('"', "'")
    if pattern.endswith('"'):  # join the literals: 0.0"% (estimate)"
        return f'{pattern[:-1]} ({literal})"'
    return f'{pattern}" ({literal})"'


class Formats:
    """The formats of one workbook. Named formats are made here once; figure formats
    (unit x decimals x suffix x bold) are made on first use and cached."""

    def __init__(self, workbook: Workbook):
        self._workbook = workbook
        self._figures: dict[tuple, object] = {}
        self._changes: dict[str, object] = {}
        add = self._add
        cell = {"border": 1, "border_color": BORDER_COLOUR, "valign": "top"}

        self.title = add({"bold": True, "font_size": 16})
        self.subtitle = add({"bold": True, "font_size": 12})
        self.meta = add({"font_color": SECONDARY_TEXT})
        self.header = add({**cell, "bold": True, "bg_color": HEADER_FILL})
        self.header_wrap = add({**cell, "bold": True, "bg_color": HEADER_FILL, "text_wrap": True})
        self.header_centre = add({**cell, "bold": True, "bg_color": HEADER_FILL, "text_wrap": True, "align": "center"})
        self.label = add({**cell, "bold": True, "text_wrap": True})
        self.text = add(cell)
        self.text_wrap = add({**cell, "text_wrap": True})
        self.centre = add({**cell, "align": "center"})
        self.blank = add(cell)
        self.note = add({"italic": True, "font_color": SECONDARY_TEXT, "text_wrap": True, "valign": "top"})
        # One line of a key under a table: not wrapped, so it runs on across empty cells.
        self.note_line = add({"italic": True, "font_color": SECONDARY_TEXT})
        self.footnote = add({"text_wrap": True, "valign": "top"})
        self.footnote_marker = add({"bold": True, "valign": "top"})
        self.link = add({"font_color": LINK_COLOUR, "underline": 1})
        self.date = add({**cell, "num_format": "d mmmm yyyy", "align": "left"})
        self.datetime = add({**cell, "num_format": "d mmmm yyyy hh:mm", "align": "left"})
        self.datetime_plain = add({"num_format": "d mmmm yyyy hh:mm", "align": "left"})
        self.integer = add({**cell, "num_format": "0", "align": "center"})
        # A RAG letter: bold and centred; the colour comes from add_rag_formats.
        self.rag = add({**cell, "bold": True, "align": "center"})
        # A RAG a manager set by hand: a double border marks it (not colour alone).
        self.rag_overridden = add({**cell, "bold": True, "align": "center", "border": 6, "border_color": TEXT_COLOUR})
        self.status = add({**cell, "align": "center"})
        self.flag_estimate = add({**cell, "italic": True})
        # Where a figure should be and is not: the flag's words, greyed.
        self.missing = add({**cell, "italic": True, "font_color": SECONDARY_TEXT, "align": "right"})
        self.missing_fill = add({**cell, "bg_color": HEADER_FILL})
        self.missing_wrap = add({**cell, "italic": True, "font_color": SECONDARY_TEXT, "text_wrap": True})
        # An outcome's own row on the Dashboard: its name, then its overall comment.
        self.outcome = add({**cell, "bold": True, "text_wrap": True, "bg_color": HEADER_FILL})
        self.outcome_comment = add({**cell, "text_wrap": True, "bg_color": HEADER_FILL})
        self.suppressed = add({**cell, "font_color": SECONDARY_TEXT, "align": "right"})

        # Conditional-format (differential) formats: fill and text colour only.
        self.rag_fills = {
            letter: add({"bg_color": fill, "font_color": text}) for letter, (fill, text) in RAG_COLOURS.items()
        }
        self.rag_R, self.rag_A, self.rag_G = (self.rag_fills[letter] for letter in "RAG")
        self.status_fills = {
            status: add({"bg_color": fill, "font_color": text}) for status, (fill, text) in STATUS_COLOURS.items()
        }

    def _add(self, properties: dict):
        return self._workbook.add_format({**FONT, "font_color": TEXT_COLOUR, **properties})

    # ---- figures -------------------------------------------------------------------

    def figure(self, unit: str, decimals: int = 0, suffix: str | None = None, *, bold: bool = False):
        """The format of a figure; ``suffix`` (a flag's words, a period label) is shown
        in brackets after it. Estimates and provisional figures are also italic."""
        key = (unit, decimals, suffix, bold)
        fmt = self._figures.get(key)
        if fmt is None:
            properties = {"border": 1, "border_color": BORDER_COLOUR, "valign": "top",
                          "num_format": number_format(unit, decimals, suffix), "bold": bold}
            if suffix and ("estimate" in suffix or "provisional" in suffix):
                properties["italic"] = True
            fmt = self._figures[key] = self._add(properties)
        return fmt

    def number(self, decimals: int = 0):
        return self.figure("count", decimals)

    def percent(self, decimals: int = 1):
        return self.figure("percent", decimals)

    def money(self, decimals: int = 0):
        return self.figure("money", decimals)

    def change(self, kind: str):
        """``kind`` "relative" (a fraction shown as +67%) or "points" (+10 pts)."""
        fmt = self._changes.get(kind)
        if fmt is None:
            fmt = self._changes[kind] = self._add(
                {"border": 1, "border_color": BORDER_COLOUR, "valign": "top", "num_format": CHANGE_FORMATS[kind]})
        return fmt

    # ---- conditional formats -----------------------------------------------------------

    def add_rag_formats(self, worksheet: Worksheet, cell_range: str) -> None:
        """Colour the cells of ``cell_range`` (one range, or several separated by
        spaces: "B5:B20 H5:H20") by their value "R", "A" or "G"."""
        self._add_value_rules(worksheet, cell_range, self.rag_fills)

    def add_status_formats(self, worksheet: Worksheet, cell_range: str) -> None:
        """Colour submission statuses: received green, late amber, missing red."""
        self._add_value_rules(worksheet, cell_range, self.status_fills)

    def _add_value_rules(self, worksheet: Worksheet, cell_range: str, fills: dict) -> None:
        ranges = cell_range.split()
        for value, fill in fills.items():
            options = {"type": "cell", "criteria": "==", "value": f'"{value}"', "format": fill}
            if len(ranges) > 1:
                options["multi_range"] = cell_range
            worksheet.conditional_format(ranges[0], options)

    def add_target_formats(self, worksheet: Worksheet, value_range: str, target_ref: str, polarity: str,
                           green_within: float = 0.0, amber_within: float = 0.1) -> None:
        """Colour the figures in ``value_range`` against a target by formula rules, so
        the colour follows the figures when someone edits them. ``target_ref`` is the
        target as seen from the range's top-left cell: "$K5" (a target column, row by
        row) or "$K$3" (one cell). Meeting the target, or missing it by at most
        ``green_within`` of the target, is green; by at most ``amber_within``, amber;
        otherwise red. Cells without a number on both sides stay uncoloured."""
        from xlsxwriter.utility import xl_cell_to_rowcol, xl_rowcol_to_cell

        first = value_range.split()[0].split(":")[0]
        value = xl_rowcol_to_cell(*xl_cell_to_rowcol(first))
        both = f"ISNUMBER({value}),ISNUMBER({target_ref})"
        green_line = _tolerance_line(target_ref, green_within, polarity)
        amber_line = _tolerance_line(target_ref, amber_within, polarity)
        if polarity == "higher_is_better":
            rules = {"G": f"{value}>={green_line}", "A": f"{value}<{green_line},{value}>={amber_line}",
                     "R": f"{value}<{amber_line}"}
        elif polarity == "lower_is_better":
            rules = {"G": f"{value}<={green_line}", "A": f"{value}>{green_line},{value}<={amber_line}",
                     "R": f"{value}>{amber_line}"}
        else:
            raise ValueError(f"polarity must be higher_is_better or lower_is_better, not {polarity!r}")
        ranges = value_range.split()
        for letter, condition in rules.items():
            options = {"type": "formula", "criteria": f"=AND({both},{condition})", "format": self.rag_fills[letter]}
            if len(ranges) > 1:
                options["multi_range"] = value_range
            worksheet.conditional_format(ranges[0], options)


def _tolerance_line(target_ref: str, within: float, polarity: str) -> str:
    """The figure at which a result is ``within`` (a fraction of the target) short."""
    if not within:
        return target_ref
    sign = "-" if polarity == "higher_is_better" else "+"
    return f"({target_ref}{sign}ABS({target_ref})*{within:.15g})"


def chart_series(this_year: bool) -> dict:
    """A trend chart's bars: this year dark blue, last year light grey-blue, told apart
    by lightness (and the legend), not by hue alone."""
    colour = CHART_COLOURS["this_year" if this_year else "last_year"]
    return {"fill": {"color": colour}, "border": {"color": colour}, "gap": 60}


# ---- print setup -------------------------------------------------------------------------


def _header_text(text: str, limit: int = 120) -> str:
    """Text for a page header or footer: "&" is a code there, and Excel allows 255
    characters in all."""
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.replace("&", "&&")


# Printable widths, in points, of a landscape page less the side margins (0.4" each).
PRINTABLE_WIDTH = {A4_PAPER: 841.9 - 57.6, A3_PAPER: 1190.6 - 57.6}
PRINTABLE_HEIGHT = {A4_PAPER: 595.3 - 93.6, A3_PAPER: 841.9 - 93.6}  # less top and bottom margins
SMALLEST_PRINT = 9  # points: nothing prints smaller


def column_points(width: float) -> float:
    """A column ``width`` characters wide, in points, as LibreOffice prints it (measured:
    one point per pixel of Excel's formula, wider than Excel prints it, so a sheet laid
    out by it fits in both)."""
    return 0 if width <= 0 else (int(width * 7 + 0.5) + 5 if width >= 1 else int(width * 12 + 0.5))


def print_layout(columns: Sequence[float], label_columns: int = 0, smallest_font: float = 10):
    """(paper, scale, column breaks) so that every text prints at ``SMALLEST_PRINT`` points
    or more: A4 landscape if the columns fit on it, else A3, shrunk only as far as the
    smallest font allows; wider still, A3 at full size split into column groups (a break
    before each group's first column), the first ``label_columns`` repeated on each."""
    total = sum(column_points(w) for w in columns)
    least = math.ceil(100 * SMALLEST_PRINT / smallest_font)
    for paper in (A4_PAPER, A3_PAPER):
        if total <= PRINTABLE_WIDTH[paper]:
            return paper, 100, []
    fit = math.floor(100 * PRINTABLE_WIDTH[A3_PAPER] / total)
    if fit >= least:
        return A3_PAPER, fit, []
    labels = sum(column_points(w) for w in columns[:label_columns])
    room = PRINTABLE_WIDTH[A3_PAPER] - labels
    breaks, used = [], 0.0
    for index in range(label_columns, len(columns)):
        width = column_points(columns[index])
        if used and used + width > room:
            breaks.append(index)
            used = 0.0
        used += width
    return A3_PAPER, 100, breaks


def setup_print(worksheet: Worksheet, header_rows: tuple[int, int], columns: Sequence[float], *,
                title: str | None = None, subtitle: str = "", freeze_columns: int = 0,
                label_columns: int | None = None, smallest_font: float = 10) -> None:
    """Make a sheet print-ready at no less than 9 pt: A4 or A3 landscape as the columns
    need (``print_layout``), ``header_rows`` (first, last; zero-based) repeated on every
    page and frozen with the first ``freeze_columns`` columns; a sheet too wide for A3 is
    split into column groups with its first ``label_columns`` (default: the frozen ones)
    repeated on each page. Column widths ``columns`` (in characters), narrow margins,
    ``title`` (default: the sheet's name) and ``subtitle`` in the page header, the sheet
    name and page numbers in the footer. Wrap text with the wrapping formats (text_wrap,
    header_wrap) and size rows with ``fit_row``."""
    title = worksheet.name if title is None else title
    labels = freeze_columns if label_columns is None else label_columns
    paper, scale, breaks = print_layout(columns, labels, smallest_font)
    worksheet.set_paper(paper)
    worksheet.set_landscape()
    worksheet.set_print_scale(scale)
    if breaks:
        worksheet.set_v_pagebreaks(breaks)
        if labels:
            worksheet.repeat_columns(0, labels - 1)
    worksheet.repeat_rows(*header_rows)
    worksheet.freeze_panes(header_rows[1] + 1, freeze_columns)
    worksheet.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    worksheet.set_header(f'&L&"Arial,Bold"{_header_text(title)}&R&"Arial,Regular"{_header_text(subtitle)}',
                         {"margin": 0.3})
    worksheet.set_footer('&L&"Arial,Regular"&A&R&"Arial,Regular"Page &P of &N', {"margin": 0.3})
    for index, width in enumerate(columns):
        worksheet.set_column(index, index, width)


def lines_needed(text: str | None, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide (an
    estimate for Arial 10: Excel does not size rows with wrapped or merged text itself,
    so printing would cut it off)."""
    if not text:
        return 1
    usable = max(1.0, width - 1.5)
    if "\n" not in text:  # the usual case, kept cheap: this runs for every wrapped cell
        needed = len(text) * CHARACTER_WIDTH
        return 1 if needed <= usable else math.ceil(needed / usable)
    return sum(max(1, math.ceil(len(paragraph) * CHARACTER_WIDTH / usable)) for paragraph in str(text).split("\n"))


def row_height(lines: int) -> float:
    return round(lines * LINE_HEIGHT + 3, 2)


def fit_row(worksheet: Worksheet, row: int, cells: Sequence[tuple[str | None, float]], min_lines: int = 1) -> int:
    """Set the height of ``row`` to fit its wrapped ``cells`` (text, column width);
    returns the number of lines. Single-line rows keep the default height."""
    # A plain loop, not max() over a generator: this runs for nearly every row written.
    lines = max(min_lines, 1) if cells else min_lines
    for text, width in cells:
        if text:
            needed = lines_needed(text, width)
            if needed > lines:
                lines = needed
    if lines > 1:
        worksheet.set_row(row, row_height(lines))
    return lines
