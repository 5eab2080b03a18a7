"""The DHR sheets: for the consolidated workbook, and as the DHR area's own download."""
from __future__ import annotations

import io
from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

from app.dhr import long_date
from app.dhr.actions import action_rag
from app.dhr.clocks import compute_clocks

from app.errors import Forbidden
from app.policy import may_see_dhr
from app.services.dhr.actions import action_of, list_actions
from app.services.dhr.budget import budget_of, budget_year_rows
from app.services.dhr.cases import case_row, list_cases
from app.services.dhr.settings import clock_rule, current_date

# The workbook's writers are imported by the functions that write one, not with the app
# (issue 16).
if TYPE_CHECKING:
    from app.export.dashboard_data import SheetWriter


def dhr_sheets_for(user, today: date | None = None) -> list[SheetWriter]:
    """The DHR Budget, DHR Cases and DHR Actions sheet writers for the consolidated
    workbook (clocks and RAGs as at ``today``, default the current date), or [] for
    anyone who may not see DHR data."""
    if not may_see_dhr(user):
        return []
    return dhr_sheets(today)


def dhr_sheets(today: date | None = None) -> list[SheetWriter]:
    """The DHR sheet writers with no access check: only for the server operator's command."""
    from app.export.dhr_sheets import dhr_sheet_writers

    return dhr_sheet_writers([budget_of(r) for r in budget_year_rows()], [case_row(c) for c in list_cases()],
                             [action_of(a) for a in list_actions()], today or current_date(), clock_rule())


def dhr_workbook_bytes(user, on: date | None = None) -> bytes:
    """A workbook of the DHR sheets alone (the DHR area's download)."""
    from app.export.formats import Formats
    from app.export.xlsx import close_workbook, new_workbook

    writers = dhr_sheets_for(user, on)
    if not writers:
        raise Forbidden("This person may not see DHR data.")
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    workbook.set_properties({"title": "Domestic Homicide Reviews", "comments": "Restricted: not for publication"})
    formats = Formats(workbook)
    for write in writers:
        write(workbook, formats)
    close_workbook(workbook)
    return buffer.getvalue()


def dhr_summary_for(user, today: date | None = None):
    """The report's DHR section (``app.export.dashboard_data.DhrSummary``): cases by status, the
    statutory clocks by RAG and the actions by RAG, as at ``today``; None for anyone who
    may not see DHR data."""


    return dhr_summary(today) if may_see_dhr(user) else None


def dhr_summary(today: date | None = None):
    """The report's DHR section with no access check: only for the server operator's command."""
    from app.export.dashboard_data import DhrSummary

    today = today or current_date()
    rule = clock_rule()
    cases = [case_row(c) for c in list_cases()]
    statuses = Counter(case.status for case in cases)
    clocks = Counter((clock.name, clock.rag) for case in cases for clock in compute_clocks(case.dates, rule, today)
                     if clock.rag)
    actions = Counter(action_rag(action_of(a), today)[0] for a in list_actions())
    words = {"R": "red (overdue)", "A": "amber (due soon)", "G": "green"}
    case_lines = [("Reviews on the register", str(len(cases)))]
    case_lines += [(status, str(count)) for status, count in sorted(statuses.items())]
    case_lines += [(f"{name} clock {words[rag]}", str(clocks[(name, rag)]))
                   for name in ("Decision", "Review") for rag in "RAG" if clocks[(name, rag)]]
    action_lines = [(f"Actions {words[rag]}", str(actions[rag])) for rag in "RAG"]
    return DhrSummary(as_at=long_date(today), cases=case_lines, actions=action_lines)
