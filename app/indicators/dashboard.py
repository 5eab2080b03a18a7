"""Everything the dashboard shows, for every indicator × area, in one call.

``compute_dashboard`` takes the stored figures (one frame), the targets, the indicator
and area configuration and a period, and returns one row per indicator × area
(districts, counties, wider footprints): latest and previous-year figures, change,
RAG and its reason, direction of travel, significance, comparisons and the status of
any total. The frame-wide work (totals, trends, significance tests) is done with pandas
and numpy over all rows at once; ratings and sentences are made row by row by the same
functions the rest of the app calls.

Missing numbers are NaN and missing labels None; ``dashboard_records`` turns the frame
into plain dicts with None for both, for templates and the workbook writer.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from app.indicators.totals import (
    RESULT_COLUMNS,
    VALUE_COLUMNS,
    Populations,
    area_leaves,
    as_spec_map,
    derived_for_areas,
    prepare_values,
    spec_column,
    totals_for_areas,
)
from app.indicators.year_change import changes, format_change
from app.indicators.compare import PEER_BAND_PERCENT, compare_with_peers, rank_districts
from app.indicators.model import RATE_SCALE, AreaSpec, IndicatorSpec, RagResult
from app.indicators.periods import previous_year_key, trend_period_keys
from app.indicators.rag import LAST_YEAR, NO_FIGURE, never_rated, rate
from app.indicators.significance import ALPHA, binomial_two_sided, fisher_two_sided, significance_labels
from app.indicators.trend import MIN_POINTS, STABLE_WITHIN, classify_slopes, relative_slopes, travel
from app.vocabulary import FLAGS_WITH_VALUE, POINT_UNITS

DASHBOARD_COLUMNS = [
    "indicator", "area", "area_kind", "period", "unit", "polarity",
    "latest", "latest_flag", "previous_period", "previous", "previous_flag", "target",
    "change", "change_text", "rag", "rag_reason", "direction", "trend_percent",
    "significance", "p_value", "district_comparison", "peer_comparison",
    "aggregate_status", "aggregate_message",
]

LABEL_COLUMNS = [
    "latest_flag", "previous_flag", "rag", "direction", "significance",
    "district_comparison", "peer_comparison", "aggregate_status",
]


def _columns(frame: pd.DataFrame, *names: str) -> list[list]:
    """Columns as plain lists: iterating lists is much faster than iterating Series."""
    return [frame[name].tolist() for name in names]


def dashboard_figures(values: pd.DataFrame, specs, areas: Sequence[AreaSpec], periods: list[str]) -> pd.DataFrame:
    """Every figure the dashboard can use, for every area: stored figures for districts,
    recomputed indicators worked out where a district did not supply them, and totals for
    counties and wider footprints. Columns as ``totals.RESULT_COLUMNS``."""
    leaves = area_leaves(areas)
    leaf_codes = [a.code for a in areas if a.code not in leaves]
    recompute = {s.slug for s in specs.values() if s.aggregation == "recompute"}
    stored = values[values["area"].isin(leaf_codes) & ~values["indicator"].isin(recompute)]
    stored = stored.assign(status=None, missing=[()] * len(stored), supplied=np.nan, computed=np.nan, message="")
    frames = [
        stored[RESULT_COLUMNS],
        derived_for_areas(values, specs, areas, leaf_codes, periods),
        totals_for_areas(values, specs, areas, periods, list(leaves)),
    ]
    figures = pd.concat([f for f in frames if len(f)], ignore_index=True)
    usable = figures["value"].notna() & figures["flag"].isin(FLAGS_WITH_VALUE)
    figures["value"] = figures["value"].where(usable)
    return figures


def _at(figures: pd.DataFrame, period: str, grid: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """The figures for one period, lined up with ``grid``'s indicator × area rows."""
    part = figures.loc[figures["period"] == period, ["indicator", "area", "value", "flag", "status", "message"]]
    part = part.rename(columns={c: f"{prefix}{c}" for c in ("value", "flag", "status", "message")})
    return grid.merge(part, on=["indicator", "area"], how="left")


def significance_tests(table: pd.DataFrame, figures: pd.DataFrame, specs, populations, period, previous, alpha):
    """Significance of latest vs previous year for each row: exact Poisson for counts and
    rates (on the events behind them), Fisher's exact for percentages with numerators
    and denominators; None where there is nothing to test."""
    n = len(table)
    p_values = np.full(n, np.nan)
    unit = table["unit"].to_numpy()
    latest = table["latest"].to_numpy(dtype=float)
    prior = table["previous"].to_numpy(dtype=float)
    pop_latest = populations.lookup(table["area"], [period] * n)
    pop_prior = populations.lookup(table["area"], [previous] * n)
    numerator = spec_column(table["indicator"], specs, "numerator")
    denominator = spec_column(table["indicator"], specs, "denominator")
    recompute = spec_column(table["indicator"], specs, "aggregation") == "recompute"

    # Numerator and denominator figures of each row, for both periods, in one lookup.
    keyed = figures.set_index(["indicator", "area", "period"])["value"]
    slugs = np.concatenate([numerator, numerator, denominator, denominator])
    wanted = pd.MultiIndex.from_arrays([
        pd.Series(slugs, dtype=object).fillna("").to_numpy(),
        np.tile(table["area"].to_numpy(dtype=object), 4),
        np.repeat(np.array([period, previous, period, previous], dtype=object), n),
    ])
    num_latest, num_prior, den_latest, den_prior = keyed.reindex(wanted).to_numpy(dtype=float).reshape(4, n)
    per = np.array([RATE_SCALE.get(u, np.nan) for u in unit])
    rate_units = np.isin(unit, list(RATE_SCALE))
    has_pops = ~np.isnan(pop_latest) & ~np.isnan(pop_prior)
    # Counts: the figures themselves, exposure = population when known for both years.
    k1, k2 = latest.copy(), prior.copy()
    e1, e2 = np.where(has_pops, pop_latest, 1.0), np.where(has_pops, pop_prior, 1.0)
    counted = unit == "count"
    # Rates recomputed from a count: that count, over its denominator or the population.
    from_numerator = rate_units & recompute
    k1 = np.where(from_numerator, num_latest, k1)
    k2 = np.where(from_numerator, num_prior, k2)
    with_den = from_numerator & ~pd.isna(denominator)
    e1, e2 = np.where(with_den, den_latest, e1), np.where(with_den, den_prior, e2)
    # Rates given as rates: the events behind them, from the population.
    from_rate = rate_units & ~recompute & has_pops
    k1 = np.where(from_rate, np.round(latest * pop_latest / per), k1)
    k2 = np.where(from_rate, np.round(prior * pop_prior / per), k2)
    poisson = (counted | (from_numerator & (with_den | has_pops)) | from_rate)
    poisson &= ~np.isnan(k1) & ~np.isnan(k2) & (k1 >= 0) & (k2 >= 0) & (e1 > 0) & (e2 > 0)
    if poisson.any():
        a, b = np.round(k1[poisson]), np.round(k2[poisson])
        p_values[poisson] = binomial_two_sided(a, a + b, e1[poisson] / (e1[poisson] + e2[poisson]))
    proportion = np.isin(unit, POINT_UNITS) & recompute
    proportion &= ~np.isnan(num_latest) & ~np.isnan(num_prior) & ~np.isnan(den_latest) & ~np.isnan(den_prior)
    proportion &= (num_latest >= 0) & (num_prior >= 0) & (num_latest <= den_latest) & (num_prior <= den_prior)
    if proportion.any():
        p_values[proportion] = fisher_two_sided(
            np.round(num_latest[proportion]), np.round(den_latest[proportion]),
            np.round(num_prior[proportion]), np.round(den_prior[proportion]),
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        share_latest = np.where(proportion, num_latest / den_latest, k1 / e1)
        share_prior = np.where(proportion, num_prior / den_prior, k2 / e2)
    return significance_labels(p_values, share_latest > share_prior, share_latest < share_prior, alpha), p_values


def compute_dashboard(
    values: pd.DataFrame,
    targets: pd.DataFrame | None,
    indicators: Sequence[IndicatorSpec] | Mapping[str, IndicatorSpec],
    areas: Sequence[AreaSpec],
    period: str,
    *,
    trend_periods: Sequence[str] | None = None,
    peers: Mapping[tuple[str, str], Mapping[str, float] | Sequence[float]] | None = None,
    alpha: float = ALPHA,
    stable_within: float = STABLE_WITHIN,
    min_trend_points: int = MIN_POINTS,
    peer_band_percent: float = PEER_BAND_PERCENT,
) -> pd.DataFrame:
    """One row per indicator × area for ``period`` (a canonical key), in the order given.

    ``values``: indicator, area, period, value, flag (as ``totals.prepare_values``).
    ``targets``: indicator, area, period, value (may be None or empty).
    ``trend_periods``: the periods the direction of travel looks at, oldest first
    (default ``periods.trend_period_keys(period)``: 4 quarters, 3 years…).
    ``peers``: comparator figures by (indicator slug, area code), for the peer comparison.

    Columns (``DASHBOARD_COLUMNS``): latest / previous figures and flags, target, change
    (relative % or points) and its text, rag and rag_reason, direction and trend_percent
    (slope per period as % of the mean), significance and p_value, district_comparison
    (districts only), peer_comparison (where peers are given), aggregate_status and
    aggregate_message (counties and wider footprints, and recomputed district figures).
    """
    specs = as_spec_map(indicators)
    previous = previous_year_key(period)
    trend = list(trend_periods) if trend_periods is not None else trend_period_keys(period)
    needed = list(dict.fromkeys([*trend, previous, period]))
    raw = values.loc[
        values["period"].isin(needed) & values["indicator"].isin(specs.keys()),
        [c for c in VALUE_COLUMNS if c in values],
    ]
    figures = dashboard_figures(prepare_values(raw), specs, areas, needed)
    table = _figures_for(figures, specs, areas, period, previous)
    if targets is not None and len(targets):
        wanted = target_columns(targets.loc[targets["period"] == period])
        table = table.merge(wanted.drop_duplicates(["indicator", "area"]).drop(columns="period"),
                            on=["indicator", "area"], how="left")
    else:
        table["target"], table["target_tolerance"] = np.nan, np.nan
    table["change"] = changes(table["latest"], table["previous"], table["unit"].isin(POINT_UNITS))
    table["change_text"] = [format_change(c, u) for c, u in zip(*_columns(table, "change", "unit"))]
    table["rag"], table["rag_reason"] = rate_rows(table, specs)
    table["direction"], table["trend_percent"] = _directions(table, figures, trend, specs, stable_within,
                                                             min_trend_points)
    table["significance"], table["p_value"] = significance_tests(
        table, figures, specs, Populations(areas), period, previous, alpha
    )
    table["district_comparison"] = _district_comparisons(table, areas)
    table["peer_comparison"] = [
        compare_with_peers(latest, peers[(slug, code)], polarity, peer_band_percent, area=code)
        if peers and (slug, code) in peers else None
        for slug, code, latest, polarity in zip(*_columns(table, "indicator", "area", "latest", "polarity"))
    ]
    table["aggregate_status"] = table["latest_status"]
    table["aggregate_message"] = table["latest_message"].fillna("")
    table = table[DASHBOARD_COLUMNS].copy()
    for column in LABEL_COLUMNS:
        table[column] = _labels(table[column])
    return table


def _figures_for(figures, specs, areas, period, previous) -> pd.DataFrame:
    """One row per indicator × area (in configuration order) with the latest and the
    previous year's figures, flags, total status and message, unit and polarity."""
    grid = pd.DataFrame([(slug, a.code) for slug in specs for a in areas], columns=["indicator", "area"])
    table = _at(figures, period, grid, "latest_")
    table = table.merge(
        _at(figures, previous, grid, "previous_")[["indicator", "area", "previous_value", "previous_flag"]],
        on=["indicator", "area"], how="left",
    )
    table = table.rename(columns={"latest_value": "latest", "previous_value": "previous"})
    table["area_kind"] = table["area"].map({a.code: a.kind for a in areas})
    table["period"], table["previous_period"] = period, previous
    table["unit"] = spec_column(table["indicator"], specs, "unit")
    table["polarity"] = spec_column(table["indicator"], specs, "polarity")
    return table


def target_columns(targets: pd.DataFrame) -> pd.DataFrame:
    """A targets frame (indicator, area, period, value and, optionally, tolerance) as the
    columns a dashboard row carries: ``target`` and ``target_tolerance`` (NaN: none)."""
    out = targets[["indicator", "area", "period", "value"]].rename(columns={"value": "target"})
    out["target_tolerance"] = targets["tolerance"].astype(float) if "tolerance" in targets else np.nan
    return out


def rate_rows(table, specs) -> tuple[list, list]:
    """RAG and reason per row; a total that is incomplete says which areas are missing."""
    against = table["against_previous"].tolist() if "against_previous" in table else [LAST_YEAR] * len(table)
    tolerances = table["target_tolerance"].tolist() if "target_tolerance" in table else [None] * len(table)
    # An indicator never rated (no rule, rated by hand, neutral) has one rating for all its
    # rows, worked out once.
    never = {slug: RagResult(None, why) for slug, spec in specs.items() if (why := never_rated(spec))}
    ratings = [
        never[slug] if slug in never else
        rate(specs[slug], latest, prior, target, flag if isinstance(flag, str) else "not_available",
             prior_flag if isinstance(prior_flag, str) else None, against_previous=compared, tolerance=tolerance)
        for slug, latest, prior, target, flag, prior_flag, compared, tolerance in zip(
            *_columns(table, "indicator", "latest", "previous", "target", "latest_flag", "previous_flag"), against,
            tolerances
        )
    ]
    incomplete = (table["latest_status"] == "incomplete").tolist()
    reasons = [
        f"{message.rstrip('.')}, so it is not rated." if gap and r.reason == NO_FIGURE else r.reason
        for r, gap, message in zip(ratings, incomplete, table["latest_message"].tolist())
    ]
    return [r.rag for r in ratings], reasons


def _directions(table, figures, trend, specs, stable_within, min_points) -> tuple[np.ndarray, np.ndarray]:
    """Direction of travel and its measure per row over the ``trend`` periods: the
    dashboard's rule (``trend.travel``: each indicator's stable band, two figures enough)
    unless a caller asks for another band or minimum of figures."""
    series = figures[figures["period"].isin(trend)].pivot(index=["indicator", "area"], columns="period", values="value")
    rows = pd.MultiIndex.from_frame(table[["indicator", "area"]])
    matrix = series.reindex(index=rows, columns=trend).to_numpy(dtype=float).reshape(len(table), len(trend))
    if stable_within != STABLE_WITHIN or min_points != MIN_POINTS:
        slope_percent, points = relative_slopes(matrix)
        return classify_slopes(slope_percent, points, table["polarity"], stable_within, min_points), slope_percent
    bands = spec_column(table["indicator"], specs, "stable_within").astype(float)
    direction, measure, _derived = travel(matrix, table["polarity"], bands, table["unit"].isin(POINT_UNITS).to_numpy())
    return direction, measure


def _district_comparisons(table, areas) -> pd.Series:
    """Top / Average / Bottom for district rows, ranked within their county; None elsewhere."""
    parent = table["area"].map({a.code: a.parent for a in areas})
    districts = table["area_kind"].eq("district") & parent.notna()
    out = pd.Series(None, index=table.index, dtype=object)
    if districts.any():
        ranked = table.loc[districts, ["indicator", "latest", "polarity"]].assign(parent=parent[districts])
        out[districts] = rank_districts(ranked, ["indicator", "parent"], value="latest", polarity="polarity")
    return out


def _labels(column: pd.Series) -> pd.Series:
    """Text column with None (not NaN) where empty: pandas 3 would otherwise store text as
    its string type, whose missing value is NaN."""
    items = [None if (x is None or (isinstance(x, float) and np.isnan(x))) else x for x in column.tolist()]
    return pd.Series(items, index=column.index, dtype=object)


def dashboard_records(table: pd.DataFrame) -> list[dict]:
    """The dashboard frame as plain dicts, with None for every missing number or label."""
    clean = table.astype(object).where(table.notna(), None)
    return clean.to_dict("records")


def district_strip(table: pd.DataFrame, indicator: str, areas: Sequence[AreaSpec]) -> list[tuple[str, str | None]]:
    """(code, RAG) for each district of one indicator, in area order: the "B C H HB M NW O"
    strip."""
    rows = table[(table["indicator"] == indicator) & (table["area_kind"] == "district")].set_index("area")["rag"]
    return [(a.code, rows.get(a.code)) for a in areas if a.kind == "district" and a.code in rows.index]

