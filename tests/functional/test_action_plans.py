"""Partnership action plans through the pages a manager and a lead agency's officer use:
a plan, an objective and actions made with the forms; two quarterly updates (the web form,
then the update return uploaded on the returns upload page); both found in the action's
history, on the plan's page and on the Action Plan sheet of the consolidated workbook,
with its RAG conditional formats."""
import html
import io
import re
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from app.extensions import db
from app.indicators.table import kept_records
from app.models import ActionPlan, Agency, AuditEvent, Indicator, IndicatorResult, Period, PlanAction, PlanActionUpdate
from app.services.dhr import action_rag_of
from app.services.settings import today
from app.vocabulary import RAG_NAMES
from tests.conftest import DEMO_ADMIN, DEMO_LWA_OFFICER, DEMO_MANAGER, DEMO_POLICE_OFFICER, signed_in

POLICE = "leicestershire-police"
WORKBOOK = "/dashboard/2015-16/download?version=full"


def latest_rated_indicator() -> tuple[Indicator, str, str]:
    """An indicator with a kept headline rating, its latest rating and that period's label
    (worked out here from the kept rows, independently of the service): the latest period
    ending, and of two ending on the same day the longer."""
    rows = db.session.execute(
        select(IndicatorResult.indicator_id, IndicatorResult.data, Period.label, Period.end_date, Period.start_date)
        .join(Period, Period.id == IndicatorResult.period_id).where(IndicatorResult.headline.is_(True))).all()
    latest: dict[int, tuple] = {}
    for indicator_id, data, label, end, start in rows:
        when = (end, -start.toordinal())
        if indicator_id not in latest or when > latest[indicator_id][2]:
            latest[indicator_id] = (kept_records([data])[0].get("rag"), label, when)
    indicator_id, (rag, label, _) = next((i, v) for i, v in sorted(latest.items()) if v[0] == "R")
    return db.session.get(Indicator, indicator_id), rag, label


def post(client, url, data, expect=302):
    response = client.post(url, data=data)
    assert response.status_code == expect, re.findall(r"govuk-error-summary__list.*?</ul>",
                                                      html.unescape(response.get_data(as_text=True)), re.S)
    return response


def page_text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


@pytest.fixture
def plan_with_actions(demo, client):
    """Made through the forms, as a manager: a plan, an objective, an action the police
    lead (linked to an indicator rated red) and one amber action with no lead, past its
    timescale."""
    signed_in(client, DEMO_MANAGER)
    post(client, "/plans/new", {"strategy": "Domestic Abuse Strategy 2015-18", "theme": "Reducing serious harm"})
    plan = db.session.scalar(select(ActionPlan).where(ActionPlan.theme == "Reducing serious harm"))
    post(client, f"/plans/{plan.id}/objectives/new", {
        "title": "Accurate data informs action locally", "outcome": "Decisions use local prevalence data"})
    objective = plan.objectives[0]
    police = db.session.scalar(select(Agency).where(Agency.slug == POLICE))
    indicator, rag, label = latest_rated_indicator()
    post(client, f"/plans/{plan.id}/actions/new", {
        "objective_id": objective.id, "action": "Agree data fields on the prevalence of domestic abuse",
        "lead_agency": "Data Task Group", "lead_agency_id": police.id, "timescale": "ongoing",
        "tasks": "- Agree the fields\n- First quarterly extract", "rag": "A", "status": "in progress",
        "tier": "Problem Solving", "indicator_ids": [indicator.id]})
    post(client, f"/plans/{plan.id}/actions/new", {
        "objective_id": objective.id, "action": "Map service needs for BME and LGBT groups", "lead_agency": "",
        "lead_agency_id": "", "timescale": "December 2015", "tasks": "", "rag": "A", "status": "in progress",
        "tier": "Prevention"})
    led, unled = sorted(plan.actions, key=lambda a: a.id)
    return {"plan": plan, "led": led, "unled": unled, "indicator": indicator, "rag": rag, "label": label}


def test_plan_objectives_and_actions_made_with_the_forms(plan_with_actions):
    led, unled = plan_with_actions["led"], plan_with_actions["unled"]
    assert (led.objective.number, led.objective.outcome) == (1, "Decisions use local prevalence data")
    assert (led.lead_agency, led.agency.slug, led.ongoing, led.due_date, led.rag, led.tier) == (
        "Data Task Group", POLICE, True, None, "A", "Problem Solving")
    assert [i.name for i in led.indicators] == [plan_with_actions["indicator"].name]
    assert (unled.lead_agency, unled.due_date, unled.ongoing) == ("", date(2015, 12, 31), False)


def test_the_plan_page_shows_flags_and_the_linked_indicators_latest_rag(plan_with_actions, client):
    plan, led, unled = plan_with_actions["plan"], plan_with_actions["led"], plan_with_actions["unled"]
    page = page_text(client, f"/plans/{plan.id}")
    row = lambda action: page.split(f'id="action-{action.id}"')[1].split("</tr>")[0]  # noqa: E731
    overdue_days = (today() - date(2015, 12, 31)).days
    assert "Overdue" in row(unled) and "Amber with no lead" in row(unled) and "Amber with no milestone" in row(unled)
    assert "Overdue" not in row(led) and "Amber with no" not in row(led)  # ongoing, led, with milestones
    indicator = plan_with_actions["indicator"]
    assert re.search(re.escape(indicator.name) + r': <strong class="govuk-tag govuk-tag--red">Red</strong>'
                     + r' <span[^>]*>\(' + re.escape(plan_with_actions["label"]) + r"\)", row(led))
    action_page = page_text(client, f"/plans/actions/{unled.id}")
    assert f"Overdue by {overdue_days} days: its timescale was 31 December 2015 and it is not complete" in action_page
    assert "Amber with no lead: name who leads this action." in action_page


def test_two_quarterly_updates_web_and_return_in_history_page_and_workbook(plan_with_actions, client):
    plan, led = plan_with_actions["plan"], plan_with_actions["led"]
    # Quarter 1, on the web form, by the lead agency's officer.
    signed_in(client, DEMO_POLICE_OFFICER)
    post(client, f"/plans/actions/{led.id}/updates", {
        "quarter": "Q1 2016/17", "rag": "G", "status": "in progress", "text": "Fields agreed with the Data Task Group",
        "evidence": "Minutes of 4 May"})
    # Quarter 2, by the update return: downloaded, filled in, uploaded on the upload page.
    response = client.get(f"/plans/{plan.id}/update-return.xlsx?agency={POLICE}&quarter=2016/17 Q2")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    ws = book["Action plan update"]
    assert [c.value for c in ws[6]][:7] == [
        led.id, "1. Accurate data informs action locally", "Agree data fields on the prevalence of domestic abuse",
        "Ongoing", "Green", "In progress", "2016/17 Q1: Fields agreed with the Data Task Group"]
    assert ws.max_row == 6  # the police lead one action of the two
    ws["H6"], ws["I6"], ws["J6"] = "Amber", "In progress", "First extract late: system change"
    filled = io.BytesIO()
    book.save(filled)
    response = client.post("/returns/upload", data={"file": (io.BytesIO(filled.getvalue()), "update.xlsx"),
                                                     "agency": POLICE}, content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/plans/{plan.id}"), \
        html.unescape(response.get_data(as_text=True))[:3000]
    assert "1 action plan update for 2016/17 Q2 recorded for Leicestershire Police" in page_text(
        client, f"/plans/{plan.id}")

    db.session.expire_all()
    updates = db.session.scalars(select(PlanActionUpdate).where(PlanActionUpdate.action_id == led.id)
                                 .order_by(PlanActionUpdate.quarter)).all()
    assert [(u.quarter, u.rag, u.status, u.source, u.text) for u in updates] == [
        ("2016/17 Q1", "G", "in progress", "web", "Fields agreed with the Data Task Group"),
        ("2016/17 Q2", "A", "in progress", "return", "First extract late: system change")]
    assert db.session.get(PlanAction, led.id).rag == "A"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "plan_update_return_recorded")) is not None

    history = page_text(client, f"/plans/actions/{led.id}").split('id="history"')[1].split("</table>")[0]
    assert re.search(r"2016/17 Q2.*Amber.*In progress.*First extract late: system change.*Update return.*"
                     r"2016/17 Q1.*Green.*In progress.*Fields agreed with the Data Task Group.*Web form", history)
    plan_page = page_text(client, f"/plans/{plan.id}")
    led_row = re.sub(r"<[^>]+>", "", plan_page.split(f'id="action-{led.id}"')[1].split("</tr>")[0])
    assert "2016/17 Q2: First extract late: system change" in led_row

    # The consolidated workbook's Action Plan sheet.
    signed_in(client, DEMO_MANAGER)
    response = client.get(WORKBOOK)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    ws = book["Action Plan"]
    headers = [c.value for c in ws[3]]
    assert headers == ["Plan", "Objective", "Action", "Lead(s)", "Timescale", "RAG", "Flags", "Latest update", "Tier",
                       "Linked indicators' RAG"]
    rows = {r[2]: r for r in ws.iter_rows(min_row=4, values_only=True) if r[2]}
    led_row = rows["Agree data fields on the prevalence of domestic abuse"]
    indicator = plan_with_actions["indicator"]
    assert led_row == ("Domestic Abuse Strategy 2015-18: Reducing serious harm",
                       "1. Accurate data informs action locally",
                       "Agree data fields on the prevalence of domestic abuse", "Data Task Group", "Ongoing", "A", None,
                       "2016/17 Q2: First extract late: system change", "Problem Solving",
                       f"{indicator.name}: Red ({plan_with_actions['label']})")
    unled_row = rows["Map service needs for BME and LGBT groups"]
    assert (unled_row[4], unled_row[5], unled_row[6]) == (
        "31 December 2015", "A", "Overdue\nAmber with no lead\nAmber with no milestone")
    # RAG letters coloured by conditional formats over the RAG column (and the summary's headings).
    rules = {(str(rng.sqref), rule.formula[0], rule.dxf.fill.bgColor.rgb if rule.dxf.fill else None)
             for rng in ws.conditional_formatting for rule in rng.rules}
    values = [r for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(values) if r[0] == "Actions by RAG and tier")  # 0-based; a blank row above
    rag_column = f"B{start + 2}:D{start + 2} F4:F{start - 1}"
    assert {formula for sqref, formula, _ in rules if sqref == rag_column} == {'"R"', '"A"', '"G"'}
    assert len({fill for sqref, _, fill in rules if sqref == rag_column}) == 3
    # The summary: actions by RAG and tier (the demo's Kirklees plan is on the sheet too).
    assert values[start + 1][:6] == ("Tier", "R", "A", "G", "Not rated", "Total")
    summary = {r[0]: r[1:6] for r in values[start + 2:start + 7]}
    all_actions = db.session.scalars(select(PlanAction).join(ActionPlan).where(ActionPlan.kind == "partnership")).all()
    for tier, counts in summary.items():
        mine = [a for a in all_actions if tier == "Total" or a.tier == tier]
        assert counts == tuple(sum(1 for a in mine if (a.rag or "") == rag) for rag in ("R", "A", "G", "")) + (
            len(mine),), tier
    assert summary["Problem Solving"] == (0, 3, 0, 0, 3)  # Kirklees's two amber problem-solving actions and ours
    assert summary["Total"][4] == 7


def test_an_update_return_with_a_wrong_row_is_refused_with_its_cell(plan_with_actions, client):
    plan, led = plan_with_actions["plan"], plan_with_actions["led"]
    signed_in(client, DEMO_POLICE_OFFICER)
    response = client.get(f"/plans/{plan.id}/update-return.xlsx?agency={POLICE}&quarter=2016/17 Q2")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    ws = book["Action plan update"]
    ws["H6"], ws["J6"] = "Purple", "Done"
    ws["A7"], ws["J7"] = 99999, "Someone else's action"
    filled = io.BytesIO()
    book.save(filled)
    response = client.post("/returns/upload", data={"file": (io.BytesIO(filled.getvalue()), "update.xlsx"),
                                                     "agency": POLICE}, content_type="multipart/form-data")
    assert response.status_code == 400
    text = html.unescape(response.get_data(as_text=True))
    assert "Action plan update!H6: Row 6: 'Purple' is not a RAG status. Choose Red, Amber or Green." in text
    assert "Action plan update!A7: Row 7: '99999' is not the reference of one of this agency's actions" in text
    assert db.session.scalar(select(PlanActionUpdate).where(PlanActionUpdate.action_id == led.id)) is None


def test_only_the_lead_agency_and_managers_update_an_action(plan_with_actions, client):
    plan, led = plan_with_actions["plan"], plan_with_actions["led"]
    signed_in(client, DEMO_LWA_OFFICER)
    assert client.post(f"/plans/actions/{led.id}/updates", data={
        "quarter": "2016/17 Q1", "text": "Not ours", "rag": "", "status": ""}).status_code == 403
    assert client.get(f"/plans/{plan.id}/update-return.xlsx?agency={POLICE}").status_code == 403
    assert client.post(f"/plans/{plan.id}/actions/new", data={"action": "x", "status": "in progress"}).status_code \
        == 403
    signed_in(client, DEMO_ADMIN)
    post(client, f"/plans/actions/{led.id}/updates", {"quarter": "2016/17 Q1", "text": "Checked by the admin",
                                                       "rag": "", "status": ""})


def test_the_dhr_plan_stays_restricted(demo, client):
    dhr = db.session.scalar(select(ActionPlan).where(ActionPlan.kind == "dhr"))
    signed_in(client, DEMO_MANAGER)
    assert client.get(f"/plans/{dhr.id}").status_code == 404
    assert "Master action plan" not in page_text(client, "/plans/")
    assert client.get(f"/plans/actions/{dhr.actions[0].id}").status_code == 404
    signed_in(client, DEMO_ADMIN)
    page = page_text(client, f"/plans/{dhr.id}")
    assert "DHR master action plan" in page and "Restricted" in page
    # Its actions, with the RAG the DHR rule gives, link to the DHR pages that hold their review and scope.
    for action in dhr.actions:
        rag = action_rag_of(action)[0]
        row = page.split(f'id="action-{action.id}"')[1].split("</tr>")[0]
        assert f'href="/dhr/actions/{action.id}"' in row and f">{RAG_NAMES[rag]}</strong>" in row
    assert client.get(f"/plans/actions/{dhr.actions[0].id}").headers["Location"].endswith(
        f"/dhr/actions/{dhr.actions[0].id}")
