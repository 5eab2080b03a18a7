"""Nothing is destroyed by one click (issue 17): every route that removes, deletes, retires,
waives, revokes, unlocks or withdraws shows on GET a page saying in plain words what will go,
acts only on a POST of that page's form (CSRF-checked), and is recorded in the audit log.
The walk over the URL map fails for a new destructive POST route without such a page."""
from datetime import date, datetime

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import (
    AuditEvent, DhrBudgetYear, DhrPanelMeeting, PeerValue, PeriodSignOff, RagSetting, ReturnDue, User,
)
from app.store.reference import period_row
from app.web.confirm import DESTRUCTIVE_WORDS
from tests.conftest import PASSWORD, assert_signed_in, csrf_token_from, make_config, sign_in
from tests.functional.test_access import ids  # noqa: F401  (the fixture: one of everything)


def destructive_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if any(word in rule.endpoint or word in rule.rule for word in DESTRUCTIVE_WORDS)]


def _peer(known):
    peer = PeerValue(indicator_id=known["indicator"], period=period_row("2015/16"), label="Nottinghamshire", value=12)
    db.session.add(peer)
    db.session.commit()
    peer_id = peer.id
    return f"/performance/peers/{peer_id}/remove", ["Total crime rate", "Nottinghamshire", "2015/16", "12"], \
        "peer_value_removed", lambda: db.session.get(PeerValue, peer_id) is None


def _rating(known):
    admin = db.session.scalar(select(User).where(User.role == "admin"))
    from app.services.ratings import set_rating
    set_rating("2015-16", known["indicator"], "LC", "override", "A", "Reporting paused", admin)
    return (f"/performance/2015-16/indicators/{known['indicator']}/rating/withdraw?area=LC",
            ["Total crime rate", "Leicestershire", "Amber", "Reporting paused"], "rag_override_withdrawn",
            lambda: db.session.scalar(select(RagSetting).where(RagSetting.is_current.is_(True))) is None)


def _meeting(known):
    return (f"/dhr/cases/{known['dhr_case']}/meetings/{known['dhr_meeting']}/remove", ["AB", "5 January 2016"],
            "dhr_panel_meeting_removed", lambda: db.session.get(DhrPanelMeeting, known["dhr_meeting"]) is None)


def _cost(known):
    return (f"/dhr/budget/2016/costs/{known['dhr_cost']}/remove", ["2016/17", "Chairs and authors", "£8,500"],
            "dhr_budget_line_removed", lambda: db.session.scalar(select(DhrBudgetYear)).costs == [])


def _revoke(known):
    manager = db.session.get(User, known["user"])
    manager.dhr_access = True
    db.session.commit()
    return (f"/dhr/access/{manager.id}/revoke", [manager.name, "Manager"], "dhr_access_revoked",
            lambda: db.session.get(User, manager.id).dhr_access is False)


def _template_row(known):
    from app.services.return_templates import working_definition
    from tests.factories import make_indicator
    defn = working_definition("table-2-da-sv-outcomes")
    for row in (row for sheet in defn.sheets for row in sheet.rows if row.indicator):
        make_indicator(row.label[:200], slug=row.indicator)  # the indicators its rows name
    db.session.commit()
    first = defn.sheets[0].rows[0].label
    return ("/templates/table-2-da-sv-outcomes/remove/rows/0/0", [first, "draft"], "template_edited",
            lambda: working_definition("table-2-da-sv-outcomes").sheets[0].rows[0].label != first)


def _target(known):
    return (f"/targets/{known['target']}/retire", ["Total crime rate", "Leicestershire", "2015/16"], "target_retired",
            lambda: db.session.scalar(select(AuditEvent).where(AuditEvent.action == "target_retired")) is not None)


def _waive(known):
    from app.models import ReturnTemplate
    due = ReturnDue(template=db.session.scalar(select(ReturnTemplate)), agency_id=known["police"],
                    period=period_row("2015/16 Q4"), due_date=date(2016, 4, 28))
    db.session.add(due)
    db.session.commit()
    return (f"/performance/expected/{due.id}/waive", ["Leicestershire Police", "2015/16 Q4", "28 April 2016"],
            "return_waived", lambda: db.session.get(ReturnDue, due.id).waived_reason == "Not needed this year")


def _unlock(known):
    db.session.add(PeriodSignOff(period=period_row("2015/16")))
    db.session.commit()
    return ("/performance/2015-16/unlock", ["2015/16 was signed off"], "period_unlocked",
            lambda: db.session.scalar(select(PeriodSignOff)).locked is False)


def _api_token(known):
    from datetime import timedelta

    from app.models import ApiToken
    from app.services.api_tokens import issue_token
    admin = db.session.scalar(select(User).where(User.role == "admin"))
    token, _ = issue_token({"name": "Police records system", "role": "officer", "agency_id": known["police"],
                            "expires_on": date.today() + timedelta(days=30)}, admin)
    token_id = token.id
    return (f"/admin/api-tokens/{token_id}/revoke", ["Police records system", "Leicestershire Police"],
            "api_token_revoked", lambda: db.session.get(ApiToken, token_id).revoked_at is not None)


def _second_factor(known):
    """A second administrator who set up two-factor sign-in (the signed-in admin resets it)."""
    from tests.factories import make_user
    other = make_user("admin", email="second.admin@example.org", name="Second Admin", totp_secret="JBSWY3DPEHPK3PXP",
                      two_factor_since=datetime(2016, 3, 1, 9, 0))
    db.session.commit()
    other_id = other.id
    return (f"/admin/users/{other_id}/second-factor/remove", ["Second Admin", "second.admin@example.org",
                                                              "1 March 2016"], "two_factor_reset",
            lambda: db.session.get(User, other_id).totp_secret is None)


# endpoint: builder(ids) -> (url, words the page must show, audit action, "it went" test)
CASES = {
    "performance.remove_peer": _peer,
    "performance.withdraw": _rating,
    "dhr.meeting_remove": _meeting,
    "dhr.budget_line_remove": _cost,
    "dhr.access_revoke": _revoke,
    "return_templates.remove": _template_row,
    "targets.retire": _target,
    "performance.waive": _waive,
    "performance.unlock": _unlock,
    "admin.api_token_revoke": _api_token,
    "admin.user_second_factor_remove": _second_factor,
}
# Forms that ask for a reason as well as the confirmation.
REASONS = {"performance.waive": {"reason": "Not needed this year"}, "performance.unlock": {"reason": "Resubmitted"}}


def test_every_destructive_route_asks_first(app):
    """A destructive route is a GET (the confirmation page) and a POST (from that page)."""
    rules = destructive_rules(app)
    assert len(rules) >= 9
    one_click = [rule.rule for rule in rules if "POST" in rule.methods and "GET" not in rule.methods]
    assert one_click == [], "a destructive POST route needs a GET confirmation page (see app/web/confirm.py)"
    assert {rule.endpoint for rule in rules} == set(CASES), "add the new destructive route to CASES"


@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_the_confirmation_page_names_what_will_go_then_the_post_does_it(database_url, migrated, tmp_path, people,
                                                                         ids, endpoint):  # noqa: F811
    url, words, action, gone = CASES[endpoint](ids)
    app = create_app(make_config(database_url, tmp_path, WTF_CSRF_ENABLED=True))
    client = app.test_client()
    assert_signed_in(sign_in(client, "admin@example.org", PASSWORD,
                             csrf_token=csrf_token_from(client.get("/sign-in").data)))
    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for word in words:
        assert word in text, (endpoint, word)
    assert 'method="post"' in text
    data = REASONS.get(endpoint, {})
    # Without the page's token nothing happens.
    assert client.post(url, data=data).status_code == 400
    db.session.expire_all()
    assert not gone()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == action)) is None or endpoint == \
        "return_templates.remove"
    response = client.post(url, data={**data, "csrf_token": csrf_token_from(page.data)})
    assert response.status_code == 302
    db.session.expire_all()
    assert gone()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                               .order_by(AuditEvent.id.desc())).first()
    assert event is not None and event.user.email == "admin@example.org"
