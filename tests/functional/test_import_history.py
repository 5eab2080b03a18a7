"""The outlier check's history is bounded (issue 16): an import reads, for each indicator and
area it checks, the agency's last 4 figures of the same period length, not its whole
history; older ones only where the last 4 periods have a gap."""
from app.extensions import db
from app.ingest.validate import HistoryWanted
from app.models import DataValue
from app.periods import parse_period
from app.store.reference import period_row
from app.store.submissions import agency_history
from tests.factories import make_agency, make_area, make_indicator

CHECKED = parse_period("2016/17 Q1")


def quarters_before(n: int):
    return [CHECKED.shift_months(-3 * i) for i in range(n, 0, -1)]  # oldest first


def store(agency, indicator, area, figures: dict, current: bool = True) -> None:
    for spec, value in figures.items():
        db.session.add(DataValue(indicator_id=indicator.id, area_id=area.id, period_id=period_row(spec).id,
                                 value=value, agency_id=agency.id, is_current=current))
    db.session.flush()


def test_only_the_last_four_quarters_are_read_and_older_ones_fill_a_gap(app):
    agency = make_agency("Helpline")
    calls, beds = make_indicator("Calls"), make_indicator("Beds")
    blaby = make_area("Blaby", "BL")
    quarters = quarters_before(10)
    store(agency, calls, blaby, {q: 100.0 + i for i, q in enumerate(quarters)})  # 100 … 109, all ten quarters
    # Beds: nothing in the latest quarter but one, so the fourth figure back is older.
    store(agency, beds, blaby, {q: 10.0 + i for i, q in enumerate(quarters) if i != 8})
    store(agency, calls, blaby, {quarters[-1]: 999.0}, current=False)  # replaced: not history
    year = parse_period("2015/16")
    store(agency, calls, blaby, {year: 5000.0})  # nor a year's, for a quarter

    wanted = HistoryWanted(frozenset({"calls", "beds"}), frozenset({"BL"}), frozenset({(3, CHECKED.start)}),
                           keys=frozenset({("calls", "BL"), ("beds", "BL")}))
    history = agency_history(agency.id, wanted)

    assert sorted(p.value for p in history[("calls", "BL")]) == [106.0, 107.0, 108.0, 109.0]
    last_four_beds = sorted(p.value for p in history[("beds", "BL")])[-4:]
    assert last_four_beds == [15.0, 16.0, 17.0, 19.0]
    assert all(p.months == 3 and p.end < CHECKED.start for points in history.values() for p in points)

