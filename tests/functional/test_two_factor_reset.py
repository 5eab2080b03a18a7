"""An administrator resets someone's second factor (they lost their phone and their recovery
codes): through a confirmation page on the person's user page, never their own, recorded in
the audit log; the person's sessions end and, if their role requires it, they set it up again
on their next sign-in."""
import html
import re

from flask import g
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, RecoveryCode
from tests.conftest import assert_signed_in, sign_in
from tests.functional.test_audit_page import log_of
from tests.functional.test_two_factor import CODE, SET_UP, code_at, password_step, set_up, user


def reset_url(email: str) -> str:
    return f"/admin/users/{user(email).id}/second-factor/remove"


def status(client, url: str, method: str = "GET") -> int:
    g.pop("_login_user", None)  # the test clients share one app context
    return client.open(url, method=method).status_code


def codes_kept(email: str) -> int:
    return db.session.scalar(select(func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user(email).id))


def test_an_admin_resets_a_dhr_coordinators_second_factor_through_the_confirmation_page(app, client, people, clock):
    dhr_email = "dhr_coordinator@example.org"
    phone = app.test_client()  # the DHR co-ordinator's own browser, signed in with two factors
    password_step(phone, dhr_email)
    recovery = set_up(phone, dhr_email, clock)
    assert len(recovery) == 10 and status(phone, "/") == 200
    old_secret, old_version = user(dhr_email).totp_secret, user(dhr_email).session_version
    assert codes_kept(dhr_email) == 10

    g.pop("_login_user", None)
    assert_signed_in(sign_in(client, "admin@example.org"))
    page = client.get(f"/admin/users/{user(dhr_email).id}").get_data(as_text=True)
    assert 'id="two-factor"' in page and "Reset second factor" in page and f'href="{reset_url(dhr_email)}"' in page

    confirm = client.get(reset_url(dhr_email))
    text = html.unescape(re.sub(r"<[^>]+>", " ", confirm.get_data(as_text=True)))
    assert confirm.status_code == 200 and 'method="post"' in confirm.get_data(as_text=True)
    assert "Dhr Coordinator" in text and dhr_email in text and "DHR co-ordinator" in text
    assert re.search(r"Recovery codes not yet used\s+10\b", text)
    assert "set up two-factor sign-in again, with a new QR code" in text
    assert user(dhr_email).totp_secret == old_secret  # the page itself changes nothing

    response = client.post(reset_url(dhr_email))
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/users/{user(dhr_email).id}"
    flashed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "second factor has been reset" in html.unescape(flashed)
    assert "Not set up yet: Dhr Coordinator will set it up when they next sign in." in html.unescape(flashed)

    reset = user(dhr_email)
    assert reset.totp_secret is None and reset.two_factor_since is None and reset.totp_last_step is None
    assert codes_kept(dhr_email) == 0 and reset.session_version == old_version + 1

    # The session they had is refused, as is the full two-step sign-in with an old recovery code...
    assert status(phone, "/") == 302
    assert password_step(phone, dhr_email).headers["Location"] == SET_UP
    g.pop("_login_user", None)
    refused = phone.post(CODE, data={"code": recovery[0]})  # an old recovery code: sent to set up, not signed in
    assert refused.status_code == 302 and refused.headers["Location"] == SET_UP
    assert status(phone, "/") == 302
    # ...and the next sign-in asks them to set up their app again, with a new secret.
    password_step(phone, dhr_email)
    assert len(set_up(phone, dhr_email, clock)) == 10
    assert user(dhr_email).totp_secret != old_secret and status(phone, "/") == 200

    g.pop("_login_user", None)
    log = log_of(client.get("/admin/audit?action=two_factor_reset"))
    assert "Reset someone's two-factor sign-in (they set it up again)" in log
    assert re.search(r"Admin Reset someone.s two-factor sign-in \(they set it up again\) Dhr Coordinator Email: "
                     r"dhr_coordinator@example.org; Set up on: \d+ \w+ \d{4}; Recovery codes unused: 10", log)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "two_factor_reset"))
    assert event.user_id == people["users"]["admin"].id and event.object_id == reset.id


def test_a_reset_ends_a_sign_in_half_way_through_its_second_step(app, client, people, clock):
    dhr_email = "dhr_coordinator@example.org"
    phone = app.test_client()
    password_step(phone, dhr_email)
    set_up(phone, dhr_email, clock)
    phone.post("/sign-out")
    assert password_step(phone, dhr_email).headers["Location"] == CODE  # password given, code still to come

    g.pop("_login_user", None)
    assert_signed_in(sign_in(client, "admin@example.org"))
    assert client.post(reset_url(dhr_email)).status_code == 302

    g.pop("_login_user", None)
    response = phone.get(CODE)
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"


def test_a_manager_who_chose_two_factor_signs_in_with_the_password_after_a_reset(client, people, clock):
    manager_email = "manager@example.org"
    password_step(client, manager_email)
    set_up(client, manager_email, clock)
    client.post("/sign-out")
    assert_signed_in(sign_in(client, "admin@example.org"))
    confirm = html.unescape(client.get(reset_url(manager_email)).get_data(as_text=True))
    assert "sign in with their password alone, and may set it up again" in confirm
    assert client.post(reset_url(manager_email)).status_code == 302
    client.post("/sign-out")
    assert password_step(client, manager_email).headers["Location"] == "/"  # optional for a manager


def test_an_admin_may_not_reset_their_own_second_factor(client, people, clock):
    assert_signed_in(sign_in(client, "admin@example.org"))
    own = user("admin@example.org")
    secret = own.totp_secret
    page = html.unescape(client.get(f"/admin/users/{own.id}").get_data(as_text=True))
    assert "Another administrator must reset your own second factor" in page
    assert "Reset second factor" not in page
    assert status(client, reset_url("admin@example.org")) == 403
    assert status(client, reset_url("admin@example.org"), "POST") == 403
    assert user("admin@example.org").totp_secret == secret and codes_kept("admin@example.org") == 10
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "two_factor_reset")) is None


def test_only_an_admin_may_reset_a_second_factor(client, people, clock):
    assert_signed_in(sign_in(client, "admin@example.org"))  # the admin sets up theirs
    secret = user("admin@example.org").totp_secret
    for key in ("manager", "officer", "dhr_coordinator"):
        client.post("/sign-out")
        assert_signed_in(sign_in(client, people["users"][key].email))
        assert status(client, reset_url("admin@example.org")) == 403, key
        assert status(client, reset_url("admin@example.org"), "POST") == 403, key
    assert user("admin@example.org").totp_secret == secret and codes_kept("admin@example.org") == 10
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "two_factor_reset")) is None


def test_someone_without_a_second_factor_has_nothing_to_reset(client, people, clock):
    assert_signed_in(sign_in(client, "admin@example.org"))
    page = html.unescape(client.get(f"/admin/users/{people['users']['officer'].id}").get_data(as_text=True))
    assert "Not set up: it is optional for their role." in page
    response = client.get(reset_url("officer@example.org"))
    assert response.status_code == 302
    shown = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Officer has not set up two-factor sign-in, so there is nothing to reset." in shown
    assert client.post(reset_url("officer@example.org")).status_code == 302
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "two_factor_reset")) is None


# ---- a person's own recovery codes: how many are left, and a new set ---------------------------

CODES = "/two-factor/recovery-codes"


def test_a_person_sees_their_recovery_codes_left_and_makes_a_new_set(client, people, clock):
    email = "dhr_coordinator@example.org"
    password_step(client, email)
    old = set_up(client, email, clock)
    client.post("/sign-out")
    for used in old[:8]:  # eight sign-ins with a recovery code
        password_step(client, email)
        assert client.post(CODE, data={"code": used}).status_code == 302
        client.post("/sign-out")
    password_step(client, email)
    clock.move(0.5)
    assert client.post(CODE, data={"code": code_at(email, clock.now)}).status_code == 302

    assert f'href="{CODES}"' in client.get("/").get_data(as_text=True)
    page = html.unescape(re.sub(r"<[^>]+>", "", client.get(CODES).get_data(as_text=True)))
    assert "You have 2 of 10 recovery codes left." in page and "Make a new set before you run out" in page

    # A code already used (the sign-in's) or a recovery code does not prove it is them.
    for wrong in (code_at(email, clock.now), old[8]):
        response = client.post(CODES, data={"code": wrong})
        assert response.status_code == 400 and b"The code is not right" in response.data
    assert codes_kept(email) == 10

    clock.move(0.5)
    response = client.post(CODES, data={"code": code_at(email, clock.now)})
    assert response.status_code == 200 and b"You have new recovery codes" in response.data
    new = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert "You have 10 of 10 recovery codes left." in html.unescape(
        re.sub(r"<[^>]+>", "", client.get(CODES).get_data(as_text=True)))
    client.post("/sign-out")

    password_step(client, email)
    assert client.post(CODE, data={"code": old[9]}).status_code == 400  # an old, unused code stopped working
    assert client.post(CODE, data={"code": new[0]}).status_code == 302

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "recovery_codes_replaced"))
    assert event.user_id == user(email).id and event.detail == {"unused_before": 2}
    client.post("/sign-out")
    password_step(client, "admin@example.org")
    set_up(client, "admin@example.org", clock)  # the held clock's codes (the conftest's sign_in uses the real one)
    log = log_of(client.get("/admin/audit?action=recovery_codes_replaced"))
    assert "Dhr Coordinator Made new recovery codes (the old ones stopped working)" in log
    assert "Unused before: 2" in log


def test_someone_without_two_factor_is_sent_to_set_it_up(client, sign_in_as):
    sign_in_as("manager")
    response = client.get(CODES)
    assert response.status_code == 302 and response.headers["Location"] == SET_UP


# ---- the only administrator: ``flask users reset-two-factor`` on the server ---------------------

def test_the_only_admins_second_factor_is_reset_from_the_command_line(client, runner, people, clock):
    admin_email = "admin@example.org"
    password_step(client, admin_email)
    set_up(client, admin_email, clock)
    assert status(client, "/") == 200
    assert status(client, reset_url(admin_email)) == 403  # not on the web: another admin would have to

    asked = runner.invoke(args=["users", "reset-two-factor", "Admin@Example.org"], input="n\n")
    assert asked.exit_code == 1 and "Reset their second factor?" in asked.output
    assert user(admin_email).two_factor_enabled and status(client, "/") == 200

    done = runner.invoke(args=["users", "reset-two-factor", "Admin@Example.org"], input="y\n")
    assert done.exit_code == 0, done.output
    assert "Admin's second factor has been reset: they are signed out, and set it up again" in done.output
    assert not user(admin_email).two_factor_enabled and codes_kept(admin_email) == 0
    assert status(client, "/") == 302
    assert password_step(client, admin_email).headers["Location"] == SET_UP
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "two_factor_reset"))
    assert event.user_id is None and event.object_id == user(admin_email).id  # done by nobody signed in

    again = runner.invoke(args=["users", "reset-two-factor", admin_email, "--yes"])
    assert again.exit_code == 1 and "Admin has not set up two-factor sign-in, so there is nothing to reset." \
        in again.output
    unknown = runner.invoke(args=["users", "reset-two-factor", "nobody@example.org", "--yes"])
    assert unknown.exit_code == 1 and "There is no user with the email address nobody@example.org." in unknown.output
