"""The master action plan through its forms: RAG, quarterly updates with evidence, and
impact reviews of completed actions."""
import html
import re
from datetime import date, timedelta

from sqlalchemy import select

from app.dhr.clocks import add_months
from app.extensions import db
from app.models import AuditEvent, DhrCase, PlanAction

TODAY = date.today()


def action_form(**changes) -> dict:
    data = {
        "case_id": "",
        "scope": "multi-agency",
        "lead_agency": "Domestic violence delivery group",
        "action": "Finalise a framework of pathways for domestic abuse support",
        "due_date": "",
        "status": "in progress",
        "completed_on": "",
        "impact_review_due": "",
    }
    data.update(changes)
    return data


def uk(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def add_action(client, **changes) -> PlanAction:
    response = client.post("/dhr/actions/new", data=action_form(**changes))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return db.session.scalar(select(PlanAction).order_by(PlanAction.id.desc()))


def rag_of(client, action: PlanAction) -> str:
    page = client.get("/dhr/actions").get_data(as_text=True)
    row = page.split(f'id="action-{action.id}"')[1].split("</tr>")[0]
    return re.search(r'govuk-tag--\w+">(\w+)</strong>', row).group(1)


def test_action_rag_follows_due_date_and_status(client, sign_in_as):
    sign_in_as("dhr_coordinator")
    overdue = add_action(client, due_date=uk(TODAY - timedelta(days=3)))
    soon = add_action(client, due_date=uk(TODAY + timedelta(days=10)))
    later = add_action(client, due_date=uk(TODAY + timedelta(days=90)))
    undated = add_action(client)
    not_implemented = add_action(client, status="not implemented", due_date=uk(TODAY + timedelta(days=90)))
    assert [rag_of(client, a) for a in (overdue, soon, later, undated, not_implemented)] == [
        "Red", "Amber", "Green", "Amber", "Amber"]
    page = html.unescape(client.get("/dhr/actions").get_data(as_text=True))
    assert "Overdue by 3 days" in page and "In progress with no due date: agree one with the lead agency" in page


def test_a_completed_action_gets_an_impact_review_date(client, sign_in_as):
    sign_in_as("dhr_coordinator")
    response = client.post("/dhr/actions/new", data=action_form(status="complete"))
    assert response.status_code == 400
    assert "Enter the date the action was completed" in response.get_data(as_text=True)
    completed = TODAY - timedelta(days=10)
    action = add_action(client, status="complete", completed_on=uk(completed))
    assert action.impact_review_due == add_months(completed, 6)
    assert rag_of(client, action) == "Green"
    page = html.unescape(client.get(f"/dhr/actions/{action.id}").get_data(as_text=True))
    assert f"Complete; impact review due {action.impact_review_due.day} {action.impact_review_due:%B %Y}" in page
    # A chosen date is kept; one before completion is refused.
    chosen = add_action(
        client, status="complete", completed_on=uk(completed), impact_review_due=uk(TODAY + timedelta(days=30))
    )
    assert chosen.impact_review_due == TODAY + timedelta(days=30)
    response = client.post("/dhr/actions/new", data=action_form(status="complete", completed_on=uk(completed),
                                                                impact_review_due=uk(completed - timedelta(days=1))))
    assert response.status_code == 400 and "is before the completion date" in response.get_data(as_text=True)


def test_a_completion_date_needs_status_complete(client, sign_in_as):
    sign_in_as("dhr_coordinator")
    response = client.post("/dhr/actions/new", data=action_form(completed_on=uk(TODAY)))
    assert response.status_code == 400
    assert "but its status is &#39;in progress&#39;" in response.get_data(as_text=True)
    assert db.session.scalar(select(PlanAction)) is None


def test_quarterly_updates_with_evidence(client, sign_in_as, people):
    sign_in_as("dhr_coordinator")
    case = DhrCase(pseudonym="Mary", status="published")
    db.session.add(case)
    db.session.commit()
    action = add_action(client, case_id=str(case.id), scope="single-agency", lead_agency="Police",
                        action="Confirm all actions are complete", status="outstanding")
    assert action.case.pseudonym == "Mary"
    url = f"/dhr/actions/{action.id}/updates"
    assert (
        client.post(
            url, data={"quarter": "Q1 2016/17", "text": "Two of three confirmed.", "evidence": "Email of 3 June"}
        ).status_code
        == 302
    )
    assert client.post(url, data={"quarter": "2015/16 Q4", "text": "Still to confirm."}).status_code == 302
    response = client.post(url, data={"quarter": "summer", "text": ""})
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "Enter the progress made" in page
    db.session.expire_all()
    assert [(u.quarter, u.text, u.evidence) for u in sorted(action.updates, key=lambda u: u.quarter)] == [
        ("2015/16 Q4", "Still to confirm.", None), ("2016/17 Q1", "Two of three confirmed.", "Email of 3 June")]
    response = client.post(url, data={"quarter": "summer", "text": "Some progress"})
    assert response.status_code == 400
    assert "Update 1: 'summer' is not a quarter. Write it like 2016/17 Q1." in html.unescape(
        response.get_data(as_text=True)
    )
    # The list shows the latest update; the review's case page lists the action.
    listing = html.unescape(client.get("/dhr/actions").get_data(as_text=True))
    assert "2016/17 Q1</strong>: Two of three confirmed." in listing
    assert "Confirm all actions are complete" in client.get(f"/dhr/cases/{case.id}").get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "dhr_action_update_added")).user_id == \
        people["users"]["dhr_coordinator"].id


def test_changing_an_action(client, sign_in_as):
    sign_in_as("dhr_coordinator")
    action = add_action(client, due_date=uk(TODAY - timedelta(days=3)))
    form = client.get(f"/dhr/actions/{action.id}/edit").get_data(as_text=True)
    assert f'value="{uk(TODAY - timedelta(days=3))}"' in form
    response = client.post(f"/dhr/actions/{action.id}/edit", data=action_form(
        status="complete", completed_on=uk(TODAY), due_date=uk(TODAY - timedelta(days=3))))
    assert response.status_code == 302
    db.session.expire_all()
    assert action.status == "complete" and action.impact_review_due == add_months(TODAY, 6)


def test_a_lead_that_names_a_member_agency_links_to_it_and_stays_as_written(client, sign_in_as, people):
    sign_in_as("dhr_coordinator")
    named = add_action(client, lead_agency="Leicestershire Police")
    group = add_action(client, lead_agency="Domestic violence delivery group")
    assert (named.lead_agency, named.agency.slug) == ("Leicestershire Police", "police")
    assert (group.lead_agency, group.agency) == ("Domestic violence delivery group", None)
