"""An uploaded return, from bytes to checked figures: the whole upload pipeline, Flask-free.

    safety checks and a bounded read (app.ingest.read) → which template, version, agency and
    period (identify) → where each cell is (map) → normalise and check every cell, the
    cross-field rules and the agency's history (validate) → a ``ParsedReturn``

Nothing here stores anything: the caller (``app.services.returns``) shows the result, and
stores it when the officer confirms. Every problem is collected before answering; a file
that cannot be read at all gives a ``ParsedReturn`` with that one problem.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from app.collector import cycle_collection_paused
from app.definition import check_return_period, normalise_label
from app.ingest.identify import Identification, TemplateCandidate, TemplateChoice, identify, workbook_identity
from app.ingest.map import NOT_RETURN_SHEETS, SheetPlan, map_workbook, plan_sheets
from app.ingest.problems import IngestError, Problem
from app.ingest.read import WorkbookData, parse_ref, read_workbook
from app.ingest.safety import SafetyLimits, check_workbook_bytes, sha256_of
from app.ingest.validate import (
    History, HistoryWanted, ParsedValue, check_cells, check_cross_rules, check_history, check_saved_sums,
    history_wanted,
)
from app.periods import PeriodError, PeriodSpec, parse_period


class TemplateCatalogue(Protocol):
    """Where the pipeline finds templates (the database, in the app)."""

    def published(self) -> list[TemplateCandidate]:
        """The published version of every template."""

    def version(self, slug: str, number: int) -> TemplateCandidate | None:
        """That version, if it is or was published (drafts are not returns yet)."""


# (indicator slugs, a date) → the agency's figures for them for periods ending before the
# date, by (indicator, area).
HistoryLoader = Callable[[HistoryWanted], History]


@dataclass
class ParsedReturn:
    filename: str
    sha256: str
    size_bytes: int
    agency_slug: str
    workbook_read: bool = False  # passed the safety checks and was read: it can be marked up
    template: TemplateCandidate | None = None
    identification: Identification | None = None
    period: PeriodSpec | None = None
    plans: list[SheetPlan] = field(default_factory=list)
    values: list[ParsedValue] = field(default_factory=list)
    targets: list[ParsedValue] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Two or more templates fit about equally: the file was not read; the uploader chooses.
    choices: list[TemplateChoice] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    @property
    def accepted(self) -> bool:
        """Read with a template for a period, and no errors (warnings need confirming)."""
        return self.template is not None and self.period is not None and not self.errors

    def template_line(self) -> str:
        if self.template is None:
            return f"not recognised: it could be any of {len(self.choices)} templates" if self.choices else (
                "not recognised")
        how = f", {self.identification.describe()}" if self.identification else ""
        return f"{self.template.name} ({self.template.slug}), version {self.template.version}{how}"

    def summary_lines(self) -> list[str]:
        def count(n: int, what: str) -> str:
            return f"{n:,} {what}{'' if n == 1 else 's'}"

        return [
            f"Template: {self.template_line()}",
            f"Agency: {self.agency_slug}",
            f"Period: {self.period.label if self.period else 'not known'}",
            f"File: {self.filename} ({self.size_bytes:,} bytes, SHA-256 {self.sha256})",
            ", ".join([count(len(self.values) + len(self.targets), "value"), count(len(self.warnings), "warning"),
                       count(len(self.errors), "error")]),
        ]


@dataclass
class ReadRow:
    """A row of the preview's "what we read" table: a figure read (``value``), or a cell
    that failed (``value`` None, with what was typed), and the problems at its cell."""

    location: str  # "Appendix 2!G6"
    row_label: str
    column_header: str
    period_label: str
    value: ParsedValue | None
    typed: str  # what the cell holds, as text, when no figure was read from it
    problems: list[Problem]
    order: tuple[int, int, int]  # sheet, row, column: the table's order

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


def read_rows(parsed: ParsedReturn, shown: list[ParsedValue]) -> list[ReadRow]:
    """The figures ``shown``, each with the problems at its cell, and every cell with a
    problem that is a figure's cell of the template (read or not, shown or not), in the
    sheet's order: what the preview's "what we read" table lists, the failed cells marked."""
    plans = {plan.name: (i, plan) for i, plan in enumerate(parsed.plans)}
    at: dict[tuple[str, int, int], list[Problem]] = {}
    for problem in parsed.problems:
        if problem.sheet in plans and problem.cell:
            try:
                r, c = parse_ref(problem.cell)
            except ValueError:
                continue
            at.setdefault((problem.sheet, r, c), []).append(problem)
    rows: dict[tuple[str, int, int], ReadRow] = {}
    for v in shown:
        key = (v.plan.name, v.row.grid_row, v.slot.grid_col)
        rows[key] = ReadRow(v.location, v.row.label, v.slot.header, v.slot.period.label, v, "", at.get(key, []),
                            (plans.get(v.plan.name, (0,))[0], v.row.grid_row or 0, v.slot.grid_col or 0))
    for key, problems in at.items():
        if key in rows:
            continue
        sheet, r, c = key
        index, plan = plans[sheet]
        row = next((rp for rp in plan.rows if rp.grid_row == r), None)
        slot = next((sp for sp in plan.slots if sp.grid_col == c), None)
        if row is None or slot is None:
            continue  # not a figure's cell (a heading, a label): the list of problems says it
        raw = plan.grid.cells.get((r, c)) if plan.grid is not None else None
        typed = "" if raw is None else (f"{raw:g}" if isinstance(raw, float) else str(raw))
        rows[key] = ReadRow(problems[0].location(), row.label, slot.header, slot.period.label, None, typed, problems,
                            (index, r, c))
    return sorted(rows.values(), key=lambda row: row.order)


def _return_sheet(name: str) -> bool:
    """Sheets worth scanning for percent formats, formulas and error cells."""
    return normalise_label(name) not in NOT_RETURN_SHEETS


def parse_return(
    data: bytes,
    filename: str,
    *,
    agency_slug: str,
    catalogue: TemplateCatalogue,
    limits: SafetyLimits,
    period_text: str | None = None,
    template_slug: str | None = None,
    history: HistoryLoader | None = None,
) -> ParsedReturn:
    """Read and check an uploaded return for ``agency_slug``. ``period_text`` and
    ``template_slug`` are what the uploader said; the workbook's own record fills gaps."""
    with cycle_collection_paused():
        return _parse(data, filename, agency_slug, catalogue, limits, period_text, template_slug, history)


def _parse(data, filename, agency_slug, catalogue, limits, period_text, template_slug, history) -> ParsedReturn:
    parsed = ParsedReturn(filename=filename, sha256=sha256_of(data), size_bytes=len(data), agency_slug=agency_slug)
    problems = parsed.problems
    try:
        workbook, read_problems = read_workbook(data, limits, need_formats=_return_sheet)
    except IngestError:
        try:
            check_workbook_bytes(data, filename, limits)  # the same checks, naming the file
        except IngestError as named:
            error = named
        problems.extend(error.problems)
        return parsed
    problems.extend(read_problems)
    parsed.workbook_read = True
    return _check(parsed, workbook, catalogue, limits, period_text, template_slug, history)


def parse_workbook(
    workbook: WorkbookData,
    source: bytes,
    filename: str,
    *,
    agency_slug: str,
    catalogue: TemplateCatalogue,
    limits: SafetyLimits,
    period_text: str | None = None,
    template_slug: str | None = None,
    history: HistoryLoader | None = None,
) -> ParsedReturn:
    """Check a return already in memory as the reader's grids (a return sent as values
    through the API: ``app.ingest.typed``), exactly as an uploaded file's grids are
    checked. ``source`` is what was sent (kept as the return's original)."""
    parsed = ParsedReturn(filename=filename, sha256=sha256_of(source), size_bytes=len(source),
                          agency_slug=agency_slug)
    with cycle_collection_paused():
        return _check(parsed, workbook, catalogue, limits, period_text, template_slug, history)


def _check(parsed: ParsedReturn, workbook: WorkbookData, catalogue, limits, period_text, template_slug,
           history) -> ParsedReturn:
    """Identify, map and check a read workbook (the steps after reading)."""
    problems, agency_slug = parsed.problems, parsed.agency_slug
    identity = workbook_identity(workbook)
    found = identify(workbook, identity, catalogue.published(), template_slug, agency_slug)
    problems.extend(found.problems)
    parsed.choices = found.choices
    identification = found.identification
    if identification is None:
        return parsed
    parsed.identification = identification
    parsed.template = candidate = _version_to_read_with(catalogue, identification, identity.version, problems)
    defn = candidate.definition

    if identity.agency and identity.agency != agency_slug:
        problems.append(Problem(None, None, (
            f"This workbook is the return of agency '{identity.agency}', but it is being uploaded for "
            f"'{agency_slug}'. Upload your own agency's return, downloaded from Safer Returns for your agency.")))
    if defn.agencies and agency_slug not in defn.agencies:
        problems.append(Problem(None, None, (
            f"Agency '{agency_slug}' does not submit '{defn.name}'. Check that you chose the right agency and file.")))

    parsed.period = period = _period(period_text, identity.period, problems)
    if period is None:
        return parsed
    wrong_kind = check_return_period(defn, period)
    if wrong_kind:
        problems.append(Problem(None, None, wrong_kind))
        return parsed

    parsed.plans = plans = plan_sheets(defn, period, max_figure=limits.max_figure)
    problems.extend(map_workbook(workbook, plans))
    cells = check_cells(plans)
    parsed.values, parsed.targets = cells.values, cells.targets
    problems.extend(cells.problems)
    problems.extend(check_cross_rules(defn, plans, cells.values))
    problems.extend(check_saved_sums([*cells.values, *cells.targets]))
    if history is not None:
        check_against_history(parsed, history)
    return parsed


def check_against_history(parsed: ParsedReturn, history: HistoryLoader) -> None:
    """Add the warnings for figures far outside the agency's earlier ones (the last check,
    and the only one that reads the database: a kept reading (``app.ingest.kept``) is
    checked with it again each time it is used)."""
    if parsed.values:
        wanted = history_wanted(parsed.values)
        if wanted.windows:
            parsed.problems.extend(check_history(parsed.values, history(wanted)))


def _version_to_read_with(catalogue: TemplateCatalogue, identification: Identification, recorded: int | None,
                          problems: list[Problem]) -> TemplateCandidate:
    """The version the workbook was made from, when it is (or was) published; else the
    published one."""
    published = next(c for c in catalogue.published() if c.slug == identification.slug)
    if identification.how != "metadata" or recorded is None or recorded == published.version:
        return published
    made_from = catalogue.version(identification.slug, recorded)
    if made_from is not None:
        return made_from
    problems.append(Problem(None, None, (
        f"This workbook was made from version {recorded} of '{published.name}', which was never published; it "
        f"was read with version {published.version}, the current one."), "warning"))
    return published


def _period(given: str | None, recorded: str | None, problems: list[Problem]) -> PeriodSpec | None:
    """The period given by the uploader, checked against the one the workbook records."""
    period = recorded_period = None
    if recorded:
        try:
            recorded_period = parse_period(recorded)
        except PeriodError:
            recorded_period = None
    if given and given.strip():
        try:
            period = parse_period(given)
        except PeriodError as error:
            problems.append(Problem(None, None, str(error)))
            return None
        if recorded_period is not None and recorded_period != period:
            problems.append(Problem(None, None, (
                f"This workbook is the return for {recorded_period.label}, but it is being uploaded for "
                f"{period.label}. Upload the return for {period.label}, or choose {recorded_period.label}.")))
            return None
        return period
    if recorded_period is not None:
        return recorded_period
    problems.append(Problem(None, None, (
        "Say which period this return is for (for example '2015/16 Q4' or 'Dec 2015 - Mar 2016'): the workbook "
        "does not record it.")))
    return None
