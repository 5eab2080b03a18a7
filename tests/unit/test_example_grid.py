"""The proposal page's grid: merged cells merged, hidden rows and columns marked, cut to size."""
from app.ingest.read import SheetGrid
from app.web.presenters import example_grid


def test_merged_cells_span_and_hidden_rows_and_columns_are_marked():
    grid = SheetGrid(name="S", cells={(0, 0): "Title", (1, 0): "Blaby", (1, 1): 3.0, (1, 2): 2.5}, n_rows=2, n_cols=3,
                     merged=[(0, 0, 0, 2)], hidden_cols={2})
    shown = example_grid(grid, {(1, 0): "area: Blaby"})
    top, second = shown["rows"]
    assert [(c["text"], c["colspan"]) for c in top["cells"]] == [("Title", 3)]
    assert [(c["text"], c["hidden"], c["tag"]) for c in second["cells"]] == [
        ("Blaby", False, "area: Blaby"), ("3", False, None), ("2.5", True, None)]
    assert [c["hidden"] for c in shown["columns"]] == [False, False, True] and not shown["cut"]


def test_a_large_sheet_is_cut_with_a_note():
    grid = SheetGrid(name="S", cells={(r, c): 1.0 for r in range(70) for c in range(40)}, n_rows=70, n_cols=40,
                     merged=[(59, 29, 61, 31)])
    shown = example_grid(grid, {})
    assert shown["cut"] and len(shown["rows"]) == 60 and len(shown["columns"]) == 30
    assert shown["rows"][59]["cells"][29]["rowspan"] == 1 and shown["rows"][59]["cells"][29]["colspan"] == 1
