"""The order a chart draws an indicator's periods in: by end, and the same in every worker
and database when two periods end the same day (a rolling year and a year to date)."""
import itertools

from app.indicators.table import chart_order
from app.periods import parse_period

ROLLING_YEAR = parse_period("Nov 2016 - Oct 2017").key
YEAR_TO_DATE = parse_period("Apr - Oct 2017").key
EARLIER = parse_period("Oct 2016 - Sep 2017").key
LATER = parse_period("Dec 2016 - Nov 2017").key


def test_periods_ending_the_same_day_are_drawn_longer_first_whatever_order_they_were_read_in():
    expected = [EARLIER, ROLLING_YEAR, YEAR_TO_DATE, LATER]
    for read_in in itertools.permutations(expected):
        assert sorted(read_in, key=chart_order) == expected
