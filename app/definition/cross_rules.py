"""Cross-field rules made concrete: the checks a template's ``CrossRule``s make on a return."""
from __future__ import annotations

from dataclasses import dataclass

from app.definition.fields import Field
from app.definition.model import (
    FieldSelector,
    SheetLayout,
    TemplateDefinition,
    normalise_label,
)


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


def _selector_keys(sheet: SheetLayout, fields: list[Field]) -> tuple[dict[str, int], dict[str, str]]:
    """normalised row label/alias → row index, normalised column header/alias → column key."""
    rows = {}
    for r, row in enumerate(sheet.rows):
        for text in [row.label, *row.aliases]:
            rows.setdefault(normalise_label(text), r)
    columns = {}
    for f in fields:
        columns.setdefault(normalise_label(f.column_header), f.column_key)
    for column in sheet.columns:
        for text in column.aliases:
            columns.setdefault(normalise_label(text), column.key)
    return rows, columns


def expand_cross_rules(defn: TemplateDefinition, fields: list[Field]) -> list[CrossCheck]:
    """The checks the cross rules make on a return, given its ``expand_fields``.

    A selector with no row (or column) is checked once per row (or column) of the sheet;
    combinations where a field is missing, not a number or not entered are skipped.
    """
    checks: list[CrossCheck] = []
    for index, rule in enumerate(defn.cross_rules):
        sheet = defn.sheet(rule.sheet)
        if sheet is None:
            continue
        sheet_fields = [f for f in fields if f.sheet == sheet.name]
        by_cell = {(f.row_index, f.column_key): f for f in sheet_fields}
        row_keys, column_keys = _selector_keys(sheet, sheet_fields)
        selectors = list(rule.parts) + ([rule.total] if rule.total else [])
        each_row = list(range(len(sheet.rows))) if any(not s.row for s in selectors) else [None]
        ordered_columns = list(dict.fromkeys(f.column_key for f in sheet_fields))
        each_column = ordered_columns if any(not s.column for s in selectors) else [None]

        def resolve(selector: FieldSelector, row_key, column_key) -> Field | None:
            r = row_keys.get(normalise_label(selector.row)) if selector.row else row_key
            c = column_keys.get(normalise_label(selector.column)) if selector.column else column_key
            found = by_cell.get((r, c))
            return found if found is not None and found.is_numeric and found.is_entered else None

        for row_key in each_row:
            for column_key in each_column:
                parts = [resolve(s, row_key, column_key) for s in rule.parts]
                total = resolve(rule.total, row_key, column_key) if rule.total else None
                if any(p is None for p in parts) or (rule.total is not None and total is None):
                    continue
                checks.append(
                    CrossCheck(
                        rule_index=index,
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
