"""``validate_definition``: every problem with a template definition, each with the path of
the setting it concerns, worded for the admin who made it."""
from __future__ import annotations

import re

from app.definition.fields import ColumnSlot, Field, expand_fields, sheet_slots
from app.definition.model import (
    AREA_CODE_RE,
    BLANK_MEANINGS,
    BLOCK_MATCHES,
    COLUMN_KINDS,
    CROSS_RULE_KINDS,
    FIELD_MEASURES,
    FREQUENCIES,
    HEADER_CHECKS,
    HEADER_PATTERNS,
    HEADER_TREATS,
    LAYOUT_NAMES,
    LAYOUTS,
    MEASURES,
    NOTE_HEADER,
    NUMERIC_TYPES,
    RESERVED_SHEET_NAMES,
    ROLES,
    RULE_TYPES,
    SHEET_NAME_FORBIDDEN,
    SHEET_NAME_MAX,
    SLUG_MAX,
    SLUG_RE,
    TABLE_DIMENSIONS,
    TITLE_SOURCES,
    ColumnSpec,
    CrossRule,
    DefinitionProblem,
    FieldRule,
    FieldSelector,
    HeaderSpec,
    RowSpec,
    SheetLayout,
    TableSpec,
    TemplateDefinition,
    normalise_label,
    slugify,
)
from app.definition.periods import resolve_period_ref
from app.periods import PeriodError, parse_period

# A mid-period sample per frequency, used only to find two cells giving the same figure.
_SAMPLE_PERIODS = {"quarterly": "2020/21 Q2", "monthly": "Aug 2020", "annual": "2020/21", "span": "2020/21"}


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
        if sheet.layout == "tables":
            self.tables_sheet(sheet, path)
            return
        if sheet.tables:
            self.add(f"{path}.tables", "Only a sheet with the layout 'the agency's own tables' has tables: "
                                       "remove them or change the layout.")
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

    # -- the tables layout
    def tables_sheet(self, sheet: SheetLayout, path: str) -> None:
        if sheet.rows:
            self.add(f"{path}.rows", "A sheet read from the agency's own tables has no rows of its own: "
                                     "describe them in its tables instead.")
        if sheet.columns:
            self.add(f"{path}.columns", "A sheet read from the agency's own tables has no columns of its own: "
                                        "describe them in its tables instead.")
        if sheet.with_previous_year:
            self.add(f"{path}.with_previous_year", "Only an indicator-by-period sheet can show the previous "
                                                   "year beside each period.")
        if not sheet.tables:
            self.add(f"{path}.tables", "Add at least one table: a sheet with no tables has nothing to read.")
        for t, table in enumerate(sheet.tables):
            self.table(sheet, table, f"{path}.tables[{t}]")

    def table(self, sheet: SheetLayout, table: TableSpec, path: str) -> None:
        name = table.describe()
        choices = ", ".join(TABLE_DIMENSIONS)
        for key in ("row_dimension", "column_dimension"):
            if getattr(table, key) not in TABLE_DIMENSIONS:
                self.add(f"{path}.{key}", f"Choose what the {key.split('_')[0]} headers of {name} name: {choices}.")
        if table.row_dimension == table.column_dimension:
            self.add(f"{path}.column_dimension", f"The rows and the columns of {name} both name the "
                                                 f"{table.row_dimension}: choose something different for each.")
        if table.header_rows not in (0, 1, 2):
            self.add(f"{path}.header_rows", "A table has 0, 1 or 2 header rows.")
        if table.rule_from not in ("row", "column"):
            self.add(f"{path}.rule_from", "Choose whose rule a figure follows when its row and its column both "
                                          "give one: the row's or the column's.")
        for key, headers, dimension in (("rows", table.rows, table.row_dimension),
                                        ("columns", table.columns, table.column_dimension)):
            if not headers:
                self.add(f"{path}.{key}", f"Add at least one {key[:-1]} to {name}.")
            self.header_labels(headers, f"{path}.{key}", key[:-1])
            for h, header in enumerate(headers):
                self.header(header, dimension, f"{path}.{key}[{h}]", is_column=key == "columns",
                            header_rows=table.header_rows)
        for key, value in table.fixed.items():
            if key not in TABLE_DIMENSIONS:
                self.add(f"{path}.fixed.{key}", f"'{key}' is not something a table can fix: use {choices}.")
            else:
                self.dimension_value(key, value, f"{path}.fixed.{key}")
        givers: dict[str, list[str]] = {d: [] for d in TABLE_DIMENSIONS}
        givers.get(table.row_dimension, []).append("its rows")
        givers.get(table.column_dimension, []).append("its columns")
        for key in table.fixed:
            givers.get(key, []).append("a fixed value")
        if table.block is not None:
            self.block(table, f"{path}.block")
            givers.get(table.block.dimension, []).append("its block headings")
        if table.title is not None:
            self.title(table, f"{path}.title")
            givers.get(table.title.dimension, []).append("its title")
        for dimension, given_by in givers.items():
            if len(given_by) > 1:
                self.add(path, f"The {dimension} of {name} is given by " + " and by ".join(given_by)
                               + ": choose one.")
        if not givers["indicator"]:
            self.add(f"{path}.fixed", f"Nothing gives the indicator of {name}: make the rows or the columns "
                                      "indicators, or fix one indicator for the whole table.")

    def header_labels(self, headers: list[HeaderSpec], path: str, what: str) -> None:
        """Labels and aliases of one table's rows (or columns) must differ after normalising."""
        seen: dict[str, str] = {}
        for i, header in enumerate(headers):
            for j, text in enumerate(header.texts):
                where = f"{path}[{i}].label" if j == 0 else f"{path}[{i}].aliases[{j - 1}]"
                key = normalise_label(text)
                if not key:
                    if j > 0:
                        self.add(where, "This alias has no letters or numbers: fill it in or remove it.")
                    continue
                if key in seen:
                    self.add(where, f"'{text}' is the same as {seen[key]}: each label and alias may be used once "
                                    "in a table's rows, and once in its columns (case, spaces and punctuation "
                                    "do not count).")
                    continue
                seen[key] = f"the label of {what} {i + 1}" if j == 0 else f"an alias of {what} {i + 1}"

    def header(self, header: HeaderSpec, dimension: str, path: str, *, is_column: bool, header_rows: int) -> None:
        shown = header.describe()
        if header.treat not in HEADER_TREATS:
            self.add(f"{path}.treat", "Choose how to treat these cells: as figures, check only, or ignore.")
        if header.pattern is not None and header.pattern not in HEADER_PATTERNS:
            self.add(f"{path}.pattern", "The only pattern is 'period': any heading the period reader understands.")
        elif header.pattern == "period" and dimension != "period":
            self.add(f"{path}.pattern", f"A period pattern only suits headers that name periods; these name the "
                                        f"{dimension}.")
        if header.offset is not None:
            if not is_column:
                self.add(f"{path}.offset", "Only a column can be found by its position right of the labels.")
            elif not isinstance(header.offset, int) or header.offset < 1:
                self.add(f"{path}.offset", "The position must be a whole number, 1 or more (1: the column just "
                                           "right of the labels).")
        if not normalise_label(header.label) and header.pattern is None and header.offset is None:
            self.add(f"{path}.label", "Enter the text as it appears in the return, or choose a pattern"
                                      + (" or a position." if is_column else "."))
        if is_column and header_rows == 0 and header.offset is None:
            self.add(f"{path}.offset", f"This table has no header row, so column {shown} must be found by its "
                                       "position right of the labels.")
        if header.treat == "check_only":
            if header.check not in HEADER_CHECKS:
                self.add(f"{path}.check", f"Choose what {shown} is checked as: the sum of the other figures, or "
                                          "the percentage change between the two latest periods.")
        elif header.check is not None:
            self.add(f"{path}.check", "Only a check-only header has a check: clear it or treat the cells as "
                                      "check only.")
        if header.treat == "figure" and header.pattern is None:
            if not header.value:
                self.add(f"{path}.value", f"Choose the {dimension} that {shown} stands for.")
            else:
                self.dimension_value(dimension, header.value, f"{path}.value")
        elif header.value:
            reason = "a pattern gives it" if header.pattern else "its cells are not stored"
            self.add(f"{path}.value", f"Leave the {dimension} of {shown} empty: {reason}.")
        if header.rule is not None:
            self.rule(header.rule, f"{path}.rule")
        for key, value in header.fixed.items():
            if key not in TABLE_DIMENSIONS or key == dimension:
                self.add(f"{path}.fixed.{key}", f"{shown} can fix the "
                         + ", ".join(d for d in TABLE_DIMENSIONS if d != dimension) + f", not '{key}'.")
            else:
                self.dimension_value(key, value, f"{path}.fixed.{key}")
        transform = header.transform
        if transform.sign not in (1, -1):
            self.add(f"{path}.transform.sign", "The sign is 1 (as written) or -1 (the opposite sign).")
        if transform.scale is None or transform.scale <= 0:
            self.add(f"{path}.transform.scale", "The scale must be more than 0 (1: as written; 100: 0.29 → 29).")
        if transform.blank not in BLANK_MEANINGS:
            self.add(f"{path}.transform.blank", "Choose what a blank cell means: nothing returned, or not "
                                                "available.")

    def dimension_value(self, dimension: str, value: str, path: str) -> None:
        """An indicator slug, an area code, a period reference or a measure."""
        if dimension == "indicator":
            if self.known_indicators is not None and value not in self.known_indicators:
                self.add(path, f"There is no indicator '{value}': create it first or choose another.")
            elif self.known_indicators is None and not SLUG_RE.match(value):
                self.add(path, f"'{value}' is not an indicator short name: use lower-case letters, numbers "
                               "and hyphens.")
        elif dimension == "area":
            self.area(value, path)
        elif dimension == "period":
            try:
                resolve_period_ref(value, parse_period(_SAMPLE_PERIODS["annual"]))
            except PeriodError as exc:
                self.add(path, str(exc))
        elif dimension == "measure" and value not in FIELD_MEASURES:
            self.add(path, f"'{value}' is not a measure: choose value, target or comment.")

    def block(self, table: TableSpec, path: str) -> None:
        block = table.block
        if block.dimension not in TABLE_DIMENSIONS:
            self.add(f"{path}.dimension", "Choose what the block headings name: " + ", ".join(TABLE_DIMENSIONS)
                                          + ".")
        if block.match not in BLOCK_MATCHES:
            self.add(f"{path}.match", "Choose how block headings are recognised: as periods, or by the "
                                      "headings listed.")
        elif block.match == "period" and block.dimension != "period":
            self.add(f"{path}.match", "Only period headings can be recognised as periods: list the headings "
                                      "instead.")
        elif block.match == "headers" and not block.block_values:
            self.add(f"{path}.block_values", "List the block headings to look for.")
        if block.match == "period" and block.block_values:
            self.add(f"{path}.block_values", "Period headings are recognised by the period reader: clear the list.")
        self.header_labels(block.block_values, f"{path}.block_values", "heading")
        for h, header in enumerate(block.block_values):
            self.header(header, block.dimension, f"{path}.block_values[{h}]", is_column=False, header_rows=1)

    def title(self, table: TableSpec, path: str) -> None:
        title = table.title
        if title.dimension not in ("period", "area"):
            self.add(f"{path}.dimension", "A title can give the period or the area.")
        if title.source not in TITLE_SOURCES:
            self.add(f"{path}.source", "Choose where the title is: a cell above the table, or the sheet's name.")
        try:
            compiled = re.compile(title.pattern, re.IGNORECASE)
        except re.error as exc:
            self.add(f"{path}.pattern", f"This pattern cannot be read ({exc}): check its brackets and "
                                        "backslashes.")
            return
        if compiled.groups != 1:
            self.add(f"{path}.pattern", "The pattern needs exactly one group in brackets around the "
                                        f"{title.dimension}, e.g. 'Period:\\s*(.+)'; it has {compiled.groups}.")

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
