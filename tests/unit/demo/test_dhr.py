"""The demo's DHR data (app.demo.dhr): the cases reach every clock state, the seven seed
actions, and the 2016/17 Leicestershire budget, checked against the seed file."""
from datetime import date
from decimal import Decimal

import pytest

from app.demo.dhr import demo_actions, demo_cases, leicestershire_2016_17
from app.dhr.actions import action_rag, validate_action
from app.dhr.budget import summarise
from app.dhr.clocks import ClockRule, compute_clocks, validate_dates

RULE = ClockRule()
TODAY = date(2016, 6, 8)


def test_demo_cases_reach_every_clock_state_and_are_valid():
    today = date(2025, 3, 15)
    seen = set()
    for pseudonym, dates, review_type, area, notes in demo_cases(today):
        assert validate_dates(dates, today) == [], pseudonym
        assert review_type == dates.review_type
        assert area.startswith("E0") and notes
        for clock in compute_clocks(dates, RULE, today):
            seen.add((clock.status, clock.rag))
    assert seen >= {
        ("not started", None), ("running", "G"), ("running", "A"), ("overdue", "R"),
        ("met", "G"), ("completed late", "R"), ("not applicable", None)}


@pytest.mark.parametrize("today", [date(2016, 2, 29), date(2024, 12, 31), date(2025, 7, 1)])
def test_demo_cases_are_stable_across_dates(today):
    states = {(name, c.name): (c.status, c.rag)
              for name, dates, *_ in demo_cases(today) for c in compute_clocks(dates, RULE, today)}
    assert states[("Mary", "Decision")] == ("met", "G")
    assert states[("Mary", "Review")] == ("completed late", "R")
    assert states[("FN", "Decision")] == ("completed late", "R")
    assert states[("FN", "Review")] == ("met", "G")
    assert states[("AB", "Review")] == ("running", "G")
    assert states[("CD", "Review")] == ("running", "A")
    assert states[("EF", "Review")] == ("overdue", "R")
    assert states[("GH", "Decision")] == ("running", "A")
    assert states[("JK", "Decision")] == ("overdue", "R")
    assert states[("LM", "Decision")] == ("not started", None)
    assert states[("NP", "Review")] == ("not applicable", None)


def test_demo_cases_use_pseudonyms_only():
    names = [case[0] for case in demo_cases(TODAY)]
    assert names[:2] == ["Mary", "FN"]
    assert all(len(n) <= 4 for n in names) and len(set(names)) == len(names)
def test_demo_actions_are_the_seven_seed_actions():
    actions = demo_actions(TODAY)
    assert [a.id for a in actions] == [1, 2, 3, 4, 5, 6, 7]
    assert [a.review for a in actions] == ["Mary", "FN", None, None, None, None, None]
    assert [a.scope for a in actions].count("multi-agency") == 3
    assert [a.status for a in actions] == ["outstanding", "outstanding", "complete", "outstanding",
                                           "in progress", "in progress", "not implemented"]
    assert [a.due for a in actions] == [None, None, None, None, date(2016, 5, 31), date(2016, 12, 31), None]
    swanswell = actions[2]
    assert (swanswell.lead_agency, swanswell.completed_on, swanswell.impact_review_due) == (
        "Swanswell", date(2016, 3, 31), date(2016, 9, 30))
    assert all(a.updates and a.updates[0].quarter == "2015/16 Q4" for a in actions)
    assert all(validate_action(a, TODAY) == [] for a in actions)
    assert [action_rag(a, TODAY)[0] for a in actions] == ["A", "A", "G", "A", "R", "G", "A"]


def test_demo_actions_match_the_seed_file(seed):
    seed = seed["leicestershire_dhr_funding_2016_17"]["outstanding_actions_march_2016"]
    actions = demo_actions(TODAY)
    assert [(a.review, a.lead_agency, a.scope, a.action, a.status) for a in actions] == [
        (s["dhr"], s["agency"], s["type"], s["action"], s["status"]) for s in seed]


def test_demo_actions_refuse_a_today_before_the_report():
    with pytest.raises(ValueError):
        demo_actions(date(2016, 3, 1))


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


def test_leicestershire_figures_match_the_seed_file(seed):
    seed = seed["leicestershire_dhr_funding_2016_17"]
    year = leicestershire_2016_17()
    s = summarise(year)
    assert s.opening_reserve == seed["carried_forward_from_2015_16"]
    assert s.contributions_due == seed["annual_budget"] == sum(seed["contributions"].values())
    assert [c.partner for c in year.contributions[2:]] == seed["district_contributors"]
    assert s.costs_by_kind["fixed_support"] == seed["business_office_requested"]
    assert year.costs[1].amount == seed["business_office_shortfall"]
    assert year.cost_per_review == seed["cost_per_review_estimate"]
    assert year.reviews_expected == Decimal(str(seed["proposed_reviews_per_year"]))
