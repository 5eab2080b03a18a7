"""The older sheet layouts as tables: one model every template is read with.

``indicator_by_area``, ``indicator_by_period``, ``indicator_by_measure`` and
``label_value`` are what the sheet editor and the blank return work from, and stay the
JSON an admin writes. ``sheet_tables`` says what such a sheet is in the tables model
(``TableSpec``), so that the upload is read the same way whatever the layout:

- one table, rows naming indicators (``RowSpec`` → a row header: label and aliases, the
  indicator, the row's rule; a row that fixes its area fixes it in ``HeaderSpec.fixed``);
- columns naming the measure (value, target or comment), each column's area and period in
  ``HeaderSpec.fixed`` (an area column: ``{"area": code}``; a period column:
  ``{"period": ref}``; a previous-year companion: ``{"period": "previous_year:ref"}``,
  headed "<header> (previous year)", its figures never required); the notes column is a
  comment column headed "Notes" (or "Note"); a label/value sheet's value column is headed
  "Value"; reference columns (shown, not entered) are ignored;
- the column's rule wins over the row's (``TableSpec.rule_from = "column"``), as in the
  older layouts, where a notes or target column sets the rule of its cells.

Pure and Flask-free; a "tables" sheet is returned as it is.
"""
from __future__ import annotations

from dataclasses import replace

from app.definition.fields import ColumnSlot, column_rule, sheet_slots, slot_measure
from app.definition.model import (
    PREVIOUS_YEAR_PREFIX,
    HeaderSpec,
    SheetLayout,
    TableSpec,
    TemplateDefinition,
    Transform,
)

NOTE_ALIASES = ("Note",)


def sheet_tables(sheet: SheetLayout) -> list[TableSpec]:
    """The tables an older-layout sheet stands for (a "tables" sheet's own tables)."""
    if sheet.layout == "tables":
        return list(sheet.tables)
    slots = sheet_slots(sheet)
    # A row must be found if any of its cells is required (``slot_rule``): a column with a
    # rule of its own decides for its cells, the row's rule for the others. Worked out per
    # column, not per cell: an older sheet may have 1,250 rows.
    entered = [slot for slot in slots if not slot.previous_year
               and (slot.column is None or slot.column.role != "reference")]
    rules = [column_rule(slot) for slot in entered]
    any_fixed_required = any(rule is not None and rule.required for rule in rules)
    follows_row = any(rule is None for rule in rules)
    as_is = Transform()
    rows = [
        HeaderSpec(label=row.label, aliases=list(row.aliases), value=row.indicator, rule=row.rule,
                   required=any_fixed_required or (follows_row and row.rule.required), transform=as_is,
                   fixed={"area": row.area} if row.area else {})
        for row in sheet.rows
    ]
    any_row_required = any(row.rule.required for row in sheet.rows)
    columns = [_column_header(slot, any_row_required) for slot in slots]
    return [TableSpec(name="", row_dimension="indicator", column_dimension="measure", header_rows=1,
                      rows=rows, columns=columns, rule_from="column")]


def _column_header(slot: ColumnSlot, any_row_required: bool) -> HeaderSpec:
    column = slot.column
    if slot.is_note:
        aliases = list(NOTE_ALIASES)
    elif column is not None:
        suffix = slot.header[len(column.header):] if slot.previous_year else ""
        aliases = [alias + suffix for alias in column.aliases]
    else:
        aliases = []
    if column is not None and column.role == "reference":
        return HeaderSpec(label=slot.header, aliases=aliases, value=None, treat="ignore", required=False)
    fixed: dict[str, str] = {}
    if column is not None and column.area:
        fixed["area"] = column.area
    period = _period_ref(slot)
    if period is not None:
        fixed["period"] = period
    rule = column_rule(slot)
    required = not slot.previous_year and (any_row_required if rule is None else rule.required)
    return HeaderSpec(label=slot.header, aliases=aliases, value=slot_measure(slot), rule=rule,
                      required=required, fixed=fixed, figures_required=not slot.previous_year)


def _period_ref(slot: ColumnSlot) -> str | None:
    """The period reference of a slot's figures (as ``slot_period`` resolves it), or None
    for the return's own period."""
    column = slot.column
    ref = None
    if column is not None and column.kind == "period":
        ref = column.period or ""
    elif column is not None and column.kind == "measure" and column.measure == "previous_year":
        ref = PREVIOUS_YEAR_PREFIX + "period"
    if slot.previous_year:
        ref = PREVIOUS_YEAR_PREFIX + (ref or "period")
    return ref


def sheet_as_tables(sheet: SheetLayout) -> SheetLayout:
    """The sheet as a "tables" sheet (its name, title and default area kept)."""
    if sheet.layout == "tables":
        return sheet
    return SheetLayout(name=sheet.name, layout="tables", title=sheet.title, default_area=sheet.default_area,
                       with_previous_year=False, note_column=False, tables=sheet_tables(sheet))


def definition_as_tables(defn: TemplateDefinition) -> TemplateDefinition:
    """The definition with every sheet as a "tables" sheet (a new object; ``defn`` unchanged)."""
    return replace(defn, sheets=[sheet_as_tables(sheet) for sheet in defn.sheets])
