"""An officer's own workbook handed back with its problems marked on it.

Each cell with a problem is filled (light red for an error, amber for a warning) and gets
an Excel comment explaining it; problems that belong to no cell (a missing sheet, row or
column, a file-level problem) are listed on a new first sheet, "Problems". Everything
else is left as the officer saved it: openpyxl loads the whole workbook, changes only
those cells and saves it. (openpyxl does not keep formulas' saved results; Excel and
LibreOffice work them out again on opening.)

The workbook has already passed the upload's safety checks and bounded read; only its
sheets' size is checked again here, since openpyxl holds every cell in memory.
"""
from __future__ import annotations

import io
import zipfile
from collections import defaultdict

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill

from app.ingest.problems import Problem

PROBLEMS_SHEET = "Problems"
ERROR_FILL = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
WARNING_FILL = PatternFill("solid", start_color="FFEB9C", end_color="FFEB9C")
AUTHOR = "Safer Returns"
MAX_SHEET_BYTES = 64 * 1024 * 1024  # uncompressed sheet XML openpyxl may be asked to hold
SEVERITY_NAMES = {"error": "Error (must be fixed)", "warning": "Warning (check it)"}


class TooLargeToAnnotate(ValueError):
    """The workbook's sheets are too large to load whole."""


def annotate_workbook(data: bytes, problems: list[Problem], max_sheet_bytes: int = MAX_SHEET_BYTES) -> bytes:
    """``data`` (an .xlsx that has passed the upload checks) with ``problems`` marked on it."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_bytes = sum(i.file_size for i in archive.infolist() if i.filename.startswith("xl/worksheets/"))
    if sheet_bytes > max_sheet_bytes:
        raise TooLargeToAnnotate(
            "This workbook is too large to mark up. The problems are listed on this page: correct them and upload "
            "the return again.")
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
