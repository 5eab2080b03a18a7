"""The indicator engine: totals, change, RAG, direction of travel, significance,
comparisons and completeness. Flask-free: plain dataclasses and pandas frames in and out.

Production starts at ``dashboard.dashboard_figures`` (every figure: stored, recomputed,
totals) and ``rows.result_rows`` (one ``IndicatorRow``'s worth of columns per indicator ×
area, each at its own latest and compared periods): ``app.services.results`` runs them
when a write changes their inputs and keeps what they give in the database, which the
web dashboard and the board's workbook read. ``rows.dashboard_rows`` does both in one
call from the stored figures. ``compute_dashboard`` works out every indicator × area
at one fixed period (the tests check the two agree); each step is also a small function
of its own.
"""
from app.indicators.compare import compare_districts, compare_with_peers, district_rags
from app.indicators.dashboard import compute_dashboard, dashboard_records, district_strip
from app.indicators.model import AggregateResult, AreaSpec, IndicatorSpec, RagResult, RagRule
from app.indicators.rag import LEICESTERSHIRE_RULE, TABLE_2_RULE, apply_override, outcome_rag, rate
from app.indicators.rows import DashboardTable, IndicatorRow, choose_periods, dashboard_rows, engine_rows
from app.indicators.significance import (
    Significance,
    count_change_significance,
    proportion_change_significance,
    rate_change_significance,
)
from app.indicators.timeliness import completeness
from app.indicators.totals import aggregate, aggregate_areas, combine_periods, derive_recomputed, prepare_values
from app.indicators.trend import direction_of_travel
from app.indicators.year_change import change, change_kind, format_change

__all__ = [
    "AggregateResult", "AreaSpec", "DashboardTable", "IndicatorRow", "choose_periods", "dashboard_rows",
    "engine_rows", "IndicatorSpec", "LEICESTERSHIRE_RULE", "RagResult", "RagRule",
    "Significance", "TABLE_2_RULE", "aggregate", "aggregate_areas", "apply_override", "change",
    "change_kind", "combine_periods", "compare_districts", "compare_with_peers", "completeness",
    "compute_dashboard", "count_change_significance", "dashboard_records", "derive_recomputed",
    "direction_of_travel", "district_rags", "district_strip", "format_change", "outcome_rag",
    "prepare_values", "proportion_change_significance", "rate", "rate_change_significance",
]
