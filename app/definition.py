"""Return template definitions: the one description of a standard return.

Flask-free and model-free. The admin editor builds a ``TemplateDefinition``, the database
keeps ``definition.to_dict()`` as JSON in ``TemplateVersion.definition``, the blank return
writer lays it out and the upload mapper reads uploads with it. ``expand_fields`` is the
single, deterministic list of the cells a return holds for one period.

Shape (JSON keys are the attribute names; ``to_dict`` always writes every key):

- ``TemplateDefinition``: slug, name, frequency (quarterly | monthly | annual | span),
  agencies (agency slugs), due_days (days after the period ends), instructions, sheets,
  cross_rules.
- ``SheetLayout``: name (an Excel sheet name: at most 31 characters, none of
  ``[ ] : * ? / \\`` and no ``|`` because field ids use it; "Instructions" and "_meta"
  are taken by the blank return), layout, title, rows, columns, default_area,
  with_previous_year, note_column. Layouts:

  * ``indicator_by_area``: indicator rows × area columns (Appendix 2). At least one area
    column; measure columns (e.g. a target for a wider area) may sit beside them.
  * ``indicator_by_period``: indicator rows × period columns (Cambridgeshire);
    ``with_previous_year`` adds, after each period column, a column for the same period a
    year earlier, headed "<header> (previous year)".
  * ``indicator_by_measure``: indicator rows × measure columns (Table 2: Target |
    Performance | Comment) or period columns (Rotherham: rolling 12 months | year to date).
  * ``label_value``: label → value pairs; no columns: the sheet has one value column,
    key "value", headed "Value".

- ``RowSpec``: label, aliases, indicator (slug), area (fixes the row's area, e.g.
  "Refuge occupancy rate - Hunts" → HUNTS), rule, help.
- ``ColumnSpec``: header, aliases, kind (area | period | measure), area, period, measure
  (value | target | comment | previous_year), role (input | total | reference), rule
  (overrides the row's rule; ``None`` = use the row's, or a text rule for comments).
- ``FieldRule``: required, type (whole | decimal | percent | money | date | text), min,
  max, allow_na, na_needs_reason. Percent values are percentage points: 75 means 75%.
- ``CrossRule``: kind, sheet, parts, total, message, tolerance. ``parts`` and ``total``
  are ``FieldSelector(row, column)``: a row label and/or a column header (aliases
  accepted, compared with ``normalise_label``). An empty row or column means "each":
  the rule is checked once per row (or column) of the sheet. Kinds:

  * ``sum_equals``: the parts add up to the total (within ``tolerance``);
  * ``less_or_equal``: the parts add up to no more than the total (repeats ≤ cases);
  * ``percent_range``: each part lies within 0–100 (no total).

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

Period references (``ColumnSpec.period``) are resolved against the return's period:
``period`` (the return's own period), ``Q1``..``Q4`` and ``year`` (of the financial year
containing the end of the return's period), ``Apr``..``Mar`` (months of that financial
year), ``rolling_12_months`` and ``year_to_date`` (both ending with the return's period),
``previous_year:<reference>`` (the same a year earlier), or an absolute period such as
"2015/16 Q4" (anything ``app.periods.parse_period`` reads).

A field whose period ends after the return's period (Q4 in a Q3 return) and a
previous-year companion field are never required. Rotherham's Table 4 is a monthly
return: the return for "Oct 2017" holds the 12 months to Oct 2016 and to Oct 2017 and
the year to date Apr–Oct 2017. Its "% Change" column is not part of the template: the
app computes changes itself.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field, fields as dataclass_fields, replace
from datetime import date, timedelta

from app.periods import (
    PeriodError,
    PeriodSpec,
    add_months,
    financial_year,
    month,
    parse_period,
    quarter,
    rolling_12_months,
    year_to_date,
)

FREQUENCIES = ("quarterly", "monthly", "annual", "span")
LAYOUTS = ("indicator_by_area", "indicator_by_period", "indicator_by_measure", "label_value")
LAYOUT_NAMES = {
    "indicator_by_area": "indicator rows × area columns",
    "indicator_by_period": "indicator rows × period columns",
    "indicator_by_measure": "indicator rows × measure columns",
    "label_value": "label and value pairs",
}
COLUMN_KINDS = ("area", "period", "measure")
MEASURES = ("value", "target", "comment", "previous_year")
FIELD_MEASURES = ("value", "target", "comment")
ROLES = ("input", "total", "reference")
RULE_TYPES = ("whole", "decimal", "percent", "money", "date", "text")
NUMERIC_TYPES = ("whole", "decimal", "percent", "money")
CROSS_RULE_KINDS = ("sum_equals", "less_or_equal", "percent_range")
RELATIVE_PERIODS = ("period", "Q1", "Q2", "Q3", "Q4", "year", "rolling_12_months", "year_to_date")
FY_MONTHS = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")
PREVIOUS_YEAR_PREFIX = "previous_year:"

SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = set("[]:*?/\\|")
# Sheet names the blank return uses itself (compared case-insensitively, as Excel does).
RESERVED_SHEET_NAMES = ("instructions", "_meta", "history")
NOTE_HEADER = "Notes"
VALUE_HEADER = "Value"
SLUG_MAX = 80
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
AREA_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,12}$")

# A mid-period sample per frequency, used only to find two cells giving the same figure.
_SAMPLE_PERIODS = {"quarterly": "2020/21 Q2", "monthly": "Aug 2020", "annual": "2020/21", "span": "2020/21"}


# ---- labels and slugs -------------------------------------------------------------

_APOSTROPHES = str.maketrans("", "", "'’‘`")


def normalise_label(text: str | None) -> str:
    """The form in which labels and headers are compared: case, spacing and punctuation
    do not count ("H&B" = "h & b" = "H and B"; "H'boro" = "Hboro")."""
    s = unicodedata.normalize("NFKC", text or "").casefold()
    s = s.replace("&", " and ").replace("%", " percent ").translate(_APOSTROPHES)
    s = re.sub(r"[\W_]+", " ", s)
    return " ".join(s.split())


def slugify(text: str | None, max_length: int = SLUG_MAX) -> str:
    """Lower-case ASCII words joined by hyphens, cut at a word boundary to ``max_length``."""
    ascii_text = unicodedata.normalize("NFKD", normalise_label(text)).encode("ascii", "ignore").decode()
    slug = "-".join(ascii_text.split())
    if len(slug) > max_length:
        slug = slug[:max_length]
        slug = slug[: slug.rfind("-")] if "-" in slug else slug
    return slug


# ---- the definition ---------------------------------------------------------------

def _canonical_number(value):
    """Whole floats are written as integers so the JSON of a definition is canonical."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _plain(value):
    if isinstance(value, _Plain):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclass_fields(value)}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return _canonical_number(value)


class _Plain:
    """``to_dict()``: every attribute, nested definitions as dicts, whole floats as ints."""

    def to_dict(self) -> dict:
        return _plain(self)


@dataclass(frozen=True)
class FieldRule(_Plain):
    required: bool = True
    type: str = "whole"
    min: float | None = 0
    max: float | None = None
    allow_na: bool = False
    na_needs_reason: bool = True

    @classmethod
    def from_dict(cls, data, path: str, problems: list) -> "FieldRule":
        r = _Reader(data, path, problems, "A rule")
        rule = cls(
            required=r.flag("required", True),
            type=r.text("type", "whole"),
            min=r.number("min", 0),
            max=r.number("max", None),
            allow_na=r.flag("allow_na", False),
            na_needs_reason=r.flag("na_needs_reason", True),
        )
        r.finish()
        return rule


def whole_rule(required: bool = True, allow_na: bool = False) -> FieldRule:
    return FieldRule(required=required, type="whole", min=0, allow_na=allow_na)


def percent_rule(required: bool = True, allow_na: bool = False) -> FieldRule:
    return FieldRule(required=required, type="percent", min=0, max=100, allow_na=allow_na)


def money_rule(required: bool = True) -> FieldRule:
    return FieldRule(required=required, type="money", min=0)


def decimal_rule(required: bool = True) -> FieldRule:
    return FieldRule(required=required, type="decimal", min=0)


def text_rule(required: bool = False) -> FieldRule:
    return FieldRule(required=required, type="text", min=None)


@dataclass
class RowSpec(_Plain):
    label: str
    indicator: str
    aliases: list[str] = field(default_factory=list)
    area: str | None = None
    rule: FieldRule = field(default_factory=FieldRule)
    help: str = ""

    @property
    def key(self) -> str:
        # Not cut to SLUG_MAX: two long labels that differ only near the end stay distinct.
        return slugify(self.label, max_length=10_000)

    @classmethod
    def from_dict(cls, data, path: str, problems: list) -> "RowSpec":
        r = _Reader(data, path, problems, "A row")
        row = cls(
            label=r.text("label"),
            aliases=r.text_list("aliases"),
            indicator=r.text("indicator"),
            area=r.optional_text("area"),
            rule=FieldRule.from_dict(r.get("rule", {}), f"{path}.rule", problems),
            help=r.text("help"),
        )
        r.finish()
        return row


@dataclass
class ColumnSpec(_Plain):
    header: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    area: str | None = None
    period: str | None = None
    measure: str | None = None
    role: str = "input"
    rule: FieldRule | None = None

    @property
    def key(self) -> str:
        """The column's part of a field id (see the module docstring)."""
        if self.kind == "area":
            return self.area or ""
        if self.kind == "period":
            return (self.period or "") + (f"@{self.area}" if self.area else "")
        return (self.measure or "") + (f"@{self.area}" if self.area else "")

    @classmethod
    def from_dict(cls, data, path: str, problems: list) -> "ColumnSpec":
        r = _Reader(data, path, problems, "A column")
        rule_data = r.get("rule", None)
        column = cls(
            header=r.text("header"),
            aliases=r.text_list("aliases"),
            kind=r.text("kind", "area"),
            area=r.optional_text("area"),
            period=r.optional_text("period"),
            measure=r.optional_text("measure"),
            role=r.text("role", "input"),
            rule=None if rule_data is None else FieldRule.from_dict(rule_data, f"{path}.rule", problems),
        )
        r.finish()
        return column


@dataclass
class SheetLayout(_Plain):
    name: str
    layout: str
    title: str = ""
    rows: list[RowSpec] = field(default_factory=list)
    columns: list[ColumnSpec] = field(default_factory=list)
    default_area: str | None = None
    with_previous_year: bool = False
    note_column: bool = True

    @classmethod
    def from_dict(cls, data, path: str, problems: list) -> "SheetLayout":
        r = _Reader(data, path, problems, "A sheet")
        sheet = cls(
            name=r.text("name"),
            layout=r.text("layout", "indicator_by_area"),
            title=r.text("title"),
            rows=[RowSpec.from_dict(item, p, problems) for item, p in r.objects("rows")],
            columns=[ColumnSpec.from_dict(item, p, problems) for item, p in r.objects("columns")],
            default_area=r.optional_text("default_area"),
            with_previous_year=r.flag("with_previous_year", False),
            note_column=r.flag("note_column", True),
        )
        r.finish()
        return sheet


@dataclass(frozen=True)
class FieldSelector(_Plain):
    """A row label and/or a column header; empty means "each row" / "each column"."""

    row: str = ""
    column: str = ""

    @classmethod
    def from_dict(cls, data, path: str, problems: list) -> "FieldSelector":
        r = _Reader(data, path, problems, "A field selector")
        selector = cls(row=r.text("row"), column=r.text("column"))
        r.finish()
        return selector

    def describe(self) -> str:
        return " / ".join(part for part in (self.row, self.column) if part) or "(each field)"


@dataclass
class CrossRule(_Plain):
    kind: str
    sheet: str
    parts: list[FieldSelector] = field(default_factory=list)
    total: FieldSelector | None = None
    message: str = ""
    tolerance: float = 0

    @classmethod
    def from_dict(cls, data, path: str, problems: list) -> "CrossRule":
        r = _Reader(data, path, problems, "A cross-field rule")
        total = r.get("total", None)
        rule = cls(
            kind=r.text("kind"),
            sheet=r.text("sheet"),
            parts=[FieldSelector.from_dict(item, p, problems) for item, p in r.objects("parts")],
            total=None if total is None else FieldSelector.from_dict(total, f"{path}.total", problems),
            message=r.text("message"),
            tolerance=r.number("tolerance", 0) or 0,
        )
        r.finish()
        return rule


@dataclass
class TemplateDefinition(_Plain):
    slug: str
    name: str
    frequency: str = "quarterly"
    agencies: list[str] = field(default_factory=list)
    due_days: int = 28
    instructions: str = ""
    sheets: list[SheetLayout] = field(default_factory=list)
    cross_rules: list[CrossRule] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data) -> "TemplateDefinition":
        """Read a definition from its JSON form. Raises ``DefinitionError`` listing every
        structural problem (wrong types, unknown keys); run ``validate_definition`` after."""
        problems: list[DefinitionProblem] = []
        r = _Reader(data, "", problems, "A template definition")
        defn = cls(
            slug=r.text("slug"),
            name=r.text("name"),
            frequency=r.text("frequency", "quarterly"),
            agencies=r.text_list("agencies"),
            due_days=r.integer("due_days", 28),
            instructions=r.text("instructions"),
            sheets=[SheetLayout.from_dict(item, p, problems) for item, p in r.objects("sheets")],
            cross_rules=[CrossRule.from_dict(item, p, problems) for item, p in r.objects("cross_rules")],
        )
        r.finish()
        if problems:
            raise DefinitionError(problems)
        return defn

    def sheet(self, name: str) -> SheetLayout | None:
        wanted = name.casefold()
        return next((s for s in self.sheets if s.name.casefold() == wanted), None)


def definition_to_json(defn: TemplateDefinition) -> str:
    """The canonical JSON text of a definition (what ``flask templates dump`` prints)."""
    return json.dumps(defn.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def definition_from_json(text: str) -> TemplateDefinition:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DefinitionError(
            [DefinitionProblem("", f"This is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).")]
        ) from None
    return TemplateDefinition.from_dict(data)


# ---- reading JSON with readable problems ------------------------------------------

@dataclass(frozen=True)
class DefinitionProblem:
    path: str  # e.g. "sheets[0].rows[2].label"; "" for the definition as a whole
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class DefinitionError(ValueError):
    """A definition could not be read. ``problems`` lists every problem found."""

    def __init__(self, problems: list[DefinitionProblem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


class _Reader:
    """Reads one JSON object, noting wrong types and unknown keys as problems."""

    def __init__(self, data, path: str, problems: list, what: str):
        self.path = path
        self.problems = problems
        self.data = data if isinstance(data, dict) else {}
        self.used: set[str] = set()
        if not isinstance(data, dict):
            self.problems.append(DefinitionProblem(path, f"{what} should be a JSON object."))

    def _at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _wrong(self, key: str, expected: str) -> None:
        self.problems.append(DefinitionProblem(self._at(key), f"'{key}' should be {expected}."))

    def get(self, key: str, default):
        self.used.add(key)
        return self.data.get(key, default)

    def text(self, key: str, default: str = "") -> str:
        value = self.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str):
            self._wrong(key, "text")
            return default
        return value

    def optional_text(self, key: str) -> str | None:
        value = self.text(key, "")
        return value or None

    def flag(self, key: str, default: bool) -> bool:
        value = self.get(key, default)
        if not isinstance(value, bool):
            self._wrong(key, "true or false")
            return default
        return value

    def number(self, key: str, default):
        value = self.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self._wrong(key, "a number or null")
            return default
        return _canonical_number(value)

    def integer(self, key: str, default: int) -> int:
        value = _canonical_number(self.get(key, default))
        if isinstance(value, bool) or not isinstance(value, int):
            self._wrong(key, "a whole number")
            return default
        return value

    def _list(self, key: str) -> list:
        value = self.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            self._wrong(key, "a list")
            return []
        return value

    def text_list(self, key: str) -> list[str]:
        values = self._list(key)
        for i, value in enumerate(values):
            if not isinstance(value, str):
                self.problems.append(DefinitionProblem(f"{self._at(key)}[{i}]", "This should be text."))
        return [v for v in values if isinstance(v, str)]

    def objects(self, key: str):
        return [(item, f"{self._at(key)}[{i}]") for i, item in enumerate(self._list(key))]

    def finish(self) -> None:
        for key in sorted(set(self.data) - self.used):
            self.problems.append(DefinitionProblem(self._at(key), f"Unknown setting '{key}': remove it."))


# ---- periods ------------------------------------------------------------------------

def resolve_period_ref(ref: str, period: PeriodSpec) -> PeriodSpec:
    """The period a column reference stands for in a return for ``period``.
    Raises ``PeriodError`` with a readable message."""
    text = (ref or "").strip()
    if text.startswith(PREVIOUS_YEAR_PREFIX):
        return resolve_period_ref(text[len(PREVIOUS_YEAR_PREFIX):], period).previous_year()
    fy = period.fy_start_year
    if text == "period":
        return period
    if text in ("Q1", "Q2", "Q3", "Q4"):
        return quarter(fy, int(text[1]))
    if text == "year":
        return financial_year(fy)
    if text == "rolling_12_months":
        return rolling_12_months(period.end)
    if text == "year_to_date":
        return year_to_date(period.end)
    if text.capitalize() in FY_MONTHS:
        offset = FY_MONTHS.index(text.capitalize())
        return month(add_months(date(fy, 4, 1), offset))
    try:
        return parse_period(text)
    except PeriodError:
        raise PeriodError(
            f"'{ref}' is not a period reference we recognise. Use Q1–Q4, year, period, "
            "rolling_12_months, year_to_date, a month such as Apr, 'previous_year:' before any "
            "of these, or a period such as '2015/16 Q4'."
        ) from None


def check_return_period(defn: TemplateDefinition, period: PeriodSpec) -> str | None:
    """A message if ``period`` does not suit the template's frequency, else None."""
    wanted = {"quarterly": ("quarter", "a quarter such as '2015/16 Q4'"),
              "monthly": ("month", "a month such as 'Oct 2017'"),
              "annual": ("year", "a financial year such as '2016/17'")}.get(defn.frequency)
    if wanted and period.kind != wanted[0]:
        return f"'{defn.name}' is a {defn.frequency} return: choose {wanted[1]}, not '{period.label}'."
    return None


def due_date_for(defn: TemplateDefinition, period: PeriodSpec) -> date:
    return period.end + timedelta(days=defn.due_days)


# ---- fields -------------------------------------------------------------------------

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


def _slot_rule(row: RowSpec, slot: ColumnSlot) -> FieldRule:
    if slot.is_note:
        return NOTE_RULE
    if slot.column is not None and slot.column.rule is not None:
        return slot.column.rule
    if slot.column is not None and slot.column.kind == "measure" and slot.column.measure == "comment":
        return NOTE_RULE
    return row.rule


def _slot_measure(slot: ColumnSlot) -> str:
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
        slots = sheet_slots(sheet)
        # What depends only on the column is worked out once per column, not once per cell
        # (a period key and a row slug are computed, not stored: 100,000 cells made it slow).
        columns = []
        for slot in slots:
            spec = slot_period(slot, period)
            column = slot.column
            columns.append((slot, spec.key, slot.previous_year or spec.end > period.end, _slot_measure(slot),
                            column.area if column is not None and column.area else None,
                            column.role if column is not None else "input"))
        for r, row in enumerate(sheet.rows):
            row_area = row.area or sheet.default_area or area_default
            row_key = row.key
            for slot, period_key, optional, measure, column_area, role in columns:
                rule = _slot_rule(row, slot)
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


# ---- cross-field checks --------------------------------------------------------------

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


# ---- validation ---------------------------------------------------------------------

def validate_definition(
    defn: TemplateDefinition,
    *,
    known_indicators: set[str] | None = None,
    known_areas: set[str] | None = None,
) -> list[DefinitionProblem]:
    """Every problem with a definition, each with the path of the field it concerns."""
    v = _Validator(known_indicators, known_areas)
    v.template(defn)
    for i, sheet in enumerate(defn.sheets):
        v.sheet(sheet, f"sheets[{i}]")
    for i, rule in enumerate(defn.cross_rules):
        v.cross_rule(defn, rule, f"cross_rules[{i}]")
    if not v.problems:
        v.same_figure_twice(defn)
    return v.problems


class _Validator:
    def __init__(self, known_indicators: set[str] | None, known_areas: set[str] | None):
        self.known_indicators = known_indicators
        self.known_areas = known_areas
        self.problems: list[DefinitionProblem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(DefinitionProblem(path, message))

    # -- the template as a whole
    def template(self, defn: TemplateDefinition) -> None:
        if not defn.slug.strip():
            self.add("slug", "Enter a short name for the template, e.g. 'appendix-2-da-sv-outputs'.")
        elif not SLUG_RE.match(defn.slug) or len(defn.slug) > SLUG_MAX:
            self.add("slug", f"The short name may only use lower-case letters, numbers and single hyphens, "
                             f"at most {SLUG_MAX} characters, e.g. '{slugify(defn.slug) or 'appendix-2'}'.")
        if not defn.name.strip():
            self.add("name", "Enter the template's name.")
        if defn.frequency not in FREQUENCIES:
            self.add("frequency", "Choose how often the return is made: quarterly, monthly, annual or span.")
        if not 0 <= defn.due_days <= 366:
            self.add("due_days", "The deadline must be between 0 and 366 days after the period ends.")
        seen: dict[str, int] = {}
        for i, agency in enumerate(defn.agencies):
            if not agency.strip():
                self.add(f"agencies[{i}]", "Choose an agency or remove the empty line.")
            elif agency in seen:
                self.add(f"agencies[{i}]", f"Agency '{agency}' is listed twice: remove one.")
            seen.setdefault(agency, i)
        if not defn.sheets:
            self.add("sheets", "Add at least one sheet: a template with no sheets has nothing to fill in.")
        names: dict[str, int] = {}
        for i, sheet in enumerate(defn.sheets):
            folded = sheet.name.casefold()
            if folded and folded in names:
                self.add(f"sheets[{i}].name", f"Sheet {names[folded] + 1} is already called '{sheet.name}': "
                                              "each sheet needs a different name.")
            names.setdefault(folded, i)

    # -- one sheet
    def sheet(self, sheet: SheetLayout, path: str) -> None:
        self.sheet_name(sheet.name, f"{path}.name")
        if sheet.layout not in LAYOUTS:
            self.add(f"{path}.layout", "Choose a layout: " + "; ".join(LAYOUT_NAMES.values()) + ".")
        self.area(sheet.default_area, f"{path}.default_area")
        if not sheet.rows:
            self.add(f"{path}.rows", "Add at least one row: a sheet with no rows has nothing to fill in.")
        self.labels(
            [[row.label, *row.aliases] for row in sheet.rows], f"{path}.rows", "label", "row",
        )
        for r, row in enumerate(sheet.rows):
            self.row(sheet, row, f"{path}.rows[{r}]")
        reserved = [NOTE_HEADER] if sheet.note_column else []
        self.labels(
            [[column.header, *column.aliases] for column in sheet.columns], f"{path}.columns", "header", "column",
            reserved=reserved,
        )
        for c, column in enumerate(sheet.columns):
            self.column(column, f"{path}.columns[{c}]")
        self.layout_shape(sheet, path)

    def sheet_name(self, name: str, path: str) -> None:
        if not name.strip():
            self.add(path, "Enter a sheet name.")
            return
        if len(name) > SHEET_NAME_MAX:
            self.add(path, f"Sheet names can be at most {SHEET_NAME_MAX} characters long; "
                           f"this one has {len(name)}.")
        bad = sorted(set(name) & SHEET_NAME_FORBIDDEN)
        if bad:
            self.add(path, "Sheet names cannot contain " + " ".join(bad) + ": remove "
                           + ("it." if len(bad) == 1 else "them."))
        if name.startswith("'") or name.endswith("'"):
            self.add(path, "Sheet names cannot start or end with an apostrophe.")
        if name.casefold() in RESERVED_SHEET_NAMES:
            self.add(path, f"'{name}' is a sheet the blank return adds itself: choose another name.")

    def labels(self, texts: list[list[str]], path: str, first: str, what: str, reserved=()) -> None:
        """Labels and aliases (or headers and aliases) must differ after normalising."""
        seen: dict[str, str] = {normalise_label(text): f"the {text} column the blank return adds"
                                for text in reserved}
        for i, group in enumerate(texts):
            for j, text in enumerate(group):
                where = f"{path}[{i}].{first}" if j == 0 else f"{path}[{i}].aliases[{j - 1}]"
                key = normalise_label(text)
                if not key:
                    if j == 0:
                        self.add(where, f"Enter the {what}'s {first} as it appears in the return.")
                    else:
                        self.add(where, "This alias has no letters or numbers: fill it in or remove it.")
                    continue
                if key in seen:
                    self.add(where, f"'{text}' is the same as {seen[key]}: each {first} and alias "
                                    f"may be used once in a sheet (case, spaces and punctuation do not count).")
                    continue
                seen[key] = f"the {first} of {what} {i + 1} ('{group[0]}')" if j == 0 else \
                    f"an alias of {what} {i + 1} ('{group[0]}')"

    def row(self, sheet: SheetLayout, row: RowSpec, path: str) -> None:
        if not row.indicator.strip():
            self.add(f"{path}.indicator", "Choose the indicator this row reports.")
        elif self.known_indicators is not None and row.indicator not in self.known_indicators:
            self.add(f"{path}.indicator",
                     f"There is no indicator '{row.indicator}': create it first or choose another.")
        elif self.known_indicators is None and not SLUG_RE.match(row.indicator):
            self.add(f"{path}.indicator", f"'{row.indicator}' is not an indicator short name: use lower-case "
                                          "letters, numbers and hyphens.")
        self.area(row.area, f"{path}.area")
        if row.area and sheet.layout == "indicator_by_area":
            self.add(f"{path}.area", "The area columns of this sheet give the area: leave the row's area empty.")
        self.rule(row.rule, f"{path}.rule")

    def column(self, column: ColumnSpec, path: str) -> None:
        if column.kind not in COLUMN_KINDS:
            self.add(f"{path}.kind", "Choose what the column holds: an area, a period or a measure.")
        if column.role not in ROLES:
            self.add(f"{path}.role", "Choose the column's role: input, total or reference.")
        self.area(column.area, f"{path}.area")
        if column.kind == "area" and not column.area:
            self.add(f"{path}.area", f"Column '{column.header}' is an area column but no area is chosen: "
                                     "choose the area its figures are for.")
        if column.kind == "period":
            if not column.period:
                self.add(f"{path}.period", f"Column '{column.header}' is a period column but no period is "
                                           "chosen: choose one such as Q1, year or rolling_12_months.")
            else:
                try:
                    resolve_period_ref(column.period, parse_period(_SAMPLE_PERIODS["annual"]))
                except PeriodError as exc:
                    self.add(f"{path}.period", str(exc))
        if column.kind == "measure":
            if not column.measure:
                self.add(f"{path}.measure", f"Column '{column.header}' is a measure column but no measure is "
                                            "chosen: choose value, target, comment or previous_year.")
            elif column.measure not in MEASURES:
                self.add(f"{path}.measure", f"'{column.measure}' is not a measure: choose value, target, "
                                            "comment or previous_year.")
        if column.rule is not None:
            self.rule(column.rule, f"{path}.rule")
            if column.measure == "comment" and column.rule.type != "text":
                self.add(f"{path}.rule.type", "A comment column holds text: set its type to text.")

    def rule(self, rule: FieldRule, path: str) -> None:
        if rule.type not in RULE_TYPES:
            self.add(f"{path}.type", "Choose a type: whole number, decimal, percent, money, date or text.")
        elif rule.type not in NUMERIC_TYPES and (rule.min is not None or rule.max is not None):
            self.add(f"{path}.min", f"A {rule.type} field has no minimum or maximum: clear them.")
        if rule.min is not None and rule.max is not None and rule.min > rule.max:
            self.add(f"{path}.min", f"The minimum ({rule.min:g}) is more than the maximum ({rule.max:g}): "
                                    "swap them or correct one.")

    def area(self, code: str | None, path: str) -> None:
        if not code:
            return
        if self.known_areas is not None and code not in self.known_areas:
            self.add(path, f"There is no area with the code '{code}': add the area first or choose another.")
        elif self.known_areas is None and not AREA_CODE_RE.match(code):
            self.add(path, f"'{code}' is not an area code: use up to 12 letters or numbers, e.g. 'HB'.")

    def layout_shape(self, sheet: SheetLayout, path: str) -> None:
        kinds = [c.kind for c in sheet.columns]
        if sheet.layout == "label_value" and sheet.columns:
            self.add(f"{path}.columns", "A label and value sheet has one value column of its own: "
                                        "remove the other columns.")
        if sheet.layout == "indicator_by_area" and "area" not in kinds:
            self.add(f"{path}.columns", "An indicator-by-area sheet needs at least one area column.")
        if sheet.layout == "indicator_by_period" and "period" not in kinds:
            self.add(f"{path}.columns", "An indicator-by-period sheet needs at least one period column.")
        if sheet.layout == "indicator_by_measure" and not sheet.columns:
            self.add(f"{path}.columns", "An indicator-by-measure sheet needs at least one column, "
                                        "e.g. Target, Performance and Comment.")
        if sheet.with_previous_year and sheet.layout != "indicator_by_period":
            self.add(f"{path}.with_previous_year", "Only an indicator-by-period sheet can show the previous "
                                                   "year beside each period.")
        for c, column in enumerate(sheet.columns):
            if column.kind == "period" and sheet.layout == "indicator_by_area":
                self.add(f"{path}.columns[{c}].kind", "An indicator-by-area sheet takes its period from the "
                                                      "return: put period columns on an indicator-by-period sheet.")
            if column.kind == "area" and sheet.layout in ("indicator_by_period", "indicator_by_measure"):
                self.add(f"{path}.columns[{c}].kind", "Area columns belong on an indicator-by-area sheet: set "
                                                      "the area on the sheet or on the row instead.")
        if sheet.layout in LAYOUTS and sheet.layout != "label_value":
            seen: dict[str, ColumnSlot] = {}
            for slot in sheet_slots(sheet):
                if slot.is_note or not slot.key or slot.key.startswith("@"):
                    continue
                if slot.key in seen:
                    self.add(f"{path}.columns[{slot.column_index}]",
                             f"Column '{slot.header}' holds the same figures as column '{seen[slot.key].header}' "
                             f"({slot.key}): each area, period or measure may appear once.")
                seen.setdefault(slot.key, slot)

    # -- cross rules
    def cross_rule(self, defn: TemplateDefinition, rule: CrossRule, path: str) -> None:
        if rule.kind not in CROSS_RULE_KINDS:
            self.add(f"{path}.kind", "Choose a kind of check: a total equals the sum of its parts, "
                                     "parts no more than a total, or percentages within 0–100.")
        if rule.tolerance is None or rule.tolerance < 0:
            self.add(f"{path}.tolerance", "The tolerance must be 0 or more.")
        sheet = defn.sheet(rule.sheet)
        if sheet is None:
            self.add(f"{path}.sheet", f"There is no sheet called '{rule.sheet}'." if rule.sheet
                     else "Choose the sheet this check applies to.")
        if not rule.parts:
            self.add(f"{path}.parts", "Choose the figures to check." if rule.kind == "percent_range"
                     else "Choose the parts that make up the total.")
        if rule.kind in ("sum_equals", "less_or_equal") and rule.total is None:
            self.add(f"{path}.total", "Choose the total the parts are checked against.")
        if rule.kind == "percent_range" and rule.total is not None:
            self.add(f"{path}.total", "A percentage range check has no total: clear it.")
        if rule.total is not None and rule.total in rule.parts:
            self.add(f"{path}.total", "The total cannot also be one of its parts.")
        selectors = [(s, f"{path}.parts[{i}]") for i, s in enumerate(rule.parts)]
        if rule.total is not None:
            selectors.append((rule.total, f"{path}.total"))
        for selector, where in selectors:
            self.selector(sheet, selector, where)

    def selector(self, sheet: SheetLayout | None, selector: FieldSelector, path: str) -> None:
        if not selector.row and not selector.column:
            self.add(path, "Choose a row, a column or both.")
            return
        if sheet is None:
            return
        if selector.row:
            rows = {normalise_label(t) for row in sheet.rows for t in [row.label, *row.aliases]}
            if normalise_label(selector.row) not in rows:
                self.add(f"{path}.row", f"There is no row labelled '{selector.row}' on sheet '{sheet.name}'.")
        if selector.column:
            columns = {normalise_label(slot.header) for slot in sheet_slots(sheet)}
            columns |= {normalise_label(t) for c in sheet.columns for t in c.aliases}
            if normalise_label(selector.column) not in columns:
                self.add(f"{path}.column", f"There is no column headed '{selector.column}' on sheet '{sheet.name}'.")

    # -- the same figure from two cells
    def same_figure_twice(self, defn: TemplateDefinition) -> None:
        if defn.frequency not in _SAMPLE_PERIODS:
            return
        sample = parse_period(_SAMPLE_PERIODS[defn.frequency])
        seen: dict[tuple, Field] = {}
        paths = {sheet.name: f"sheets[{i}]" for i, sheet in enumerate(defn.sheets)}
        reported: set[str] = set()  # one problem per row (or column), not one per cell
        for f in expand_fields(defn, sample):
            if not f.is_entered:
                continue
            other = seen.setdefault((f.indicator, f.area, f.period_key, f.measure), f)
            if other is f:
                continue
            if (other.sheet, other.row_index) != (f.sheet, f.row_index):
                path = f"{paths[f.sheet]}.rows[{f.row_index}].indicator"
                message = (f"Row '{f.row_label}' ({f.column_header}) gives the same figure as row "
                           f"'{other.row_label}' ({other.column_header}) on sheet '{other.sheet}': indicator "
                           f"'{f.indicator}', area {f.area or '(none)'}: each figure may come from one cell only. "
                           "Give one of the rows an area or another indicator.")
            else:
                path = f"{paths[f.sheet]}.columns[{f.column_index}]"
                message = (f"Columns '{other.column_header}' and '{f.column_header}' give the same figure "
                           f"({f.measure} for {f.period_key}) in a {defn.frequency} return: keep one of them.")
            if path not in reported:
                reported.add(path)
                self.add(path, message)


# ---- the demo templates (from the seed board papers) ---------------------------------
#
# Agencies: living-without-abuse (the LLR domestic abuse & sexual violence service
# provider) submits Appendix 2 and Table 2; cambridgeshire-idva the Cambridgeshire
# quarterly return; rotherham-council Rotherham's Table 4; leicestershire-county-council
# (which manages the pooled DHR budget) the DHR budget return.
# Areas: districts B C H HB M NW O, county LC, wider LLR; CAMBS with CAM, HUNTS, FEN;
# ROTH; RUT.

LEICESTERSHIRE_DISTRICTS = (
    ("Blaby", "B", ()),
    ("Charnwood", "C", ("C/wood",)),
    ("Harborough", "H", ("H'boro",)),
    ("Hinckley & Bosworth", "HB", ("H&B",)),
    ("Melton", "M", ()),
    ("North West Leicestershire", "NW", ("NWLDC",)),
    ("Oadby & Wigston", "O", ("O&W",)),
)

APPENDIX_2_ROWS = (
    ("Helpline calls received", ("Helpline calls received (district & county are Q4 only)",),
     "District and county figures are for the quarter only."),
    ("New callers to the helpline", (), ""),
    ("Business line calls received", ("Business line calls received (district & county are Q4 only)",),
     "District and county figures are for the quarter only."),
    ("Safety plans established", (), ""),
    ("Service users starting face to face support (cases opened)",
     ("Service users starting face to face support", "Cases opened"), ""),
    ("Telephone contacts to existing service users", (), ""),
    ("Face to face contacts with existing service users", (), ""),
)

TABLE_2_ROWS = (
    "Service user feels safer following intervention - measured at exit",
    "Service user experiences reduction in domestic violence - measured at exit",
    "Local practitioners report an increase in confidence in dealing with SVDV, post training",
    "Service users gain increased access to justice",
    "Service users experience reduced psychological distress",
    "Service users experience improved health and well-being",
    "Local stakeholders are confident in the service provided",
    "Service user ethnicity reflects the local BME population",
    "Those aged 13-18 affected by SVDV are supported",
    "Service engages service users",
)

# (label, aliases, indicator label, area, rule type, N/A allowed)
CAMBRIDGESHIRE_ROWS = (
    ("Total number of domestic abuse incidents reported to the Police", (), None, None, "whole", False),
    ("% of referrals into the IDVA service that engage with the service", (), None, None, "percent", False),
    ("% of IDVA clients that are 'repeat' clients", (), None, None, "percent", False),
    ("% of cases heard at MARAC that were repeats (resubmitted within 12 months)",
     ("% of cases heard at MARAC that were repeats",), None, None, "percent", False),
    ("Total number of domestic abuse cases that went to court", (), None, None, "whole", True),
    ("Bobby Scheme interventions to increase home security", ("Bobby Scheme interventions",), None, None,
     "whole", False),
    ("Refuge occupancy rate - Cambridge", (), "Refuge occupancy rate", "CAM", "percent", False),
    ("Refuge occupancy rate - Hunts", (), "Refuge occupancy rate", "HUNTS", "percent", False),
    ("Refuge occupancy rate - Fenland", (), "Refuge occupancy rate", "FEN", "percent", False),
    ("Women housed at the refuges - Cambridge", (), "Women housed at the refuges", "CAM", "whole", False),
)

ROTHERHAM_ROWS = (
    ("Domestic Crimes", "whole"),
    ("Outcome Rate", "percent"),
    ("No. of referrals to the MARAC", "whole"),
    ("Repeat cases heard at the MARAC", "whole"),
    ("Proportion of cases heard at the MARAC that are repeats", "percent"),
    ("Satisfaction Rate (DA Victim Satisfaction Survey)", "percent"),
)

# (label, aliases, rule)
DHR_BUDGET_ROWS = (
    ("Reserve carried forward from last year", ("Opening reserve", "Carried forward"), money_rule()),
    ("Partner contributions due this year", ("Contributions due", "Funding contributions"), money_rule()),
    ("Contributions received in advance", ("Already in the pot",), money_rule()),
    ("Safeguarding Board Business Office costs", ("Business office costs", "Costs business office"),
     money_rule()),
    ("Independent chairs and authors", ("Independent chairs and authors costs",), money_rule()),
    ("Reviews expected this year", ("Expected reviews", "DHRs expected"), decimal_rule()),
    ("Estimated cost per review", ("Cost per review", "Cost per DHR"), money_rule()),
)


def _demo_indicator_slugs() -> dict[str, str]:
    labels = [label for label, _, _ in APPENDIX_2_ROWS] + list(TABLE_2_ROWS)
    mapping = {label: slugify(label) for label in labels}
    for label, _, indicator_label, _, _, _ in CAMBRIDGESHIRE_ROWS:
        mapping[label] = slugify(indicator_label or label)
    mapping.update({label: slugify(label) for label, _ in ROTHERHAM_ROWS})
    mapping.update({label: slugify(label) for label, _, _ in DHR_BUDGET_ROWS})
    return mapping


# Seed row label → indicator slug (slugify of the label; the Cambridgeshire refuge rows
# share one indicator per measure, the row fixing the refuge's area).
DEMO_INDICATOR_SLUGS: dict[str, str] = _demo_indicator_slugs()


def _one_sheet(slug: str, name: str, frequency: str, agency: str, due_days: int, instructions: str,
               sheet: SheetLayout, check: CrossRule) -> TemplateDefinition:
    """A demo template: one agency, one sheet, one cross rule (on that sheet)."""
    return TemplateDefinition(slug=slug, name=name, frequency=frequency, agencies=[agency], due_days=due_days,
                              instructions=instructions, sheets=[sheet], cross_rules=[replace(check, sheet=sheet.name)])


def _appendix_2() -> TemplateDefinition:
    columns = [ColumnSpec(header=name, kind="area", area=code, aliases=list(aliases))
               for name, code, aliases in LEICESTERSHIRE_DISTRICTS]
    columns += [
        ColumnSpec(header="Total Leics County", kind="area", area="LC", role="total",
                   aliases=["Total Leicestershire County", "County total"]),
        ColumnSpec(header="LLR figure", kind="area", area="LLR", aliases=["LLR"]),
        ColumnSpec(header="LLR target", kind="measure", measure="target", area="LLR",
                   rule=whole_rule(required=False)),
    ]
    rows = [RowSpec(label=label, aliases=list(aliases), indicator=DEMO_INDICATOR_SLUGS[label], help=help_text)
            for label, aliases, help_text in APPENDIX_2_ROWS]
    return _one_sheet(
        "appendix-2-da-sv-outputs", "Domestic Abuse & Sexual Violence Support Service: output indicators",
        "span", "living-without-abuse", 28,  # the seed table covers Dec 2015 to Mar 2016
        "Enter the service's output figures for the quarter for each district, the Leicestershire county total, "
        "the whole Leicester, Leicestershire & Rutland (LLR) figure and the LLR target. The county total must "
        "equal the sum of the seven districts.",
        SheetLayout(name="Appendix 2", layout="indicator_by_area", rows=rows, columns=columns,
                    title="Domestic Abuse & Sexual Violence Support Service summary figures"),
        CrossRule(kind="sum_equals", sheet="",
                  parts=[FieldSelector(column=name) for name, _, _ in LEICESTERSHIRE_DISTRICTS],
                  total=FieldSelector(column="Total Leics County")),
    )


def _table_2() -> TemplateDefinition:
    rows = [RowSpec(label=label, indicator=DEMO_INDICATOR_SLUGS[label], rule=percent_rule(allow_na=True))
            for label in TABLE_2_ROWS]
    columns = [
        ColumnSpec(header="Target", kind="measure", measure="target", rule=percent_rule()),
        ColumnSpec(header="Performance", kind="measure", measure="value"),
        ColumnSpec(header="Comment", kind="measure", measure="comment", rule=text_rule()),
    ]
    return _one_sheet(
        "table-2-da-sv-outcomes", "Domestic Abuse & Sexual Violence Support Service: outcome measures",
        "span", "living-without-abuse", 28,  # the seed table covers Dec 2015 to Mar 2016
        "Enter the target and the performance for each outcome measure for Leicestershire County as a "
        "percentage (75 means 75%). If a measure cannot be reported yet, write N/A and the reason, "
        "e.g. 'N/A - no training courses run yet'.",
        SheetLayout(name="Table 2", layout="indicator_by_measure", rows=rows, columns=columns,
                    title="Outcome measures: Leicestershire County", default_area="LC", note_column=False),
        CrossRule(kind="percent_range", sheet="",
                  parts=[FieldSelector(column="Target"), FieldSelector(column="Performance")]),
    )


def _cambridgeshire() -> TemplateDefinition:
    rows = [
        RowSpec(label=label, aliases=list(aliases), indicator=DEMO_INDICATOR_SLUGS[label], area=area,
                rule=percent_rule(allow_na=na) if kind == "percent" else whole_rule(allow_na=na))
        for label, aliases, _, area, kind, na in CAMBRIDGESHIRE_ROWS
    ]
    columns = [ColumnSpec(header=f"Q{q}", kind="period", period=f"Q{q}") for q in (1, 2, 3, 4)]
    percent_rows = [label for label, _, _, _, kind, _ in CAMBRIDGESHIRE_ROWS if kind == "percent"]
    return _one_sheet(
        "cambridgeshire-da-quarterly", "Cambridgeshire domestic abuse strategy: quarterly management information",
        "quarterly", "cambridgeshire-idva", 28,
        "Enter each quarter of the financial year so far, with the same quarter of the previous year beside it. "
        "Quarters after this return's period may be left blank. Where a figure has not been released yet, "
        "write e.g. 'N/A - not yet released'.",
        SheetLayout(name="Quarterly MI", layout="indicator_by_period", rows=rows, columns=columns,
                    title="Domestic abuse strategy: quarterly figures (previous year beside each quarter)",
                    default_area="CAMBS", with_previous_year=True),
        CrossRule(kind="percent_range", sheet="", parts=[FieldSelector(row=label) for label in percent_rows]),
    )


def _rotherham() -> TemplateDefinition:
    rows = [RowSpec(label=label, indicator=DEMO_INDICATOR_SLUGS[label],
                    rule=percent_rule() if kind == "percent" else whole_rule())
            for label, kind in ROTHERHAM_ROWS]
    columns = [
        ColumnSpec(header="Rolling 12 months, a year earlier", kind="period",
                   period="previous_year:rolling_12_months", aliases=["Previous rolling 12 months"]),
        ColumnSpec(header="Rolling 12 months", kind="period", period="rolling_12_months",
                   aliases=["12 months to"]),
        ColumnSpec(header="Year to date", kind="period", period="year_to_date",
                   aliases=["Year to Date (YTD)", "YTD"]),
    ]
    return _one_sheet(
        "rotherham-table-4", "Rotherham domestic abuse performance (Table 4)", "monthly", "rotherham-council", 21,
        "Enter the rolling 12 months to the end of the month, the same 12 months a year earlier and the year to "
        "date (from April). Percentages are entered as numbers: 35 means 35%. The change columns are worked out "
        "by Safer Returns.",
        SheetLayout(name="Table 4", layout="indicator_by_measure", rows=rows, columns=columns,
                    title="Domestic Abuse", default_area="ROTH"),
        CrossRule(kind="less_or_equal", sheet="", parts=[FieldSelector(row="Repeat cases heard at the MARAC")],
                  total=FieldSelector(row="No. of referrals to the MARAC"),
                  message="Repeat cases heard at the MARAC cannot be more than the referrals."),
    )


def _dhr_budget() -> TemplateDefinition:
    rows = [RowSpec(label=label, aliases=list(aliases), indicator=DEMO_INDICATOR_SLUGS[label], rule=rule)
            for label, aliases, rule in DHR_BUDGET_ROWS]
    return _one_sheet(
        "dhr-budget-return", "Domestic Homicide Review pooled budget", "annual", "leicestershire-county-council", 30,
        "Enter the pooled Domestic Homicide Review budget for Leicestershire & Rutland for the financial year in "
        "pounds: the reserve carried forward, the partner contributions due and those already received in "
        "advance, the costs, and the expected number of reviews.",
        SheetLayout(name="DHR budget", layout="label_value", rows=rows, default_area="LC",
                    title="Domestic Homicide Review pooled budget"),
        CrossRule(kind="less_or_equal", sheet="", parts=[FieldSelector(row="Contributions received in advance")],
                  total=FieldSelector(row="Partner contributions due this year")),
    )


def demo_definitions() -> list[TemplateDefinition]:
    """The five seed tables as templates: Appendix 2, Table 2, Cambridgeshire, Rotherham
    Table 4 and the DHR budget return (fresh objects on every call)."""
    return [_appendix_2(), _table_2(), _cambridgeshire(), _rotherham(), _dhr_budget()]
