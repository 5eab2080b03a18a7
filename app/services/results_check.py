"""``flask indicators check``: do the kept indicator results equal a recompute from the
stored figures?

Every write through the app keeps the results up to date itself (``results_changed``),
bounded to what it can move. A figure changed outside the app — a row edited or deleted
in SQL, a partial restore — is not seen, and the dashboard would go on showing what was
kept. This recomputes everything inside a transaction, compares it with what is kept, and
rolls back: it changes nothing, and says what differs, by name, so an operator knows
whether ``flask indicators recompute --all`` is needed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.indicators.periods import period_of
from app.models import Area, Indicator
from app.periods import PeriodError
from app.services import results

SHOWN_AT_MOST = 20  # differences named one by one; the rest are counted


@dataclass
class Difference:
    what: str  # "figure" | "dashboard row"
    words: str  # "Helpline calls, Blaby, Dec 2015 – Mar 2016" (a row: "…, the Dec 2015 – Mar 2016 dashboard")
    how: str  # "kept but not in a recompute" | "in a recompute but not kept" | "kept differently"


@dataclass
class ResultsCheck:
    figures: int  # how many a recompute makes
    rows: int
    differences: list[Difference] = field(default_factory=list)
    figures_differing: int = 0
    rows_differing: int = 0

    @property
    def ok(self) -> bool:
        return not (self.figures_differing or self.rows_differing)


def _label(key: str) -> str:
    try:
        return period_of(key).label
    except PeriodError:  # a period key the engine cannot read is shown as it is stored
        return key


def _compare(kept: dict, fresh: dict) -> list[tuple[tuple, str]]:
    out = [(key, "kept but not in a recompute") for key in kept.keys() - fresh.keys()]
    out += [(key, "in a recompute but not kept") for key in fresh.keys() - kept.keys()]
    out += [(key, "kept differently") for key in kept.keys() & fresh.keys() if kept[key] != fresh[key]]
    return sorted(out, key=lambda item: tuple(str(part) for part in item[0]))


def check_results() -> ResultsCheck:
    """Recompute every result in a transaction that is rolled back, and compare."""
    indicator_names = dict(db.session.execute(select(Indicator.slug, Indicator.name)).all())
    area_names = dict(db.session.execute(select(Area.code, Area.name)).all())
    try:
        kept = results.snapshot()
        results.recompute()
        fresh = results.snapshot()
    finally:
        db.session.rollback()
    figures = _compare(kept["figures"], fresh["figures"])  # keys: (indicator, area, period)
    rows = _compare(kept["rows"], fresh["rows"])  # keys: (period, indicator, area)
    check = ResultsCheck(figures=len(fresh["figures"]), rows=len(fresh["rows"]),
                         figures_differing=len(figures), rows_differing=len(rows))
    named = [("figure", (i, a, p), "{}", how) for (i, a, p), how in figures]
    named += [("dashboard row", (i, a, p), "the {} dashboard", how) for (p, i, a), how in rows]
    for what, (indicator, area, period), period_words, how in named[:SHOWN_AT_MOST]:
        words = (f"{indicator_names.get(indicator, indicator)}, {area_names.get(area, area)}, "
                 f"{period_words.format(_label(period))}")
        check.differences.append(Difference(what, words, how))
    return check
