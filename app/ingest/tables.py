"""Read a "tables" sheet: the agency's own spreadsheet, described by ``TableSpec``s.

Flask-free. Each figure finds its indicator, area, period and measure by looking from its
cell to header cells (as ONS DataBaker and unpivotr do; the model: ``app.definition.model``):

1. the label column: the column holding most row labels (or period texts, for a period
   pattern); the table's rows are the rows whose label there matches, wherever they are,
   so the table ends where its labels end, not at the first blank row;
2. blocks (``TableSpec.block``): a heading row (a row of text only whose first text is a
   period, or one of the block's headings) gives its dimension to every row below it up to
   the next heading; a label may repeat across blocks but not within one;
3. the header row: of the rows above the (block's) first labelled row, the one matching
   most column headers (for a block: the closest one that matches any). With two header
   rows, a column's text is its top heading (merged across it, or written once over blank
   cells to its right) joined to its own sub-heading;
4. fixed values, a title (a text cell or the sheet name read by a pattern) and the
   defaults (measure "value", the return's period, the sheet's default area) give the rest;
   what a row or column header fixes (``HeaderSpec.fixed``: a row's area, a column's area
   or period) wins over them, the column's over the row's.

A heading split over two rows of a one-header-row table ("LLR" above "figure") is read
joined; columns under a "Last period" heading (our blank return's grey block of last
period's figures) are never read. A figure for a period ending after the return's (Q4 in
a Q3 return), or under a header whose figures are never required, is not required. These
are what the older layouts, read as tables (``app.definition.as_tables``), rely on.

``read_tables`` returns one ``TableFigure`` per labelled row × found column (empty cells
too, with ``raw`` None, so the caller can apply the blank meaning and requirements) and
the problems met. It neither normalises nor stores: the caller normalises ``raw`` with
the figure's rule, then ``apply_transform``s it; ``check_only`` figures are compared (see
``check_only_problems``), never stored.
"""
from __future__ import annotations

import dataclasses
import functools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from app.definition import (
    FieldRule,
    HeaderSpec,
    SheetLayout,
    TableSpec,
    Transform,
    normalise_label,
    resolve_period_ref,
)
from app.ingest.layout_diagnosis import diagnose, expected_for_table
from app.ingest.problems import Problem
from app.ingest.read import SheetGrid, cell_ref, column_letters
from app.periods import PeriodError, PeriodSpec, parse_period

# The rule of a figure whose row and column give none.
DEFAULT_RULE = FieldRule(required=False, type="whole", min=0, allow_na=True)
SUM_TOLERANCE = 0.5
# The heading of the blank return's block of last period's figures (normalised).
REFERENCE_HEADING = "last period"
PERCENT_CHANGE_TOLERANCE = 0.5
IGNORED_BLOCK = object()  # the value of a block heading whose header says treat "ignore": its rows are skipped


@dataclass(frozen=True)
class TableFigure:
    """One cell of a table and what it is a figure of."""

    sheet: str
    row: int  # 0-based grid row
    col: int  # 0-based grid column
    cell: str  # "C7"
    table: str
    indicator: str
    area: str | None
    period_key: str
    measure: str  # value | target | comment
    rule: FieldRule
    treat: str  # figure | check_only
    check: str | None  # sum | percent_change, for check_only
    check_from: str | None  # "row" | "column": which header makes it check-only (None for figures)
    transforms: tuple[Transform, ...]  # the row's, then the column's
    raw: object  # as read; None for an empty cell
    headers: tuple[str, ...]  # the texts that placed it: row label, column header, block heading, title
    block: int = 0  # which block of the table (0 when it has none), for sum checks
    row_header: int = 0  # index into the table's rows
    column_header: int = 0  # index into the table's columns


def apply_transform(value: float | None, transforms: Transform | Sequence[Transform]) -> float | None:
    """The stored figure of a normalised cell value: × sign × scale, the row's transform
    then the column's. None (nothing) stays None: what a blank means is ``Transform.blank``."""
    if value is None:
        return None
    for transform in [transforms] if isinstance(transforms, Transform) else transforms:
        if transform.sign != 1 or transform.scale != 1:
            # Rounded so that 0.29 × 100 is 29, not 28.999999999999996.
            value = round(value * transform.sign * transform.scale, 9)
    return value


def blank_means(transforms: Sequence[Transform]) -> str:
    """What an empty cell means: ``not_available`` if the row's or the column's transform
    says so, else ``not_returned``."""
    return "not_available" if any(t.blank == "not_available" for t in transforms) else "not_returned"


# ---- reading ---------------------------------------------------------------------------

@dataclass
class _Found:
    """A header found in the grid: which spec, the text it matched, and (patterns) its period."""

    index: int
    spec: HeaderSpec
    text: str
    period_key: str | None = None


@dataclass
class _Block:
    heading_row: int | None
    heading_text: str = ""
    heading_value: str | None = None
    rows: list[tuple[int, _Found]] = field(default_factory=list)


def read_tables(
    grid: SheetGrid,
    sheet: SheetLayout,
    period: PeriodSpec,
    *,
    area_names: Mapping[str, str] | None = None,
    other_sheets: Sequence[SheetGrid] = (),
) -> tuple[list[TableFigure], list[Problem]]:
    """Every figure of every table of ``sheet`` in ``grid``, for a return for ``period``.

    ``area_names`` (normalised area name or alias → area code) is used only by a title
    that gives the area.

    A table of which fewer than half of the rows or columns are found is looked at as a
    whole (``app.ingest.layout_diagnosis``): turned round, or on one of ``other_sheets``, it
    gets that one error and none of its figures are read.
    """
    figures: list[TableFigure] = []
    problems: list[Problem] = []
    for table in sheet.tables:
        reader = _TableReader(grid, sheet, table, period, area_names or {})
        reader.run()
        if reader.mostly_missing():
            diagnosis = diagnose(grid, expected_for_table(table), other_sheets)
            if diagnosis is not None:
                problems.append(Problem(grid.name, None, diagnosis.message))
                continue
        figures.extend(reader.figures)
        problems.extend(reader.problems)
    return figures, problems


@dataclass
class TableLocation:
    """Where one table's headers are in a sheet (``locate_table``), before any figure is read."""

    label_col: int | None = None
    rows: list[tuple[int, int]] = field(default_factory=list)  # (grid row, row header index), top down
    header_row: int | None = None
    columns: dict[int, int] = field(default_factory=dict)  # grid column -> column header index
    # Column header index -> every column it matched, leftmost (the one read) first, when
    # more than one did.
    repeats: dict[int, list[int]] = field(default_factory=dict)


def locate_table(grid: SheetGrid, sheet: SheetLayout, table: TableSpec, period: PeriodSpec) -> TableLocation:
    """The label column, the labelled rows (repeats included), the header row and the
    column each column header is found in, as ``read_tables`` finds them (a table without
    blocks or a title). For a caller that reads the cells itself: the older layouts' large
    returns, read row at a time (``app.ingest.map``)."""
    reader = _TableReader(grid, sheet, table, period, {})
    label_col, labelled = reader.labelled_rows()
    if label_col is None:
        return TableLocation()
    reader.label_col = label_col
    header_row, columns = reader.find_header_row(min(labelled), 0)
    return TableLocation(label_col=label_col, rows=[(row, found[0]) for row, found in labelled.items()],
                         header_row=header_row, columns={col: found.index for col, found in columns.items()},
                         repeats=reader.repeats_at.get(header_row, {}) if header_row is not None else {})


class _TableReader:
    def __init__(self, grid: SheetGrid, sheet: SheetLayout, table: TableSpec, period: PeriodSpec,
                 area_names: Mapping[str, str]):
        self.grid, self.sheet, self.table, self.period = grid, sheet, table, period
        self.area_names = {normalise_label(k): v for k, v in area_names.items()}
        self.figures: list[TableFigure] = []
        self.problems: list[Problem] = []
        self.name = table.describe()
        self.texts_by_row: dict[int, dict[int, str]] = {}
        for (r, c), text in grid.texts:
            if text.strip():
                self.texts_by_row.setdefault(r, {})[c] = text
        self.merged_at = grid.merged_at
        self.pattern_cache: dict[int, list[tuple[int, HeaderSpec]]] = {}
        self.normalised_cache: dict[str, str] = {}
        self.repeats_at: dict[int, dict[int, list[int]]] = {}
        self.fixed_cache: dict[int, dict[str, str | None]] = {}
        self.reference_cache: dict[int, set[int]] = {}
        self.ends_later: dict[str, bool] = {}
        # Which rows and columns (indexes into the table's) were found, in any block.
        self.found_rows: set[int] = set()
        self.found_columns: set[int] = set()

    def mostly_missing(self) -> bool:
        """Fewer than half of the required labelled rows, or columns, were found."""
        def few(headers: Sequence[HeaderSpec], found: set[int]) -> bool:
            wanted = [i for i, h in enumerate(headers) if h.required and h.offset is None]
            return 2 * len(found.intersection(wanted)) < len(wanted)

        return few(self.table.rows, self.found_rows) or (
            self.table.header_rows > 0 and few(self.table.columns, self.found_columns))

    # -- problems
    def problem(self, row: int | None, col: int | None, message: str, severity: str = "error") -> None:
        cell = cell_ref(row, col) if row is not None and col is not None else None
        self.problems.append(Problem(self.grid.name, cell, message, severity))

    # -- matching texts to headers
    def period_of(self, text: str) -> str | None:
        try:
            return parse_period(text).key
        except PeriodError:
            return None

    @functools.cached_property
    def row_labels(self) -> dict[str, int]:
        return _label_index(self.table.rows)

    @functools.cached_property
    def column_labels(self) -> dict[str, int]:
        return _label_index([h for h in self.table.columns if h.offset is None])

    def patterns(self, headers: Sequence[HeaderSpec]) -> list[tuple[int, HeaderSpec]]:
        """The headers matched by a pattern (worked out once: a table may have 1,000 rows)."""
        found = self.pattern_cache.get(id(headers))
        if found is None:
            found = self.pattern_cache[id(headers)] = [
                (i, h) for i, h in enumerate(headers) if h.pattern == "period" and h.offset is None]
        return found

    def normalised(self, text: str) -> str:
        key = self.normalised_cache.get(text)
        if key is None:
            key = self.normalised_cache[text] = normalise_label(text)
        return key

    def match(self, text: str, headers: Sequence[HeaderSpec], labels: dict[str, int]) -> _Found | None:
        key = self.normalised(text)
        if key in labels:
            return _Found(labels[key], headers[labels[key]], text)
        for i, header in self.patterns(headers):
            found = self.period_of(text)
            if found is not None:
                return _Found(i, header, text, found)
        return None

    # -- the steps
    def run(self) -> None:
        table = self.table
        label_col, labelled = self.find_labelled_rows()
        if label_col is None:
            for header in table.rows:
                if header.required:
                    self.problem(None, None, f"We could not find the row {header.describe()} of {self.name} "
                                             "on this sheet: check the labels down its left-hand side.")
            return
        self.label_col = label_col
        title_value, title_text = self.read_title(min(labelled))
        if table.title is not None and title_value is None:
            return
        blocks = self.split_into_blocks(labelled)
        for number, block in enumerate(blocks):
            self.read_block(number, block, blocks, title_value, title_text)

    def find_labelled_rows(self) -> tuple[int | None, dict[int, _Found]]:
        """The label column, and the row -> row header of every labelled row in it."""
        label_col, labelled = self.labelled_rows()
        headers = self.table.rows
        return label_col, {row: _Found(i, headers[i], text, period_key)
                           for row, (i, text, period_key) in labelled.items()}

    def labelled_rows(self) -> tuple[int | None, dict[int, tuple[int, str, str | None]]]:
        """The label column, and row -> (row header index, text, period) of its labelled rows."""
        headers = self.table.rows
        # Labels typed exactly as the template has them are found without normalising (a
        # table of 1,000 rows); the other texts are compared normalised unless every row
        # was found exactly and nothing else (a period pattern, a block) needs them.
        exact: dict[str, int] = {}
        for i, header in enumerate(headers):
            if header.pattern is None or header.label:
                exact.setdefault(header.label, i)
                for alias in header.aliases:
                    exact.setdefault(alias, i)
        matches: dict[tuple[int, int], tuple[int, str, str | None]] = {}
        rest: list[tuple[tuple[int, int], str]] = []
        get = exact.get
        for key, text in self.grid.texts:
            i = get(text)
            if i is None:
                rest.append((key, text))
            else:
                matches[key] = (i, text, None)
        every_row_exact = len({found[0] for found in matches.values()}) == len(headers)
        if not every_row_exact or self.table.block is not None or self.patterns(headers):
            for key, text in rest:
                if text.strip():
                    found = self.match(text, headers, self.row_labels)
                    if found is not None:
                        matches[key] = (found.index, text, found.period_key)
        if not matches:
            return None, {}
        counts = Counter(key[1] for key in matches)
        label_col = min(counts, key=lambda col: (-counts[col], col))
        labelled = {key[0]: found for key, found in matches.items() if key[1] == label_col}
        return label_col, dict(sorted(labelled.items()))

    def read_title(self, first_row: int) -> tuple[str | None, str]:
        title = self.table.title
        if title is None:
            return None, ""
        pattern = re.compile(title.pattern, re.IGNORECASE)
        if title.source == "sheet_name":
            candidates = [(None, None, self.grid.name)]
        else:
            candidates = [(r, c, text) for r, texts in sorted(self.texts_by_row.items()) if r < first_row
                          for c, text in sorted(texts.items())]
        for row, col, text in candidates:
            found = pattern.search(text)
            if found is None:
                continue
            value = self.dimension_from_text(title.dimension, found.group(1).strip())
            if value is not None:
                return value, text
            self.problem(row, col, f"'{text}' should give the {title.dimension} of {self.name}, but we cannot "
                                   f"read '{found.group(1).strip()}' as {_a(title.dimension)}.")
            return None, ""
        where = "the sheet's name" if title.source == "sheet_name" else "a cell above the table"
        self.problem(None, None, f"We could not find the {title.dimension} of {self.name}: we looked for "
                                 f"{where} matching '{title.pattern}'.")
        return None, ""

    def dimension_from_text(self, dimension: str, text: str) -> str | None:
        if dimension == "period":
            return self.period_of(text)
        if dimension == "area":
            return self.area_names.get(normalise_label(text))
        return None

    def split_into_blocks(self, labelled: dict[int, _Found]) -> list[_Block]:
        block_spec = self.table.block
        if block_spec is None:
            return [_Block(None, rows=sorted(labelled.items()))]
        headings: list[tuple[int, str, str]] = []
        heading_labels = _label_index(block_spec.block_values)
        last = max(labelled)
        for row, texts in sorted(self.texts_by_row.items()):
            if row in labelled or row > last or self.row_has_numbers(row):
                continue
            first_text = texts[min(texts)]
            if block_spec.match == "period":
                value = self.period_of(first_text)
            else:
                found = self.match(first_text, block_spec.block_values, heading_labels)
                value = None if found is None else IGNORED_BLOCK if found.spec.treat == "ignore" else \
                    found.period_key or self.header_value(block_spec.dimension, found.spec, row, min(texts))
            if value is not None:
                headings.append((row, first_text, value))
        blocks: list[_Block] = []
        orphans = []
        for row, found in sorted(labelled.items()):
            above = [h for h in headings if h[0] < row]
            if not above:
                orphans.append((row, found))
                continue
            heading_row, text, value = above[-1]
            if value is IGNORED_BLOCK:
                continue  # a block the template knows and skips (treat "ignore")
            if not blocks or blocks[-1].heading_row != heading_row:
                blocks.append(_Block(heading_row, text, value))
            blocks[-1].rows.append((row, found))
        for row, _found in orphans:
            self.problem(row, self.label_col, f"This row of {self.name} has no block heading above it, so we "
                                              f"cannot tell which {block_spec.dimension} its figures are for. "
                                              "Add the heading above the block.")
        return blocks

    def row_has_numbers(self, row: int) -> bool:
        texts = self.texts_by_row.get(row, {})
        return any(self.grid.cells.get((row, c)) is not None and c not in texts
                   for c in range(self.grid.n_cols))

    def header_text(self, row: int, col: int) -> str:
        """The text at (row, col), or of the merged range covering it."""
        merged = self.merged_at.get((row, col))
        if merged is not None:
            row, col = merged[0], merged[1]
        text = self.texts_by_row.get(row, {}).get(col)
        if text is None:  # a heading typed as a number (a year: 2016) reads as its text
            value = self.grid.cells.get((row, col))
            if value.__class__ is float:
                return str(int(value)) if value.is_integer() else str(value)
            return str(value) if value.__class__ is int else ""
        return text

    def top_heading(self, row: int, col: int) -> str:
        """The heading above a sub-heading: merged across the column, or written once over
        blank cells to its right (up to the next heading, the label column or a merge)."""
        if (row, col) in self.merged_at or (row + 1, col) in self.merged_at and \
                self.merged_at[row + 1, col][0] <= row:
            return self.header_text(row, col)
        for c in range(col, self.label_col, -1):
            if (row, c) in self.merged_at:
                return self.header_text(row, c) if c == col else ""
            text = self.texts_by_row.get(row, {}).get(c, "")
            if text:
                return text
        return ""

    def column_texts(self, header_row: int) -> dict[int, tuple[str, str]]:
        """Column -> (the text to match, the sub-heading alone) in a header row."""
        columns: dict[int, tuple[str, str]] = {}
        two_rows = self.table.header_rows == 2 and header_row > 0
        for col in range(self.grid.n_cols):
            if col == self.label_col:
                continue
            sub = self.header_text(header_row, col)
            if two_rows:
                merged = self.merged_at.get((header_row, col))
                spans_both = merged is not None and merged[0] < header_row
                top = "" if spans_both else self.top_heading(header_row - 1, col)
                text = f"{top} {sub}".strip() if top != sub else sub
            else:
                text = sub
            if text:
                columns[col] = (text, sub)
        return columns

    def reference_columns(self, header_row: int | None) -> set[int]:
        """Columns under a "Last period" heading in the header row or the one above (merged
        headings included): our blank return's grey block of last period's figures, which
        repeats the headings and is never read."""
        if header_row is None:
            return set()
        found = self.reference_cache.get(header_row)
        if found is None:
            found = self.reference_cache[header_row] = {
                col for col in range(self.grid.n_cols) for row in (header_row, header_row - 1)
                if row >= 0 and "period" in (text := self.header_text(row, col)).casefold()
                and self.normalised(text).startswith(REFERENCE_HEADING)}
        return found

    def match_columns(self, header_row: int | None) -> dict[int, _Found]:
        """Column -> the column header it matches, in ``header_row``, plus the offset columns."""
        headers = self.table.columns
        found: dict[int, _Found] = {}
        if header_row is not None:
            texts = self.column_texts(header_row)
            subs = Counter(self.normalised(sub) for _, sub in texts.values())
            taken: dict[int, int] = {}
            repeats: dict[int, list[int]] = {}
            reference = self.reference_columns(header_row)
            for col in sorted(texts):
                if col in reference:
                    continue
                text, sub = texts[col]
                match = self.match(text, headers, self.column_labels)
                if match is None and sub != text and subs[self.normalised(sub)] == 1:
                    match = self.match(sub, headers, self.column_labels)
                if match is None and self.table.header_rows == 1 and header_row > 0:
                    # A heading split over two rows ("LLR" above "figure") is read joined.
                    above = self.header_text(header_row - 1, col)
                    if above and above != text:
                        match = self.match(f"{above} {text}", headers, self.column_labels)
                if match is None:
                    continue
                if match.spec.pattern is None and match.index in taken:
                    repeats.setdefault(match.index, [taken[match.index]]).append(col)
                    continue
                taken.setdefault(match.index, col)
                found[col] = match
            self.repeats_at[header_row] = repeats
        for i, header in enumerate(headers):
            if header.offset is not None:
                col = self.label_col + header.offset
                text = self.header_text(header_row, col) if header_row is not None else ""
                found[col] = _Found(i, header, text or header.describe())
        return found

    def find_header_row(self, first_row: int, above: int) -> tuple[int | None, dict[int, _Found]]:
        """The header row for rows starting at ``first_row``: of the rows from ``above`` up
        to it, the one matching most column headers (the closest on a tie)."""
        if self.table.header_rows == 0:
            return None, self.match_columns(None)
        best_row, best = None, {}
        best_score = 0
        for row in range(first_row - 1, above - 1, -1):
            if row not in self.texts_by_row and not (self.table.header_rows == 2 and row - 1 in self.texts_by_row):
                continue
            found = self.match_columns(row)
            score = sum(1 for f in found.values() if f.spec.offset is None)
            if score > best_score:
                best_row, best, best_score = row, found, score
                if self.table.block is not None:
                    break  # a block's header row is the closest one above it
        if best_row is None:
            return None, self.match_columns(None)
        return best_row, best

    def header_value(self, dimension: str, header: HeaderSpec, row: int | None, col: int | None) -> str | None:
        """The value a header gives its dimension: periods resolved against the return's."""
        if dimension != "period" or header.value is None:
            return header.value
        try:
            return resolve_period_ref(header.value, self.period).key
        except PeriodError as exc:
            self.problem(row, col, str(exc))
            return None

    def read_block(self, number: int, block: _Block, blocks: list[_Block], title_value: str | None,
                   title_text: str) -> None:
        table = self.table
        if not block.rows:
            return
        first_row, last_row = block.rows[0][0], block.rows[-1][0]
        above = block.heading_row + 1 if block.heading_row is not None and number > 0 else 0
        if table.block is not None and number > 0:
            above = blocks[number - 1].rows[-1][0] + 1
        header_row, columns = self.find_header_row(first_row, above)
        if header_row is None and table.block is not None and number > 0:
            header_row, columns = self.find_header_row(first_row, 0)
        where = f"{self.name}" + (f", in the block '{block.heading_text}'" if block.heading_text else "")
        self.found_columns |= {f.index for f in columns.values()}
        self.found_rows |= {f.index for _, f in block.rows}
        self.missing_headers(table.columns, {f.index for f in columns.values()}, "column", where,
                             header_row)
        self.missing_headers(table.rows, {f.index for _, f in block.rows}, "row", where, first_row)
        # A label twice in one block: the second would overwrite the first.
        seen: dict[tuple[int, str | None], int] = {}
        for row, found in block.rows:
            key = (found.index, found.period_key)
            if key in seen:
                self.problem(row, self.label_col,
                             f"'{found.text}' appears twice in {where}: here and in "
                             f"{cell_ref(seen[key], self.label_col)}. Delete one, or give each block its own "
                             "heading.")
            seen.setdefault(key, row)
        duplicates = {row for row, found in block.rows if seen[(found.index, found.period_key)] != row}
        labelled = {row for row, _ in block.rows}
        mapped_cols = sorted(columns)
        skipped_rows = {header_row, header_row - 1 if header_row and table.header_rows == 2 else None,
                        block.heading_row}
        self.unknown_rows(first_row, last_row, labelled | skipped_rows - {None}, mapped_cols, where)
        self.unknown_columns(header_row, labelled, set(columns), where)
        dims = table.row_dimension, table.column_dimension
        for row, row_found in block.rows:
            if row in duplicates or row_found.spec.treat == "ignore":
                continue
            row_value = row_found.period_key or self.header_value(dims[0], row_found.spec, row, self.label_col)
            for col in mapped_cols:
                col_found = columns[col]
                if col_found.spec.treat == "ignore":
                    continue
                col_value = col_found.period_key or self.header_value(dims[1], col_found.spec, header_row, col)
                self.add_figure(row, col, row_found, col_found, row_value, col_value, block, number,
                                title_value, title_text)

    def fixed_values(self, spec: HeaderSpec) -> dict[str, str | None]:
        """The dimensions a header (or, for ``None``, the table) fixes, periods resolved."""
        key = id(spec)
        found = self.fixed_cache.get(key)
        if found is None:
            fixed = self.table.fixed if spec is None else spec.fixed
            found = self.fixed_cache[key] = {
                dimension: self.header_value(dimension, HeaderSpec(value=value), None, None)
                for dimension, value in fixed.items()}
        return found

    def add_figure(self, row, col, row_found: _Found, col_found: _Found, row_value, col_value, block: _Block,
                   number: int, title_value, title_text: str) -> None:
        table = self.table
        values: dict[str, str | None] = {"measure": "value", "period": self.period.key,
                                         "area": self.sheet.default_area, "indicator": None}
        values.update(self.fixed_values(None))
        if table.title is not None:
            values[table.title.dimension] = title_value
        if table.block is not None:
            values[table.block.dimension] = block.heading_value
        row_spec, col_spec = row_found.spec, col_found.spec
        check_spec = row_spec if row_spec.treat == "check_only" else col_spec
        # A check-only header names nothing: its cells keep the other dimensions' values.
        if row_value is not None or row_spec.treat == "figure":
            values[table.row_dimension] = row_value
        if col_value is not None or col_spec.treat == "figure":
            values[table.column_dimension] = col_value
        # What a header fixes besides its own dimension (a row's area; a column's area or
        # period): the column's wins over the row's.
        if row_spec.fixed:
            values.update(self.fixed_values(row_spec))
        if col_spec.fixed:
            values.update(self.fixed_values(col_spec))
        if check_spec.treat == "check_only" and values["indicator"] is None:
            values["indicator"] = ""
        if values["indicator"] is None or values["period"] is None:
            return  # the header's own problem has been reported
        headers = [row_found.text, col_found.text]
        if block.heading_text:
            headers.append(block.heading_text)
        if title_text:
            headers.append(title_text)
        first, second = (col_spec, row_spec) if table.rule_from == "column" else (row_spec, col_spec)
        rule = first.rule or second.rule or DEFAULT_RULE
        if rule.required and not self.figures_required(row_spec, col_spec, values["period"]):
            rule = _not_required(rule)
        self.figures.append(TableFigure(
            sheet=self.grid.name, row=row, col=col, cell=cell_ref(row, col), table=table.name,
            indicator=values["indicator"], area=values["area"], period_key=values["period"],
            measure=values["measure"] or "value",
            rule=rule,
            treat="check_only" if check_spec.treat == "check_only" else "figure",
            check=check_spec.check if check_spec.treat == "check_only" else None,
            check_from=None if check_spec.treat != "check_only" else ("row" if check_spec is row_spec else "column"),
            transforms=(row_spec.transform, col_spec.transform), raw=self.grid.cells.get((row, col)),
            headers=tuple(headers), block=number, row_header=row_found.index, column_header=col_found.index,
        ))

    def figures_required(self, row_spec: HeaderSpec, col_spec: HeaderSpec, period_key: str) -> bool:
        """Whether a figure may be required at all: not under a header whose figures never
        are (a previous-year column), nor for a period ending after the return's (Q4 in a
        Q3 return may be left blank)."""
        if not (row_spec.figures_required and col_spec.figures_required):
            return False
        ends_later = self.ends_later.get(period_key)
        if ends_later is None:
            ends_later = self.ends_later[period_key] = parse_period(period_key).end > self.period.end
        return not ends_later

    def missing_headers(self, headers: Sequence[HeaderSpec], found: set[int], what: str, where: str,
                        near_row: int | None) -> None:
        for i, header in enumerate(headers):
            if header.required and header.offset is None and i not in found:
                if what == "column" and header.pattern:
                    message = (f"We could not find any period heading in {where}, such as '2015/16 Q3' or "
                               "'Apr - Oct 2017'. Check the headings above its figures.")
                elif what == "column":
                    message = (f"We could not find the column {header.describe()} in {where}. Check its "
                               "heading, or tell your partnership's admin if it has changed.")
                else:
                    message = (f"We could not find the row {header.describe()} in {where}. Check its label, "
                               "or tell your partnership's admin if it has changed.")
                self.problem(None, None, message)

    def has_entry(self, row: int, col: int) -> bool:
        value = self.grid.cells.get((row, col))
        return value is not None and not (isinstance(value, str) and not value.strip())

    def unknown_rows(self, first_row: int, last_row: int, known: set[int], mapped_cols: list[int],
                     where: str) -> None:
        """Rows inside the table that match no row label: silent if blank or a sub-heading,
        else a warning (hidden rows are ignored, with a warning only if they hold entries)."""
        for row in range(first_row + 1, last_row):
            if row in known:
                continue
            entries = [c for c in mapped_cols if self.has_entry(row, c)]
            if not entries:
                continue
            label = self.texts_by_row.get(row, {}).get(self.label_col)
            if row in self.grid.hidden_rows:
                self.problem(row, entries[0], f"Row {row + 1} is hidden and is not part of {where}, but it holds "
                                              "entries: we have not read them.", "warning")
            elif label:
                self.problem(row, self.label_col, f"'{label}' is not a row of {where}, so we have not read "
                                                  "its figures. If it should be, tell your partnership's admin.",
                             "warning")
            else:
                self.problem(row, entries[0], f"Row {row + 1} has figures but no label we know in {where}, so "
                                              "we have not read them.", "warning")

    def unknown_columns(self, header_row: int | None, labelled: set[int], mapped: set[int], where: str) -> None:
        """Columns between the labels and the last found column (or with a heading beyond it)
        that match no header but hold entries in the table's rows."""
        if not mapped:
            return
        last = max(mapped)
        heading_texts = self.texts_by_row.get(header_row, {}) if header_row is not None else {}
        reference = self.reference_columns(header_row)
        for col in range(self.label_col + 1, self.grid.n_cols):
            if col in mapped or col in reference:
                continue
            if col > last and col not in heading_texts:
                break
            entries = [row for row in sorted(labelled) if self.has_entry(row, col)]
            if not entries:
                continue
            heading = self.header_text(header_row, col) if header_row is not None else ""
            letters = column_letters(col)
            if col in self.grid.hidden_cols:
                self.problem(entries[0], col, f"Column {letters} is hidden and is not part of {where}, but it "
                                              "holds entries: we have not read them.", "warning")
            elif heading:
                self.problem(header_row, col, f"The column '{heading}' is not part of {where}, so we have not "
                                              "read its figures. If it should be, tell your partnership's admin.",
                             "warning")
            else:
                self.problem(entries[0], col, f"Column {letters} has figures but no heading we know in {where}, "
                                              "so we have not read them.", "warning")


@functools.lru_cache(maxsize=256)
def _not_required(rule: FieldRule) -> FieldRule:
    return dataclasses.replace(rule, required=False)


def _label_index(headers: Iterable[HeaderSpec]) -> dict[str, int]:
    """Normalised label and aliases -> index of the header (the first one wins)."""
    index: dict[str, int] = {}
    for i, header in enumerate(headers):
        if header.pattern is not None and not header.label:
            continue
        for text in header.texts:
            key = normalise_label(text)
            if key:
                index.setdefault(key, i)
    return index


def _a(dimension: str) -> str:
    return {"area": "an area", "period": "a period", "indicator": "an indicator", "measure": "a measure"}[dimension]


# ---- check-only figures ----------------------------------------------------------------

def check_only_problems(figures: Sequence[TableFigure], values: Mapping[tuple[int, int], float | None]
                        ) -> list[Problem]:
    """Warnings where a check-only figure disagrees with what the other figures make.

    ``values`` maps (row, col) of each figure to its normalised, transformed number (None
    where it has none). ``sum``: the other figures along the same line (the row of a
    check-only column, the column of a check-only row) of the same table and block add up
    to it within 0.5. ``percent_change``: it equals (b - a) / a × 100 of the figures in the
    same line under the two latest periods, within 0.5 percentage points.
    """
    problems: list[Problem] = []
    plain = [f for f in figures if f.treat == "figure"]
    for figure in figures:
        if figure.treat != "check_only":
            continue
        given = values.get((figure.row, figure.col))
        if given is None:
            continue
        # The line of a check-only column is its row, and of a check-only row its column.
        same_line = [f for f in plain if f.table == figure.table and f.block == figure.block
                     and ((f.row == figure.row) if figure.check_from == "column" else (f.col == figure.col))]
        parts = [values.get((f.row, f.col)) for f in same_line]
        # The check-only header's own words ("Total", "% change"), as the officer's sheet has them.
        own = figure.headers[1 if figure.check_from == "column" else 0] if len(figure.headers) > 1 else ""
        named = f"'{own}'" if own else "This cell"
        if figure.check == "sum":
            known = [p for p in parts if p is not None]
            if not known:
                continue
            expected = sum(known)
            if abs(expected - given) > SUM_TOLERANCE:
                problems.append(Problem(figure.sheet, figure.cell,
                                        f"{named} is {given:g}, but the figures it adds up make {expected:g}. "
                                        "Check the total and its parts.", "warning"))
        elif figure.check == "percent_change":
            by_period = sorted(((parse_period(f.period_key), values.get((f.row, f.col))) for f in same_line),
                               key=lambda pair: (pair[0].end, pair[0].start))
            if len(by_period) < 2:
                continue
            (_, before), (_, after) = by_period[-2], by_period[-1]
            if before in (None, 0) or after is None:
                continue
            expected = (after - before) / before * 100
            if abs(expected - given) > PERCENT_CHANGE_TOLERANCE:
                problems.append(Problem(figure.sheet, figure.cell,
                                        f"{named} is {given:g}%, but the figures beside it make a change of "
                                        f"{expected:.1f}%. Check the change and the figures.", "warning"))
    return problems

