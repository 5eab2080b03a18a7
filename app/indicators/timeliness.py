"""Completeness and timeliness of returns: who owes which return, and did it come in time?

A schedule row is (agency, template, period, due date); a submission row is (agency,
template, period, received_at). Each schedule row gets a status:

* ``received``: first received on or before the due date;
* ``late``: first received after the due date (a resubmission does not make a late
  return on time, nor an on-time one late: the first receipt counts);
* ``missing``: not received and the due date has passed (``as_of`` is after it);
* ``not yet due``: not received, due date today or later.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import astuple, dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

SCHEDULE_COLUMNS = ["agency", "template", "period", "due"]
SUBMISSION_COLUMNS = ["agency", "template", "period", "received_at"]
COMPLETENESS_COLUMNS = [*SCHEDULE_COLUMNS, "received_at", "status", "days_late", "note"]


@dataclass(frozen=True)
class ReturnStatus:
    """One schedule row's status (``statuses``): the fields of ``COMPLETENESS_COLUMNS``."""

    agency: Hashable
    template: Hashable
    period: Hashable
    due: date
    received_at: datetime | None  # the first receipt; None if none
    status: str  # "received", "late", "missing" or "not yet due"
    days_late: int  # days after the due date it arrived, or has been outstanding; 0 otherwise
    note: str  # for people: "Received 3 days late (due 28 Apr 2016)"

    @property
    def came_in(self) -> bool:
        return self.status in ("received", "late")


@dataclass(frozen=True)
class ReportingRate:
    """The reporting rate of a group of returns (``reporting_rates``)."""

    label: Hashable  # the group's key
    expected: int  # due by today, or received before their due date
    received: int  # received, on time or late
    on_time: int  # received on or before the due date

    @property
    def received_pct(self) -> float | None:
        """Per cent of those expected received; None when nothing is expected yet."""
        return 100 * self.received / self.expected if self.expected else None

    @property
    def on_time_pct(self) -> float | None:
        return 100 * self.on_time / self.expected if self.expected else None


def _day(d) -> str:
    return f"{d.day} {d:%b %Y}"


def _rows(rows, columns) -> list[tuple]:
    """Rows as tuples of ``columns``, from a frame or any iterable of rows."""
    if hasattr(rows, "itertuples"):  # a pandas frame
        return list(rows[columns].itertuples(index=False, name=None))
    return [tuple(row) for row in rows]


def _as_moment(value) -> datetime:
    """A date (its midnight), a datetime (or pandas Timestamp) or an ISO text, as a datetime."""
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value if isinstance(value, datetime) else datetime.combine(value, time())


def _as_day(value) -> date:
    """The day of a date, a datetime (or pandas Timestamp) or an ISO text."""
    return _as_moment(value).date()


def statuses(schedule, submissions, as_of: date | datetime) -> list[ReturnStatus]:
    """The rule, row by row: a ``ReturnStatus`` per schedule row, in schedule order. Plain
    Python: a page of a few hundred returns needs no pandas."""
    first: dict[tuple, object] = {}
    for agency, template, period, received_at in _rows(submissions, SUBMISSION_COLUMNS):
        if received_at is None or received_at != received_at:  # None, NaN or NaT: not received
            continue
        key, received_at = (agency, template, period), _as_moment(received_at)
        if key not in first or received_at < first[key]:
            first[key] = received_at
    today = _as_day(as_of)
    out = []
    for agency, template, period, due in _rows(schedule, SCHEDULE_COLUMNS):
        due = _as_day(due)
        received_at = first.get((agency, template, period))
        if received_at is not None:
            late = (_as_day(received_at) - due).days
            status, days = ("late", late) if late > 0 else ("received", 0)
        elif today > due:
            status, days = "missing", (today - due).days
        else:
            status, days = "not yet due", 0
        out.append(ReturnStatus(agency, template, period, due, received_at, status, days, _note(status, due, days)))
    return out


def completeness(schedule, submissions, as_of: date | datetime) -> pd.DataFrame:
    """``statuses`` as a frame: one row per schedule row, in schedule order, with columns
    ``agency, template, period, due, received_at`` (first receipt, NaT if none),
    ``status``, ``days_late`` and ``note``."""
    import pandas as pd

    out = pd.DataFrame([astuple(row) for row in statuses(schedule, submissions, as_of)], columns=COMPLETENESS_COLUMNS)
    out["due"] = pd.to_datetime(out["due"])
    out["received_at"] = pd.to_datetime(out["received_at"])
    out["status"] = out["status"].astype(object)
    out["days_late"] = out["days_late"].astype(int)
    return out


def _note(status: str, due, days: int) -> str:
    plural = "" if days == 1 else "s"
    if status == "received":
        return "Received on time"
    if status == "late":
        return f"Received {days} day{plural} late (due {_day(due)})"
    if status == "missing":
        return f"Missing: due {_day(due)}, {days} day{plural} ago"
    return f"Due {_day(due)}"


def reporting_rates(grouped: Iterable[tuple[Hashable, ReturnStatus]]) -> list[ReportingRate]:
    """Reporting rates, as DHIS2 shows them, of returns given as (their group's key, their
    status), a ``ReportingRate`` per group in the order the groups first appear. A return
    not yet due and not received is not expected yet; its group is still listed (with
    nothing expected). Plain Python: a partnership's rates are a few hundred rows, grouped
    ten ways a page."""
    totals: dict[Hashable, list[int]] = {}
    for key, row in grouped:
        counts = totals.setdefault(key, [0, 0, 0])
        counts[0] += row.status != "not yet due"
        counts[1] += row.came_in
        counts[2] += row.status == "received"
    return [ReportingRate(key, expected, received, on_time) for key, (expected, received, on_time) in totals.items()]
