"""A return typed into the web form, as the reader would have read it from the blank return.

The web form is the blank return by other means: one field per input cell of the
workbook Safer Returns would have given the agency for that template and period. So the
typed text goes into those cells of the blank return as read (``app.ingest.read``), exactly
as text typed into Excel would, and the rest of the upload pipeline (identify, map,
normalise, validate) runs on it unchanged: a web entry and an upload are the same code
after reading, with the same messages, and the figures keep the blank return's cells.
"""
from __future__ import annotations

from dataclasses import replace

from app.ingest.read import SheetGrid, WorkbookData, parse_ref


def entered_workbook(blank: WorkbookData, entries: dict[tuple[str, str], str]) -> WorkbookData:
    """``blank`` (the blank return, read) with ``entries`` ((sheet, cell such as "C6") → the
    text typed) in its cells. An empty entry leaves its cell empty, as in a workbook."""
    by_sheet: dict[str, dict[tuple[int, int], str]] = {}
    for (sheet, cell), text in entries.items():
        if text is not None and str(text).strip():
            by_sheet.setdefault(sheet, {})[parse_ref(cell)] = str(text)
    sheets = [_filled(grid, by_sheet.get(grid.name, {})) for grid in blank.sheets]
    return replace(blank, sheets=sheets)


def _filled(grid: SheetGrid, typed: dict[tuple[int, int], str]) -> SheetGrid:
    if not typed:
        return grid
    cells = {**grid.cells, **typed}
    rows = max([grid.n_rows, *(r + 1 for r, _ in typed)])
    cols = max([grid.n_cols, *(c + 1 for _, c in typed)])
    # A new grid, not the blank one changed: the reader's cached views of it (texts) stay true.
    return replace(grid, cells=cells, n_rows=rows, n_cols=cols)
