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

from datetime import date, datetime

import numpy as np
import pandas as pd

SCHEDULE_COLUMNS = ["agency", "template", "period", "due"]
SUBMISSION_COLUMNS = ["agency", "template", "period", "received_at"]
COMPLETENESS_COLUMNS = [*SCHEDULE_COLUMNS, "received_at", "status", "days_late", "note"]
KEYS = ["agency", "template", "period"]


def _frame(rows, columns) -> pd.DataFrame:
    if isinstance(rows, pd.DataFrame):
        return rows[columns].copy()
    return pd.DataFrame(list(rows), columns=columns)


def _day(d) -> str:
    return f"{d.day} {d:%b %Y}"


def completeness(schedule, submissions, as_of: date | datetime) -> pd.DataFrame:
    """One row per schedule row, in schedule order, with columns ``agency, template,
    period, due, received_at`` (first receipt, NaT if none), ``status``, ``days_late``
    (days after the due date it arrived, or has been outstanding; 0 otherwise) and a
    ``note`` for people ("Received 3 days late", "Missing: due 28 Apr 2016")."""
    plan = _frame(schedule, SCHEDULE_COLUMNS)
    received = _frame(submissions, SUBMISSION_COLUMNS)
    plan["due"] = pd.to_datetime(plan["due"]).dt.normalize()
    received["received_at"] = pd.to_datetime(received["received_at"])
    first = received.groupby(KEYS, as_index=False)["received_at"].min()
    out = plan.merge(first, on=KEYS, how="left")
    today = pd.Timestamp(as_of).normalize()
    arrived = out["received_at"].notna()
    received_day = out["received_at"].dt.normalize()
    late = arrived & (received_day > out["due"])
    overdue = ~arrived & (today > out["due"])
    out["status"] = np.select([late, arrived, overdue], ["late", "received", "missing"], "not yet due")
    out["status"] = out["status"].astype(object)
    days = np.where(late, (received_day - out["due"]).dt.days, np.where(overdue, (today - out["due"]).dt.days, 0))
    out["days_late"] = days.astype(int)
    out["note"] = [_note(s, d, n) for s, d, n in zip(out["status"], out["due"], out["days_late"])]
    return out[COMPLETENESS_COLUMNS]


def _note(status: str, due, days: int) -> str:
    plural = "" if days == 1 else "s"
    if status == "received":
        return "Received on time"
    if status == "late":
        return f"Received {days} day{plural} late (due {_day(due)})"
    if status == "missing":
        return f"Missing: due {_day(due)}, {days} day{plural} ago"
    return f"Due {_day(due)}"


RATE_COLUMNS = ["expected", "received", "on_time", "received_pct", "on_time_pct"]


def reporting_rates(statuses: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Reporting rates, as DHIS2 shows them, of ``completeness`` rows grouped ``by`` some of
    their columns (none: one row for everything). ``expected``: the returns due by today,
    and any received before their due date; ``received``: those received (on time or
    late); ``on_time``: received on or before the due date; ``received_pct`` and
    ``on_time_pct``: per cent of expected, None when nothing is expected yet. A return
    not yet due and not received is not expected yet; its group is still listed (with
    nothing expected)."""
    frame = statuses
    counted = pd.DataFrame({
        **{column: frame[column] for column in by},
        "expected": (frame["status"] != "not yet due").astype(int),
        "received": frame["status"].isin(("received", "late")).astype(int),
        "on_time": (frame["status"] == "received").astype(int),
    }, index=frame.index) if len(frame) else pd.DataFrame(columns=[*by, "expected", "received", "on_time"])
    if by:
        totals = counted.groupby(by, as_index=False, sort=False)[["expected", "received", "on_time"]].sum()
    else:
        totals = pd.DataFrame([counted[["expected", "received", "on_time"]].sum().to_dict()]) if len(counted) \
            else pd.DataFrame([{"expected": 0, "received": 0, "on_time": 0}])
    for column in ("expected", "received", "on_time"):
        totals[column] = totals[column].astype(int)
    for column, part in (("received_pct", "received"), ("on_time_pct", "on_time")):
        totals[column] = pd.Series([100 * r / e if e else None for r, e in zip(totals[part], totals["expected"])],
                                   index=totals.index, dtype=object)
    return totals[[*by, *RATE_COLUMNS]]
