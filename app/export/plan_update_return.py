"""The blank "action plan update" return an agency fills in each quarter (issue 19).

Flask-free. ``build_update_return`` lays out ``app.plans.update_return``'s columns with
XlsxWriter, in the blank standard return's way (``app.export.blank_return``): an
Instructions sheet, the return sheet (locked reference cells, unlocked input cells with
data validation: RAG and status from lists, progress up to 4,000 characters; the sheet
protected without a password, as a guard against slips only) and a very hidden "_meta"
sheet saying what the workbook is, which the upload reads to recognise it. Every text is
written as a string (``new_workbook``).
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from app.export.xlsx import close_workbook, new_workbook
from app.plans import MAX_TEXT, STATUSES
from app.plans.update_return import COLUMNS, FIRST_ROW, FORMAT, HEADER_ROW, PROGRESS, RAG_NOW, SHEET, STATUS_NOW, \
    ReturnAction
from app.vocabulary import RAG_NAMES

INPUT_FILL, REFERENCE_FILL = "#fff7bf", "#f3f2f1"
WIDTHS = (10, 30, 50, 16, 12, 16, 40, 12, 16, 60)


def build_update_return(*, plan_id: int, plan_title: str, agency_slug: str, agency_name: str, quarter: str,
                        quarter_label: str, actions: Sequence[ReturnAction], generated_at: datetime) -> bytes:
    buffer = io.BytesIO()
    wb = new_workbook(buffer)
    wb.set_properties({"title": f"Action plan update: {plan_title}", "subject": f"{agency_name}: {quarter_label}",
                       "keywords": FORMAT, "created": generated_at})
    bold = wb.add_format({"bold": True, "font_size": 14})
    header = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1, "locked": True})
    reference = wb.add_format({"text_wrap": True, "valign": "top", "bg_color": REFERENCE_FILL, "locked": True})
    number = wb.add_format({"valign": "top", "bg_color": REFERENCE_FILL, "locked": True, "num_format": "0"})
    entry = wb.add_format({"text_wrap": True, "valign": "top", "bg_color": INPUT_FILL, "locked": False, "border": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})

    instructions = wb.add_worksheet("Instructions")
    instructions.set_column(0, 0, 100)
    lines = [
        (f"Action plan update: {plan_title}", bold),
        (f"{agency_name}, {quarter_label}", wrap),
        ("", wrap),
        (f"The '{SHEET}' sheet lists the actions {agency_name} leads, with last quarter's RAG, status and update.",
         wrap),
        ("For each action you are updating, fill in the yellow cells: the RAG status now (Red, Amber or Green), "
         "the status now and the progress made this quarter. Leave an action's row blank to leave it as it was.",
         wrap),
        ("Keep the action references and the sheets as they are: the upload reads them to know which action each "
         "row updates.", wrap),
        ("Upload the filled return on the Safer Returns upload page, choosing your agency. Each update is kept in "
         "the action's history.", wrap),
    ]
    for row, (text, fmt) in enumerate(lines):
        instructions.write_string(row, 0, text, fmt)

    ws = wb.add_worksheet(SHEET)
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)
    ws.write_string(0, 0, f"Action plan update: {plan_title}", bold)
    ws.write_string(1, 0, f"{agency_name}: {quarter_label}")
    ws.write_string(2, 0, "Fill in the yellow cells (columns H to J) for each action you are updating.")
    for col, name in enumerate(COLUMNS):
        ws.write_string(HEADER_ROW, col, name, header)
    ws.freeze_panes(FIRST_ROW, 3)
    for i, action in enumerate(actions):
        row = FIRST_ROW + i
        ws.write_number(row, 0, action.id, number)
        for col, text in enumerate((action.objective, action.action, action.timescale, action.last_rag,
                                    action.last_status, action.last_update), start=1):
            ws.write_string(row, col, text, reference) if text else ws.write_blank(row, col, None, reference)
        for col in (RAG_NOW, STATUS_NOW, PROGRESS):
            ws.write_blank(row, col, None, entry)
    last = FIRST_ROW + max(len(actions), 1) - 1
    ws.data_validation(FIRST_ROW, RAG_NOW, last, RAG_NOW, {
        "validate": "list", "source": list(RAG_NAMES.values()), "input_title": "RAG status now",
        "input_message": "Red, Amber or Green", "error_title": "RAG status",
        "error_message": "Choose Red, Amber or Green."})
    ws.data_validation(FIRST_ROW, STATUS_NOW, last, STATUS_NOW, {
        "validate": "list", "source": [s.capitalize() for s in STATUSES], "error_title": "Status",
        "error_message": "Choose one of the statuses in the list."})
    ws.data_validation(FIRST_ROW, PROGRESS, last, PROGRESS, {
        "validate": "length", "criteria": "<=", "value": MAX_TEXT, "input_title": "Progress this quarter",
        "input_message": "What was done this quarter, and what is next.", "error_title": "Too long",
        "error_message": f"Keep the update to {MAX_TEXT:,} characters or fewer."})
    ws.protect("", {"format_columns": True, "format_rows": True})

    meta = wb.add_worksheet("_meta")
    for row, (key, value) in enumerate((("format", FORMAT), ("plan_id", str(plan_id)), ("agency_slug", agency_slug),
                                        ("quarter", quarter), ("generated_at", generated_at.isoformat()))):
        meta.write_string(row, 0, key)
        meta.write_string(row, 1, value)
    meta.protect()
    meta.very_hidden()
    instructions.activate()
    close_workbook(wb)
    return buffer.getvalue()
