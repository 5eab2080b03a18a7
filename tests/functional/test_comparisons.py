"""Issue 15, "Comparisons and flags": a figure is compared only like for like (the same
period a year earlier), or — for a cohort measure set so — with its latest earlier
figure, saying which; direction of travel from two figures, saying how it was derived.
Through the pages, the admin form and ``flask dashboard export``."""
import html
import re

import openpyxl
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Area, DataValue, Indicator, Target
from app.store.reference import period_row
from tests.conftest import DEMO_ADMIN as ADMIN
from tests.conftest import DEMO_MANAGER as MANAGER
from tests.conftest import sign_in
from tests.dashboard_sheet import dashboard_rows



@pytest.fixture
def demo(demo):
    return {i.slug: i for i in db.session.scalars(select(Indicator))}


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return re.sub(r"\s+", " ", html.unescape(response.get_data(as_text=True)))


def row_html(text: str, name: str) -> str:
    """The dashboard table row whose header starts with ``name``."""
    # In the outcomes' tables: the RAG summary above them names the red rows too.
    start = text.index(f">{name}", text.index("id=\"outcome-1\""))
    return text[start:text.index("</tr>", start)]


def dashboard_sheet(runner, tmp_path, period: str):
    path = tmp_path / (re.sub(r"\W+", "-", period) + ".xlsx")
    result = runner.invoke(args=["dashboard", "export", "-o", str(path), "--period", period])
    assert result.exit_code == 0, result.output
    return dashboard_rows(openpyxl.load_workbook(path)["Dashboard"])


def store(slug: str, area: str, period: str, value: float) -> None:
    indicator = db.session.scalar(select(Indicator).where(Indicator.slug == slug))
    db.session.add(DataValue(indicator=indicator, area=db.session.scalar(select(Area).where(Area.code == area)),
                             period=period_row(period), value=value, flag="actual", source="test"))
    db.session.commit()


def test_fenland_refuge_q3_is_not_rated_against_q2(demo, client, runner, tmp_path):
    # Fenland's refuge: 91, 100, 100 in 2014/15 Q1-Q3, nothing for 2013/14.
    sign_in(client, *MANAGER)
    text = page(client, "/dashboard/2014-15-q3?area=FEN")
    fenland = row_html(text, "Refuge occupancy rate")
    assert "There is no figure for the same period last year, so it is not rated." in fenland
    assert "No figure for the same period last year" in fenland
    assert "Same as last year" not in fenland and "2014/15 Q2" not in fenland
    assert "Cambridge" in page(client, "/dashboard/2014-15-q3?area=CAM")  # Cambridge has 2013/14 Q3: 91 v 91
    assert "Same as last year: Green" in row_html(page(client, "/dashboard/2014-15-q3?area=CAM"),
                                                  "Refuge occupancy rate")

    cells = dashboard_sheet(runner, tmp_path, "2014/15 Q3")["Refuge occupancy rate — Fenland"]
    assert cells["Previous period"] == "No figure for the same period last year"
    assert cells["Progress RAG"] is None
    assert cells["RAG reason and commentary"] == "There is no figure for the same period last year, so it is not rated."
    bobby = dashboard_sheet(runner, tmp_path, "2014/15 Q3")["Bobby Scheme interventions to increase home security"]
    assert bobby["Previous period"] == "No figure for the same period last year"  # 43 is not compared with 39


def test_a_quarters_30_first_time_entrants_are_not_rated_against_the_years_124(demo, client):
    store("first-time-entrants", "LC", "2016/17 Q1", 30)
    sign_in(client, *MANAGER)
    name = "Number of first time entrants to the criminal justice system aged 10 - 17"
    row = row_html(page(client, "/dashboard/2016-17-q1"), name)
    assert "75.8%" not in row and "124" not in row and "Better than last year" not in row
    assert "There is no figure for the same period last year, so it is not rated." in row
    assert "No figure for the same period last year" in row

    # With a target for the quarter, the rating falls back to it.
    indicator = demo["first-time-entrants"]
    db.session.add(Target(indicator=indicator, area=db.session.scalar(select(Area).where(Area.code == "LC")),
                          period=period_row("2016/17 Q1"), value=35))
    db.session.commit()
    row = row_html(page(client, "/dashboard/2016-17-q1"), name)
    assert ("No figure for the same period last year, so rated against the target. "
            "Better than the target of 35 by 14.3%: Green") in row

    # Given the same quarter a year earlier (40), it is compared with that, like for like.
    store("first-time-entrants", "LC", "2015/16 Q1", 40)
    row = row_html(page(client, "/dashboard/2016-17-q1"), name)
    assert "Better than last year by 25%: Green" in row and "2015/16 Q1, same period last year" in row


def test_youth_reoffending_is_compared_with_its_latest_earlier_figure_and_says_so(demo, client, runner, tmp_path):
    sign_in(client, *MANAGER)
    name = "Rate of re-offending by young offenders (local data)"
    row = row_html(page(client, "/dashboard/2015-16"), name)
    assert "2014/15, the latest earlier figure" in row
    assert "Better than the latest earlier figure (2014/15) by 50.4%: Green" in row
    cells = dashboard_sheet(runner, tmp_path, "2015/16 Q4")[name]
    assert cells["Previous"] == 1.25
    assert cells["Previous period"] == "2014/15 (the latest earlier figure)"
    assert cells["Progress RAG"] == "G"
    total_crime = dashboard_sheet(runner, tmp_path, "2015/16 Q4")["Total Crime rate (per 1,000 population)"]
    assert "latest earlier" not in total_crime["Previous period"]

    # The admin sets it back to like for like: Apr-Dec 2014 has no figure, so it is not rated.
    youth = demo["youth-reoffending-rate"]
    client.post("/sign-out")
    sign_in(client, *ADMIN)
    form = page(client, f"/admin/indicators/{youth.id}")
    assert "Compare the latest figure with" in form and "Direction of travel is stable within" in form
    posted = indicator_form(youth, comparison_basis="same_period_last_year")
    assert client.post(f"/admin/indicators/{youth.id}", data=posted).status_code == 302
    assert db.session.get(Indicator, youth.id).comparison_basis == "same_period_last_year"
    row = row_html(page(client, "/dashboard/2015-16"), name)
    assert "There is no figure for the same period last year, so it is not rated." in row
    refused = client.post(f"/admin/indicators/{youth.id}", data={**posted, "comparison_basis": "whatever"})
    assert refused.status_code == 400 and "Select a comparison from the list" in refused.get_data(as_text=True)


def indicator_form(indicator: Indicator, **changes) -> dict:
    form = {"name": indicator.name, "slug": indicator.slug, "outcome_id": indicator.outcome_id,
            "unit": indicator.unit, "polarity": indicator.polarity, "aggregation": indicator.aggregation,
            "decimals": indicator.decimals, "rag_method": indicator.rag_method,
            "rag_band_kind": indicator.rag_band_kind, "rag_green_within": indicator.rag_green_within,
            "rag_amber_within": indicator.rag_amber_within, "trend_periods": indicator.trend_periods,
            "comparison_basis": indicator.comparison_basis, "stable_within": indicator.stable_within,
            "suppress_small_counts": "y"}
    return {**form, **changes}


def test_direction_of_travel_from_two_years_figures_within_the_indicators_stable_band(demo, client, runner, tmp_path):
    sign_in(client, *MANAGER)
    text = page(client, "/dashboard/2015-16")
    # 45.79 -> 47.21 is +3.1%: within the demo's ±13.5% band for crime rates, stable.
    assert "→ Stable (from two figures)" in row_html(text, "Total Crime rate (per 1,000 population)")
    assert "↓ Worsening (from two figures)" in row_html(text, "Domestic Burglary rate (per 1,000 population)")
    # Cambridgeshire's quarters have a trend over four.
    quarters = page(client, "/dashboard/2014-15-q3")
    assert "↑ Improving (trend over 4 periods)" in row_html(
        quarters, "% of referrals into the IDVA service that engage with the service")
    cells = dashboard_sheet(runner, tmp_path, "2015/16 Q4")
    assert cells["Total Crime rate (per 1,000 population)"]["Direction of travel"] == "→ Stable (from two figures)"
    assert cells["Number of first time entrants to the criminal justice system aged 10 - 17"][
        "Direction of travel"] == "↑ Improving (from two figures)"  # 190 -> 124, -34.7%

    # The admin narrows total crime's band to 2%: +3.1% is then a worsening.
    crime = demo["total-crime-rate"]
    client.post("/sign-out")
    sign_in(client, *ADMIN)
    refused = client.post(f"/admin/indicators/{crime.id}", data=indicator_form(crime, stable_within="-1"))
    assert refused.status_code == 400 and "Enter a number from 0 to 1000" in refused.get_data(as_text=True)
    saved = client.post(f"/admin/indicators/{crime.id}", data=indicator_form(crime, stable_within="2"))
    assert saved.status_code == 302
    assert db.session.get(Indicator, crime.id).stable_within == 2
    assert "↓ Worsening (from two figures)" in row_html(page(client, "/dashboard/2015-16"),
                                                        "Total Crime rate (per 1,000 population)")
