"""A return template from an agency's own spreadsheet, on the web (issue 14, part 3).

- ``create_from_example``: propose a "tables" template from the example file
  (``app.services.proposals``), save it as a DRAFT and keep the file as the template's
  reference copy in the upload storage (``app.services.uploads``: the uploads folder or the
  bucket) as ``templates/<slug>.xlsx``, with a small record beside it (``<slug>.json``:
  the file's name, the agency, the period given, its SHA-256).
- ``proposal_view``: what the proposal page shows: each sheet's grid, what the draft's
  headers name, the proposer's sentences, and every figure the draft would store from the
  example file, read by the upload's own pipeline (``parse_return``) with a catalogue
  holding just this draft.
- ``correct_header``: one correction chosen from lists: a row label or column heading of
  a table becomes an indicator, area or period, is ignored, or is a total to check.
"""
from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from app.definition import (
    TABLE_DIMENSIONS,
    HeaderSpec,
    TableSpec,
    TemplateDefinition,
    Transform,
    normalise_label,
)
from app.errors import Forbidden, NotFound
from app.extensions import db
from app.models import Area, Indicator, ReturnTemplate, TemplateVersion
from app.definition.periods import resolve_period_ref
from app.periods import PeriodError, parse_period
from app.policy import may_download_template_example, may_manage_templates
from app.services import ServiceError, transaction
from app.services.audit import record
from app.services.proposals import propose_from_file
from app.services.return_templates import (
    TemplateProblems,
    check_definition,
    definition_for_reading,
    edit_definition,
    TemplateSummary,
    existing_template,
    is_incomplete,
    list_templates,
    store_draft,
    template_by_slug,
)
from app.services.returns import safety_limits
from app.services.uploads import file_store
from app.services.vocabulary import partnership_names

# The ingest pipeline is imported by the functions that read a workbook, so that importing
# the app (each worker's start, every `flask` command) does not load it (issue 16).
if TYPE_CHECKING:
    from app.ingest.identify import TemplateCandidate
    from app.ingest.pipeline import ParsedReturn
    from app.ingest.propose import SheetProposal
    from app.ingest.read import SheetGrid

EXAMPLES = "templates"
KINDS = ("indicator", "area", "period", "ignore", "check_only")
SIDES = ("rows", "columns")
SCALES = (1, 100, 0.01, 1000)  # as written; a percentage written as a fraction; ÷ 100; in thousands
BLANKS = ("not_returned", "not_available")
FIXED_PERIODS = ("period", "Q1", "Q2", "Q3", "Q4", "year", "year_to_date", "rolling_12_months")
FIXED_MEASURES = ("value", "target")
NOT_KEPT = ("The spreadsheet could not be kept on the server, so no template was made. Try again; if it keeps "
            "happening, tell the system administrator.")


@dataclass(frozen=True)
class ExampleFile:
    filename: str
    agency_slug: str
    period_text: str | None
    sha256: str


def _key(slug: str, suffix: str) -> str:
    return f"{EXAMPLES}/{slug}{suffix}"


def _must_manage(user) -> None:
    if user is not None and not may_manage_templates(user):
        raise Forbidden("Only administrators manage templates.")


def example_of(slug: str) -> tuple[ExampleFile, bytes] | None:
    """The template's reference copy and its record, if it was made from an example."""
    try:
        files = file_store()
        example = ExampleFile(**json.loads(files.get(_key(slug, ".json"))))
        return example, files.get(_key(slug, ".xlsx"))
    except (OSError, ValueError, TypeError):
        return None


def _unused_slug(slug: str) -> str:
    taken = set(db.session.scalars(select(ReturnTemplate.slug).where(ReturnTemplate.slug.like(f"{slug}%"))))
    if slug not in taken:
        return slug
    n = 2
    while f"{slug}-{n}" in taken:
        n += 1
    return f"{slug}-{n}"


def _check_file(data: bytes, filename: str) -> None:
    """A file the upload could not read safely gets the upload's own messages, file and cell."""
    from app.ingest.problems import IngestError
    from app.ingest.read import read_workbook
    from app.ingest.safety import check_workbook_bytes

    try:
        read_workbook(data, safety_limits(), need_formats=True)
    except IngestError as error:
        problems = error.problems
        try:
            check_workbook_bytes(data, filename, safety_limits())  # the same checks, naming the file
        except IngestError as named:
            problems = named.problems
        raise ServiceError(field_errors={"file": [
            p.message if not p.sheet else f"{p.location()}: {p.message}" for p in problems]}) from None


def create_from_example(data: bytes, filename: str, *, agency_slug: str, period_text: str | None, user
                        ) -> TemplateVersion:
    """Propose a template from an agency's spreadsheet, save it as a draft, keep the file."""
    from app.ingest.safety import sha256_of

    _must_manage(user)
    if not agency_slug:
        raise ServiceError(field_errors={"agency": ["Choose the agency whose spreadsheet this is"]})
    if period_text:
        try:
            parse_period(period_text)
        except PeriodError as error:
            raise ServiceError(field_errors={"period": [str(error)]}) from None
    _check_file(data, filename)
    proposal, _ = propose_from_file(data, filename, agency_slug=agency_slug, period_text=period_text or None)
    if proposal.definition is None:
        raise ServiceError(field_errors={"file": [proposal.reason]})
    defn = proposal.definition
    defn.slug = _unused_slug(defn.slug)
    problems = [p for p in check_definition(defn) if not is_incomplete(p)]
    if problems:
        raise TemplateProblems(problems)
    example = ExampleFile(filename[:255], agency_slug, period_text or None, sha256_of(data))
    # The file and its record are written once the draft holds the short name (the flush:
    # a second request for the same name fails there, before writing anything), just before
    # the commit; a failed write rolls the draft back and a failed commit removes what this
    # request wrote. No orphan file, no draft without its file.
    files, written = file_store(), []
    try:
        with transaction("A template with this short name already exists."):
            version = store_draft(defn, user, None)
            record("template_proposed", user, version, template=defn.slug, file=filename[:255], agency=agency_slug)
            db.session.flush()
            for suffix, body in ((".xlsx", data), (".json", json.dumps(example.__dict__).encode())):
                try:
                    files.replace(_key(defn.slug, suffix), body)
                except Exception as error:  # OSError, or the bucket's (botocore's) errors
                    raise NotKept from error
                written.append(_key(defn.slug, suffix))
    except BaseException as error:
        for key in written:
            with contextlib.suppress(Exception):
                files.delete(key)
        if isinstance(error, NotKept):
            raise ServiceError(field_errors={"file": [NOT_KEPT]}) from None
        raise
    return version


class NotKept(Exception):
    """The example file or its record could not be written to the upload storage."""


# ---- the reference copy -------------------------------------------------------------------

def templates_with_copies(user) -> tuple[list[TemplateSummary], set[str]]:
    """The templates list, and which of them keep a reference copy this person may download."""
    summaries = list_templates(user)
    if not may_download_template_example(user):
        return summaries, set()
    kept = {f.key for f in file_store().listing(EXAMPLES)}
    return summaries, {s.slug for s in summaries if _key(s.slug, ".json") in kept}


def reference_copy(slug: str, user) -> tuple[str, bytes]:
    """(file name, bytes) of the example file a template was made from. Raises Forbidden,
    NotFound (no such template, or none kept), or ServiceError when the kept file is not the
    one recorded or fails the upload's safety checks: such a file is never served."""
    from app.ingest.problems import IngestError
    from app.ingest.read import read_workbook
    from app.ingest.safety import check_workbook_bytes, sha256_of

    if not may_download_template_example(user):
        raise Forbidden(slug)
    existing_template(slug)
    found = example_of(slug)
    if found is None:
        raise NotFound(slug)
    example, data = found
    if sha256_of(data) != example.sha256:
        raise ServiceError("The reference copy kept on the server is not the file that was uploaded, so it is not "
                           "served. Make the template from the agency's spreadsheet again.")
    try:
        check_workbook_bytes(data, example.filename, safety_limits())
        read_workbook(data, safety_limits(), need_formats=False)  # the reader's own checks (its XML parts)
    except IngestError as error:
        raise ServiceError("The reference copy is not served: " + " ".join(p.message for p in error.problems)) \
            from None
    name = Path(example.filename.replace("\\", "/")).name
    return (name if name.lower().endswith(".xlsx") else f"{slug}.xlsx"), data


# ---- the proposal page ------------------------------------------------------------------

@dataclass
class Figure:
    indicator: str
    area: str
    period: str
    measure: str
    value: float | None
    flag: str
    sheet: str
    cell: str


@dataclass
class Heading:
    """A row label or column heading a correction can be made to."""

    sheet: str
    side: str  # rows | columns
    label: str
    cell: str
    tag: str | None  # what the draft makes of it, in names
    table: int  # the table it belongs to (the one naming it, else the sheet's first)
    sign: int = 1  # its transform now, for the form to start from
    scale: float = 1
    blank: str = "not_returned"


@dataclass
class TableView:
    """A table of the draft: its fixed values, and the dimensions a fixed value may give
    (those its rows, columns, block headings and title do not)."""

    index: int
    name: str
    fixed: dict[str, str]
    free: list[str]


@dataclass
class SheetView:
    grid: SheetGrid
    tags: dict[tuple[int, int], str]
    headings: list[Heading]
    tables: list[TableView]
    report: SheetProposal | None


@dataclass
class ProposalView:
    template: object
    definition: TemplateDefinition
    example: ExampleFile | None
    sheets: list[SheetView] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    problems: list = field(default_factory=list)
    read: bool = False


class _DraftCatalogue:
    """The pipeline's catalogue holding just the draft being proposed."""

    def __init__(self, candidate: TemplateCandidate):
        self.candidate = candidate

    def published(self) -> list[TemplateCandidate]:
        return [self.candidate]

    def version(self, slug: str, number: int) -> TemplateCandidate | None:
        return self.candidate if (slug, number) == (self.candidate.slug, self.candidate.version) else None


def preview_of(version: TemplateVersion, example: ExampleFile, data: bytes) -> ParsedReturn:
    from app.ingest.identify import TemplateCandidate
    from app.ingest.pipeline import parse_return

    names = partnership_names()
    candidate = TemplateCandidate(version.template.slug, version.template.name, version.number,
                                  lambda: definition_for_reading(version.id, names))
    return parse_return(data, example.filename, agency_slug=example.agency_slug, catalogue=_DraftCatalogue(candidate),
                        limits=safety_limits(), period_text=example.period_text, template_slug=candidate.slug)


def _names() -> tuple[dict[str, str], dict[str, str]]:
    return (dict(db.session.execute(select(Indicator.slug, Indicator.name)).all()),
            dict(db.session.execute(select(Area.code, Area.name)).all()))


def _period_name(value: str | None) -> str:
    if not value or value == "period":
        return "the return's period"
    try:
        return parse_period(value).label
    except PeriodError:
        return value


def _tag(header: HeaderSpec, dimension: str, indicators: dict, areas: dict) -> str:
    if header.treat == "ignore":
        return "ignored"
    if header.treat == "check_only":
        return "a total to check" if header.check == "sum" else "a change to check"
    if header.pattern:
        return "a period heading"
    if dimension == "indicator":
        return f"indicator: {indicators.get(header.value, header.value)}"
    if dimension == "area":
        return f"area: {areas.get(header.value, header.value)}"
    if dimension == "period":
        return f"period: {_period_name(header.value)}"
    return f"{dimension}: {header.value}"


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _headings(grid: SheetGrid) -> list[tuple[str, int, int, str]]:
    """(side, row, col, text): text cells with a number to their right and none to their left
    (row labels), or a number below and none above (column headings)."""
    numbers = [key for key, value in grid.cells.items() if _is_number(value)]
    found = []
    for (r, c), text in grid.texts:
        text = text.strip()
        if not text or len(text) > 100:
            continue
        if any(nr == r and nc > c for nr, nc in numbers) and not any(nr == r and nc < c for nr, nc in numbers):
            found.append(("rows", r, c, text))
        elif any(nc == c and nr > r for nr, nc in numbers) and not any(nc == c and nr < r for nr, nc in numbers):
            found.append(("columns", r, c, text))
    return sorted(found, key=lambda item: (item[1], item[2]))


def _sheet_view(grid: SheetGrid, defn: TemplateDefinition, report: SheetProposal | None, indicators, areas
                ) -> SheetView:
    from app.ingest.read import cell_ref

    sheet = next((s for s in defn.sheets if s.name == grid.name), None)
    tables = sheet.tables if sheet is not None else []
    labels: dict[tuple[str, str], tuple[int, str, HeaderSpec | None]] = {}
    patterns: set[str] = set()
    for t, table in enumerate(tables):
        for side, dimension in (("rows", table.row_dimension), ("columns", table.column_dimension)):
            for header in getattr(table, side):
                if header.pattern:
                    patterns.add(side)
                for text in header.texts:
                    if text:
                        labels.setdefault((side, normalise_label(text)), (
                            t, _tag(header, dimension, indicators, areas), header))
    tags: dict[tuple[int, int], str] = {}
    headings = []
    for side, r, c, text in _headings(grid):
        table, tag, header = labels.get((side, normalise_label(text)), (0, None, None))
        if tag is None and side in patterns:
            try:
                parse_period(text)
                tag = "a period heading"
            except PeriodError:
                pass
        if tag is not None:
            tags[(r, c)] = tag
        if tables:
            transform = header.transform if header is not None else Transform()
            headings.append(Heading(grid.name, side, text, cell_ref(r, c), tag, table, transform.sign,
                                    transform.scale, transform.blank))
    views = [TableView(i, table.name or f"Table {i + 1}", dict(table.fixed), _free_dimensions(table))
             for i, table in enumerate(tables)]
    return SheetView(grid, tags, headings, views, report)


def _free_dimensions(table: TableSpec) -> list[str]:
    given = {table.row_dimension, table.column_dimension}
    given |= {table.block.dimension} if table.block is not None else set()
    given |= {table.title.dimension} if table.title is not None else set()
    return [d for d in TABLE_DIMENSIONS if d not in given]


def proposal_view(slug: str, user) -> ProposalView:
    """Everything the proposal page shows for a draft made from an example file."""
    from app.ingest.problems import IngestError
    from app.ingest.read import read_workbook

    _must_manage(user)
    template = existing_template(slug)
    version = template.latest_version
    defn = TemplateDefinition.from_dict(version.definition)
    found = example_of(slug)
    if found is None:
        return ProposalView(template, defn, None)
    example, data = found
    view = ProposalView(template, defn, example)
    try:
        workbook, _ = read_workbook(data, safety_limits(), need_formats=True)
    except IngestError as error:
        view.problems = list(error.problems)
        return view
    try:
        proposal, _ = propose_from_file(data, example.filename, agency_slug=example.agency_slug,
                                        period_text=example.period_text)
        reports = {report.sheet: report for report in proposal.sheets}
    except ServiceError:
        reports = {}
    indicators, areas = _names()
    view.sheets = [_sheet_view(grid, defn, reports.get(grid.name), indicators, areas) for grid in workbook.sheets
                   if grid.name not in workbook.hidden_sheets]
    parsed = preview_of(version, example, data)
    view.read = parsed.template is not None and parsed.period is not None
    view.problems = parsed.problems
    for value in [*parsed.values, *parsed.targets]:
        view.figures.append(Figure(indicators.get(value.indicator, value.indicator),
                                   areas.get(value.area, value.area or ""), value.slot.period.label, value.measure,
                                   value.value, value.flag, value.sheet, value.cell))
    return view


# ---- corrections ------------------------------------------------------------------------

def correct_header(slug: str, user, *, sheet: str, table: int, side: str, label: str, kind: str,
                   value: str | None, sign: int = 1, scale: float = 1, blank: str = "not_returned"
                   ) -> TemplateVersion:
    """Make one row label (side "rows") or column heading ("columns") of a table an
    indicator, area or period (``value``: its slug, code or period), ignored, or a total to
    check, its figures stored with this sign and scale, a blank cell under it meaning
    ``blank``; replaces what the table said about that label, or adds it."""
    from app.ingest.propose import rule_of_units

    _must_manage(user)
    template_by_slug(slug)
    label = (label or "").strip()
    if side not in SIDES or not label:
        raise ServiceError("Choose a row label or column heading of the example file.")
    if kind not in KINDS:
        raise ServiceError(field_errors={"kind": ["Choose what this is"]})
    if scale not in SCALES:
        raise ServiceError(field_errors={"scale": ["Choose how the figures are written"]})
    if blank not in BLANKS:
        raise ServiceError(field_errors={"blank": ["Choose what a blank cell means"]})
    if kind in ("indicator", "area", "period") and not value:
        raise ServiceError(field_errors={kind: [f"Choose the {kind}"]})
    indicator = db.session.scalar(select(Indicator).where(Indicator.slug == value)) if kind == "indicator" else None
    if kind == "indicator" and indicator is None:
        raise ServiceError(field_errors={"indicator": ["Choose an indicator from the list"]})
    if kind == "area" and db.session.scalar(select(Area.id).where(Area.code == value)) is None:
        raise ServiceError(field_errors={"area": ["Choose an area from the list"]})

    def change(d: TemplateDefinition):
        layout = next((s for s in d.sheets if s.name == sheet), None)
        if layout is None or not 0 <= table < len(layout.tables):
            raise ServiceError("The draft has no such table: propose the template again, or edit its JSON.")
        spec = layout.tables[table]
        dimension = spec.row_dimension if side == "rows" else spec.column_dimension
        if kind in ("indicator", "area", "period") and kind != dimension:
            what = {"rows": "rows", "columns": "columns"}[side]
            raise ServiceError(field_errors={"kind": [
                f"The {what} of this table are {dimension}s: choose {'an' if dimension[0] in 'aei' else 'a'} "
                f"{dimension}, ignore it, or change the table in the JSON editor."]})
        headers = getattr(spec, side)
        key = normalise_label(label)
        old = next((h for h in headers if any(normalise_label(t) == key for t in h.texts)), None)
        rule = rule_of_units(indicator.unit) if indicator is not None else (old.rule if old else None)
        header = HeaderSpec(label=label, aliases=[t for t in (old.aliases if old else []) if normalise_label(t) != key],
                            rule=rule,
                            transform=Transform(sign=-1 if sign < 0 else 1, scale=scale, blank=blank))
        if kind == "ignore":
            header.treat = "ignore"
        elif kind == "check_only":
            header.treat, header.check = "check_only", "sum"
        else:
            header.value = value.strip()
            if kind == "period":
                try:
                    resolve_period_ref(header.value, parse_period("2015/16 Q4"))
                except PeriodError as error:
                    raise ServiceError(field_errors={"period": [str(error)]}) from None
        if old is not None:
            headers[headers.index(old)] = header
        else:
            headers.append(header)

    return edit_definition(slug, user, change)


def set_table_fixed(slug: str, user, *, sheet: str, table: int, values: dict[str, str | None]) -> TemplateVersion:
    """Give a table's figures one indicator, area, period or measure (``values``: dimension →
    indicator slug, area code, period reference or measure; empty: none fixed), for what its
    rows, columns, block headings and title do not give."""
    _must_manage(user)
    template_by_slug(slug)
    checks = {"indicator": lambda v: db.session.scalar(select(Indicator.id).where(Indicator.slug == v)) is not None,
              "area": lambda v: db.session.scalar(select(Area.id).where(Area.code == v)) is not None,
              "period": lambda v: v in FIXED_PERIODS, "measure": lambda v: v in FIXED_MEASURES}
    for dimension, value in values.items():
        if dimension not in checks or (value and not checks[dimension](value)):
            raise ServiceError(field_errors={dimension: [f"Choose the {dimension} from the list"]})

    def change(d: TemplateDefinition):
        layout = next((s for s in d.sheets if s.name == sheet), None)
        if layout is None or not 0 <= table < len(layout.tables):
            raise ServiceError("The draft has no such table: propose the template again, or edit its JSON.")
        spec = layout.tables[table]
        free = _free_dimensions(spec)
        for dimension, value in values.items():
            if dimension not in free:
                continue  # given by the rows, columns, block headings or title: not fixed here
            if value:
                spec.fixed[dimension] = value
            else:
                spec.fixed.pop(dimension, None)

    return edit_definition(slug, user, change)
