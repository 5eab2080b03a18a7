"""Normalise and check every cell of a mapped return: the template's rules, its cross-field
rules and the agency's own history. Every problem is collected; none stops the others.

- Rules (per cell): a formula without a saved result or an error cell ('#DIV/0!') is an
  error; a value is normalised as people type it (``normalise_value``: '£25,500',
  '(1,589)', '1,400 (estimate)', 'N/A - reason', a percent-formatted 0.75 ...); then
  required, the type, minimum and maximum, whether N/A is allowed and needs a reason. A
  blank or a dash is missing, never zero. A stored figure is a number: a date figure is
  kept as its Excel serial with the date in its note, and text in a text-type figure
  becomes a note on its row's figures, as the notes column does.
- Notes belong to cells: a note typed beside a row (the notes column, a comment column)
  applies to the figures of that row whose area it names, by the column's header or one
  of its aliases ("Melton figure estimated" is Melton's figure's note alone), and to every
  figure of the row only when it names none (``figures_named``).
- Cross rules (``CrossRule``): a total equals the sum of its parts, parts are no more
  than a total (repeats ≤ cases), percentages lie within 0–100. Checked only where every
  figure involved is there; a failure names the cells and figures. When a figure involved
  is an estimate or provisional, a failed check is a warning, not an error.
- Saved sums (``check_saved_sums``): a figure whose cell holds a formula adding up other
  cells (=SUM(C6:C11), =C6+C7+C8) is compared with the sum of the cells it adds up, as
  read: a saved result that disagrees means the file was not recalculated (a program
  that writes formulas without working them out, or calculation set to manual). A warning.
- History (``check_history``): see ``OUTLIER_RULE``. A warning, which the officer
  confirms with a comment before the return is stored.

Plain figures (most of a 100,000-cell return) take a short path in ``check_cells`` with
no call to ``normalise_value``: a whole float in a whole, decimal or money cell is that
figure, exactly as ``normalise_value`` would return it.
"""
from __future__ import annotations

import functools
import itertools
import math
import operator
import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, NamedTuple


from app.definition import NUMERIC_TYPES, CrossRule, TemplateDefinition, cross_rule_cells
from app.ingest.map import RowPlan, SheetPlan, SlotPlan
from app.ingest.normalise import PLAIN_NUMBER_TYPES, collect_footnotes, normalise_value
from app.ingest.problems import Problem
from app.ingest.read import CellKey, cell_ref, parse_ref
from app.ingest.tables import TableFigure, apply_transform, blank_means, check_only_problems
from app.vocabulary import EMPTY_CELL, FLAGS_WITHOUT_VALUE

if TYPE_CHECKING:
    import numpy as np

# numpy is imported where the cross rules use it, not when the app starts (issue 16).

EXCEL_EPOCH = date(1899, 12, 30)

OUTLIER_PERIODS = 4
OUTLIER_MIN_HISTORY = 2
OUTLIER_RATIO = 3.0
OUTLIER_MIN_DIFFERENCE = 10.0
OUTLIER_RULE = (
    f"A figure is flagged when the agency has at least {OUTLIER_MIN_HISTORY} earlier figures for the same "
    f"indicator and area, for periods of the same length ending before this one, and the figure is more than "
    f"{OUTLIER_RATIO:g} times, or less than a third of, the median of the last {OUTLIER_PERIODS} of them, and "
    f"differs from that median by more than {OUTLIER_MIN_DIFFERENCE:g}: small counts move a lot from period "
    "to period without being wrong."
)


class ParsedValue(NamedTuple):
    """One figure read from the upload: where it came from and what it says."""

    plan: SheetPlan
    row: RowPlan
    slot: SlotPlan
    value: float | None
    flag: str  # actual | estimate | provisional | not_available | not_released
    note: str | None

    @property
    def sheet(self) -> str:
        return self.plan.name

    @property
    def cell(self) -> str:
        return self.slot.letters + self.row.number

    @property
    def location(self) -> str:
        return f"{self.plan.name}!{self.cell}"

    @property
    def indicator(self) -> str:
        return self.row.spec.indicator

    @property
    def area(self) -> str | None:
        return self.slot.area or self.row.area

    @property
    def period_key(self) -> str:
        return self.slot.period_key

    @property
    def measure(self) -> str:
        return self.slot.measure

    @property
    def field_id(self) -> str:
        return self.plan.field_id(self.row, self.slot)

    @property
    def key(self) -> tuple[str, str | None, str]:
        """(indicator, area, period key): what the figure is of."""
        return self.row.spec.indicator, self.slot.area or self.row.area, self.slot.period_key


# ParsedValue((...)) without the Python-level __new__ a NamedTuple has: most of a large
# return's figures are made here, on the short path.
_new_parsed_value = functools.partial(tuple.__new__, ParsedValue)


_ONLY_FLOAT = {float}


def all_plain(raws: list, rule) -> bool:
    """Whether every value is a plain figure within the rule's range: a whole float (any
    finite float unless the rule wants whole numbers), as ``normalise_value`` returns it."""
    # Loops in C (map, min, max): this runs for every row of a large return.
    if set(map(type, raws)) != _ONLY_FLOAT:
        return False
    if (rule.min is not None and min(raws) < rule.min) or (rule.max is not None and max(raws) > rule.max):
        return False
    if rule.type == "whole":
        return all(map(float.is_integer, raws))
    return all(map(math.isfinite, raws))


@dataclass
class CheckedCells:
    values: list[ParsedValue] = field(default_factory=list)  # figures (measure "value")
    targets: list[ParsedValue] = field(default_factory=list)  # measure "target"
    problems: list[Problem] = field(default_factory=list)


# ---- per cell -------------------------------------------------------------------------

def check_cells(plans: list[SheetPlan]) -> CheckedCells:
    """Every found cell of every plan, normalised and checked against its rule."""
    out = CheckedCells()
    for plan in plans:
        if plan.grid is not None:
            (_TableCellChecker if plan.table_cells is not None else _CellChecker)(plan, out).run()
    return out


def _describe(row: RowPlan, slot: SlotPlan) -> str:
    return f"'{row.label}' ({slot.header})"


def _show(number: float) -> str:
    if abs(number) >= 1e15:  # as a spreadsheet shows it: 1E+160, not 161 digits
        return f"{number:.6G}".replace("E+0", "E+").replace("E-0", "E-")
    if float(number).is_integer():
        return f"{int(number):,}"
    return f"{number:,.4f}".rstrip("0").rstrip(".")


def _area_names(slot: SlotPlan) -> tuple[str, ...]:
    """The names a figure's area is known by on its sheet: its column's header and aliases,
    when the column is an area's (a row's own area is the same for all the row's figures)."""
    column = slot.slot.column
    if slot.area is None or column is None:
        return ()
    return (column.header, *column.aliases)


@functools.lru_cache(maxsize=4096)
def _name_pattern(name: str) -> re.Pattern:
    return re.compile(rf"(?<!\w){re.escape(name.strip())}(?!\w)", re.IGNORECASE)


def figures_named(text: str, names: list[tuple[str, ...]]) -> list[int]:
    """Which figures a note is about: those (by index) one of whose names it contains as
    words ("Melton figure estimated" names Melton's), else all of them."""
    named = [k for k, known in enumerate(names)
             if any(len(name.strip()) > 1 and _name_pattern(name).search(text) for name in known)]
    return named or list(range(len(names)))


class _CellChecker:
    def __init__(self, plan: SheetPlan, out: CheckedCells):
        self.plan = plan
        self.out = out
        self.sheet = plan.name
        grid = plan.grid
        self.cells = grid.cells
        self.footnotes = collect_footnotes(text for _, text in grid.texts)
        self.comments: list[tuple[SlotPlan, str]] = []  # the current row's notes

    def problem(self, row: RowPlan, slot: SlotPlan, message: str, severity: str = "error") -> None:
        self.out.problems.append(Problem(self.sheet, slot.letters + row.number, message, severity))

    def run(self) -> None:
        plan, cells = self.plan, self.cells
        slots = plan.found_slots
        comment_slots = [s for s in slots if s.measure == "comment"]
        values, targets = self.out.values, self.out.targets
        # The columns of figures that follow each row's own rule (most of a large return),
        # and the rest: (slot, column, its own rule, whether optional, where figures go).
        by_row_rule = [s for s in slots if s.measure == "value" and s.fixed_rule is None and not s.optional]
        by_row_columns = [s.grid_col for s in by_row_rule]
        others = [(s, s.grid_col, s.fixed_rule, s.optional, targets if s.measure == "target" else values)
                  for s in slots if s.measure != "comment" and s not in by_row_rule]
        get = cells.get
        new_value = _new_parsed_value
        for row in plan.found_rows:
            grid_row, row_rule, optional_rule = row.grid_row, row.spec.rule, row.optional_rule
            self.comments = comments = [c for s in comment_slots if (c := self.comment(row, s))]
            first_value, first_target = len(values), len(targets)
            raws = list(map(get, zip(itertools.repeat(grid_row), by_row_columns)))
            if raws and row_rule.type in PLAIN_NUMBER_TYPES and all_plain(raws, row_rule):
                values.extend(map(new_value, zip(itertools.repeat(plan), itertools.repeat(row), by_row_rule, raws,
                                                 itertools.repeat("actual"), itertools.repeat(None))))
            else:
                for slot, raw in zip(by_row_rule, raws):
                    self.read_cell(row, slot, row_rule, raw, values)
            for slot, col, fixed_rule, optional, stored in others:
                self.read_cell(row, slot, fixed_rule or (optional_rule if optional else row_rule), get((grid_row, col)),
                               stored)
            if comments:
                self.attach(comments, values, first_value, targets, first_target, row)

    def read_cell(self, row: RowPlan, slot: SlotPlan, rule, raw, stored: list) -> None:
        rule_type = rule.type
        # The short path: what normalise_value returns for a plain figure.
        if raw.__class__ is float and rule_type in PLAIN_NUMBER_TYPES and (
                raw.is_integer() or (rule_type != "whole" and raw - raw == 0.0)):
            if (rule.min is not None and raw < rule.min) or (rule.max is not None and raw > rule.max):
                self.out_of_range(row, slot, rule, raw)
            else:
                stored.append(_new_parsed_value((self.plan, row, slot, raw, "actual", None)))
            return
        parsed = self.slow_path(row, slot, rule, raw)
        if parsed is not None:
            stored.append(parsed)

    def comment(self, row: RowPlan, slot: SlotPlan) -> tuple[SlotPlan, str] | None:
        raw = self.cells.get((row.grid_row, slot.grid_col))
        if raw is None:
            self.unreadable(row, slot)
            return None
        parsed, message = normalise_value(raw, "text")
        if message:
            self.problem(row, slot, message)
            return None
        return (slot, parsed.value) if parsed.value else None

    def attach(self, comments, values, first_value, targets, first_target, row: RowPlan) -> None:
        """A row's notes and comments become the note of the figures each names, or of
        every figure of the row when it names none (``figures_named``)."""
        figures = [(stored, i) for stored, start in ((values, first_value), (targets, first_target))
                   for i in range(start, len(stored))]
        names = [_area_names(stored[i].slot) for stored, i in figures]
        for _, text in comments:
            for stored, i in (figures[k] for k in figures_named(text, names)):
                own = stored[i].note
                stored[i] = stored[i]._replace(note=f"{own}; {text}" if own else text)
        if len(values) == first_value and len(targets) == first_target:
            for slot, _ in comments:
                self.problem(row, slot, "This note was not stored, because its row has no figures. Put the note "
                                        "beside a figure, or give it as the comment when you submit.", "warning")

    def unreadable(self, row: RowPlan, slot: SlotPlan) -> bool:
        """An empty-looking cell that is really a formula without its result, or an error."""
        key = (row.grid_row, slot.grid_col)
        grid = self.plan.grid
        if key in grid.formula_no_value:
            self.problem(row, slot, "This cell has a formula whose result was not saved with the file, so we cannot "
                                    "read its value. Open the workbook in Excel or LibreOffice, save it, and upload "
                                    "it again.")
            return True
        if key in grid.error_cells:
            shown = grid.error_cells[key] or "an error"
            self.problem(row, slot, f"This cell shows {shown}, an error from its formula. Correct the formula, or "
                                    "type the figure, and upload the return again.")
            return True
        return False

    def slow_path(self, row: RowPlan, slot: SlotPlan, rule, raw) -> ParsedValue | None:
        if raw is None and self.unreadable(row, slot):
            return None
        key = (row.grid_row, slot.grid_col)
        normalised, message = normalise_value(raw, rule.type, percent_formatted=key in self.plan.grid.percent_cells,
                                              footnotes=self.footnotes)
        if message:
            self.problem(row, slot, message)
            return None
        flag = normalised.flag
        if flag == EMPTY_CELL:
            if rule.required:
                na = " If you do not have it, write N/A and the reason." if rule.allow_na else ""
                self.problem(row, slot, f"Enter the figure for {_describe(row, slot)}: it is required, and an "
                                        f"empty cell is not read as 0.{na}")
            return None
        if flag in FLAGS_WITHOUT_VALUE:
            if not rule.allow_na:
                self.problem(row, slot, f"'N/A' is not accepted for {_describe(row, slot)}: enter the figure. "
                                        "An estimate is fine, written like 1,400 (estimate).")
                return None
            if rule.na_needs_reason and not normalised.reason:
                self.problem(row, slot, f"Say why {_describe(row, slot)} is not available: write N/A, a dash and "
                                        "the reason, e.g. 'N/A - survey not yet carried out'.")
                return None
            return ParsedValue(self.plan, row, slot, None, flag, normalised.reason)
        value, note = normalised.value, normalised.note
        if rule.type == "text":
            # A stored figure is a number: text the template asks for is kept as a note on the row.
            self.comments.append((slot, value))
            return None
        if isinstance(value, date):
            note = "; ".join(filter(None, [value.isoformat(), note]))
            value = float((value - EXCEL_EPOCH).days)
        elif (rule.min is not None and value < rule.min) or (rule.max is not None and value > rule.max):
            self.out_of_range(row, slot, rule, value)
            return None
        return ParsedValue(self.plan, row, slot, value, flag, note)

    def out_of_range(self, row: RowPlan, slot: SlotPlan, rule, value: float) -> None:
        unit = "%" if rule.type == "percent" else ""
        if rule.min is not None and value < rule.min:
            self.problem(row, slot, f"{_show(value)}{unit} is less than {_show(rule.min)}{unit}, the lowest figure "
                                    f"allowed for {_describe(row, slot)}. Check the figure.")
        else:
            self.problem(row, slot, f"{_show(value)}{unit} is more than {_show(rule.max)}{unit}, the highest figure "
                                    f"allowed for {_describe(row, slot)}. Check the figure.")


class _TableCellChecker(_CellChecker):
    """The cells of a "tables" sheet, figure by figure (these are agencies' own small
    tables, not the 100,000-cell returns the row-at-a-time path is for). A cell is normalised
    by its rule, then transformed (sign, scale); the rule's bounds apply to the figure as
    stored. A blank means what the header says (not returned, or not available). Check-only
    cells are compared with what the other figures make, never stored; a comment cell
    becomes the note of the figures on its row."""

    def run(self) -> None:
        plan, out = self.plan, self.out
        numbers: dict[tuple[int, int], float | None] = {}
        notes: dict[tuple[str, int], list[str]] = {}
        texts: dict[tuple[str, int], list[str]] = {}
        stored_from: list[tuple[list, int, TableFigure]] = []
        for figure, row, slot in plan.table_cells:
            if figure.measure == "comment":
                parsed, _ = normalise_value(figure.raw, "text")
                if parsed is not None and parsed.value:
                    notes.setdefault((figure.table, figure.row), []).append(parsed.value)
                continue
            self.comments = []
            if figure.treat == "check_only":
                # A change is a percentage; a total is read as leniently as a figure can be.
                kind = "percent" if figure.check == "percent_change" else (
                    figure.rule.type if figure.rule.type in ("money", "percent") else "decimal")
                parsed, _ = normalise_value(figure.raw, kind, footnotes=self.footnotes,
                                            percent_formatted=(figure.row, figure.col) in plan.grid.percent_cells)
                value = parsed.value if parsed is not None and isinstance(parsed.value, float) else None
                numbers[(figure.row, figure.col)] = apply_transform(value, figure.transforms)
                continue
            stored = out.targets if figure.measure == "target" else out.values
            if figure.raw is None and blank_means(figure.transforms) == "not_available":
                if not self.unreadable(row, slot):
                    stored.append(ParsedValue(plan, row, slot, None, "not_available", None))
                    stored_from.append((stored, len(stored) - 1, figure))
                continue
            parsed = self.slow_path(row, slot, replace(figure.rule, min=None, max=None), figure.raw)
            if self.comments:  # text in a text-type figure: a note on its row, after the comment columns'
                texts.setdefault((figure.table, figure.row), []).extend(text for _, text in self.comments)
            if parsed is None:
                continue
            if parsed.value is not None:
                value = apply_transform(parsed.value, figure.transforms)
                rule = figure.rule
                if (rule.min is not None and value < rule.min) or (rule.max is not None and value > rule.max):
                    self.out_of_range(row, slot, rule, value)
                    continue
                parsed = parsed._replace(value=value)
            numbers[(figure.row, figure.col)] = parsed.value
            stored.append(parsed)
            stored_from.append((stored, len(stored) - 1, figure))
        for key, extra in texts.items():
            notes.setdefault(key, []).extend(extra)
        by_row: dict[tuple[str, int], list[tuple[list, int, TableFigure]]] = {}
        for entry in stored_from:
            by_row.setdefault((entry[2].table, entry[2].row), []).append(entry)
        for key, entries in by_row.items():
            extra = notes.get(key)
            if not extra:
                continue
            # Names only tell figures apart on a row whose figures are of different areas.
            several_areas = len({figure.area for _, _, figure in entries}) > 1
            names = [(figure.headers[1],) if several_areas and figure.area and len(figure.headers) > 1 else ()
                     for _, _, figure in entries]
            mine: dict[int, list[str]] = {}
            for text in extra:
                for k in figures_named(text, names):
                    mine.setdefault(k, []).append(text)
            for k, texts_here in mine.items():
                stored, index, _ = entries[k]
                own = stored[index].note
                stored[index] = stored[index]._replace(note="; ".join(filter(None, [own, *texts_here])))
        out.problems.extend(check_only_problems([f for f, _, _ in plan.table_cells], numbers))


# ---- cross-field rules -----------------------------------------------------------------
#
# ``cross_rule_cells`` decides which cells a rule combines; here its combinations are laid
# out as arrays over the plans (``_RuleGrid``) and evaluated with numpy, so a rule checked
# on each row of a 1,250-row sheet makes no ``Field`` per cell. Only a failed check is
# worded, with the cells and figures involved.

@dataclass(frozen=True)
class PlannedCheck:
    """One concrete check of a cross rule, on a plan's cells (``app.definition.CrossCheck``
    by rows and columns: ``expand_cross_rules`` needs every ``Field`` of the sheet)."""

    plan: SheetPlan
    kind: str
    parts: tuple[tuple[RowPlan, SlotPlan], ...]
    total: tuple[RowPlan, SlotPlan] | None
    tolerance: float
    message: str  # the rule's own message, if it has one


@dataclass
class _RuleGrid:
    """Every combination a rule is checked for on one sheet: per selector (the parts, then
    the total), the row index and the slot position of its cell in each combination, and
    which combinations are checks (every cell entered and holding a figure)."""

    plan: SheetPlan
    rule: CrossRule
    rows: list[np.ndarray]
    slots: list[np.ndarray]
    valid: np.ndarray

    def check(self, k: int) -> PlannedCheck:
        cells = [(self.plan.rows[r[k]], self.plan.slots[s[k]]) for r, s in zip(self.rows, self.slots)]
        parts = len(self.rule.parts)
        return PlannedCheck(self.plan, self.rule.kind, tuple(cells[:parts]), cells[parts] if self.rule.total else None,
                            self.rule.tolerance, self.rule.message)


def _rule_grids(defn: TemplateDefinition, plans: list[SheetPlan]) -> list[_RuleGrid]:
    """The combinations of ``cross_rule_cells``, as arrays over the plans."""
    import numpy as np
    grids = []
    for rule_cells in cross_rule_cells(defn):
        plan = next((p for p in plans if p.layout is rule_cells.sheet), None)
        if plan is None or not plan.rows:
            continue
        # A plan's rows and slots are its sheet's rows and sheet_slots, in order.
        each_row = np.arange(len(plan.rows)) if rule_cells.each_row else np.zeros(1, int)
        each_slot = np.arange(len(plan.slots)) if rule_cells.each_slot else np.zeros(1, int)
        combinations = len(each_row) * len(each_slot)
        row_axis, slot_axis = np.repeat(each_row, len(each_slot)), np.tile(each_slot, len(each_row))
        usable = _usable_cells(plan)
        rows = [row_axis if r is None else np.full(combinations, r) for r, _ in rule_cells.cells]
        slots = [slot_axis if c is None else np.full(combinations, c) for _, c in rule_cells.cells]
        valid = np.logical_and.reduce([usable[r, c] for r, c in zip(rows, slots)])
        grids.append(_RuleGrid(plan, rule_cells.rule, rows, slots, valid))
    return grids


def _usable_cells(plan: SheetPlan) -> np.ndarray:
    """rows × slots: whether a cell is entered by the agency and holds a figure."""
    import numpy as np
    row_numeric = np.array([row.spec.rule.type in NUMERIC_TYPES for row in plan.rows])
    usable = np.zeros((len(plan.rows), len(plan.slots)), bool)
    for i, slot in enumerate(plan.slots):
        if slot.is_entered:
            usable[:, i] = row_numeric if slot.fixed_rule is None else slot.fixed_rule.type in NUMERIC_TYPES
    return usable


def planned_checks(defn: TemplateDefinition, plans: list[SheetPlan]) -> list[PlannedCheck]:
    """The checks ``expand_cross_rules`` would make, with rows and columns for fields."""
    import numpy as np
    return [grid.check(k) for grid in _rule_grids(defn, plans) for k in np.flatnonzero(grid.valid)]


def check_cross_rules(defn: TemplateDefinition, plans: list[SheetPlan], values: list[ParsedValue]) -> list[Problem]:
    import numpy as np
    grids = _rule_grids(defn, plans)
    checked = {id(grid.plan): grid.plan for grid in grids}
    by_plan: dict[int, list[ParsedValue]] = {pid: [] for pid in checked}
    for plan, run in itertools.groupby(values, key=operator.itemgetter(0)):  # a sheet's figures come together
        if id(plan) in by_plan:
            by_plan[id(plan)].extend(run)
    figures = {pid: _Figures(plan, by_plan[pid]) for pid, plan in checked.items()}
    problems = []
    for grid in grids:
        found = figures[id(grid.plan)]
        got = [found.numbers[r, s] for r, s in zip(grid.rows, grid.slots)]
        there = grid.valid & ~np.isnan(np.vstack(got)).any(axis=0)
        parts = len(grid.rule.parts)
        added = np.sum(got[:parts], axis=0)
        slack = grid.rule.tolerance + 1e-9
        with np.errstate(invalid="ignore"):
            if grid.rule.kind == "sum_equals":
                failed = there & (np.abs(added - got[parts]) > slack)
            elif grid.rule.kind == "less_or_equal":
                failed = there & (added > got[parts] + slack)
            else:  # percent_range
                failed = there & np.logical_or.reduce([(g < 0) | (g > 100) for g in got[:parts]])
        for k in np.flatnonzero(failed):
            check = grid.check(k)
            problems.extend(_evaluate(check, [found.value(cell) for cell in check.parts],
                                      found.value(check.total) if check.total else None))
    return problems


class _Figures:
    """One sheet's figures as a rows × slots array: NaN where there is no number (a blank,
    or N/A, whose value None becomes NaN)."""

    def __init__(self, plan: SheetPlan, mine: list[ParsedValue]):
        import numpy as np
        position = {id(slot): i for i, slot in enumerate(plan.slots)}
        self.numbers = np.full((len(plan.rows), len(plan.slots)), np.nan)
        if mine:
            rows = [v[1].index for v in mine]
            slots = [position[id(v[2])] for v in mine]
            self.numbers[rows, slots] = np.array([v[3] for v in mine], dtype=float)
        self.mine = mine
        self.by_cell: dict[tuple[int, int], ParsedValue] | None = None

    def value(self, cell: tuple[RowPlan, SlotPlan]) -> ParsedValue:
        """The figure of a cell, for wording a failed check (indexed on the first failure)."""
        if self.by_cell is None:
            self.by_cell = {(id(v[1]), id(v[2])): v for v in self.mine}
        return self.by_cell[(id(cell[0]), id(cell[1]))]


def _evaluate(check: PlannedCheck, parts: list[ParsedValue], total: ParsedValue | None) -> list[Problem]:
    """Problems (most often none) of one check; its message is only worded on failure."""
    if check.kind == "percent_range":
        outside = [v for v in parts if not 0 <= v.value <= 100]
        return [Problem(v.sheet, v.cell, f"{_own(check)}{_show(v.value)} is not a percentage from 0 to 100. Check "
                                         "the figure.", _severity(parts, total)) for v in outside]
    added = sum(v.value for v in parts)
    if check.kind == "sum_equals" and abs(added - total.value) > check.tolerance + 1e-9:
        return [Problem(total.sheet, total.cell,
                        f"{_own(check)}{_name(total, parts)} is {_show(total.value)}, but {_names(parts, total)} "
                        f"({_cells_text(parts)}) add up to {_show(added)}. Correct the total or the figures that "
                        "make it up.", _severity(parts, total))]
    if check.kind == "less_or_equal" and added > total.value + check.tolerance + 1e-9:
        verb = "is" if len(parts) == 1 else "add up to"
        return [Problem(parts[0].sheet, parts[0].cell,
                        f"{_own(check)}{_names(parts, total)} ({_cells_text(parts)}) {verb} {_show(added)}, more than "
                        f"{_name(total, parts)} ({total.cell}), {_show(total.value)}. Check these figures.",
                        _severity(parts, total))]
    return []


def _own(check: PlannedCheck) -> str:
    return f"{check.message} " if check.message else ""


def _severity(parts: list[ParsedValue], total: ParsedValue | None) -> str:
    """A failed check is only a warning when an estimate or provisional figure is involved."""
    return "warning" if any(v.flag != "actual" for v in parts + ([total] if total else [])) else "error"


def _name(value: ParsedValue, others: list[ParsedValue]) -> str:
    """A figure's name, as short as the company it is in allows."""
    if all(o.row is value.row for o in others):
        return value.slot.header
    if all(o.slot is value.slot for o in others):
        return f"'{value.row.label}'"
    return f"'{value.row.label}' ({value.slot.header})"


def _names(parts: list[ParsedValue], total: ParsedValue | None) -> str:
    company = parts + ([total] if total else [])
    names = [_name(p, company) for p in parts]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _cells_text(parts: list[ParsedValue]) -> str:
    """'C6:I6' for a run of neighbouring cells, else 'C6, E6'."""
    if len(parts) > 1:
        rows = [p.row.grid_row for p in parts]
        cols = [p.slot.grid_col for p in parts]
        same_row = len(set(rows)) == 1 and sorted(cols) == list(range(min(cols), max(cols) + 1))
        same_col = len(set(cols)) == 1 and sorted(rows) == list(range(min(rows), max(rows) + 1))
        if same_row or same_col:
            return f"{cell_ref(min(rows), min(cols))}:{cell_ref(max(rows), max(cols))}"
    return ", ".join(p.cell for p in parts)


# ---- history ---------------------------------------------------------------------------

class HistoryPoint(NamedTuple):
    """An earlier figure of the agency's, for one indicator and area."""

    start: date
    end: date
    months: int
    value: float


History = dict[tuple[str, str], list[HistoryPoint]]


@dataclass
class HistoryWanted:
    """What ``check_history`` reads for a return: for each (indicator, area) it checks, the
    last ``depth`` figures of the agency's for periods of each length in ``windows``
    (months, start of the period checked) ending before that start. A loader may return
    more (``check_history`` picks), never fewer: the 40th quarter reads what the 5th did.
    ``keys`` (indicator, area) are worked out from ``values`` only if a loader asks (when
    there are older periods to fill a gap from)."""

    indicators: frozenset[str]
    areas: frozenset[str]
    windows: frozenset[tuple[int, date]]
    values: list[ParsedValue] = field(default_factory=list, repr=False)
    keys: frozenset[tuple[str, str]] | None = None
    depth: int = OUTLIER_PERIODS

    def checked_keys(self) -> frozenset[tuple[str, str]]:
        if self.keys is None:
            self.keys = frozenset((v.row.spec.indicator, v.slot.area or v.row.area) for v in _checked(self.values))
        return self.keys


def _checked(values: Iterable[ParsedValue]) -> Iterable[ParsedValue]:
    return (v for v in values if v.value is not None and v.slot.measure == "value")


def history_wanted(values: list[ParsedValue]) -> HistoryWanted:
    slots = {id(slot): slot for slot in map(operator.itemgetter(2), values)}  # a few serve 100,000 figures
    rows = {id(row): row for row in map(operator.itemgetter(1), values)}
    return HistoryWanted(frozenset(row.spec.indicator for row in rows.values()),
                         frozenset(filter(None, [*(s.area for s in slots.values()), *(r.area for r in rows.values())])),
                         frozenset((s.period.months, s.period.start) for s in slots.values() if s.measure == "value"),
                         values)


def check_history(values: Iterable[ParsedValue], history: History) -> list[Problem]:
    """Warnings for figures far outside the agency's earlier ones (``OUTLIER_RULE``)."""
    if not history:
        return []
    problems = []
    windows: dict[int, tuple[int, date]] = {}  # slot → (months, start) of its period, worked out once
    by_end = operator.attrgetter("end")
    for v in _checked(values):
        points = history.get((v.row.spec.indicator, v.slot.area or v.row.area))
        if not points:
            continue
        window = windows.get(id(v.slot))
        if window is None:
            window = windows[id(v.slot)] = (v.slot.period.months, v.slot.period.start)
        months, start = window
        earlier = sorted([p for p in points if p.months == months and p.end < start], key=by_end)[-OUTLIER_PERIODS:]
        if len(earlier) < OUTLIER_MIN_HISTORY:
            continue
        median = statistics.median(p.value for p in earlier)
        far = v.value > OUTLIER_RATIO * median or v.value < median / OUTLIER_RATIO
        if far and abs(v.value - median) > OUTLIER_MIN_DIFFERENCE:
            shown = ", ".join(_show(p.value) for p in earlier)
            problems.append(Problem(
                v.sheet, v.cell,
                f"{_show(v.value)} is far from this agency's earlier figures for {_describe(v.row, v.slot)}: the "
                f"last {len(earlier)} were {shown} (median {_show(median)}). Check it; if it is right, say why in "
                "the comment when you submit.", "warning"))
    return problems


# ---- saved results of sums ---------------------------------------------------------------

SUM_TERM = re.compile(r"\s*(?:SUM\(([^()]*)\)|(\$?[A-Z]{1,3}\$?\d+))\s*", re.IGNORECASE)
MAX_SUMMED_CELLS = 10_000


def summed_cells(formula: str) -> list[CellKey] | None:
    """The cells a formula adds up, if it does nothing else: SUM over cells and ranges of its
    own sheet, or a chain of + of cells and SUMs ('SUM(C6:C11)', 'C6+C7+$C$8'); None for
    any other formula."""
    cells: list[CellKey] = []
    for term in formula.split("+"):
        match = SUM_TERM.fullmatch(term)
        if match is None:
            return None
        arguments = [match[2]] if match[2] else match[1].split(",")
        for argument in arguments:
            first, _, last = argument.strip().partition(":")
            try:
                top, left = parse_ref(first)
                bottom, right = parse_ref(last) if last else (top, left)
            except ValueError:
                return None
            top, bottom, left, right = min(top, bottom), max(top, bottom), min(left, right), max(left, right)
            if len(cells) + (bottom - top + 1) * (right - left + 1) > MAX_SUMMED_CELLS:
                return None
            cells.extend((r, c) for r in range(top, bottom + 1) for c in range(left, right + 1))
    return cells


def check_saved_sums(values: Iterable[ParsedValue]) -> list[Problem]:
    """A warning for each figure whose cell adds up other cells (``summed_cells``) and whose
    saved result is not their sum as read. Checked only where the app can tell: every cell
    added up lies within what was read and holds a number or nothing (not text, a date, an
    error or a formula without its result)."""
    problems = []
    for value in values:
        grid = value.plan.grid
        if grid is None or not grid.sum_formulas or value.row.grid_row is None or value.slot.grid_col is None:
            continue
        key = (value.row.grid_row, value.slot.grid_col)
        formula = grid.sum_formulas.get(key)
        saved = grid.cells.get(key)
        if formula is None or saved.__class__ is not float:
            continue
        cells = summed_cells(formula)
        if not cells or key in cells:
            continue
        total = _sum_as_read(grid, cells)
        if total is None or math.isclose(saved, total, rel_tol=1e-9, abs_tol=1e-6):
            continue
        where = cell_ref(*key)
        problems.append(Problem(value.sheet, where, (
            f"Total in {where} is {_show(saved)} but the cells it adds up ({formula}) come to {_show(total)} — the "
            "file may not have been recalculated. Open it in Excel or LibreOffice, check the figures (press F9 in "
            "Excel, Ctrl+Shift+F9 in LibreOffice to recalculate), save it and upload it again."), "warning"))
    return problems


def _sum_as_read(grid, cells: list[CellKey]) -> float | None:
    total = 0.0
    for key in cells:
        raw = grid.cells.get(key)
        if raw is None:
            if key in grid.formula_no_value or key in grid.error_cells:
                return None
            continue
        if raw.__class__ is not float or not math.isfinite(raw):
            return None
        total += raw
    return total
