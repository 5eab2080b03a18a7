"""Template definitions as dataclasses, and their JSON form.

Flask-free and model-free. The database keeps ``definition.to_dict()`` as JSON in
``TemplateVersion.definition``; ``TemplateDefinition.from_dict`` (or
``definition_from_json``) reads it back, listing every structural problem.

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
  * ``tables``: the agency's own spreadsheet, described by ``tables`` (``TableSpec``, see
    the fields below; how it is read: ``app.ingest.tables``); ``rows`` and ``columns`` stay empty.
    ``tables`` is written only when it is not empty, so the JSON of the other layouts is
    what it was before the tables layout existed.

- ``RowSpec``: label, aliases, indicator (slug), area (fixes the row's area, e.g.
  "Refuge occupancy rate - Hunts" → HUNTS), rule, help.
- ``ColumnSpec``: header, aliases, kind (area | period | measure), area, period, measure
  (value | target | comment | previous_year), role (input | total | reference), rule
  (overrides the row's rule; ``None`` = use the row's, or a text rule for comments).
- ``TableSpec`` (the tables layout): name, row_dimension and column_dimension (indicator |
  area | period | measure), header_rows (0–2), rows and columns (``HeaderSpec``), fixed
  (dimension → value for the dimensions no header gives), block (``BlockSpec`` or None:
  stacked blocks whose heading gives a dimension), title (``TitleSpec`` or None: a text
  cell or the sheet name, matched by a pattern, gives a dimension), rule_from ("row": the
  row's rule wins when both give one; "column": the column's, as in the older layouts;
  written only when "column").
- ``HeaderSpec``: label, aliases, value (indicator slug, area code, period reference or
  measure; None for pattern, check_only and ignore headers), pattern (None | "period":
  any period text matches), offset (columns only: the n-th column right of the label
  column, whatever its header), treat (figure | check_only | ignore), check (sum |
  percent_change, for check_only), required, rule (``FieldRule`` or None: the row's wins
  over the column's), transform (``Transform``: sign ±1, scale, what a blank cell means),
  fixed (other dimensions the header fixes for its figures, e.g. a row's area or a column's
  period; wins over the table's) and figures_required (False: its figures are never
  required, e.g. a previous-year column). ``fixed`` and ``figures_required`` are written
  only when set, so the JSON of tables without them is what it was.
  The older layouts are read as tables too: ``app.definition.as_tables``.
- ``FieldRule``: required, type (whole | decimal | percent | money | date | text), min,
  max, allow_na, na_needs_reason. Percent values are percentage points: 75 means 75%.
- ``CrossRule``: kind, sheet, parts, total, message, tolerance. ``parts`` and ``total``
  are ``FieldSelector(row, column)``: a row label and/or a column header (aliases
  accepted, compared with ``normalise_label``). An empty row or column means "each":
  the rule is checked once per row (or column) of the sheet. Kinds:

  * ``sum_equals``: the parts add up to the total (within ``tolerance``);
  * ``less_or_equal``: the parts add up to no more than the total (repeats ≤ cases);
  * ``percent_range``: each part lies within 0–100 (no total).
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields

FREQUENCIES = ("quarterly", "monthly", "annual", "span")
LAYOUTS = ("indicator_by_area", "indicator_by_period", "indicator_by_measure", "label_value", "tables")
LAYOUT_NAMES = {
    "indicator_by_area": "indicator rows × area columns",
    "indicator_by_period": "indicator rows × period columns",
    "indicator_by_measure": "indicator rows × measure columns",
    "label_value": "label and value pairs",
    "tables": "the agency's own tables",
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

# The tables layout (TableSpec): what a header names, and how its figures are read.
TABLE_DIMENSIONS = ("indicator", "area", "period", "measure")
HEADER_TREATS = ("figure", "check_only", "ignore")
HEADER_CHECKS = ("sum", "percent_change")
HEADER_PATTERNS = ("period",)
BLANK_MEANINGS = ("not_returned", "not_available")
BLOCK_MATCHES = ("period", "headers")
TITLE_SOURCES = ("cells", "sheet_name")

SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = set("[]:*?/\\|")
# Sheet names the blank return uses itself (compared case-insensitively, as Excel does).
RESERVED_SHEET_NAMES = ("instructions", "_meta", "history")
NOTE_HEADER = "Notes"
VALUE_HEADER = "Value"
SLUG_MAX = 80
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
AREA_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,12}$")


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
        return value.to_dict()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return _canonical_number(value)


class _Plain:
    """``to_dict()``: every attribute, nested definitions as dicts, whole floats as ints."""

    def to_dict(self) -> dict:
        return {f.name: _plain(getattr(self, f.name)) for f in dataclass_fields(self)}


@dataclass(frozen=True)
class FieldRule(_Plain):
    required: bool = True
    type: str = "whole"
    min: float | None = 0
    max: float | None = None
    allow_na: bool = False
    na_needs_reason: bool = True

    @classmethod
    def from_dict(cls, data, path: str, problems: list) -> FieldRule:
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
    def from_dict(cls, data, path: str, problems: list) -> RowSpec:
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
    def from_dict(cls, data, path: str, problems: list) -> ColumnSpec:
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


# ---- the tables layout -----------------------------------------------------------

@dataclass(frozen=True)
class Transform(_Plain):
    """How a cell becomes the stored figure: × sign × scale; what a blank cell means."""

    sign: int = 1
    scale: float = 1
    blank: str = "not_returned"  # not_returned | not_available

    @classmethod
    def from_dict(cls, data, path: str, problems: list) -> Transform:
        r = _Reader(data, path, problems, "A transform")
        transform = cls(sign=r.integer("sign", 1), scale=r.number("scale", 1), blank=r.text("blank", "not_returned"))
        r.finish()
        return transform


@dataclass
class HeaderSpec(_Plain):
    """One row label or column header of a table (see the module docstring)."""

    label: str = ""
    aliases: list[str] = field(default_factory=list)
    value: str | None = None
    pattern: str | None = None
    offset: int | None = None
    treat: str = "figure"
    check: str | None = None
    required: bool = True
    rule: FieldRule | None = None
    transform: Transform = field(default_factory=Transform)
    # Written only when set (the JSON of tables made before they existed is unchanged):
    # other dimensions this header fixes for its figures (a row's area, a column's area or
    # period), winning over the table's; and False when its figures are never required
    # whatever their rule (the previous-year column of an older layout).
    fixed: dict[str, str] = field(default_factory=dict)
    figures_required: bool = True

    def to_dict(self) -> dict:
        data = super().to_dict()
        if not self.fixed:
            del data["fixed"]
        if self.figures_required:
            del data["figures_required"]
        return data

    @property
    def texts(self) -> list[str]:
        return [self.label, *self.aliases]

    def describe(self) -> str:
        """The header as an admin knows it, for messages."""
        if self.label:
            return f"'{self.label}'"
        if self.pattern:
            return f"a {self.pattern} heading"
        if self.offset:
            return f"the column {self.offset} to the right of the labels"
        return "an unnamed header"

    @classmethod
    def from_dict(cls, data, path: str, problems: list) -> HeaderSpec:
        r = _Reader(data, path, problems, "A header")
        rule_data = r.get("rule", None)
        offset = r.number("offset", None)
        header = cls(
            label=r.text("label"),
            aliases=r.text_list("aliases"),
            value=r.optional_text("value"),
            pattern=r.optional_text("pattern"),
            offset=offset,
            treat=r.text("treat", "figure"),
            check=r.optional_text("check"),
            required=r.flag("required", True),
            rule=None if rule_data is None else FieldRule.from_dict(rule_data, f"{path}.rule", problems),
            transform=Transform.from_dict(r.get("transform", {}), f"{path}.transform", problems),
            fixed=r.text_map("fixed"),
            figures_required=r.flag("figures_required", True),
        )
        r.finish()
        return header


@dataclass
class BlockSpec(_Plain):
    """Stacked blocks: each figure's ``dimension`` comes from the closest heading above it."""

    dimension: str = "period"
    match: str = "period"  # period: a text the period parser reads | headers: one of block_values
    block_values: list[HeaderSpec] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data, path: str, problems: list) -> BlockSpec:
        r = _Reader(data, path, problems, "A block")
        block = cls(
            dimension=r.text("dimension", "period"),
            match=r.text("match", "period"),
            block_values=[HeaderSpec.from_dict(item, p, problems) for item, p in r.objects("block_values")],
        )
        r.finish()
        return block


@dataclass
class TitleSpec(_Plain):
    """A text above the table (or the sheet's name) whose pattern's one group gives a dimension."""

    dimension: str = "period"
    source: str = "cells"  # cells | sheet_name
    pattern: str = ""

    @classmethod
    def from_dict(cls, data, path: str, problems: list) -> TitleSpec:
        r = _Reader(data, path, problems, "A title")
        title = cls(dimension=r.text("dimension", "period"), source=r.text("source", "cells"),
                    pattern=r.text("pattern"))
        r.finish()
        return title


@dataclass
class TableSpec(_Plain):
    """One table of a tables-layout sheet: where its figures are and how each finds its
    indicator, area, period and measure."""

    name: str = ""
    row_dimension: str = "indicator"
    column_dimension: str = "period"
    header_rows: int = 1
    rows: list[HeaderSpec] = field(default_factory=list)
    columns: list[HeaderSpec] = field(default_factory=list)
    fixed: dict[str, str] = field(default_factory=dict)
    block: BlockSpec | None = None
    title: TitleSpec | None = None
    # Whose rule a figure follows when its row and its column both give one: "row" (the
    # default, not written) or "column" (the older layouts: a notes or target column's rule
    # wins over the row's).
    rule_from: str = "row"

    def to_dict(self) -> dict:
        data = super().to_dict()
        if self.rule_from == "row":
            del data["rule_from"]
        return data

    def describe(self) -> str:
        return f"the table '{self.name}'" if self.name else "the table"

    @classmethod
    def from_dict(cls, data, path: str, problems: list) -> TableSpec:
        r = _Reader(data, path, problems, "A table")
        block, title = r.get("block", None), r.get("title", None)
        table = cls(
            name=r.text("name"),
            row_dimension=r.text("row_dimension", "indicator"),
            column_dimension=r.text("column_dimension", "period"),
            header_rows=r.integer("header_rows", 1),
            rows=[HeaderSpec.from_dict(item, p, problems) for item, p in r.objects("rows")],
            columns=[HeaderSpec.from_dict(item, p, problems) for item, p in r.objects("columns")],
            fixed=r.text_map("fixed"),
            block=None if block is None else BlockSpec.from_dict(block, f"{path}.block", problems),
            title=None if title is None else TitleSpec.from_dict(title, f"{path}.title", problems),
            rule_from=r.text("rule_from", "row"),
        )
        r.finish()
        return table


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
    tables: list[TableSpec] = field(default_factory=list)

    def to_dict(self) -> dict:
        data = super().to_dict()
        if not self.tables:
            # Sheets of the other layouts keep the JSON they had before tables existed.
            del data["tables"]
        return data

    @classmethod
    def from_dict(cls, data, path: str, problems: list) -> SheetLayout:
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
            tables=[TableSpec.from_dict(item, p, problems) for item, p in r.objects("tables")],
        )
        r.finish()
        return sheet


def sheet_labels(sheet: SheetLayout) -> list[list[str]]:
    """The texts that say a workbook sheet is this one: each row's label and aliases, and
    for a "tables" sheet each labelled row and column header of its tables (a pattern or an
    offset column names no text). Identification and the search for a renamed sheet use it."""
    if sheet.layout != "tables":
        return [[row.label, *row.aliases] for row in sheet.rows]
    return [list(header.texts) for table in sheet.tables for header in (*table.rows, *table.columns)
            if header.label and header.pattern is None and header.offset is None]


@dataclass(frozen=True)
class FieldSelector(_Plain):
    """A row label and/or a column header; empty means "each row" / "each column"."""

    row: str = ""
    column: str = ""

    @classmethod
    def from_dict(cls, data, path: str, problems: list) -> FieldSelector:
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
    def from_dict(cls, data, path: str, problems: list) -> CrossRule:
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
    def from_dict(cls, data) -> TemplateDefinition:
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

    def text_map(self, key: str) -> dict[str, str]:
        value = self.get(key, {})
        if value is None:
            return {}
        if not isinstance(value, dict):
            self._wrong(key, "an object")
            return {}
        for name, item in value.items():
            if not isinstance(item, str):
                self.problems.append(DefinitionProblem(f"{self._at(key)}.{name}", "This should be text."))
        return {name: item for name, item in value.items() if isinstance(item, str)}

    def objects(self, key: str):
        return [(item, f"{self._at(key)}[{i}]") for i, item in enumerate(self._list(key))]

    def finish(self) -> None:
        for key in sorted(set(self.data) - self.used):
            self.problems.append(DefinitionProblem(self._at(key), f"Unknown setting '{key}': remove it."))
