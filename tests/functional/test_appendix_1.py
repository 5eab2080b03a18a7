"""Issue 15: the demo's Appendix 1, exported by ``flask dashboard export`` for the paper's
own period (2015/16 Q4), matches the board paper (app/demo/seed_figures.json) cell for
cell: previous and latest figures (with the periods the paper puts in brackets and the
estimate it flags), direction of travel, progress RAG, county comparison and each
outcome's overall comment."""
import math

import openpyxl
import pytest

from app.vocabulary import DIRECTION_TEXT
from app.indicators.trend import TWO_FIGURES

HEADER_ROW = 4  # openpyxl rows: title, partnership line, blank, header, district codes
(OUTCOME, OVERALL_RAG, COMMENT, INDICATOR, PREVIOUS, LATEST, DIRECTION, PROGRESS, REASON, SIGNIFICANCE,
 COMPARISON) = range(1, 12)
PAPER_PERIODS = {"2013-14": "2013/14", "2014-15": "2014/15", "Apr-Dec 2015": "Apr – Dec 2015"}


@pytest.fixture
def appendix(demo, runner, tmp_path):
    path = tmp_path / "appendix-1.xlsx"
    result = runner.invoke(args=["dashboard", "export", "-o", str(path), "--period", "2015/16 Q4"])
    assert result.exit_code == 0, result.output
    assert "dashboard for 2015/16 Q4" in result.output
    return openpyxl.load_workbook(path)["Dashboard"]


def merged_value(ws, row: int, col: int):
    """A cell's value, or the value of the merged range it lies in."""
    for cells in ws.merged_cells.ranges:
        if cells.min_row <= row <= cells.max_row and cells.min_col <= col <= cells.max_col:
            return ws.cell(cells.min_row, cells.min_col).value
    return ws.cell(row, col).value


def test_the_exported_appendix_1_is_the_board_papers_cell_for_cell(appendix, seed):
    ws = appendix
    assert ws.cell(HEADER_ROW, PREVIOUS).value.startswith("Previous year")
    rows = {ws.cell(r, INDICATOR).value: r for r in range(HEADER_ROW + 2, ws.max_row + 1)
            if ws.cell(r, INDICATOR).value}
    checked = 0
    for outcome in seed["leicestershire_dashboard_2015_16_q4"]["outcomes"]:
        for item in outcome["indicators"]:
            name = item["name"].replace("poulation", "population")  # the paper's typo
            r = rows[name]
            assert merged_value(ws, r, OUTCOME) == outcome["outcome"], name
            # Overall comment, as the paper prints it.
            assert merged_value(ws, r, COMMENT) == outcome["comment"], name
            # Previous and latest: the paper's figures, its bracketed periods, its estimate.
            previous, latest = ws.cell(r, PREVIOUS), ws.cell(r, LATEST)
            assert math.isclose(previous.value, item["previous"]), name
            assert math.isclose(latest.value, item["latest"]), name
            for cell, key in ((previous, "previous_period"), (latest, "latest_period")):
                if key in item:
                    assert f"({PAPER_PERIODS[item[key]]}" in cell.number_format, (name, cell.number_format)
            if item.get("latest_flag") == "estimate":
                assert "estimate" in latest.number_format
            # Direction of travel, from the two years' figures, as the paper gives it.
            if item.get("direction"):
                assert ws.cell(r, DIRECTION).value == f"{DIRECTION_TEXT[item['direction']]} ({TWO_FIGURES})", name
            # Progress: the RAG, calculated.
            assert ws.cell(r, PROGRESS).value == item["progress"], (name, ws.cell(r, REASON).value)
            # County comparison: the published position, blank where the paper has none.
            assert ws.cell(r, COMPARISON).value == item.get("county_comparison"), name
            checked += 1
    assert checked == 12

    # The cells the paper leaves blank: youth re-offending (Apr-Dec 2015 against the whole of
    # 2014/15 has no direction: not two figures of one length) and the referrals (no polarity).
    youth = rows["Rate of re-offending by young offenders (local data)"]
    assert ws.cell(youth, DIRECTION).value is None
    assert "(2014/15, the latest earlier figure)" in ws.cell(youth, PREVIOUS).number_format
    referrals = rows["Number of referrals to domestic abuse support services (adults)"]
    assert ws.cell(referrals, DIRECTION).value is None and ws.cell(referrals, PROGRESS).value is None
    # The overall RAGs the paper calculates (Prevent's Amber is a manager's override in the paper).
    crime, offending = (rows[n] for n in ("Total Crime rate (per 1,000 population)",
                                          "% Reduction in offending by IOM & PPO Offenders"))
    assert (merged_value(ws, crime, OVERALL_RAG), merged_value(ws, offending, OVERALL_RAG)) == ("A", "G")
