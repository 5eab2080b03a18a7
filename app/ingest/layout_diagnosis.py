"""Say what an upload that does not fit its template looks like, in the officer's terms.

Flask-free. When a sheet's mapping finds fewer than half of its rows or columns, listing
each missing one ("The column 'Blaby' is missing", ten times) does not help an officer whose
table is simply the other way round. ``diagnose`` looks at the sheet as a whole:

- *transposed*: the template's column headings are found down a column and its row labels
  along a row: "This sheet has the areas (Blaby, Charnwood, …) as rows, down column A, and
  the indicators (…) as columns, along row 5; the template expects the areas as columns…";
- *other sheet*: the labels and headings are not on this sheet but on another one;
- *no headings*: the row labels are there, with figures beside them, but none of the column
  headings is anywhere on the sheet (missing, or replaced by headings of the officer's own).

It returns one ``Diagnosis`` (a sentence to report as the sheet's only error) or None, when
it recognises nothing: then the caller keeps its own row-by-row and column-by-column
messages. It runs only when the mapping has failed, so it costs a normal upload nothing.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.definition import SheetLayout, TableSpec, normalise_label
from app.ingest.read import SheetGrid, column_letters
from app.periods import PeriodError, parse_period

# What a template's rows or columns name, as an officer would say it.
DIMENSION_WORDS = {
    "indicator": "indicators",
    "area": "areas",
    "period": "periods",
    "measure": "measures",
}
EXAMPLES_LENGTH = 50  # the examples shown of a dimension: two, or one if two would be longer


@dataclass(frozen=True)
class Header:
    """One row label or column heading the template expects: its texts (label first, then
    aliases), or a pattern ("period": any text the period parser reads)."""

    texts: tuple[str, ...]
    pattern: str | None = None


@dataclass(frozen=True)
class Expected:
    """What the template expects on one sheet (or one table of a tables sheet)."""

    rows: tuple[Header, ...]
    columns: tuple[Header, ...]
    row_kind: str  # indicator | area | period | measure
    column_kind: str
    table: str = ""  # "the table 'Budget'" for a table of a tables sheet
    blank_return: bool = True  # the officer has our blank return to copy into


@dataclass(frozen=True)
class Diagnosis:
    kind: str  # transposed | other_sheet | no_headings | other_headings
    message: str


@dataclass
class _Line:
    """The column (``down``) or row (across) holding most distinct expected headers."""

    index: int
    count: int
    cells: list[tuple[int, int, str]]  # (row, col, text as typed), in reading order along the line


def dimension_words(kind: str) -> str:
    return DIMENSION_WORDS.get(kind, "headings")


def main_kind(kinds: Sequence[str], default: str = "indicator") -> str:
    """The kind most headers have (an area sheet with one target column is about areas)."""
    if not kinds:
        return default
    return max(dict.fromkeys(kinds), key=kinds.count)


def expected_for_sheet(sheet: SheetLayout) -> Expected:
    """A sheet of the row × column layouts: indicator rows, and columns of their main kind
    (the notes column and previous-year companions are not part of the layout)."""
    return Expected(
        rows=tuple(Header((row.label, *row.aliases)) for row in sheet.rows),
        columns=tuple(Header((column.header, *column.aliases)) for column in sheet.columns),
        row_kind="indicator", column_kind=main_kind([column.kind for column in sheet.columns], "area"),
    )


def expected_for_table(table: TableSpec) -> Expected:
    """A table of a tables sheet: its labelled (or period-pattern) rows and columns."""
    def headers(specs) -> tuple[Header, ...]:
        return tuple(Header(tuple(spec.texts) if spec.label else (), spec.pattern) for spec in specs
                     if spec.offset is None and (spec.label or spec.pattern))

    return Expected(rows=headers(table.rows), columns=headers(table.columns) if table.header_rows else (),
                    row_kind=table.row_dimension, column_kind=table.column_dimension, table=table.describe(),
                    blank_return=False)


def diagnose(grid: SheetGrid, expected: Expected, others: Sequence[SheetGrid] = ()) -> Diagnosis | None:
    """What the sheet shows instead of the template's layout, if it is recognisable."""
    rows, columns = expected.rows, expected.columns
    row_matches = _matches(grid, rows)
    column_matches = _matches(grid, columns)
    rows_down, rows_across = _best(row_matches, down=True), _best(row_matches, down=False)
    cols_down, cols_across = _best(column_matches, down=True), _best(column_matches, down=False)
    need_rows, need_cols = _need(len(rows)), _need(len(columns))

    def count(line: _Line | None) -> int:
        return line.count if line is not None else 0

    if count(rows_down) < need_rows and count(rows_across) < need_rows and others:
        found = _on_other_sheet(expected, others, need_rows, need_cols)
        if found is not None:
            return found
    if (columns and cols_down is not None and count(cols_down) >= need_cols and count(cols_down) > count(cols_across)
            and rows_across is not None and count(rows_across) >= need_rows
            and count(rows_across) >= count(rows_down)):
        return _transposed(expected, cols_down, rows_across)
    if columns and rows_down is not None and count(rows_down) >= need_rows and not column_matches:
        return _no_headings(grid, expected, rows_down)
    return None


def _need(n: int) -> int:
    """How many of ``n`` expected headers make a line recognisable: half, and at least two
    (one when only one is expected)."""
    return 1 if n <= 1 else max(2, (n + 1) // 2)


def _matches(grid: SheetGrid, headers: Sequence[Header]) -> list[tuple[object, int, int, str]]:
    """(which header, row, col, text) for every text cell matching an expected header; a
    pattern header counts each distinct text as its own (every period heading is one)."""
    by_text: dict[str, int] = {}
    for i, header in enumerate(headers):
        for text in header.texts:
            key = normalise_label(text)
            if key:
                by_text.setdefault(key, i)
    patterns = [i for i, header in enumerate(headers) if header.pattern == "period"]
    found: list[tuple[object, int, int, str]] = []
    if not by_text and not patterns:
        return found
    for (r, c), value in grid.texts:
        key = normalise_label(value)
        if not key:
            continue
        index = by_text.get(key)
        if index is not None:
            found.append((index, r, c, value))
        elif patterns and _is_period(value):
            found.append(((patterns[0], key), r, c, value))
    return found


def _is_period(text: str) -> bool:
    try:
        parse_period(text)
    except PeriodError:
        return False
    return True


def _best(matches: list[tuple[object, int, int, str]], *, down: bool) -> _Line | None:
    lines: dict[int, dict[object, tuple[int, int, str]]] = {}
    for key, r, c, text in matches:
        lines.setdefault(c if down else r, {}).setdefault(key, (r, c, text))
    if not lines:
        return None
    index = min(lines, key=lambda i: (-len(lines[i]), i))
    cells = sorted(lines[index].values(), key=lambda cell: (cell[0], cell[1]))
    return _Line(index, len(cells), cells)


def _examples(line: _Line) -> str:
    texts = [" ".join(text.split()) for _, _, text in line.cells]
    shown = texts[:2] if len(", ".join(texts[:2])) <= EXAMPLES_LENGTH else texts[:1]
    return ", ".join(shown) + (", …" if len(texts) > len(shown) else "")


def _fix(expected: Expected) -> str:
    if expected.blank_return:
        return ("Turn the table round (copy it, then Paste Special → Transpose) or download the blank return and "
                "copy your figures into it, then upload it again.")
    return "Turn the table round (copy it, then Paste Special → Transpose), and upload it again."


def _where(expected: Expected) -> str:
    return f" in {expected.table}" if expected.table else ""


def _transposed(expected: Expected, cols_down: _Line, rows_across: _Line) -> Diagnosis:
    columns, rows = dimension_words(expected.column_kind), dimension_words(expected.row_kind)
    if columns == rows:  # e.g. periods both ways: say which headings
        columns, rows = "column headings", "row labels"
    message = (
        f"This sheet has the {columns} ({_examples(cols_down)}) as rows, down column "
        f"{column_letters(cols_down.index)}, and the {rows} ({_examples(rows_across)}) as columns, along row "
        f"{rows_across.index + 1}; the template expects the {columns} as columns and the {rows} as rows"
        f"{_where(expected)}. {_fix(expected)}"
    )
    return Diagnosis("transposed", message)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _quoted_examples(expected: Expected) -> str:
    labelled = [h.texts[0] for h in expected.columns if h.texts and h.texts[0]]
    if not labelled:
        return "period headings such as '2015/16 Q3'"
    return "headings such as " + ", ".join(f"'{text}'" for text in labelled[:2])


def _no_headings(grid: SheetGrid, expected: Expected, rows_down: _Line) -> Diagnosis | None:
    """The row labels are here with figures beside them, but no column heading is."""
    label_col = rows_down.index
    first_row = rows_down.cells[0][0]
    labelled = [r for r, _, _ in rows_down.cells]
    figure_cols = sorted({c for r in labelled for c in range(label_col + 1, grid.n_cols)
                          if _is_number(grid.cells.get((r, c)))})
    if not figure_cols:
        return None
    above = next((r for r in range(first_row - 1, -1, -1)
                  if any(isinstance(grid.cells.get((r, c)), str) and grid.cells[(r, c)].strip() for c in figure_cols)),
                 None)
    wanted = _quoted_examples(expected)
    put_back = ("Put the headings back as in the blank return" if expected.blank_return
                else "Give the columns the headings the template knows, or tell your partnership's admin if they have "
                     "changed")
    if above is not None and above >= first_row - 2:
        own = [" ".join(str(grid.cells[(above, c)]).split()) for c in figure_cols
               if isinstance(grid.cells.get((above, c)), str) and grid.cells[(above, c)].strip()]
        shown = ", ".join(f"'{text}'" for text in own[:2]) + (", …" if len(own) > 2 else "")
        message = (f"The column headings in row {above + 1} ({shown}) are not the template's{_where(expected)}: "
                   f"it expects {wanted} above the figures. {put_back}, and upload it again.")
        return Diagnosis("other_headings", message)
    message = (f"The column headings are missing{_where(expected)}: the template expects a row of {wanted} above "
               f"the figures (from column {column_letters(figure_cols[0])}). {put_back}, and upload it again.")
    return Diagnosis("no_headings", message)


def _on_other_sheet(expected: Expected, others: Sequence[SheetGrid], need_rows: int, need_cols: int
                    ) -> Diagnosis | None:
    """Another sheet holds the row labels (down a column) and the column headings (along a row)."""
    for other in others:
        rows_down = _best(_matches(other, expected.rows), down=True)
        cols_across = _best(_matches(other, expected.columns), down=False)
        if rows_down is None or rows_down.count < need_rows:
            continue
        if expected.columns and (cols_across is None or cols_across.count < need_cols):
            continue
        fix = ("Copy them into this sheet of the blank return" if expected.blank_return
               else "Copy them into this sheet")
        message = (f"The figures{_where(expected)} are not on this sheet but on the sheet '{other.name}' (its labels "
                   f"such as '{' '.join(rows_down.cells[0][2].split())}' are in column "
                   f"{column_letters(rows_down.index)}). {fix}, or delete this sheet and give '{other.name}' "
                   "this sheet's name, and upload it again.")
        return Diagnosis("other_sheet", message)
    return None
