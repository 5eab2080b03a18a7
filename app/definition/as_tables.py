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

from app.definition.fields import ColumnSlot, column_rule, sheet_slots, slot_measure, slot_rule
from app.definition.model import (
    PREVIOUS_YEAR_PREFIX,
    HeaderSpec,
    SheetLayout,
    TableSpec,
    TemplateDefinition,
)

NOTE_ALIASES = ("Note",)


def sheet_tables(sheet: SheetLayout) -> list[TableSpec]:
    """The tables an older-layout sheet stands for (a "tables" sheet's own tables)."""
    if sheet.layout == "tables":
        return list(sheet.tables)
    slots = sheet_slots(sheet)
    entered = [slot for slot in slots if slot.column is None or slot.column.role != "reference"]
    rows = [
        HeaderSpec(label=row.label, aliases=list(row.aliases), value=row.indicator, rule=row.rule,
                   required=any(slot_rule(row, slot).required and not slot.previous_year for slot in entered),
                   fixed={"area": row.area} if row.area else {})
        for row in sheet.rows
    ]
    columns = [_column_header(sheet, slot) for slot in slots]
    return [TableSpec(name="", row_dimension="indicator", column_dimension="measure", header_rows=1,
                      rows=rows, columns=columns, rule_from="column")]


def _column_header(sheet: SheetLayout, slot: ColumnSlot) -> HeaderSpec:
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
    required = not slot.previous_year and any(slot_rule(row, slot).required for row in sheet.rows)
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
