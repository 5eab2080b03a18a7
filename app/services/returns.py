"""Importing filled returns: one service behind the web upload and ``flask returns import``.

- ``import_return``: parse, check and (unless it is a dry run, or anything blocks it) store
  a return in one go: the command line.
- ``hold_upload`` → ``preview_upload`` → ``confirm_upload``: the web flow. The uploaded
  file waits in the file store (``app.services.uploads``: the uploads folder or a bucket)
  as ``pending/<sha256>.xlsx`` with a small record of who uploaded it for which agency,
  period and template (``pending/<token>.json``), and what was read from it
  (``pending/<token>.read.json.gz``, ``app.ingest.kept``), for ``UPLOAD_PENDING_HOURS``
  (then its preview no longer opens and ``flask uploads prune`` removes them). The file is
  read once: the preview and the confirmation take what was read from the kept reading,
  when it was made with the templates, names and limits in force now (else they read the
  file again), and redo the checks against the database; nothing posted back by the
  browser but the decision to confirm and the comment is trusted. Nothing is stored until
  the officer confirms.
- ``commit_return``: the one transaction that stores a return: the original file under
  ``<sha256>.xlsx`` in the file store, written before the database commit (the same file
  uploaded twice is one file) and removed again if the commit fails; the submission
  (superseding the agency's current one for the template and period, which is kept),
  every figure and target with its sheet and cell (the ones they replace kept, no longer
  current). Any failure rolls everything
  back and removes a file it wrote. The database's partial unique index lets only one
  submission be current per agency, template and period, so two uploads racing each
  other cannot both win.
"""
from __future__ import annotations

import hashlib
import json
import operator
import secrets
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from itertools import groupby, repeat
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import Text, cast, select
from sqlalchemy.exc import OperationalError

from app.definition import normalise_label
from app.collector import cycle_collection_paused
from app.extensions import db
from app.models import Agency, Area, Indicator, Period, ReturnTemplate, Submission, TemplateVersion, User
from app.models.base import utcnow
from app.errors import Forbidden, NotFound
from app.policy import may_download_original, may_see_submission, may_see_template, may_upload_for, visible_agency_ids
from app.services import ServiceError, transaction
from app.services.audit import record
from app.services.notifications import notify_return_stored
from app.services.results import results_changed
from app.services.return_templates import definition_for_reading
from app.services.settings import today
from app.services.uploads import file_store, held_files_in_use, original_key, pending_hours, pending_key
from app.services.vocabulary import PartnershipNames, add_alias, partnership_names
from app.vocabulary import FLAGS_WITHOUT_VALUE, MAX_FIGURE
from app.store import submissions as store
from app.store.reference import agencies_by_slug, by_code, indicators_by_slug, period_row
from app.store.rows import get_row

# The ingest pipeline is imported by the functions that read a return, so that importing the
# app (each worker's start, every `flask` command) does not load it (issue 16).
if TYPE_CHECKING:
    from app.ingest.identify import TemplateCandidate, TemplateChoice
    from app.ingest.pipeline import ParsedReturn, ReadRow
    from app.ingest.read import WorkbookData
    from app.ingest.problems import Problem
    from app.ingest.safety import SafetyLimits
    from app.ingest.typed import TypedReturn
    from app.ingest.validate import ParsedValue

RACE_MESSAGE = ("Another return for this agency and period was submitted at the same moment; reload and check which "
                "one is current.")
BUSY_MESSAGE = "The database was busy and the return was not stored; nothing was saved. Try again in a moment."
SIGNED_OFF = "This period has been signed off; ask an administrator to unlock it."


def safety_limits() -> SafetyLimits:
    from app.ingest.safety import SafetyLimits

    config = current_app.config
    return SafetyLimits(
        max_bytes=config["MAX_CONTENT_LENGTH"], max_zip_entries=config["INGEST_MAX_ZIP_ENTRIES"],
        max_uncompressed_bytes=config["INGEST_MAX_UNCOMPRESSED_BYTES"],
        max_compression_ratio=config["INGEST_MAX_COMPRESSION_RATIO"], max_rows=config["INGEST_MAX_ROWS"],
        max_columns=config["INGEST_MAX_COLUMNS"], max_cell_chars=config["INGEST_MAX_CELL_CHARS"],
        max_seconds=config["INGEST_MAX_SECONDS"], max_figure={**MAX_FIGURE, **config["INGEST_MAX_FIGURE"]},
    )


class DatabaseCatalogue:
    """The pipeline's ``TemplateCatalogue``: published (and retired) template versions,
    each definition read from the database only when the pipeline needs it."""

    def __init__(self):
        self._published: list[TemplateCandidate] | None = None
        self._names: PartnershipNames | None = None
        self._ids: dict[tuple[str, int], int] = {}  # (slug, number) → the version's id

    def names(self) -> PartnershipNames:
        """The partnership's names for areas and indicators, read once per import."""
        if self._names is None:
            self._names = partnership_names()
        return self._names

    def published(self) -> list[TemplateCandidate]:
        if self._published is None:
            latest = {}
            for row in db.session.execute(self._versions().where(TemplateVersion.status == "published")
                                          .order_by(ReturnTemplate.slug, TemplateVersion.number)):
                latest[row.slug] = _candidate(row, self)
                self._ids[row.slug, row.number] = row.id
            self._published = list(latest.values())
        return self._published

    def fingerprint(self) -> str:
        """What a reading with this catalogue depends on: every published version (its
        template's slug and name, its number, its definition as stored) and the
        partnership's names. A reading kept under another fingerprint is not used."""
        published = self.published()
        ids = [self._ids[c.slug, c.version] for c in published]
        query = select(TemplateVersion.id, cast(TemplateVersion.definition, Text)).where(TemplateVersion.id.in_(ids))
        texts = {version_id: text for version_id, text in db.session.execute(query)} if ids else {}
        digest = hashlib.sha256()
        for candidate in sorted(published, key=lambda c: c.slug):
            digest.update(json.dumps([candidate.slug, candidate.name, candidate.version]).encode())
            digest.update(hashlib.sha256((texts.get(self._ids[candidate.slug, candidate.version]) or "").encode())
                          .digest())
        digest.update(repr(self.names()).encode())
        return digest.hexdigest()

    def version(self, slug: str, number: int) -> TemplateCandidate | None:
        row = db.session.execute(self._versions().where(
            ReturnTemplate.slug == slug, TemplateVersion.number == number,
            TemplateVersion.status.in_(("published", "retired")))).first()
        return _candidate(row, self) if row else None

    @staticmethod
    def _versions():
        return select(ReturnTemplate.slug, ReturnTemplate.name, TemplateVersion.id, TemplateVersion.number).join(
            TemplateVersion, TemplateVersion.template_id == ReturnTemplate.id)


def _candidate(row, catalogue: DatabaseCatalogue) -> TemplateCandidate:
    from app.ingest.identify import TemplateCandidate

    def read(version_id: int = row.id):
        return definition_for_reading(version_id, catalogue.names())

    return TemplateCandidate(row.slug, row.name, row.number, read)


# ---- reading a return -----------------------------------------------------------------

def uploadable_agencies(user) -> list[Agency]:
    """Agencies this person may upload returns for (every agency for the command line)."""
    agencies = db.session.scalars(select(Agency).order_by(Agency.name))
    return [agency for agency in agencies if user is None or may_upload_for(user, agency)]


def upload_templates(user) -> list[ReturnTemplate]:
    """Published templates the person may upload (an officer: their agency's)."""
    templates = [t for t in db.session.scalars(select(ReturnTemplate).order_by(ReturnTemplate.name))
                 if t.published_version is not None]
    if user is None:
        return templates
    return [t for t in templates if may_see_template(user, [a.id for a in t.agencies])]


@dataclass(frozen=True)
class ExpectedUpload:
    """An upload for a return the schedule expects: its template, period and agency are fixed."""
    agency: Agency
    template: ReturnTemplate
    period_key: str
    period_label: str


def expected_upload(template_slug: str, period_text: str, agency_slug: str, user) -> ExpectedUpload | None:
    """The template, period and agency an upload link names, if this person may upload that
    return (else None: the upload page then asks for them)."""
    from app.periods import PeriodError, parse_period

    template = db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == (template_slug or "")))
    agency = agencies_by_slug([agency_slug or ""]).get(agency_slug or "")
    try:
        period = parse_period(period_text or "")
    except PeriodError:
        return None
    if template is None or agency is None or agency not in template.agencies or template.published_version is None:
        return None
    if user is not None and not may_upload_for(user, agency):
        return None
    return ExpectedUpload(agency, template, period.key, period.label)


def _agency_for(agency_slug: str, user) -> Agency:
    agency = agencies_by_slug([(agency_slug or "").strip()]).get((agency_slug or "").strip())
    if agency is None:
        raise ServiceError(field_errors={"agency": [f"There is no agency '{agency_slug}'. Choose one from the list."
                                                    if agency_slug else "Choose the agency the return is for."]})
    if user is not None and not may_upload_for(user, agency):
        raise ServiceError(field_errors={"agency": ["You can only upload returns for your own agency."]})
    return agency


def parse_upload(data: bytes, filename: str, *, agency_slug: str, user, period_text: str | None = None,
                 template_slug: str | None = None) -> ParsedReturn:
    """Read and check an upload for an agency the person may upload for. Stores nothing.
    Raises ServiceError (by form field) when the person may not upload for the agency."""
    agency = _agency_for(agency_slug, user)
    parsed = _read_upload(data, filename, agency.slug, DatabaseCatalogue(), period_text, template_slug)
    return _checked_against_database(parsed, agency)


def _read_upload(data: bytes, filename: str, agency_slug: str, catalogue: DatabaseCatalogue,
                 period_text: str | None, template_slug: str | None) -> ParsedReturn:
    """What is read from the file: everything but the checks against the database."""
    from app.ingest.pipeline import parse_return

    return parse_return(data, filename, agency_slug=agency_slug, catalogue=catalogue, limits=safety_limits(),
                        period_text=period_text, template_slug=template_slug or None)


def _checked_against_database(parsed: ParsedReturn, agency: Agency) -> ParsedReturn:
    """Add the checks that read the database now to a return read (freshly, or kept): the
    agency's history, then what would stop it being stored."""
    from app.ingest.pipeline import check_against_history

    with cycle_collection_paused():
        check_against_history(parsed, lambda wanted: store.agency_history(agency.id, wanted))
    if parsed.template is not None and parsed.period is not None:
        parsed.problems.extend(_storage_problems(parsed))
    return parsed


def parse_entered(workbook: WorkbookData, source: bytes, filename: str, *, agency_slug: str, user, period_text: str,
                  template_slug: str) -> ParsedReturn:
    """Check a return typed into the web form (``workbook``: the grids of our blank return with
    the typed text in its cells, ``app.ingest.typed``) as an upload is checked; ``source`` is
    what was typed, as JSON (its checksum is the return's). Stores nothing."""
    from app.ingest.pipeline import parse_workbook

    agency = _agency_for(agency_slug, user)
    parsed = parse_workbook(workbook, source, filename, agency_slug=agency.slug, catalogue=DatabaseCatalogue(),
                            limits=safety_limits(), period_text=period_text, template_slug=template_slug,
                            history=lambda wanted: store.agency_history(agency.id, wanted))
    if parsed.template is not None and parsed.period is not None:
        parsed.problems.extend(_storage_problems(parsed))
    return parsed


def parse_typed(values: dict, *, template_slug: str, period_text: str, agency_slug: str, user, source: bytes,
                filename: str) -> tuple[ParsedReturn, TypedReturn]:
    """Check a return sent as values (the JSON API) for an agency the caller may upload for:
    the grid of our own blank return with the values in their cells (``app.ingest.typed``),
    then the same checks as ``parse_upload``. ``source`` (the request) is the return's
    original. Stores nothing. Raises ServiceError by field: the agency, a template the
    agency does not submit, a period that is not one, keys that are no field."""
    from app.ingest.pipeline import parse_workbook
    from app.ingest.typed import typed_workbook
    from app.periods import PeriodError, parse_period

    agency = _agency_for(agency_slug, user)
    catalogue = DatabaseCatalogue()
    candidate = next((c for c in catalogue.published() if c.slug == template_slug), None)
    template = db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == template_slug))
    if candidate is None or template is None or agency not in template.agencies:
        raise ServiceError(field_errors={"template": [
            f"'{agency.name}' does not submit a return with the short name '{template_slug}': list the templates "
            "to see those it does."]})
    try:
        period = parse_period(period_text or "")
    except PeriodError as error:
        raise ServiceError(field_errors={"period": [str(error)]}) from error
    typed = typed_workbook(candidate.definition, version=candidate.version, agency_slug=agency.slug, period=period,
                           values=values)
    if typed.unknown:
        raise ServiceError(field_errors={f"values.{key}": [
            "This is not a field of the return that figures are typed into: list the template's fields to see "
            "their ids."] for key in typed.unknown[:50]})
    parsed = parse_workbook(typed.workbook, source, filename, agency_slug=agency.slug, catalogue=catalogue,
                            limits=safety_limits(), period_text=period.key, template_slug=template_slug,
                            history=lambda wanted: store.agency_history(agency.id, wanted))
    if parsed.template is not None and parsed.period is not None:
        parsed.problems.extend(_storage_problems(parsed))
    return parsed, typed


def _storage_problems(parsed: ParsedReturn) -> list[Problem]:
    """What would stop the figures being stored: a signed-off period, indicators or areas
    the template names that do not exist (any more)."""
    from app.ingest.problems import Problem

    problems = []
    period = db.session.scalar(select(Period).where(Period.key == parsed.period.key))
    if period is not None and store.period_signed_off(period.id):
        problems.append(Problem(None, None, SIGNED_OFF))
    indicators, areas = _indicators_and_areas(parsed)
    unknown = sorted(indicators - set(store.ids_by(Indicator.slug, indicators)))
    if unknown:
        problems.append(Problem(None, None, (
            f"The template names indicators that do not exist: {', '.join(unknown)}. Ask an administrator to "
            "correct the template; nothing can be stored until then.")))
    if None in areas:
        problems.append(Problem(None, None, (
            "The template does not say which area some figures are for. Ask an administrator to give the sheet an "
            "area; nothing can be stored until then.")))
    missing_areas = sorted(a for a in areas - set(store.ids_by(Area.code, (a for a in areas if a))) if a)
    if missing_areas:
        problems.append(Problem(None, None, (
            f"The template names areas that do not exist: {', '.join(missing_areas)}. Ask an administrator to "
            "correct the template; nothing can be stored until then.")))
    return problems


def _indicators_and_areas(parsed: ParsedReturn) -> tuple[set[str], set[str | None]]:
    """The indicators and areas of the cells read (from the rows and columns found, not
    figure by figure: a row's figures share an indicator, a column's an area)."""
    indicators: set[str] = set()
    areas: set[str | None] = set()
    for plan in parsed.plans:
        rows, slots = plan.found_rows, [slot for slot in plan.found_slots if slot.measure != "comment"]
        indicators |= {row.spec.indicator for row in rows}
        areas |= {slot.area for slot in slots if slot.area}
        if rows and any(not slot.area for slot in slots):
            areas |= {row.area for row in rows}
    return indicators, areas


# ---- storing a return -----------------------------------------------------------------

def commit_return(parsed: ParsedReturn, data: bytes | None, user, comment: str | None,
                  source: str | None = None) -> tuple[Submission, Submission | None]:
    """Store an accepted return in one transaction: (the new submission, the one it superseded).
    ``data`` is the uploaded file, kept under its checksum; None for a return typed into the
    web form (``source`` "web"), which has no file."""
    if not parsed.accepted:
        raise ServiceError("This return has errors, so it cannot be stored. Correct them and upload it again.")
    key = original_key(parsed.sha256)
    wrote = file_store().put(key, data) if data is not None else False
    try:
        with transaction(RACE_MESSAGE), cycle_collection_paused():
            stored = _store(parsed, user, comment, source)
        notify_return_stored(stored[0])
        return stored
    except OperationalError as error:
        raise ServiceError(BUSY_MESSAGE) from error
    finally:
        if wrote and not _committed_with(parsed.sha256):
            file_store().delete(key)


def _committed_with(sha256: str) -> bool:
    try:
        return db.session.scalar(select(Submission.id).where(Submission.sha256 == sha256).limit(1)) is not None
    except Exception:  # the database itself failed: the file goes, as nothing can point at it
        db.session.rollback()
        return False


def store_received_return(parsed: ParsedReturn, received_on: date, comment: str | None, source: str) -> Submission:
    """Store an accepted return as received on ``received_on``, inside the caller's
    transaction (flushes only; no file, no receipt): the demo partnership's returns, whose
    figures come from its board papers (``app.demo.returns``). The same store as
    ``commit_return``: the submission, each figure and target with its sheet and cell."""
    if not parsed.accepted:
        raise ServiceError("This return has errors, so it cannot be stored: "
                           + "; ".join(str(p) for p in parsed.errors[:5]))
    return _store(parsed, None, comment, source, received_on)[0]


def _store(parsed: ParsedReturn, user, comment: str | None, source: str | None,
           received_on: date | None = None) -> tuple[Submission, Submission | None]:
    agency = agencies_by_slug([parsed.agency_slug])[parsed.agency_slug]
    template = db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == parsed.template.slug))
    version = db.session.scalar(select(TemplateVersion).where(
        TemplateVersion.template_id == template.id, TemplateVersion.number == parsed.template.version))
    period = period_row(parsed.period)
    if store.period_signed_off(period.id):
        raise ServiceError(SIGNED_OFF)
    indicators, areas = _indicators_and_areas(parsed)
    indicator_ids = store.ids_by(Indicator.slug, indicators)
    area_ids = store.ids_by(Area.code, {a for a in areas if a})
    # Ids by row and by column, worked out once: a row's figures share an indicator, a
    # column's an area (if it names one) and a period.
    period_ids = {parsed.period.key: period.id}
    by_row, by_slot, sheet_of = {}, {}, {}
    for plan in parsed.plans:
        sheet_of[id(plan)] = plan.name
        for row in plan.rows:
            by_row[id(row)] = (indicator_ids.get(row.spec.indicator), area_ids.get(row.area))
        for slot in plan.slots:
            if slot.period_key not in period_ids:
                period_ids[slot.period_key] = period_row(slot.period).id
            by_slot[id(slot)] = (area_ids.get(slot.area), period_ids[slot.period_key], slot.letters)

    previous = store.current_submission(agency.id, template.id, period.id)
    if previous is not None:
        store.retire(previous)
    now = utcnow()
    submission = store.add_submission(
        agency_id=agency.id, template_id=template.id, template_version_id=version.id, period_id=period.id,
        uploaded_by_id=getattr(user, "id", None), api_token_id=getattr(user, "api_token_id", None), uploaded_at=now,
        received_on=received_on or today(), filename=parsed.filename[:255],
        sha256=parsed.sha256, size_bytes=parsed.size_bytes, status="current",
        supersedes_id=previous.id if previous else None, comment=(comment or "").strip() or None,
        warnings=[{"sheet": p.sheet, "cell": p.cell, "message": p.message} for p in parsed.warnings] or None,
        source=source,
    )
    current, created_at = store.value_row_constants(now)
    rows = _value_rows(parsed.values, by_row, by_slot, sheet_of,
                       (None, agency.id, submission.id), (current, created_at))
    released = store.release_current(rows)
    store.insert_values(rows)
    targets = []
    for target in parsed.targets:
        if target.value is not None:
            indicator_id, row_area_id = by_row[id(target.row)]
            slot_area_id, period_id, _ = by_slot[id(target.slot)]
            targets.append(store.TargetRead(indicator_id, slot_area_id or row_area_id, period_id, target.value,
                                            target.note, target.sheet, target.cell))
    record("submission_confirmed", user, submission, source=source or "upload", template=template.slug,
           version=version.number,
           agency=agency.slug, period=parsed.period.key, values=len(rows),
           targets=store.add_targets(targets, submission.id, now),
           warnings=len(parsed.warnings), sha256=parsed.sha256, replaced_other_figures=released)
    if previous is not None:
        record("submission_superseded", user, previous, by=submission.id)
    # The indicator results of what changed (the new figures and targets, and whatever
    # the superseded return had), in this same transaction.
    # The hook takes the three sets of ids, not the keys: worked out a column at a time,
    # in C (a set of 105,000 keys, then unzipped, cost about 0.08 s of a large import).
    changed = [set(map(operator.itemgetter(i), rows)) for i in range(3)]
    keys = {t.key for t in targets} | (store.submission_keys(previous.id) if previous is not None else set())
    for ids, more in zip(changed, zip(*keys)):
        ids.update(more)
    if rows or keys:
        indicator_ids, area_ids, period_ids = changed
        results_changed(indicator_ids, period_ids, area_ids)
    return submission, previous


def _value_rows(values, by_row: dict, by_slot: dict, sheet_of: dict, source_agency_submission: tuple,
                current_created: tuple) -> list[tuple]:
    """The figures as tuples in ``store.VALUE_COLUMNS`` order, a sheet row at a time: a
    row's figures come together and share an indicator, a sheet and a row number, and the
    columns' areas, periods and letters are worked out once for each arrangement of
    columns (usually one per sheet). Loops in C (zip, map) do the per-figure work."""
    rows: list[tuple] = []
    arrangements: dict[tuple, tuple] = {}
    value_of, flag_of, note_of, slot_of = (operator.itemgetter(i) for i in (3, 4, 5, 2))
    for row, run in groupby(values, key=operator.itemgetter(1)):
        run = list(run)
        slot_ids = tuple(map(id, map(slot_of, run)))
        arrangement = arrangements.get(slot_ids)
        if arrangement is None:
            columns = [by_slot[slot_id] for slot_id in slot_ids]
            areas = [area for area, _, _ in columns]
            arrangement = arrangements[slot_ids] = (areas, all(areas), [p for _, p, _ in columns],
                                                    [letters for _, _, letters in columns])
        slot_areas, every_column_has_an_area, periods, letters = arrangement
        indicator_id, row_area_id = by_row[id(row)]
        areas = slot_areas if every_column_has_an_area else [area or row_area_id for area in slot_areas]
        number = row.number
        rows.extend(zip(
            repeat(indicator_id), areas, periods, map(value_of, run), map(flag_of, run), map(note_of, run),
            *map(repeat, source_agency_submission), repeat(sheet_of[id(run[0][0])]),
            [column + number for column in letters], *map(repeat, current_created)))
    return rows


def _record_rejection(parsed: ParsedReturn, user) -> None:
    with transaction():
        record("submission_rejected", user, None, filename=parsed.filename[:255], sha256=parsed.sha256,
               agency=parsed.agency_slug, template=parsed.template.slug if parsed.template else None,
               period=parsed.period.key if parsed.period else None, errors=len(parsed.errors),
               first_errors=[str(p) for p in parsed.errors[:5]])


# ---- the command line -----------------------------------------------------------------

@dataclass
class ImportOutcome:
    parsed: ParsedReturn
    dry_run: bool
    strict: bool
    submission: Submission | None = None
    superseded: Submission | None = None

    @property
    def accepted(self) -> bool:
        return self.parsed.accepted and not (self.strict and self.parsed.warnings)

    @property
    def result(self) -> str:
        """stored | dry_run | rejected"""
        if not self.accepted:
            return "rejected"
        return "dry_run" if self.dry_run else "stored"

    def result_line(self) -> str:
        if not self.accepted:
            blocking = "warnings (--strict)" if self.parsed.accepted else "errors"
            return f"rejected: nothing stored (correct the {blocking} listed above)"
        if self.dry_run:
            return "dry run: nothing stored"
        line = f"stored as submission #{self.submission.id}"
        return line + (f", superseding #{self.superseded.id}" if self.superseded else "")


def import_return(data: bytes, filename: str, *, agency_slug: str, user=None, period_text: str | None = None,
                  template_slug: str | None = None, comment: str | None = None, dry_run: bool = False,
                  strict: bool = False) -> ImportOutcome:
    """Parse, check and store a return in one go (warnings accepted unless ``strict``)."""
    with cycle_collection_paused():
        parsed = parse_upload(data, filename, agency_slug=agency_slug, user=user, period_text=period_text,
                              template_slug=template_slug)
        return import_parsed(parsed, data, user, comment=comment, dry_run=dry_run, strict=strict)


def import_parsed(parsed: ParsedReturn, data: bytes, user, *, comment: str | None = None, dry_run: bool = False,
                  strict: bool = False) -> ImportOutcome:
    """Store a checked return unless it is a dry run or something blocks it (errors; warnings
    when ``strict``); a refusal is audited. ``data`` is kept as its original."""
    with cycle_collection_paused():
        outcome = ImportOutcome(parsed, dry_run, strict)
        if not outcome.accepted:
            if not dry_run:
                _record_rejection(parsed, user)
            return outcome
        if not dry_run:
            outcome.submission, outcome.superseded = commit_return(parsed, data, user, comment)
        return outcome


def import_summary(outcome: ImportOutcome) -> dict:
    """The outcome of ``import_return`` as plain data (``flask returns import --json``):
    the template, agency, period and file; ``outcome`` (stored | dry_run | rejected); the
    submission stored and the one it superseded; every figure read (stored, or that would
    be on a dry run; on a rejection, those that could be read), with its indicator's and
    area's names; and every problem, errors then warnings."""
    parsed = outcome.parsed
    read = parsed.values + parsed.targets
    indicators = indicators_by_slug({value.indicator for value in read}) if read else {}
    areas = by_code({value.area for value in read if value.area}) if read else {}
    return {
        "template": {"slug": parsed.template.slug, "name": parsed.template.name,
                     "version": parsed.template.version} if parsed.template else None,
        "agency": parsed.agency_slug,
        "period": {"key": parsed.period.key, "label": parsed.period.label} if parsed.period else None,
        "file": {"name": parsed.filename, "size_bytes": parsed.size_bytes, "sha256": parsed.sha256},
        "outcome": outcome.result,
        "submission_id": outcome.submission.id if outcome.submission else None,
        "supersedes": outcome.superseded.id if outcome.superseded else None,
        "figures": [_figure_summary(value, indicators, areas) for value in read],
        "problems": [{"sheet": p.sheet, "cell": p.cell, "severity": p.severity, "message": p.message}
                     for p in parsed.errors + parsed.warnings],
    }


def _figure_summary(value: ParsedValue, indicators: dict[str, Indicator], areas: dict[str, Area]) -> dict:
    """One figure read: what it is of (names and keys), what it says, where it was. A
    not-available figure's note is its reason."""
    indicator, area, period = indicators.get(value.indicator), areas.get(value.area), value.slot.period
    without_value = value.flag in FLAGS_WITHOUT_VALUE
    number = value.value
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    return {
        "indicator": indicator.name if indicator else None, "indicator_slug": value.indicator,
        "area": area.name if area else None, "area_code": value.area,
        "period": period.label, "period_key": period.key, "measure": value.measure,
        "value": number, "flag": value.flag,
        "reason": value.note if without_value else None, "note": None if without_value else value.note,
        "sheet": value.sheet, "cell": value.cell,
    }


# ---- the web flow: hold, preview, confirm ------------------------------------------------

@dataclass
class PendingUpload:
    token: str
    sha256: str
    filename: str
    agency_slug: str
    period_text: str | None
    template_slug: str | None
    user_id: int | None
    held_at: float


def hold_upload(data: bytes, filename: str, *, agency_slug: str, user, period_text: str | None = None,
                template_slug: str | None = None) -> tuple[PendingUpload, ParsedReturn]:
    """Check an upload and keep it, and what was read from it, for the preview; nothing is
    stored in the database but the audit log's note of it."""
    from app.ingest import kept

    agency = _agency_for(agency_slug, user)
    catalogue = DatabaseCatalogue()
    parsed = _read_upload(data, filename, agency.slug, catalogue, period_text, template_slug)
    file_store().put(pending_key(f"{parsed.sha256}.xlsx"), data)
    pending = PendingUpload(secrets.token_urlsafe(18), parsed.sha256, filename[:255], parsed.agency_slug,
                            period_text or None, template_slug or None, getattr(user, "id", None), time.time())
    file_store().replace(_reading_file(pending), kept.keep(parsed, _reading_key(pending, catalogue)))
    _save_pending(pending)
    _checked_against_database(parsed, agency)
    with transaction():
        record("upload_previewed", user, None, filename=pending.filename, sha256=parsed.sha256,
               agency=parsed.agency_slug, template=parsed.template.slug if parsed.template else None,
               period=parsed.period.key if parsed.period else None, errors=len(parsed.errors),
               warnings=len(parsed.warnings))
    if parsed.errors and not parsed.choices:  # a near-tie is not refused: the officer chooses
        _record_rejection(parsed, user)
    return pending, parsed


def _reading_key(pending: PendingUpload, catalogue: DatabaseCatalogue) -> str:
    """What a held upload's reading depends on besides the database's checks: the file,
    what the uploader said, the safety limits, and the catalogue's templates and names."""
    from app.ingest import kept

    said = [kept.FORMAT, pending.sha256, pending.filename, pending.agency_slug, pending.period_text or "",
            pending.template_slug or "", repr(safety_limits()), catalogue.fingerprint()]
    return hashlib.sha256(json.dumps(said).encode()).hexdigest()


def _reading_file(pending: PendingUpload) -> str:
    """Where the reading of a held upload is kept: beside it, in the same store."""
    return pending_key(f"{pending.token}.read.json.gz")


def _held_reading(pending: PendingUpload, user) -> tuple[ParsedReturn, bytes | None]:
    """The held upload, read and checked as ``parse_upload`` would now: what was read from
    the file is taken from the reading kept beside it when that was made with the same
    templates, names and limits (else the file is read again, and that reading kept); the
    checks against the database (history, sign-off, indicators and areas) are made now.
    Also returns the file's bytes if they were fetched (else None)."""
    from app.ingest import kept

    agency = _agency_for(pending.agency_slug, user)
    catalogue = DatabaseCatalogue()
    key = _reading_key(pending, catalogue)
    parsed = data = None
    try:
        body = file_store().get(_reading_file(pending))
    except OSError:  # none (an upload held before readings were kept), or the folder unreadable: read the file
        body = None
    if body is not None:
        parsed = kept.restore(body, key, catalogue.version, safety_limits().max_figure)
    if parsed is None:
        data = _held_bytes(pending)
        parsed = _read_upload(data, pending.filename, agency.slug, catalogue, pending.period_text,
                              pending.template_slug)
        file_store().replace(_reading_file(pending), kept.keep(parsed, key))
    return _checked_against_database(parsed, agency), data


def _save_pending(pending: PendingUpload) -> None:
    file_store().replace(pending_key(f"{pending.token}.json"), json.dumps(asdict(pending)).encode())


def held_upload(token: str, user) -> PendingUpload:
    """The held upload's record, for the person who made it. Raises NotFound if there is none
    (or it is someone else's, or it is past ``UPLOAD_PENDING_HOURS``)."""
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        raise NotFound(token)
    try:
        pending = PendingUpload(**json.loads(file_store().get(pending_key(f"{token}.json"))))
    except (OSError, ValueError, TypeError):
        raise NotFound(token) from None
    if pending.user_id != getattr(user, "id", None):
        raise NotFound(token)
    if pending.held_at < time.time() - pending_hours() * 3600:  # `flask uploads prune` removes it
        raise NotFound(token)
    return pending


def _held_bytes(pending: PendingUpload) -> bytes:
    try:
        return file_store().get(pending_key(f"{pending.sha256}.xlsx"))
    except OSError:
        raise NotFound(pending.token) from None


def upload_choices(token: str, user) -> tuple[PendingUpload, list[TemplateChoice]]:
    """The templates the held upload could be, when two or more fit it about equally (else
    none: it was recognised, or chosen, or fits nothing)."""
    pending = held_upload(token, user)
    return pending, _held_reading(pending, user)[0].choices


def choose_upload_template(token: str, user, template_slug: str | None) -> PendingUpload:
    """Read the held upload with one of the templates it could be, as the officer chose."""
    pending = held_upload(token, user)
    choices = _held_reading(pending, user)[0].choices
    if template_slug not in {choice.slug for choice in choices}:
        raise ServiceError(field_errors={"template": ["Choose which of these returns the file is"]})
    chosen = replace(pending, template_slug=template_slug)
    _save_pending(chosen)
    _held_reading(chosen, user)  # read with the template chosen, and kept so for the preview
    with transaction():
        record("upload_template_chosen", user, None, filename=pending.filename, sha256=pending.sha256,
               agency=pending.agency_slug, template=template_slug, candidates=[c.slug for c in choices])
    return chosen


@dataclass
class Preview:
    pending: PendingUpload
    parsed: ParsedReturn
    shown: list[ParsedValue]  # the figures the page lists (the rest are counted)
    previous: dict[tuple[str, str, str], tuple[float | None, str]]  # figure key → last period's figure
    replaces: Submission | None = None  # the current submission confirming would supersede
    changes: list[store.Change] | None = None  # what confirming would change from it
    agency_name: str = ""  # what the page shows for the agency (its slug is for the machine)
    read: list[ReadRow] = field(default_factory=list)  # the "what we read" table: shown figures and failed cells

    def previous_for(self, value) -> tuple[float | None, str] | None:
        indicator, area, _ = value.key
        return self.previous.get((indicator, area, value.slot.period.previous().key))


def replaced_submission(parsed: ParsedReturn) -> Submission | None:
    """The current submission this upload would supersede (same agency, template, period)."""
    if parsed.template is None or parsed.period is None:
        return None
    agency = agencies_by_slug([parsed.agency_slug]).get(parsed.agency_slug)
    template_id = db.session.scalar(select(ReturnTemplate.id).where(ReturnTemplate.slug == parsed.template.slug))
    period_id = db.session.scalar(select(Period.id).where(Period.key == parsed.period.key))
    if agency is None or template_id is None or period_id is None:
        return None
    return store.current_submission(agency.id, template_id, period_id)


def upload_changes(parsed: ParsedReturn, replaced: Submission) -> list[store.Change]:
    """What storing this upload would change from the submission it replaces: figures and
    targets whose value or flag differ, added or removed (as ``store.changes_between``)."""
    read = [v for v in parsed.values + parsed.targets
            if v.area and v.measure in ("value", "target") and not (v.measure == "target" and v.value is None)]
    indicators = indicators_by_slug({v.indicator for v in read}) if read else {}
    areas = by_code({v.area for v in read}) if read else {}
    new = {}
    for v in read:
        indicator, area, period = indicators.get(v.indicator), areas.get(v.area), v.slot.period
        figure = store.StoredFigure(indicator.name if indicator else v.indicator, v.indicator,
                                    area.name if area else v.area, v.area, period.label, period.key, v.value,
                                    "actual" if v.measure == "target" else v.flag, v.note, v.sheet, v.cell,
                                    measure=v.measure)
        new[figure.key] = figure
    old = {f.key: f for f in store.submission_figures(replaced.id) + store.submission_targets(replaced.id)}
    changes = [store.Change("added", None, f) if k not in old else store.Change("changed", old[k], f)
               for k, f in new.items() if k not in old or (old[k].value, old[k].flag) != (f.value, f.flag)]
    return changes + [store.Change("removed", f, None) for k, f in old.items() if k not in new]


def preview_upload(token: str, user, rows: int) -> Preview:
    """The held upload, checked, with its first ``rows`` figures and last period's figure for
    each of those (only those: a 105,000-figure return lists 1,000), and what confirming it
    would replace and change."""
    from app.ingest.pipeline import read_rows

    pending = held_upload(token, user)
    parsed = _held_reading(pending, user)[0]
    shown = parsed.values[:rows]
    keys = {(v.row.spec.indicator, v.area, v.slot.period.previous().key) for v in shown if v.area}
    replaced = replaced_submission(parsed)
    changes = upload_changes(parsed, replaced) if replaced is not None and not parsed.errors else None
    agency = agencies_by_slug([pending.agency_slug]).get(pending.agency_slug)
    return Preview(pending, parsed, shown, store.current_figures_by_key(keys), replaced, changes,
                   agency.name if agency else pending.agency_slug, read_rows(parsed, shown))


def confirm_upload(token: str, user, comment: str | None) -> tuple[Submission, Submission | None]:
    """Store the held upload. Warnings must be confirmed with a comment."""
    pending = held_upload(token, user)
    with cycle_collection_paused():
        parsed, data = _held_reading(pending, user)
        if parsed.errors:
            raise ServiceError("This return has errors, so it cannot be stored. Correct them and upload it again.")
        if parsed.warnings and not (comment or "").strip():
            raise ServiceError(field_errors={"comment": [
                "Say why the figures the warnings point at are right: a comment is needed to submit a return with "
                "warnings."]})
        stored = commit_return(parsed, data if data is not None else _held_bytes(pending), user, comment)
    _forget(pending)
    return stored


def _forget(pending: PendingUpload) -> None:
    files = file_store()
    files.delete(pending_key(f"{pending.token}.json"))
    files.delete(_reading_file(pending))
    if pending.sha256 not in held_files_in_use(files):
        files.delete(pending_key(f"{pending.sha256}.xlsx"))


def name_from_upload(token: str, user, kind: str, alias: str, owner_id: int | None):
    """From a held upload's preview: treat a heading it did not know as another name of an
    area (indicator). Raises NotFound (no such upload held for this person), Forbidden or
    ServiceError (see ``add_alias``); the preview reads the upload again afterwards."""
    pending = held_upload(token, user)
    # Only a heading this upload did not know, as the preview offered it: the form's hidden
    # fields are not to be trusted to name one.
    # (A name the partnership already has is left to add_alias, which says whose it is.)
    offered = {(normalise_label(p.header), "area" if p.header_kind == "column" else "indicator")
               for p in _held_reading(pending, user)[0].warnings if p.header and p.header_kind}
    names = partnership_names()
    known = {normalise_label(n) for owned in (names.area_names() if kind == "area" else names.indicator_names()
                                              ).values() for n in owned}
    if (normalise_label(alias), kind) not in offered and normalise_label(alias) not in known:
        raise ServiceError(field_errors={"alias": [
            f"'{(alias or '').strip()}' is not a heading this return's template did not know, so it cannot be added "
            "from here: add other names on the area's or indicator's page."]})
    return add_alias(kind, alias, owner_id, user)


def annotated_upload(token: str, user) -> tuple[str, bytes]:
    """(file name, the held workbook with its problems marked on it)."""
    from app.export.annotate import CannotAnnotate, annotate_workbook  # openpyxl: only for this download

    pending = held_upload(token, user)
    parsed, data = _held_reading(pending, user)
    if not parsed.workbook_read:
        raise ServiceError("This file could not be read as a workbook, so it cannot be marked up: the upload page "
                           "says why.")
    try:
        body = annotate_workbook(data if data is not None else _held_bytes(pending), parsed.problems)
    except CannotAnnotate as error:
        raise ServiceError(str(error)) from error
    stem = Path(pending.filename).stem or "return"
    return f"{stem}-problems.xlsx", body


# ---- submissions ---------------------------------------------------------------------------

def list_submissions(user, limit: int = 500) -> list[Submission]:
    query = select(Submission).order_by(Submission.uploaded_at.desc(), Submission.id.desc()).limit(limit)
    allowed = visible_agency_ids(user)
    if allowed is not None:
        query = query.where(Submission.agency_id.in_(allowed))
    return list(db.session.scalars(query))


def submission_for(submission_id: int, user) -> Submission:
    """A submission the person may see. Raises NotFound or Forbidden."""
    submission = get_row(Submission, submission_id)
    if not may_see_submission(user, submission):
        raise Forbidden(submission_id)
    return submission


def original_file(submission_id: int, user) -> tuple[bytes, Submission]:
    """The bytes of the file a submission was stored from. Raises NotFound or Forbidden."""
    submission = submission_for(submission_id, user)
    if not may_download_original(user, submission):
        raise Forbidden(submission_id)
    if submission.source is not None:  # typed into the web form: there is no file
        raise NotFound(submission_id)
    try:
        return file_store().get(original_key(submission.sha256)), submission
    except FileNotFoundError:
        raise NotFound(submission_id) from None


@dataclass
class SubmissionView:
    """A submission's page: what was stored, who sent it, whether this person may have the file."""
    submission: Submission
    figures: list[store.StoredFigure]
    targets: list[store.StoredFigure]
    uploader: str
    may_download: bool


def submission_view(submission_id: int, user) -> SubmissionView:
    """Raises NotFound or Forbidden."""
    submission = submission_for(submission_id, user)
    return SubmissionView(submission, store.submission_figures(submission.id), store.submission_targets(submission.id),
                          uploader_name(submission),
                          submission.source is None and may_download_original(user, submission))


def submission_changes(submission_id: int, user) -> tuple[Submission, list[store.Change]]:
    """What a submission changed from the one it replaced. Raises NotFound (also when it
    replaced none) or Forbidden."""
    submission = submission_for(submission_id, user)
    if submission.supersedes_id is None:
        raise NotFound(submission_id)
    return submission, store.changes_between(submission.supersedes_id, submission.id)


def uploader_name(submission: Submission) -> str:
    if submission.api_token_id is not None:
        return f"the API token '{submission.api_token.name}'"
    user = db.session.get(User, submission.uploaded_by_id) if submission.uploaded_by_id else None
    return user.name if user else "the command line"
