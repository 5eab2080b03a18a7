"""Domestic Homicide Reviews: the case register, the pooled budget and the master action
plan (restricted: ``app.policy.may_see_dhr``), and the DHR sheets of the workbook.

One module per use case: ``cases``, ``budget``, ``actions``, ``access`` (who may see DHR
data), ``workbook``. Each public function that changes something is one transaction and
records an audit event. The rules (date order, clocks, budget sums, filling a year from the
budget return, action RAG) live in ``app.dhr``; these modules move rows to and from its
dataclasses and turn its ``Problem``s into ``ServiceError`` field errors named after the
form fields (``problems``). The demo's DHR data is ``app.demo.dhr``.
"""
from app.services.dhr.access import access_list, access_user, set_dhr_access
from app.services.dhr.actions import (
    action_of, action_rag_of, add_action_update, case_actions, get_action, list_actions, save_action,
)
from app.services.dhr.budget import (
    BudgetView, ReturnFill, agencies_by_name, budget_forecast, budget_from_stored_return, budget_of, budget_view,
    budget_year_row, budget_year_rows, get_budget_year, get_contribution, get_cost, parse_financial_year,
    remove_budget_line, row_label, save_budget_year, save_contribution, save_cost,
)
from app.services.dhr.cases import (
    CASE_STATUS_LABELS, DATE_COLUMNS, add_panel_meeting, case_clocks, case_dates, case_problems, case_row, get_case,
    list_areas, list_cases, remove_panel_meeting, save_case,
)
from app.services.dhr.settings import clock_rule, current_date
from app.services.dhr.workbook import dhr_sheets, dhr_sheets_for, dhr_summary, dhr_summary_for, dhr_workbook_bytes

__all__ = [
    "CASE_STATUS_LABELS", "DATE_COLUMNS", "BudgetView", "ReturnFill", "access_list", "access_user", "action_of",
    "action_rag_of",
    "agencies_by_name",
    "add_action_update", "add_panel_meeting", "budget_forecast", "budget_from_stored_return", "budget_of",
    "budget_view", "budget_year_row", "budget_year_rows", "case_actions", "case_clocks", "case_dates",
    "case_problems", "case_row", "clock_rule", "current_date", "dhr_sheets", "dhr_sheets_for",
    "dhr_summary", "dhr_summary_for",
    "dhr_workbook_bytes",
    "get_action", "get_budget_year", "get_case", "get_contribution", "get_cost", "list_actions", "list_areas",
    "list_cases", "parse_financial_year", "remove_budget_line", "remove_panel_meeting", "row_label", "save_action",
    "save_budget_year", "save_case", "save_contribution", "save_cost", "set_dhr_access",
]
