"""Storing a return is all or nothing: a failure half-way leaves the database and the
uploads folder exactly as they were, and two uploads racing for the same agency, template
and period cannot both become current."""
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, DataValue, Period, Submission, Target
from app.services import ServiceError
from app.services.imports import RACE_MESSAGE, import_return
from app.store import submissions as store
from tests.unit.ingest.returns import LWA, filled


def snapshot(app) -> tuple[dict, dict]:
    """Every row of the tables an import writes, and every file in the uploads folder."""
    db.session.rollback()
    tables = {}
    for model in (Submission, DataValue, Target, Period, AuditEvent):
        rows = db.session.execute(select(model.__table__).order_by(model.__table__.c.id)).all()
        tables[model.__tablename__] = [tuple(row) for row in rows]
    folder = Path(app.config["UPLOAD_FOLDER"])
    files = {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()} if folder.exists() else {}
    return tables, files


@pytest.mark.parametrize("resubmission", [False, True], ids=["first", "resubmission"])
def test_a_failure_mid_commit_leaves_nothing_behind(app, demo, monkeypatch, resubmission):
    if resubmission:
        assert import_return(filled(), "first.xlsx", agency_slug=LWA).submission.id == 1
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
    current = db.session.scalars(select(Submission).where(Submission.status == "current")).all()
    assert [s.id for s in current] == [results[winners[0]]]
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 2  # the first and the winner
    blaby = db.session.scalar(select(DataValue.value).where(DataValue.is_current.is_(True),
                                                            DataValue.sheet == "Appendix 2", DataValue.cell == "C6"))
    assert blaby == {"a": 40, "b": 41}[winners[0]]
