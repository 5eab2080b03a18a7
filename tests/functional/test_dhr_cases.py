"""The DHR case register through its forms: statutory clocks, date checks next to the
fields, panel meetings."""
import html
import re
from datetime import date, timedelta

from sqlalchemy import func, select

from app.dhr.clocks import ClockRule, add_months
from app.extensions import db
from app.models import AuditEvent, DhrCase

TODAY = date.today()


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).strftime("%d/%m/%Y")


def case_form(**dates) -> dict:
    data = {"pseudonym": "Mary", "review_type": "dhr", "status": "in_progress", "area_id": ""}
    data.update(dates)
    return data


def field_error(page: str, field: str) -> str | None:
    """The GOV.UK error message shown next to a field."""
    match = re.search(rf'<p id="{field}-error" class="govuk-error-message">\s*(.*?)\s*</p>', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else None


def clock_state(page: str, clock: str) -> str:
    row = page.split(f'id="clock-{clock}"', 1)[1].split("</tr>", 1)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())


def add_case(client, **dates) -> DhrCase:
    response = client.post("/dhr/cases/new", data=case_form(**dates))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return db.session.scalar(select(DhrCase).order_by(DhrCase.id.desc()))


def test_a_decision_40_days_after_notification_is_red(client, sign_in_as):
    sign_in_as("dhr_coordinator")
    case = add_case(client, incident=ago(110), notification=ago(100), decision=ago(60))
    page = client.get(f"/dhr/cases/{case.id}").get_data(as_text=True)
    state = clock_state(page, "decision")
    late_by = 40 - (add_months(TODAY - timedelta(days=100), 1) - (TODAY - timedelta(days=100))).days
    assert f"Red Late: decided {late_by} days after the deadline" in state
    listing = client.get("/dhr/cases").get_data(as_text=True)
    row = listing.split(f'id="case-{case.id}"')[1].split("</tr>")[0]
    assert '<strong class="govuk-tag govuk-tag--red">Red</strong> Late: decided' in row


def test_a_review_five_months_after_its_decision_shows_days_left_by_the_rule(client, sign_in_as, app):
    sign_in_as("dhr_coordinator")
    decision = add_months(TODAY, -5)
    case = add_case(client, incident=(decision - timedelta(days=20)).strftime("%d/%m/%Y"),
                    notification=(decision - timedelta(days=10)).strftime("%d/%m/%Y"),
                    decision=decision.strftime("%d/%m/%Y"))
    left = (add_months(decision, 6) - TODAY).days
    assert 28 <= left <= 31
    expected = "Amber" if left <= ClockRule().amber_days else "Green"
    state = clock_state(client.get(f"/dhr/cases/{case.id}").get_data(as_text=True), "review")
    assert f"{expected} {left} days left" in state
    # The rule is configurable: a wider amber band makes the same case amber.
    app.config["DHR_AMBER_DAYS"] = 45
    state = clock_state(client.get(f"/dhr/cases/{case.id}").get_data(as_text=True), "review")
    assert f"Amber {left} days left" in state
    app.config["DHR_AMBER_DAYS"] = 10
    assert f"Green {left} days left" in clock_state(
        client.get(f"/dhr/cases/{case.id}").get_data(as_text=True), "review"
    )


def test_dates_out_of_order_are_refused_next_to_the_field_and_nothing_is_saved(client, sign_in_as):
    sign_in_as("dhr_coordinator")
    response = client.post("/dhr/cases/new", data=case_form(incident=ago(30), decision=ago(40)))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    incident, decision = TODAY - timedelta(days=30), TODAY - timedelta(days=40)
    assert field_error(page, "decision") == (
        f"Error: The decision date ({decision.day} {decision:%B %Y}) is before the incident date "
        f"({incident.day} {incident:%B %Y}). Check both dates and correct the wrong one.")
    assert 'href="#decision"' in page  # the error summary links to the field
    assert db.session.scalar(select(func.count()).select_from(DhrCase)) == 0


def test_unreadable_and_future_dates(client, sign_in_as):
    sign_in_as("dhr_coordinator")
    response = client.post("/dhr/cases/new", data=case_form(incident="31/02/2016", notification="tomorrow",
                                                            decision=(TODAY + timedelta(days=3)).strftime("%d/%m/%Y")))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert (
        field_error(page, "incident")
        == "Error: Enter the incident date as a date, for example 31/03/2016 (not '31/02/2016')"
    )
    assert field_error(page, "notification").startswith("Error: Enter the notification date as a date")
    assert "is in the future" in field_error(page, "decision")
    assert 'value="31/02/2016"' in page  # what was typed is kept for correcting
    assert db.session.scalar(select(func.count()).select_from(DhrCase)) == 0


def test_dates_as_council_staff_write_them(client, sign_in_as):
    sign_in_as("dhr_coordinator")
    case = add_case(client, incident="1 March 2016", notification="4/3/16", decision="2016-03-20",
                    home_office_told="21 Mar 2016")
    assert (case.incident_date, case.notification_date, case.decision_date, case.home_office_told_date) == (
        date(2016, 3, 1), date(2016, 3, 4), date(2016, 3, 20), date(2016, 3, 21))
    form = client.get(f"/dhr/cases/{case.id}/edit").get_data(as_text=True)
    assert 'value="04/03/2016"' in form


def test_every_field_of_a_case_is_saved_and_shown(client, sign_in_as, people):
    sign_in_as("dhr_coordinator")
    data = case_form(pseudonym="FN", review_type="joint_dhr_scr", status="published", area_id=str(people["county"].id),
                     incident="10/05/2014", notification="20/05/2014", decision="29/06/2014",
                     home_office_told="04/07/2014", chair_appointed="19/07/2014", author_appointed="29/07/2014",
                     report_sent="26/11/2014", qa_outcome_date="14/02/2015", qa_outcome="Approved",
                     publication="05/04/2015", chair="Independent chair (county council)", chair_cost="0",
                     author="Independent author", author_cost="£6,250.50", delay_reason="Criminal trial",
                     notes="Joint review with the safeguarding board")
    response = client.post("/dhr/cases/new", data=data)
    assert response.status_code == 302
    case = db.session.scalar(select(DhrCase))
    assert (case.review_type, case.status, case.area.code) == ("joint_dhr_scr", "published", "LC")
    assert case.publication_date == date(2015, 4, 5) and case.author_cost == 6250.5 and case.chair_cost == 0
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    for text in ("Joint domestic homicide review and serious case review", "Published", "14 February 2015: Approved",
                 "Independent author (£6,250.50)", "Criminal trial", "Met: report sent in 150 days"):
        assert text in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "dhr_case_created"))
    assert event.user_id == people["users"]["dhr_coordinator"].id and event.detail == {"pseudonym": "FN"}


def test_a_pseudonym_is_used_once(client, sign_in_as):
    sign_in_as("dhr_coordinator")
    add_case(client)
    response = client.post("/dhr/cases/new", data=case_form(pseudonym="mary"))
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "pseudonym") == (
        "Error: A case called 'mary' is already in the register. Choose another pseudonym.")


def test_panel_meetings_are_added_checked_and_removed(client, sign_in_as):
    sign_in_as("dhr_coordinator")
    case = add_case(client, incident=ago(200), notification=ago(190), decision=ago(170))
    url = f"/dhr/cases/{case.id}/meetings"
    assert client.post(url, data={"meeting_date": ago(100)}).status_code == 302
    assert client.post(url, data={"meeting_date": ago(50)}).status_code == 302
    response = client.post(url, data={"meeting_date": ago(180)})
    assert response.status_code == 400
    assert "is before the decision date" in field_error(response.get_data(as_text=True), "meeting_date")
    response = client.post(url, data={"meeting_date": ago(50)})
    assert response.status_code == 400 and "is already recorded" in field_error(
        response.get_data(as_text=True), "meeting_date"
    )
    db.session.expire_all()
    assert [m.meeting_date for m in case.panel_meetings] == [TODAY - timedelta(days=100), TODAY - timedelta(days=50)]
    first = case.panel_meetings[0].id
    assert client.post(f"/dhr/cases/{case.id}/meetings/{first}/remove").status_code == 302
    db.session.expire_all()
    assert [m.meeting_date for m in case.panel_meetings] == [TODAY - timedelta(days=50)]
    # Moving the decision after a recorded meeting is refused, naming the meeting.
    response = client.post(
        f"/dhr/cases/{case.id}/edit", data=case_form(incident=ago(200), notification=ago(190), decision=ago(40))
    )
    assert response.status_code == 400
    assert "The panel meeting 1 date" in html.unescape(response.get_data(as_text=True))


def test_changing_a_case(client, sign_in_as):
    sign_in_as("dhr_coordinator")
    case = add_case(client, incident=ago(300), notification=ago(290), decision=ago(250))
    assert "Red" in clock_state(client.get(f"/dhr/cases/{case.id}").get_data(as_text=True), "review")
    response = client.post(f"/dhr/cases/{case.id}/edit", data=case_form(
        incident=ago(300), notification=ago(290), decision=ago(250), report_sent=ago(100), status="with_home_office"))
    assert response.status_code == 302
    db.session.expire_all()
    assert case.status == "with_home_office" and case.report_sent_date == TODAY - timedelta(days=100)
    assert "Green Met: report sent in 150 days" in clock_state(
        client.get(f"/dhr/cases/{case.id}").get_data(as_text=True), "review"
    )
