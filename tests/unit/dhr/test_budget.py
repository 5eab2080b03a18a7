from decimal import Decimal

import pytest

from app.demo.dhr import leicestershire_2016_17
from app.dhr.budget import (
    BudgetError,
    BudgetYear,
    Contribution,
    CostLine,
    RETURN_INDICATORS,
    ReturnFigure,
    fill_from_return,
    forecast,
    summarise,
    validate_budget,
)


def small_year(**changes) -> BudgetYear:
    values = dict(
        year_start=2017, opening_reserve=Decimal(1000),
        contributions=[Contribution("A council", 5000), Contribution("Police", 3000, received_in_advance=1000)],
        costs=[CostLine("Office", "fixed_support", 4000), CostLine("Chairs", "chairs_authors", 2000)],
        reviews_expected=Decimal(1), cost_per_review=Decimal(2000), fixed_support=Decimal(4000))
    values.update(changes)
    return BudgetYear(**values)


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
    year = small_year(
        costs=[CostLine("Office", "fixed_support", 4000), CostLine("Author fee", "case", "1,250.50", case="AB")]
    )
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
    assert (
        by_field["opening_reserve"]
        == "The opening reserve is missing. Enter the amount carried forward, or 0 if the pot was empty."
    )
    assert by_field["contributions[0].due"].startswith("The contribution due from Police is negative (-£5).")
    assert by_field["contributions[1].received_in_advance"].startswith(
        "Charnwood paid £3,000 in advance, more than the £2,500 due."
    )
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


def return_figures(values: dict, names: dict | None = None, area: str = "LC") -> list[ReturnFigure]:
    return [
        ReturnFigure(
            slug,
            (names or {}).get(slug, slug),
            area,
            value,
            "actual" if value is not None else "not_available",
            None if value is not None else "Awaiting the business office",
        )
        for slug, value in values.items()
    ]


LEICESTERSHIRE_RETURN = {
    RETURN_INDICATORS["opening_reserve"]: 25500, RETURN_INDICATORS["contributions_due"]: 66000,
    RETURN_INDICATORS["received_in_advance"]: 2500, RETURN_INDICATORS["business_office"]: 42089,
    RETURN_INDICATORS["chairs_authors"]: 25500, RETURN_INDICATORS["reviews_expected"]: 2.5,
    RETURN_INDICATORS["cost_per_review"]: 8500,
}


def test_fill_from_return_gives_the_leicestershire_figures_on_one_partner_line():
    filled = fill_from_return(return_figures(LEICESTERSHIRE_RETURN), 2016, None)
    assert filled.area == "LC" and not filled.contributions_kept and filled.cost_sources == [None, None]
    assert [(c.partner, c.due, c.received_in_advance) for c in filled.year.contributions] == [
        ("Partner contributions", 66000, 2500)]
    s = summarise(filled.year)
    assert (s.contributions_due, s.received_in_year, s.total_costs, s.closing_reserve, s.forecast_cost,
            s.surplus_or_shortfall) == (66000, 63500, 67589, 21411, 63339, 2661)
    assert filled.notes[0] == ("Contributions: the return gives totals only, so one line 'Partner contributions' "
                               "(£66,000 due, £2,500 received in advance).")


def test_fill_from_return_keeps_the_years_own_lines_that_add_up():
    own = leicestershire_2016_17()
    own.costs.append(CostLine("Actual cost of case AB", "case", 750, "AB"))
    filled = fill_from_return(return_figures(LEICESTERSHIRE_RETURN), 2016, own)
    assert filled.contributions_kept and filled.year.contributions == own.contributions
    assert filled.cost_sources == [0, 1, 2, 3] and filled.year.costs == own.costs


def test_fill_from_return_reads_per_partner_lines():
    per_partner = {"dhr-contribution-due-county": 46000, "dhr-contribution-due-charnwood": 20000,
                   "dhr-received-in-advance-charnwood": 2500}
    names = {"dhr-contribution-due-charnwood": "Contribution due: Districts and Rutland"}
    filled = fill_from_return(return_figures({**LEICESTERSHIRE_RETURN, **per_partner}, names), 2016, None)
    assert [(c.partner, c.due, c.received_in_advance) for c in filled.year.contributions] == [
        ("county", 46000, 0), ("Districts and Rutland", 20000, 2500)]


def test_fill_from_return_never_takes_a_missing_figure_as_zero():
    with pytest.raises(BudgetError, match="has no figure for 'dhr-business-office-costs' \\(marked 'not available': "
                                          "Awaiting the business office\\)"):
        fill_from_return(
            return_figures({**LEICESTERSHIRE_RETURN, RETURN_INDICATORS["business_office"]: None}), 2016, None
        )
    with pytest.raises(BudgetError, match="No DHR budget return for 2016/17 has been stored yet"):
        fill_from_return([], 2016, None)
