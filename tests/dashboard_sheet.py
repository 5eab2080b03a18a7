"""Reading the workbook's Dashboard sheet by its headers, as a reader would: the table
under "Supporting indicator", an outcome's own row (name, overall RAG, overall comment)
above its indicators' rows. Columns are found by their header, since a column empty for
the whole export is left out."""
from dataclasses import dataclass, field

INDICATOR_HEADER = "Supporting indicator"


@dataclass
class DashboardSheetRow:
    outcome: str
    overall_rag: str | None
    overall_comment: str | None
    row: int
    cells: dict = field(default_factory=dict)  # header -> openpyxl cell

    def __getitem__(self, header: str):
        return self.cells[header].value

    def cell(self, header: str):
        return self.cells[header]


def header_row(ws) -> int:
    for (cell,) in ws.iter_rows(min_col=1, max_col=1):
        if cell.value == INDICATOR_HEADER:
            return cell.row
    raise AssertionError(f"no {INDICATOR_HEADER!r} header on {ws.title}")


def columns(ws) -> dict[str, int]:
    """Header -> column (1-based) of the Dashboard's table."""
    top = header_row(ws)
    return {ws.cell(top, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(top, c).value}


def dashboard_rows(ws) -> dict[str, DashboardSheetRow]:
    """Indicator name -> its row. An outcome's own row is the one whose first cell is
    bold on the outcome fill (its name merged across to the RAG column)."""
    heads = columns(ws)
    rag, reason = heads["Progress RAG"], heads["RAG reason and commentary"]
    found, outcome = {}, (None, None, None)
    for r in range(header_row(ws) + 1, ws.max_row + 1):
        first = ws.cell(r, 1)
        if first.value is None:
            continue
        if any(str(m) .startswith(f"A{r}:") for m in ws.merged_cells.ranges) and first.font.b:
            outcome = (first.value, ws.cell(r, rag).value, ws.cell(r, reason).value)
            continue
        if ws.cell(r, heads["Latest period"]).value is None and ws.cell(r, heads["Latest"]).value is None \
                and first.value != "No supporting indicators":
            break  # the key under the table
        found[first.value] = DashboardSheetRow(*outcome, row=r,
                                               cells={h: ws.cell(r, c) for h, c in heads.items()})
    return found
