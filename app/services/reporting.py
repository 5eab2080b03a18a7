"""Reporting rates, as DHIS2 shows them: of the returns expected, how many came in, and how
many on time, per agency, per template and partnership-wide, per period and over the last
eight periods.

Rules
-----
The returns counted are the schedule's (``app.services.schedule``: generated from the
templates, added by a manager, never a waived one). Each template's window is its last
``WINDOW`` periods that have begun by today (``app.services.settings.today``). A return
is *expected* once its due date has passed, or earlier if it has come in; *received* if a
current or superseded submission arrived (the first receipt counts); *on time* if that was
on or before its due date (``app.indicators.timeliness``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from app.extensions import db
from app.models import Period, ReturnDue
from app.services.schedule import bring_schedule_up_to_date, first_receipts
from app.services.settings import today

WINDOW = 8  # periods per template, as DHIS2's "last 8 periods" reporting rate summary


@dataclass(frozen=True)
class Rate:
    label: str  # the agency's, template's or period's name; "All returns" for the whole
    expected: int
    received: int
    on_time: int
    received_pct: float | None  # None: nothing expected yet
    on_time_pct: float | None


@dataclass
class ReportingRates:
    as_at: date
    overall: Rate  # partnership-wide over each template's last WINDOW periods
    by_period: list[Rate]  # partnership-wide, a row per period (oldest first)
    by_template: list[Rate]
    by_agency: list[Rate]
    # The returns counted, in period order: ``by_template_period`` is worked out from them
    # only where it is shown (the reporting rates page), not for the start page or workbook.
    ordered: list[dict] | None = field(default=None, repr=False, compare=False)

    @property
    def empty(self) -> bool:
        return not self.by_template

    @cached_property
    def by_template_period(self) -> list[tuple[str, list[Rate]]]:
        """(template, a row per period), templates by name."""
        if self.ordered is None:
            return []
        by_template: dict[str, list[dict]] = {}
        for status in self.ordered:
            by_template.setdefault(status["template_name"], []).append(status)
        return [(name, _rates(group, ["period_label"], lambda row: row["period_label"]))
                for name, group in sorted(by_template.items())]


def _rates(statuses: list[dict], by: list[str], label_of) -> list[Rate]:
    from app.indicators.timeliness import reporting_rates
    return [Rate(label_of(row), row["expected"], row["received"], row["on_time"], row["received_pct"],
                 row["on_time_pct"]) for row in reporting_rates(statuses, by)]


def _window(rows: list[ReturnDue], as_of: date) -> list[ReturnDue]:
    """Each template's rows for its last WINDOW periods begun by ``as_of``."""
    periods: dict[int, set[tuple[date, date, int]]] = {}
    for due in rows:
        if due.period.start_date <= as_of:
            periods.setdefault(due.template_id, set()).add((due.period.end_date, due.period.start_date, due.period_id))
    kept = {t: {p for _, _, p in sorted(found)[-WINDOW:]} for t, found in periods.items()}
    return [due for due in rows if due.period_id in kept.get(due.template_id, ())]


def reporting_rates_view(as_of: date | None = None) -> ReportingRates:
    """The reporting rates as at ``as_of`` (default: today)."""
    from app.indicators.timeliness import statuses as worked_out
    now = today()
    bring_schedule_up_to_date(now)
    as_of = as_of or now
    rows = _window(db.session.scalars(
        select(ReturnDue).where(ReturnDue.waived_reason.is_(None)).join(Period)
        .options(joinedload(ReturnDue.agency), joinedload(ReturnDue.template), contains_eager(ReturnDue.period))
    ).all(), as_of)
    if not rows:
        nothing = Rate("All returns", 0, 0, 0, None, None)
        return ReportingRates(as_of, nothing, [], [], [])
    received = first_receipts(sorted({due.period_id for due in rows}))
    statuses = worked_out([(d.agency_id, d.template_id, d.period_id, d.due_date) for d in rows], received, as_of)
    for d, status in zip(rows, statuses):
        status.update(agency_name=d.agency.name, template_name=d.template.name,
                      period_order=(d.period.end_date, d.period.start_date), period_label=d.period.label)
    ordered = sorted(statuses, key=lambda s: (s["period_order"], s["template_name"], s["agency_name"]))
    by_name = sorted(statuses, key=lambda s: (s["template_name"], s["agency_name"]))
    return ReportingRates(
        as_at=as_of,
        overall=_rates(statuses, [], lambda _row: "All returns")[0],
        by_period=_rates(ordered, ["period_label"], lambda row: row["period_label"]),
        by_template=_rates(by_name, ["template_name"], lambda row: row["template_name"]),
        by_agency=_rates(sorted(statuses, key=lambda s: s["agency_name"]), ["agency_name"],
                         lambda row: row["agency_name"]),
        ordered=ordered,
    )
