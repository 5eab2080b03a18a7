"""The older layouts compiled to tables (``app.definition.as_tables``) read every demo
return exactly as the older mapper reads it: the same figures, targets, flags, notes,
sheets and cells, figure by figure.

Each demo template's own blank return is filled with a spread of what officers type
(plain figures, decimals, estimates, provisional figures, N/A with and without a reason,
blanks, notes, text in a number cell), then read twice: with the template as written, and
with every sheet compiled to the tables model. Variants move things as officers do (a
spacer row, a renamed sheet, last period's grey block, a column moved to the left).
"""
import io
import itertools
from datetime import date

import openpyxl
import pytest

from app.definition import expand_fields
from app.definition.as_tables import definition_as_tables
from app.demo.templates import demo_definitions
from app.export.blank_return import build_blank_return, field_cells
from app.ingest.map import map_workbook, plan_sheets
from app.ingest.read import read_workbook
from app.ingest.safety import SafetyLimits
from app.ingest.validate import check_cells
from app.periods import parse_period

LIMITS = SafetyLimits()
# A period each demo template is returned for: Q3 leaves Cambridgeshire's Q4 optional.
PERIODS = {
    "appendix-2-da-sv-outputs": "Dec 2015 - Mar 2016",
    "table-2-da-sv-outcomes": "Dec 2015 - Mar 2016",
    "cambridgeshire-da-quarterly": "2015/16 Q3",
    "rotherham-table-4": "Oct 2017",
    "dhr-budget-return": "2015/16",
}
NUMBER_ENTRIES = (12, 7.5, "1,400 (estimate)", "N/A - not yet released", None, "30 (provisional)", 0, "N/A",
                  "£25,500", "-", 55, "about ten", "N/A - survey not carried out")
TEXT_ENTRIES = ("Seen by the board", None, "Data from the new system")


def read_figures(defn, data: bytes, period: str) -> list[tuple]:
    """Every figure and target read from ``data`` with ``defn``, in a fixed order."""
    workbook, _ = read_workbook(data, LIMITS)
    plans = plan_sheets(defn, parse_period(period), max_figure=LIMITS.max_figure)
    map_workbook(workbook, plans)
    cells = check_cells(plans)
    return sorted(((v.indicator, v.area or "", v.period_key, v.measure, v.value if v.value is not None else "",
                    v.flag, v.note or "", v.sheet, v.cell) for v in cells.values + cells.targets), key=repr)


def filled_return(defn, period: str, seed: int, previous: bool = False, change=None) -> bytes:
    """The template's blank return with every cell typed in, cycling through the entries
    from ``seed``; ``previous``: with last period's grey block; then ``change(workbook)``."""
    spec = parse_period(period)
    fields = expand_fields(defn, spec)
    data = build_blank_return(defn, template_version=1, agency_slug="demo", agency_name="Demo agency",
                              period=spec, due_date=date(2030, 1, 1), generated_at=None,
                              previous_values={f.id: (3.0, "actual") for f in fields} if previous else None)
    positions = field_cells(defn, fields)
    numbers = itertools.islice(itertools.cycle(NUMBER_ENTRIES), seed, None)
    texts = itertools.islice(itertools.cycle(TEXT_ENTRIES), seed, None)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    for f in fields:
        sheet, ref = positions[f.id]
        workbook[sheet][ref] = next(texts) if f.rule.type == "text" else next(numbers)
    if change:
        change(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def spacer_row(workbook):
    workbook.worksheets[0].insert_rows(6)


def renamed(workbook):
    workbook.worksheets[0].title = "Our figures"


def first_column_moved_to_the_end(workbook):
    ws = workbook.worksheets[0]
    ws.move_range(f"C1:C{ws.max_row}", cols=ws.max_column + 1 - 2)


VARIANTS = {"as typed": (False, None), "last period's block": (True, None), "spacer row": (False, spacer_row),
            "renamed sheet": (False, renamed), "column moved": (False, first_column_moved_to_the_end)}


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("slug", list(PERIODS))
def test_demo_returns_read_the_same_through_the_tables_model(slug, variant):
    defn = next(d for d in demo_definitions() if d.slug == slug)
    previous, change = VARIANTS[variant]
    for seed in range(3):
        data = filled_return(defn, PERIODS[slug], seed, previous=previous, change=change)
        older = read_figures(defn, data, PERIODS[slug])
        tables = read_figures(definition_as_tables(defn), data, PERIODS[slug])
        assert older, "the return should hold figures"
        assert tables == older


def test_the_spread_of_entries_reaches_every_kind_of_figure():
    """The comparison above is only worth something if the returns hold estimates,
    provisional figures, N/A, notes, targets, several areas and several periods."""
    figures = [f for defn in demo_definitions() for seed in range(3)
               for f in read_figures(defn, filled_return(defn, PERIODS[defn.slug], seed), PERIODS[defn.slug])]
    assert {f[5] for f in figures} == {"actual", "estimate", "provisional", "not_available", "not_released"}
    assert {f[3] for f in figures} == {"value", "target"}
    assert any(f[6] == "Seen by the board" for f in figures)  # a note from a notes column
    cambridgeshire = {f[2] for f in figures if f[7] == "Quarterly MI"}
    assert {"2015/16 Q1", "2014/15 Q1", "2015/16 Q4"} <= cambridgeshire  # a quarter, a year earlier, a later one
    assert len({f[1] for f in figures}) >= 10  # the districts, LLR, the county, the refuges
