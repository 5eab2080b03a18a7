"""The dashboard's rows, each indicator × area at its own periods: ``result_rows`` (what
``app.services.results`` keeps in the database, which the web dashboard and the board's
workbook read) and ``dashboard_rows`` (the same from the stored figures in one call).

Rules: which figures a dashboard for period P compares
-------------------------------------------------------
For each indicator × area:

* *latest* is the current figure (or flagged gap, or total) whose period ends on or
  before P ends, the latest such period winning; on a tie of end dates, P itself, then a
  period of P's kind, then the longest. So an indicator whose data lags still shows:
  the IOM reduction for 2014/15 on the 2015/16 dashboard.
* *previous* is the figure for the same period a year before *latest* (like for like:
  periods of the same length and kind, a year apart) if anything is stored for it (a
  figure, a flagged gap, or a total of districts). With nothing stored there, an
  indicator compared "same period last year" (the default) has no previous figure: it is
  rated against its target if one is set, else it says "no figure for the same period
  last year" and is not rated. Only an indicator set to compare with its "latest earlier
  period" (a cohort or rolling measure: Leicestershire's youth re-offending compares
  Apr–Dec 2015 with 2014/15) falls back to the most recent figure for a period that ends
  before *latest* starts, and says so ("compared with 2014/15, the latest earlier
  figure"). Both periods' labels are shown; ``comparison`` names which it is.
* Ratings, change, direction of travel (over each indicator's own number of recent
  periods and stable band; from two figures when there are only two, ``trend.travel``),
  significance and district comparison are the indicator engine's, worked out
  for every row at its own periods in one pass (``engine_rows``: what
  ``compute_dashboard`` gives, without its fixed cost per period). Where *previous* is
  not the same period a year earlier, change and RAG are against it, and significance
  is not tested: the two periods are not alike, so a test of counts would mislead.
* Direction of travel is the *current* direction: a row whose latest figure is for a
  period that ended a year or more before the dashboard's period ends (the IOM cohort's
  2014/15 on the 2015/16 dashboard) has none, as Appendix 1 prints it; its change and
  RAG still show (``current_directions``).
* An area "has a figure" for a period if a value or flagged gap is stored for it, for its
  numerator or denominator, or (for a county or wider footprint) for any district in it
  (``behind``). A county total is then the engine's: summed or recomputed from its
  districts, or the supplied total (checked); a missing district makes it "incomplete"
  (data not yet provided for …), never smaller.
"""
from __future__ import annotations

import json
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import repeat

import numpy as np
import pandas as pd

from app.indicators.compare import rank_districts
from app.indicators.dashboard import dashboard_figures, rate_rows, significance_tests, target_columns
from app.indicators.model import AreaSpec, IndicatorSpec
from app.indicators.table import FIGURE_COLUMNS
from app.indicators.periods import period_of, previous_year_key, trend_period_keys
from app.indicators.rag import LAST_YEAR
from app.indicators.significance import ALPHA
from app.indicators.totals import Populations, area_leaves, as_spec_map, prepare_values, spec_column
from app.indicators.trend import travel
from app.indicators.year_change import changes, format_change
from app.periods import PeriodSpec
from app.vocabulary import NO_SAME_PERIOD, POINT_UNITS, SAME_PERIOD_LAST_YEAR

ROW_LABEL_COLUMNS = ["latest_flag", "previous_flag", "rag", "rag_reason", "direction", "significance",
                     "district_comparison", "aggregate_status", "comparison", "direction_basis"]


def comparison_text(year_apart: bool, previous_label: str | None, has_previous: bool) -> str:
    """What a row's latest figure is compared with, in words: "same period last year",
    "compared with 2014/15, the latest earlier figure", or "no figure for the same period
    last year"."""
    if year_apart:
        return SAME_PERIOD_LAST_YEAR
    if has_previous and previous_label:
        return f"compared with {previous_label}, the latest earlier figure"
    return NO_SAME_PERIOD


def _change_texts(changes: list, units: list) -> list[str]:
    """``format_change`` of each (change, unit), worked out once for each distinct pair
    (changes are few distinct numbers; NaN, a missing change, is never equal to itself, so
    it is told by ``!=``)."""
    texts: dict = {}
    missing: dict = {}
    out = []
    for change, unit in zip(changes, units):
        memo, key = (missing, unit) if change != change else (texts, (change, unit))
        text = memo.get(key)
        if text is None:
            text = memo[key] = format_change(change, unit)
        out.append(text)
    return out


def _lists(frame: pd.DataFrame, *columns: str) -> list[list]:
    """Columns as plain lists: zipping lists is far faster than zipping pandas' string arrays."""
    return [frame[column].tolist() for column in columns]


def behind(frame: pd.DataFrame, specs: dict[str, IndicatorSpec], areas: list[AreaSpec]) -> pd.DataFrame:
    """``frame``'s stored rows (indicator, area, period and any other columns) also under
    every indicator × area they lie behind: a recomputed indicator's parts' rows under it
    (``IndicatorSpec.parts``), and every district's rows under its county and wider
    footprint (``area_leaves``). Duplicates dropped."""
    parts = pd.DataFrame(
        [(part, s.slug) for s in specs.values() for part in s.parts],
        columns=["part", "whole"],
    )
    via_parts = frame.merge(parts, left_on="indicator", right_on="part").assign(indicator=lambda f: f["whole"])
    own = pd.concat([frame, via_parts[frame.columns]], ignore_index=True)
    leaves = pd.DataFrame(
        [(leaf.code, parent) for parent, members in area_leaves(areas).items() for leaf in members],
        columns=["leaf", "parent"],
    )
    via_leaves = own.merge(leaves, left_on="area", right_on="leaf").assign(area=lambda f: f["parent"])
    return pd.concat([own, via_leaves[frame.columns]], ignore_index=True).drop_duplicates(ignore_index=True)


def indicators_behind(keys: Iterable[tuple[str, str, str]], specs: dict[str, IndicatorSpec],
                      areas: list[AreaSpec]) -> dict[tuple[str, str], set[str]]:
    """For each (area, period), the indicators whose stored rows there lie behind any of
    ``keys`` (indicator, area, period) as ``behind`` has it: a key's own indicator and,
    if it is recomputed, its parts (``IndicatorSpec.parts``), in the key's area and in each
    area at the bottom of its tree (``area_leaves``). A stored row (indicator, area,
    period) lies behind one of ``keys`` exactly when its indicator is in the set of its
    area and period: so a workbook can ask the database which submissions have such a
    row, instead of reading tens of thousands of rows to find a few dozen."""
    parts = {s.slug: (s.slug, *s.parts) for s in specs.values() if s.parts}
    leaves = {code: [code, *(leaf.code for leaf in members)] for code, members in area_leaves(areas).items()}
    by_key: dict[tuple[str, str], set[str]] = {}  # (area, period) of the keys → their indicators
    for indicator, area, period in keys:
        by_key.setdefault((area, period), set()).update(parts.get(indicator, (indicator,)))
    found: dict[tuple[str, str], set[str]] = {}
    for (area, period), indicators in by_key.items():
        for code in leaves.get(area, (area,)):
            found.setdefault((code, period), set()).update(indicators)
    return found


def period_facts(keys: Iterable[str]) -> pd.DataFrame:
    """Start, end, kind, months and label of each period key."""
    rows = []
    for key in set(keys):
        spec = period_of(key)
        rows.append((key, spec.start, spec.end, spec.kind, spec.months, spec.label))
    return pd.DataFrame(rows, columns=["period", "start", "end", "kind", "months", "label"])


def choose_periods(present: pd.DataFrame, period: PeriodSpec, bases: dict[str, str] | None = None) -> pd.DataFrame:
    """For each indicator × area in ``present`` (indicator, area, period) with a period
    ending by ``period``'s end: its ``latest`` and ``previous`` period keys (see this
    module's rules) and whether previous is the same period a year earlier, stored
    (``year_apart``). ``bases``: indicator slug → ``IndicatorSpec.comparison_basis``
    (missing: like for like); only "latest_earlier_period" falls back to an earlier
    period of another length."""
    return choose_periods_for(present, [period], bases).drop(columns="dashboard")


def choose_periods_for(present: pd.DataFrame, periods: list[PeriodSpec],
                       bases: dict[str, str] | None = None) -> pd.DataFrame:
    """``choose_periods`` for the dashboards of several periods in one pass, each row
    with its dashboard's period key (``dashboard``); each dashboard's rows in the order
    ``choose_periods`` gives them. A pass has a fixed cost (a few dozen small pandas
    steps) that one per dashboard would pay again each time."""
    facts = period_facts(present["period"])
    boards = pd.DataFrame([(p.key, p.end, p.kind) for p in periods], columns=["dashboard", "board_end", "board_kind"])
    facts = facts.merge(boards, how="cross")
    facts = facts[facts["end"] <= facts["board_end"]].assign(is_target=lambda f: f["period"] == f["dashboard"],
                                                             same_kind=lambda f: f["kind"] == f["board_kind"])
    # Periods are few: rank them once per dashboard, then each indicator × area takes its
    # best-ranked one (ranks are compared only within a dashboard).
    facts = facts.sort_values(["dashboard", "end", "is_target", "same_kind", "months"], ignore_index=True)
    facts["rank"] = range(len(facts))
    rows = present.merge(facts[["period", "dashboard", "rank"]], on="period")
    best = rows.groupby(["dashboard", "indicator", "area"], sort=False)["rank"].max()
    latest = best.reset_index()
    latest["latest"] = facts["period"].to_numpy(dtype=object)[latest["rank"].to_numpy()]
    latest["latest_start"] = facts["start"].to_numpy(dtype=object)[latest["rank"].to_numpy()]
    latest["latest_kind"] = facts["kind"].to_numpy(dtype=object)[latest["rank"].to_numpy()]
    latest = latest.drop(columns="rank")
    year_before = {key: previous_year_key(key) for key in latest["latest"].unique()}
    latest["year_before"] = latest["latest"].map(year_before)
    stored_keys = set(zip(*_lists(present, "indicator", "area", "period")))
    latest["year_apart"] = [key in stored_keys for key in zip(*_lists(latest, "indicator", "area", "year_before"))]
    cohort = {slug for slug, basis in (bases or {}).items() if basis == "latest_earlier_period"}
    may_fall_back = ~latest["year_apart"] & latest["indicator"].isin(cohort)

    keys = ["dashboard", "indicator", "area"]
    earlier = rows.drop(columns="rank").merge(latest[may_fall_back], on=keys).merge(
        facts.drop_duplicates("period")[["period", "start", "end", "kind", "months"]], on="period")
    earlier = earlier[earlier["end"] < earlier["latest_start"]].assign(
        like_latest=lambda f: f["kind"] == f["latest_kind"])
    fallback = (earlier.sort_values(["end", "like_latest", "months"]).groupby(keys, sort=False)
                .tail(1)[[*keys, "period"]].rename(columns={"period": "fallback"}))
    out = latest.merge(fallback, on=keys, how="left")
    out["previous"] = np.where(out["year_apart"] | out["fallback"].isna(), out["year_before"], out["fallback"])
    return out[[*keys, "latest", "previous", "year_apart"]].astype({"previous": object})


def dashboard_rows(stored: pd.DataFrame, specs: dict[str, IndicatorSpec], areas: list[AreaSpec], period: PeriodSpec,
                   targets: pd.DataFrame, trend_lengths: dict[str, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(figures, rows) of the dashboard for ``period`` from the stored figures
    (``stored``: indicator, area, period, value, flag, for periods ending by its end):
    every figure with something stored behind it (``FIGURE_COLUMNS``), and the engine's
    row for each indicator × area that has one, at its own periods (``engine_rows``)."""
    present = behind(stored[["indicator", "area", "period"]], specs, areas)
    values = prepare_values(stored[["indicator", "area", "period", "value", "flag"]])
    figures = dashboard_figures(values, as_spec_map(specs), areas, sorted(present["period"].unique()))
    figures = figures.merge(present, on=["indicator", "area", "period"])[FIGURE_COLUMNS]
    bases = {slug: spec.comparison_basis for slug, spec in specs.items()}
    rows = engine_rows(choose_periods(present, period, bases), figures, targets, specs, areas, trend_lengths)
    return figures, current_directions(rows, period)


def engine_rows(choices: pd.DataFrame, figures: pd.DataFrame, target_frame: pd.DataFrame,
                specs: dict[str, IndicatorSpec], areas: list[AreaSpec], trend_lengths: dict[str, int]) -> pd.DataFrame:
    """``compute_dashboard``'s columns for rows that each have their own latest and
    compared period (``choose_periods``), in one pass with the engine's own steps: ratings
    (``rate``, incomplete totals explained), change, direction of travel over each row's
    own trend periods, district comparison within county and period, and significance —
    tested only where the compared figure is the same period a year earlier.

    ``figures`` is the engine's figure table for every period involved. One
    ``compute_dashboard`` call per distinct latest period gives the same rows (the tests
    check it) at several times the cost: each call has a fixed cost of about 0.1 s."""
    table = choices.rename(columns={"latest": "period", "previous": "previous_period"}).reset_index(drop=True)
    lookup = figure_lookup(figures)
    missing = (np.nan, None, None, None)
    keys = list(zip(*_lists(table, "indicator", "area", "period")))
    # Looked up and split into columns in C (map, zip): a row at a time in Python cost more.
    found = list(zip(*map(lookup.get, keys, repeat(missing)))) or [[]] * len(missing)
    for position, column in enumerate(("latest", "latest_flag", "latest_status", "latest_message")):
        table[column] = list(found[position])
    table["latest"] = table["latest"].astype(float)
    found = list(zip(*map(lookup.get, zip(*_lists(table, "indicator", "area", "previous_period")), repeat(missing)))) \
        or [[]] * len(missing)
    table["previous"] = np.array(found[0], dtype=float)
    table["previous_flag"] = list(found[1])
    table["area_kind"] = table["area"].map({a.code: a.kind for a in areas})
    table["unit"] = spec_column(table["indicator"], specs, "unit")
    table["polarity"] = spec_column(table["indicator"], specs, "polarity")
    wanted = target_columns(target_frame).drop_duplicates(["indicator", "area", "period"])
    table = table.merge(wanted, on=["indicator", "area", "period"], how="left")
    table["change"] = changes(table["latest"], table["previous"], table["unit"].isin(POINT_UNITS))
    table["change_text"] = _change_texts(table["change"].tolist(), table["unit"].tolist())
    has_previous = table["previous"].notna() | table["previous_flag"].notna()
    labels = {key: period_of(key).label for key in table["previous_period"].dropna().unique()}
    # A text for each distinct (year apart, compared period[, has previous]): a few, not one a row.
    apart_key = list(zip(*_lists(table, "year_apart", "previous_period")))
    texts: dict = {}
    table["comparison"] = [
        texts[key] if key in texts else texts.setdefault(key, comparison_text(key[0], labels.get(key[1]), key[2]))
        for key in zip(*zip(*apart_key), has_previous.tolist())]
    against: dict = {}
    table["against_previous"] = [
        against[key] if key in against else against.setdefault(
            key, LAST_YEAR if key[0] else f"the latest earlier figure ({labels.get(key[1])})")
        for key in apart_key]
    table["rag"], table["rag_reason"] = rate_rows(table, specs)
    table["direction"], table["trend_percent"], table["direction_basis"] = row_directions(
        table, lookup, trend_lengths, specs)
    table["significance"], table["p_value"] = None, np.nan
    populations = Populations(areas)
    for (latest, compared), group in table[table["year_apart"]].groupby(["period", "previous_period"], sort=False):
        labels, p_values = significance_tests(group, figures, specs, populations, latest, compared, ALPHA)
        table.loc[group.index, "significance"] = pd.Series(list(labels), index=group.index, dtype=object)
        table.loc[group.index, "p_value"] = p_values
    parents = table["area"].map({a.code: a.parent for a in areas})
    districts = table["area_kind"].eq("district") & parents.notna()
    table["district_comparison"] = None
    if districts.any():
        ranked = table.loc[districts, ["indicator", "period", "latest", "polarity"]].assign(parent=parents[districts])
        by = ["indicator", "parent", "period"]
        if "dashboard" in table:  # several dashboards at once: each ranks its own districts
            ranked["dashboard"], by = table.loc[districts, "dashboard"], ["dashboard", *by]
        table.loc[districts, "district_comparison"] = rank_districts(ranked, by, "latest", "polarity")
    table["aggregate_status"], table["aggregate_message"] = table["latest_status"], table["latest_message"].fillna("")
    for column in ROW_LABEL_COLUMNS:  # None, not NaN, for a missing label
        table[column] = table[column].astype(object).where(table[column].notna(), None)
    return table.drop(columns=["latest_status", "latest_message", "year_apart", "against_previous"])


DIRECTION_FIELDS = ("direction", "direction_basis", "trend_percent")  # what a stale direction clears


def stale_after(dashboard: PeriodSpec):
    """The last end day of a latest figure whose direction of travel is stale on the
    dashboard of ``dashboard``: one ending a year or more before it ends (an old figure's
    trend is not the current one)."""
    return dashboard.previous_year().end


def current_directions(table: pd.DataFrame, period: PeriodSpec | None) -> pd.DataFrame:
    """``table`` with no direction of travel (``DIRECTION_FIELDS``) on rows whose latest
    figure is stale (``stale_after``). ``period`` None: each row's own dashboard
    (``dashboard``, a period key)."""
    if table.empty:
        return table
    ends = {key: period_of(key).end for key in table["period"].unique()}
    if period is None:
        year_before = {key: stale_after(period_of(key)) for key in table["dashboard"].unique()}
        stale = (table["period"].map(ends) <= table["dashboard"].map(year_before)).to_numpy()
    else:
        stale = (table["period"].map(ends) <= stale_after(period)).to_numpy()
    if stale.any():
        direction, basis, trend = DIRECTION_FIELDS
        for column in (direction, basis):
            table[column] = table[column].astype(object).where(~stale, None)
        table[trend] = table[trend].where(~stale, np.nan)
    return table


def figure_lookup(figures: pd.DataFrame) -> dict[tuple[str, str, str], tuple]:
    """(indicator, area, period) → (value, flag, status, message) for every figure."""
    keys = zip(*_lists(figures, "indicator", "area", "period"))
    return dict(zip(keys, zip(*_lists(figures, "value", "flag", "status", "message"))))


def row_directions(table: pd.DataFrame, lookup: dict, trend_lengths: dict[str, int],
                   specs: dict[str, IndicatorSpec]):
    """Direction of travel, its measure and how it was derived per row (``trend.travel``),
    each over its own last N periods (a shorter window padded with gaps on the left: that
    does not move a least-squares slope) and with its indicator's stable band."""
    slugs, codes, latest = _lists(table, "indicator", "area", "period")
    with_figures = set(map(operator.itemgetter(2), lookup))  # the periods that have any
    value_of, missing = operator.itemgetter(0), (np.nan,)
    lengths = {slug: max(int(trend_lengths.get(slug) or 4), 1) for slug in set(slugs)}
    windows: dict[tuple[str, int], list[int]] = {}  # rows by their latest period and trend length
    for row, (slug, key) in enumerate(zip(slugs, latest)):
        windows.setdefault((key, lengths[slug]), []).append(row)
    width = max(lengths.values(), default=1)
    matrix = np.full((len(slugs), width), np.nan)
    for (key, length), rows in windows.items():
        for offset, period in enumerate(trend_period_keys(key, length), start=width - length):
            if period in with_figures:  # each row's figure looked up by its key, in C
                keys = zip(map(slugs.__getitem__, rows), map(codes.__getitem__, rows), repeat(period))
                matrix[rows, offset] = np.array(list(map(value_of, map(lookup.get, keys, repeat(missing)))),
                                                dtype=float)
    bands = spec_column(table["indicator"], specs, "stable_within").astype(float)
    return travel(matrix, table["polarity"], bands, table["unit"].isin(POINT_UNITS).to_numpy())


def plain(value):
    """None for NaN / NA, else the value (numpy scalars as Python ones)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def plain_columns(frame: pd.DataFrame) -> tuple[list[list], list[set]]:
    """``frame``'s columns as lists of ``plain`` values, worked out a column at a time (a
    dashboard of 100,000 rows would otherwise cost a Python call per cell), with the set of
    types in each (NoneType included)."""
    columns, kinds = [], []
    for name in frame.columns:
        series = frame[name]
        missing = series.isna().to_numpy()
        # Python scalars for numeric columns, objects as they are; None where missing (as an
        # object array numbers are Python's, so np.where keeps them), in C.
        values = np.where(missing, None, series.to_numpy(dtype=object)).tolist() if missing.any() else series.tolist()
        types = set(map(type, values))
        if any(issubclass(kind, np.generic) for kind in types):
            values = [plain(value) for value in values]
            types = set(map(type, values))
        columns.append(values)
        kinds.append(types)
    return columns, kinds


_as_json = json.JSONEncoder(separators=(",", ":")).encode  # one encoder for every value, not one per row


def json_column(values: list, types: set) -> list[str]:
    """Each value of a column as the JSON ``_as_json`` gives it. A column of one type (and
    None) encodes each distinct value once (flags, units, labels and most figures repeat)
    and looks the rest up in C. By value alone only then: 1, 1.0 and True are equal keys
    but different JSON, and so are 0.0 and -0.0 (a float column's zeros are encoded one
    by one)."""
    if types == {list}:  # strip codes: a few distinct lists
        memo_lists: dict = {}
        return [memo_lists.get(key) or memo_lists.setdefault(key, _as_json(value))
                for key, value in zip(map(tuple, values), values)]
    if types <= {type(None)}:
        return ["null"] * len(values)
    if len(types - {type(None)}) > 1 or any(not kind.__hash__ for kind in types):
        return [_as_json(value) for value in values]
    distinct = set(values)
    if float in types and 0 in distinct:  # each zero on its own: 0.0 or -0.0
        texts = {value: _as_json(value) for value in distinct if value != 0}
        return [texts.get(value) or _as_json(value) for value in values]
    texts = {value: _as_json(value) for value in distinct}
    return list(map(texts.__getitem__, values))


MARKS = ("headline", "several", "strip_codes")  # what ``mark_headlines`` sets on each row


@dataclass
class ResultRows:
    """One dashboard's rows as columns of plain values (``names``: the engine's columns,
    then ``note``), in the engine's order, and ``marks``: per row a small dict of its
    indicator, area and aggregate status, on which ``mark_headlines`` sets ``MARKS``. The
    refresh writes them as JSON a column at a time (``json_rows``), with no dict per row;
    ``records`` gives the dicts of ``IndicatorRow`` fields."""

    names: list[str]
    columns: list[list]
    kinds: list[set]
    marks: list[dict]

    def __len__(self) -> int:
        return len(self.marks)

    def column(self, name: str) -> list:
        if not self.marks:
            return []
        if name in MARKS:
            return [mark[name] for mark in self.marks]
        return self.columns[self.names.index(name)]

    def records(self) -> list[dict]:
        names = [*self.names, *MARKS]
        marks = [[mark[name] for mark in self.marks] for name in MARKS]
        return [dict(zip(names, row)) for row in zip(*self.columns, *marks)]

    def json_rows(self, fields: tuple[str, ...]) -> list[str]:
        """Each row as the JSON array of its ``fields``' values (``records``' dict's, which
        must hold every one of them), the same text ``_as_json`` gives the list, worked out
        a column at a time. A field of the rows not among ``fields`` (but headline and
        several) is a ValueError: it would not be kept."""
        if not self.marks:
            return []
        left_out = set(self.names) - set(fields)
        if left_out:
            raise ValueError(f"These fields of the rows would not be kept: {', '.join(sorted(left_out))}.")
        encoded = []
        for name in fields:
            if name in MARKS:
                encoded.append(json_column(self.column(name), {list} if name == "strip_codes" else {bool}))
            else:
                index = self.names.index(name)
                encoded.append(json_column(self.columns[index], self.kinds[index]))
        return ["[" + row + "]" for row in map(",".join, zip(*encoded))]  # joined in C: half a format's cost


# ---- the rows as kept in the database (``app.services.results``) ---------------------------

KIND_ORDER = {"county": 0, "wider": 1, "district": 2}


def first_rows(rows: Iterable[dict], areas: list[AreaSpec]) -> dict[str, dict]:
    """Each indicator's first row among ``rows`` (dicts with ``indicator`` and ``area``),
    where its headline starts: counties first, then wider footprints, then districts
    (``KIND_ORDER``), each in the admin's area order."""
    order = {a.code: (KIND_ORDER[a.kind], index) for index, a in enumerate(areas)}
    first: dict[str, dict] = {}
    for row in rows:
        if row["indicator"] not in first or order[row["area"]] < order[first[row["indicator"]]["area"]]:
            first[row["indicator"]] = row
    return first


def shown_by_district(first: dict, leaves: dict) -> bool:
    """Whether an indicator whose first row is ``first`` is shown district by district:
    it is never combined across areas and its county supplied no total
    (``leaves``: ``totals.area_leaves``)."""
    return first["aggregate_status"] == "not_combined" and first["area"] in leaves


def mark_headlines(rows: list[dict], areas: list[AreaSpec]) -> None:
    """Set ``headline``, ``several`` and ``strip_codes`` on each row (dicts of
    ``IndicatorRow`` fields), an indicator's rows at a time. The headline row is the
    first county with a figure, else the first wider footprint, else the first district
    (in the admin's area order); an indicator never combined across areas whose county
    supplied no total is shown district by district instead. ``strip_codes``: the
    districts under a row's area that have a row of their own."""
    leaves = area_leaves(areas)
    # Each area's districts, worked out once (not once a row).
    districts = {code: [leaf.code for leaf in members if leaf.kind == "district"] for code, members in leaves.items()}
    by_indicator: dict[str, list[dict]] = {}
    for row in rows:
        row["headline"], row["several"] = False, False
        by_indicator.setdefault(row["indicator"], []).append(row)
    firsts = first_rows(rows, areas)
    for slug, group in by_indicator.items():
        first = firsts[slug]
        shown = [first]
        if shown_by_district(first, leaves):
            members = {leaf.code for leaf in leaves[first["area"]]}
            shown = [r for r in group if r["area"] in members] or shown
        present = {r["area"] for r in group}
        for row in group:
            codes = districts.get(row["area"])
            row["strip_codes"] = [code for code in codes if code in present] if codes else []
        for row in shown:
            row["headline"], row["several"] = True, len(shown) > 1


def result_rows(present: pd.DataFrame, figures: pd.DataFrame, targets: pd.DataFrame, specs: dict[str, IndicatorSpec],
                areas: list[AreaSpec], period: PeriodSpec, trend_lengths: dict[str, int],
                notes: dict[tuple[str, str, str], str], gaps: dict[tuple[str, str, str], str]) -> list[dict]:
    """The dashboard's rows for ``period`` as plain dicts of ``IndicatorRow`` fields (no
    NaN), from what lies behind each figure (``present``: indicator, area, period) and the
    figures themselves (``FIGURE_COLUMNS``), both for periods ending by ``period``'s end:
    ``engine_rows`` at each row's own periods, then the stored ``notes`` and the flag an
    area gave for its own missing figure (``gaps``: it, not a total of districts, is why
    there is no figure), then ``mark_headlines``. Rows for a subset of indicators are the
    same as those rows of the whole (every step is per indicator), so the results can be
    brought up to date an indicator at a time."""
    return result_rows_for(present, figures, targets, specs, areas, [period], trend_lengths, notes, gaps)[period.key]


def result_rows_for(present: pd.DataFrame, figures: pd.DataFrame, targets: pd.DataFrame,
                    specs: dict[str, IndicatorSpec], areas: list[AreaSpec], periods: list[PeriodSpec],
                    trend_lengths: dict[str, int], notes: dict[tuple[str, str, str], str],
                    gaps: dict[tuple[str, str, str], str]) -> dict[str, list[dict]]:
    """``result_rows`` for the dashboards of several periods in one pass of the engine
    (``present`` and ``figures`` for periods ending by the last of them): {period key:
    its rows}, each list what ``result_rows`` gives for that period alone. A pass costs
    the same few dozen pandas steps however many dashboards it serves, so a small change
    reworking five dashboards pays for one."""
    found = result_columns_for(present, figures, targets, specs, areas, periods, trend_lengths, notes, gaps)
    return {key: rows.records() for key, rows in found.items()}


def result_columns_for(present: pd.DataFrame, figures: pd.DataFrame, targets: pd.DataFrame,
                       specs: dict[str, IndicatorSpec], areas: list[AreaSpec], periods: list[PeriodSpec],
                       trend_lengths: dict[str, int], notes: dict[tuple[str, str, str], str],
                       gaps: dict[tuple[str, str, str], str]) -> dict[str, ResultRows]:
    """``result_rows_for`` as ``ResultRows`` (columns, not a dict per row): what the
    refresh writes."""
    out = {p.key: result_columns(None, areas) for p in periods}
    if not periods:
        return out
    ends = {key: period_of(key).end for key in present["period"].unique()}
    present = present[present["period"].map(ends) <= max(p.end for p in periods)]
    if present.empty:
        return out
    bases = {slug: spec.comparison_basis for slug, spec in specs.items()}
    engine = current_directions(
        engine_rows(choose_periods_for(present, periods, bases), figures, targets, specs, areas, trend_lengths), None)
    boards = engine["dashboard"]
    engine = engine.drop(columns="dashboard")
    several = boards.nunique() > 1
    for key in out:
        board = engine[(boards == key).to_numpy()] if several else engine if (boards == key).all() else None
        if board is not None and len(board):
            out[key] = result_columns(board, areas, notes, gaps)
    return out


def result_columns(board: pd.DataFrame | None, areas: list[AreaSpec], notes: dict | None = None,
                    gaps: dict | None = None) -> ResultRows:
    """One dashboard's engine rows as ``ResultRows``: the stored ``notes``, and the flag an
    area gave for its own missing figure (``gaps``: it, not a total of districts, is why
    there is no figure), then ``mark_headlines``."""
    if board is None:
        return ResultRows([], [], [], [])
    columns, kinds = plain_columns(board)
    names = list(board.columns)
    indicator, area, period = (columns[names.index(name)] for name in ("indicator", "area", "period"))
    keys = list(zip(indicator, area, period)) if notes or gaps else []
    note = [notes.get(key) for key in keys] if notes else [None] * len(indicator)
    if gaps:
        latest, flag, message = (names.index(name) for name in ("latest", "latest_flag", "aggregate_message"))
        for row, key in enumerate(keys):
            if columns[latest][row] is None and key in gaps:
                columns[flag][row], columns[message][row] = gaps[key], ""
                kinds[flag].add(str)
                kinds[message].add(str)
    status = columns[names.index("aggregate_status")]
    marks = [{"indicator": i, "area": a, "aggregate_status": s} for i, a, s in zip(indicator, area, status)]
    mark_headlines(marks, areas)
    return ResultRows([*names, "note"], [*columns, note], [*kinds, set(map(type, note))], marks)
