"""The cells of a return: ``expand_fields`` is the single, deterministic list of the cells
a return holds for one period.

Field ids are ``"<sheet>|<row key>|<column key>"``: the row key is ``slugify(label)``;
the column key is the area code (area columns), the period reference (period columns)
or the measure (measure columns), with ``@AREA`` added when a period or measure column
fixes an area (e.g. ``target@LLR``), ``previous_year:<key>`` for a previous-year
companion column, ``value`` for the value column of a label_value sheet and ``note``
for the notes column.

Every sheet with ``note_column`` gets a notes field per row (measure "comment", text,
never required): the notes are part of ``expand_fields`` so the upload keeps them.
``Field.column_index`` indexes ``sheet.columns`` (a companion shares its period
column's index; the notes column is ``len(columns)``, or 1 on a label_value sheet).

A field whose period ends after the return's period (Q4 in a Q3 return) and a
previous-year companion field are never required. Rotherham's Table 4 is a monthly
return: the return for "Oct 2017" holds the 12 months to Oct 2016 and to Oct 2017 and
the year to date Apr–Oct 2017. Its "% Change" column is not part of the template: the
app computes changes itself.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from app.definition.model import (
    FIELD_MEASURES,
    NOTE_HEADER,
    NUMERIC_TYPES,
    PREVIOUS_YEAR_PREFIX,
    VALUE_HEADER,
    ColumnSpec,
    FieldRule,
    RowSpec,
    SheetLayout,
    TemplateDefinition,
    text_rule,
)
from app.definition.periods import resolve_period_ref
from app.periods import PeriodSpec


@dataclass(frozen=True)
class ColumnSlot:
    """One column of a sheet's grid, in order: the definition's columns, previous-year
    companions right after their period column, then the notes column."""

    key: str
    header: str
    column_index: int  # index into sheet.columns; len(sheet.columns) for notes; 0 for label_value's value
    column: ColumnSpec | None  # None for the notes column and label_value's value column
    previous_year: bool = False
    is_note: bool = False


def sheet_slots(sheet: SheetLayout) -> list[ColumnSlot]:
    slots: list[ColumnSlot] = []
    if sheet.layout == "label_value":
        slots.append(ColumnSlot("value", VALUE_HEADER, 0, None))
    else:
        for i, column in enumerate(sheet.columns):
            slots.append(ColumnSlot(column.key, column.header, i, column))
            if sheet.with_previous_year and column.kind == "period":
                slots.append(
                    ColumnSlot(PREVIOUS_YEAR_PREFIX + column.key, f"{column.header} (previous year)", i, column, True)
                )
    if sheet.note_column:
        index = 1 if sheet.layout == "label_value" else len(sheet.columns)
        slots.append(ColumnSlot("note", NOTE_HEADER, index, None, is_note=True))
    return slots


def slot_period(slot: ColumnSlot, period: PeriodSpec) -> PeriodSpec:
    """The period a slot's figures are for, in a return for ``period``."""
    column = slot.column
    resolved = period
    if column is not None and column.kind == "period":
        resolved = resolve_period_ref(column.period or "", period)
    elif column is not None and column.kind == "measure" and column.measure == "previous_year":
        resolved = period.previous_year()
    return resolved.previous_year() if slot.previous_year else resolved


NOTE_RULE = text_rule(required=False)


@dataclass(frozen=True)
class Field:
    """One cell of a return: where it is in the definition and what figure it holds."""

    id: str
    sheet: str
    row_index: int
    column_index: int
    row_label: str
    column_header: str
    column_key: str
    indicator: str
    area: str | None
    period_key: str
    measure: str  # value | target | comment
    rule: FieldRule
    role: str  # input | total | reference

    @property
    def is_entered(self) -> bool:
        """Filled in by the agency (reference cells are only shown)."""
        return self.role != "reference"

    @property
    def is_numeric(self) -> bool:
        return self.rule.type in NUMERIC_TYPES


def column_rule(slot: ColumnSlot) -> FieldRule | None:
    """The rule the column sets for all its cells; None: each row's own rule applies."""
    if slot.is_note:
        return NOTE_RULE
    if slot.column is not None and slot.column.rule is not None:
        return slot.column.rule
    if slot.column is not None and slot.column.kind == "measure" and slot.column.measure == "comment":
        return NOTE_RULE
    return None


def slot_rule(row: RowSpec, slot: ColumnSlot) -> FieldRule:
    """The rule of the cell in ``row`` and ``slot`` (before a later period makes it optional)."""
    fixed = column_rule(slot)
    return row.rule if fixed is None else fixed


def slot_measure(slot: ColumnSlot) -> str:
    if slot.is_note:
        return "comment"
    if slot.column is not None and slot.column.kind == "measure" and slot.column.measure in FIELD_MEASURES:
        return slot.column.measure
    return "value"


def expand_fields(defn: TemplateDefinition, period: PeriodSpec, area_default: str | None = None) -> list[Field]:
    """Every cell of a return for ``period``, sheet by sheet, row by row, column by column.

    ``area_default`` is used where neither the column, the row nor the sheet gives an area.
    Expects a definition that ``validate_definition`` accepts.
    """
    fields: list[Field] = []
    for sheet in defn.sheets:
        if sheet.layout == "tables":
            # Its cells are wherever the agency's own spreadsheet has them: none are fixed.
            continue
        slots = sheet_slots(sheet)
        # What depends only on the column is worked out once per column, not once per cell
        # (a period key and a row slug are computed, not stored: 100,000 cells made it slow).
        columns = []
        for slot in slots:
            spec = slot_period(slot, period)
            column = slot.column
            columns.append((slot, spec.key, slot.previous_year or spec.end > period.end, slot_measure(slot),
                            column.area if column is not None and column.area else None,
                            column.role if column is not None else "input"))
        for r, row in enumerate(sheet.rows):
            row_area = row.area or sheet.default_area or area_default
            row_key = row.key
            for slot, period_key, optional, measure, column_area, role in columns:
                rule = slot_rule(row, slot)
                if optional:
                    rule = replace(rule, required=False)
                fields.append(
                    Field(
                        id=f"{sheet.name}|{row_key}|{slot.key}",
                        sheet=sheet.name,
                        row_index=r,
                        column_index=slot.column_index,
                        row_label=row.label,
                        column_header=slot.header,
                        column_key=slot.key,
                        indicator=row.indicator,
                        area=column_area or row_area,
                        period_key=period_key,
                        measure=measure,
                        rule=rule,
                        role=role,
                    )
                )
    return fields
