"""``flask demo load`` adds the DHR demo: pseudonymised cases exercising every clock state,
the 2016/17 Leicestershire budget and the seven actions outstanding in March 2016."""
from datetime import date, timedelta

from sqlalchemy import func, select

from app.demo.dhr import load_demo_dhr
from app.dhr.budget import summarise
from app.extensions import db
from app.models import DhrBudgetYear, DhrCase, DhrPanelMeeting
from app.services.dhr import list_actions
from app.services.dhr import budget_of, case_clocks
from tests.conftest import DEMO_DHR, DEMO_MANAGER, signed_in


def load(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output


def counts() -> dict[str, int]:
    found = {model.__name__: db.session.scalar(select(func.count()).select_from(model))
             for model in (DhrCase, DhrPanelMeeting, DhrBudgetYear)}
    found["DHR actions"] = len(list_actions())
    return found


def test_demo_cases_exercise_every_clock_state(demo):
    cases = {c.pseudonym: c for c in db.session.scalars(select(DhrCase))}
    assert sorted(cases) == ["AB", "CD", "EF", "FN", "GH", "JK", "LM", "Mary", "NP"]
    assert {c.area.code for c in cases.values()} <= {"B", "C", "H", "HB", "M", "NW", "O", "RUT"}
    assert cases["Mary"].area.code == "C" and cases["EF"].delay_reason == "Criminal trial"
    states = {(clock.name, clock.status, clock.rag) for case in cases.values() for clock in case_clocks(case)}
    assert {status for _, status, _ in states} == {
        "met",
        "completed late",
        "running",
        "overdue",
        "not started",
        "not applicable",
    }
    assert ("Review", "running", "A") in states and ("Review", "running", "G") in states
    assert ("Decision", "running", "A") in states and ("Decision", "overdue", "R") in states


def test_demo_budget_and_actions(demo):
    summary = summarise(budget_of(db.session.scalar(select(DhrBudgetYear))))
    assert (summary.contributions_due, summary.received_in_year, summary.total_costs, summary.closing_reserve,
            summary.forecast_cost) == (66000, 63500, 67589, 21411, 63339)
    actions = list_actions()
    assert len(actions) == 7
    assert [a.case.pseudonym for a in actions if a.case] == ["Mary", "FN"]
    swanswell = next(a for a in actions if a.lead_agency == "Swanswell")
    assert (swanswell.status, swanswell.completed_on, swanswell.impact_review_due) == (
        "complete",
        date(2016, 3, 31),
        date(2016, 9, 30),
    )
    assert all(a.updates and a.updates[0].quarter == "2015/16 Q4" for a in actions)


def test_loading_again_on_a_later_day_changes_nothing(runner):
    load(runner)
    before = counts()
    dates = {c.pseudonym: (c.incident_date, c.updated_at) for c in db.session.scalars(select(DhrCase))}
    load(runner)
    load_demo_dhr(areas={}, on=date.today() + timedelta(days=40))
    db.session.commit()
    db.session.expire_all()
    assert counts() == before == {"DhrCase": 9, "DhrPanelMeeting": 9, "DhrBudgetYear": 1, "DHR actions": 7}
    assert {c.pseudonym: (c.incident_date, c.updated_at) for c in db.session.scalars(select(DhrCase))} == dates


def test_the_demo_dhr_coordinator_sees_the_register(demo, client):
    signed_in(client, DEMO_DHR)
    page = client.get("/dhr/cases").get_data(as_text=True)
    assert "Mary" in page and "Charnwood" in page and "govuk-tag--orange" in page
    signed_in(client, DEMO_MANAGER)
    assert client.get("/dhr/cases").status_code == 403
