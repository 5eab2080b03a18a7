"""The blank standard return: the workbook an agency fills in for one template and period.

Flask-free. ``build_blank_return`` lays out a ``TemplateDefinition`` (app/definition/)
with XlsxWriter; ``field_cells`` says where each input cell of ``expand_fields`` sits,
so an upload of our own workbook can be read by position.

Workbook layout
- "Instructions" first: template, agency, period, deadline, how to enter figures, N/A
  and estimates, how to upload, and a table of the rules of every row.
- One sheet per ``SheetLayout``, all with the same frame: row 1 title, row 2 agency,
  period and deadline, row 3 a one-line guide, row 4 the period each column covers
  (only when a column is not simply the return's period), row 5 the headers, data from
  row 6. Column A holds the row labels, column B the unit ("number", "%", "£", …), input
  columns start at C in ``sheet_slots`` order (previous-year companions right after their
  period column), then the Notes column. Labels and headers are written exactly as in
  the definition, so header and label matching works on our own workbook too.
- Last period's values (``previous_values``, field id → (value, flag)) are locked grey
  cells. A sheet with one input column (label_value) shows them in a column headed
  "Last period (…)" right after the input column, before Notes. A sheet with several
  input columns gets a block of the same columns to the right of Notes, after one empty
  column, headed "Last period (for reference): …"; rows line up with the inputs. The
  block is left out when ``previous_values`` is None; the input cells never move.
- Sheets are protected without a password (it prevents accidental edits only; uploads
  never rely on it): labels, headers and reference cells are locked, input and note
  cells unlocked; officers may still resize columns and rows.
- Every input and note cell has Excel data validation. Numbers, percentages, money and
  dates use a custom formula that accepts a number in range, a figure followed by
  "(estimate)" or "(provisional)" (e.g. "1,400 (estimate)") and, when the rule allows
  it, text starting "N/A" ("N/A - survey not yet carried out"); text cells accept up to
  2,000 characters. One validation covers each vertical run of cells with the same rule.
- Identity: a very hidden sheet "_meta" (keys in A, values in B: format, template_slug,
  template_version, agency_slug, period_key, period_label, generated_at) and the defined
  names SR_TEMPLATE, SR_VERSION, SR_AGENCY and SR_PERIOD, each a text constant (e.g.
  ``="appendix-2-da-sv-outputs"``; the version too is text, "3"). Document properties:
  title, subject, keywords.

For the upload side
- Percentages are entered as percentage points: 75 means 75%, as in the consolidated
  workbook (app/export/formats.py). Input cells use the number format ``0.0#"%"`` (the
  "%" is quoted text, so 75 shows as "75.0%") and the unit column says "%". If an
  uploaded percent cell has a real percent format (an unquoted %: someone typed "75%"
  over it), its value is a fraction: multiply by 100.
- Money is in pounds (format "£#,##0.00"); whole numbers "#,##0"; dates "dd/mm/yyyy".
- Text accepted in a numeric cell: "<figure> (estimate)", "<figure> (provisional)", and
  "N/A …" / "N/A - reason" where the rule allows N/A.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, UTC
from typing import TYPE_CHECKING

from app.definition import (
    NUMERIC_TYPES,
    Field,
    FieldRule,
    SheetLayout,
    TemplateDefinition,
    expand_fields,
    sheet_slots,
    slot_period,
)
from app.export.formats import fit_row
from app.export.xlsx import close_workbook, new_workbook
from app.periods import PeriodSpec

if TYPE_CHECKING:  # XlsxWriter loads when a workbook is written, not with the app (tests/functional/test_fast_start.py)
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

META_SHEET = "_meta"
INSTRUCTIONS_SHEET = "Instructions"
META_FORMAT = "safer-returns/blank-return/1"
DEFINED_NAMES = {
    "SR_TEMPLATE": "template_slug",
    "SR_VERSION": "template_version",
    "SR_AGENCY": "agency_slug",
    "SR_PERIOD": "period_key",
}

TITLE_ROW, SUBTITLE_ROW, GUIDE_ROW, PERIOD_ROW, HEADER_ROW, FIRST_DATA_ROW = 0, 1, 2, 3, 4, 5
LABEL_COL, UNIT_COL, FIRST_INPUT_COL = 0, 1, 2
TEXT_MAX = 2000
LABEL_WIDTH, INPUT_WIDTH = 55, 14

NUMBER_FORMATS = {
    "whole": "#,##0",
    "decimal": "#,##0.0#",
    "percent": '0.0#"%"',
    "money": '"£"#,##0.00',
    "date": "dd/mm/yyyy",
    "text": "@",
}
# What the Unit column says for each type of figure.
RULE_TYPE_UNITS = {"whole": "number", "decimal": "number", "percent": "%", "money": "£", "date": "date", "text": "text"}
TYPE_NAMES = {
    "whole": "Whole number",
    "decimal": "Number",
    "percent": "Percentage (75 = 75%)",
    "money": "Amount in pounds",
    "date": "Date",
    "text": "Text",
}
FLAG_TEXT = {"not_available": "N/A", "not_released": "Not yet released"}

INPUT_FILL = "#FFF2CC"
LOCKED_FILL = "#E7E6E6"
HEADER_FILL = "#D9E1F2"


# ---- where things are ---------------------------------------------------------------

@dataclass(frozen=True)
class SheetGrid:
    """Column positions (0-based) of one return sheet."""

    inputs: dict[str, int]  # slot key → column
    note: int | None
    references: dict[str, int]  # slot key → column of last period's value
    reference_beside: bool  # True: one reference column right after the single input column


def sheet_grid(sheet: SheetLayout) -> SheetGrid:
    slots = sheet_slots(sheet)
    value_slots = [s for s in slots if not s.is_note]
    inputs = {s.key: FIRST_INPUT_COL + i for i, s in enumerate(value_slots)}
    col = FIRST_INPUT_COL + len(value_slots)
    beside = len(value_slots) == 1
    references = {}
    if beside:
        references = {value_slots[0].key: col}
        col += 1
    note = col if sheet.note_column else None
    col += 1 if sheet.note_column else 0
    if not beside:
        references = {s.key: col + 1 + i for i, s in enumerate(value_slots)}
    return SheetGrid(inputs=inputs, note=note, references=references, reference_beside=beside)


def _cell_column(grid: SheetGrid, f: Field) -> int:
    return grid.note if f.column_key == "note" else grid.inputs[f.column_key]


def field_cells(defn: TemplateDefinition, fields: list[Field]) -> dict[str, tuple[str, str]]:
    """Field id → (sheet name, cell such as "C6") in a blank return of ``defn``."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    grids = {sheet.name: sheet_grid(sheet) for sheet in defn.sheets}
    return {
        f.id: (f.sheet, xl_rowcol_to_cell(FIRST_DATA_ROW + f.row_index, _cell_column(grids[f.sheet], f)))
        for f in fields
    }


def sheet_frame(sheet: SheetLayout, period: PeriodSpec) -> dict[tuple[int, int], str]:
    """The text a return sheet holds around its inputs, by 0-based (row, column): the period
    row (when shown), the header row and each row's label and unit, as ``_write_return_sheet``
    writes them (without last period's block). A return sent as values through the API is
    read from these cells and the input cells (``app.ingest.typed``); a unit test holds them
    equal to what the reader finds in a blank return."""
    grid = sheet_grid(sheet)
    slots = [s for s in sheet_slots(sheet) if not s.is_note]
    cells = {(HEADER_ROW, LABEL_COL): "Item" if sheet.layout == "label_value" else "Indicator",
             (HEADER_ROW, UNIT_COL): "Unit"}
    periods = {slot.key: slot_period(slot, period) for slot in slots}
    show_periods = any(p != period for p in periods.values())
    if show_periods:
        cells[PERIOD_ROW, LABEL_COL] = "Period covered"
    for slot in slots:
        cells[HEADER_ROW, grid.inputs[slot.key]] = slot.header
        if show_periods:
            cells[PERIOD_ROW, grid.inputs[slot.key]] = periods[slot.key].label
    if grid.note is not None:
        cells[HEADER_ROW, grid.note] = "Notes"
    for r, row in enumerate(sheet.rows):
        cells[FIRST_DATA_ROW + r, LABEL_COL] = row.label
        unit = RULE_TYPE_UNITS.get(row.rule.type, "")
        if unit:
            cells[FIRST_DATA_ROW + r, UNIT_COL] = unit
    return cells


# ---- words ---------------------------------------------------------------------------

def _num(value: float) -> str:
    """A number as Excel formulas and people read it (no exponent, no trailing .0)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _plain(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _range_phrase(rule: FieldRule) -> str:
    if rule.type not in NUMERIC_TYPES:
        return ""
    if rule.min is not None and rule.max is not None:
        return f" between {_plain(rule.min)} and {_plain(rule.max)}"
    if rule.min is not None:
        return f" of {_plain(rule.min)} or more"
    if rule.max is not None:
        return f" of {_plain(rule.max)} or less"
    return ""


def _na_phrase(rule: FieldRule) -> str:
    if not rule.allow_na:
        return ""
    if rule.na_needs_reason:
        return " If it is not available, write N/A - and the reason, e.g. 'N/A - survey not yet carried out'."
    return " If it is not available, write N/A."


def _what_to_type(rule: FieldRule) -> str:
    return {
        "whole": "a whole number",
        "decimal": "a number",
        "percent": "a percentage as a number (75 for 75%)",
        "money": "an amount in pounds without the £ sign",
        "date": "a date such as 31/03/2016",
        "text": f"text of up to {TEXT_MAX:,} characters",
    }[rule.type]


def _input_message(rule: FieldRule, help_text: str) -> str:
    message = f"Type {_what_to_type(rule)}{_range_phrase(rule)}."
    if rule.type in NUMERIC_TYPES:
        message += " For an estimate add (estimate): 1,400 (estimate)."
    message += _na_phrase(rule)
    message += " Required." if rule.required else ""
    if help_text and len(message) + len(help_text) < 250:
        message = f"{help_text} {message}"
    return message[:255]


def _error_message(rule: FieldRule) -> str:
    message = f"This cell takes {_what_to_type(rule)}{_range_phrase(rule)}."
    if rule.type in NUMERIC_TYPES:
        message += " Type the figure only, e.g. 1400, or 1,400 (estimate)."
    return (message + _na_phrase(rule))[:255]


def _validation(rule: FieldRule, cell: str, help_text: str) -> dict:
    """Excel data validation for a run of cells whose top cell is ``cell``."""
    common = {
        "input_title": TYPE_NAMES[rule.type][:32],
        "input_message": _input_message(rule, help_text),
        "error_title": "Check this entry",
        "error_message": _error_message(rule),
        "error_type": "stop",
        "ignore_blank": True,
    }
    if rule.type == "text":
        return {"validate": "length", "criteria": "<=", "value": TEXT_MAX, **common}
    checks = [f"ISNUMBER({cell})"]
    if rule.type in NUMERIC_TYPES:
        if rule.min is not None:
            checks.append(f"{cell}>={_num(rule.min)}")
        if rule.max is not None:
            checks.append(f"{cell}<={_num(rule.max)}")
    if rule.type == "whole":
        checks.append(f"{cell}=INT({cell})")
    accepted = [f"AND({','.join(checks)})"]
    if rule.type in NUMERIC_TYPES:
        accepted += [f'ISNUMBER(SEARCH("(estimate)",{cell}))', f'ISNUMBER(SEARCH("(provisional)",{cell}))']
    if rule.allow_na:
        accepted.append(f'LEFT(UPPER(TRIM({cell})),3)="N/A"')
    formula = f"=OR({','.join(accepted)})"
    assert len(formula) <= 255, formula  # Excel's limit for a validation formula
    return {"validate": "custom", "value": formula, **common}


def _long_date(d: date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


# ---- formats ---------------------------------------------------------------------------

class _Formats:
    def __init__(self, wb: Workbook):
        def add(**properties):
            # Arial 10 as in app/export/formats.py, whose row-height estimate assumes it.
            return wb.add_format({"font_name": "Arial", "font_size": 10, **properties})

        boxed = {"border": 1, "border_color": "#808080", "valign": "top"}
        self.title = add(bold=True, font_size=14)
        self.subtitle = add(bold=True)
        self.guide = add(italic=True, font_color="#404040")
        self.wrap = add(text_wrap=True, valign="top")
        self.bold = add(bold=True, valign="top")
        self.header = add(bold=True, text_wrap=True, bg_color=HEADER_FILL, **boxed)
        self.period = add(italic=True, text_wrap=True, font_color="#404040", valign="bottom")
        self.label = add(text_wrap=True, **boxed)
        self.unit = add(align="center", font_color="#404040", **boxed)
        self.reference_header = add(bold=True, text_wrap=True, bg_color=LOCKED_FILL, **boxed)
        self.reference_text = add(italic=True, bg_color=LOCKED_FILL, **boxed)
        self.inputs, self.totals, self.references = {}, {}, {}
        for kind, num_format in NUMBER_FORMATS.items():
            cell = {"num_format": num_format, **boxed}
            self.inputs[kind] = add(locked=False, bg_color=INPUT_FILL, text_wrap=kind == "text", **cell)
            self.totals[kind] = add(locked=False, bg_color=INPUT_FILL, bold=True, left=2, **cell)
            self.references[kind] = add(italic=True, bg_color=LOCKED_FILL, **cell)


# ---- the workbook ----------------------------------------------------------------------

def build_blank_return(
    defn: TemplateDefinition,
    *,
    template_version: int,
    agency_slug: str,
    agency_name: str,
    period: PeriodSpec,
    due_date: date,
    previous_values: dict[str, tuple[float | None, str]] | None = None,
    instructions: str | None = None,
    reference_values: dict[str, tuple[float | None, str]] | None = None,
    previous_period_label: str | None = None,
    generated_at: datetime | None = None,
) -> bytes:
    """The blank return as .xlsx bytes.

    ``previous_values``: field id → (last period's value, flag), shown beside the inputs.
    ``reference_values``: field id → (value, flag) for the cells of reference columns.
    ``instructions`` replaces the definition's instructions (a version's own text).
    ``previous_period_label`` names "last period" (default: the period before ``period``).
    ``generated_at`` is recorded in _meta and the document properties (default: now).
    The same arguments give the same bytes.
    """
    generated_at = generated_at or datetime.now(UTC).replace(microsecond=0)
    fields = expand_fields(defn, period)
    meta = {
        "format": META_FORMAT,
        "template_slug": defn.slug,
        "template_version": str(template_version),
        "agency_slug": agency_slug,
        "period_key": period.key,
        "period_label": period.label,
        "generated_at": generated_at.isoformat(timespec="seconds"),
    }
    context = _Context(
        defn=defn, period=period, agency_name=agency_name, due_date=due_date,
        previous_values=previous_values, reference_values=reference_values or {},
        previous_label=previous_period_label or period.previous().label,
    )
    output = io.BytesIO()
    wb = new_workbook(output)
    formats = _Formats(wb)
    _write_instructions(wb.add_worksheet(INSTRUCTIONS_SHEET), formats, context, fields, template_version,
                        defn.instructions if instructions is None else instructions)
    for sheet in defn.sheets:
        _write_return_sheet(wb.add_worksheet(sheet.name), formats, context, sheet,
                            [f for f in fields if f.sheet == sheet.name])
    _write_meta(wb, wb.add_worksheet(META_SHEET), meta)
    wb.set_properties({
        "title": f"{defn.name}: {agency_name}, {period.label}"[:255],
        "subject": "Safer Returns standard return",
        "author": "Safer Returns",
        "keywords": f"safer-returns, template={defn.slug}, version={template_version}, "
                    f"agency={agency_slug}, period={period.key}",
        "comments": f"Return by {_long_date(due_date)}.",
        "created": generated_at,
    })
    close_workbook(wb)
    return output.getvalue()


@dataclass(frozen=True)
class _Context:
    defn: TemplateDefinition
    period: PeriodSpec
    agency_name: str
    due_date: date
    previous_values: dict | None
    reference_values: dict
    previous_label: str


def _write_meta(wb: Workbook, ws: Worksheet, meta: dict[str, str]) -> None:
    for r, (key, value) in enumerate(meta.items()):
        ws.write_string(r, 0, key)
        ws.write_string(r, 1, value)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 40)
    ws.protect()
    ws.very_hidden()
    for name, key in DEFINED_NAMES.items():
        wb.define_name(name, '="' + meta[key].replace('"', '""') + '"')


def _write_frame(ws: Worksheet, fmt: _Formats, context: _Context, title: str) -> None:
    ws.write_string(TITLE_ROW, 0, title, fmt.title)
    ws.write_string(SUBTITLE_ROW, 0, f"{context.agency_name}: {context.period.label}. "
                                     f"Return by {_long_date(context.due_date)}.", fmt.subtitle)


def _write_return_sheet(ws: Worksheet, fmt: _Formats, context: _Context, sheet: SheetLayout,
                        fields: list[Field]) -> None:
    grid = sheet_grid(sheet)
    slots = [s for s in sheet_slots(sheet) if not s.is_note]
    _write_frame(ws, fmt, context, sheet.title or context.defn.name)
    ws.write_string(GUIDE_ROW, 0, "Type your figures in the yellow cells; grey cells are locked. "
                                  "The Instructions sheet explains the rules.", fmt.guide)

    # Headers, and the period each column covers where it is not simply the return's period.
    ws.write_string(HEADER_ROW, LABEL_COL, "Item" if sheet.layout == "label_value" else "Indicator", fmt.header)
    ws.write_string(HEADER_ROW, UNIT_COL, "Unit", fmt.header)
    periods = {slot.key: slot_period(slot, context.period) for slot in slots}
    show_periods = any(p != context.period for p in periods.values())
    if show_periods:
        ws.write_string(PERIOD_ROW, LABEL_COL, "Period covered", fmt.period)
    for slot in slots:
        ws.write_string(HEADER_ROW, grid.inputs[slot.key], slot.header, fmt.header)
        if show_periods:
            ws.write_string(PERIOD_ROW, grid.inputs[slot.key], periods[slot.key].label, fmt.period)
    if grid.note is not None:
        ws.write_string(HEADER_ROW, grid.note, "Notes", fmt.header)

    show_references = context.previous_values is not None
    if show_references and grid.reference_beside:
        ws.write_string(HEADER_ROW, grid.references[slots[0].key], f"Last period ({context.previous_label})",
                        fmt.reference_header)
    elif show_references:
        first, last = min(grid.references.values()), max(grid.references.values())
        heading = f"Last period (for reference): {context.previous_label}"
        if first == last:
            ws.write_string(PERIOD_ROW, first, heading, fmt.reference_header)
        else:
            ws.merge_range(PERIOD_ROW, first, PERIOD_ROW, last, heading, fmt.reference_header)
        for slot in slots:
            ws.write_string(HEADER_ROW, grid.references[slot.key], slot.header, fmt.reference_header)

    # Labels, inputs, references.
    header_texts = [(slot.header, INPUT_WIDTH) for slot in slots]
    if show_references:
        header_texts.append((f"Last period ({context.previous_label})", INPUT_WIDTH))
    fit_row(ws, HEADER_ROW, header_texts)
    if show_periods:
        fit_row(ws, PERIOD_ROW, [(periods[slot.key].label, INPUT_WIDTH) for slot in slots])
    for r, row in enumerate(sheet.rows):
        ws.write_string(FIRST_DATA_ROW + r, LABEL_COL, row.label, fmt.label)
        ws.write_string(FIRST_DATA_ROW + r, UNIT_COL, RULE_TYPE_UNITS.get(row.rule.type, ""), fmt.unit)
        fit_row(ws, FIRST_DATA_ROW + r, [(row.label, LABEL_WIDTH)])
    for f in fields:
        row_number = FIRST_DATA_ROW + f.row_index
        col = _cell_column(grid, f)
        if not f.is_entered:
            _write_reference(ws, fmt, row_number, col, f, context.reference_values.get(f.id))
        else:
            cell_format = (fmt.totals if f.role == "total" else fmt.inputs)[f.rule.type]
            ws.write_blank(row_number, col, None, cell_format)
        if show_references and f.column_key in grid.references:
            _write_reference(ws, fmt, row_number, grid.references[f.column_key], f,
                             context.previous_values.get(f.id))
    _add_validations(ws, sheet, grid, fields)

    ws.set_column(LABEL_COL, LABEL_COL, LABEL_WIDTH)
    ws.set_column(UNIT_COL, UNIT_COL, 8)
    ws.set_column(FIRST_INPUT_COL, FIRST_INPUT_COL + len(slots) - 1, INPUT_WIDTH)
    if grid.note is not None:
        ws.set_column(grid.note, grid.note, 30)
    if show_references:
        ws.set_column(min(grid.references.values()), max(grid.references.values()), INPUT_WIDTH)
    ws.freeze_panes(FIRST_DATA_ROW, FIRST_INPUT_COL)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER_ROW)
    ws.protect("", {"format_columns": True, "format_rows": True})


def _write_reference(ws: Worksheet, fmt: _Formats, row: int, col: int, f: Field,
                     entry: tuple[float | None, str] | None) -> None:
    value, flag = entry if entry is not None else (None, "")
    number_format = fmt.references[f.rule.type]
    if flag in FLAG_TEXT:
        ws.write_string(row, col, FLAG_TEXT[flag], fmt.reference_text)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt.reference_text)
    elif value is None:
        ws.write_blank(row, col, None, number_format)
    elif flag in ("estimate", "provisional"):
        ws.write_string(row, col, f"{_plain(value)} ({flag})", fmt.reference_text)
    else:
        ws.write_number(row, col, value, number_format)


def _add_validations(ws: Worksheet, sheet: SheetLayout, grid: SheetGrid, fields: list[Field]) -> None:
    """One validation per vertical run of entered cells that share a rule."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    by_column: dict[int, list[Field]] = {}
    for f in fields:
        if f.is_entered:
            by_column.setdefault(_cell_column(grid, f), []).append(f)
    for col, column_fields in sorted(by_column.items()):
        run: list[Field] = []
        for f in column_fields + [None]:
            if run and (f is None or f.rule != run[0].rule or f.row_index != run[-1].row_index + 1):
                top = FIRST_DATA_ROW + run[0].row_index
                help_text = sheet.rows[run[0].row_index].help if len(run) == 1 else ""
                ws.data_validation(top, col, FIRST_DATA_ROW + run[-1].row_index, col,
                                   _validation(run[0].rule, xl_rowcol_to_cell(top, col), help_text))
                run = []
            if f is not None:
                run.append(f)


# ---- the instructions sheet ------------------------------------------------------------

RULE_TABLE_HEADERS = ("Sheet", "Row", "Columns", "Type", "Required", "Minimum", "Maximum",
                      "Not available (N/A)", "Guidance")
RULE_TABLE_WIDTHS = (18, 50, 30, 22, 10, 10, 10, 30, 40)

HOW_TO = (
    ("What to type", [
        "Type figures only in the yellow cells. Labels, headings and grey cells are locked so the "
        "return can be read automatically; do not rename sheets or insert, delete or move rows and columns.",
        "Type numbers without units or words: 1400, not '1,400 calls'. Money is in pounds without the £ sign.",
        "Percentages are typed as numbers: 75 means 75%. Do not type the % sign.",
        "Leave a cell empty only if you have no figure: never type 0 for a figure you do not have, "
        "because 0 means none.",
        "An estimate: type the figure followed by (estimate), e.g. 1,400 (estimate). "
        "A provisional figure: 1,400 (provisional).",
        "Not available (only where the rules below allow it): write N/A, a dash and the reason, "
        "e.g. N/A - survey not yet carried out.",
        "Use the Notes column for anything the reader of the figure should know.",
        "Grey figures beside or to the right of the inputs are last period's, for reference only.",
    ]),
    ("How to upload", [
        "Save the file as an Excel workbook (.xlsx); the file name does not matter.",
        "Sign in to Safer Returns, choose 'Upload a return' and select the file. The workbook records "
        "its template, version, agency and period, so the upload knows what it is.",
        "Safer Returns checks every figure and lists anything to fix by sheet and cell. Correct the "
        "workbook and upload it again; a new upload replaces the earlier one, which is kept.",
    ]),
)


def _paragraph(ws: Worksheet, row: int, text: str, fmt, last_col: int) -> int:
    ws.merge_range(row, 0, row, last_col, text, fmt)
    fit_row(ws, row, [(text, sum(RULE_TABLE_WIDTHS[: last_col + 1]))])
    return row + 1


def _rule_lines(sheet: SheetLayout, fields: list[Field]) -> list[list[str]]:
    """One line per row and distinct rule; 'All columns' where one rule covers the row."""
    lines = []
    for r, row in enumerate(sheet.rows):
        entered = [f for f in fields if f.row_index == r and f.is_entered and f.column_key != "note"]
        groups: dict[FieldRule, list[str]] = {}
        for f in entered:
            groups.setdefault(f.rule, []).append(f.column_header)
        for rule, headers in groups.items():
            others = [f.column_header for f in entered if f.column_header not in headers]
            columns = ", ".join(headers)
            if not others:
                columns = "All columns"
            elif len(others) < len(headers):
                columns = "All except " + ", ".join(others)
            na = "" if rule.type == "text" else "Not allowed"
            if rule.allow_na:
                na = "Allowed: write N/A - and the reason" if rule.na_needs_reason else "Allowed: write N/A"
            numeric = rule.type in NUMERIC_TYPES
            lines.append([
                sheet.name, row.label, columns, TYPE_NAMES[rule.type], "Yes" if rule.required else "No",
                _plain(rule.min) if numeric and rule.min is not None else "",
                _plain(rule.max) if numeric and rule.max is not None else "",
                na, row.help,
            ])
    return lines


def _write_instructions(ws: Worksheet, fmt: _Formats, context: _Context, fields: list[Field],
                        version: int, instructions: str) -> None:
    last_col = len(RULE_TABLE_HEADERS) - 1
    _write_frame(ws, fmt, context, f"{context.defn.name}: standard return")
    facts = [
        ("Agency", context.agency_name),
        ("Period", context.period.label),
        ("Deadline", f"Return by {_long_date(context.due_date)}"),
        ("Template", f"{context.defn.name} (version {version})"),
    ]
    row = SUBTITLE_ROW + 2
    for key, value in facts:
        ws.write_string(row, 0, key, fmt.bold)
        ws.write_string(row, 1, value)
        row += 1
    row += 1
    if instructions.strip():
        ws.write_string(row, 0, "What this return is for", fmt.subtitle)
        row += 1
        for line in [line.strip() for line in instructions.splitlines() if line.strip()]:
            row = _paragraph(ws, row, line, fmt.wrap, last_col)
        row += 1
    for heading, lines in HOW_TO:
        ws.write_string(row, 0, heading, fmt.subtitle)
        row += 1
        for line in lines:
            row = _paragraph(ws, row, line, fmt.wrap, last_col)
        row += 1
    ws.write_string(row, 0, "The rules for each row", fmt.subtitle)
    row += 1
    for c, header in enumerate(RULE_TABLE_HEADERS):
        ws.write_string(row, c, header, fmt.header)
    row += 1
    for sheet in context.defn.sheets:
        for line in _rule_lines(sheet, [f for f in fields if f.sheet == sheet.name]):
            for c, text in enumerate(line):
                if text:
                    ws.write_string(row, c, text, fmt.label)
                else:
                    ws.write_blank(row, c, None, fmt.label)
            fit_row(ws, row, list(zip(line, RULE_TABLE_WIDTHS)))
            row += 1
    for c, width in enumerate(RULE_TABLE_WIDTHS):
        ws.set_column(c, c, width)
    ws.set_portrait()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.protect("", {"format_columns": True, "format_rows": True})
    ws.activate()
