"""Who sees DHR data: admins and DHR co-ordinators always; managers and officers only once
an admin grants access (audited); never in the export of anyone else."""
import io
import re
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import AuditEvent, DhrBudgetYear, DhrCase, DhrContribution, DhrCost, DhrPanelMeeting, PlanAction
from app.services.dhr import dhr_sheets_for
from app.store.plans import dhr_plan_row
from tests.conftest import PASSWORD, assert_signed_in, csrf_token_from, make_config, sign_in

ADMIN_ONLY = {"dhr.access", "dhr.access_change", "dhr.access_revoke"}


def dhr_records() -> dict[str, int]:
    """One of everything, so every DHR page has something to show (also test_access.py's ids)."""
    case = DhrCase(
        pseudonym="AB", status="in_progress", panel_meetings=[DhrPanelMeeting(meeting_date=date(2016, 1, 5))]
    )
    year = DhrBudgetYear(year_start=2016, contributions=[DhrContribution(partner="Police", due=16000)],
                         costs=[DhrCost(label="Chairs and authors", kind="chairs_authors", amount=8500)])
    action = PlanAction(plan=dhr_plan_row(), case=case, lead_agency="Police", action="Share the learning")
    db.session.add_all([case, year, action])
    db.session.commit()
    return {"case_id": case.id, "meeting_id": case.panel_meetings[0].id, "year_start": 2016, "kind": "costs",
            "item_id": year.costs[0].id, "contribution_id": year.contributions[0].id, "action_id": action.id}


def dhr_urls(app, values) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) of every DHR route, from the app's URL map."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("dhr."):
                url = app.url_for(rule.endpoint, **{k: values[k] for k in rule.arguments})
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    found.append((rule.endpoint, method, url))
    return found


def test_a_manager_without_a_grant_gets_403_on_every_dhr_route(app, client, sign_in_as, people):
    values = {**dhr_records(), "user_id": people["users"]["officer"].id}
    urls = dhr_urls(app, values)
    assert len({endpoint for endpoint, _, _ in urls}) >= 25
    sign_in_as("manager")
    refused = [
        (endpoint, method) for endpoint, method, url in urls if client.open(url, method=method).status_code == 403
    ]
    assert refused == [(endpoint, method) for endpoint, method, _ in urls]
    # Nothing was changed by the refused posts.
    assert db.session.scalar(select(DhrCase)).panel_meetings[0].meeting_date == date(2016, 1, 5)
    assert dhr_sheets_for(people["users"]["manager"], date(2016, 6, 8)) == []
    assert dhr_sheets_for(people["users"]["officer"], date(2016, 6, 8)) == []
    assert dhr_sheets_for(None) == []


def test_granted_access_opens_every_page_and_the_sheets(app, client, sign_in_as, people):
    values = {**dhr_records(), "user_id": people["users"]["officer"].id}
    manager = people["users"]["manager"]
    sign_in_as("admin")
    assert client.post(f"/dhr/access/{manager.id}", data={"grant": "yes"}).status_code == 302
    db.session.expire_all()
    assert manager.dhr_access is True
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "dhr_access_granted"))
    assert (event.user_id, event.object_type, event.object_id) == (people["users"]["admin"].id, "User", manager.id)

    sign_in_as("manager")
    for endpoint, method, url in dhr_urls(app, values):
        if method == "GET":
            expected = 403 if endpoint in ADMIN_ONLY else 200
            assert client.get(url).status_code == expected, endpoint
    assert len(dhr_sheets_for(manager, date(2016, 6, 8))) == 3
    assert 'href="/dhr/"' in client.get("/").get_data(as_text=True)  # the DHR navigation item

    sign_in_as("admin")
    # Revoking asks first, on a page that names who loses what; the POST from it revokes.
    confirm = client.get(f"/dhr/access/{manager.id}/revoke").get_data(as_text=True)
    assert "Revoke access to DHR data" in confirm and manager.name in confirm
    assert client.post(f"/dhr/access/{manager.id}/revoke").status_code == 302
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "dhr_access_revoked")).object_id == manager.id
    )
    sign_in_as("manager")
    assert client.get("/dhr/").status_code == 403
    assert 'href="/dhr/"' not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "role, sees", [("admin", True), ("dhr_coordinator", True), ("manager", False), ("officer", False)]
)
def test_navigation_shows_dhr_only_to_those_who_may_see_it(client, sign_in_as, role, sees):
    sign_in_as(role)
    assert ('href="/dhr/"' in client.get("/").get_data(as_text=True)) is sees


def test_the_access_page_lists_people_with_grant_and_revoke_buttons(client, sign_in_as, people):
    sign_in_as("admin")
    page = client.get("/dhr/access").get_data(as_text=True)
    manager_row = page.split(f'id="user-{people["users"]["manager"].id}"')[1].split("</tr>")[0]
    assert "Grant access" in manager_row and 'name="grant" value="yes"' in manager_row
    assert f'/dhr/access/{people["users"]["manager"].id}/revoke' not in manager_row  # nothing to revoke
    coordinator_row = page.split(f'id="user-{people["users"]["dhr_coordinator"].id}"')[1].split("</tr>")[0]
    assert "Yes (always)" in coordinator_row and "<form" not in coordinator_row
    # Granting to someone who always sees DHR data changes nothing, and says why.
    response = client.post(
        f"/dhr/access/{people['users']['dhr_coordinator'].id}/revoke", follow_redirects=True
    )
    assert "always sees DHR data: there is nothing to change" in response.get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("dhr_access%"))) is None


def test_the_dhr_coordinator_cannot_grant_access(client, sign_in_as, people):
    sign_in_as("dhr_coordinator")
    assert client.post(f"/dhr/access/{people['users']['manager'].id}", data={"grant": "yes"}).status_code == 403
    db.session.expire_all()
    assert people["users"]["manager"].dhr_access is False


def test_the_workbook_download_has_the_three_dhr_sheets(client, sign_in_as):
    dhr_records()
    sign_in_as("dhr_coordinator")
    response = client.get("/dhr/workbook.xlsx")
    assert response.status_code == 200
    assert re.match(r'attachment; filename="dhr-\d{4}-\d\d-\d\d\.xlsx"', response.headers["Content-Disposition"])
    assert openpyxl.load_workbook(io.BytesIO(response.data)).sheetnames == ["DHR Budget", "DHR Cases", "DHR Actions"]


def test_dhr_forms_and_buttons_carry_csrf_tokens(database_url, migrated, tmp_path, people):
    records = dhr_records()
    app = create_app(make_config(database_url, tmp_path, WTF_CSRF_ENABLED=True))
    client = app.test_client()
    token = csrf_token_from(client.get("/sign-in").data)
    assert_signed_in(sign_in(client, "dhr_coordinator@example.org", PASSWORD, csrf_token=token))
    case_url = f"/dhr/cases/{records['case_id']}"
    assert client.post(f"{case_url}/meetings", data={"meeting_date": "01/02/2016"}).status_code == 400
    page = client.get(case_url).data
    token = csrf_token_from(page)
    assert page.count(b'name="csrf_token"') == 2  # sign out, add a meeting
    # Removing the meeting is a link to its confirmation page, whose form carries the token.
    remove_url = f"{case_url}/meetings/{records['meeting_id']}/remove"
    assert f'href="{remove_url}"'.encode() in page
    assert client.post(remove_url).status_code == 400  # no token: refused, nothing removed
    assert client.post(remove_url, data={"csrf_token": csrf_token_from(client.get(remove_url).data)}).status_code \
        == 302
    assert (
        client.post(f"{case_url}/meetings", data={"meeting_date": "01/02/2016", "csrf_token": token}).status_code == 302
    )
    for url in ("/dhr/budget/2016", f"/dhr/actions/{records['action_id']}", "/dhr/cases/new"):
        assert b'name="csrf_token"' in client.get(url).data, url
