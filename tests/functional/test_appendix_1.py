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

from tests.dashboard_sheet import dashboard_rows

PAPER_PERIODS = {"2013-14": "2013/14", "2014-15": "2014/15", "Apr-Dec 2015": "Apr – Dec 2015"}


@pytest.fixture
def appendix(demo, runner, tmp_path):
    path = tmp_path / "appendix-1.xlsx"
    result = runner.invoke(args=["dashboard", "export", "-o", str(path), "--period", "2015/16 Q4"])
    assert result.exit_code == 0, result.output
    assert "dashboard for 2015/16 Q4" in result.output
    return openpyxl.load_workbook(path)["Dashboard"]


def test_the_exported_appendix_1_is_the_board_papers_cell_for_cell(appendix, seed):
    rows = dashboard_rows(appendix)
    checked = 0
    for outcome in seed["leicestershire_dashboard_2015_16_q4"]["outcomes"]:
        for item in outcome["indicators"]:
            name = item["name"].replace("poulation", "population")  # the paper's typo
            row = rows[name]
            assert row.outcome == outcome["outcome"], name
            # Overall comment, as the paper prints it.
            assert row.overall_comment == outcome["comment"], name
            # Previous and latest: the paper's figures, its bracketed periods (in the
            # cell before each figure), its estimate.
            assert math.isclose(row["Previous"], item["previous"]), name
            assert math.isclose(row["Latest"], item["latest"]), name
            for header, key in (("Previous period", "previous_period"), ("Latest period", "latest_period")):
                if key in item:
                    assert row[header].startswith(PAPER_PERIODS[item[key]]), (name, row[header])
            if item.get("latest_flag") == "estimate":
                assert row["Latest period"].endswith("(estimate)")
            # Direction of travel, from the two years' figures, as the paper gives it.
            if item.get("direction"):
                assert row["Direction of travel"] == f"{DIRECTION_TEXT[item['direction']]} ({TWO_FIGURES})", name
            # Progress: the RAG, calculated.
            assert row["Progress RAG"] == item["progress"], (name, row["RAG reason and commentary"])
            # The paper's comparison column: the published position, blank where the paper has none.
            assert row["Peer comparison"] == item.get("county_comparison"), name
            checked += 1
    assert checked == 12

    # The cells the paper leaves blank: the IOM cohort (its latest figure, 2014/15, is older
    # than the dashboard's year, so no current direction), youth re-offending (Apr-Dec 2015
    # against the whole of 2014/15 has no direction: not two figures of one length) and the
    # referrals (no polarity).
    iom = rows["% Reduction in offending by IOM & PPO Offenders"]
    assert iom["Direction of travel"] is None and iom["Progress RAG"] == "G"
    youth = rows["Rate of re-offending by young offenders (local data)"]
    assert youth["Direction of travel"] is None
    assert youth["Previous period"] == "2014/15 (the latest earlier figure)"
    referrals = rows["Number of referrals to domestic abuse support services (adults)"]
    assert referrals["Direction of travel"] is None and referrals["Progress RAG"] is None
    # The overall RAGs the paper calculates (Prevent's Amber is a manager's override in the paper).
    crime, offending = (rows[n] for n in ("Total Crime rate (per 1,000 population)",
                                          "% Reduction in offending by IOM & PPO Offenders"))
    assert (crime.overall_rag, offending.overall_rag) == ("A", "G")
