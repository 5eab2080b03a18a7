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
from app.indicators.timeliness import ReportingRate, ReturnStatus, reporting_rates, statuses
from app.models import Period, ReturnDue
from app.services.schedule import bring_schedule_up_to_date, first_receipts
from app.services.settings import today

WINDOW = 8  # periods per template, as DHIS2's "last 8 periods" reporting rate summary


OVERALL = "All returns"  # the label of the partnership-wide rate


@dataclass
class ReportingRates:
    as_at: date
    overall: ReportingRate  # partnership-wide over each template's last WINDOW periods
    by_period: list[ReportingRate]  # partnership-wide, a row per period (oldest first)
    by_template: list[ReportingRate]
    by_agency: list[ReportingRate]  # each labelled with the agency's, template's or period's name
    # The returns counted with their statuses, in period order: ``by_template_period`` is
    # worked out from them only where it is shown (the reporting rates page), not for the
    # start page or workbook.
    ordered: list[tuple[ReturnDue, ReturnStatus]] | None = field(default=None, repr=False, compare=False)

    @property
    def empty(self) -> bool:
        return not self.by_template

    @cached_property
    def by_template_period(self) -> list[tuple[str, list[ReportingRate]]]:
        """(template, a row per period), templates by name."""
        if self.ordered is None:
            return []
        by_template: dict[str, list[tuple[ReturnDue, ReturnStatus]]] = {}
        for due, status in self.ordered:
            by_template.setdefault(due.template.name, []).append((due, status))
        return [(name, reporting_rates((due.period.label, status) for due, status in group))
                for name, group in sorted(by_template.items())]


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
    now = today()
    bring_schedule_up_to_date(now)
    as_of = as_of or now
    rows = _window(db.session.scalars(
        select(ReturnDue).where(ReturnDue.waived_reason.is_(None)).join(Period)
        .options(joinedload(ReturnDue.agency), joinedload(ReturnDue.template), contains_eager(ReturnDue.period))
    ).all(), as_of)
    if not rows:
        return ReportingRates(as_of, ReportingRate(OVERALL, 0, 0, 0), [], [], [])
    received = first_receipts(sorted({due.period_id for due in rows}))
    counted = list(zip(rows, statuses([(d.agency_id, d.template_id, d.period_id, d.due_date) for d in rows],
                                      received, as_of)))
    ordered = sorted(counted, key=lambda pair: (pair[0].period.end_date, pair[0].period.start_date,
                                                pair[0].template.name, pair[0].agency.name))
    return ReportingRates(
        as_at=as_of,
        overall=reporting_rates((OVERALL, status) for _, status in counted)[0],
        by_period=reporting_rates((due.period.label, status) for due, status in ordered),
        by_template=reporting_rates((due.template.name, status) for due, status in
                                    sorted(counted, key=lambda pair: (pair[0].template.name, pair[0].agency.name))),
        by_agency=reporting_rates((due.agency.name, status) for due, status in
                                  sorted(counted, key=lambda pair: pair[0].agency.name)),
        ordered=ordered,
    )
