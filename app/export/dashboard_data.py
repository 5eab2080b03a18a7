"""What the consolidated dashboard workbook shows: its complete view model.

Flask-free. The dashboard service fills these dataclasses from the database (figures,
RAG ratings, directions and comparisons already computed by the indicator engine);
``app.export.dashboard.build_dashboard`` writes them and computes nothing but the cached
results of the few formulas it writes (county totals, % change, counts of returns).

Conventions
- A figure is a number, ``None`` (missing: never written as 0) or ``Suppressed`` (public
  version only). Percentages are numbers from 0 to 100, as published ("38.9%" is 38.9).
- ``unit`` is one of ``UNITS`` (``app.vocabulary.DISPLAY_UNITS``); ``decimals`` is how many
  decimal places to show.
- A flag (``FLAGS``: ``app.vocabulary.WORKBOOK_FLAGS``) qualifies a figure: estimate,
  provisional, not available, …
- RAG ratings are "R", "A", "G" or None.

The public version is made upstream: the caller leaves out the DHR sheets and internal
commentary and passes the data through ``suppress_small_counts`` before building.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Protocol

# The workbook's names for app.vocabulary's display vocabularies.
from app.vocabulary import DISPLAY_UNITS as UNITS, PEER_POSITIONS, RAGS, RATED_POLARITIES as POLARITIES
from app.vocabulary import WORKBOOK_FLAGS as FLAGS

if TYPE_CHECKING:  # only for annotations: keeps this module free of XlsxWriter
    from xlsxwriter.workbook import Workbook

    from app.export.formats import Formats

DIRECTIONS = ("improving", "stable", "worsening")
TOTAL_STATUSES = ("complete", "incomplete", "mismatch")
SUBMISSION_STATUSES = ("received", "late", "missing", "not yet due")
FLAG_KEYS = tuple(FLAGS)  # what a flag may be, made once: every row checks its flags
SUPPRESSED_LEGEND = (
    ("<5", "Public version: a count from 1 to 4, hidden so that no one can be identified."),
    ("[c]", "Public version: hidden so that a small count cannot be worked out from it "
            "(for example a total minus the other areas)."),
)
TOTAL_KEY = "total"  # keys of DistrictRow.numerators and .flags beside the area codes
WIDER_KEY = "wider"


@dataclass(frozen=True)
class Suppressed:
    """A figure hidden in the public version. ``primary`` cells are counts from 1 to
    threshold - 1 and show "<5"; the others (hidden so a small count cannot be derived,
    or rates computed from a hidden count) show "[c]"."""

    primary: bool
    threshold: int = 5

    @property
    def label(self) -> str:
        return f"<{self.threshold}" if self.primary else "[c]"


Figure = float | int | Suppressed | None


def _check(value, allowed: tuple, what: str) -> None:
    if value is not None and value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(map(str, allowed))} or None, not {value!r}")


def _check_flag(flag: str | None) -> None:
    _check(flag, FLAG_KEYS, "flag")


# ---- Dashboard (Leicestershire Appendix 1) ------------------------------------------


@dataclass(frozen=True)
class DashboardRow:
    """One supporting indicator of an outcome. ``previous_label``/``latest_label`` name
    the periods (shown beside the figure when they differ from the column's period).
    ``district_rags`` maps area code -> RAG, in district order. ``comparison``: what the
    latest figure is compared with, as ``IndicatorRow.comparison`` words (a previous
    figure that is not the same period last year says so beside it; no figure for it
    says so in its cell); ``direction_basis``: how the direction was derived ("from two
    figures", "trend over 4 periods"), shown after it."""

    indicator: str
    unit: str
    decimals: int
    previous: Figure
    previous_label: str
    latest: Figure
    latest_label: str
    latest_flag: str | None = None
    direction: Literal["improving", "stable", "worsening"] | None = None
    rag: Literal["R", "A", "G"] | None = None
    rag_reason: str | None = None
    rag_overridden: bool = False
    significance: str | None = None
    peer_comparison: Literal["Top", "Average", "Bottom"] | None = None
    county_comparison: str | None = None
    district_rags: dict[str, str | None] = field(default_factory=dict)
    previous_flag: str | None = None
    comparison: str | None = None
    direction_basis: str | None = None
    # Numerators of a rate or percentage, only so suppression can hide a rate made from a
    # small count; never written.
    previous_numerator: float | None = None
    latest_numerator: float | None = None
    # The indicator's last (up to 8) figures of the latest figure's kind of period, oldest
    # first, for the sparkline: (period label, figure); numerators for suppression only.
    history: list[tuple[str, Figure]] = field(default_factory=list)
    history_numerators: list[float | None] | None = None

    def __post_init__(self):
        _check(self.unit, UNITS, "unit")
        _check(self.direction, DIRECTIONS, "direction")
        _check(self.rag, RAGS, "rag")
        _check(self.peer_comparison, PEER_POSITIONS, "peer_comparison")
        _check_flag(self.latest_flag)
        _check_flag(self.previous_flag)
        for rag in self.district_rags.values():
            _check(rag, RAGS, "district RAG")


@dataclass(frozen=True)
class OutcomeBlock:
    name: str
    overall_rag: Literal["R", "A", "G"] | None
    overall_rag_overridden: bool
    overall_comment: str | None
    comment_internal: bool
    rows: list[DashboardRow]

    def __post_init__(self):
        _check(self.overall_rag, RAGS, "overall_rag")


# ---- District tables (Leicestershire Appendix 2) ------------------------------------


@dataclass(frozen=True)
class DistrictRow:
    """Indicator x areas. ``total`` is the county total: for a complete count row the
    workbook writes it as =SUM of the areas. ``wider`` (e.g. the LLR figure) is coloured
    against ``target`` by the row's polarity: within ``green_within`` (a fraction of the
    target) of meeting it is green, within ``amber_within`` amber, otherwise red.
    ``flags`` maps an area code, TOTAL_KEY or WIDER_KEY to a flag; ``note`` becomes a
    numbered footnote."""

    indicator: str
    values: dict[str, Figure]
    total: Figure
    total_status: Literal["complete", "incomplete", "mismatch"]
    wider: Figure = None
    target: float | None = None
    unit: str = "count"
    decimals: int = 0
    polarity: Literal["higher_is_better", "lower_is_better"] | None = "higher_is_better"
    green_within: float = 0.0
    amber_within: float = 0.1
    flags: dict[str, str] = field(default_factory=dict)
    note: str | None = None
    # For rate/percent rows: the counts they are computed from, keyed like ``flags``;
    # used only by suppression.
    numerators: dict[str, float | None] | None = None

    def __post_init__(self):
        _check(self.unit, UNITS, "unit")
        _check(self.total_status, TOTAL_STATUSES, "total_status")
        _check(self.polarity, POLARITIES, "polarity")
        for flag in self.flags.values():
            _check_flag(flag)


@dataclass(frozen=True)
class DistrictTable:
    title: str
    period_label: str
    area_columns: list[tuple[str, str]]  # (code, name) in district order
    total_column: str
    wider_column: str
    target_column: str
    rows: list[DistrictRow]


# ---- Outcome measures vs target (Leicestershire Table 2) ----------------------------


@dataclass(frozen=True)
class MeasureRow:
    """``performance`` None shows "N/A" with ``na_reason`` as a numbered footnote."""

    outcome: str
    target: float | None
    performance: Figure
    na_reason: str | None = None
    rag: Literal["R", "A", "G"] | None = None
    unit: str = "percent"
    decimals: int = 2
    target_decimals: int = 0
    polarity: Literal["higher_is_better", "lower_is_better"] = "higher_is_better"
    green_within: float = 0.0
    amber_within: float = 0.1
    numerator: float | None = None  # suppression only

    def __post_init__(self):
        _check(self.unit, UNITS, "unit")
        _check(self.rag, RAGS, "rag")
        _check(self.polarity, POLARITIES, "polarity")


@dataclass(frozen=True)
class MeasureTable:
    title: str
    rows: list[MeasureRow]
    target_heading: str = "Target"
    performance_heading: str = "Performance"


# ---- Quarterly trends (Cambridgeshire) -----------------------------------------------


@dataclass(frozen=True)
class TrendRow:
    """Four quarters (Q1..Q4 of the financial year) this year and last year; a missing
    quarter is None, with its reason in ``this_year_flags``/``last_year_flags``.
    ``last_year_total``/``this_year_total`` are figures stored for the whole financial
    year (None if none is): a board paper gives last year's total beside the quarters
    (Cambridgeshire's 2013/14 figure), so the table shows it there, in a year column."""

    indicator: str
    this_year: list[Figure]
    last_year: list[Figure]
    this_year_flags: list[str | None] = field(default_factory=lambda: [None] * 4)
    last_year_flags: list[str | None] = field(default_factory=lambda: [None] * 4)
    note: str | None = None
    this_year_numerators: list[float | None] | None = None  # suppression only
    last_year_numerators: list[float | None] | None = None
    last_year_total: Figure = None
    this_year_total: Figure = None
    last_year_total_numerator: float | None = None  # suppression only
    this_year_total_numerator: float | None = None

    def __post_init__(self):
        for quarters in (self.this_year, self.last_year, self.this_year_flags, self.last_year_flags):
            if len(quarters) != 4:
                raise ValueError(f"{self.indicator}: a trend row needs four quarters, got {len(quarters)}")
        for flag in (*self.this_year_flags, *self.last_year_flags):
            _check_flag(flag)


@dataclass(frozen=True)
class TrendTable:
    theme: str
    unit: str
    year_label: str  # e.g. "2014/15"
    prev_year_label: str
    rows: list[TrendRow]
    decimals: int = 0

    def __post_init__(self):
        _check(self.unit, UNITS, "unit")

    @property
    def has_year_totals(self) -> bool:
        return any(r.last_year_total is not None or r.this_year_total is not None for r in self.rows)


# ---- Rolling 12 months and year to date (Rotherham Table 4) -------------------------


@dataclass(frozen=True)
class RollingRow:
    """For counts the change is relative (latest / previous - 1); for percentages it is
    the difference in percentage points. The workbook writes it as a formula when both
    figures are there; otherwise it shows ``change_text`` (e.g. "Data not provided")."""

    indicator: str
    unit: str
    previous: Figure
    latest: Figure
    change_text: str | None
    ytd: Figure
    decimals: int = 0
    previous_numerator: float | None = None  # suppression only
    latest_numerator: float | None = None
    ytd_numerator: float | None = None

    def __post_init__(self):
        _check(self.unit, UNITS, "unit")


@dataclass(frozen=True)
class RollingTable:
    title: str
    columns: list[str]  # [previous rolling label, latest rolling label, "% Change", ytd label]
    rows: list[RollingRow]

    def __post_init__(self):
        if len(self.columns) != 4:
            raise ValueError(f"{self.title}: a rolling table has four column headings, got {len(self.columns)}")


# ---- Completeness, definitions, provenance ------------------------------------------


@dataclass(frozen=True)
class CompletenessRow:
    agency: str
    template: str
    statuses: list[str | None]  # one per CompletenessTable.periods

    def __post_init__(self):
        for status in self.statuses:
            _check(status, SUBMISSION_STATUSES, "submission status")


@dataclass(frozen=True)
class ReportingRate:
    """Expected / received / on time for the partnership, a template, an agency or a period
    (``app.services.reporting``); the rates are per cent of expected, None if none is."""
    section: str  # "Partnership" | "Template" | "Agency" | "Period"
    label: str
    expected: int
    received: int
    on_time: int
    received_pct: float | None
    on_time_pct: float | None


@dataclass(frozen=True)
class CompletenessTable:
    periods: list[str]
    rows: list[CompletenessRow]
    rates: list[ReportingRate] = field(default_factory=list)  # over each template's last 8 periods
    rates_as_at: str = ""  # "8 June 2016"


@dataclass(frozen=True)
class IndicatorDefinition:
    name: str
    outcome: str
    definition: str
    source: str
    unit_label: str  # e.g. "rate per 1,000 population"
    polarity_label: str  # e.g. "Lower is better"
    rag_rule: str  # e.g. "Against previous year: worse by up to 2% green, up to 10% amber, more red"


@dataclass(frozen=True)
class SubmissionRef:
    agency: str
    template: str
    version: int
    received_at: datetime


class SheetWriter(Protocol):
    """Adds one or more sheets to the workbook, using the shared formats and
    ``app.export.formats.setup_print``. The DHR sheets and the action plan sheet are
    added by their own issues through ``DashboardData.extra_sheets``: they are written
    after the standard sheets and listed on the Contents sheet under their sheet names."""

    def __call__(self, workbook: Workbook, formats: Formats) -> None: ...


@dataclass(frozen=True)
class DashboardData:
    title: str
    partnership: str
    period_label: str
    data_as_at: datetime
    generated_at: datetime
    public: bool
    outcomes: list[OutcomeBlock]
    district_tables: list[DistrictTable]
    measure_tables: list[MeasureTable]
    trend_tables: list[TrendTable]
    rolling_tables: list[RollingTable]
    completeness: CompletenessTable
    definitions: list[IndicatorDefinition]
    submissions: list[SubmissionRef]
    extra_sheets: list[SheetWriter] = field(default_factory=list)
    # (code, name) of the districts, in order: the Dashboard's district columns and key.
    # Empty: the codes found in the rows' district_rags, in first-seen order.
    areas: list[tuple[str, str]] = field(default_factory=list)
    # A full version made for someone who may not see every restricted sheet: which sheets
    # are left out and why (shown on Contents and in the report).
    left_out: str | None = None

    def district_codes(self) -> list[tuple[str, str]]:
        if self.areas:
            return list(self.areas)
        seen: dict[str, str] = {}
        for block in self.outcomes:
            for row in block.rows:
                for code in row.district_rags:
                    seen.setdefault(code, code)
        return list(seen.items())


# ---- Public version: small-count suppression -----------------------------------------


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_small(value, threshold: int) -> bool:
    return _is_number(value) and 0 < value < threshold


def _hidden_in_row(counts: dict[str, Figure], areas: list[str], total: Figure, threshold: int) -> dict[str, Suppressed]:
    """Which keys of ``counts`` (area codes and TOTAL_KEY/WIDER_KEY) to hide; see
    ``suppress_small_counts`` for the rule."""
    hidden = {key: Suppressed(True, threshold) for key, value in counts.items() if _is_small(value, threshold)}
    if not _is_number(total) or TOTAL_KEY in hidden:
        return hidden
    while True:
        group = [code for code in areas if code in hidden]
        if not group or (len(group) > 1 and not _pinned(group, counts, hidden, threshold)):
            return hidden
        candidates = [
            code for code in areas if code not in hidden and _is_number(counts.get(code)) and counts[code] > 0
        ]
        if not candidates:
            hidden[TOTAL_KEY] = Suppressed(False, threshold)
            return hidden
        # Smallest first; ties go to the first area in district order (min is stable).
        hidden[min(candidates, key=lambda code: counts[code])] = Suppressed(False, threshold)


def _pinned(group: list[str], counts: dict, hidden: dict[str, Suppressed], threshold: int) -> bool:
    """Whether a reader who knows the rule could pin down any hidden area's value from
    the total minus the shown areas: "<5" cells lie in 1..threshold-1, "[c]" cells are
    at least ``threshold`` (smaller ones would have been "<5"), and together they add up
    to the difference. A cell is pinned when its interval of consistent values is a
    single value."""
    bounds = {code: (1, threshold - 1) if hidden[code].primary else (threshold, float("inf")) for code in group}
    difference = sum(counts[code] for code in group)
    for code in group:
        others_low = sum(bounds[other][0] for other in group if other != code)
        others_high = sum(bounds[other][1] for other in group if other != code)
        low = max(bounds[code][0], difference - others_high)
        high = min(bounds[code][1], difference - others_low)
        if low >= high:
            return True
    return False


def _apply(value: Figure, mark: Suppressed | None) -> Figure:
    return mark if mark is not None and value is not None else value


def _rate_mark(numerator, hidden_numerator: Suppressed | None, threshold: int) -> Suppressed | None:
    if hidden_numerator is not None or _is_small(numerator, threshold):
        return Suppressed(False, threshold)
    return None


def _suppress_district_row(row: DistrictRow, areas: list[str], threshold: int) -> DistrictRow:
    figures = {**row.values, TOTAL_KEY: row.total, WIDER_KEY: row.wider}
    if any(isinstance(value, Suppressed) for value in figures.values()):
        return row  # already suppressed: the true counts are gone, so leave it as it is
    if row.unit == "count":
        hidden = _hidden_in_row(figures, areas, row.total, threshold)
        marks = hidden
    elif row.numerators is not None:
        numerators = {key: row.numerators.get(key) for key in figures}
        hidden = _hidden_in_row(numerators, areas, numerators[TOTAL_KEY], threshold)
        marks = {key: Suppressed(False, threshold) for key in hidden}
    else:
        return row
    return replace(
        row,
        values={code: _apply(value, marks.get(code)) for code, value in row.values.items()},
        total=_apply(row.total, marks.get(TOTAL_KEY)),
        wider=_apply(row.wider, marks.get(WIDER_KEY)),
    )


def _suppress_single(value: Figure, unit: str, numerator, threshold: int) -> Figure:
    """A figure with no total beside it: a small count is hidden, and so is a rate or
    percentage whose numerator is a small count."""
    if unit == "count":
        return Suppressed(True, threshold) if _is_small(value, threshold) else value
    return _apply(value, _rate_mark(numerator, None, threshold))


def _suppress_quarters(values: list[Figure], unit: str, numerators, threshold: int) -> list[Figure]:
    numerators = numerators or [None] * len(values)
    return [_suppress_single(value, unit, numerator, threshold) for value, numerator in zip(values, numerators)]


def suppress_small_counts(data: DashboardData, threshold: int = 5) -> DashboardData:
    """The public version's figures: a copy of ``data`` in which no small count can be
    read or worked out. The rule, applied to every table:

    1. Primary: every count from 1 to ``threshold`` - 1 (zero is shown: it identifies no
       one) becomes "<5" — district cells, county totals, wider-footprint figures,
       quarterly trend figures, dashboard and rolling-table figures.
    2. Secondary, in district tables (the only tables with a total beside its parts):
       when a row's county total is shown and the hidden district cells could be worked
       out from it — exactly one hidden cell (total minus the other districts gives it),
       or several whose values a reader could still pin down from their sum — the
       smallest remaining non-zero district cell is also hidden, shown "[c]", and so on
       until none can be pinned; if no district cell is left to hide, the total is
       hidden instead.
    3. Rates and percentages: a figure computed from a hidden or small count (its
       numerator, when the row gives one) is hidden as "[c]"; in district tables the
       rule above runs on the numerators and their rates are hidden where they are.

    A "<5" cell is known to lie in 1..4 and a "[c]" cell (other than a rate) is then
    known to be at least 5; step 2 checks pinning with exactly that knowledge. Rows that
    already hold suppressed figures are left as they are, so applying this twice is
    harmless. Figures in different tables are not cross-checked (e.g. a rolling total
    against its quarters): keep small-count indicators out of the public version or
    publish them at partnership level only.
    """
    return replace(
        data,
        outcomes=[
            replace(block, rows=[_suppress_dashboard_row(row, threshold) for row in block.rows])
            for block in data.outcomes
        ],
        district_tables=[
            replace(table, rows=[
                _suppress_district_row(row, [code for code, _ in table.area_columns], threshold) for row in table.rows
            ])
            for table in data.district_tables
        ],
        measure_tables=[
            replace(table, rows=[
                replace(row, performance=_suppress_single(row.performance, row.unit, row.numerator, threshold))
                for row in table.rows
            ])
            for table in data.measure_tables
        ],
        trend_tables=[
            replace(table, rows=[
                replace(
                    row,
                    this_year=_suppress_quarters(row.this_year, table.unit, row.this_year_numerators, threshold),
                    last_year=_suppress_quarters(row.last_year, table.unit, row.last_year_numerators, threshold),
                    last_year_total=_suppress_single(row.last_year_total, table.unit, row.last_year_total_numerator,
                                                     threshold),
                    this_year_total=_suppress_single(row.this_year_total, table.unit, row.this_year_total_numerator,
                                                     threshold),
                )
                for row in table.rows
            ])
            for table in data.trend_tables
        ],
        rolling_tables=[
            replace(table, rows=[_suppress_rolling_row(row, threshold) for row in table.rows])
            for table in data.rolling_tables
        ],
    )


def _suppress_dashboard_row(row: DashboardRow, threshold: int) -> DashboardRow:
    numerators = row.history_numerators or [None] * len(row.history)
    history = [(label, _suppress_single(value, row.unit, numerator, threshold))
               for (label, value), numerator in zip(row.history, numerators)]
    return replace(row, previous=_suppress_single(row.previous, row.unit, row.previous_numerator, threshold),
                   latest=_suppress_single(row.latest, row.unit, row.latest_numerator, threshold), history=history)


def _suppress_rolling_row(row: RollingRow, threshold: int) -> RollingRow:
    previous = _suppress_single(row.previous, row.unit, row.previous_numerator, threshold)
    latest = _suppress_single(row.latest, row.unit, row.latest_numerator, threshold)
    change_text = row.change_text
    if isinstance(previous, Suppressed) or isinstance(latest, Suppressed):
        change_text = Suppressed(False, threshold).label  # a change from a hidden count reveals it
    return replace(
        row,
        previous=previous,
        latest=latest,
        change_text=change_text,
        ytd=_suppress_single(row.ytd, row.unit, row.ytd_numerator, threshold),
    )


# The board report (``app.export.report``, python-docx) is written from the same data; these
# live here so that naming them does not load python-docx.
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

@dataclass(frozen=True)
class DhrSummary:
    """The restricted version's DHR section: lines of (what, how many or how much)."""

    as_at: str
    cases: list[tuple[str, str]] = field(default_factory=list)
    actions: list[tuple[str, str]] = field(default_factory=list)
