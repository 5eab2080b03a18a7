"""Issue 15, "Outcome comments tied to one exact period": commentary written for a year
shows on the dashboards the board views as that year's (its Q4, a span ending in its
March), the period's own comment winning; and the Dashboard sheet's headers name a
period only when every row compares it."""
import html
import re

import openpyxl
from sqlalchemy import select

from app.extensions import db
from app.models import Indicator, Outcome, User
from app.periods import parse_period, periods_whose_commentary_applies
from app.services.ratings import save_commentary, save_outcome_assessment
from tests.conftest import DEMO_MANAGER as MANAGER
from tests.conftest import sign_in
from tests.dashboard_sheet import columns, dashboard_rows


def export(runner, tmp_path, *args):
    path = tmp_path / ("d" + re.sub(r"[^A-Za-z0-9]+", "-", "-".join(args)) + ".xlsx")
    result = runner.invoke(args=["dashboard", "export", "-o", str(path), *args])
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(path)["Dashboard"], result.output


def overall_comments(ws) -> dict[str, str | None]:
    """Outcome name → its overall comment, as the Dashboard sheet shows them."""
    return {row.outcome: row.overall_comment for row in dashboard_rows(ws).values()}


def appendix_1(seed) -> dict[str, str]:
    return {block["outcome"]: block["comment"] for block in seed["leicestershire_dashboard_2015_16_q4"]["outcomes"]}


def manager():
    return db.session.scalar(select(User).where(User.email == MANAGER[0]))


def test_the_rule_names_the_period_then_its_year_for_periods_ending_with_the_year():
    texts = ("2015/16 Q4", "Mar 2016", "Dec 2015 - Mar 2016", "2015/16", "2015/16 Q3", "Nov 2016 - Oct 2017")
    keys = {text: [p.key for p in periods_whose_commentary_applies(parse_period(text))] for text in texts}
    assert keys == {"2015/16 Q4": ["2015/16 Q4", "2015/16"], "Mar 2016": ["2016-03", "2015/16"],
                    "Dec 2015 - Mar 2016": ["2015-12..2016-03", "2015/16"], "2015/16": ["2015/16"],
                    "2015/16 Q3": ["2015/16 Q3"], "Nov 2016 - Oct 2017": ["2016-11..2017-10"]}


def test_year_comments_show_on_the_q4_export_and_page_and_the_quarters_own_wins(demo, runner, client, tmp_path,
                                                                                   seed):
    expected = appendix_1(seed)
    assert len(expected) == 5
    ws, output = export(runner, tmp_path, "--period", "2015/16 Q4")
    assert "dashboard for 2015/16 Q4" in output
    shown = overall_comments(ws)
    for outcome, comment in expected.items():
        assert shown[outcome] == comment, outcome
    assert shown["Ongoing reductions in crime"].startswith("Domestic Burglary saw a significant increase")

    sign_in(client, *MANAGER)
    page = html.unescape(client.get("/dashboard/2015-16-q4").get_data(as_text=True))
    for comment in expected.values():
        assert comment in page

    # A comment stored for the exact quarter wins over the year's; the year keeps its own.
    crime = db.session.scalar(select(Outcome).where(Outcome.name == "Ongoing reductions in crime"))
    save_outcome_assessment("2015/16 Q4", crime.id, "Q4: burglary operation under way.", False, None, "", manager())
    burglary = db.session.scalar(select(Indicator).where(Indicator.name.startswith("Domestic Burglary rate")))
    save_commentary("2015/16", burglary.id, None, "The year: burglary up.", False, manager())
    save_commentary("2015/16 Q4", burglary.id, None, "The quarter: burglary up since January.", False, manager())
    ws, _ = export(runner, tmp_path, "--period", "2015/16 Q4")
    shown = overall_comments(ws)
    assert shown["Ongoing reductions in crime"] == "Q4: burglary operation under way."
    offending = next(name for name in expected if name.startswith("Reduce offending"))
    assert shown[offending] == expected[offending]  # the other outcomes keep the year's
    reasons = [row["RAG reason and commentary"] or "" for name, row in dashboard_rows(ws).items()
               if name.startswith("Domestic Burglary rate")]
    assert "Comment: The quarter: burglary up since January." in reasons[0] and "The year" not in reasons[0]
    page = html.unescape(client.get("/dashboard/2015-16-q4").get_data(as_text=True))
    assert "Q4: burglary operation under way." in page and expected["Ongoing reductions in crime"] not in page
    year, _ = export(runner, tmp_path, "--period", "2015/16")
    assert overall_comments(year)["Ongoing reductions in crime"] == expected["Ongoing reductions in crime"]


def test_a_mid_year_quarter_and_the_default_export_do_not_borrow_the_years_comments(demo, runner, tmp_path, seed):
    expected = appendix_1(seed)
    q3, _ = export(runner, tmp_path, "--period", "2015/16 Q3")
    assert not set(overall_comments(q3).values()) & set(expected.values())
    # The default export is the latest period with figures: Nov 2016 - Oct 2017, in 2017/18,
    # so 2015/16's comments are not its; its Leicestershire rows say they compare 2014/15 with 2015/16.
    ws, output = export(runner, tmp_path)
    assert "dashboard for Nov 2016 – Oct 2017" in output
    shown = overall_comments(ws)
    assert shown["Ongoing reductions in crime"] is None
    assert not set(shown.values()) & set(expected.values())


def test_dashboard_headers_name_no_period_and_each_figure_has_its_own(demo, runner, tmp_path):
    """Issue 18: a header naming one period printed above rows of others; each figure's
    period is now in its own cell before it."""
    ws, _ = export(runner, tmp_path, "--period", "2015/16 Q4")
    heads = columns(ws)
    assert {"Previous period", "Previous", "Latest period", "Latest"} <= set(heads)
    rows = dashboard_rows(ws)
    total_crime = next(v for k, v in rows.items() if k.startswith("Total Crime rate"))
    assert (total_crime["Previous period"], total_crime["Latest period"]) == ("2014/15", "2015/16")
    offending = next(v for k, v in rows.items() if k.startswith("% Reduction in offending"))
    assert (offending["Previous period"], offending["Latest period"]) == ("2013/14", "2014/15")