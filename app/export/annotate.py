"""An officer's own workbook handed back with its problems marked on it.

Each cell with a problem is filled (light red for an error, amber for a warning) and gets
an Excel comment explaining it; problems that belong to no cell (a missing sheet, row or
column, a file-level problem) are listed on a new first sheet, "Problems". Everything
else is left as the officer saved it: openpyxl loads the whole workbook, changes only
those cells and saves it. (openpyxl does not keep formulas' saved results; Excel and
LibreOffice work them out again on opening.)

The workbook has already passed the upload's safety checks and bounded read. openpyxl
holds every cell it loads in memory, formatted empty ones included: a sheet with a million
empty formatted rows below its table once held a worker for 26–43 s and about 1 GB. So
only each sheet's used range is loaded (``used_range_only``): the rows after the last one
holding a value, a formula or a problem are cut from the sheet's XML, and so are the empty
formatted cells right of the last such column, before openpyxl sees it (a pattern pass,
linear in the XML). What is left is counted, and a workbook with more cells than
``MAX_CELLS`` is refused with a message rather than loaded. Anything openpyxl cannot
load becomes ``CannotAnnotate``, never an exception the page would show as a 500.
"""
from __future__ import annotations

import contextlib
import io
import logging
import re
import zipfile
from collections import defaultdict

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill

from app.ingest.problems import Problem
from app.ingest.read import column_index, parse_ref

log = logging.getLogger(__name__)

PROBLEMS_SHEET = "Problems"
ERROR_FILL = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
WARNING_FILL = PatternFill("solid", start_color="FFEB9C", end_color="FFEB9C")
AUTHOR = "Safer Returns"
MAX_SHEET_BYTES = 64 * 1024 * 1024  # used-range sheet XML openpyxl may be asked to hold
# Cells and rows openpyxl may be asked to hold (about 0.5 KB each): twice the 105,000-cell
# return of bench/import, a fifth of what the upload's row and column limits allow.
MAX_CELLS = 250_000
SEVERITY_NAMES = {"error": "Error (must be fixed)", "warning": "Warning (check it)"}
TOO_LARGE = ("This workbook is too large to mark up. The problems are listed on this page: correct them and upload "
             "the return again.")
COULD_NOT_MARK = ("This workbook could not be marked up. The problems are listed on this page: correct them and "
                  "upload the return again.")

WORKSHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
CONTENT_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"[^>]*(?<!/)>\s*<(?:v|f|is)\b')
EMPTY_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"[^>]*/>')
CONTENT_TAGS = (b"<v>", b"<v ", b"<f>", b"<f ", b"<is>")
ROW_START = re.compile(rb"<row\b[^>]*>")
ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
CELL_OR_ROW = re.compile(rb"<(?:[\w.-]+:)?(?:c|row)[\s>/]")


class CannotAnnotate(ValueError):
    """The workbook cannot be marked up; the message says so in the officer's terms."""


class TooLargeToAnnotate(CannotAnnotate):
    """The workbook's used range is too large to load whole."""


def annotate_workbook(data: bytes, problems: list[Problem], max_sheet_bytes: int = MAX_SHEET_BYTES,
                      max_cells: int = MAX_CELLS) -> bytes:
    """``data`` (an .xlsx that has passed the upload checks) with ``problems`` marked on it.
    Raises CannotAnnotate (TooLargeToAnnotate when its used range is too large)."""
    try:
        trimmed = used_range_only(data, problems, max_sheet_bytes, max_cells)
        return _annotate(trimmed, problems)
    except CannotAnnotate:
        raise
    except Exception:
        log.warning("workbook could not be marked up", exc_info=True)
        raise CannotAnnotate(COULD_NOT_MARK) from None


def used_range_only(data: bytes, problems: list[Problem], max_sheet_bytes: int = MAX_SHEET_BYTES,
                    max_cells: int = MAX_CELLS) -> bytes:
    """The workbook with each sheet cut to its used range: the rows after the last holding a
    value, a formula (or a problem's cell) and the empty cells right of the last such column
    removed. Raises TooLargeToAnnotate when what is left is still beyond the bounds."""
    problem_cells: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for problem in problems:
        if problem.cell:
            with contextlib.suppress(ValueError):  # a problem's cell is always a reference; if not, no matter
                problem_cells[problem.sheet or ""].append(parse_ref(problem.cell))
    names = _sheet_names_by_part(data)
    out = io.BytesIO()
    sheet_bytes = cells = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in archive.infolist():
            content = archive.read(info)
            if WORKSHEET_PART.fullmatch(info.filename):
                content = _trim_sheet(content, problem_cells.get(names.get(info.filename, ""), []))
                sheet_bytes += len(content)
                cells += len(CELL_OR_ROW.findall(content))
                if sheet_bytes > max_sheet_bytes or cells > max_cells:
                    raise TooLargeToAnnotate(TOO_LARGE)
            copy.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _sheet_names_by_part(data: bytes) -> dict[str, str]:
    """Worksheet part → the sheet's name, from the workbook and its relationships."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", errors="replace")
        try:
            rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", errors="replace")
        except KeyError:
            return {}
    targets = {m[1]: m[2] for m in re.finditer(r'<Relationship\b[^>]*?\bId="([^"]+)"[^>]*?\bTarget="([^"]+)"', rels)}
    targets |= {m[2]: m[1] for m in re.finditer(r'<Relationship\b[^>]*?\bTarget="([^"]+)"[^>]*?\bId="([^"]+)"', rels)}
    names = {}
    for sheet in re.finditer(r'<sheet\b[^>]*>', workbook):
        name, rid = re.search(r'\bname="([^"]*)"', sheet[0]), re.search(r'\br:id="([^"]*)"', sheet[0])
        if name and rid and rid[1] in targets:
            target = targets[rid[1]]
            part = target.lstrip("/") if target.startswith("/") else "xl/" + target
            names[part] = _unescape(name[1])
    return names


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


def _trim_sheet(xml: bytes, problem_cells: list[tuple[int, int]]) -> bytes:
    """One sheet's XML cut to its used range (see ``used_range_only``). Rows are cut only
    where each carries its number, as spreadsheet programs write them; otherwise the sheet
    is left whole, to be counted."""
    data_start, data_end = xml.find(b"<sheetData>"), xml.find(b"</sheetData>")
    if data_start == -1 or data_end == -1:
        return xml
    # The last value or formula: found from the end, so the empty rows after it cost nothing.
    last_end = max(xml.rfind(tag, data_start, data_end) for tag in CONTENT_TAGS)
    last_row = -1
    if last_end == -1:
        last_end = data_start
    else:
        number = ROW_NUMBER.search(xml, xml.rfind(b"<row", data_start, last_end), last_end)
        if number is None:
            return xml
        last_row = int(number[1]) - 1
    for row, _ in problem_cells:
        last_row = max(last_row, row)
    cut = data_end
    for row in ROW_START.finditer(xml, last_end, data_end):
        number = ROW_NUMBER.search(row[0])
        if number is None:
            return xml
        if int(number[1]) - 1 > last_row:
            cut = row.start()
            break
    last_col = max((column_index(m[1].decode()) for m in CONTENT_CELL.finditer(xml, data_start, cut)), default=-1)
    last_col = max([last_col, *(col for _, col in problem_cells)])
    head = EMPTY_CELL.sub(lambda m: m[0] if column_index(m[1].decode()) <= last_col else b"", xml[:cut])
    return head + xml[data_end:]


def _annotate(data: bytes, problems: list[Problem]) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    if PROBLEMS_SHEET in workbook.sheetnames:
        del workbook[PROBLEMS_SHEET]  # our own list from an earlier upload of this file
    by_cell: dict[tuple[str, str], list[Problem]] = defaultdict(list)
    unplaced: list[Problem] = []
    for problem in problems:
        if problem.sheet in workbook.sheetnames and problem.cell:
            by_cell[(problem.sheet, problem.cell)].append(problem)
        else:
            unplaced.append(problem)
    for (sheet, ref), found in by_cell.items():
        _mark(workbook[sheet], ref, found)
    if unplaced:
        _problems_sheet(workbook, unplaced)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _mark(ws, ref: str, problems: list[Problem]) -> None:
    for merged in ws.merged_cells.ranges:
        if ref in merged:
            ref = merged.start_cell.coordinate  # a merged cell's comment lives on its first cell
            break
    cell = ws[ref]
    errors = any(p.severity == "error" for p in problems)
    cell.fill = ERROR_FILL if errors else WARNING_FILL
    text = "\n\n".join(f"{SEVERITY_NAMES.get(p.severity, p.severity)}: {p.message}" for p in problems)
    comment = Comment(text, AUTHOR)
    comment.width, comment.height = 320, min(60 + 15 * (len(text) // 45), 400)
    cell.comment = comment


def _text_cell(ws, row: int, col: int, text: str):
    """Text that stays text: never read as a formula, whatever it starts with."""
    cell = ws.cell(row, col)
    cell.value = text
    cell.data_type = "s"
    return cell


def _problems_sheet(workbook, problems: list[Problem]) -> None:
    ws = workbook.create_sheet(PROBLEMS_SHEET, 0)
    for col, heading in enumerate(("Where", "Kind", "What to do"), start=1):
        _text_cell(ws, 1, col, heading).font = Font(bold=True)
    for row, problem in enumerate(problems, start=2):
        _text_cell(ws, row, 1, problem.location() if problem.sheet or problem.cell else "The whole file")
        _text_cell(ws, row, 2, SEVERITY_NAMES.get(problem.severity, problem.severity)).fill = (
            ERROR_FILL if problem.severity == "error" else WARNING_FILL)
        _text_cell(ws, row, 3, problem.message).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 22
    ws.column_dimensions["C"].width = 100
    workbook.active = 0
    for sheet in workbook.worksheets[1:]:
        sheet.sheet_view.tabSelected = False
