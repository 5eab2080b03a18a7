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
import importlib

# Each name and the module it lives in. They are imported on first use (PEP 562), so
# importing one light module of the engine (``app.indicators.model``, say, for the models)
# does not load pandas and scipy with the rest: a web worker starts without them.
_EXPORTS = {
    "compare_districts": "compare", "compare_with_peers": "compare", "district_rags": "compare",
    "compute_dashboard": "dashboard", "dashboard_records": "dashboard", "district_strip": "dashboard",
    "AggregateResult": "model", "AreaSpec": "model", "IndicatorSpec": "model", "RagResult": "model",
    "RagRule": "model",
    "apply_override": "rag", "LEICESTERSHIRE_RULE": "rag", "outcome_rag": "rag", "rate": "rag", "TABLE_2_RULE": "rag",
    "choose_periods": "rows", "dashboard_rows": "rows", "DashboardTable": "rows", "engine_rows": "rows",
    "IndicatorRow": "rows",
    "count_change_significance": "significance", "proportion_change_significance": "significance",
    "rate_change_significance": "significance", "Significance": "significance",
    "completeness": "timeliness",
    "aggregate": "totals", "aggregate_areas": "totals", "combine_periods": "totals", "derive_recomputed": "totals",
    "prepare_values": "totals",
    "direction_of_travel": "trend",
    "change": "year_change", "change_kind": "year_change", "format_change": "year_change",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
