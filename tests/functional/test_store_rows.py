"""Rows written and read in bulk (``app.store.rows``: an ``executemany`` on SQLite, a
``COPY`` on PostgreSQL) come back as they were written, on both databases, and a conflict
is a database conflict the service layer turns into a sentence."""
import pytest
from sqlalchemy import select

from app.errors import ServiceError
from app.extensions import db
from app.models import IndicatorFigure, IndicatorResult, Period
from app.periods import parse_period
from app.services import transaction
from app.store.rows import fetch_tuples, insert_tuples
from tests.factories import make_area, make_indicator

# What a COPY's text format must escape, and what it must not mistake for a null (\N).
TEXTS = ["tab\there, newline\nthere, return\r", "back\\slash \\N and \\t", "quote \" and ' and, comma",
         "Swyddfa'r Heddlu — é ✓", "", None]
FIGURE_COLUMNS = ("indicator_id", "area_id", "period_id", "has_figure", "value", "flag", "status", "message")
RESULT_COLUMNS = ("period_id", "indicator_id", "area_id", "position", "headline", "several", "aggregate_status", "data")


def periods(*keys: str) -> list[int]:
    found = []
    for key in keys:
        spec = parse_period(key)
        found.append(Period(key=spec.key, kind=spec.kind, label=spec.label, start_date=spec.start,
                            end_date=spec.end))
    db.session.add_all(found)
    db.session.flush()
    return [p.id for p in found]


def test_every_kind_of_value_comes_back_as_written(app):
    area, indicator = make_area("Blaby", "B"), make_indicator("Helpline calls")
    db.session.flush()
    boards = periods("2015/16 Q1", "2015/16 Q2", "2015/16 Q3", "2015/16 Q4", "2016/17 Q1", "2016/17 Q2")
    figures = [(indicator.id, area.id, board, n % 2 == 0, value, flag, status, text) for n, (board, value, flag, status,
               text) in enumerate(zip(boards, [1234.5678901234567, None, -0.0, 1e-300, 0.1, 3.0],
                                      ["actual", "not_available", None, "actual", "actual", "actual"],
                                      [None, "incomplete", "complete", None, None, None], TEXTS))]
    rows = [(board, indicator.id, area.id, n, n % 2 == 1, False, None if text is None else "complete",
             '{"n":' + str(n) + ',"text":' + repr(text) + "}") for n, (board, text) in enumerate(zip(boards, TEXTS))]
    assert insert_tuples(IndicatorFigure.__table__, FIGURE_COLUMNS, figures) == len(figures)
    assert insert_tuples(IndicatorResult.__table__, RESULT_COLUMNS, rows) == len(rows)
    got = fetch_tuples(select(*(getattr(IndicatorFigure, c) for c in FIGURE_COLUMNS)).order_by(IndicatorFigure.id))
    assert [(*row[:3], bool(row[3]), *row[4:]) for row in got] == figures  # a bool is 0/1 on SQLite
    got = fetch_tuples(select(*(getattr(IndicatorResult, c) for c in RESULT_COLUMNS)).order_by(IndicatorResult.id))
    assert [(*row[:4], bool(row[4]), bool(row[5]), *row[6:]) for row in got] == rows


def test_a_conflict_is_an_integrity_error_the_service_layer_words(app):
    area, indicator = make_area("Blaby", "B"), make_indicator("Helpline calls")
    db.session.flush()
    (period,) = periods("2015/16 Q1")
    db.session.commit()
    row = (indicator.id, area.id, period, True, 1.0, "actual", None, None)
    with pytest.raises(ServiceError, match="conflict"), transaction():
        insert_tuples(IndicatorFigure.__table__, FIGURE_COLUMNS, [row, row])
    assert fetch_tuples(select(IndicatorFigure.id)) == []
    with transaction():  # the session is usable again after the rollback
        insert_tuples(IndicatorFigure.__table__, FIGURE_COLUMNS, [row])
    assert fetch_tuples(select(IndicatorFigure.value)) == [(1.0,)]
