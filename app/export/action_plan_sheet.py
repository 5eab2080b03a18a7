"""The Action Plan sheet of the consolidated workbook (issue 19).

Flask-free: ``action_plan_sheet_writer(plans, today)`` takes each partnership plan's
title and its ``app.plans.ActionLine``s and returns one ``SheetWriter`` for
``DashboardData.extra_sheets``. One row per action: plan, objective, action, lead(s),
timescale, RAG (the letter in the cell, coloured by a conditional format), flags (overdue;
amber with no lead or no milestone), latest update, tier and the linked indicators' latest
RAG ("Domestic Crimes: Red (2015/16 Q4)", one a line). Under the actions, the number of
actions by RAG and tier, with totals. Every text a person typed is written with
``write_string``; the DHR master plan is not here (it has its own restricted sheet).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from app.dhr import long_date
from app.export.dashboard_data import SheetWriter
from app.export.formats import Formats, fit_row, setup_print
from app.plans import FLAG_LABELS, ActionLine, rag_tier_counts
from app.vocabulary import ACTION_TIERS, RAG_NAMES, RAGS

SHEET = "Action Plan"
COLUMNS = (("Plan", 24), ("Objective", 30), ("Action", 46), ("Lead(s)", 22), ("Timescale", 15), ("RAG", 6),
           ("Flags", 22), ("Latest update", 44), ("Tier", 16), ("Linked indicators' RAG", 36))
RAG_COLUMN = 5
NOT_RATED, NO_TIER = "Not rated", "No tier given"


def indicator_text(line: ActionLine) -> str:
    return "\n".join(f"{r.name}: {RAG_NAMES.get(r.rag, 'not rated')}" + (f" ({r.period})" if r.period else "")
                     for r in line.indicators)


def action_plan_sheet_writer(plans: Sequence[tuple[str, Sequence[ActionLine]]], today: date) -> SheetWriter:
    return lambda workbook, formats: write_action_plan_sheet(workbook, formats, plans, today)


def write_action_plan_sheet(workbook: Workbook, formats: Formats, plans: Sequence[tuple[str, Sequence[ActionLine]]],
                            today: date) -> Worksheet:
    ws = workbook.add_worksheet(SHEET)
    widths = [w for _, w in COLUMNS]
    ws.write_string(0, 0, "Action plans: progress by action", formats.title)
    ws.write_string(1, 0, (f"As at {long_date(today)} · RAG as each action's lead last reported it · Overdue: past "
                           "its timescale and not complete · Amber actions need a lead and a milestone"), formats.meta)
    for col, (label, _) in enumerate(COLUMNS):
        ws.write_string(2, col, label, formats.header_wrap)
    row = 3
    lines_all: list[ActionLine] = []
    for title, lines in plans:
        for line in lines:
            latest = f"{line.latest.quarter}: {line.latest.text}" if line.latest else ""
            flags = "\n".join(FLAG_LABELS[flag] for flag, _ in line.flags)
            texts = (title, line.objective, line.action, line.lead, line.timescale)
            for col, text in enumerate(texts):
                _text(ws, row, col, text, formats.text_wrap, formats)
            _text(ws, row, RAG_COLUMN, line.rag or "", formats.rag, formats)
            for col, text in enumerate((flags, latest, line.tier, indicator_text(line)), start=RAG_COLUMN + 1):
                _text(ws, row, col, text, formats.text_wrap, formats)
            fit_row(ws, row, [(text, widths[col]) for col, text in enumerate(texts)]
                    + [(latest, widths[7]), (indicator_text(line), widths[9]), (flags, widths[6])])
            row += 1
        lines_all.extend(lines)
    if not lines_all:
        ws.write_string(row, 0, "No partnership action plan has any actions yet.", formats.note)
        row += 1
    rag_cells = [f"{xl_rowcol_to_cell(3, RAG_COLUMN)}:{xl_rowcol_to_cell(max(row - 1, 3), RAG_COLUMN)}"]
    row = _write_summary(ws, formats, row + 1, lines_all, rag_cells)
    formats.add_rag_formats(ws, " ".join(rag_cells))
    # Its plan column repeats on each column group's page, so every page names the sheet and plan.
    setup_print(ws, (0, 2), widths, title=SHEET, subtitle=f"As at {long_date(today)}", freeze_columns=0,
                label_columns=1)
    return ws


def _text(ws: Worksheet, row: int, col: int, value: str, fmt, formats: Formats) -> None:
    if value:
        ws.write_string(row, col, value, fmt)
    else:
        ws.write_blank(row, col, None, formats.blank)


def _write_summary(ws: Worksheet, formats: Formats, row: int, lines: list[ActionLine], rag_cells: list[str]) -> int:
    """Actions by tier (rows) and RAG (columns), with totals; the RAG headings carry the
    letter so that they are coloured as the actions' RAG is."""
    counts = rag_tier_counts(lines)
    ws.write_string(row, 0, "Actions by RAG and tier", formats.subtitle)
    row += 1
    headings = ["Tier", *RAGS, NOT_RATED, "Total"]
    for col, heading in enumerate(headings):
        ws.write_string(row, col, heading, formats.rag if heading in RAGS else formats.header_wrap)
    rag_cells.append(f"{xl_rowcol_to_cell(row, 1)}:{xl_rowcol_to_cell(row, len(RAGS))}")
    row += 1
    tiers = list(ACTION_TIERS) + ([""] if any(tier == "" for _, tier in counts) else [])
    for tier in [*tiers, None]:
        label = "Total" if tier is None else (tier or NO_TIER)
        ws.write_string(row, 0, label, formats.label)
        for col, rag in enumerate([*RAGS, ""], start=1):
            n = sum(v for (r, t), v in counts.items() if r == rag and (tier is None or t == tier))
            ws.write_number(row, col, n, formats.integer)
        total = sum(v for (_, t), v in counts.items() if tier is None or t == tier)
        ws.write_number(row, len(headings) - 1, total, formats.integer)
        row += 1
    return row
