"""Totals: across areas (districts → county → wider footprint) and across periods (months
or quarters → year to date, rolling 12 months).

Rules, the same in both directions:

* ``sum`` indicators (counts, money) add up their parts.
* ``recompute`` indicators (percentages, rates, ratios) are worked out again from their
  numerator and denominator indicators, each summed first: percent = 100 × num / den;
  a rate per 1,000 (or 100,000) with no denominator = 1,000 × count / population for
  the period's year (``periods.population_year``), the population being of the same
  people as the count: a district's own, and for a county or wider footprint the sum of
  its districts' (``Populations.of_parts``), as its count is the sum of theirs. They are
  never averaged: 23 of 35 and 1 of 10 is 40.0%, not the 37.9% mean of 65.7% and 10%.
* ``none`` indicators are never combined; a total exists only if someone supplied it.
* If any part is missing (no row, or flagged not available / not yet released) the total
  is ``incomplete``: no value, and a message naming the missing parts ("Data not yet
  provided for Blaby, Melton"), never a smaller number.
* If a total was supplied (a county row in the values), it is used and checked against
  the parts: agreeing to the indicator's decimals is ``supplied``, disagreeing is
  ``mismatch`` (both figures kept).
* A total made from estimates is an estimate (else provisional if any part is).

The same machinery fills in a district's recomputed indicator from its own numerator
and denominator when the district did not supply the figure itself
(``derive_recomputed``).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from app.indicators.model import (
    RECOMPUTE_SCALE,
    AggregateResult,
    AreaSpec,
    IndicatorSpec,
)
from app.indicators.periods import population_year
from app.vocabulary import FLAGS, FLAGS_WITH_VALUE

KEYS = ["indicator", "area", "period"]
VALUE_COLUMNS = [*KEYS, "value", "flag"]
RESULT_COLUMNS = [*KEYS, "value", "flag", "status", "missing", "supplied", "computed", "message"]


# ---- inputs ---------------------------------------------------------------------

def as_spec_map(indicators: Iterable[IndicatorSpec] | dict[str, IndicatorSpec]) -> dict[str, IndicatorSpec]:
    """Indicator specs by slug, checked: a recomputed indicator's numerator and
    denominator must be configured indicators that are summed."""
    specs = dict(indicators) if isinstance(indicators, dict) else {s.slug: s for s in indicators}
    for spec in specs.values():
        for part in spec.parts:
            if part not in specs:
                raise ValueError(f"'{spec.name}' is worked out from '{part}', which is not a configured indicator.")
            if specs[part].aggregation != "sum":
                raise ValueError(
                    f"'{spec.name}' is worked out from '{specs[part].name}', which must be added up "
                    "across areas (aggregation 'sum') for the total to be right."
                )
    return specs


def spec_column(slugs: pd.Series, specs: dict[str, IndicatorSpec], attribute: str) -> np.ndarray:
    """One attribute of each row's indicator spec, as an array (``unit`` of each row, say)."""
    return slugs.map({slug: getattr(spec, attribute) for slug, spec in specs.items()}).to_numpy(dtype=object)


def prepare_values(values: pd.DataFrame) -> pd.DataFrame:
    """The values frame in the engine's shape: ``indicator, area, period, value, flag``,
    value as float (NaN when missing), flag defaulting to "actual" (or "not_available"
    for a row with no value). Refuses unknown flags and duplicate figures."""
    frame = values.copy()
    if "flag" not in frame:
        frame["flag"] = None
    frame = frame[VALUE_COLUMNS]
    frame["value"] = pd.to_numeric(frame["value"], errors="raise").astype(float)
    frame["flag"] = frame["flag"].astype(object).where(frame["flag"].notna(), None)
    frame.loc[frame["flag"].isna(), "flag"] = np.where(
        frame.loc[frame["flag"].isna(), "value"].isna(), "not_available", "actual"
    )
    unknown = set(frame["flag"]) - set(FLAGS)
    if unknown:
        raise ValueError(f"Unknown value flag(s): {', '.join(sorted(map(str, unknown)))}.")
    duplicated = frame.duplicated(KEYS, keep=False)
    if duplicated.any():
        first = frame[duplicated].iloc[0]
        raise ValueError(
            f"There are two figures for {first['indicator']} in {first['area']} for {first['period']}: "
            "pass only the current one."
        )
    return frame.reset_index(drop=True)


def _present(frame: pd.DataFrame) -> pd.Series:
    return frame["value"].notna() & frame["flag"].isin(FLAGS_WITH_VALUE)


# ---- areas ----------------------------------------------------------------------

def area_leaves(areas: Sequence[AreaSpec]) -> dict[str, list[AreaSpec]]:
    """For every area with children: the areas at the bottom of its tree (its districts,
    and for a wider footprint the districts of its counties), in the order given."""
    children: dict[str, list[AreaSpec]] = {}
    for area in areas:
        if area.parent is not None:
            children.setdefault(area.parent, []).append(area)

    def leaves(code: str) -> list[AreaSpec]:
        out = []
        for child in children.get(code, []):
            out.extend(leaves(child.code) if child.code in children else [child])
        return out

    return {a.code: leaves(a.code) for a in areas if a.code in children}


class Populations:
    """Population of an area for a period's year. An area with no figure of its own for
    that year (a county, say) uses the sum of its districts' if they all have one."""

    def __init__(self, areas: Sequence[AreaSpec]):
        self._areas = {a.code: a for a in areas}
        self._leaves = area_leaves(areas)
        self._cache: dict[tuple[str, int], float] = {}

    def for_year(self, code: str, year: int) -> float:
        key = (code, year)
        if key not in self._cache:
            area = self._areas.get(code)
            own = area.population_for(year) if area else None
            if own is None and code in self._leaves:
                parts = [leaf.population_for(year) for leaf in self._leaves[code]]
                own = None if any(p is None for p in parts) else sum(parts)
            self._cache[key] = np.nan if own is None else float(own)
        return self._cache[key]

    def of_parts(self, codes: Iterable[str], periods: Iterable[str], parts: dict[str, list[str]]) -> np.ndarray:
        """For each area and period, the summed populations of ``parts[area]`` (the areas
        its figure is added up from), NaN if any of them has none for the year."""
        memo: dict[tuple[str, str], float] = {}
        out = []
        for code, period in zip(list(codes), list(periods)):
            if (code, period) not in memo:
                year = population_year(period)
                memo[(code, period)] = float(sum(self.for_year(part, year) for part in parts[code]))
            out.append(memo[(code, period)])
        return np.array(out, dtype=float)

    def lookup(self, codes: Iterable[str], periods: Iterable[str]) -> np.ndarray:
        """Populations for parallel arrays of area codes and period keys (NaN if unknown)."""
        memo: dict[tuple[str, str], float] = {}
        out = []
        for pair in zip(list(codes), list(periods)):
            if pair not in memo:
                memo[pair] = self.for_year(pair[0], population_year(pair[1]))
            out.append(memo[pair])
        return np.array(out, dtype=float)


# ---- the combining core -----------------------------------------------------------

def _sum_parts(values, slugs, mapping, dim, other, keep) -> pd.DataFrame:
    """Sum each of ``slugs`` over the parts in ``mapping`` (target ← source), for every
    value of the other dimension in ``keep``. One row per indicator × target × other,
    with the sum only where every part is present, and the missing parts named."""
    keys = ["indicator", "target", other]
    rows = values[values["indicator"].isin(slugs) & values[other].isin(keep) & _present(values)]
    identity = bool((mapping["target"] == mapping["source"]).all())
    if identity:  # each area is its own only part (a district's own figures)
        rows = rows[rows[dim].isin(mapping["source"])].assign(target=lambda r: r[dim])
    else:
        rows = rows.merge(mapping[["target", "source"]].rename(columns={"source": dim}), on=dim)
    rows = rows.assign(is_estimate=rows["flag"] == "estimate", is_provisional=rows["flag"] == "provisional")
    if not identity:
        found = rows.groupby(keys, sort=False).agg(
            computed=("value", "sum"),
            n_present=("value", "size"),
            estimate=("is_estimate", "any"),
            provisional=("is_provisional", "any"),
        ).reset_index()
    else:  # one part per total (values have one row per key): nothing to add up
        found = rows[[*keys, "value", "is_estimate", "is_provisional"]].rename(
            columns={"value": "computed", "is_estimate": "estimate", "is_provisional": "provisional"}
        ).assign(n_present=1)
    grid = (
        pd.DataFrame({"indicator": pd.Series(list(slugs), dtype="str")})
        .merge(pd.DataFrame({"target": mapping["target"].unique()}), how="cross")
        .merge(pd.DataFrame({other: list(keep)}), how="cross")
    )
    out = grid.merge(found, on=keys, how="left")
    parts = {t: list(zip(group["source"], group["source_name"]))
             for t, group in mapping.sort_values("order", kind="stable").groupby("target", sort=False)}
    complete = (out["n_present"] == out["target"].map({t: len(p) for t, p in parts.items()})).to_numpy()
    out["computed"] = out["computed"].where(complete)
    out["estimate"] = out["estimate"].eq(True)
    out["provisional"] = out["provisional"].eq(True)
    out["missing"] = [()] * len(out)
    if not complete.all():
        gaps = out.loc[~complete, keys]
        present = rows.merge(gaps, on=keys).groupby(keys, sort=False)[dim].agg(frozenset).to_dict()
        out.loc[~complete, "missing"] = pd.Series([
            tuple(name for source, name in parts[key[1]] if source not in present.get(key, ()))
            for key in gaps.itertuples(index=False, name=None)
        ], index=gaps.index, dtype=object)
    return out.drop(columns=["n_present"]).rename(columns={"target": dim})


def _merge_missing(a: pd.Series, b: pd.Series) -> list[tuple]:
    return [x + tuple(m for m in y if m not in x) for x, y in zip(a.tolist(), b.tolist())]


def _recompute(sums, recompute, dim, other, populations, mapping) -> pd.DataFrame:
    """Work recomputed indicators out from their summed numerators and denominators; a
    rate with no denominator over the population of the areas its count was summed from."""
    keys = [dim, other]
    parts = pd.DataFrame(
        [(s.slug, s.numerator, s.denominator, RECOMPUTE_SCALE[s.unit]) for s in recompute],
        columns=["indicator", "numerator", "denominator", "scale"],
    )
    side = sums[["indicator", *keys, "computed", "missing", "estimate", "provisional"]]
    out = parts.merge(side.rename(columns={"indicator": "numerator"}), on="numerator").merge(
        side.rename(columns={"indicator": "denominator"}), on=["denominator", *keys], how="left", suffixes=("", "_den")
    )
    by_population = out["denominator"].isna().to_numpy()
    den = out["computed_den"].to_numpy(dtype=float, copy=True)
    if dim == "area":  # the count is summed over the mapping's sources: so is the population
        parts = mapping.groupby("target", sort=False)["source"].agg(list).to_dict()
        den[by_population] = populations.of_parts(out.loc[by_population, "area"], out.loc[by_population, "period"],
                                                   parts)
    else:  # periods of one area: the area's population for the combined period's year
        den[by_population] = populations.lookup(out.loc[by_population, "area"], out.loc[by_population, "period"])
    out["missing"] = _merge_missing(
        out["missing"], out["missing_den"].apply(lambda m: m if isinstance(m, tuple) else ())
    )
    parts_complete = out["computed"].notna().to_numpy() & ~np.isnan(den)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["computed"] = np.where(den > 0, out["scale"] * out["computed"] / den, np.nan)
    out["problem"] = np.select(
        [by_population & np.isnan(den), parts_complete & (den == 0)],
        ["no population figure for the year", "the denominator is zero, so it cannot be worked out"],
        "",
    )
    out["estimate"] = out["estimate"] | out["estimate_den"].eq(True)
    out["provisional"] = out["provisional"] | out["provisional_den"].eq(True)
    return out[["indicator", *keys, "computed", "missing", "estimate", "provisional", "problem"]]


def _combine(values, specs, wanted, mapping, dim, keep, populations, describe_parts) -> pd.DataFrame:
    """Totals of the ``wanted`` indicators over ``mapping`` along ``dim`` ("area" or
    "period"), for each value of the other dimension in ``keep``."""
    other = "period" if dim == "area" else "area"
    wanted = [specs[s] for s in wanted]
    recompute = [s for s in wanted if s.aggregation == "recompute"]
    summed = {s.slug for s in wanted if s.aggregation == "sum"}
    summed |= {p for s in recompute for p in s.parts}
    sums = _sum_parts(values, sorted(summed), mapping, dim, other, keep)
    frames = [sums[sums["indicator"].isin({s.slug for s in wanted})].assign(problem="")]
    if recompute:
        frames.append(_recompute(sums, recompute, dim, other, populations, mapping))
    targets = mapping["target"].drop_duplicates()
    not_combined = [s.slug for s in wanted if s.aggregation == "none"]
    if not_combined:
        grid = pd.DataFrame({"indicator": not_combined}).merge(pd.DataFrame({dim: targets}), how="cross")
        grid = grid.merge(pd.DataFrame({other: list(keep)}), how="cross")
        frames.append(
            grid.assign(computed=np.nan, missing=[()] * len(grid), estimate=False, provisional=False, problem="")
        )
    out = pd.concat([f for f in frames if len(f)], ignore_index=True)
    return _with_supplied(out, values, specs, dim, describe_parts)


def _with_supplied(out, values, specs, dim, describe_parts) -> pd.DataFrame:
    """Use and check totals that were supplied; set status, flag and message."""
    supplied = values[_present(values)].rename(columns={"value": "supplied", "flag": "supplied_flag"})
    out = out.merge(supplied, on=KEYS, how="left")
    spec_of = out["indicator"].map(specs)
    not_combined = spec_column(out["indicator"], specs, "aggregation") == "none"
    tolerance = 0.5 * 10.0 ** -spec_column(out["indicator"], specs, "decimals").astype(float) + 1e-9
    has_supplied = out["supplied"].notna().to_numpy()
    complete = out["computed"].notna().to_numpy() & ~not_combined
    agrees = np.abs(out["supplied"].to_numpy() - out["computed"].to_numpy()) <= tolerance
    out["status"] = np.select(
        [has_supplied & complete & ~agrees, has_supplied, complete, not_combined],
        ["mismatch", "supplied", "complete", "not_combined"],
        "incomplete",
    )
    out["value"] = np.where(has_supplied, out["supplied"], out["computed"])
    derived_flag = np.where(out["estimate"], "estimate", np.where(out["provisional"], "provisional", "actual"))
    out["flag"] = np.where(has_supplied, out["supplied_flag"], np.where(complete, derived_flag, "not_available"))
    out["message"] = [
        _message(status, missing, sup, comp, spec, problem, describe_parts)
        for status, missing, sup, comp, spec, problem in zip(
            *(out[c].tolist() for c in ("status", "missing", "supplied", "computed")),
            spec_of.tolist(),
            out["problem"].tolist(),
        )
    ]
    return out[RESULT_COLUMNS].astype({"status": object, "flag": object, "message": object})


def _shown(value: float, spec: IndicatorSpec) -> str:
    return f"{value:,.{spec.decimals}f}"


def _message(status, missing, supplied, computed, spec, problem, describe_parts) -> str:
    if status == "complete":
        return ""
    if status == "not_combined":
        return f"'{spec.name}' is not combined {describe_parts['across']}; no total was supplied."
    not_provided = "; ".join(
        part for part in (f"data not yet provided for {', '.join(missing)}" if missing else "", problem) if part
    )
    if status == "incomplete":
        return not_provided[:1].upper() + not_provided[1:] + "."
    if status == "mismatch":
        how = "the sum of" if spec.aggregation == "sum" else "the figure worked out from"
        return (
            f"The total supplied ({_shown(supplied, spec)}) differs from {how} "
            f"{describe_parts['parts']} ({_shown(computed, spec)})."
        )
    if not_provided:
        return f"Total as supplied; it cannot be checked against {describe_parts['parts']}: {not_provided}."
    return ""


# ---- public entry points ------------------------------------------------------------

def aggregate_areas(
    values: pd.DataFrame,
    indicators,
    areas: Sequence[AreaSpec],
    periods: Iterable[str] | None = None,
    targets: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Totals for every area that has children (or just ``targets``), for every indicator
    and each of ``periods`` (default: every period in ``values``).

    Columns: indicator, area, period, value, flag, status, missing (tuple of area names),
    supplied, computed, message."""
    return totals_for_areas(prepare_values(values), as_spec_map(indicators), areas, periods, targets)


def totals_for_areas(values, specs, areas, periods=None, targets=None) -> pd.DataFrame:
    """``aggregate_areas`` for values already through ``prepare_values`` and specs
    through ``as_spec_map``."""
    periods = sorted(set(values["period"])) if periods is None else list(dict.fromkeys(periods))
    leaves = area_leaves(areas)
    targets = list(leaves) if targets is None else list(targets)
    unknown = [t for t in targets if t not in leaves]
    if unknown:
        raise ValueError(f"Area(s) {', '.join(unknown)} have no districts to add up.")
    mapping = pd.DataFrame(
        [(t, leaf.code, leaf.name, i) for t in targets for i, leaf in enumerate(leaves[t])],
        columns=["target", "source", "source_name", "order"],
    )
    if mapping.empty or not periods:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    return _combine(values, specs, list(specs), mapping, "area", periods, Populations(areas),
                    {"across": "across areas", "parts": "the districts"})


def combine_periods(
    values: pd.DataFrame,
    indicators,
    areas: Sequence[AreaSpec],
    parts: Sequence[str],
    into: str,
    area_codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """A longer period built from its parts, for every area (or ``area_codes``): year to
    date or rolling 12 months from months or quarters (see ``periods.year_to_date_parts``
    and ``rolling_12_months_parts``). Same columns and rules as ``aggregate_areas``; a
    missing part names the missing period."""
    specs = as_spec_map(indicators)
    values = prepare_values(values)
    codes = list(dict.fromkeys(area_codes if area_codes is not None else [a.code for a in areas]))
    mapping = pd.DataFrame(
        [(into, p, p, i) for i, p in enumerate(parts)], columns=["target", "source", "source_name", "order"]
    )
    return _combine(values, specs, list(specs), mapping, "period", codes, Populations(areas),
                    {"across": "across periods", "parts": "the periods"})


def derive_recomputed(
    values: pd.DataFrame, indicators, areas: Sequence[AreaSpec], area_codes: Iterable[str] | None = None
) -> pd.DataFrame:
    """Each area's own figure for recomputed indicators, worked out from the same area's
    numerator and denominator; a figure the area supplied itself wins and is checked."""
    return derived_for_areas(prepare_values(values), as_spec_map(indicators), areas, area_codes)


def derived_for_areas(values, specs, areas, area_codes=None, periods=None) -> pd.DataFrame:
    """``derive_recomputed`` for values already through ``prepare_values`` and specs
    through ``as_spec_map``."""
    recompute = [s.slug for s in specs.values() if s.aggregation == "recompute"]
    codes = list(dict.fromkeys(area_codes if area_codes is not None else [a.code for a in areas]))
    names = {a.code: a.name for a in areas}
    mapping = pd.DataFrame(
        [(c, c, names.get(c, c), 0) for c in codes], columns=["target", "source", "source_name", "order"]
    )
    periods = sorted(set(values["period"])) if periods is None else list(dict.fromkeys(periods))
    if not recompute or not periods or mapping.empty:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    return _combine(values, specs, recompute, mapping, "area", periods, Populations(areas),
                    {"across": "across areas", "parts": "its numerator and denominator"})


def to_result(row) -> AggregateResult:
    """One row of a totals frame as an ``AggregateResult``."""
    def number(x):
        return None if pd.isna(x) else float(x)

    return AggregateResult(
        value=number(row["value"]), status=row["status"], missing_areas=tuple(row["missing"]),
        supplied=number(row["supplied"]), computed=number(row["computed"]), flag=row["flag"], message=row["message"],
    )


def aggregate(
    values: pd.DataFrame, indicators, areas: Sequence[AreaSpec], target_area: str, period: str
) -> dict[str, AggregateResult]:
    """Every indicator's total for one area and period, by indicator slug."""
    frame = aggregate_areas(values, indicators, areas, periods=[period], targets=[target_area])
    return {row["indicator"]: to_result(row) for _, row in frame.iterrows()}
