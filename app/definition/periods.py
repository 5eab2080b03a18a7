"""The periods a template's columns stand for, and the periods a template may be returned for.

Period references (``ColumnSpec.period``) are resolved against the return's period:
``period`` (the return's own period), ``Q1``..``Q4`` and ``year`` (of the financial year
containing the end of the return's period), ``Apr``..``Mar`` (months of that financial
year), ``rolling_12_months`` and ``year_to_date`` (both ending with the return's period),
``previous_year:<reference>`` (the same a year earlier), or an absolute period such as
"2015/16 Q4" (anything ``app.periods.parse_period`` reads).
"""
from __future__ import annotations

from datetime import date, timedelta

from app.definition.model import FY_MONTHS, PREVIOUS_YEAR_PREFIX, TemplateDefinition
from app.periods import (
    PeriodError,
    PeriodSpec,
    add_months,
    financial_year,
    month,
    parse_period,
    quarter,
    rolling_12_months,
    year_to_date,
)


def resolve_period_ref(ref: str, period: PeriodSpec) -> PeriodSpec:
    """The period a column reference stands for in a return for ``period``.
    Raises ``PeriodError`` with a readable message."""
    text = (ref or "").strip()
    if text.startswith(PREVIOUS_YEAR_PREFIX):
        return resolve_period_ref(text[len(PREVIOUS_YEAR_PREFIX):], period).previous_year()
    fy = period.fy_start_year
    if text == "period":
        return period
    if text in ("Q1", "Q2", "Q3", "Q4"):
        return quarter(fy, int(text[1]))
    if text == "year":
        return financial_year(fy)
    if text == "rolling_12_months":
        return rolling_12_months(period.end)
    if text == "year_to_date":
        return year_to_date(period.end)
    if text.capitalize() in FY_MONTHS:
        offset = FY_MONTHS.index(text.capitalize())
        return month(add_months(date(fy, 4, 1), offset))
    try:
        return parse_period(text)
    except PeriodError:
        raise PeriodError(
            f"'{ref}' is not a period reference we recognise. Use Q1–Q4, year, period, "
            "rolling_12_months, year_to_date, a month such as Apr, 'previous_year:' before any "
            "of these, or a period such as '2015/16 Q4'."
        ) from None


def check_return_period(defn: TemplateDefinition, period: PeriodSpec) -> str | None:
    """A message if ``period`` does not suit the template's frequency, else None."""
    wanted = {"quarterly": ("quarter", "a quarter such as '2015/16 Q4'"),
              "monthly": ("month", "a month such as 'Oct 2017'"),
              "annual": ("year", "a financial year such as '2016/17'")}.get(defn.frequency)
    if wanted and period.kind != wanted[0]:
        return f"'{defn.name}' is a {defn.frequency} return: choose {wanted[1]}, not '{period.label}'."
    return None


def due_date_for(defn: TemplateDefinition, period: PeriodSpec) -> date:
    return period.end + timedelta(days=defn.due_days)
