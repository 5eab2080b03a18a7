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

DASHBOARD_HEADER_ROW = 4  # openpyxl rows: title, partnership line, blank, header, district codes
OUTCOME_COL, COMMENT_COL, INDICATOR_COL, PREVIOUS_COL, LATEST_COL = 1, 3, 4, 5, 6


def export(runner, tmp_path, *args):
    path = tmp_path / ("d" + re.sub(r"[^A-Za-z0-9]+", "-", "-".join(args)) + ".xlsx")
    result = runner.invoke(args=["dashboard", "export", "-o", str(path), *args])
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(path)["Dashboard"], result.output


def overall_comments(ws) -> dict[str, str | None]:
    """Outcome name → its overall comment, as the Dashboard sheet shows them."""
    return {ws.cell(r, OUTCOME_COL).value: ws.cell(r, COMMENT_COL).value
            for r in range(DASHBOARD_HEADER_ROW + 2, ws.max_row + 1)
            if ws.cell(r, OUTCOME_COL).value and ws.cell(r, INDICATOR_COL).value}


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
    reasons = [ws.cell(r, 9).value or "" for r in range(1, ws.max_row + 1)
               if (ws.cell(r, INDICATOR_COL).value or "").startswith("Domestic Burglary rate")]
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
    assert ws.cell(DASHBOARD_HEADER_ROW, PREVIOUS_COL).value == "Previous year"
    assert ws.cell(DASHBOARD_HEADER_ROW, LATEST_COL).value == "Latest"


def test_dashboard_headers_name_a_period_only_when_every_row_compares_it(demo, runner, tmp_path):
    ws, _ = export(runner, tmp_path, "--period", "2015/16 Q4")
    # The rows compare different periods (Appendix 1's years, Cambridgeshire's quarters,
    # the service's Dec - Mar span), so the headers name none and every figure names its own.
    assert ws.cell(DASHBOARD_HEADER_ROW, PREVIOUS_COL).value == "Previous year"
    assert ws.cell(DASHBOARD_HEADER_ROW, LATEST_COL).value == "Latest"
    formats = {ws.cell(r, INDICATOR_COL).value: (ws.cell(r, PREVIOUS_COL).number_format,
                                                   ws.cell(r, LATEST_COL).number_format)
               for r in range(DASHBOARD_HEADER_ROW + 2, ws.max_row + 1) if ws.cell(r, INDICATOR_COL).value}
    total_crime = next(v for k, v in formats.items() if k.startswith("Total Crime rate"))
    assert "(2014/15)" in total_crime[0] and "(2015/16)" in total_crime[1]
    offending = next(v for k, v in formats.items() if k.startswith("% Reduction in offending"))
    assert "(2013/14)" in offending[0] and "(2014/15)" in offending[1]
    helpline = formats["Helpline calls received"]
    assert "(Dec 2015 – Mar 2016)" in helpline[1]
