"""Domestic Homicide Reviews: statutory clocks, the pooled budget and the master action plan.

Flask-free and model-free: every function takes and returns plain dataclasses, so web
forms, the demo loader and the workbook writer can all share one set of rules (the demo's
own data is ``app.demo.dhr``).

- ``app.dhr.clocks``: case dates, their order, and the Home Office decision/review clocks.
- ``app.dhr.budget``: the pooled budget per financial year, forecasts, filling a year from
  the stored DHR budget return.
- ``app.dhr.actions``: the master action plan, action RAG and impact-review dates.

Cases are pseudonymised ('Mary', 'FN'); nothing here asks for a real name.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Problem:
    """Something a person must correct. ``field`` is a path into the input
    ("decision", "panel_meetings[1]", "contributions[2].due");
    ``message`` is a plain-English sentence saying what is wrong and what to do."""

    field: str
    message: str


def long_date(d: date) -> str:
    """1 March 2016 (no leading zero, as council papers write it)."""
    return f"{d.day} {d:%B %Y}"


def pounds(amount: Decimal) -> str:
    """£2,500 or £1,234.50; a negative amount reads -£1,589."""
    sign = "-" if amount < 0 else ""
    magnitude = abs(amount)
    places = ",.0f" if magnitude == magnitude.to_integral_value() else ",.2f"
    return f"{sign}£{magnitude:{places}}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
