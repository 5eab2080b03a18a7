"""A person is told by email when their password or second factor changes (a reset link, an
administrator's change, an administrator's reset of their second factor, new recovery codes),
so a change they did not make does not go unseen; the admins' list of users shows who signs
in with a second factor. Mail goes to a real SMTP server (aiosmtpd)."""
import html
import re
import socket

from flask import g
from sqlalchemy import select

from app.extensions import db
from app.models import MailMessage
from tests.conftest import assert_signed_in, sign_in
from tests.functional.test_mail_accounts import NEW_PASSWORD, ask_for_reset, link_in, page_text
from tests.functional.test_mail_reminders import subject_of, text_of
from tests.functional.test_two_factor import code_at, password_step, set_up, user

DHR = "dhr_coordinator@example.org"


def flat(text: str) -> str:
    return " ".join(text.split())


def reset_second_factor(app, client, clock) -> str:
    """The DHR co-ordinator sets up two-factor sign-in; an admin resets it. The flash shown."""
    phone = app.test_client()
    password_step(phone, DHR)
    set_up(phone, DHR, clock)
    g.pop("_login_user", None)
    assert_signed_in(sign_in(client, "admin@example.org"))
    response = client.post(f"/admin/users/{user(DHR).id}/second-factor/remove")
    assert response.status_code == 302
    return html.unescape(page_text(client.get(response.headers["Location"])))


def test_a_person_is_emailed_when_an_admin_resets_their_second_factor(app, client, people, clock, smtp_inbox):
    flashed = reset_second_factor(app, client, clock)
    assert "Dhr Coordinator's second factor has been reset" in flashed and "We have emailed them to say so." in flashed

    [notice] = [m for m in smtp_inbox.take() if m["To"] == DHR]
    assert subject_of(notice) == "Your two-factor sign-in for Safer Returns was reset"
    text = flat(text_of(notice))
    assert "An administrator, Admin, reset the two-factor sign-in for dhr_coordinator@example.org on" in text
    assert "you have been signed out everywhere" in text
    assert "you will set up two-factor sign-in again with a new QR code" in text
    assert "If you did not ask for this, tell your administrator straight away" in text
    row = db.session.scalar(select(MailMessage).where(MailMessage.kind == "security_notice"))
    assert (row.recipient, row.status) == (DHR, "sent")


def test_the_reset_is_kept_and_the_admin_told_when_the_notice_cannot_be_sent(app, client, people, clock):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=closed, MAIL_TIMEOUT=2)
    flashed = reset_second_factor(app, client, clock)
    assert "The email telling them so could not be sent: tell them yourself." in flashed
    assert not user(DHR).two_factor_enabled
    row = db.session.scalar(select(MailMessage).where(MailMessage.kind == "security_notice"))
    assert row.status == "failed" and "Connection" in row.error


def test_the_command_line_reset_emails_the_person_too(client, runner, people, clock, smtp_inbox):
    password_step(client, "admin@example.org")
    set_up(client, "admin@example.org", clock)
    done = runner.invoke(args=["users", "reset-two-factor", "admin@example.org", "--yes"])
    assert done.exit_code == 0, done.output
    assert done.output.strip().endswith("We have emailed them to say so.")
    [notice] = smtp_inbox.take()
    assert notice["To"] == "admin@example.org"
    assert "An administrator, on the server, reset the two-factor sign-in" in flat(text_of(notice))


def test_a_person_is_emailed_when_they_make_new_recovery_codes(client, people, clock, smtp_inbox):
    password_step(client, DHR)
    set_up(client, DHR, clock)
    clock.move(0.5)
    assert client.post("/two-factor/recovery-codes", data={"code": code_at(DHR, clock.now)}).status_code == 200
    [notice] = smtp_inbox.take()
    assert (notice["To"], subject_of(notice)) == (DHR, "New recovery codes were made for your Safer Returns account")
    assert "Your old recovery codes, used or not, no longer work." in flat(text_of(notice))


def test_a_wrong_code_makes_no_codes_and_sends_nothing(client, people, clock, smtp_inbox):
    password_step(client, DHR)
    set_up(client, DHR, clock)
    assert client.post("/two-factor/recovery-codes", data={"code": "000000"}).status_code == 400
    assert smtp_inbox.take() == []


def test_a_person_is_emailed_when_their_password_is_changed_from_a_reset_link(client, people, smtp_inbox):
    ask_for_reset(client, "officer@example.org")
    link = link_in(smtp_inbox.take()[0])
    assert client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    [notice] = smtp_inbox.take()
    assert (notice["To"], subject_of(notice)) == ("officer@example.org", "Your password for Safer Returns was changed")
    text = flat(text_of(notice))
    assert "The password for officer@example.org was changed on" in text
    assert "using a reset link sent to this address" in text
    assert "/reset-password/" not in text  # a notice carries no link that signs anyone in


def test_a_person_is_emailed_when_an_admin_changes_their_password_but_not_for_other_edits(
        client, sign_in_as, people, smtp_inbox):
    officer = people["users"]["officer"]
    admin = sign_in_as("admin")
    form = {"name": "Officer", "email": officer.email, "role": "officer", "agency_id": str(officer.agency_id),
            "active": "y"}
    assert admin.post(f"/admin/users/{officer.id}", data={**form, "password": ""}).status_code == 302
    assert smtp_inbox.take() == []  # a new name is not a security change
    assert admin.post(f"/admin/users/{officer.id}", data={**form, "password": NEW_PASSWORD}).status_code == 302
    [notice] = smtp_inbox.take()
    assert notice["To"] == "officer@example.org"
    assert "was changed on" in text_of(notice) and "by an administrator, Admin." in flat(text_of(notice))


def users_list(client) -> dict[str, str]:
    """Each row of the admins' list of users, by email address, as text."""
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Two-factor sign-in" in page
    return {email: flat(re.sub(r"<[^>]+>", " ", row)) for row in re.findall(r"<tr.*?</tr>", page, re.S)
            for email in re.findall(r"[a-z_]+@example\.org", row)}


def test_the_users_list_shows_who_signs_in_with_a_second_factor(app, client, people, clock):
    assert_signed_in(sign_in(client, "admin@example.org"))
    before = users_list(client)
    assert "Not set up (their role needs it)" in before[DHR]
    assert "Not set up" in before["manager@example.org"] and "role needs" not in before["manager@example.org"]
    assert " Set up " in before["admin@example.org"] + " "  # admins must, and the suite's sign-in sets it up

    phone = app.test_client()
    g.pop("_login_user", None)  # the test clients share one app context
    password_step(phone, DHR)
    set_up(phone, DHR, clock)
    g.pop("_login_user", None)
    after = users_list(client)
    assert "Set up" in after[DHR] and "Not set up" not in after[DHR]
