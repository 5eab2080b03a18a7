"""Targets: what an admin sets, changes, retires and uploads, and what managers read.

Rules
-----
**One current target per indicator × area × period, and a history.** Setting a target
(typed, or a row of an uploaded CSV) stores a new row and marks the current one not
current: nothing is overwritten, so the history shows every value with who set it and
when ("entered by", "uploaded by … from <file>, row N", or "read from <file>, <sheet>!<cell>"
for a target that came in a return). Retiring leaves the key with no current target,
recording who retired it and when.

**Tolerance** is a target's own amber band: short of it by at most that much is Amber,
measured as the indicator's bands are (per cent of the target, or in its unit); without
one the indicator's amber band applies (``app.indicators.rag.with_tolerance``: the rule is
the engine's, used by the dashboard and the workbook alike).

**Signed-off periods are final**: a target for a period that is signed off (or inside one)
cannot be set or retired until an admin unlocks it, as for ratings and imports.

**An upload is stored whole or not at all**: every row is checked first, and every problem
is named with its row number in a sentence; one problem and nothing is stored.

Each use case is one transaction and is audited (``target_set``, ``target_retired``,
``targets_uploaded``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.definition import normalise_label
from app.errors import Forbidden
from app.extensions import db
from app.models import Area, Indicator, Period, Target, TARGET_IS_CURRENT
from app.models.base import utcnow
from app.periods import PeriodError, PeriodSpec
from app.policy import may_manage_targets
from app.services import ServiceError, transaction
from app.services.results import results_changed
from app.services.audit import record
from app.services.dashboard import parse_dashboard_period
from app.services.peer_figures import read_table
from app.services.sign_off import editable_period, lock_message
from app.store.reference import period_row
from app.store.rows import get_row
from app.vocabulary import MAX_FIGURE

# The columns of an upload, by their heading (compared as labels are: case and spacing
# do not matter). The first four are required.
CSV_COLUMNS = {"indicator": "Indicator", "area": "Area", "period": "Period", "target": "Target",
               "tolerance": "Tolerance", "note": "Note"}
REQUIRED_COLUMNS = ("indicator", "area", "period", "target")
MAX_CSV_ROWS = 10_000
# A target or tolerance nearer zero than this (but not zero) is a slip, not a figure.
SMALLEST_FIGURE = 1e-9
NOTE_LENGTH = 2000


# ---- reading -----------------------------------------------------------------------------------


def _with_names(query):
    return query.options(selectinload(Target.indicator), selectinload(Target.area), selectinload(Target.period),
                         selectinload(Target.entered_by), selectinload(Target.retired_by),
                         selectinload(Target.submission))


def current_targets(indicator_id: int | None = None, area_id: int | None = None,
                    period_id: int | None = None) -> list[Target]:
    """Current targets, optionally of one indicator, area and period, in the dashboard's
    order: indicator, area, then period (latest last)."""
    query = (select(Target).join(Indicator, Target.indicator_id == Indicator.id)
             .join(Area, Target.area_id == Area.id).join(Period, Target.period_id == Period.id)
             .where(TARGET_IS_CURRENT))
    for column, wanted in ((Target.indicator_id, indicator_id), (Target.area_id, area_id),
                           (Target.period_id, period_id)):
        if wanted is not None:
            query = query.where(column == wanted)
    query = query.order_by(Indicator.sort_order, Indicator.name, Area.sort_order, Area.name, Period.end_date,
                           Period.start_date)
    return list(db.session.scalars(_with_names(query)))


def target_periods() -> list[Period]:
    """The periods that have (or had) a target, latest first: the list's period filter."""
    query = (select(Period).where(Period.id.in_(select(Target.period_id)))
             .order_by(Period.end_date.desc(), Period.start_date))
    return list(db.session.scalars(query))


def get_target(target_id: int) -> Target:
    """One target row (current or not), or NotFound."""
    return get_row(Target, target_id, "There is no such target.")


@dataclass
class TargetHistory:
    """Every target an indicator × area × period has had, newest first; ``current`` is
    the one in force (None once retired)."""

    indicator: Indicator
    area: Area
    period: Period
    rows: list[Target] = field(default_factory=list)

    @property
    def current(self) -> Target | None:
        return next((row for row in self.rows if row.is_current), None)


def target_history(target_id: int) -> TargetHistory:
    """The history of the indicator × area × period that ``target_id`` is a target for."""
    target = get_target(target_id)
    query = (select(Target).where(Target.indicator_id == target.indicator_id, Target.area_id == target.area_id,
                                  Target.period_id == target.period_id)
             .order_by(Target.created_at.desc().nulls_last(), Target.id.desc()))
    return TargetHistory(target.indicator, target.area, target.period, list(db.session.scalars(_with_names(query))))


def provenance(target: Target) -> str:
    """Where a target came from, in a sentence's words: "entered by Ann Admin",
    "uploaded by Ann Admin from targets.csv, row 3", "read from return.xlsx, Appendix 2!L6"."""
    if target.submission is not None:
        where = f", {target.sheet}!{target.cell}" if target.sheet and target.cell else ""
        return f"read from {target.submission.filename}{where} (submission {target.submission.id})"
    who = target.entered_by.name if target.entered_by is not None else None
    if target.source and who:
        return f"uploaded by {who} from {target.source}"
    if who:
        return f"entered by {who}"
    if target.source:
        return f"loaded from {target.source}"
    return "stored before targets recorded who set them"


def retirement(target: Target) -> str | None:
    """"Retired by Ann Admin on 7 December 2026", for a retired target."""
    if target.retired_at is None:
        return None
    who = target.retired_by.name if target.retired_by is not None else "an administrator"
    return f"Retired by {who} on {target.retired_at:%d %B %Y} at {target.retired_at:%H:%M}"


# ---- checking what was typed or uploaded ---------------------------------------------------------


def _bound(indicator: Indicator) -> float:
    return MAX_FIGURE["percent"] if indicator.unit == "percent" else MAX_FIGURE["decimal"]


def _number(text, what: str, indicator: Indicator | None, allow_negative: bool) -> tuple[float | None, str | None]:
    """(number, None), or (None, a sentence saying what is wrong with it)."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None, None
    raw = str(text).strip()
    cleaned = raw.replace(",", "").rstrip("%").strip() if isinstance(text, str) else raw
    try:
        value = float(cleaned)
    except ValueError:
        return None, f"the {what} '{raw}' is not a number"
    if math.isnan(value) or math.isinf(value):
        return None, f"the {what} '{raw}' is not a number"
    if 0 < abs(value) < SMALLEST_FIGURE:
        return None, f"the {what} {raw} is too close to zero to be a figure: enter 0 or a larger number"
    if not allow_negative and value < 0:
        return None, f"the {what} cannot be negative (it is {raw})"
    bound = _bound(indicator) if indicator is not None else MAX_FIGURE["decimal"]
    if abs(value) > bound:
        return None, f"the {what} {raw} is larger than any figure for this indicator can be ({bound:,.0f})"
    return value, None


def _period(text: str) -> tuple[PeriodSpec | None, str | None]:
    try:
        return parse_dashboard_period(text), None
    except ServiceError as error:
        return None, "; ".join(m for ms in error.field_errors.values() for m in ms) or str(error)
    except PeriodError as error:  # pragma: no cover - parse_dashboard_period turns these into ServiceErrors
        return None, str(error)


@dataclass
class TargetEntry:
    """One target to store, checked: ids, the period and the figures."""

    indicator: Indicator
    area: Area
    period: PeriodSpec
    value: float
    tolerance: float | None
    note: str | None
    source: str | None = None  # "targets.csv, row 3" for an upload


def _check_entry(indicator: Indicator | None, area: Area | None, period_text, value, tolerance,
                 note) -> tuple[dict[str, str], TargetEntry | None]:
    """Problems by field (indicator, area, period, value, tolerance, note), or the entry."""
    problems: dict[str, str] = {}
    if indicator is None:
        problems["indicator"] = "choose the indicator the target is for"
    if area is None:
        problems["area"] = "choose the area the target is for"
    spec, period_problem = _period(period_text or "") if (period_text or "").strip() else (None, None)
    if not (period_text or "").strip():
        problems["period"] = "enter the period the target is for, for example 2015/16 or 2015/16 Q4"
    elif period_problem:
        problems["period"] = period_problem.rstrip(".")
    number, value_problem = _number(value, "target", indicator, allow_negative=True)
    if value_problem:
        problems["value"] = value_problem
    elif number is None:
        problems["value"] = "enter the target as a number, for example 95 or 3.5"
    band, tolerance_problem = _number(tolerance, "tolerance", indicator, allow_negative=False)
    if tolerance_problem:
        problems["tolerance"] = tolerance_problem
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_LENGTH:
        problems["note"] = f"the note is too long: use {NOTE_LENGTH:,} characters or fewer"
    if problems:
        return problems, None
    return {}, TargetEntry(indicator, area, spec, number, band, note)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _refuse_unless_admin(user) -> None:
    if user is not None and not may_manage_targets(user):
        raise Forbidden("Only an administrator may change targets.")


# ---- storing -------------------------------------------------------------------------------------


def _store(entry: TargetEntry, period: Period, user, source: str | None = None) -> tuple[Target, Target | None]:
    """The new current target for the entry's key, and the one it supersedes (flush only)."""
    old = db.session.scalar(select(Target).where(
        Target.indicator_id == entry.indicator.id, Target.area_id == entry.area.id, Target.period_id == period.id,
        TARGET_IS_CURRENT))
    if old is not None:
        old.is_current = False
        db.session.flush()  # the partial unique index allows one current row at a time
    target = Target(indicator_id=entry.indicator.id, area_id=entry.area.id, period_id=period.id, value=entry.value,
                    tolerance=entry.tolerance, note=entry.note, entered_by_id=getattr(user, "id", None),
                    source=source, is_current=True, created_at=utcnow())
    db.session.add(target)
    db.session.flush()
    return target, old


def _audit_detail(entry: TargetEntry, period: Period, old: Target | None) -> dict:
    return dict(indicator=entry.indicator.slug, area=entry.area.code, period=period.key, value=entry.value,
                tolerance=entry.tolerance, replaced_value=old.value if old else None,
                replaced_tolerance=old.tolerance if old else None)


def set_target(indicator_id: int | None, area_id: int | None, period_text, value, tolerance, note,
               user) -> tuple[Target, Target | None]:
    """Set the target for indicator × area × period (a new one, or a change of the current
    one, which stays as history). Returns (the target, the one it replaced or None)."""
    _refuse_unless_admin(user)
    indicator = db.session.get(Indicator, indicator_id) if indicator_id else None
    area = db.session.get(Area, area_id) if area_id else None
    problems, entry = _check_entry(indicator, area, period_text, value, tolerance, note)
    if problems:
        fields = {"indicator": "indicator_id", "area": "area_id"}  # the form's names for the choices
        raise ServiceError(field_errors={fields.get(name, name): [_sentence(text)] for name, text in problems.items()})
    with transaction("Someone changed this target at the same moment; look at its history and try again."):
        period = editable_period(entry.period)
        target, old = _store(entry, period, user)
        record("target_set", user, target, **_audit_detail(entry, period, old))
        results_changed({target.indicator_id}, {target.period_id}, {target.area_id})
    return target, old


def retire_target(target_id: int, user) -> Target:
    """Retire the current target: its indicator × area × period has none from now on (the
    target stays in the history). Audited."""
    _refuse_unless_admin(user)
    target = get_target(target_id)
    if not target.is_current:
        raise ServiceError("This target is no longer in force (it was changed or retired), so there is nothing "
                           "to retire.")
    with transaction():
        message = lock_message(target.period)
        if message:
            raise ServiceError(message)
        target.is_current, target.retired_at, target.retired_by_id = False, utcnow(), user.id if user else None
        db.session.flush()
        record("target_retired", user, target, indicator=target.indicator.slug, area=target.area.code,
               period=target.period.key, value=target.value, tolerance=target.tolerance)
        results_changed({target.indicator_id}, {target.period_id}, {target.area_id})
    return target


# ---- uploading many at once ----------------------------------------------------------------------


def _name_index(model, alias_attribute: str, key_attribute: str) -> dict[str, object]:
    """Compared form of every name, other name and code (short name) → row."""
    found: dict[str, object] = {}
    for row in db.session.scalars(select(model).options(selectinload(getattr(model, alias_attribute)))):
        for name in (row.name, *row.aliases, getattr(row, key_attribute)):
            found.setdefault(normalise_label(name), row)
    return found


def _table(data: bytes, filename: str) -> list[list[str]]:
    """The file's rows of cell texts: a CSV file, or the first sheet of a workbook, read as
    peer figures are (``peer_figures.read_table``: one reader of an admin's upload)."""
    from app.ingest.normalise import cell_text

    try:
        table = read_table(data, filename)
    except ServiceError as error:
        raise ServiceError(field_errors={"file": [error.message or str(error)]}) from error
    return [[cell_text(cell) for cell in row] for row in table]


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    wanted = {normalise_label(label): key for key, label in CSV_COLUMNS.items()}
    positions: dict[str, int] = {}
    for index, heading in enumerate(header):
        key = wanted.get(normalise_label(heading))
        if key is not None and key not in positions:
            positions[key] = index
    missing = [CSV_COLUMNS[key] for key in REQUIRED_COLUMNS if key not in positions]
    problems = []
    if missing:
        problems.append(
            f"Row 1 must hold the column headings {', '.join(CSV_COLUMNS[k] for k in REQUIRED_COLUMNS)} (and "
            f"optionally Tolerance and Note); {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing.")
    return positions, problems


CONTROL = {chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), 127]}


def read_target_rows(data: bytes, filename: str) -> list[TargetEntry]:
    """The targets of an uploaded CSV file or workbook, each checked; a ServiceError naming every bad row
    (by its row number in the file, headings being row 1) if any is wrong."""
    rows = _table(data, filename)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ServiceError(field_errors={"file": [
            "The file is empty: row 1 must hold the column headings Indicator, Area, Period and Target."]})
    positions, problems = _columns(rows[0])
    if problems:
        raise ServiceError(field_errors={"file": problems})
    body = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(cell.strip() for cell in row)]
    if not body:
        raise ServiceError(field_errors={"file": ["The file has headings but no targets below them."]})
    if len(body) > MAX_CSV_ROWS:
        raise ServiceError(field_errors={"file": [
            f"The file has {len(body):,} targets; upload at most {MAX_CSV_ROWS:,} at a time."]})
    indicators = _name_index(Indicator, "alias_rows", "slug")
    areas = _name_index(Area, "alias_rows", "code")
    entries: list[TargetEntry] = []
    problems = []
    seen: dict[tuple, int] = {}
    for number, row in body:
        cells = {key: (row[index].strip() if index < len(row) else "") for key, index in positions.items()}
        if any(ch in CONTROL for text in cells.values() for ch in text):
            problems.append(f"Row {number}: a cell holds a control character (such as NUL) that cannot be stored; "
                            "type it again rather than pasting it.")
            continue
        indicator = indicators.get(normalise_label(cells["indicator"])) if cells["indicator"] else None
        area = areas.get(normalise_label(cells["area"])) if cells["area"] else None
        found, entry = _check_entry(indicator, area, cells["period"], cells["target"], cells.get("tolerance"),
                                    cells.get("note"))
        if cells["indicator"] and indicator is None:
            found["indicator"] = f"there is no indicator called '{cells['indicator']}'"
        elif not cells["indicator"]:
            found["indicator"] = "the Indicator cell is empty"
        if cells["area"] and area is None:
            found["area"] = f"there is no area called '{cells['area']}'"
        elif not cells["area"]:
            found["area"] = "the Area cell is empty"
        if "value" in found and not cells["target"]:
            found["value"] = "the Target cell is empty"
        if found:
            problems.append(f"Row {number}: " + "; ".join(found[k] for k in
                                                          ("indicator", "area", "period", "value", "tolerance", "note")
                                                          if k in found) + ".")
            continue
        key = (entry.indicator.id, entry.area.id, entry.period.key)
        if key in seen:
            problems.append(f"Row {number}: row {seen[key]} already sets the target of {entry.indicator.name} for "
                            f"{entry.area.name}, {entry.period.label}; keep one of the two.")
            continue
        seen[key] = number
        entry.source = f"{filename}, row {number}"
        entries.append(entry)
    if problems:
        raise ServiceError(field_errors={"file": problems})
    return entries


def upload_targets(data: bytes, filename: str, user) -> int:
    """Store every target of an uploaded CSV (or none of them): each supersedes the current
    target of its indicator × area × period. Returns how many were stored; audited."""
    _refuse_unless_admin(user)
    filename = (filename or "targets.csv").replace("\\", "/").rsplit("/", 1)[-1][:200] or "targets.csv"
    entries = read_target_rows(data, filename)
    with transaction("Someone changed these targets at the same moment; upload the file again."):
        periods = {e.period.key: period_row(e.period) for e in entries}
        locked = []
        for entry in entries:
            message = lock_message(periods[entry.period.key])
            if message:
                locked.append(f"{entry.source.split(', ', 1)[1].capitalize()}: {message}")
        if locked:
            raise ServiceError(field_errors={"file": locked})
        replaced = 0
        stored = []
        for entry in entries:
            target, old = _store(entry, periods[entry.period.key], user, source=entry.source)
            replaced += old is not None
            stored.append(target)
        results_changed({t.indicator_id for t in stored}, {t.period_id for t in stored}, {t.area_id for t in stored})
        record("targets_uploaded", user, None, file=filename, stored=len(entries), replaced=replaced)
    return len(entries)
