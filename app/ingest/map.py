"""Find a return's cells in an uploaded workbook by their labels, not by fixed positions.

Officers insert rows, move columns, add spacer rows, merge header cells and rename sheets;
the figures must still land in the right place. So, for each sheet of the definition:

1. the uploaded sheet: the one with the same name (case, spaces and punctuation do not
   count), else the unclaimed sheet holding most of its row labels (a renamed sheet).

Every sheet is read with one model, the tables of ``app.definition.model``: a sheet of an
older layout stands for one table (``app.definition.sheet_tables``), which the tables
reader finds (``app.ingest.tables.locate_table``) exactly as it finds an agency's own;
its figures are then read row at a time (``app.ingest.validate``), the way a return of
100,000 cells needs, and checked with the older layout's messages and cross rules. So:

2. the label column: the column holding most of the row labels and aliases; each row is
   the row of the sheet whose label (or an alias) matches, wherever it is;
3. the header row: of the rows above the first labelled row, the one whose cells match
   most column headers and aliases. A header cell may be merged across columns or rows,
   or split over two rows ("LLR" above "figure"): each column is read as its own text
   and as the text above it joined to its own;
4. each column by its header or alias, leftmost first, leaving out the grey reference
   block of last period's figures, which repeats the headers under a heading starting
   "Last period".

A required row or column that cannot be found is an error naming it; an optional one a
warning. When fewer than half of them are found, ``app.ingest.layout_diagnosis`` looks at
the sheet as a whole: a table turned round, figures on another sheet or missing headings
get that one error instead of the list. Rows and columns that are not part of the return but hold entries are warnings,
so nothing an officer typed is dropped without a word.

The definition's cells are handled by row and by column (``SheetPlan``): a return of
100,000 cells would take seconds to expand into ``Field`` objects one by one, and the
figures of a row, or of a column, share almost everything. ``SheetPlan.fields`` gives the
same fields as ``app.definition.expand_fields`` (a unit test holds them equal).
"""
from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from app.definition import (
    ColumnSlot,
    Field,
    FieldRule,
    RowSpec,
    SheetLayout,
    TableSpec,
    TemplateDefinition,
    column_rule,
    normalise_label,
    sheet_labels,
    sheet_slots,
    sheet_tables,
    slot_measure,
    slot_period,
)
from app.ingest.layout_diagnosis import diagnose, expected_for_sheet
from app.ingest.problems import Problem
from app.ingest.read import SheetGrid, WorkbookData, cell_ref, column_letters
from app.ingest.tables import REFERENCE_HEADING, TableFigure, TableLocation, locate_table, read_tables
from app.vocabulary import MAX_FIGURE
from app.periods import PeriodSpec, parse_period

# Sheets that are never a return sheet: the blank return's own, and the "Problems" sheet
# an annotated workbook starts with (an officer may upload that file again).
NOT_RETURN_SHEETS = frozenset({"instructions", "meta", "problems"})
UNIT_HEADER = "unit"
# A renamed sheet is recognised when it holds at least this share of the sheet's row labels.
RENAMED_SHEET_SHARE = 0.5


@dataclass(eq=False)
class RowPlan:
    """One row of a definition sheet, and where it was found in the upload."""

    index: int
    spec: RowSpec
    area: str | None  # the row's area, else the sheet's default area
    optional_rule: FieldRule  # the row's rule, not required (for periods after the return's)
    grid_row: int | None = None
    number: str = ""  # the uploaded row as Excel numbers it ("7")

    @functools.cached_property
    def labels(self) -> tuple[str, ...]:
        """Label and aliases, normalised (only needed when a label is not typed exactly)."""
        return tuple(dict.fromkeys(normalise_label(t) for t in [self.spec.label, *self.spec.aliases]))

    @functools.cached_property
    def key(self) -> str:
        # Worked out when first needed (a field id): a slug per row is not free on 5,000 rows.
        return self.spec.key

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def indicator(self) -> str:
        return self.spec.indicator

    @property
    def rule(self) -> FieldRule:
        return self.spec.rule


@dataclass(eq=False)
class SlotPlan:
    """One column of a definition sheet (``app.definition.ColumnSlot``), and where it was
    found in the upload."""

    slot: ColumnSlot
    key: str  # the slot's part of a field id (ColumnSlot.key)
    measure: str  # value | target | comment
    role: str  # input | total | reference
    period: PeriodSpec
    period_key: str
    area: str | None  # the column's own area, which wins over the row's
    optional: bool  # a previous-year companion, or a period ending after the return's
    fixed_rule: FieldRule | None  # the column's rule; None: each row's rule applies
    grid_col: int | None = None
    letters: str = ""  # the uploaded column as Excel names it ("C")

    @property
    def header(self) -> str:
        return self.slot.header

    @property
    def is_entered(self) -> bool:
        return self.role != "reference"

    def rule_for(self, row: RowPlan) -> FieldRule:
        if self.fixed_rule is not None:
            return self.fixed_rule
        return row.optional_rule if self.optional else row.spec.rule


@dataclass(eq=False)
class SheetPlan:
    """A definition sheet as rows × columns, and the uploaded sheet it was found in."""

    layout: SheetLayout
    rows: list[RowPlan]
    slots: list[SlotPlan]
    grid: SheetGrid | None = None
    header_row: int | None = None
    label_col: int | None = None
    period: PeriodSpec | None = None  # the return's period (a "tables" sheet resolves its periods against it)
    max_figure: Mapping[str, float] = field(default_factory=lambda: MAX_FIGURE)  # see ``bounded``
    # A "tables" sheet: each figure the engine found, with the row and column plans made for it.
    table_cells: list[tuple[TableFigure, RowPlan, SlotPlan]] | None = None
    # An older-layout sheet: the table it stands for (``app.definition.as_tables``), whose
    # rows are ``rows`` and whose columns are ``slots``, in order; found as tables are.
    table: TableSpec | None = None

    @property
    def name(self) -> str:
        """The uploaded sheet's name (as the officer sees it), else the definition's."""
        return self.grid.name if self.grid is not None else self.layout.name

    @property
    def found_rows(self) -> list[RowPlan]:
        return [row for row in self.rows if row.grid_row is not None]

    @property
    def found_slots(self) -> list[SlotPlan]:
        return [slot for slot in self.slots if slot.grid_col is not None and slot.is_entered]

    def field_id(self, row: RowPlan, slot: SlotPlan) -> str:
        return f"{self.layout.name}|{row.key}|{slot.key}"

    def field(self, row: RowPlan, slot: SlotPlan) -> Field:
        """The ``Field`` of one cell, as ``expand_fields`` makes it."""
        return Field(
            id=self.field_id(row, slot), sheet=self.layout.name, row_index=row.index,
            column_index=slot.slot.column_index, row_label=row.label, column_header=slot.header,
            column_key=slot.key, indicator=row.indicator, area=slot.area or row.area, period_key=slot.period_key,
            measure=slot.measure, rule=slot.rule_for(row), role=slot.role,
        )

    def fields(self) -> list[Field]:
        return [self.field(row, slot) for row in self.rows for slot in self.slots]


@functools.lru_cache(maxsize=256)
def _not_required(rule: FieldRule) -> FieldRule:
    return rule if not rule.required else replace(rule, required=False)


def bounded(rule: FieldRule, max_figure: Mapping[str, float]) -> FieldRule:
    """``rule`` with its range kept within the largest sane figure for its kind of cell
    (``app.vocabulary.MAX_FIGURE``), so a 1E+160 typed anywhere is refused with the range
    message rather than stored."""
    bound = max_figure.get(rule.type)
    if bound is None:
        return rule
    return _bounded(rule, float(bound))


@functools.lru_cache(maxsize=1024)
def _bounded(rule: FieldRule, bound: float) -> FieldRule:
    low = -bound if rule.min is None else max(rule.min, -bound)
    high = bound if rule.max is None else min(rule.max, bound)
    return rule if (low, high) == (rule.min, rule.max) else replace(rule, min=low, max=high)


def plan_sheets(defn: TemplateDefinition, period: PeriodSpec, area_default: str | None = None, *,
                max_figure: Mapping[str, float] = MAX_FIGURE) -> list[SheetPlan]:
    """The definition's sheets as rows × columns for a return for ``period``; every rule
    bounded by ``max_figure``."""
    plans = []
    for sheet in defn.sheets:
        slots = []
        for slot in sheet_slots(sheet):
            slot_spec = slot_period(slot, period)
            optional = slot.previous_year or slot_spec.end > period.end
            fixed = column_rule(slot)
            fixed = None if fixed is None else bounded(fixed, max_figure)
            column = slot.column
            slots.append(SlotPlan(
                slot=slot, key=slot.key, measure=slot_measure(slot),
                role=column.role if column is not None else "input",
                period=slot_spec, period_key=slot_spec.key,
                area=column.area if column is not None and column.area else None, optional=optional,
                fixed_rule=None if fixed is None else (_not_required(fixed) if optional else fixed),
            ))
        rows = []
        # Rows share a handful of rules: each is bounded once (looked up by value).
        rules: dict[FieldRule, tuple[FieldRule, FieldRule]] = {}
        for r, row in enumerate(sheet.rows):
            found = rules.get(row.rule)
            if found is None:
                rule = bounded(row.rule, max_figure)
                found = rules[row.rule] = (rule, _not_required(rule))
            rule, optional_rule = found
            spec = row if rule == row.rule else _with_rule(row, rule)
            rows.append(RowPlan(index=r, spec=spec, area=row.area or sheet.default_area or area_default,
                                optional_rule=optional_rule))
        tables = sheet.layout == "tables"
        plans.append(SheetPlan(layout=sheet, rows=rows, slots=slots, period=period,
                               table_cells=[] if tables else None, max_figure=max_figure,
                               table=None if tables else sheet_tables(sheet)[0]))
    return plans


def _with_rule(row: RowSpec, rule: FieldRule) -> RowSpec:
    """A copy of ``row`` with another rule: ``dataclasses.replace`` without re-running
    ``__init__``, which cost 10 ms on a 5,000-row return whose every rule is bounded."""
    copy = object.__new__(RowSpec)
    copy.__dict__.update(row.__dict__)
    copy.rule = rule
    return copy


# ---- mapping ---------------------------------------------------------------------------

def map_workbook(workbook: WorkbookData, plans: list[SheetPlan]) -> list[Problem]:
    """Find every plan's sheet, rows and columns in ``workbook`` (filling in ``grid``,
    ``grid_row`` and ``grid_col``); return the problems met, in sheet order."""
    problems: list[Problem] = []
    claimed: set[str] = set()
    by_name = {normalise_label(grid.name): grid for grid in workbook.sheets}
    # First the sheets found by name, so a renamed sheet cannot take another's place.
    for plan in plans:
        grid = by_name.get(normalise_label(plan.layout.name))
        if grid is not None and grid.name not in claimed:
            plan.grid = grid
            claimed.add(grid.name)
    for plan in plans:
        if plan.grid is None:
            plan.grid = _sheet_with_labels(workbook, plan, claimed)
            if plan.grid is not None:
                claimed.add(plan.grid.name)
        if plan.grid is None:
            problems.append(_missing_sheet(plan))
            continue
        if plan.table_cells is not None:
            problems.extend(map_tables(plan, _candidate_sheets(workbook, claimed)))
        else:
            problems.extend(_SheetMapper(plan, lambda: _candidate_sheets(workbook, claimed)).run())
    return problems


def map_tables(plan: SheetPlan, other_sheets: Sequence[SheetGrid] = ()) -> list[Problem]:
    """A "tables" sheet: the engine finds each figure and what it is of
    (``app.ingest.tables``); each gets a row plan (its grid row, indicator and area) and a
    column plan (its grid column, period and measure), so the checks, the preview and the
    store handle it as any other cell. ``other_sheets``: where to look for a table that is
    not on its sheet."""
    figures, problems = read_tables(plan.grid, plan.layout, plan.period, other_sheets=other_sheets)
    rows: dict[tuple, RowPlan] = {}
    slots: dict[tuple, SlotPlan] = {}
    for figure in figures:
        figure = replace(figure, rule=bounded(figure.rule, plan.max_figure))
        row_key = (figure.row, figure.indicator, figure.area)
        row = rows.get(row_key)
        if row is None:
            spec = RowSpec(label=figure.headers[0] if figure.headers else "", indicator=figure.indicator,
                           area=figure.area, rule=figure.rule)
            row = rows[row_key] = RowPlan(index=len(rows), spec=spec, area=figure.area,
                                          optional_rule=_not_required(figure.rule), grid_row=figure.row,
                                          number=str(figure.row + 1))
        slot_key = (figure.col, figure.period_key, figure.measure)
        slot = slots.get(slot_key)
        if slot is None:
            letters = column_letters(figure.col)
            header = figure.headers[1] if len(figure.headers) > 1 else letters
            column = ColumnSlot(f"{letters}|{figure.period_key}|{figure.measure}", header, figure.col, None)
            slot = slots[slot_key] = SlotPlan(
                slot=column, key=column.key, measure=figure.measure, role="input",
                period=parse_period(figure.period_key), period_key=figure.period_key, area=None, optional=False,
                fixed_rule=None, grid_col=figure.col, letters=letters)
        plan.table_cells.append((figure, row, slot))
    # Only the plans of figures to store: a check-only total or a comment names no indicator or area.
    stored = [(row, slot) for figure, row, slot in plan.table_cells
              if figure.treat == "figure" and figure.measure != "comment"]
    plan.rows = list({id(row): row for row, _ in stored}.values())
    plan.slots = list({id(slot): slot for _, slot in stored}.values())
    return problems


def _candidate_sheets(workbook: WorkbookData, claimed: set[str]) -> list[SheetGrid]:
    return [grid for grid in workbook.sheets
            if grid.name not in claimed and normalise_label(grid.name).lstrip() not in NOT_RETURN_SHEETS]


def _label_texts(grid: SheetGrid) -> dict[str, list[tuple[int, int]]]:
    """Normalised text of every text cell → where it is (row, column)."""
    found: dict[str, list[tuple[int, int]]] = {}
    for key, value in grid.texts:
        found.setdefault(normalise_label(value), []).append(key)
    return found


def _sheet_with_labels(workbook: WorkbookData, plan: SheetPlan, claimed: set[str]) -> SheetGrid | None:
    """The unclaimed sheet holding most of this sheet's row labels, if enough of them."""
    best, best_count = None, 0
    labels = [tuple(normalise_label(t) for t in texts) for texts in sheet_labels(plan.layout)]
    for grid in _candidate_sheets(workbook, claimed):
        texts = _label_texts(grid)
        count = sum(1 for row_labels in labels if any(label in texts for label in row_labels))
        if count > best_count:
            best, best_count = grid, count
    needed = max(1, round(RENAMED_SHEET_SHARE * len(labels)))
    return best if best_count >= needed else None


def _missing_sheet(plan: SheetPlan) -> Problem:
    if plan.table_cells is not None:  # the agency's own spreadsheet: there is no blank return to copy into
        labels = sheet_labels(plan.layout)
        example = labels[0][0] if labels else ""
        required = any(h.required for t in plan.layout.tables for h in (*t.rows, *t.columns))
        return Problem(None, None, (
            f"The workbook has no sheet called '{plan.layout.name}', and no other sheet holds its labels"
            + (f" (such as '{example}')" if example else "")
            + f". Upload the spreadsheet with that sheet, or rename your sheet back to '{plan.layout.name}'."),
            "error" if required else "warning")
    example = plan.rows[0].label if plan.rows else ""
    required = any(slot.rule_for(row).required for row in plan.rows for slot in plan.slots if slot.is_entered)
    message = (
        f"The workbook has no sheet called '{plan.layout.name}', and no other sheet holds its row labels"
        + (f" (such as '{example}')" if example else "")
        + ". Copy your figures into that sheet of the blank return, or rename your sheet back to "
        f"'{plan.layout.name}', and upload it again."
    )
    return Problem(None, None, message, "error" if required else "warning")


class _SheetMapper:
    """Finds one plan's rows and columns in its uploaded sheet.

    When fewer than half of the rows or columns are found, the sheet as a whole is looked
    at (``app.ingest.layout_diagnosis``): a table turned round, figures on another sheet or
    missing headings are reported as that one error, not as a list of what is missing."""

    def __init__(self, plan: SheetPlan, other_sheets: Callable[[], list[SheetGrid]] = list):
        self.plan = plan
        self.other_sheets = other_sheets
        self.grid = plan.grid
        self.sheet = plan.grid.name
        self.problems: list[Problem] = []
        self.merged_top: dict[tuple[int, int], tuple[int, int]] = {}
        self.normalised: dict[tuple[int, int], str] = {}
        self.repeated_columns: dict[str, list[int]] = {}
        self.location = TableLocation()

    def add(self, cell: str | None, message: str, severity: str = "error", **header) -> None:
        self.problems.append(Problem(self.sheet, cell, message, severity, **header))

    def run(self) -> list[Problem]:
        if not self.find_rows():
            return self.diagnosed() or self.problems
        self.find_columns()
        if self.mostly_missing():
            diagnosed = self.diagnosed()
            if diagnosed:
                return diagnosed
        self.report_missing()
        self.report_extras()
        return self.problems

    # -- a sheet that does not fit
    def mostly_missing(self) -> bool:
        """Fewer than half of the rows, or of the columns, were found."""
        plan = self.plan
        columns = [slot for slot in plan.slots if slot.is_entered and not slot.slot.is_note]
        found_columns = sum(1 for slot in columns if slot.grid_col is not None)
        return 2 * len(plan.found_rows) < len(plan.rows) or 2 * found_columns < len(columns)

    def diagnosed(self) -> list[Problem]:
        """The one error saying what the sheet shows instead, if it is recognisable; the
        rows and columns found by chance are then not read."""
        diagnosis = diagnose(self.grid, expected_for_sheet(self.plan.layout), self.other_sheets())
        if diagnosis is None:
            return []
        for row in self.plan.rows:
            row.grid_row, row.number = None, ""
        for slot in self.plan.slots:
            slot.grid_col, slot.letters = None, ""
        self.plan.header_row = None
        return [Problem(self.sheet, None, diagnosis.message)]

    # -- rows and columns: found as the sheet's table is (``app.ingest.tables.locate_table``)
    def find_rows(self) -> bool:
        plan = self.plan
        self.location = location = locate_table(self.grid, plan.layout, plan.table, plan.period)
        if location.label_col is None:
            example = plan.rows[0].label if plan.rows else ""
            self.add(None, f"We could not find the row labels of this return on this sheet (such as '{example}'). "
                           "Keep the labels in the first column as in the blank return, and upload it again.")
            return False
        label_col = plan.label_col = location.label_col
        for r, index in location.rows:
            row = plan.rows[index]
            if row.grid_row is None:
                row.grid_row, row.number = r, str(r + 1)
            elif row.grid_row != r:
                self.add(cell_ref(r, label_col),
                         f"The row '{row.label}' appears twice, in rows {row.grid_row + 1} and {r + 1}; we read "
                         f"row {row.grid_row + 1}. Delete one of them and upload the return again.")
        return True

    def text(self, r: int, c: int) -> str:
        """The normalised text shown at (r, c), a merged cell's own text included."""
        key = (r, c)
        found = self.normalised.get(key)
        if found is None:
            value = self.grid.cells.get(self.merged_top.get(key, key))
            if value is None:
                found = ""
            elif value.__class__ is str:
                found = normalise_label(value)
            else:
                found = normalise_label(
                    str(int(value)) if value.__class__ is float and value.is_integer() else str(value)
                )
            self.normalised[key] = found
        return found

    def find_columns(self) -> None:
        plan, grid, location = self.plan, self.grid, self.location
        first_row = min(row.grid_row for row in plan.found_rows)
        for top, left, bottom, right in grid.merged:
            if top < first_row:
                for r in range(top, min(bottom, first_row - 1) + 1):
                    for c in range(left, min(right, grid.n_cols - 1) + 1):
                        self.merged_top[(r, c)] = (top, left)
        plan.header_row = location.header_row if location.columns else None
        if plan.header_row is None:
            return
        # The table's columns are the sheet's slots, in order (``app.definition.as_tables``).
        for col, index in location.columns.items():
            slot = plan.slots[index]
            slot.grid_col, slot.letters = col, column_letters(col)
        self.repeated_columns = {plan.slots[index].key: columns for index, columns in location.repeats.items()}

    def reference_columns(self, r: int) -> set[int]:
        """Columns under a "Last period" heading in this row or the one above (merged
        headings included): the grey block of last period's figures."""
        columns = set()
        for c in range(self.grid.n_cols):
            for rr in (r, r - 1):
                if rr >= 0 and self.text(rr, c).startswith(REFERENCE_HEADING):
                    columns.add(c)
        return columns

    # -- what is missing, and what is extra
    def report_missing(self) -> None:
        plan = self.plan
        found_rows = plan.found_rows
        where_headers = (f"in the header row (row {plan.header_row + 1})" if plan.header_row is not None
                         else "in a header row above the figures")
        for slot in plan.slots:
            if slot.grid_col is not None or not slot.is_entered or slot.slot.is_note:
                continue
            required = any(slot.rule_for(row).required for row in plan.rows)
            self.add(None, f"The column '{slot.header}' is missing: we look for that heading {where_headers}. "
                           + ("Put the column back with its heading as in the blank return, and upload it again."
                              if required else "Its figures were left empty."),
                     "error" if required else "warning")
        letters = column_letters(plan.label_col)
        for row in plan.rows:
            if row.grid_row is not None:
                continue
            required = any(slot.rule_for(row).required for slot in plan.slots if slot.is_entered)
            self.add(None, f"The row '{row.label}' is missing: we look for that label in column {letters}. "
                           + ("Put the row back with its label as in the blank return, and upload it again."
                              if required else "Its figures were left empty."),
                     "error" if required else "warning")
        if found_rows and plan.header_row is not None:
            for key, columns in self.repeated_columns.items():
                slot = next(s for s in plan.slots if s.key == key)
                shown = ", ".join(column_letters(c) for c in columns[1:])
                self.add(cell_ref(plan.header_row, columns[1]),
                         f"There is more than one column headed '{slot.header}' (also {shown}); we read column "
                         f"{column_letters(columns[0])}. Delete the extra column and upload the return again.",
                         "warning")

    def report_extras(self) -> None:
        """Rows below the header that are not in the return but hold entries in its
        columns; columns inside the table that are not in the return but hold entries."""
        plan, grid = self.plan, self.grid
        if plan.header_row is None:
            return
        mapped_rows = {row.grid_row for row in plan.rows if row.grid_row is not None}
        mapped_cols = {slot.grid_col for slot in plan.slots if slot.grid_col is not None}
        ignored_cols = self.reference_columns(plan.header_row) | mapped_cols | {plan.label_col}
        ignored_cols |= {c for c in range(grid.n_cols) if self.text(plan.header_row, c) == UNIT_HEADER}
        header_row, label_col, cells = plan.header_row, plan.label_col, grid.cells
        # Looked up by the few unmapped rows and columns, not by walking every cell: most
        # cells of a large return are the figures that were read.
        below = range(header_row + 1, grid.n_rows)
        other_cols = [c for c in range(grid.n_cols) if c not in ignored_cols]
        extra_cols: Counter[int] = Counter(
            c for r in sorted(mapped_rows) if r > header_row for c in other_cols if (r, c) in cells)
        in_mapped_cols = sorted(c for c in mapped_cols if c != label_col)
        extra_rows: dict[int, int] = {}
        for r in below:
            if r not in mapped_rows:
                first = next((c for c in in_mapped_cols if (r, c) in cells), None)
                if first is not None:
                    extra_rows[r] = first
        for r in sorted(extra_rows):
            label = grid.cells.get((r, label_col))
            if isinstance(label, str) and label.strip():
                self.add(cell_ref(r, label_col),
                         f"The row '{_shorten(label)}' is not part of this return, so its entries were not "
                         "imported. If it should be, give it the label it has in the blank return.", "warning",
                         header=" ".join(label.split()), header_kind="row")
            else:
                self.add(cell_ref(r, extra_rows[r]),
                         f"Row {r + 1} has entries but no label, so they were not imported. Give the row its "
                         "label from the blank return, or clear it.", "warning")
        for c in sorted(extra_cols):
            heading = grid.cells.get((header_row, c))
            named = f"headed '{_shorten(str(heading))}' " if heading is not None else ""
            self.add(cell_ref(header_row, c),
                     f"Column {column_letters(c)} {named}is not part of this return, so its entries were not "
                     "imported. If it should be, give it the heading it has in the blank return.", "warning",
                     **({"header": " ".join(str(heading).split()), "header_kind": "column"} if named else {}))


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."

