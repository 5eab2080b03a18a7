"""The "action plan update" return: its layout, and reading one back.

The blank return (``app.export.plan_update_return``) follows the blank standard return's
conventions (``app.export.blank_return``): a very hidden "_meta" sheet saying what it is
(format "action_plan_update", plan, agency, quarter), an Instructions sheet, and one sheet
"Action plan update" with a title row, the agency and quarter, a guide, headers on row 5
and one row per action from row 6. Columns A-G are locked reference cells (the action's
reference, objective, action, timescale and last quarter's RAG, status and update); H-J
are the agency's inputs: RAG now (Red, Amber or Green), status now, and progress this
quarter. Uploaded, it is read with the ingest reader (its safety checks and limits) and
every problem is collected, each with its sheet, cell and a sentence.

A row with nothing in H-J is no update (the action is left as it was); a row with a RAG or
status but no progress text is refused, as is an action reference that is not one of
this agency's actions in the plan.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.ingest.problems import Problem
from app.ingest.read import WorkbookData, cell_ref
from app.plans import STATUSES, QuarterlyUpdate, rag_code, validate_update
from app.ingest.normalise import cell_text

FORMAT = "action_plan_update"
SHEET = "Action plan update"
HEADER_ROW = 4  # 0-based: row 5
FIRST_ROW = 5  # 0-based: row 6
COLUMNS = ("Action ref", "Objective", "Action", "Timescale", "Last quarter's RAG", "Last quarter's status",
           "Last update", "RAG now", "Status now", "Progress this quarter")
REF, RAG_NOW, STATUS_NOW, PROGRESS = 0, 7, 8, 9


@dataclass(frozen=True)
class ReturnAction:
    """One row of the blank return."""

    id: int
    objective: str
    action: str
    timescale: str
    last_rag: str  # "Amber", or ""
    last_status: str
    last_update: str  # "2015/16 Q4: ..." or ""


@dataclass(frozen=True)
class ReturnIdentity:
    plan_id: int
    agency_slug: str
    quarter: str


@dataclass(frozen=True)
class ReturnedUpdate:
    action_id: int
    update: QuarterlyUpdate
    cell: str  # the progress cell, for messages


def identity_of(workbook: WorkbookData) -> ReturnIdentity | None:
    """Who and what the return is for, if it is an action plan update return; else None."""
    meta = workbook.meta
    if meta.get("format") != FORMAT:
        return None
    try:
        plan_id = int(meta.get("plan_id", ""))
    except ValueError:
        plan_id = 0
    return ReturnIdentity(plan_id, meta.get("agency_slug", ""), meta.get("quarter", ""))


def read_updates(workbook: WorkbookData, identity: ReturnIdentity,
                 action_ids: set[int]) -> tuple[list[ReturnedUpdate], list[Problem]]:
    """The updates on the return and every problem with them. ``action_ids``: the actions
    this agency may update in the plan."""
    grid = workbook.sheet(SHEET)
    if grid is None:
        return [], [Problem(None, None, f"The workbook has no sheet called '{SHEET}'. Upload the action plan update "
                                        "return you downloaded, with its sheets as they were.")]
    updates, problems, seen = [], [], set()
    for row in range(FIRST_ROW, grid.n_rows):
        ref = cell_text(grid.value(row, REF))
        rag_text, status, progress = (cell_text(grid.value(row, col)) for col in (RAG_NOW, STATUS_NOW, PROGRESS))
        if not (rag_text or status or progress):
            continue
        where = f"Row {row + 1}: "
        try:
            action_id = int(ref)
        except ValueError:
            action_id = None
        if action_id is None or action_id not in action_ids:
            problems.append(Problem(SHEET, cell_ref(row, REF), (
                f"{where}'{ref}' is not the reference of one of this agency's actions in this plan. Keep the "
                "references as they were downloaded.")))
            continue
        if action_id in seen:
            problems.append(Problem(SHEET, cell_ref(row, REF), (
                f"{where}action {action_id} is updated twice. Give each action one row.")))
            continue
        seen.add(action_id)
        rag = rag_code(rag_text)
        status_value = status.casefold() if status else None
        if status_value is not None and status_value not in STATUSES:
            problems.append(Problem(SHEET, cell_ref(row, STATUS_NOW), (
                f"{where}'{status}' is not a status we know. Choose one of: {', '.join(STATUSES)}.")))
            status_value = None
        if rag == "?":
            problems.append(Problem(SHEET, cell_ref(row, RAG_NOW), f"{where}'{rag_text}' is not a RAG status. "
                                                                   "Choose Red, Amber or Green."))
            rag = None
        update = QuarterlyUpdate(identity.quarter, progress, status_value, rag)
        for problem in validate_update(update, where):
            cell = {"text": PROGRESS, "status": STATUS_NOW, "rag": RAG_NOW}.get(problem.field, PROGRESS)
            problems.append(Problem(SHEET, cell_ref(row, cell) if problem.field != "quarter" else None,
                                    problem.message))
        updates.append(ReturnedUpdate(action_id, update, cell_ref(row, PROGRESS)))
    if not updates and not problems:
        problems.append(Problem(SHEET, None, "The return has no updates. Fill in the RAG, status and progress of "
                                             "each action you are updating (columns H to J), then upload it again."))
    return updates, problems
