"""Cross-field rules made concrete: which cells a template's ``CrossRule``s combine
(``cross_rule_cells``, the one place that decides it) and the checks they make on a
return's fields (``expand_cross_rules``).

A rule's selectors name a row and/or a column; one left empty means "each". So a rule is
checked once per combination of the rows and columns left open (each row of a sheet,
say), and each combination picks one cell per selector.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.definition.fields import Field, sheet_slots
from app.definition.model import CrossRule, SheetLayout, TemplateDefinition, normalise_label

@dataclass(frozen=True)
class CrossCheck:
    """One concrete check of a cross rule: field ids in place of selectors."""

    rule_index: int
    kind: str
    sheet: str
    parts: tuple[str, ...]
    total: str | None
    tolerance: float
    message: str  # the rule's own message, or a plain description of the check


@dataclass(frozen=True)
class CrossRuleCells:
    """Which cells one cross rule combines on its sheet: per selector (the parts, then the
    total), the row index it names and the position in ``sheet_slots(sheet)`` of the column
    it names, ``None`` for "each row" or "each column"."""

    rule_index: int
    rule: CrossRule
    sheet: SheetLayout
    cells: tuple[tuple[int | None, int | None], ...]

    @property
    def each_row(self) -> bool:
        return any(row is None for row, _ in self.cells)

    @property
    def each_slot(self) -> bool:
        return any(slot is None for _, slot in self.cells)


_NOT_ON_SHEET = object()


def cross_rule_cells(defn: TemplateDefinition) -> list[CrossRuleCells]:
    """The cells each cross rule combines. Labels, headers and their aliases are compared
    with ``normalise_label``; a rule naming a sheet, row or column the definition does not
    have combines nothing and is left out."""
    found = []
    for index, rule in enumerate(defn.cross_rules):
        sheet = defn.sheet(rule.sheet)
        if sheet is None:
            continue
        selectors = list(rule.parts) + ([rule.total] if rule.total else [])
        rows: dict[str, int] = {}
        if any(s.row for s in selectors):  # labels of a long sheet are only normalised when named
            for r, row in enumerate(sheet.rows):
                for text in [row.label, *row.aliases]:
                    rows.setdefault(normalise_label(text), r)
        slots = sheet_slots(sheet)
        position = {}
        columns: dict[str, int] = {}
        for i, slot in enumerate(slots):
            position.setdefault(slot.key, i)
            columns.setdefault(normalise_label(slot.header), i)
        for column in sheet.columns:
            for text in column.aliases:
                if column.key in position:
                    columns.setdefault(normalise_label(text), position[column.key])
        cells = tuple((rows.get(normalise_label(s.row), _NOT_ON_SHEET) if s.row else None,
                       columns.get(normalise_label(s.column), _NOT_ON_SHEET) if s.column else None)
                      for s in selectors)
        if any(_NOT_ON_SHEET in cell for cell in cells):
            continue
        found.append(CrossRuleCells(index, rule, sheet, cells))
    return found


def expand_cross_rules(defn: TemplateDefinition, fields: list[Field]) -> list[CrossCheck]:
    """The checks the cross rules make on a return, given its ``expand_fields``: one per
    combination of ``cross_rule_cells`` whose fields are all there, numeric and entered."""
    checks: list[CrossCheck] = []
    for rule_cells in cross_rule_cells(defn):
        rule, sheet = rule_cells.rule, rule_cells.sheet
        keys = [slot.key for slot in sheet_slots(sheet)]
        by_cell = {(f.row_index, f.column_key): f for f in fields if f.sheet == sheet.name}
        for each_row in range(len(sheet.rows)) if rule_cells.each_row else [None]:
            for each_slot in range(len(keys)) if rule_cells.each_slot else [None]:
                combined = [by_cell.get((each_row if r is None else r, keys[each_slot if s is None else s]))
                            for r, s in rule_cells.cells]
                if any(f is None or not f.is_numeric or not f.is_entered for f in combined):
                    continue
                parts, total = combined[:len(rule.parts)], (combined[-1] if rule.total else None)
                checks.append(
                    CrossCheck(
                        rule_index=rule_cells.rule_index,
                        kind=rule.kind,
                        sheet=sheet.name,
                        parts=tuple(p.id for p in parts),
                        total=total.id if total else None,
                        tolerance=rule.tolerance,
                        message=rule.message or _describe_check(rule.kind, parts, total),
                    )
                )
    return checks


def _describe_check(kind: str, parts: list[Field], total: Field | None) -> str:
    """A plain sentence; the row (or column) is named once when every field shares it."""
    fields = parts + ([total] if total else [])
    same_row = len({f.row_index for f in fields}) == 1
    same_column = len({f.column_key for f in fields}) == 1

    def name(f: Field) -> str:
        if same_row:
            return f.column_header
        return f"'{f.row_label}'" if same_column else f"'{f.row_label}' ({f.column_header})"

    where = f"'{fields[0].row_label}': " if same_row else (f"{fields[0].column_header}: " if same_column else "")
    names = ", ".join(name(p) for p in parts)
    if kind == "sum_equals":
        return f"{where}{name(total)} should equal the sum of {names}."
    if kind == "less_or_equal":
        what = names if len(parts) == 1 else f"the sum of {names}"
        return f"{where}{what} should not be more than {name(total)}."
    return f"{where}{names} should be between 0 and 100."
