import json
from decimal import Decimal
from pathlib import Path

import pytest

from app.dhr.budget import (
    BudgetError,
    BudgetYear,
    Contribution,
    CostLine,
    budget_from_return,
    forecast,
    leicestershire_2016_17,
    partner_slug,
    return_fields,
    return_values,
    summarise,
    validate_budget,
)

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed_figures.json"


def small_year(**changes) -> BudgetYear:
    values = dict(
        year_start=2017, opening_reserve=Decimal(1000),
        contributions=[Contribution("A council", 5000), Contribution("Police", 3000, received_in_advance=1000)],
        costs=[CostLine("Office", "fixed_support", 4000), CostLine("Chairs", "chairs_authors", 2000)],
        reviews_expected=Decimal(1), cost_per_review=Decimal(2000), fixed_support=Decimal(4000))
    values.update(changes)
    return BudgetYear(**values)


def test_leicestershire_2016_17_every_figure():
    year = leicestershire_2016_17()
    s = summarise(year)
    assert s.label == "2016/17"
    assert s.opening_reserve == Decimal(25500)
    assert s.contributions_due == Decimal(66000)
    dues = {c.partner: c.due for c in year.contributions}
    assert dues["Leicestershire County Council"] == 30000 and dues["Leicestershire Police"] == 16000
    districts = [p for p in dues if p not in ("Leicestershire County Council", "Leicestershire Police")]
    assert districts == ["Blaby", "Charnwood", "Harborough", "Hinckley & Bosworth", "Melton",
                         "North West Leicestershire", "Oadby & Wigston", "Rutland"]
    assert all(dues[d] == 2500 for d in districts) and sum(dues[d] for d in districts) == 20000
    assert s.received_in_advance == Decimal(2500)
    assert [c.partner for c in year.contributions if c.received_in_advance] == ["Charnwood"]
    assert s.received_in_year == Decimal(63500)
    assert s.not_drawn_down == 0
    assert s.costs_by_kind == {"fixed_support": Decimal(42089), "chairs_authors": Decimal(25500), "case": 0}
    assert s.total_costs == Decimal(67589)
    assert s.closing_reserve == Decimal(21411)
    assert s.forecast_cost == Decimal(63339)
    assert s.surplus_or_shortfall == Decimal(2661)
    assert all(isinstance(v, Decimal) for v in (s.total_costs, s.closing_reserve, s.forecast_cost))


def test_leicestershire_figures_match_the_seed_file():
    seed = json.loads(SEED.read_text())["leicestershire_dhr_funding_2016_17"]
    year = leicestershire_2016_17()
    s = summarise(year)
    assert s.opening_reserve == seed["carried_forward_from_2015_16"]
    assert s.contributions_due == seed["annual_budget"] == sum(seed["contributions"].values())
    assert [c.partner for c in year.contributions[2:]] == seed["district_contributors"]
    assert s.costs_by_kind["fixed_support"] == seed["business_office_requested"]
    assert year.costs[1].amount == seed["business_office_shortfall"]
    assert year.cost_per_review == seed["cost_per_review_estimate"]
    assert year.reviews_expected == Decimal(str(seed["proposed_reviews_per_year"]))


def test_summary_lines_for_display():
    lines = {(line.section, line.label): line for line in summarise(leicestershire_2016_17()).lines}
    assert lines[("Reserve", "Opening reserve carried forward")].amount == 25500
    assert lines[("Contributions", "Charnwood")].amount == 2500
    assert lines[("Contributions", "Received in year")].amount == 63500
    assert lines[("Costs", "Total costs")].is_total and lines[("Costs", "Total costs")].amount == 67589
    assert lines[("Reserve", "Closing reserve")].amount == 21411
    assert lines[("Forecast", "Reviews expected a year")].unit == "count"
    assert lines[("Forecast", "Surplus")].amount == 2661


def test_not_drawn_down_contributions_stay_out_of_the_reserve():
    # 2015/16: police, districts and Rutland were not drawn down because reserves were high
    year = small_year(contributions=[
        Contribution("A council", 5000), Contribution("Police", 3000, drawn_down=False),
        Contribution("District", 2000, received_in_advance=500, drawn_down=False)])
    s = summarise(year)
    assert s.contributions_due == 10000
    assert s.received_in_year == 5000
    assert s.not_drawn_down == 4500
    assert s.closing_reserve == 1000 + 5000 - 6000
    assert [line.label for line in s.lines if line.section == "Contributions"][:3] == [
        "A council", "Police (not drawn down)", "District (not drawn down)"]


def test_shortfall_is_negative_and_labelled():
    s = summarise(small_year(reviews_expected=Decimal(3)))
    assert s.forecast_cost == 3 * 2000 + 4000
    assert s.surplus_or_shortfall == 8000 - 10000
    assert [line.label for line in s.lines][-1] == "Shortfall"


def test_case_costs_add_to_total():
    year = small_year(costs=[CostLine("Office", "fixed_support", 4000), CostLine("Author fee", "case", "1,250.50", case="AB")])
    s = summarise(year)
    assert s.costs_by_kind["case"] == Decimal("1250.50") and s.total_costs == Decimal("5250.50")


def test_forecast_carries_the_reserve_forward():
    rows = forecast([leicestershire_2016_17()], 3, reviews_per_year=2.5, cost_per_review=8500,
                    fixed_support=42089, contributions_per_year=66000)
    assert [r.label for r in rows] == ["2017/18", "2018/19", "2019/20"]
    assert [r.opening for r in rows] == [21411, 21411 + 2661, 21411 + 2 * 2661]
    assert all(r.cost == 63339 and r.contributions == 66000 for r in rows)
    assert rows[-1].closing == 21411 + 3 * 2661
    assert all(r.surplus_or_shortfall == 2661 and r.shortfall == 0 for r in rows)


def test_forecast_shortfall_draws_the_reserve_down():
    rows = forecast([leicestershire_2016_17()], 2, reviews_per_year=3, contributions_per_year=60000)
    # cost 3 × 8,500 + 42,089 = 67,589 against 60,000: 7,589 short a year
    assert [r.shortfall for r in rows] == [7589, 7589]
    assert [r.closing for r in rows] == [21411 - 7589, 21411 - 2 * 7589]


def test_forecast_defaults_come_from_the_latest_year():
    earlier = small_year(year_start=2015)
    rows = forecast([leicestershire_2016_17(), earlier], 1)
    assert rows[0].year == 2017 and rows[0].opening == 21411
    assert rows[0].cost == 63339 and rows[0].contributions == 66000


def test_validate_budget_names_each_problem():
    year = small_year(
        opening_reserve=None,
        contributions=[Contribution("Police", -5), Contribution("Charnwood", 2500, received_in_advance=3000),
                       Contribution("charnwood", 10), Contribution("", "lots")],
        costs=[CostLine("Office", "rent", 1), CostLine("Author", "case", 100), CostLine("", "fixed_support", None)],
        reviews_expected=Decimal(-1))
    by_field = {p.field: p.message for p in validate_budget(year)}
    assert set(by_field) == {
        "opening_reserve", "contributions[0].due", "contributions[1].received_in_advance",
        "contributions[2].partner", "contributions[3].partner", "contributions[3].due",
        "costs[0].kind", "costs[1].case", "costs[2].label", "costs[2].amount", "reviews_expected"}
    assert by_field["opening_reserve"] == "The opening reserve is missing. Enter the amount carried forward, or 0 if the pot was empty."
    assert by_field["contributions[0].due"].startswith("The contribution due from Police is negative (-£5).")
    assert by_field["contributions[1].received_in_advance"].startswith("Charnwood paid £3,000 in advance, more than the £2,500 due.")
    assert by_field["contributions[2].partner"].startswith("charnwood is entered twice.")
    assert "('lots') is not a number" in by_field["contributions[3].due"]
    assert "'rent'" in by_field["costs[0].kind"]
    assert by_field["reviews_expected"].startswith("The number of reviews expected is negative (-1).")


def test_summarise_refuses_an_invalid_year():
    with pytest.raises(BudgetError) as caught:
        summarise(small_year(cost_per_review=None))
    assert [p.field for p in caught.value.problems] == ["cost_per_review"]


def test_amounts_from_forms_become_decimals():
    c = Contribution("Blaby", 2500.1, received_in_advance="£1,000")
    assert c.due == Decimal("2500.1") and c.received_in_advance == Decimal(1000)
    assert Contribution("Blaby", "").due is None  # a blank is missing, never 0


def test_return_keys_for_leicestershire():
    keys = [f.key for f in return_fields()]
    assert keys[0] == "opening_reserve"
    assert "contribution:hinckley-and-bosworth" in keys and "received_in_advance:charnwood" in keys
    assert "drawn_down:leicestershire-county-council" in keys
    assert keys[-4:] == ["cost_business_office", "cost_chairs_authors", "reviews_expected", "cost_per_review"]
    assert len(keys) == 1 + 3 * 10 + 4 and len(set(keys)) == len(keys)
    assert partner_slug("Oadby & Wigston") == "oadby-and-wigston"


def test_budget_from_return_gives_the_leicestershire_figures():
    values = {"opening_reserve": 25500.0, "contribution:leicestershire-county-council": 30000,
              "contribution:leicestershire-police": Decimal(16000)}
    for district in ("blaby", "charnwood", "harborough", "hinckley-and-bosworth", "melton",
                     "north-west-leicestershire", "oadby-and-wigston", "rutland"):
        values[f"contribution:{district}"] = 2500
    values.update({"received_in_advance:charnwood": 2500, "cost_business_office": 42089,
                   "cost_chairs_authors": 25500, "reviews_expected": 2.5, "cost_per_review": 8500})
    year = budget_from_return(values, 2016)
    assert isinstance(year, BudgetYear)
    assert year.contributions[5].partner == "Hinckley & Bosworth"
    s = summarise(year)
    assert (s.contributions_due, s.received_in_year, s.total_costs, s.closing_reserve, s.forecast_cost,
            s.surplus_or_shortfall) == (66000, 63500, 67589, 21411, 63339, 2661)


def test_return_round_trip():
    original = summarise(leicestershire_2016_17())
    again = budget_from_return(return_values(leicestershire_2016_17()), 2016)
    s = summarise(again)
    assert (s.contributions_due, s.received_in_year, s.total_costs, s.closing_reserve, s.forecast_cost) == (
        original.contributions_due, original.received_in_year, original.total_costs,
        original.closing_reserve, original.forecast_cost)


def test_budget_from_return_reads_drawn_down_case_costs_and_other_partners():
    values = {"opening_reserve": 0, "contribution:Probation Service": 1000, "drawn_down:probation-service": 0,
              "contribution:blaby": 2500, "drawn_down:blaby": 1, "cost_business_office": 500,
              "cost_chairs_authors": 0, "cost_case:AB": 750, "reviews_expected": 1, "cost_per_review": 8500}
    year = budget_from_return(values, 2017)
    assert [(c.partner, c.drawn_down) for c in year.contributions] == [("Probation Service", False), ("Blaby", True)]
    assert [(c.kind, c.case, c.amount) for c in year.costs][-1] == ("case", "AB", 750)
    assert summarise(year).not_drawn_down == 1000


def test_budget_from_return_problems_point_at_return_keys():
    problems = budget_from_return({
        "opening_reserve": None, "contribution:charnwood": 2500, "received_in_advance:charnwood": -1,
        "received_in_advance:melton": 10, "drawn_down:charnwood": 2, "cost_bus_office": 1,
        "cost_chairs_authors": 0, "reviews_expected": 2, "cost_per_review": 8500}, 2016)
    by_field = {p.field: p.message for p in problems}
    assert set(by_field) == {"opening_reserve", "received_in_advance:charnwood", "received_in_advance:melton",
                             "drawn_down:charnwood", "cost_bus_office", "cost_business_office"}
    assert by_field["opening_reserve"] == "Opening reserve carried forward is missing. Enter 0 if there is none."
    assert by_field["received_in_advance:melton"].startswith("Received in an earlier year: Melton: there is no contribution line")
    assert "enter 1 if it is drawn down, 0 if not" in by_field["drawn_down:charnwood"]
    assert by_field["cost_business_office"].startswith("Business office support (fixed annual cost) is not in the return.")


def test_budget_from_return_maps_cross_line_problems_back_to_keys():
    problems = budget_from_return({
        "opening_reserve": 0, "contribution:charnwood": 2500, "received_in_advance:charnwood": 3000,
        "cost_business_office": 1, "cost_chairs_authors": 0, "reviews_expected": 2, "cost_per_review": 8500}, 2016)
    assert [p.field for p in problems] == ["received_in_advance:charnwood"]
    assert problems[0].message.startswith("Charnwood paid £3,000 in advance")


def test_budget_from_return_without_contributions():
    problems = budget_from_return({"opening_reserve": 0, "cost_business_office": 1, "cost_chairs_authors": 0,
                                   "reviews_expected": 2, "cost_per_review": 8500}, 2016)
    assert [p.field for p in problems] == ["contribution"]
