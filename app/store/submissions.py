"""Submissions and the figures they bring. Functions here flush; the import service commits.

The figures of a return go in with one ``executemany`` of plain tuples on the session's
own connection (so inside its transaction): building a dict or an ORM object for each of
100,000 figures would cost more than the database does.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, text, tuple_, update

from app.extensions import db
from app.models import (
    DATA_VALUE_IS_CURRENT, TARGET_IS_CURRENT, Area, DataValue, Indicator, Period, PeriodSignOff, Submission, Target,
)
from app.periods import month_index
from app.store.rows import insert_tuples

# The outlier check's history types come from the ingest pipeline, imported when history is
# read, not with the app (issue 16).
if TYPE_CHECKING:
    from app.ingest.validate import History, HistoryWanted

VALUE_COLUMNS = ("indicator_id", "area_id", "period_id", "value", "flag", "note", "source", "agency_id",
                 "submission_id", "sheet", "cell", "is_current", "created_at")
CHUNK = 500  # keys per IN (...) list
# "is_current" written as the partial index uq_data_value_current's own condition: SQLite
# uses a partial index only for a query that says the same ("is_current = 1" does not).
CURRENT = text(f"{DataValue.__tablename__}.is_current")


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def ids_by(column, keys: Iterable[str]) -> dict[str, int]:
    """Natural key → id for the rows of ``column``'s table whose key is in ``keys``
    (e.g. ``ids_by(Indicator.slug, slugs)``), without loading whole objects."""
    table_id = column.table.c.id
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(set(keys))):
        found.update((key, id_) for key, id_ in db.session.execute(select(column, table_id).where(column.in_(chunk))))
    return found


def locking_sign_off(period_id: int) -> PeriodSignOff | None:
    """The locked sign-off of this period or of a period containing it (a quarter of a
    signed-off year is locked too), latest-ending first."""
    inner = db.session.get(Period, period_id)
    if inner is None:
        return None
    query = (select(PeriodSignOff).join(Period, PeriodSignOff.period_id == Period.id)
             .where(PeriodSignOff.locked.is_(True), Period.start_date <= inner.start_date,
                    Period.end_date >= inner.end_date)
             .order_by(Period.end_date.desc()))
    return db.session.scalars(query).first()


def period_signed_off(period_id: int) -> bool:
    return locking_sign_off(period_id) is not None


def current_submission(agency_id: int, template_id: int, period_id: int) -> Submission | None:
    return db.session.scalar(select(Submission).where(
        Submission.agency_id == agency_id, Submission.template_id == template_id, Submission.period_id == period_id,
        Submission.status == "current"))


def add_submission(**attributes) -> Submission:
    submission = Submission(**attributes)
    db.session.add(submission)
    db.session.flush()
    return submission


def retire(submission: Submission) -> int:
    """Mark a submission superseded and its figures and targets no longer current; returns
    how many figures that was."""
    submission.status = "superseded"
    db.session.flush()
    db.session.execute(update(Target).where(
        Target.submission_id == submission.id, TARGET_IS_CURRENT).values(is_current=False))
    result = db.session.execute(update(DataValue).where(
        DataValue.submission_id == submission.id, DATA_VALUE_IS_CURRENT).values(is_current=False))
    return result.rowcount


def submission_keys(submission_id: int) -> set[tuple[int, int, int]]:
    """(indicator id, area id, period id) of every figure and target a submission brought."""
    found = set()
    for model in (DataValue, Target):
        found |= set(db.session.execute(select(model.indicator_id, model.area_id, model.period_id)
                                        .where(model.submission_id == submission_id).distinct()).all())
    return found


def release_current(rows: list[tuple]) -> int:
    """Figures from elsewhere (another upload, the demo load) that are current for the same
    indicator, area and period as ``rows`` (tuples starting with those three ids): no
    longer current, so the new ones can be."""
    if not rows:
        return 0
    periods = sorted({row[2] for row in rows})
    indicators = sorted({row[0] for row in rows})
    # Bounded by area too: beside many other partnerships' areas, the same indicator and
    # period would otherwise read everyone's figures.
    areas = sorted({row[1] for row in rows})
    found = []
    for chunk in _chunks(indicators):
        found += db.session.execute(select(DataValue.id, DataValue.indicator_id, DataValue.area_id, DataValue.period_id)
                                    .where(DATA_VALUE_IS_CURRENT, DataValue.period_id.in_(periods),
                                           DataValue.indicator_id.in_(chunk), DataValue.area_id.in_(areas))).all()
    if not found:
        return 0
    keys = {row[:3] for row in rows}
    ids = [row.id for row in found if (row.indicator_id, row.area_id, row.period_id) in keys]
    for chunk in _chunks(ids):
        db.session.execute(update(DataValue).where(DataValue.id.in_(chunk)).values(is_current=False))
    return len(ids)


def value_row_constants(created_at: datetime) -> tuple:
    """``is_current`` and ``created_at`` as this database's driver takes them (the column
    types' own conversions, worked out once rather than for every figure)."""
    dialect = db.session.get_bind().dialect
    converted = []
    for column, value in (("is_current", True), ("created_at", created_at)):
        processor = DataValue.__table__.c[column].type.dialect_impl(dialect).bind_processor(dialect)
        converted.append(processor(value) if processor else value)
    return tuple(converted)


def insert_values(rows: list[tuple]) -> int:
    """Insert figures given as tuples in ``VALUE_COLUMNS`` order (``is_current`` and
    ``created_at`` from ``value_row_constants``), in the session's transaction."""
    return insert_tuples(DataValue.__table__, VALUE_COLUMNS, rows)


@dataclass(frozen=True)
class TargetRead:
    """A target read from a return, by the ids it is stored under, and where it was."""
    indicator_id: int
    area_id: int
    period_id: int
    value: float
    note: str | None
    sheet: str
    cell: str

    @property
    def key(self) -> tuple[int, int, int]:
        return self.indicator_id, self.area_id, self.period_id


def add_targets(targets: Iterable[TargetRead], submission_id: int, created_at: datetime) -> int:
    """Store a submission's targets with their sheet and cell. The target current before for
    the same indicator, area and period (from an earlier return, an administrator or the
    demo) is kept, no longer current. A return has a handful of targets, so plain ORM
    rows will do."""
    wanted = {target.key: target for target in targets}  # a key read twice: the later cell
    if not wanted:
        return 0
    current_ids = []
    for chunk in _chunks(list(wanted)):
        current_ids += db.session.scalars(select(Target.id).where(
            TARGET_IS_CURRENT, tuple_(Target.indicator_id, Target.area_id, Target.period_id).in_(chunk)))
    for chunk in _chunks(current_ids):
        db.session.execute(update(Target).where(Target.id.in_(chunk)).values(is_current=False))
    db.session.add_all(Target(indicator_id=t.indicator_id, area_id=t.area_id, period_id=t.period_id, value=t.value,
                              note=t.note, submission_id=submission_id, sheet=t.sheet, cell=t.cell, is_current=True,
                              created_at=created_at)
                       for t in wanted.values())
    db.session.flush()
    return len(wanted)


def agency_history(agency_id: int, wanted: HistoryWanted) -> History:
    """The agency's current figures (with a value) that the outlier check reads, by
    (indicator, area): of the periods of each length it checks, the last ``depth`` before
    each start; older ones only for an (indicator, area) with fewer than ``depth`` figures
    in those (a gap, or a new indicator). So an import reads as much history at its 40th
    quarter as at its 5th."""
    first_start = max(start for _, start in wanted.windows)
    periods = {id_: (start, end, month_index(end) - month_index(start) + 1) for id_, start, end in db.session.execute(
        select(Period.id, Period.start_date, Period.end_date).where(Period.end_date < first_start))}
    recent, older = set(), set()
    for months, start in wanted.windows:
        before = sorted((p for p, (_, end, m) in periods.items() if m == months and end < start),
                        key=lambda p: periods[p][1], reverse=True)
        recent.update(before[:wanted.depth])
        older.update(before[wanted.depth:])
    older -= recent
    history: History = {}
    _add_history(history, agency_id, wanted.indicators, wanted.areas, None, recent, periods)
    if older:
        short = {key for key in wanted.checked_keys() if len(history.get(key, ())) < wanted.depth * len(wanted.windows)}
        _add_history(history, agency_id, {indicator for indicator, _ in short}, {area for _, area in short}, short,
                     older, periods, by_agency=True)
    return history


def _add_history(history: History, agency_id: int, indicators: Iterable[str], areas: Iterable[str], keys: set | None,
                 period_ids: set[int], periods: dict[int, tuple[date, date, int]], by_agency: bool = False) -> None:
    """Add the agency's figures for ``indicators`` × ``areas`` (only ``keys`` of them, if
    given) in ``period_ids``: looked up by indicator, area and period (a few recent periods),
    or ``by_agency`` (gaps over many older periods: an agency new to an indicator has no
    figures there, and its own index says so at once)."""
    from app.ingest.validate import HistoryPoint

    if not indicators or not period_ids:
        return
    slugs = {id_: slug for slug, id_ in ids_by(Indicator.slug, indicators).items()}
    codes = {id_: code for code, id_ in ids_by(Area.code, areas).items()}
    connection = db.session.connection()  # Core, ids only: tens of thousands of rows at a 40th quarter
    # Indicator, area and period all named, so the current-figure index finds just these
    # periods' rows, however many quarters the agency has stored before them ("agency_id + 0":
    # SQLite would otherwise walk the agency index over every figure the agency ever sent).
    for chunk in _chunks(sorted(slugs)):
        rows = connection.execute(
            select(DataValue.indicator_id, DataValue.area_id, DataValue.period_id, DataValue.value)
            .where(CURRENT, DataValue.indicator_id.in_(chunk), DataValue.area_id.in_(codes),
                   DataValue.period_id.in_(period_ids),
                   (DataValue.agency_id if by_agency else DataValue.agency_id + 0) == agency_id,
                   DataValue.value.is_not(None))).all()
        for indicator_id, area_id, period_id, value in rows:
            key = (slugs[indicator_id], codes[area_id])
            if keys is None or key in keys:
                history.setdefault(key, []).append(HistoryPoint(*periods[period_id], value))


def current_figures_by_key(
    keys: Iterable[tuple[str, str, str]],
) -> dict[tuple[str, str, str], tuple[float | None, str]]:
    """(indicator slug, area code, period key) → (value, flag) of the current figure."""
    found = {}
    for chunk in _chunks(list(set(keys))):
        rows = db.session.execute(
            select(Indicator.slug, Area.code, Period.key, DataValue.value, DataValue.flag)
            .join(Indicator, DataValue.indicator_id == Indicator.id).join(Area, DataValue.area_id == Area.id)
            .join(Period, DataValue.period_id == Period.id)
            .where(DATA_VALUE_IS_CURRENT, tuple_(Indicator.slug, Area.code, Period.key).in_(chunk)))
        found.update({(slug, code, key): (value, flag) for slug, code, key, value, flag in rows})
    return found


@dataclass(frozen=True)
class StoredFigure:
    indicator: str  # name
    indicator_slug: str
    area: str  # name
    area_code: str
    period: str  # label
    period_key: str
    value: float | None
    flag: str
    note: str | None
    sheet: str | None
    cell: str | None
    measure: str = "value"  # or "target"

    @property
    def key(self) -> tuple[str, str, str, str]:
        return self.measure, self.indicator_slug, self.area_code, self.period_key


def submission_figures(submission_id: int) -> list[StoredFigure]:
    """The figures a submission brought, in the order of its sheets' cells."""
    rows = db.session.execute(
        select(Indicator.name, Indicator.slug, Area.name, Area.code, Period.label, Period.key, DataValue.value,
               DataValue.flag, DataValue.note, DataValue.sheet, DataValue.cell)
        .join(Indicator, DataValue.indicator_id == Indicator.id).join(Area, DataValue.area_id == Area.id)
        .join(Period, DataValue.period_id == Period.id)
        .where(DataValue.submission_id == submission_id).order_by(DataValue.id))
    return [StoredFigure(*row) for row in rows]


def submission_targets(submission_id: int) -> list[StoredFigure]:
    """The targets a submission brought, in the order they were read."""
    rows = db.session.execute(
        select(Indicator.name, Indicator.slug, Area.name, Area.code, Period.label, Period.key, Target.value,
               Target.note, Target.sheet, Target.cell)
        .join(Indicator, Target.indicator_id == Indicator.id).join(Area, Target.area_id == Area.id)
        .join(Period, Target.period_id == Period.id)
        .where(Target.submission_id == submission_id).order_by(Target.id))
    return [StoredFigure(*row[:7], "actual", *row[7:], measure="target") for row in rows]


@dataclass(frozen=True)
class Change:
    kind: str  # changed | added | removed
    old: StoredFigure | None
    new: StoredFigure | None

    @property
    def figure(self) -> StoredFigure:
        return self.new or self.old


def changes_between(old_id: int, new_id: int) -> list[Change]:
    """What a resubmission changed: figures and targets whose value or flag differ, and
    those added or removed, by indicator, area and period."""
    old = {f.key: f for f in submission_figures(old_id) + submission_targets(old_id)}
    new = {f.key: f for f in submission_figures(new_id) + submission_targets(new_id)}
    changes = []
    for key, figure in new.items():
        before = old.get(key)
        if before is None:
            changes.append(Change("added", None, figure))
        elif (before.value, before.flag) != (figure.value, figure.flag):
            changes.append(Change("changed", before, figure))
    changes += [Change("removed", figure, None) for key, figure in old.items() if key not in new]
    return changes
