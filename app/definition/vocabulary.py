"""One vocabulary per partnership: a template also reads the names an area or indicator
goes by everywhere ("NWLDC" for North West Leicestershire), not only its own aliases.

Flask-free. ``with_partnership_names`` returns a copy of a definition whose rows also match
their indicator's name and aliases, and whose area columns also match their area's name
and aliases; the definition given is not changed, and neither are labels, headers or keys
(so field ids, blank returns and stored figures stay as they were). A name is added only
where it cannot mislead: never when another row (column) of the same sheet already goes by
it, nor when it would name two rows (columns) of the sheet.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from app.definition.model import SheetLayout, TemplateDefinition, normalise_label


def with_partnership_names(defn: TemplateDefinition, indicator_names: Mapping[str, Iterable[str]],
                           area_names: Mapping[str, Iterable[str]]) -> TemplateDefinition:
    """A copy of ``defn`` whose rows and area columns also answer to the partnership's names
    (indicator slug → names, area code → names)."""
    return replace(defn, sheets=[_sheet_with_names(sheet, indicator_names, area_names) for sheet in defn.sheets])


def _sheet_with_names(sheet: SheetLayout, indicator_names, area_names) -> SheetLayout:
    rows = _with_names(sheet.rows, lambda row: (row.label, *row.aliases),
                       lambda row: indicator_names.get(row.indicator, ()))
    area_columns = [c for c in sheet.columns if c.kind == "area" and c.area]
    named = _with_names(area_columns, lambda column: (column.header, *column.aliases),
                        lambda column: area_names.get(column.area, ()),
                        taken_by_others=[c for c in sheet.columns if c.kind != "area" or not c.area])
    renamed = dict(zip(map(id, area_columns), named, strict=True))
    columns = [renamed.get(id(column), column) for column in sheet.columns]
    return replace(sheet, rows=rows, columns=columns)


def _with_names(specs: list, own: Callable, names: Callable, taken_by_others: list = ()) -> list:
    """Each spec with the names it may also answer to added to its aliases."""
    taken = {normalise_label(text) for spec in [*specs, *taken_by_others] for text in own(spec)}
    offered = [[(normalise_label(name), name) for name in names(spec) if name and name.strip()] for spec in specs]
    # A name offered to two specs of the sheet (one indicator on two rows) names neither.
    shared = Counter(compared for names_of in offered for compared in {c for c, _ in names_of})
    out = []
    for spec, names_of in zip(specs, offered, strict=True):
        extra, seen = [], set()
        for compared, name in names_of:
            if compared and compared not in taken and shared[compared] == 1 and compared not in seen:
                seen.add(compared)
                extra.append(name.strip())
        out.append(replace(spec, aliases=[*spec.aliases, *extra]) if extra else spec)
    return out
