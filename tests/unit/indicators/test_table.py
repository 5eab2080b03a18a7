"""The order a chart draws an indicator's periods in: by end, and the same in every worker
and database when two periods end the same day (a rolling year and a year to date); the
dashboard's rows made from the engine's records."""
import itertools
from dataclasses import fields

from app.indicators.model import RagResult
from app.indicators.table import KEPT_FIELDS, IndicatorRow, as_indicator_rows, chart_order
from app.periods import parse_period

ROLLING_YEAR = parse_period("Nov 2016 - Oct 2017").key
YEAR_TO_DATE = parse_period("Apr - Oct 2017").key
EARLIER = parse_period("Oct 2016 - Sep 2017").key
LATER = parse_period("Dec 2016 - Nov 2017").key


def test_periods_ending_the_same_day_are_drawn_longer_first_whatever_order_they_were_read_in():
    expected = [EARLIER, ROLLING_YEAR, YEAR_TO_DATE, LATER]
    for read_in in itertools.permutations(expected):
        assert sorted(read_in, key=chart_order) == expected


def test_rows_made_from_records_are_those_the_dataclass_makes_each_with_its_own_lists():
    """Issue 16: ``as_indicator_rows`` gives each row its attributes in one step rather than
    through IndicatorRow's 40-parameter ``__init__``: the same rows, every field (those a
    record lacks at their defaults), and no two rows sharing a default list."""
    kept = dict(zip(KEPT_FIELDS, range(len(KEPT_FIELDS))))
    kept.update(indicator="ind-1", area="C1", strip_codes=["D1", "D2"], rag="R", rag_reason="Worse: Red")
    full = {**kept, "headline": True, "several": False, "calculated": RagResult("R", "Worse: Red")}
    # A row kept as an object before 7 December 2026, without the fields added since.
    older = {name: kept[name] for name in KEPT_FIELDS
             if name not in ("comparison", "direction_basis", "target_tolerance", "strip_codes")}
    records = [full, kept, older]
    rows = as_indicator_rows(dict(record) for record in records)
    assert rows == [IndicatorRow(**record) for record in records]
    for row, record in zip(rows, records):
        assert {f.name: getattr(row, f.name) for f in fields(IndicatorRow)} == vars(IndicatorRow(**record))
    assert rows[2].strip_codes == [] and rows[2].comparison is None and rows[0].headline is True
    lists = [id(getattr(row, name)) for row in rows for name in ("strip", "peers")] + [id(rows[2].strip_codes)]
    assert len(set(lists)) == len(lists)
    rows[1].strip.append(("D1", "R"))
    assert rows[2].strip == [] and IndicatorRow(**older).strip == []
