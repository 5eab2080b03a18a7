"""Period arithmetic the indicators need, on canonical keys (see ``app.periods``).

Keys go in and keys come out, so callers can match them against the ``period`` column of
a values frame directly. Parsing is cached: the same few keys are asked about thousands
of times when a dashboard is built.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

from app.periods import (
    PeriodError,
    PeriodSpec,
    month,
    parse_period,
    quarter,
    rolling_12_months,
    year_to_date,
)

# How many periods the direction of travel looks at by default, by kind of period.
DEFAULT_TREND_LENGTH = {"quarter": 4, "year": 3, "month": 12, "span": 3}


_MONTH_KEY = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@lru_cache(maxsize=4096)
def period_of(key: str) -> PeriodSpec:
    """The ``PeriodSpec`` for a canonical key (or anything ``parse_period`` reads).

    A month key such as "2017-10" is read as a month here: ``parse_period`` reads
    "YYYY-NN" as a financial year first, so it refuses "2017-10" and takes "2010-11"
    for 2010/11."""
    match = _MONTH_KEY.match(key.strip())
    if match:
        return month(int(match.group(1)), int(match.group(2)))
    return parse_period(key)


def previous_year_key(key: str) -> str:
    """The same period a year earlier: "2015/16 Q4" → "2014/15 Q4", "2017-10" → "2016-10",
    "2016-11..2017-10" → "2015-11..2016-10"."""
    return period_of(key).previous_year().key


def population_year(key: str) -> int:
    """The year whose mid-year population a period's rates use: the calendar year in which
    its financial year began ("2015/16" and "2015/16 Q4" → 2015; "2017-10" → 2017;
    "2018-02" → 2017)."""
    return period_of(key).fy_start_year


def quarter_keys(fy_start_year: int) -> list[str]:
    """The four quarters of a financial year, in order."""
    return [quarter(fy_start_year, q).key for q in (1, 2, 3, 4)]


def _parts(spec: PeriodSpec, grain: str) -> list[str]:
    if grain == "month":
        return [m.key for m in spec.month_list()]
    if grain == "quarter":
        quarters = spec.quarters()
        if sum(q.months for q in quarters) != spec.months:
            raise PeriodError(
                f"{spec.label} is not made of whole quarters: build it from months instead."
            )
        return [q.key for q in quarters]
    raise ValueError(f"grain must be 'month' or 'quarter', not {grain!r}")


def year_to_date_key(key: str) -> str:
    """Year to date at the end of a period: "2017-10" → "2017-04..2017-10"."""
    return year_to_date(period_of(key).end).key


def rolling_12_months_key(key: str) -> str:
    """The 12 months ending with a period: "2017-10" → "2016-11..2017-10"."""
    return rolling_12_months(period_of(key).end).key


def year_to_date_parts(key: str, grain: str = "month") -> list[str]:
    """The months (or quarters) that make the year to date ending with ``key``."""
    return _parts(period_of(year_to_date_key(key)), grain)


def rolling_12_months_parts(key: str, grain: str = "month") -> list[str]:
    """The 12 months (or 4 quarters) ending with ``key``: rolling 12 months of quarters
    ending at "2015/16 Q4" are 2015/16 Q1…Q4; ending at "2016/17 Q1" they are 2015/16 Q2…
    2016/17 Q1."""
    return _parts(period_of(rolling_12_months_key(key)), grain)


def trend_period_keys(key: str, n: int | None = None) -> list[str]:
    """The last ``n`` periods of the same length ending with ``key``, oldest first.

    Defaults: 4 quarters, 3 years, 12 months, 3 spans (each span shifted back by its own
    length, so rolling 12 months step back a year at a time)."""
    spec = period_of(key)
    n = DEFAULT_TREND_LENGTH[spec.kind] if n is None else n
    if n < 1:
        raise ValueError("A trend needs at least one period.")
    keys = [spec.key]
    for _ in range(n - 1):
        spec = spec.previous()
        keys.append(spec.key)
    return keys[::-1]


def due_date(key: str, due_days: int) -> date:
    """The date a return for a period is due: ``due_days`` after the period ends."""
    return period_of(key).end + timedelta(days=due_days)

