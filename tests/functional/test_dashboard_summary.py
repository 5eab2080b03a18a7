"""Issue 18 on the web dashboard: the RAG summary above the outcomes (counts of R/A/G per
outcome, most reds first, then the red indicators), and a compact view (one outcome at a
time, as tabs) with the long page behind "Show all outcomes on one page"."""
import html
import re

from tests.conftest import DEMO_MANAGER, sign_in

PAGE = "/dashboard/2015-16-q4"


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def summary_rows(page: str) -> list[list[str]]:
    table = re.search(r'<table class="govuk-table govuk-body-s app-rag-summary">.*?</table>', page, re.S).group(0)
    body = table.split("<tbody", 1)[1]
    return [[text_of(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_the_summary_counts_each_outcomes_ratings_with_the_reds_first(demo, client, seed):
    sign_in(client, *DEMO_MANAGER)
    page = client.get(PAGE).get_data(as_text=True)
    rows = summary_rows(page)
    by_name = {row[0]: row for row in rows}
    # Appendix 1's outcomes, as the paper rates their indicators (its calculated RAGs).
    for outcome in seed["leicestershire_dashboard_2015_16_q4"]["outcomes"]:
        ratings = [i["progress"] for i in outcome["indicators"]]
        assert by_name[outcome["outcome"]][2:] == [str(ratings.count(letter)) for letter in ("R", "A", "G", None)]
    assert by_name["Ongoing reductions in crime"][1:] == ["Amber", "2", "1", "1", "0"]
    reds = [int(row[2]) for row in rows]
    assert reds == sorted(reds, reverse=True)
    listed = text_of(re.search(r"Indicators rated red</h3>(.*?)</ul>", page, re.S).group(1))
    assert "Domestic Burglary rate (per 1,000 population) (Leicestershire): Worse than last year by 13.9%" in listed


def test_one_outcome_at_a_time_with_the_long_page_behind_show_all(demo, client):
    sign_in(client, *DEMO_MANAGER)
    compact = client.get(PAGE).get_data(as_text=True)
    outcomes = len(summary_rows(compact))
    panels = re.findall(r'<div class="govuk-tabs__panel[^"]*" id="outcome-panel-(\d+)"', compact)
    assert len(panels) == outcomes > 1
    assert len(re.findall(r"govuk-tabs__panel--hidden", compact)) == outcomes - 1  # one shown at a time
    assert 'href="#outcome-panel-1"' in compact
    link = html.unescape(re.search(r'<a class="govuk-link" href="([^"]+)">Show all outcomes on one page</a>',
                                   compact).group(1))
    assert link.lower() == "/dashboard/2015-16-q4?all=1"
    long_page = client.get(link).get_data(as_text=True)
    assert "govuk-tabs" not in long_page and len(re.findall(r'<section class="govuk-!-margin-bottom-9"',
                                                            long_page)) == outcomes
    assert ">Show one outcome at a time</a>" in long_page
