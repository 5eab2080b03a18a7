"""Issue 15, "Targets and rates": a rate per 1,000 or 100,000 population is configured in the
admin's indicator form from a count and the areas' populations, with no denominator
indicator, and worked out for every area: a district's count over its population, a
county's the sum of its districts' counts over the sum of their populations. Figures are
worked out here by hand from the stored counts and populations."""
import openpyxl
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Area, AreaPopulation, DataValue, Indicator, Period
from tests.conftest import DEMO_ADMIN, DEMO_MANAGER, signed_in

SPAN = "2015-12..2016-03"  # Appendix 2: Dec 2015 – Mar 2016, whose rates use the 2015 populations
LEICESTERSHIRE_DISTRICTS = ["B", "C", "H", "HB", "M", "NW", "O"]


def rate_form(count_id: int, unit: str = "rate_per_1000", **changes) -> dict:
    outcome_id = db.session.scalar(select(Indicator.outcome_id).where(Indicator.id == count_id))
    return {"name": "Safety plans per 1,000 population", "slug": "safety-plans-rate", "unit": unit,
            "polarity": "higher_is_better", "aggregation": "recompute", "numerator_id": str(count_id),
            "denominator_id": "", "decimals": "2", "rag_method": "none", "rag_band_kind": "percent",
            "rag_green_within": "0", "rag_amber_within": "0", "outcome_id": str(outcome_id), "trend_periods": "4",
            **changes}


def counts_and_populations(slug: str, codes: list[str]) -> dict[str, tuple[float, int]]:
    """Area code → (stored count for SPAN, the area's 2015 population)."""
    out = {}
    for code in codes:
        count = db.session.scalar(
            select(DataValue.value).join(Indicator, DataValue.indicator_id == Indicator.id)
            .join(Area, DataValue.area_id == Area.id).join(Period, DataValue.period_id == Period.id)
            .where(Indicator.slug == slug, Area.code == code, Period.key == SPAN, DataValue.is_current.is_(True)))
        population = db.session.scalar(select(AreaPopulation.population).join(Area).where(
            Area.code == code, AreaPopulation.year == 2015))
        out[code] = (count, population)
    return out


def district_table_row(path, name: str) -> dict[str, object]:
    """Heading → cell of the District tables row for ``name``."""
    sheet = openpyxl.load_workbook(path)["District tables"]
    rows = list(sheet.iter_rows(values_only=True))
    at = next(i for i, row in enumerate(rows) if row[0] == name)
    heading = next(rows[i] for i in range(at, -1, -1) if rows[i][0] == "Indicator")
    return {h: v for h, v in zip(heading, rows[at]) if h}


def test_a_rate_per_1000_from_a_count_and_the_areas_populations(demo, client, runner, tmp_path):
    signed_in(client, DEMO_ADMIN)
    safety_plans = db.session.scalar(select(Indicator.id).where(Indicator.slug == "safety-plans"))
    response = client.post("/admin/indicators/new", data=rate_form(safety_plans))
    assert response.status_code == 302, response.data
    rate = db.session.scalar(select(Indicator).where(Indicator.slug == "safety-plans-rate"))
    assert (rate.unit, rate.aggregation, rate.numerator.slug, rate.denominator, rate.rate_of_population) == (
        "rate_per_1000", "recompute", "safety-plans", None, True)
    assert ("Rate per 1,000 population of Safety plans established"
            in client.get("/admin/indicators").get_data(as_text=True))

    path = tmp_path / "board.xlsx"
    result = runner.invoke(args=["dashboard", "export", "-o", str(path), "--period", "Dec 2015 - Mar 2016"])
    assert result.exit_code == 0, result.output
    row = district_table_row(path, "Safety plans per 1,000 population")
    stored = counts_and_populations("safety-plans", LEICESTERSHIRE_DISTRICTS)
    names = dict(db.session.execute(select(Area.code, Area.name)).all())
    # Each district: its own count over its own population (Blaby: 40 of 97,600 people → 0.41 per 1,000).
    # (To the 15 significant figures a workbook keeps.)
    assert {code: row[names[code]] for code in LEICESTERSHIRE_DISTRICTS} == {
        code: pytest.approx(1000 * count / population, rel=1e-14) for code, (count, population) in stored.items()}
    assert stored["B"] == (40, 97_600) and round(row["Blaby"], 2) == 0.41
    # The county: its districts' counts over their populations (578 of 674,800 → 0.86 per 1,000).
    total_count = sum(count for count, _ in stored.values())
    total_population = sum(population for _, population in stored.values())
    assert (total_count, total_population) == (578, 674_800)
    assert row["Total Leicestershire"] == pytest.approx(1000 * total_count / total_population, rel=1e-14)
    assert round(row["Total Leicestershire"], 2) == 0.86
    # The wider footprint has no safety plans from Leicester or Rutland: no rate, never a smaller one.
    assert row["Leicester, Leicestershire & Rutland figure"] == "incomplete"

    # The manager's dashboard shows the county's rate to two decimals.
    signed_in(client, DEMO_MANAGER)
    page = client.get(f"/dashboard/{SPAN}").get_data(as_text=True)
    assert "Safety plans per 1,000 population" in page and "0.86" in page


def test_a_rate_per_100000_and_a_county_rate_needs_every_district_population(demo, client, runner, tmp_path):
    signed_in(client, DEMO_ADMIN)
    safety_plans = db.session.scalar(select(Indicator.id).where(Indicator.slug == "safety-plans"))
    client.post("/admin/indicators/new", data=rate_form(safety_plans, "rate_per_100000",
                                                        name="Safety plans per 100,000 population"))
    # Melton's estimate is removed: Melton gets no rate, and nor does the county.
    melton = db.session.scalar(select(Area).where(Area.code == "M"))
    melton.populations.clear()
    db.session.commit()

    path = tmp_path / "board.xlsx"
    result = runner.invoke(args=["dashboard", "export", "-o", str(path), "--period", "Dec 2015 - Mar 2016"])
    assert result.exit_code == 0, result.output
    row = district_table_row(path, "Safety plans per 100,000 population")
    count, population = counts_and_populations("safety-plans", ["C"])["C"]
    # 174 of 175,100 people → 99.37 per 100,000
    assert row["Charnwood"] == pytest.approx(100_000 * count / population, rel=1e-14)
    assert round(row["Charnwood"], 2) == 99.37
    assert row["Melton"] == "incomplete"
    assert row["Total Leicestershire"] == "incomplete"
    assert "No population figure for the year" in (row["Notes"] or "")


def test_the_form_says_what_a_rate_of_population_needs(demo, client):
    signed_in(client, DEMO_ADMIN)
    safety_plans = db.session.scalar(select(Indicator.id).where(Indicator.slug == "safety-plans"))
    no_count = client.post("/admin/indicators/new", data=rate_form(safety_plans, numerator_id=""))
    assert no_count.status_code == 400
    assert b"choose the count it is a rate of as the numerator indicator" in no_count.data
    percent = client.post("/admin/indicators/new", data=rate_form(safety_plans, "percent"))
    assert percent.status_code == 400
    assert b"only a rate per 1,000 or 100,000 population may leave the denominator out" in percent.data
    # A rate of a percentage cannot be added up across areas: said on the form, not a broken dashboard.
    share = db.session.scalar(select(Indicator.id).where(Indicator.slug == "outcome-service-engagement"))
    not_summed = client.post("/admin/indicators/new", data=rate_form(share))
    assert not_summed.status_code == 400
    assert ("The numerator &#39;Service engages service users&#39; must be added up across areas"
            in not_summed.get_data(as_text=True))
    assert db.session.scalar(select(Indicator).where(Indicator.slug == "safety-plans-rate")) is None
