"""A reading of an upload, kept: what was read from the file, as JSON, to be used again
without reading the file again (the web upload's preview and confirmation).

A ``ParsedReturn`` is, apart from the checks that read the database (the agency's history,
a signed-off period, indicators and areas that exist), a function of the file's bytes, the
safety limits, what the uploader said (agency, period, template) and the templates and
names it was read with. ``keep`` writes that part down; ``restore`` makes the same
``ParsedReturn`` again, or None when the kept reading cannot be used (another ``key``:
the caller's fingerprint of what the reading depends on; another format; damaged), so
the caller reads the file again. The caller then adds the database's checks
(``pipeline.check_against_history`` and its own) exactly as after a fresh reading.

What is kept, and what is made again:
- the template (slug, name, version), how it was recognised, the period, near-tie choices
  and every problem, in order;
- for each sheet of the definition, where it was found: the uploaded sheet's name, the
  header row and label column, each row's and column's place (the sheet plans themselves
  are made again from the definition by ``map.plan_sheets``, which is what the key's
  templates and names pin down); for a "tables" sheet, the rows and columns the tables
  reader made, with their rules;
- every figure and target read, in order: as runs of a sheet row's figures (sheet, row and
  arrangement of columns, as indexes), then the values, and the flags and notes that are
  not the usual ("actual", none).

The uploaded sheet's grid is not kept: a restored plan's grid holds the cells of the
template's figures only (each read figure's own value, and what was typed wherever that
differs or a problem points), which is all that is used of it after the reading (the
preview's "what we read" table shows what a failed cell holds). JSON, compressed: never
pickle, as the store may be shared by several machines.
"""
from __future__ import annotations

import dataclasses
import functools
import gzip
import json
from collections.abc import Callable, Iterator, Mapping
from itertools import groupby, repeat
from operator import itemgetter

from app.definition import ColumnSlot, FieldRule, RowSpec, TemplateDefinition
from app.ingest.identify import Identification, TemplateCandidate, TemplateChoice
from app.ingest.map import RowPlan, SheetPlan, SlotPlan, plan_sheets
from app.ingest.pipeline import ParsedReturn, cycle_collection_paused
from app.ingest.problems import Problem
from app.ingest.read import CellKey, SheetGrid, column_letters, parse_ref
from app.ingest.validate import ParsedValue
from app.periods import parse_period

FORMAT = 1
_new_value = functools.partial(tuple.__new__, ParsedValue)
_RULE_FIELDS = tuple(f.name for f in dataclasses.fields(FieldRule))

# (template slug, version) → that version, if it can still be read with (else None).
CandidateFor = Callable[[str, int], "TemplateCandidate | None"]


# ---- keeping ------------------------------------------------------------------------------

def keep(parsed: ParsedReturn, key: str) -> bytes:
    """``parsed`` (read, before the database's checks) as compressed JSON, under ``key``."""
    with cycle_collection_paused():
        return _kept(parsed, key)


def _kept(parsed: ParsedReturn, key: str) -> bytes:
    plans, row_index, slot_index = [], {}, {}
    for p, plan in enumerate(parsed.plans):
        plans.append(_kept_plan(plan, p, row_index, slot_index))
    typed: list[dict[CellKey, object]] = [{} for _ in plans]  # by plan: cell → what was typed there
    body = {
        "format": FORMAT, "key": key,
        "file": [parsed.filename, parsed.sha256, parsed.size_bytes, parsed.agency_slug, parsed.workbook_read],
        "template": [parsed.template.slug, parsed.template.name, parsed.template.version] if parsed.template else None,
        "identification": dataclasses.astuple(parsed.identification) if parsed.identification else None,
        "period": parsed.period.key if parsed.period else None,
        "choices": [dataclasses.astuple(choice) for choice in parsed.choices],
        "problems": [[p.sheet, p.cell, p.message, p.severity, p.header, p.header_kind] for p in parsed.problems],
        "plans": plans,
        "values": _kept_values(parsed.values, row_index, slot_index, typed),
        "targets": _kept_values(parsed.targets, row_index, slot_index, typed),
    }
    _keep_problem_cells(parsed, typed)
    for plan, cells in zip(plans, typed):
        plan["typed"] = [[r, c, text] for (r, c), text in cells.items()]
    return gzip.compress(json.dumps(body, separators=(",", ":")).encode(), compresslevel=1)


def _kept_plan(plan: SheetPlan, p: int, row_index: dict, slot_index: dict) -> dict:
    kept = {"grid": plan.grid.name if plan.grid is not None else None, "header_row": plan.header_row,
            "label_col": plan.label_col}
    if plan.table_cells is None:  # the definition's rows and columns: where each was found
        kept["rows"] = [row.grid_row for row in plan.rows]
        kept["slots"] = [slot.grid_col for slot in plan.slots]
        rows, slots = plan.rows, plan.slots
    else:  # a "tables" sheet: the rows and columns the tables reader made, every one
        rows = list({id(row): row for _, row, _ in plan.table_cells}.values())
        slots = list({id(slot): slot for _, _, slot in plan.table_cells}.values())
        kept["table_rows"] = [[row.spec.label, row.spec.indicator, row.area, _kept_rule(row.spec.rule), row.grid_row]
                              for row in rows]
        kept["table_slots"] = [[slot.key, slot.header, slot.grid_col, slot.period_key, slot.measure]
                               for slot in slots]
        where_row = {id(row): i for i, row in enumerate(rows)}
        where_slot = {id(slot): i for i, slot in enumerate(slots)}
        kept["stored_rows"] = [where_row[id(row)] for row in plan.rows]
        kept["stored_slots"] = [where_slot[id(slot)] for slot in plan.slots]
    for i, row in enumerate(rows):
        row_index[id(row)] = (p, i)
    for i, slot in enumerate(slots):
        slot_index[id(slot)] = i
    return kept


def _kept_rule(rule: FieldRule) -> list:
    return [getattr(rule, name) for name in _RULE_FIELDS]


def _kept_values(values: list[ParsedValue], row_index: dict, slot_index: dict, typed: list[dict]) -> dict:
    """Figures as runs (a sheet row's figures come together and share their plan, row and
    arrangement of columns), then their values, and the flags and notes that are not the
    usual ("actual", none). Notes in ``typed`` (by plan) what was typed in each figure's
    cell wherever that is not the figure itself."""
    runs, arrangements, arrangement_of = [], [], {}
    for row, run in groupby(values, key=itemgetter(1)):
        run = list(run)
        p, r = row_index[id(row)]
        slots = tuple(map(itemgetter(2), run))
        ids = tuple(map(id, slots))
        a = arrangement_of.get(ids)
        if a is None:
            a = arrangement_of[ids] = len(arrangements)
            arrangements.append([slot_index[i] for i in ids])
        runs.append([p, r, a, len(run)])
        grid = run[0][0].grid
        if grid is not None:
            _note_typed(grid.cells, row.grid_row, [slot.grid_col for slot in slots], run, typed[p])
    flags = map(itemgetter(4), values)
    return {"runs": runs, "arrangements": arrangements, "value": list(map(itemgetter(3), values)),
            "flag": {i: flag for i, flag in enumerate(flags) if flag != "actual"},
            "note": {i: value.note for i, value in enumerate(values) if value.note is not None}}


_PLAIN = {float, type(None)}


def _note_typed(cells: dict, grid_row: int, cols: list[int], run: list[ParsedValue], typed: dict) -> None:
    raws = list(map(cells.get, zip(repeat(grid_row), cols)))
    read = list(map(itemgetter(3), run))
    if raws == read and set(map(type, raws)) <= _PLAIN and set(map(type, read)) <= _PLAIN and 0.0 not in raws:
        return  # the usual row: every cell holds the figure read from it (loops in C)
    for col, raw, value in zip(cols, raws, read):
        if not _same(raw, value):
            typed[grid_row, col] = _typed(raw)


def _typed(raw: object) -> object:
    """A cell's value as the preview shows it: a number as it is, anything else as text."""
    return raw if raw is None or raw.__class__ is float else str(raw)


def _keep_problem_cells(parsed: ParsedReturn, typed: list[dict]) -> None:
    """What was typed in every cell a problem points at (a failed figure's cell)."""
    for p, plan in enumerate(parsed.plans):
        if plan.grid is None:
            continue
        for problem in parsed.problems:
            if problem.sheet == plan.name and problem.cell:
                try:
                    at = parse_ref(problem.cell)
                except ValueError:
                    continue
                typed[p][at] = _typed(plan.grid.cells.get(at))


def _same(raw: object, value: object) -> bool:
    if raw is None or value is None:
        return raw is value
    return raw.__class__ is float and value.__class__ is float and raw == value and (raw or repr(raw) == repr(value))


# ---- restoring ----------------------------------------------------------------------------

def restore(body: bytes, key: str, candidate_for: CandidateFor, max_figure: Mapping[str, float]) -> ParsedReturn | None:
    """The ``ParsedReturn`` kept in ``body``, before the database's checks; None if it was
    kept under another key or format, or cannot be read (read the file again then)."""
    try:
        with cycle_collection_paused():  # as while reading: the figures become objects
            kept = json.loads(gzip.decompress(body))
            if kept.get("format") != FORMAT or kept.get("key") != key:
                return None
            return _restored(kept, candidate_for, max_figure)
    except (OSError, EOFError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


def _restored(kept: dict, candidate_for: CandidateFor, max_figure: Mapping[str, float]) -> ParsedReturn | None:
    filename, sha256, size_bytes, agency_slug, workbook_read = kept["file"]
    parsed = ParsedReturn(filename=filename, sha256=sha256, size_bytes=size_bytes, agency_slug=agency_slug,
                          workbook_read=workbook_read)
    parsed.problems = [Problem(sheet, cell, message, severity, header=header, header_kind=kind)
                       for sheet, cell, message, severity, header, kind in kept["problems"]]
    parsed.choices = [TemplateChoice(*choice) for choice in kept["choices"]]
    if kept["identification"] is not None:
        parsed.identification = Identification(*kept["identification"])
    if kept["template"] is not None:
        slug, name, version = kept["template"]
        parsed.template = candidate_for(slug, version)
        if parsed.template is None or parsed.template.name != name:
            return None
    if kept["period"] is not None:
        parsed.period = parse_period(kept["period"])
    if kept["plans"]:
        if parsed.template is None or parsed.period is None:
            return None
        plans = _restored_plans(kept["plans"], parsed.template.definition, parsed, max_figure)
        if plans is None:
            return None
        parsed.plans, rows, slots = plans
        parsed.values = _restored_values(kept["values"], parsed.plans, rows, slots)
        parsed.targets = _restored_values(kept["targets"], parsed.plans, rows, slots)
    return parsed


def _restored_plans(kept: list[dict], defn: TemplateDefinition, parsed: ParsedReturn, max_figure):
    plans = plan_sheets(defn, parsed.period, max_figure=max_figure)
    if len(plans) != len(kept):
        return None
    all_rows, all_slots = [], []
    for plan, found in zip(plans, kept):
        if (plan.table_cells is None) != ("rows" in found):
            return None
        plan.header_row, plan.label_col = found["header_row"], found["label_col"]
        if "rows" in found:
            if len(found["rows"]) != len(plan.rows) or len(found["slots"]) != len(plan.slots):
                return None
            for row, r in zip(plan.rows, found["rows"]):
                if r is not None:
                    row.grid_row, row.number = r, str(r + 1)
            for slot, c in zip(plan.slots, found["slots"]):
                if c is not None:
                    slot.grid_col, slot.letters = c, column_letters(c)
            rows, slots = plan.rows, plan.slots
        else:
            rows, slots = _table_rows(found["table_rows"]), _table_slots(found["table_slots"])
            plan.rows = [rows[i] for i in found["stored_rows"]]
            plan.slots = [slots[i] for i in found["stored_slots"]]
        if found["grid"] is not None:
            plan.grid = SheetGrid(found["grid"], cells=_Cells(parsed, plan, found.get("typed", [])))
        all_rows.append(rows)
        all_slots.append(slots)
    return plans, all_rows, all_slots


def _table_rows(kept: list) -> list[RowPlan]:
    rows = []
    for label, indicator, area, rule, grid_row in kept:
        rule = FieldRule(**dict(zip(_RULE_FIELDS, rule)))
        spec = RowSpec(label=label, indicator=indicator, area=area, rule=rule)
        rows.append(RowPlan(index=len(rows), spec=spec, area=area,
                            optional_rule=dataclasses.replace(rule, required=False) if rule.required else rule,
                            grid_row=grid_row, number=str(grid_row + 1)))
    return rows


def _table_slots(kept: list) -> list[SlotPlan]:
    slots = []
    for key, header, col, period_key, measure in kept:
        column = ColumnSlot(key, header, col, None)
        slots.append(SlotPlan(slot=column, key=key, measure=measure, role="input", period=parse_period(period_key),
                              period_key=period_key, area=None, optional=False, fixed_rule=None, grid_col=col,
                              letters=column_letters(col)))
    return slots


def _restored_values(kept: dict, plans: list[SheetPlan], rows: list[list], slots: list[list]) -> list[ParsedValue]:
    values: list[ParsedValue] = []
    read, arrangements, made = kept["value"], kept["arrangements"], {}
    for p, r, a, count in kept["runs"]:
        columns = made.get((p, a))
        if columns is None:
            columns = made[p, a] = [slots[p][s] for s in arrangements[a]]
        if len(columns) != count:
            raise ValueError("a run of figures does not fit its columns")
        start = len(values)
        values.extend(map(_new_value, zip(repeat(plans[p], count), repeat(rows[p][r], count), columns,
                                          read[start:start + count], repeat("actual", count), repeat(None, count))))
    if len(values) != len(read):
        raise ValueError("figures without a row")
    for i, flag in kept["flag"].items():
        values[int(i)] = values[int(i)]._replace(flag=flag)
    for i, note in kept["note"].items():
        values[int(i)] = values[int(i)]._replace(note=note)
    return values


class _Cells(Mapping):
    """A restored plan's grid cells: the figures' cells (each read figure's value, or what
    was typed there where that differs) and the cells problems point at; worked out the
    first time they are looked at (the preview looks at a few, when a problem's cell is
    not among the figures it lists)."""

    def __init__(self, parsed: ParsedReturn, plan: SheetPlan, typed: list):
        self._parsed, self._plan, self._typed, self._cells = parsed, plan, typed, None

    def _all(self) -> dict[CellKey, object]:
        if self._cells is None:
            cells = {(v.row.grid_row, v.slot.grid_col): v.value
                     for v in (*self._parsed.values, *self._parsed.targets) if v.plan is self._plan}
            cells.update(((r, c), text) for r, c, text in self._typed)
            self._cells = {at: value for at, value in cells.items() if value is not None}
            self._parsed = self._typed = None
        return self._cells

    def __getitem__(self, key):
        return self._all()[key]

    def __iter__(self) -> Iterator:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())
