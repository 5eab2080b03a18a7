from datetime import date, datetime

import pandas as pd
import pytest

from app.indicators import IndicatorSpec, RagRule, compare_districts, compare_with_peers, completeness, district_rags

SEVEN = ["B", "C", "H", "HB", "M", "NW", "O"]


# ---- districts -------------------------------------------------------------------------

def test_seven_districts_split_two_top_three_average_two_bottom():
    values = dict(zip(SEVEN, [3.1, 2.0, 4.5, 3.9, 2.7, 5.2, 3.3]))
    result = compare_districts(values, "lower_is_better")
    assert result == {
        "C": "Top",
        "M": "Top",
        "B": "Average",
        "O": "Average",
        "HB": "Average",
        "H": "Bottom",
        "NW": "Bottom",
    }


def test_higher_is_better_reverses_the_ranking():
    values = dict(zip(SEVEN, range(7)))
    result = compare_districts(values, "higher_is_better")
    assert [result[c] for c in ("O", "NW", "B", "C")] == ["Top", "Top", "Bottom", "Bottom"]


def test_ties_across_a_boundary_go_to_the_middle():
    result = compare_districts({"B": 1, "C": 1, "H": 1, "HB": 4, "M": 5, "NW": 6}, "higher_is_better")
    assert result == {"B": "Average", "C": "Average", "H": "Average", "HB": "Average", "M": "Top", "NW": "Top"}


def test_all_equal_is_all_average():
    assert set(compare_districts(dict.fromkeys(SEVEN, 2.0), "lower_is_better").values()) == {"Average"}


def test_missing_figures_neutral_polarity_and_too_few_districts_give_none():
    result = compare_districts({"B": 1, "C": None, "H": 2, "HB": 3}, "lower_is_better")
    assert result == {"B": "Top", "C": None, "H": "Average", "HB": "Bottom"}
    assert set(compare_districts({"B": 1, "C": 2, "H": 3}, "neutral").values()) == {None}
    assert compare_districts({"B": 1, "C": 2}, "lower_is_better") == {"B": None, "C": None}


# ---- peers ------------------------------------------------------------------------------

def test_peer_band_around_the_peer_mean():
    peers = [40.0, 50.0, 60.0]  # mean 50
    assert compare_with_peers(47.21, peers, "lower_is_better") == "Top"  # 5.6% better
    assert compare_with_peers(52.5, peers, "lower_is_better") == "Average"  # exactly 5% worse
    assert compare_with_peers(53.0, peers, "lower_is_better") == "Bottom"
    assert compare_with_peers(53.0, peers, "higher_is_better") == "Top"
    assert compare_with_peers(53.0, peers, "higher_is_better", band_percent=10) == "Average"


def test_peers_given_by_area_leave_the_area_itself_out():
    peers = {"Leicestershire": 40.0, "Derbyshire": 50.0, "Nottinghamshire": 50.0}
    assert compare_with_peers(40.0, peers, "lower_is_better", area="Leicestershire") == "Top"
    assert compare_with_peers(40.0, peers, "lower_is_better") == "Top"
    assert compare_with_peers(40.0, {"Leicestershire": 40.0}, "lower_is_better", area="Leicestershire") is None


def test_no_peer_comparison_without_figures_or_for_neutral():
    assert compare_with_peers(None, [1, 2], "lower_is_better") is None
    assert compare_with_peers(1, [None], "lower_is_better") is None
    assert compare_with_peers(1, [1, 2], "neutral") is None


def test_district_rags_by_the_indicators_rule():
    spec = IndicatorSpec("b", "Burglary rate", "rate_per_1000", rag=RagRule("previous_year", "percent", 2, 10))
    latest = {"B": 3.0, "C": 3.2, "H": 3.5, "HB": None}
    previous = {"B": 3.1, "C": 3.1, "H": 3.1, "HB": 3.1}
    assert district_rags(spec, latest, previous) == {"B": "G", "C": "A", "H": "R", "HB": None}
    assert district_rags(spec, latest, previous, flags={"B": "estimate"})["B"] is None


# ---- completeness ---------------------------------------------------------------------------

def _schedule():
    due = date(2016, 4, 28)
    return [
        ("Police", "crime", "2015/16 Q4", due),
        ("Probation", "reoffending", "2015/16 Q4", due),
        ("Refuge", "refuge", "2015/16 Q4", due),
        ("IDVA", "idva", "2015/16 Q4", due),
        ("Police", "crime", "2016/17 Q1", date(2016, 7, 28)),
    ]


def test_received_late_missing_and_not_yet_due():
    submissions = [
        ("Police", "crime", "2015/16 Q4", datetime(2016, 4, 28, 17, 30)),  # on the due day
        ("Probation", "reoffending", "2015/16 Q4", datetime(2016, 5, 1, 9, 0)),
        ("Police", "crime", "2016/17 Q1", datetime(2016, 5, 2, 9, 0)),  # early
    ]
    out = completeness(_schedule(), submissions, as_of=date(2016, 5, 10))
    assert out["status"].tolist() == ["received", "late", "missing", "missing", "received"]
    assert out["days_late"].tolist() == [0, 3, 12, 12, 0]
    assert out["note"].tolist()[:3] == [
        "Received on time", "Received 3 days late (due 28 Apr 2016)", "Missing: due 28 Apr 2016, 12 days ago",
    ]


def test_before_the_due_date_nothing_is_missing():
    out = completeness(_schedule(), [], as_of=date(2016, 4, 28))
    assert set(out["status"]) == {"not yet due"}
    assert out["note"].iloc[0] == "Due 28 Apr 2016"


def test_the_first_receipt_counts_and_frames_are_accepted():
    schedule = pd.DataFrame(_schedule()[:1], columns=["agency", "template", "period", "due"])
    submissions = pd.DataFrame(
        [
            ("Police", "crime", "2015/16 Q4", datetime(2016, 5, 3)),
            ("Police", "crime", "2015/16 Q4", datetime(2016, 4, 20)),
        ],
        columns=["agency", "template", "period", "received_at"],
    )
    out = completeness(schedule, submissions, as_of=date(2016, 6, 1))
    assert out.loc[0, "status"] == "received"
    assert out.loc[0, "received_at"] == pd.Timestamp(2016, 4, 20)


@pytest.mark.parametrize("days, text", [(1, "1 day late"), (2, "2 days late")])
def test_late_note_grammar(days, text):
    schedule = [("Police", "crime", "2015/16 Q4", date(2016, 4, 28))]
    submissions = [("Police", "crime", "2015/16 Q4", datetime(2016, 4, 28 + days, 8))]
    assert text in completeness(schedule, submissions, date(2016, 6, 1))["note"].iloc[0]


def test_statuses_are_the_frames_rows_and_take_days_and_moments_alike():
    """``statuses`` (plain Python, what the pages use) gives the rows ``completeness`` does;
    a receipt may be a day (the database's received_on) or a moment (an upload's time),
    and the earliest counts whichever it is."""
    from app.indicators.timeliness import statuses

    submissions = [
        ("Police", "crime", "2015/16 Q4", date(2016, 5, 2)),
        ("Police", "crime", "2015/16 Q4", datetime(2016, 4, 27, 23, 59)),  # the first: on time
        ("Probation", "reoffending", "2015/16 Q4", date(2016, 5, 1)),
        ("Probation", "reoffending", "2015/16 Q4", None),  # nothing received in this row
    ]
    rows = statuses(_schedule(), submissions, date(2016, 5, 10))
    assert [(r.status, r.days_late) for r in rows] == [
        ("received", 0), ("late", 3), ("missing", 12), ("missing", 12), ("not yet due", 0)]
    assert rows[0].received_at == datetime(2016, 4, 27, 23, 59) and rows[2].received_at is None
    assert rows[4].note == "Due 28 Jul 2016"
    assert [r.came_in for r in rows] == [True, True, False, False, False]
    frame = completeness(_schedule(), submissions, date(2016, 5, 10))
    assert frame["status"].tolist() == [r.status for r in rows]
    assert frame["note"].tolist() == [r.note for r in rows]
    assert frame["days_late"].tolist() == [r.days_late for r in rows]


def test_reporting_rates_group_in_the_order_rows_come_and_count_only_what_is_expected():
    from app.indicators.timeliness import reporting_rates, statuses

    submissions = [("Police", "crime", "2015/16 Q4", date(2016, 4, 28)),
                   ("Probation", "reoffending", "2015/16 Q4", date(2016, 5, 1))]
    rows = statuses(_schedule(), submissions, date(2016, 5, 10))
    by_agency = reporting_rates((r.agency, r) for r in rows)
    assert [(r.label, r.expected, r.received, r.on_time) for r in by_agency] == [
        ("Police", 1, 1, 1), ("Probation", 1, 1, 0), ("Refuge", 1, 0, 0), ("IDVA", 1, 0, 0)]
    # Police's 2016/17 Q1 is not due yet and not received: not expected, not counted
    assert (by_agency[1].received_pct, by_agency[1].on_time_pct) == (100.0, 0.0)
    [overall] = reporting_rates(("All", r) for r in rows)
    assert (overall.expected, overall.received, overall.on_time, overall.received_pct) == (4, 2, 1, 50.0)
    [quarter] = reporting_rates((r.period, r) for r in rows if r.period == "2016/17 Q1")
    assert (quarter.label, quarter.expected, quarter.received_pct, quarter.on_time_pct) == ("2016/17 Q1", 0, None, None)
    assert reporting_rates([]) == []
