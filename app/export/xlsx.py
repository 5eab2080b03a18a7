"""The one way to open an XlsxWriter workbook here: text never becomes a formula, link or number.

Agencies type text into returns, and that text ends up in workbooks we write. XlsxWriter
would turn a string starting with "=" into a live formula, "http…" into a link and "12"
into a number; these options switch that off for every ``write()`` call.
"""
from __future__ import annotations

from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:  # XlsxWriter loads when a workbook is opened, not with the app (tests/functional/test_fast_start.py)
    import xlsxwriter

SAFE_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    # Assemble the parts in memory, not as temporary files: about a tenth faster for a
    # dashboard (a temporary file costs ~0.5 ms here, and a dashboard has 45 parts), and
    # restricted figures (DHR sheets) are never left in the temp folder.
    "in_memory": True,
    "constant_memory": False,
}


def new_workbook(target: str | IO[bytes], **options) -> xlsxwriter.Workbook:
    """A workbook writing to a path or a binary file object (e.g. ``io.BytesIO``).

    Other XlsxWriter options (``default_date_format``, ...) may be passed; the safe text
    options above always win."""
    import xlsxwriter

    return xlsxwriter.Workbook(target, {**options, **SAFE_OPTIONS})


def close_workbook(workbook: xlsxwriter.Workbook) -> None:
    """Write ``workbook`` out, then let its sheets go of it (every workbook we write is
    closed this way). Each sheet holds the workbook's
    ``add_format`` (a bound method): a cycle, which leaves every cell object of the
    workbook (36,000 for one county's dashboard) to Python's cycle collector, whose walk
    at the end of the request cost 9 ms of its 0.34 s. Without the cycle they go as soon
    as the workbook does. Nothing may be written to the workbook after this."""
    workbook.close()
    for sheet in workbook.worksheets():
        sheet.workbook_add_format = None
