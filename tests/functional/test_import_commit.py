"""Storing a return is all or nothing: a failure half-way leaves the database and the
uploads folder exactly as they were, and two uploads racing for the same agency, template
and period cannot both become current."""
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.definition import expand_fields
from app.export.blank_return import field_cells
from app.extensions import db
from app.models import Area, AuditEvent, DataValue, Indicator, Period, Submission, Target
from app.periods import parse_period
from app.services import ServiceError
from app.services.returns import RACE_MESSAGE, import_return
from app.services.return_templates import definition_of, template_by_slug
from app.store import submissions as store
from tests.conftest import DEMO_SUBMISSIONS
from tests.unit.ingest.returns import LWA, SEED_PERIOD, blank, edit, filled


def snapshot(app) -> tuple[dict, dict]:
    """Every row of the tables an import writes, and every file in the uploads folder."""
    db.session.rollback()
    tables = {}
    for model in (Submission, DataValue, Target, Period, AuditEvent):
        rows = db.session.execute(select(model.__table__).order_by(model.__table__.c.id)).all()
        tables[model.__tablename__] = [tuple(row) for row in rows]
    folder = Path(app.config["UPLOAD_FOLDER"])
    files = (
        {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
        if folder.exists()
        else {}
    )
    return tables, files


@pytest.mark.parametrize("resubmission", [False, True], ids=["first", "resubmission"])
def test_a_failure_mid_commit_leaves_nothing_behind(app, demo, monkeypatch, resubmission):
    if resubmission:
        assert import_return(filled(), "first.xlsx", agency_slug=LWA).submission.id == DEMO_SUBMISSIONS + 1
    before = snapshot(app)
    real_insert = store.insert_values
    inserted = []

    def insert_half_then_fail(rows):
        inserted.append(real_insert(rows[: len(rows) // 2]))
        raise RuntimeError("the disk filled up")

    monkeypatch.setattr(store, "insert_values", insert_half_then_fail)
    with pytest.raises(RuntimeError, match="the disk filled up"):
        import_return(filled({"C6": 40, "J6": 735}), "second.xlsx", agency_slug=LWA)
    assert inserted == [31]  # some figures really were written before the failure
    after = snapshot(app)
    assert after[0] == before[0]
    assert after[1] == before[1]


def test_a_failure_writing_the_submission_removes_the_new_file(app, demo, monkeypatch):
    before = snapshot(app)

    def fail(**attributes):
        raise RuntimeError("no more ids")

    monkeypatch.setattr(store, "add_submission", fail)
    with pytest.raises(RuntimeError):
        import_return(filled(), "a.xlsx", agency_slug=LWA)
    assert snapshot(app) == before


def test_the_same_file_twice_is_one_stored_file(app, demo):
    data = filled()
    first = import_return(data, "a.xlsx", agency_slug=LWA).submission
    second = import_return(data, "copy of a.xlsx", agency_slug=LWA).submission
    assert first.sha256 == second.sha256
    assert [p.name for p in Path(app.config["UPLOAD_FOLDER"]).iterdir()] == [f"{first.sha256}.xlsx"]


def test_two_uploads_racing_for_the_same_period_cannot_both_be_current(app, demo, monkeypatch):
    import_return(filled(), "first.xlsx", agency_slug=LWA)
    both_looked = threading.Barrier(2)
    real_current = store.current_submission

    def look_then_wait(*args):
        found = real_current(*args)
        both_looked.wait(timeout=30)  # both see the same current submission before either stores
        return found

    monkeypatch.setattr(store, "current_submission", look_then_wait)
    results: dict[str, object] = {}

    def upload(name: str, data: bytes):
        with app.app_context():
            try:
                results[name] = import_return(data, f"{name}.xlsx", agency_slug=LWA).submission.id
            except ServiceError as error:
                results[name] = error.message
            finally:
                db.session.remove()

    threads = [threading.Thread(target=upload, args=(name, filled({"C6": c6, "J6": 695 + c6})))
               for name, c6 in (("a", 40), ("b", 41))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    winners = [name for name, result in results.items() if isinstance(result, int)]
    assert len(winners) == 1, results
    loser = "b" if winners == ["a"] else "a"
    assert results[loser] == RACE_MESSAGE
    db.session.rollback()
    current = db.session.scalars(select(Submission).where(Submission.status == "current",
                                                          Submission.template.has(slug="appendix-2-da-sv-outputs"))).all()
    assert [s.id for s in current] == [results[winners[0]]]
    # The demo's three (its Appendix 2 superseded by the first), the first and the winner.
    assert db.session.scalar(select(func.count()).select_from(Submission)) == DEMO_SUBMISSIONS + 2
    blaby = db.session.scalar(select(DataValue.value).where(DataValue.is_current.is_(True),
                                                            DataValue.sheet == "Appendix 2", DataValue.cell == "C6"))
    assert blaby == {"a": 40, "b": 41}[winners[0]]


@pytest.mark.parametrize("slug, period, agency", [
    ("cambridgeshire-da-quarterly", "2016/17 Q3", "cambridgeshire-idva"),
    ("table-2-da-sv-outcomes", SEED_PERIOD, LWA),
    ("dhr-budget-return", "2016/17", "leicestershire-county-council"),
])
def test_every_stored_figure_is_the_one_read_from_its_cell(app, demo, slug, period, agency):
    """Indicator, area, period, value, flag, note, sheet and cell of each stored row equal
    what the pipeline read, for returns whose areas come from rows, columns or the sheet,
    whose periods come from columns, and with notes."""
    defn = definition_of(template_by_slug(slug).published_version)
    positions = field_cells(defn, expand_fields(defn, parse_period(period)))
    typed = {}
    for number, f in enumerate(expand_fields(defn, parse_period(period)), start=1):
        if f.is_entered and f.measure in ("value", "target") and f.role == "input":
            typed[positions[f.id]] = float(max(1, 90 - number))  # falling: "at most the row above" rules hold
        elif f.measure == "comment":
            typed[positions[f.id]] = f"Note {number}"

    def fill(workbook):
        for (sheet, ref), value in typed.items():
            workbook[sheet][ref] = value

    outcome = import_return(edit(blank(slug, period, agency), fill), "return.xlsx", agency_slug=agency)

    assert outcome.accepted, [str(p) for p in outcome.parsed.problems]
    read = {
        (v.indicator, v.area, v.period_key, v.value, v.flag, v.note, v.sheet, v.cell) for v in outcome.parsed.values
    }
    stored = set(db.session.execute(
        select(Indicator.slug, Area.code, Period.key, DataValue.value, DataValue.flag, DataValue.note, DataValue.sheet,
               DataValue.cell)
        .join(Indicator, DataValue.indicator_id == Indicator.id).join(Area, DataValue.area_id == Area.id)
        .join(Period, DataValue.period_id == Period.id).where(DataValue.submission_id == outcome.submission.id)).all())
    assert len(read) == len(outcome.parsed.values) > 3
    assert stored == read
    if slug == "cambridgeshire-da-quarterly":  # a column per quarter: figures of several periods
        assert len({key for _, _, key, *_ in stored}) > 1
