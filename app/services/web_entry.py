"""Entering a return in the browser: the blank return as a web form, for an agency with a
dozen figures and no need of Excel (DHIS2's data-entry screen is the model).

- ``entry_page``: the form for one agency, template and period: a section per sheet, a
  field per figure (named by its indicator and area, never a slug), last period's figure
  beside each, a note per row, and what a saved draft holds.
- ``save_entry_draft``: keep what was typed, to finish later (the start page shows it).
- ``check_entry``: keep it and check it exactly as an upload is checked: the typed text goes
  into the cells of the blank return Safer Returns would have given the agency, as the
  reader's grids of it (``app.ingest.typed``, as for the JSON API), and the upload
  pipeline runs on that. A
  problem is put beside the field it is about, in the upload's words.
- ``entry_preview`` → ``confirm_entry``: the upload's preview (what we read, last period's
  figures, the return it replaces and what that changes) and its confirmation, which
  stores the figures through ``app.services.returns.commit_return`` with the blank
  return's cells, the submission recorded as a web entry (no file), and ends the draft.

Who may enter a return is who may upload it (``app.policy.may_upload_for``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from app.definition import Field, TemplateDefinition, due_date_for, check_return_period, expand_fields
from app.errors import Forbidden, NotFound
from app.collector import cycle_collection_paused
from app.extensions import db
from app.models import Agency, EntryDraft, Period, ReturnTemplate, Submission, TemplateVersion
from app.models.base import utcnow
from app.periods import PeriodError, PeriodSpec, parse_period
from app.policy import may_upload_for
from app.services import ServiceError, transaction
from app.services.audit import record
from app.services.blank_returns import last_period_figures
from app.services.return_templates import definition_of
from app.services.returns import (
    commit_return, parse_entered, replaced_submission, upload_changes,
)
from app.store import submissions as store
from app.store.reference import agencies_by_slug, by_code, indicators_by_slug, period_row
from app.vocabulary import FLAG_LABELS, FLAGS_WITHOUT_VALUE

# The ingest pipeline and the blank return's layout are imported by the functions that use
# them, so that importing the app (each worker's start, every `flask` command) does not
# load them (issue 16).
if TYPE_CHECKING:
    from app.ingest.pipeline import ParsedReturn
    from app.ingest.validate import ParsedValue

WEB_ENTRY = "web"  # Submission.source of a return typed into the web form
WEB_ENTRY_FILENAME = "Entered in the browser"
FIGURE_MAX_CHARS = 200  # a figure as typed: "1,400 (estimate)", "N/A - survey not yet carried out"
NOTE_MAX_CHARS = 2000  # as the blank return's text cells
STORED = "This return has errors, so it cannot be stored. Correct them in the form and check it again."


# ---- the form ----------------------------------------------------------------------------

@dataclass(frozen=True)
class EntryCell:
    """One field of the form: one input (or notes) cell of the blank return."""
    name: str  # the form field's name
    field_id: str  # the template's field id (what a draft is kept by)
    sheet: str
    cell: str  # where it is in the blank return ("C6")
    label: str  # in plain words: the indicator's and the area's names
    hint: str  # what to type, and last period's figure
    is_note: bool
    text: str = ""  # what has been typed so far (a draft's, or the form posted)


@dataclass
class EntryRow:
    label: str  # the indicator's name
    help: str
    cells: list[EntryCell]


@dataclass
class EntrySection:
    title: str
    rows: list[EntryRow]


@dataclass
class EntryPage:
    agency: Agency
    template: ReturnTemplate
    version: TemplateVersion
    period: PeriodSpec
    due: date
    previous_label: str
    sections: list[EntrySection]
    draft_saved_at: datetime | None = None
    draft_id: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)  # form field name → what is wrong
    other_problems: list[str] = field(default_factory=list)  # problems no one field is to blame for
    warnings: list[str] = field(default_factory=list)

    @property
    def cells(self) -> list[EntryCell]:
        return [cell for section in self.sections for row in section.rows for cell in row.cells]


@dataclass(frozen=True)
class _Return:
    """The return an entry is for, resolved from the names in its address."""
    agency: Agency
    template: ReturnTemplate
    version: TemplateVersion
    defn: TemplateDefinition
    period: PeriodSpec
    draft: EntryDraft | None


def _resolve(template_slug: str | None, agency_slug: str | None, period_text: str | None, user) -> _Return:
    """Raises NotFound (no such return to enter) or Forbidden (not this person's agency)."""
    template = db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == (template_slug or "")))
    agency = agencies_by_slug([agency_slug or ""]).get(agency_slug or "")
    if template is None or agency is None or agency not in template.agencies or template.published_version is None:
        raise NotFound(template_slug)
    if not may_upload_for(user, agency):
        raise Forbidden(agency.slug)
    try:
        period = parse_period(period_text or "")
    except PeriodError:
        raise NotFound(period_text) from None
    draft = _draft_for(agency.id, template.id, period.key)
    version = draft.template_version if draft is not None and draft.template_version.status in (
        "published", "retired") else template.published_version
    defn = definition_of(version)
    if any(sheet.layout == "tables" for sheet in defn.sheets) or check_return_period(defn, period):
        raise NotFound(template.slug)  # it reads the agency's own spreadsheet; or not a period it is returned for
    return _Return(agency, template, version, defn, period, draft)


def _draft_for(agency_id: int, template_id: int, period_key: str) -> EntryDraft | None:
    return db.session.scalar(select(EntryDraft).join(Period, EntryDraft.period_id == Period.id).where(
        EntryDraft.agency_id == agency_id, EntryDraft.template_id == template_id, Period.key == period_key))


def _entered_fields(defn: TemplateDefinition, period: PeriodSpec) -> list[Field]:
    return [f for f in expand_fields(defn, period) if f.is_entered]


def _plain_figure(value, flag: str) -> str:
    if flag in FLAGS_WITHOUT_VALUE or value is None:
        return FLAG_LABELS.get(flag, flag)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = f"{value:,}" if isinstance(value, (int, float)) else str(value)
    return text if flag in ("actual", None, "") else f"{text} ({FLAG_LABELS.get(flag, flag).lower()})"


def _page(found: _Return, texts: dict[str, str] | None = None) -> EntryPage:
    """The form, with ``texts`` (field id → text; else the draft's) in its fields."""
    from app.export.blank_return import TYPE_NAMES, field_cells

    defn, period = found.defn, found.period
    fields = _entered_fields(defn, period)
    cells = field_cells(defn, fields)
    texts = texts if texts is not None else dict((found.draft.entries or {}) if found.draft else {})
    previous = last_period_figures(defn, period)
    indicators = indicators_by_slug({f.indicator for f in fields})
    areas = by_code({f.area for f in fields if f.area})
    previous_label = period.previous().label

    def indicator_name(f: Field) -> str:
        indicator = indicators.get(f.indicator)
        return indicator.name if indicator else f.row_label

    def value_label(f: Field) -> str:
        area = areas.get(f.area) if f.area else None
        label = indicator_name(f) + (f", {area.name}" if area else "")
        if f.measure == "target":
            label += ", target"
        if f.period_key != period.key:
            label += f", {parse_period(f.period_key).label}"
        return label

    position = {f.id: n for n, f in enumerate(fields)}
    sections = []
    for sheet in defn.sheets:
        rows = []
        for index, spec in enumerate(sheet.rows):
            row_fields = [f for f in fields if f.sheet == sheet.name and f.row_index == index]
            labels = [value_label(f) if f.measure != "comment" else "" for f in row_fields]
            entry_cells = []
            for f, label in zip(row_fields, labels):
                if f.measure == "comment":
                    label = f"Note on {indicator_name(f)}"
                    hint = "Anything the reader of this figure should know."
                else:
                    if labels.count(label) > 1:  # two columns the names do not tell apart
                        label += f" ({f.column_header})"
                    hint = TYPE_NAMES[f.rule.type] + (", required" if f.rule.required else "") + "."
                    before = _plain_figure(*previous[f.id]) if f.id in previous else "none stored"
                    hint += f" Last period ({previous_label}): {before}."
                sheet_name, cell = cells[f.id]
                entry_cells.append(EntryCell(f"cell_{position[f.id]}", f.id, sheet_name, cell, label, hint,
                                             f.measure == "comment", str(texts.get(f.id) or "")))
            if entry_cells:
                rows.append(EntryRow(indicator_name(row_fields[0]), spec.help, entry_cells))
        if rows:
            sections.append(EntrySection(sheet.title or sheet.name, rows))
    draft = found.draft
    return EntryPage(found.agency, found.template, found.version, period, due_date_for(defn, period), previous_label,
                     sections, draft.saved_at if draft else None, draft.id if draft else None)


def entry_page(template_slug: str | None, agency_slug: str | None, period_text: str | None, user) -> EntryPage:
    """The web form of a return, with its draft's entries if one was saved. Raises NotFound
    or Forbidden."""
    return _page(_resolve(template_slug, agency_slug, period_text, user))


# ---- drafts ------------------------------------------------------------------------------

def _typed(page: EntryPage, posted: dict[str, str]) -> dict[str, str]:
    """Field id → text, from the form's fields (by name): only the form's own fields."""
    return {cell.field_id: (posted.get(cell.name) or "") for cell in page.cells}


def _save(found: _Return, entries: dict[str, str], user) -> EntryDraft:
    kept = {field_id: text for field_id, text in entries.items() if text.strip()}
    draft = found.draft
    if draft is None:
        draft = EntryDraft(agency_id=found.agency.id, template_id=found.template.id,
                           period_id=period_row(found.period).id)
        db.session.add(draft)
    draft.template_version_id, draft.entries = found.version.id, kept
    draft.saved_by_id, draft.saved_at = getattr(user, "id", None), utcnow()
    db.session.flush()
    record("entry_draft_saved", user, draft, agency=found.agency.slug, template=found.template.slug,
           version=found.version.number, period=found.period.key, entries=len(kept))
    return draft


def save_entry_draft(template_slug: str | None, agency_slug: str | None, period_text: str | None, user,
                     posted: dict[str, str]) -> EntryPage:
    """Keep what was typed (``posted``: form field name → text) as the return's draft, to be
    finished later. Raises NotFound or Forbidden."""
    found = _resolve(template_slug, agency_slug, period_text, user)
    entries = _typed(_page(found, {}), posted)
    with transaction("Someone else saved this return's draft at the same moment; reload the page."):
        draft = _save(found, entries, user)
    return _page(_Return(found.agency, found.template, found.version, found.defn, found.period, draft))


@dataclass
class EntryCheck:
    page: EntryPage  # the form with what was typed, and each problem beside its field
    parsed: ParsedReturn
    draft_id: int


def check_entry(template_slug: str | None, agency_slug: str | None, period_text: str | None, user,
                posted: dict[str, str]) -> EntryCheck:
    """Keep what was typed as the draft and check it as an upload is checked. When nothing
    is wrong, the preview (``entry_preview``) shows what confirming stores. Raises NotFound
    or Forbidden."""
    found = _resolve(template_slug, agency_slug, period_text, user)
    entries = _typed(_page(found, {}), posted)
    with transaction("Someone else saved this return's draft at the same moment; reload the page."):
        draft = _save(found, entries, user)
    found = _Return(found.agency, found.template, found.version, found.defn, found.period, draft)
    parsed = _parse(found, user)
    page = _page(found)
    _put_problems(page, parsed)
    return EntryCheck(page, parsed, draft.id)


def _put_problems(page: EntryPage, parsed: ParsedReturn) -> None:
    """Each problem beside the field it is about (by the blank return's cell), named in plain
    words; the others (cross-checks over several cells, the period) in a list."""
    by_cell = {(cell.sheet, cell.cell): cell for cell in page.cells}
    for problem in parsed.problems:
        cell = by_cell.get((problem.sheet, problem.cell))
        if problem.severity != "error":
            where = f"{cell.label}: " if cell else ""
            page.warnings.append(where + problem.message)
        elif cell is not None:
            page.errors.setdefault(cell.name, []).append(f"{cell.label}: {problem.message}")
        else:
            page.other_problems.append(problem.message)


# ---- checking and storing ------------------------------------------------------------------

def _parse(found: _Return, user) -> ParsedReturn:
    """The draft checked as an upload of the blank return with the same text in its cells
    (``app.ingest.typed``: the reader's grids of it, the text typed in)."""
    from app.ingest.typed import typed_workbook

    entries = {field_id: str(text) for field_id, text in (found.draft.entries or {}).items() if str(text).strip()} \
        if found.draft else {}
    fields = {f.id for f in _entered_fields(found.defn, found.period)}
    typed = typed_workbook(found.defn, version=found.version.number, agency_slug=found.agency.slug,
                           period=found.period, values={k: v for k, v in entries.items() if k in fields})
    source = json.dumps({"template": found.template.slug, "version": found.version.number,
                         "agency": found.agency.slug, "period": found.period.key, "entries": entries},
                        sort_keys=True, ensure_ascii=False).encode()
    return parse_entered(typed.workbook, source, WEB_ENTRY_FILENAME, agency_slug=found.agency.slug, user=user,
                         period_text=found.period.key, template_slug=found.template.slug)


def _draft_return(draft_id: int, user) -> _Return:
    """The return a saved draft is of. Raises NotFound (no such draft) or Forbidden."""
    draft = db.session.get(EntryDraft, draft_id) if isinstance(draft_id, int) and 0 < draft_id < 2**31 else None
    if draft is None:
        raise NotFound(draft_id)
    return _resolve(draft.template.slug, draft.agency.slug, draft.period.key, user)


@dataclass
class EntryPreview:
    page: EntryPage
    parsed: ParsedReturn
    shown: list[ParsedValue]
    previous: dict[tuple[str, str, str], tuple[float | None, str]]
    replaces: Submission | None = None
    changes: list[store.Change] | None = None

    def previous_for(self, value) -> tuple[float | None, str] | None:
        indicator, area, _ = value.key
        return self.previous.get((indicator, area, value.slot.period.previous().key))


def entry_preview(draft_id: int, user, rows: int) -> EntryPreview:
    """The checked draft as the upload's preview shows a file: its first ``rows`` figures
    with last period's, the return it would replace and what that changes. Raises NotFound
    or Forbidden."""
    found = _draft_return(draft_id, user)
    parsed = _parse(found, user)
    page = _page(found)
    _put_problems(page, parsed)
    shown = parsed.values[:rows]
    keys = {(v.row.spec.indicator, v.area, v.slot.period.previous().key) for v in shown if v.area}
    replaced = replaced_submission(parsed)
    changes = upload_changes(parsed, replaced) if replaced is not None and not parsed.errors else None
    return EntryPreview(page, parsed, shown, store.current_figures_by_key(keys), replaced, changes)


def confirm_entry(draft_id: int, user, comment: str | None) -> tuple[Submission, Submission | None]:
    """Store the draft's return as an upload is stored (superseding the current one, if
    any), recorded as a web entry; the draft goes. Warnings must be confirmed with a
    comment. Raises NotFound, Forbidden or ServiceError."""
    found = _draft_return(draft_id, user)
    with cycle_collection_paused():
        parsed = _parse(found, user)
        if parsed.errors:
            raise ServiceError(STORED)
        if parsed.warnings and not (comment or "").strip():
            raise ServiceError(field_errors={"comment": [
                "Say why the figures the warnings point at are right: a comment is needed to submit a return with "
                "warnings."]})
        stored = commit_return(parsed, None, user, comment, source=WEB_ENTRY)
    with transaction():
        draft = db.session.get(EntryDraft, found.draft.id)
        if draft is not None:
            db.session.delete(draft)
    return stored


def drafts_for(agency_ids: list[int]) -> dict[tuple[int, int, int], datetime]:
    """(agency id, template id, period id) → when its draft was saved, for these agencies."""
    if not agency_ids:
        return {}
    rows = db.session.execute(select(EntryDraft.agency_id, EntryDraft.template_id, EntryDraft.period_id,
                                     EntryDraft.saved_at).where(EntryDraft.agency_id.in_(agency_ids)))
    return {(a, t, p): saved for a, t, p, saved in rows}
