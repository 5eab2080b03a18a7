"""The board's workbook for a period, assembled from the database.

``dashboard_data(period, user, public=...)`` fills ``app.export.dashboard_data.DashboardData``
from the same ``PerformanceTable`` the web dashboard shows (``app.services.dashboard``),
and ``export_dashboard`` writes it with ``app.export.dashboard.build_dashboard``.

What goes on each sheet
- **Dashboard**: every outcome with its shown rows (headline rows, see
  ``app.services.dashboard``), each with both periods' labels, direction, RAG (and the
  manager's override, kept with the calculated rating in the reason), significance, peer
  comparison and the district strip. Indicator commentary follows the RAG reason.
- **District tables**: every county × indicator with figures for the county's districts,
  at the county figure's period: the districts, the county total (the engine's: summed,
  recomputed or supplied and checked), the wider footprint's figure and the wider
  footprint's target (else the county's). Coloured against target only for indicators
  rated by target. One table per outcome, county and period.
- **Outcome measures**: headline rows of indicators rated against a target that are not
  in a district table (Table 2), with the reason a figure is not available as a
  footnote.
- **Quarterly trends**: headline rows whose latest figure is a quarter: Q1–Q4 of that
  quarter's financial year beside the year before (one table per outcome, unit and
  year). A quarter after the dashboard's period is "not yet due". A figure stored for a
  whole financial year shows in that year's "Whole year" column; a district's figures
  that the county row cannot show (its total incomplete) get the district's own row.
- **Rolling 12 months**: headline rows whose latest figure is a 12-month span, against
  the 12 months a year earlier, with the year to date to the same month.
- **Completeness**: returns due in the 12 months up to the period's end.
- **Notes and definitions**: each shown indicator's definition, source, unit, polarity
  and RAG rule.

The full version (the CLI, run by whoever operates the server, and managers and admins
on the web) has internal commentary, the submissions behind the figures, completeness
by agency, and the restricted sheets (``restricted_sheets``). The public version leaves
those out and passes the figures through ``suppress_small_counts`` (counts 1–4 shown as
"<5", and anything they could be worked out from as "[c]"), except for indicators an
admin has marked as safe to publish unsuppressed (``Indicator.suppress_small_counts``).
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy import select

from app.collector import cycle_collection_paused
from app.export.dashboard_data import (
    TOTAL_KEY,
    WIDER_KEY,
    CompletenessRow,
    CompletenessTable,
    DashboardData,
    DashboardRow,
    DistrictRow,
    DistrictTable,
    IndicatorDefinition,
    MeasureRow,
    MeasureTable,
    OutcomeBlock,
    RollingRow,
    RollingTable,
    SheetWriter,
    SubmissionRef,
    TrendRow,
    TrendTable,
    suppress_small_counts,
)
from app.extensions import db
from app.indicators.periods import period_of, quarter_keys
from app.indicators.rag import with_tolerance
from app.indicators.table import IndicatorRow, chart_order
from app.models import (
    DATA_VALUE_IS_CURRENT, Agency, Area, DataValue, IndicatorFigure, Period, ReturnTemplate, Submission,
    TemplateVersion,
)
from app.models.base import utcnow
from app.periods import financial_year, fy_label, year_to_date
from app.services import ServiceError
from app.services.dashboard import (
    NO_OUTCOME,
    PerformanceTable,
    dashboard_view,
    data_as_at,
    parse_dashboard_period,
    performance_table,
    period_slug,
)
from app.services.schedule import completeness_view
from app.vocabulary import WORKBOOK_FLAGS as FLAGS
from app.vocabulary import DISPLAY_UNIT, POLARITY_LABELS, RAG_NAMES, UNIT_LABELS, WORKBOOK_FLAG

WORKBOOK_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Why a manager's full version has no DHR sheets (issue 18): said on Contents, in the
# report and on the download page.
DHR_LEFT_OUT = ("Left out of this full version: the DHR Budget, DHR Cases and DHR Actions sheets (and the report's "
                "DHR summary). Domestic Homicide Review data is restricted to administrators, DHR co-ordinators and "
                "the people an administrator has given DHR access; ask an administrator if you need it.")
# The district tables' figures are read a few counties at a time, about this many at once.
READ_FIGURES = 20_000
TOTAL_STATUS = {"complete": "complete", "supplied": "complete", "mismatch": "mismatch", "incomplete": "incomplete",
                "not_combined": "complete"}


def left_out_for(user, public: bool) -> str | None:
    """Why ``user``'s full version lacks the DHR sheets, or None (public, or all shown)."""
    from app.policy import may_see_dhr

    return None if public or user is None or may_see_dhr(user) else DHR_LEFT_OUT


def restricted_sheets(user) -> list[SheetWriter]:
    """The restricted sheets of the full workbook (the DHR budget, cases and actions, the
    action plan), for ``user`` (None: the operator's ``flask dashboard export``, which
    gets them all). The public version never asks for them."""
    from app.services.dhr import dhr_sheets, dhr_sheets_for

    return dhr_sheets() if user is None else dhr_sheets_for(user)


def _unit(unit: str) -> str:
    return DISPLAY_UNIT.get(unit, unit)


def _flag(flag: str | None, status: str | None = None, value=None) -> str | None:
    if status == "mismatch":
        return "mismatch"
    if value is None and status == "incomplete":
        return "incomplete"
    return WORKBOOK_FLAG.get(flag) if flag else None


def _twelve_months_to(key: str) -> str:
    end = period_of(key).end
    return f"12 months to {end.day} {end:%B %Y}"


@lru_cache(maxsize=4096)
def _label(key: str | None) -> str:
    return period_of(key).label if key else ""


@lru_cache(maxsize=4096)
def _shape(key: str) -> tuple[str, int, date]:
    """A period's kind, length in months and end (``PeriodSpec`` works out the length
    and label each time it is asked: a county's workbook asks tens of thousands of times)."""
    spec = period_of(key)
    return spec.kind, spec.months, spec.end


@lru_cache(maxsize=64)
def _trend_keys(year: int) -> tuple[str, ...]:
    """The periods a trend table of financial ``year`` shows: last year's and this year's
    quarters, then both whole years (last year's first)."""
    return (*quarter_keys(year - 1), *quarter_keys(year), financial_year(year - 1).key, financial_year(year).key)


class _Builder:
    """Turns one PerformanceTable into the workbook's tables."""

    def __init__(self, table: PerformanceTable, public: bool, area: str | None = None):
        self.table, self.public = table, public
        self.view = dashboard_view(table.period, None, area=area, table=table, charts=False)
        self.outcome_names = {o.id: o.name for o in table.outcomes}
        self.names = {a.code: a.name for a in table.areas}
        self.used: set[tuple[str, str, str]] = set()  # (indicator, area, period) of every figure written
        # The figures the workbook shows, read for its rows only (``_read``): (indicator,
        # area, period) → (value, flag, status, message) as plain Python values (value a
        # float or None), and each pair's periods in order.
        self._figures: dict[tuple[str, str, str], tuple] = {}
        self._periods: dict[tuple[str, str], list[str]] = {}
        # The shown rows' figures (and their numerators'), none older than a row's compared
        # period or the two financial years before its latest (trends, rolling year, year
        # to date, the sparkline's last 8), for any row of the table. Their districts'
        # figures are read as the tables need them (``_read_trend_districts``,
        # ``_read_district_figures``), for the periods those show, within the same bounds.
        starts = [period_of(key).start for r in table.rows.values() for key in (r.previous_period,) if key]
        starts += [period_of(r.period).start - timedelta(days=3 * 366) for r in table.rows.values()]
        self.since = min(starts, default=None)
        pairs = set()
        for row in self.shown_rows():
            part = table.specs[row.indicator].numerator
            pairs.update((slug, row.area) for slug in (row.indicator, part) if slug)
        self._read(pairs, self.since)
        self._targets = self._target_lookup()
        self._districts: dict[str, list[str]] = {}
        self._trend_districts_of: dict[tuple[str, str, int], tuple[set[str], list[IndicatorRow]]] = {}

    # -- the figures ----------------------------------------------------------------------
    def shown_rows(self) -> list[IndicatorRow]:
        return [row for block in self.view.outcomes for row in block.rows]

    def _read(self, pairs: set[tuple[str, str]], since) -> None:
        """Read the figures of these (indicator, area) pairs for periods starting on or
        after ``since`` (a date; None: any) and ending by the dashboard's period."""
        if not pairs:
            return
        query = select(Period.id, Period.key).where(Period.end_date <= self.table.period.end)
        if since is not None:
            query = query.where(Period.start_date >= since)
        keys = dict(db.session.execute(query).all())
        self._take(pairs, keys, lambda key: key[:2] in pairs)

    def _read_keys(self, wanted: set[tuple[str, str, str]]) -> None:
        """Read these figures (indicator, area, period) that are not read yet."""
        wanted = {key for key in wanted if key not in self._figures}
        if not wanted:
            return
        query = select(Period.id, Period.key).where(Period.key.in_(sorted({key for _, _, key in wanted})),
                                                    Period.end_date <= self.table.period.end)
        self._take({key[:2] for key in wanted}, dict(db.session.execute(query).all()), wanted.__contains__)

    def _take(self, pairs: set[tuple[str, str]], periods: dict[int, str], keep: Callable[[tuple], bool]) -> None:
        """The kept figures (``indicator_figure`` rows with a figure) of the indicators and
        areas of ``pairs`` for ``periods`` (id → key), those ``keep`` accepts (a key
        (indicator, area, period) → bool): plain tuples straight from the driver, not a
        frame (a county's workbook reads tens of thousands)."""
        from app.store.rows import fetch_tuples

        if not periods:
            return
        indicators = self.table.indicators
        slugs = {indicator.id: slug for slug, indicator in indicators.items()}
        # Each indicator's id once (a model's attribute costs more than a dict's item), not once per pair.
        indicator_ids = sorted({indicators[slug].id for slug in {slug for slug, _ in pairs} if slug in indicators})
        codes = {id_: code for code, id_ in self.table.area_ids.items()}
        area_ids = sorted({self.table.area_ids[code] for code in {code for _, code in pairs}})
        query = (select(IndicatorFigure.indicator_id, IndicatorFigure.area_id, IndicatorFigure.period_id,
                        IndicatorFigure.value, IndicatorFigure.flag, IndicatorFigure.status, IndicatorFigure.message)
                 .where(IndicatorFigure.has_figure.is_(True), IndicatorFigure.indicator_id.in_(indicator_ids),
                        IndicatorFigure.area_id.in_(area_ids), IndicatorFigure.period_id.in_(sorted(periods))))
        figures = self._figures
        for indicator_id, area_id, period_id, value, flag, status, message in fetch_tuples(query):
            key = (slugs[indicator_id], codes[area_id], periods[period_id])
            if keep(key):
                # As a frame read them: a float, or None for a missing (or NaN) value.
                figures[key] = (None if value is None or value != value else float(value), flag, status, message)
        self._periods = {}

    def periods_read(self, slug: str, area: str) -> list[str]:
        """The periods of the figures read of one indicator × area, oldest first."""
        if not self._periods:
            for i, a, p in self._figures:
                self._periods.setdefault((i, a), []).append(p)
            for keys in self._periods.values():
                keys.sort(key=chart_order)
        return self._periods.get((slug, area), [])

    def _target_lookup(self) -> dict[tuple[str, str, str], tuple[float, float | None]]:
        """(indicator, area, period) → (target, tolerance): the first of each in the table's targets."""
        import pandas as pd

        targets = self.table.targets
        tolerances = targets["tolerance"] if "tolerance" in targets else [None] * len(targets)
        found: dict[tuple[str, str, str], tuple[float, float | None]] = {}
        for key, value, tolerance in zip(zip(targets["indicator"], targets["area"], targets["period"]),
                                          targets["value"], tolerances):
            found.setdefault(key, (float(value), None if pd.isna(tolerance) else float(tolerance)))
        return found

    # -- helpers --------------------------------------------------------------------------
    def indicator(self, row: IndicatorRow):
        return self.table.indicators[row.indicator]

    def display_name(self, row: IndicatorRow) -> str:
        name = self.indicator(row).name
        return f"{name} — {self.names[row.area]}" if row.several else name

    def value(self, slug: str, area: str, key: str | None):
        found = self._figures.get((slug, area, key)) if key else None
        if found is None:
            return None
        self.used.add((slug, area, key))
        return found[0]

    def numerator(self, row: IndicatorRow, key: str | None, area: str | None = None):
        """The numerator's figure of ``row``'s indicator, for ``area`` (default: the row's)."""
        part = self.table.specs[row.indicator].numerator
        return self.value(part, area or row.area, key) if part and key else None

    def comment(self, row: IndicatorRow) -> str | None:
        if not row.comment or (self.public and row.comment_internal):
            return None
        return ("Internal comment: " if row.comment_internal else "Comment: ") + row.comment

    @staticmethod
    def total_note(row: IndicatorRow) -> str | None:
        """Why a total is missing, disputed or not made; a supplied total needs no note."""
        return row.aggregate_message if row.aggregate_status != "supplied" else None

    def bands(self, row: IndicatorRow, target, tolerance=None) -> tuple[str | None, float, float]:
        """(polarity, green, amber) for colouring against a target, as fractions of it; a
        target's own tolerance is its amber band (``with_tolerance``, as the rating)."""
        indicator = self.indicator(row)
        if indicator.rag_method != "target" or indicator.polarity == "neutral":
            return None, 0.0, 0.1
        rule = with_tolerance(self.table.specs[row.indicator].rag, tolerance)
        green, amber = rule.green_within, rule.amber_within
        if indicator.rag_band_kind == "percent":
            return indicator.polarity, green / 100, amber / 100
        scale = abs(target) if target else 0
        return indicator.polarity, (green / scale if scale else 0.0), (amber / scale if scale else 0.0)

    def rows_where(self, keep: Callable[[IndicatorRow], bool]) -> dict[int | None, list[IndicatorRow]]:
        grouped: dict[int | None, list[IndicatorRow]] = {}
        for block in self.view.outcomes:
            for row in block.rows:
                if keep(row):
                    grouped.setdefault(block.outcome_id, []).append(row)
        return grouped

    def outcome_name(self, outcome_id) -> str:
        return self.outcome_names.get(outcome_id, NO_OUTCOME)

    # -- sheets ---------------------------------------------------------------------------
    def dashboard_blocks(self) -> list[OutcomeBlock]:
        blocks = []
        for block in self.view.outcomes:
            rows = [self.dashboard_row(row) for row in block.rows]
            internal = block.comment_internal
            comment = None if (self.public and internal) else block.comment
            blocks.append(OutcomeBlock(block.name, block.rag, block.rag_overridden, comment,
                                       internal and comment is not None, rows))
        return blocks

    def history(self, row: IndicatorRow) -> list[tuple[str, float, str | None]]:
        """The row's last 8 figures with a value, for periods of the same kind and length
        as its latest, up to the dashboard's period: the sparkline's points, each (period,
        value, flag)."""
        (kind, months, _), end, slug, area = _shape(row.period), self.table.period.end, row.indicator, row.area
        figures = self._figures
        found = []
        for key in self.periods_read(slug, area):
            shape = _shape(key)
            if shape[0] == kind and shape[1] == months and shape[2] <= end:
                value, flag, _, _ = figures[(slug, area, key)]
                if value is not None:
                    found.append((key, value, flag))
        return found[-8:]

    def dashboard_row(self, row: IndicatorRow) -> DashboardRow:
        indicator = self.indicator(row)
        latest, previous = row.period, row.previous_period
        history = self.history(row)
        latest_value = self.value(row.indicator, row.area, latest)
        latest_flag = _flag(row.latest_flag, row.aggregate_status, row.latest)
        received_note = None
        if latest_value is None and history and period_of(history[-1][0]).end < period_of(latest).end:
            # Nothing for the row's own period (a total still incomplete, a figure not
            # released): the newest figure actually received, with its period, beats a
            # blank, and the reason says why it is not the row's period.
            newest, newest_value, newest_flag = history[-1]
            received_note = (f"Latest figure received: {_label(newest)}; "
                             f"{_label(latest)} is {FLAGS[latest_flag][0] if latest_flag else 'not available'}.")
            latest, latest_value, latest_flag = newest, newest_value, _flag(newest_flag)
            self.used.add((row.indicator, row.area, latest))
        reason = " ".join(part for part in (received_note, row.rag_reason, self.comment(row)) if part) or None
        numbered = self.table.specs[row.indicator].numerator is not None
        return DashboardRow(
            indicator=self.display_name(row), unit=_unit(indicator.unit), decimals=indicator.decimals,
            previous=self.value(row.indicator, row.area, previous), previous_label=_label(previous),
            latest=latest_value, latest_label=_label(latest), latest_flag=latest_flag,
            previous_flag=_flag(row.previous_flag) if row.previous is None else None,
            direction=row.direction, rag=row.rag, rag_reason=reason, rag_overridden=bool(row.rag_overridden),
            significance=row.significance, peer_comparison=row.peer_comparison,
            district_rags=dict(row.strip), comparison=row.comparison, direction_basis=row.direction_basis,
            previous_numerator=self.numerator(row, previous), latest_numerator=self.numerator(row, latest),
            history=[(_label(key), value) for key, value, _ in history],
            history_numerators=[self.numerator(row, key) for key, _, _ in history] if numbered else None,
        )

    def district_tables(self) -> tuple[list[DistrictTable], set[str]]:
        """One table per outcome, county and period; returns the tables and the names of
        the indicators in them."""
        tables: dict[tuple, list[DistrictRow]] = {}
        counties = [a for a in self.table.areas if a.kind == "county"]
        indicators = sorted(self.table.indicators.values(), key=lambda i: (i.sort_order, i.id))
        self._read_district_figures(counties, indicators)
        for indicator in indicators:
            for county in counties:
                row = self.table.rows.get((indicator.slug, county.code))
                if row is None or not row.strip_codes:
                    continue
                tables.setdefault((indicator.outcome_id, county.code, row.period), []).append(
                    self.district_row(row, county)
                )
        out = []
        for (outcome_id, code, key), rows in tables.items():
            county = self.table.area_by_code[code]
            wider = self.table.area_by_code.get(county.parent) if county.parent else None
            districts = [a for a in self.table.areas if a.parent == code and a.kind == "district"]
            out.append(DistrictTable(
                title=f"{self.outcome_name(outcome_id)}: {county.name}", period_label=_label(key),
                area_columns=[(a.code, a.name) for a in districts], total_column=f"Total {county.name}",
                wider_column=f"{wider.name} figure" if wider else "Wider footprint",
                target_column=f"{wider.name if wider else county.name} target", rows=rows))
        return out, {row.indicator for rows in tables.values() for row in rows}

    def districts_of(self, county: str) -> list[str]:
        if county not in self._districts:
            self._districts[county] = [a.code for a in self.table.areas if a.parent == county and a.kind == "district"]
        return self._districts[county]

    def _read_district_figures(self, counties, indicators) -> None:
        """What the district tables show: each county row's districts, total and wider
        footprint (and their numerators) at the row's own period, and no other figure;
        read a few counties at a time (about ``READ_FIGURES`` figures), so a
        partnership of many counties is never read at once."""
        wanted: set[tuple[str, str, str]] = set()
        for number, county in enumerate(counties, start=1):
            areas = [*self.districts_of(county.code), county.code, *([county.parent] if county.parent else [])]
            for indicator in indicators:
                row = self.table.rows.get((indicator.slug, county.code))
                if row is None or not row.strip_codes:
                    continue
                for slug in (row.indicator, self.table.specs[row.indicator].numerator):
                    if slug:
                        wanted.update((slug, code, row.period) for code in areas)
            if len(wanted) >= READ_FIGURES or number == len(counties):
                self._read_keys(wanted)
                wanted = set()

    def district_row(self, row: IndicatorRow, county) -> DistrictRow:
        indicator, key = self.indicator(row), row.period
        slug = row.indicator
        districts = self.districts_of(county.code)
        wider = county.parent
        target, tolerance = self._target(slug, wider, key) if wider else (None, None)
        if target is None:
            target, tolerance = row.target, row.target_tolerance
        polarity, green, amber = self.bands(row, target, tolerance)
        flags = {}
        figures = self._figures
        for flag_key, code in [*((c, c) for c in districts), (WIDER_KEY, wider)]:
            found = figures.get((slug, code, key)) if code else None
            if found is not None and found[0] is None:
                flags[flag_key] = _flag(found[1], found[2]) or "not_available"
        if row.latest is None:
            flags[TOTAL_KEY] = _flag(row.latest_flag, row.aggregate_status) or "not_available"
        notes = [n for n in (self.total_note(row), row.note, self.comment(row)) if n]
        numerators = None
        if self.table.specs[slug].numerator:
            numerators = {code: self.numerator(row, key, code) for code in districts}
            numerators[TOTAL_KEY] = self.numerator(row, key)
            numerators[WIDER_KEY] = self.numerator(row, key, wider) if wider else None
        return DistrictRow(
            indicator=indicator.name, values={code: self.value(slug, code, key) for code in districts},
            total=self.value(slug, county.code, key), total_status=TOTAL_STATUS.get(row.aggregate_status, "complete"),
            wider=self.value(slug, wider, key) if wider else None, target=target, unit=_unit(indicator.unit),
            decimals=indicator.decimals, polarity=polarity, green_within=green, amber_within=amber,
            flags=flags, note="; ".join(notes) or None, numerators=numerators,
        )

    def _target(self, slug: str, area: str, key: str) -> tuple[float | None, float | None]:
        """(target, tolerance) of an indicator × area × period, (None, None) if it has none."""
        return self._targets.get((slug, area, key), (None, None))

    def measure_tables(self, in_district_tables: set[str]) -> list[MeasureTable]:
        grouped = self.rows_where(lambda r: self.indicator(r).rag_method == "target"
                                  and self.indicator(r).polarity != "neutral"
                                  and self.indicator(r).name not in in_district_tables)
        tables = []
        for outcome_id, rows in grouped.items():
            measures = []
            for row in rows:
                indicator, target = self.indicator(row), row.target
                polarity, green, amber = self.bands(row, target, row.target_tolerance)
                performance = self.value(row.indicator, row.area, row.period)
                measures.append(MeasureRow(
                    outcome=self.display_name(row), target=target, performance=performance,
                    na_reason=(row.note or row.aggregate_message or row.rag_reason) if performance is None else None,
                    rag=row.rag, unit=_unit(indicator.unit), decimals=indicator.decimals,
                    target_decimals=0 if target is not None and float(target).is_integer() else indicator.decimals,
                    polarity=polarity, green_within=green, amber_within=amber,
                    numerator=self.numerator(row, row.period)))
            periods = {row.period for row in rows}
            suffix = f", {_label(periods.pop())}" if len(periods) == 1 else ""
            areas = {row.area for row in rows}
            where = f" ({self.names[areas.pop()]})" if len(areas) == 1 else ""
            tables.append(MeasureTable(title=f"{self.outcome_name(outcome_id)}{where}{suffix}", rows=measures))
        return tables

    def trend_tables(self) -> list[TrendTable]:
        grouped: dict[tuple, list[IndicatorRow]] = {}
        for outcome_id, rows in self.rows_where(lambda r: period_of(r.period).kind == "quarter").items():
            for row in rows:
                year = period_of(row.period).fy_start_year
                grouped.setdefault((outcome_id, _unit(self.indicator(row).unit), year), []).append(row)
        self._read_trend_districts([(row, year) for (_, _, year), rows in grouped.items() for row in rows])
        tables = []
        for (outcome_id, unit, year), rows in grouped.items():
            trend_rows = [trend for row in rows for trend in self.trend_rows(row, year)]
            tables.append(TrendTable(theme=self.outcome_name(outcome_id), unit=unit, year_label=fy_label(year),
                                     prev_year_label=fy_label(year - 1), rows=trend_rows,
                                     decimals=max(self.indicator(r).decimals for r in rows)))
        return tables

    def trend_rows(self, row: IndicatorRow, year: int) -> list[TrendRow]:
        """The trend rows of a headline row: its own, and its districts' wherever their
        figures would otherwise vanish. A county total with a district missing is never
        made (it would be smaller than the truth), so where the county row has no figure
        for a quarter or year that a district under it has one for, that district gets a
        row of its own ("— Cambridge"); a county row with no figure at all in the table's
        periods is left out, its notes going to the first district row."""
        own = self.trend_row(row, year)
        shown, districts = self._trend_districts(row, year)
        if not districts:
            return [own]
        name = self.indicator(row).name
        out = [self.trend_row(d, year, f"{name} — {self.names[d.area]}") for d in districts]
        if shown:
            return [own, *out]
        # Nothing of the county's own to show: its notes (e.g. which districts have not
        # provided figures) go with the districts' rows.
        county = f"No {self.names[row.area]} total: {own.note}" if own.note else None
        return [replace(out[0], note="; ".join(n for n in (county, out[0].note) if n) or None), *out[1:]]

    def _trend_districts(self, row: IndicatorRow, year: int) -> tuple[set[str], list[IndicatorRow]]:
        """(the periods of ``_trend_keys`` the row has a figure for, the rows of its
        districts with a figure for another of them): see ``trend_rows``. Kept once the
        districts' figures for those periods are read (``_read_trend_districts``)."""
        slug, area, figures = row.indicator, row.area, self._figures
        known = self._trend_districts_of.get((slug, area, year))
        if known is not None:
            return known
        keys = _trend_keys(year)
        shown = {key for key in keys if (found := figures.get((slug, area, key))) is not None and found[0] is not None}
        missing = [key for key in keys if key not in shown]
        districts = []
        for code in row.strip_codes:
            district = self.table.rows.get((slug, code))
            if district is not None and any((found := figures.get((slug, code, key))) is not None
                                            and found[0] is not None for key in missing):
                districts.append(district)
        return shown, districts

    def _read_trend_districts(self, rows: list[tuple[IndicatorRow, int]]) -> None:
        """Read what ``trend_rows`` asks of the rows' districts, within the bounds of the
        rows' own figures (``since``, the dashboard's end): their figures for the periods
        a row has none for, then, for each district that gets a row of its own, its
        figures and numerators for all the table's periods."""
        # Each year's periods that can have a figure read: stored periods ending by the
        # dashboard's, none starting before ``since``.
        years = {year for _, year in rows}
        stored = set(db.session.scalars(select(Period.key).where(
            Period.key.in_(sorted({key for year in years for key in _trend_keys(year)})),
            Period.end_date <= self.table.period.end)))
        bounded = {year: [key for key in _trend_keys(year) if key in stored
                          and (self.since is None or period_of(key).start >= self.since)] for year in years}
        wanted = set()
        for row, year in rows:
            slug, area, figures = row.indicator, row.area, self._figures
            missing = [key for key in bounded[year]
                       if (found := figures.get((slug, area, key))) is None or found[0] is None]
            if missing:
                wanted.update((slug, code, key) for code in row.strip_codes if (slug, code) in self.table.rows
                              for key in missing)
        self._read_keys(wanted)
        wanted = set()
        for row, year in rows:
            part = self.table.specs[row.indicator].numerator
            # What a row shows of its districts is settled now: only their figures for the
            # periods it lacks are asked, and those are read.
            found = self._trend_districts_of[(row.indicator, row.area, year)] = self._trend_districts(row, year)
            for district in found[1]:
                wanted.update((slug, district.area, key) for slug in (row.indicator, part) if slug
                              for key in bounded[year])
        self._read_keys(wanted)

    def trend_row(self, row: IndicatorRow, year: int, name: str | None = None) -> TrendRow:
        slug, area = row.indicator, row.area
        figures, end = self._figures, self.table.period.end

        def quarters(keys):
            values, flags, numerators = [], [], []
            for key in keys:
                found = figures.get((slug, area, key))
                value = self.value(slug, area, key)
                values.append(value)
                numerators.append(self.numerator(row, key))
                if value is not None:
                    flags.append(_flag(found[1]))
                elif found is not None:
                    flags.append(_flag(found[1], found[2]) or "not_available")
                else:
                    flags.append("not_yet_due" if period_of(key).end > end else None)
            return values, flags, numerators

        keys = _trend_keys(year)
        this_year, this_flags, this_numerators = quarters(keys[4:8])
        last_year, last_flags, last_numerators = quarters(keys[:4])
        # A figure stored for a whole financial year shown in the table: the year's
        # column, beside its quarters (never worked out from them here).
        last_total, this_total = self.value(slug, area, keys[8]), self.value(slug, area, keys[9])
        notes = [n for n in (self.total_note(row), row.note, self.comment(row)) if n]
        numbered = self.table.specs[slug].numerator is not None
        return TrendRow(indicator=name or self.display_name(row), this_year=this_year, last_year=last_year,
                        this_year_flags=this_flags, last_year_flags=last_flags, note="; ".join(notes) or None,
                        this_year_numerators=this_numerators if numbered else None,
                        last_year_numerators=last_numerators if numbered else None,
                        last_year_total=last_total, this_year_total=this_total,
                        last_year_total_numerator=self.numerator(row, keys[8]),
                        this_year_total_numerator=self.numerator(row, keys[9]))

    def rolling_tables(self) -> list[RollingTable]:
        def rolling(row):
            spec = period_of(row.period)
            return spec.kind == "span" and spec.months == 12

        grouped: dict[tuple, list[IndicatorRow]] = {}
        for outcome_id, rows in self.rows_where(rolling).items():
            for row in rows:
                grouped.setdefault((outcome_id, row.period, row.previous_period), []).append(row)
        tables = []
        for (outcome_id, latest, previous), rows in grouped.items():
            ytd = year_to_date(period_of(latest).end).key
            out = []
            for row in rows:
                indicator = self.indicator(row)
                out.append(RollingRow(
                    indicator=self.display_name(row), unit=_unit(indicator.unit),
                    previous=self.value(row.indicator, row.area, previous),
                    latest=self.value(row.indicator, row.area, latest),
                    change_text=row.change_text if row.change is not None else "Not available",
                    ytd=self.value(row.indicator, row.area, ytd), decimals=indicator.decimals,
                    previous_numerator=self.numerator(row, previous), latest_numerator=self.numerator(row, latest),
                    ytd_numerator=self.numerator(row, ytd)))
            columns = [_twelve_months_to(previous), _twelve_months_to(latest),
                       "% Change", f"Year to date {_label(ytd)}"]
            tables.append(RollingTable(title=self.outcome_name(outcome_id), columns=columns, rows=out))
        return tables

    def completeness(self) -> CompletenessTable:
        """The statuses by agency and period, and (restricted) the reporting rates as at today."""
        from app.dhr import long_date
        from app.export.dashboard_data import ReportingRate
        from app.services.reporting import reporting_rates_view

        view = completeness_view(self.table.period, with_gaps=False)
        rows = [] if self.public else [
            CompletenessRow(agency.name, template.name, [cell["status"] if cell else None for cell in cells])
            for agency, template, cells in view.rows]
        if self.public:
            return CompletenessTable(periods=[p.label for p in view.periods], rows=rows)
        rates = reporting_rates_view()
        sections = [("Partnership", [rates.overall]) if not rates.empty else ("Partnership", []),
                    ("Template", rates.by_template), ("Agency", rates.by_agency), ("Period", rates.by_period)]
        return CompletenessTable(
            periods=[p.label for p in view.periods], rows=rows, rates_as_at=long_date(rates.as_at),
            rates=[ReportingRate(section, r.label, r.expected, r.received, r.on_time, r.received_pct, r.on_time_pct)
                   for section, found in sections for r in found])

    def definitions(self) -> list[IndicatorDefinition]:
        out = []
        for block in self.view.outcomes:
            seen = set()
            for row in block.rows:
                indicator = self.indicator(row)
                if indicator.slug in seen:
                    continue
                seen.add(indicator.slug)
                out.append(IndicatorDefinition(
                    name=indicator.name, outcome=block.name, definition=indicator.definition or "",
                    source=indicator.source or "", unit_label=UNIT_LABELS[indicator.unit],
                    polarity_label=POLARITY_LABELS[indicator.polarity], rag_rule=rag_rule_text(indicator)))
        return out

    def submissions(self) -> list[SubmissionRef]:
        if self.public:
            return []
        from app.indicators.rows import indicators_behind
        from app.store.rows import fetch_tuples

        # What lies behind the figures written (``indicators_behind``: a figure's own
        # stored rows, its numerator's and denominator's, its districts'): the database
        # is asked, for each period and each set of indicators, which submissions have a
        # current row of them in those areas, and gives each submission once.
        by_period: dict[tuple[str, frozenset[str]], set[str]] = {}
        for (area, period), slugs in indicators_behind(self.used, self.table.specs, self.table.areas).items():
            by_period.setdefault((period, frozenset(slugs)), set()).add(area)
        groups: dict[tuple[frozenset[str], frozenset[str]], list[str]] = {}  # (areas, indicators) → periods
        for (period, slugs), areas in by_period.items():
            groups.setdefault((frozenset(areas), slugs), []).append(period)
        period_ids = dict(db.session.execute(select(Period.key, Period.id).where(
            Period.key.in_(sorted({period for period, _ in by_period})))).all())
        indicators, area_ids = self.table.indicators, self.table.area_ids
        ids: set[int] = set()
        for (areas, slugs), periods in groups.items():
            wanted = sorted(period_ids[key] for key in periods if key in period_ids)
            if not wanted:
                continue
            query = (select(DataValue.submission_id).distinct()
                     .where(DATA_VALUE_IS_CURRENT, DataValue.period_id.in_(wanted),
                            DataValue.area_id.in_(sorted(area_ids[code] for code in areas)),
                            DataValue.indicator_id.in_(sorted(indicators[slug].id for slug in slugs
                                                              if slug in indicators)),
                            DataValue.submission_id.is_not(None)))
            ids.update(int(submission) for submission, in fetch_tuples(query))
        if not ids:
            return []
        # Named in one read (not three relationship loads), in id order as read before.
        rows = db.session.execute(
            select(Agency.name, ReturnTemplate.name, TemplateVersion.number, Submission.uploaded_at)
            .join(Agency, Submission.agency_id == Agency.id)
            .join(ReturnTemplate, Submission.template_id == ReturnTemplate.id)
            .join(TemplateVersion, Submission.template_version_id == TemplateVersion.id)
            .where(Submission.id.in_(sorted(ids))).order_by(Submission.id)).all()
        return [SubmissionRef(*row) for row in sorted(rows, key=lambda row: (row[0], row[1], row[3]))]


def rag_rule_text(indicator) -> str:
    """The RAG rule in words, for the Notes sheet."""
    method = indicator.rag_method
    if method == "none":
        return "Not rated."
    if method == "manual":
        return "Rated by a manager each period, with the reason recorded."
    unit = (
        "%" if indicator.rag_band_kind == "percent" else (" percentage points" if indicator.unit == "percent" else "")
    )
    against = "the target" if method == "target" else "the same period last year"
    better = {"higher_is_better": "higher is better", "lower_is_better": "lower is better"}.get(
        indicator.polarity, "no direction is better, so not rated"
    )

    def number(x: float) -> str:
        return f"{x:g}"

    text = (f"Against {against} ({better}): better, or worse by up to {number(indicator.rag_green_within)}{unit}, "
            f"{RAG_NAMES['G']}; worse by up to {number(indicator.rag_amber_within)}{unit}, {RAG_NAMES['A']}; "
            f"worse by more, {RAG_NAMES['R']}.")
    if not indicator.rag_rate_estimates:
        text += " Estimates are not rated."
    return text


def _suppressed_except(data: DashboardData, original: DashboardData, unsuppressed: set[str]) -> DashboardData:
    """``data`` (suppressed) with the rows of indicators marked safe to publish put back."""
    def pick(new_rows, old_rows, name):
        return [old if name(old).split(" — ")[0] in unsuppressed else new for new, old in zip(new_rows, old_rows)]

    return replace(
        data,
        outcomes=[
            replace(b, rows=pick(b.rows, o.rows, lambda r: r.indicator))
            for b, o in zip(data.outcomes, original.outcomes)
        ],
        district_tables=[
            replace(t, rows=pick(t.rows, o.rows, lambda r: r.indicator))
            for t, o in zip(data.district_tables, original.district_tables)
        ],
        measure_tables=[
            replace(t, rows=pick(t.rows, o.rows, lambda r: r.outcome))
            for t, o in zip(data.measure_tables, original.measure_tables)
        ],
        trend_tables=[
            replace(t, rows=pick(t.rows, o.rows, lambda r: r.indicator))
            for t, o in zip(data.trend_tables, original.trend_tables)
        ],
        rolling_tables=[
            replace(t, rows=pick(t.rows, o.rows, lambda r: r.indicator))
            for t, o in zip(data.rolling_tables, original.rolling_tables)
        ],
    )


def dashboard_data(period, user=None, *, public: bool = False, generated_at: datetime | None = None,
                   table: PerformanceTable | None = None, area: str | None = None) -> DashboardData:
    """The workbook's content for ``period``. ``user`` None is the server's operator.
    ``area`` (a code): one area's workbook, as the dashboard's one-area view shows it: its
    own rows instead of the headline rows, and the district table of the county it is
    (reading only that area and the districts in it); ServiceError if there is no such area."""
    from app.services.plans.workbook import action_plan_sheets
    spec = parse_dashboard_period(period)
    if area is not None:
        workbook_area_name(area)
    table = table or performance_table(spec, area=area)
    builder = _Builder(table, public, area)
    district_tables, in_district_tables = builder.district_tables()
    data = DashboardData(
        title=f"Performance dashboard {spec.label}" + (f": {builder.names[area]}" if area else ""),
        partnership=current_app.config["PARTNERSHIP_NAME"],
        period_label=spec.label,
        data_as_at=data_as_at(spec.end) or (generated_at or utcnow()),
        generated_at=generated_at or utcnow().replace(second=0, microsecond=0),
        public=public,
        outcomes=builder.dashboard_blocks(),
        district_tables=district_tables,
        measure_tables=builder.measure_tables(in_district_tables),
        trend_tables=builder.trend_tables(),
        rolling_tables=builder.rolling_tables(),
        completeness=builder.completeness(),
        definitions=builder.definitions(),
        submissions=builder.submissions(),
        extra_sheets=[] if public else action_plan_sheets() + restricted_sheets(user),
        areas=builder.view.districts,
        left_out=left_out_for(user, public),
    )
    if not public:
        return data
    unsuppressed = {i.name for i in table.indicators.values() if not i.suppress_small_counts}
    return _suppressed_except(suppress_small_counts(data), data, unsuppressed)


def workbook_area_name(code: str) -> str:
    """The name of the area a one-area workbook is for; ServiceError if there is none."""
    name = db.session.scalar(select(Area.name).where(Area.code == code))
    if name is None:
        raise ServiceError(field_errors={"area": [f"There is no area with the code '{code}'."]})
    return name


def export_dashboard(
    period, user=None, *, public: bool = False, generated_at: datetime | None = None, area: str | None = None
) -> tuple[str, io.BytesIO]:
    """(file name, workbook) of the dashboard for ``period`` (``area``: that area's alone)."""
    from app.export.dashboard import dashboard_bytes
    spec = parse_dashboard_period(period)
    # A workbook is tens of thousands of short-lived objects (figures, rows, XlsxWriter's
    # cells): the cycle collector would walk them, and the rest of the process, again and
    # again as they pile up. In a process whose app is not frozen (bench/scale, the tests)
    # that was 0.13 s of a 400-indicator county's 0.46 s (0.29 s of 0.96 s before the
    # reads were narrowed); in one frozen as wsgi.py does, little. What is left in cycles
    # (the workbook and its sheets, the same peak memory) goes at the next collection.
    with cycle_collection_paused():
        data = dashboard_data(spec, user, public=public, generated_at=generated_at, area=area)
        content = dashboard_bytes(data)
    return _file_name("dashboard", spec, public, "xlsx", area), io.BytesIO(content)


def _file_name(kind: str, spec, public: bool, suffix: str, area: str | None = None) -> str:
    return (f"{kind}_{period_slug(spec).replace('..', '_to_')}{f'_{area}' if area else ''}"
            f"{'_public' if public else ''}.{suffix}")


def export_report(
    period, user=None, *, public: bool = False, generated_at: datetime | None = None
) -> tuple[str, io.BytesIO]:
    """(file name, Word document) of the board's performance report for ``period``: the
    workbook's content (``dashboard_data``, so public is public in both), with a DHR
    summary in the full version for whoever may see DHR data (None: the operator)."""
    from app.export.report import report_bytes
    from app.services.dhr import dhr_summary, dhr_summary_for

    spec = parse_dashboard_period(period)
    data = dashboard_data(spec, user, public=public, generated_at=generated_at)
    dhr = None if public else (dhr_summary() if user is None else dhr_summary_for(user))
    return _file_name("report", spec, public, "docx"), io.BytesIO(report_bytes(data, dhr, data.left_out))
