"""A return sent as values (the JSON API) rather than as a file: the grids the reader
would make of our own blank return with those values typed in, so that the rest of the
pipeline (identify, map, normalise, validate, history) is the very code an upload goes
through, and the figures land in the same sheets and cells an upload of the same
figures would.

Flask-free. Values are keyed by field id (``app.definition.expand_fields``); a number
becomes the float the reader gives for a numeric cell, text stays text ("1,400
(estimate)", "N/A - not collected"), None leaves the cell empty.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.definition import Field, TemplateDefinition, expand_fields
from app.export.blank_return import META_FORMAT, field_cells, sheet_frame
from app.ingest.read import SheetGrid, WorkbookData, parse_ref
from app.periods import PeriodSpec


@dataclass(frozen=True)
class TypedReturn:
    workbook: WorkbookData
    cells: dict[str, tuple[str, str]]  # field id → (sheet, cell)
    unknown: list[str]  # keys sent that are no field one types into


def entered_fields(defn: TemplateDefinition, period: PeriodSpec) -> list[Field]:
    """The fields an agency types into (reference cells are only shown)."""
    return [f for f in expand_fields(defn, period) if f.is_entered]


def typed_workbook(defn: TemplateDefinition, *, version: int, agency_slug: str, period: PeriodSpec,
                   values: Mapping[str, object]) -> TypedReturn:
    fields = entered_fields(defn, period)
    cells = field_cells(defn, fields)
    grids = {}
    for sheet in defn.sheets:
        frame = sheet_frame(sheet, period)
        grids[sheet.name] = SheetGrid(name=sheet.name, cells=dict(frame))
    unknown = []
    for key, value in values.items():
        if key not in cells:
            unknown.append(key)
            continue
        if value is None or value == "":
            continue
        sheet, cell = cells[key]
        grids[sheet].cells[parse_ref(cell)] = float(value) if isinstance(value, int | float) else value
    for grid in grids.values():
        grid.n_rows = 1 + max((r for r, _ in grid.cells), default=-1)
        grid.n_cols = 1 + max((c for _, c in grid.cells), default=-1)
    meta = {"format": META_FORMAT, "template_slug": defn.slug, "template_version": str(version),
            "agency_slug": agency_slug, "period_key": period.key, "period_label": period.label}
    return TypedReturn(WorkbookData(sheets=list(grids.values()), defined_names={}, hidden_sheets=set(), meta=meta),
                       cells, unknown)
