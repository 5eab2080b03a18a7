"""Reporting periods as people write them: UK financial years, quarters, months, spans.

Flask-free. ``parse_period("Q4 2015/16")`` and ``parse_period("2015-16-Q4")`` give the
same ``PeriodSpec``; its ``key`` is the canonical form stored in the database and its
``label`` the form shown to people.

Financial years run April–March; Q1 = Apr–Jun … Q4 = Jan–Mar. A span is any run of whole
months ("Dec 2015 - Mar 2016", "Apr-Dec 2015", "12 months to 31st October 2017"); a span
that is exactly a month, quarter or financial year is normalised to that kind.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_name) if m})
MONTHS["sept"] = 9
MONTH_ABBR = list(calendar.month_abbr)


class PeriodError(ValueError):
    """The text could not be read as a period. The message is for people."""


@dataclass(frozen=True, order=True)
class PeriodSpec:
    start: date  # first day of the first month
    end: date  # last day of the last month
    kind: str  # year | quarter | month | span

    # ---- derived names -------------------------------------------------------
    @property
    def fy_start_year(self) -> int:
        """The calendar year in which the financial year containing ``end`` began."""
        return financial_year_of(self.end)

    @property
    def key(self) -> str:
        if self.kind == "year":
            return fy_label(self.start.year)
        if self.kind == "quarter":
            return f"{fy_label(financial_year_of(self.start))} Q{quarter_number(self.start)}"
        if self.kind == "month":
            return f"{self.start.year:04d}-{self.start.month:02d}"
        return f"{self.start.year:04d}-{self.start.month:02d}..{self.end.year:04d}-{self.end.month:02d}"

    @property
    def label(self) -> str:
        if self.kind in ("year", "quarter"):
            return self.key
        if self.kind == "month":
            return f"{MONTH_ABBR[self.start.month]} {self.start.year}"
        first = f"{MONTH_ABBR[self.start.month]} {self.start.year}"
        if self.start.year == self.end.year:
            first = MONTH_ABBR[self.start.month]
        return f"{first} – {MONTH_ABBR[self.end.month]} {self.end.year}"

    @property
    def months(self) -> int:
        return month_index(self.end) - month_index(self.start) + 1

    def __str__(self) -> str:
        return self.label

    # ---- arithmetic ----------------------------------------------------------
    def shift_months(self, n: int) -> PeriodSpec:
        return span(add_months(self.start, n), add_months(self.start, n + self.months - 1))

    def previous_year(self) -> PeriodSpec:
        """The same period a year earlier (2015/16 Q4 → 2014/15 Q4)."""
        return self.shift_months(-12)

    def previous(self) -> PeriodSpec:
        """The period of the same length immediately before this one."""
        return self.shift_months(-self.months)

    def contains(self, other: PeriodSpec) -> bool:
        return self.start <= other.start and other.end <= self.end

    def quarters(self) -> list[PeriodSpec]:
        """The whole quarters inside this period, in order."""
        out = []
        m = self.start
        while m <= self.end:
            q = quarter_of(m)
            if self.contains(q) and (not out or out[-1] != q):
                out.append(q)
            m = add_months(m, 1)
        return out

    def month_list(self) -> list[PeriodSpec]:
        return [month(add_months(self.start, i)) for i in range(self.months)]


# ---- constructors ---------------------------------------------------------------

def month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def add_months(d: date, n: int) -> date:
    i = month_index(d) + n
    return date(i // 12, i % 12 + 1, 1)


def last_day(d: date) -> date:
    return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


def fy_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_year_of(d: date) -> int:
    return d.year if d.month >= 4 else d.year - 1


def quarter_number(d: date) -> int:
    return (d.month - 4) % 12 // 3 + 1


def financial_year(start_year: int) -> PeriodSpec:
    return PeriodSpec(date(start_year, 4, 1), date(start_year + 1, 3, 31), "year")


def quarter(start_year: int, q: int) -> PeriodSpec:
    if q not in (1, 2, 3, 4):
        raise PeriodError(f"There is no quarter {q}: quarters run from Q1 (April to June) to Q4 (January to March).")
    first = add_months(date(start_year, 4, 1), 3 * (q - 1))
    return PeriodSpec(first, last_day(add_months(first, 2)), "quarter")


def quarter_of(d: date) -> PeriodSpec:
    return quarter(financial_year_of(d), quarter_number(d))


def month(d_or_year, m: int | None = None) -> PeriodSpec:
    first = date(d_or_year, m, 1) if m is not None else date(d_or_year.year, d_or_year.month, 1)
    return PeriodSpec(first, last_day(first), "month")


def span(first: date, last: date) -> PeriodSpec:
    """A run of whole months, normalised to a month, quarter or financial year if it is one."""
    first = date(first.year, first.month, 1)
    last = last_day(last)
    if first > last:
        raise PeriodError(
            f"The period starts ({MONTH_ABBR[first.month]} {first.year}) after it ends "
            f"({MONTH_ABBR[last.month]} {last.year})."
        )
    n = month_index(last) - month_index(first) + 1
    if n == 1:
        return PeriodSpec(first, last, "month")
    if n == 3 and first.month in (4, 7, 10, 1):
        return PeriodSpec(first, last, "quarter")
    if n == 12 and first.month == 4:
        return PeriodSpec(first, last, "year")
    return PeriodSpec(first, last, "span")


def periods_from(first: PeriodSpec, until: date) -> list[PeriodSpec]:
    """``first`` and each following period of the same length that has begun by ``until``
    (a quarter, month or year repeats; a span is a one-off: only itself)."""
    if first.start > until:
        return []
    if first.kind == "span":
        return [first]
    out = [first]
    while (following := out[-1].shift_months(first.months)).start <= until:
        out.append(following)
    return out


def rolling_12_months(to: date) -> PeriodSpec:
    """"12 months to 31st October 2017" = Nov 2016 – Oct 2017."""
    return span(add_months(date(to.year, to.month, 1), -11), to)


def year_to_date(to: date) -> PeriodSpec:
    """From April of the financial year containing ``to`` up to the end of its month."""
    return span(date(financial_year_of(to), 4, 1), to)


def periods_whose_commentary_applies(period: PeriodSpec) -> list[PeriodSpec]:
    """The periods whose stored commentary (indicator comments, outcomes' overall comments
    and assessments) a dashboard for ``period`` shows, the first that has one winning.

    A comment written for a financial year also belongs to every period inside that year
    which the board views as that year's: one that ends with the year (Q4, March, a span
    such as "Dec 2015 - Mar 2016" or year to date to March). The period's own comment comes
    first, then the year's. Q1-Q3 (and anything ending before March) do not count: a year's
    commentary is written when the year is complete and speaks of figures (a rise "from
    January to March") that a mid-year report does not have.
    """
    periods = [period]
    year = financial_year(period.fy_start_year)
    if period != year and year.contains(period) and period.end == year.end:
        periods.append(year)
    return periods


# ---- parsing --------------------------------------------------------------------

_SEP = r"\s*(?:-|–|—|to|until)\s*"
_MON = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_FY = r"(?:fy\s*)?(\d{4})\s*[/\-]\s*(\d{2}|\d{4})"
_Q = r"q\s*([1-4])"

_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})$"), "key_span"),
    (re.compile(rf"^{_FY}\s*[-/ ]?\s*{_Q}$"), "fy_q"),
    (re.compile(rf"^{_Q}\s*[-/ ]?\s*{_FY}$"), "q_fy"),
    (re.compile(rf"^{_FY}(?:\s*financial year)?$"), "fy"),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "iso_month"),
    (re.compile(r"^(\d{1,2})/(\d{4})$"), "slash_month"),
    (
        re.compile(
            rf"^(?:rolling\s*)?12\s*months?\s*(?:to|ending)\s*(?:the\s*)?(?:(\d{{1,2}})(?:st|nd|rd|th)?\s*)?{_MON}\s*,?\s*(\d{{4}})$"
        ),
        "rolling",
    ),
    (re.compile(rf"^(?:year\s*to\s*date|ytd)\s*(?:\(?\s*)?{_MON}\s*(\d{{4}})?{_SEP}{_MON}\s*(\d{{4}})\)?$"), "span"),
    (re.compile(rf"^(?:year\s*to\s*date|ytd)\s*(?:to\s*)?{_MON}\s*(\d{{4}})$"), "ytd"),
    (re.compile(rf"^{_MON}\s*(\d{{4}})?{_SEP}{_MON}\s*(\d{{4}})$"), "span"),
    (re.compile(rf"^{_MON}\s*(\d{{4}})$"), "month"),
]


def _is_fy(first: str, second: str) -> bool:
    return int(second) == (int(first) + 1) % (100 if len(second) == 2 else 10_000)


def _year(first: str, second: str) -> int:
    start = int(first)
    end = int(second)
    expected = (start + 1) % (100 if len(second) == 2 else 10_000)
    if end != expected:
        raise PeriodError(
            f"'{first}/{second}' is not a financial year: "
            f"the second year must follow the first (e.g. {fy_label(start)})."
        )
    return start


# Figures a partnership reports are for periods in living memory; anything outside this
# range is a typing slip ("0000/01", "9999/00"), and Python's dates stop at year 9999.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def parse_period(text: str) -> PeriodSpec:
    """Read a period as people write it. Raises ``PeriodError`` with a readable message."""
    if text is None or not str(text).strip():
        raise PeriodError("Enter a period, for example '2015/16 Q4', 'Oct 2017' or 'Dec 2015 - Mar 2016'.")
    raw = str(text).strip()
    if len(raw) > 100:
        raise PeriodError(
            "That is too long for a period. Write it like '2015/16 Q4', 'Oct 2017' or 'Dec 2015 - Mar 2016'."
        )
    spec = _parse(raw)
    if not (spec.start.year >= FIRST_YEAR and spec.end.year <= LAST_YEAR):
        raise PeriodError(f"'{raw}' is outside the years we keep ({FIRST_YEAR} to {LAST_YEAR}). Check the year.")
    return spec


def _parse(raw: str) -> PeriodSpec:
    s = re.sub(r"\s+", " ", raw.lower().replace("–", "-").replace("—", "-")).strip()
    for pattern, kind in _PATTERNS:
        m = pattern.match(s)
        if not m:
            continue
        g = m.groups()
        if any(len(part) == 4 and not FIRST_YEAR <= int(part) <= LAST_YEAR for part in g if part and part.isdigit()):
            raise PeriodError(f"'{raw}' is outside the years we keep ({FIRST_YEAR} to {LAST_YEAR}). Check the year.")
        if kind == "key_span":
            if not (1 <= int(g[1]) <= 12 and 1 <= int(g[3]) <= 12):
                break
            return span(date(int(g[0]), int(g[1]), 1), date(int(g[2]), int(g[3]), 1))
        if kind == "fy_q":
            return quarter(_year(g[0], g[1]), int(g[2]))
        if kind == "q_fy":
            return quarter(_year(g[1], g[2]), int(g[0]))
        if kind == "fy":
            # "2015-16" is a financial year; "2017-10" (a month key) is not one, so it is a month.
            # Ambiguous only before 2012 ("2011-12"), where the financial year wins.
            if "-" in s and len(g[1]) == 2 and not _is_fy(g[0], g[1]) and 1 <= int(g[1]) <= 12:
                return month(int(g[0]), int(g[1]))
            return financial_year(_year(g[0], g[1]))
        if kind in ("iso_month", "slash_month"):
            y, mo = (int(g[0]), int(g[1])) if kind == "iso_month" else (int(g[1]), int(g[0]))
            if not 1 <= mo <= 12:
                break
            return month(y, mo)
        if kind == "rolling":
            return rolling_12_months(date(int(g[2]), MONTHS[g[1]], 1))
        if kind == "ytd":
            return year_to_date(date(int(g[1]), MONTHS[g[0]], 1))
        if kind == "span":
            m1, y1, m2, y2 = MONTHS[g[0]], g[1], MONTHS[g[2]], int(g[3])
            # "Apr-Dec 2015": the first year is the second's unless that would end before it starts.
            y1 = int(y1) if y1 else (y2 if m1 <= m2 else y2 - 1)
            return span(date(y1, m1, 1), date(y2, m2, 1))
        if kind == "month":
            return month(int(g[1]), MONTHS[g[0]])
    raise PeriodError(
        f"'{raw}' is not a period we recognise. Write it like '2015/16 Q4', '2015/16', "
        "'Oct 2017' or 'Dec 2015 - Mar 2016'."
    )
