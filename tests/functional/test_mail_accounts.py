"""Password reset and invitations by signed, expiring links, end to end from the email a
real SMTP server (aiosmtpd) received: follow the link, choose a password, sign in; a used,
expired or altered link is refused with a page that says which."""
import re
import time

import pytest
from sqlalchemy import select

from app.config import Config
from app.extensions import db
from app.models import AuditEvent, MailMessage, User
from app.services import accounts
from tests.conftest import sign_in
from tests.factories import PASSWORD
from tests.functional.test_mail_reminders import subject_of, text_of

NEW_PASSWORD = "violet tractor under the pier"


def link_in(message) -> str:
    """The path of the one link to a password page in an email."""
    [url] = re.findall(r"http://localhost(/(?:reset-password|invitation)/\S+)", text_of(message))
    return url


def page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.data.decode()).split()).replace("&#39;", "'")


def ask_for_reset(client, email: str):
    return client.post("/forgot-password", data={"email": email})


def test_password_reset_works_from_the_emailed_link_once(client, people, smtp_inbox):
    officer = people["users"]["officer"]
    assert "Forgotten your password?" in page_text(client.get("/sign-in"))
    asked = ask_for_reset(client, "  OFFICER@example.org ")
    assert asked.status_code == 200 and "Check your email" in page_text(asked)

    [message] = smtp_inbox.take()
    assert (message["To"], subject_of(message)) == ("officer@example.org", "Reset your password for Safer Returns")
    assert "The link works once, for 2 hours." in text_of(message)
    link = link_in(message)
    form = client.get(link)
    assert form.status_code == 200 and "Choose a new password for officer@example.org" in page_text(form)

    short = client.post(link, data={"password": "too short", "confirm": "too short"})
    assert short.status_code == 400 and "Use at least 12 characters" in page_text(short)
    mismatch = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!"})
    assert mismatch.status_code == 400 and "Enter the same password twice" in page_text(mismatch)
    saved = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert saved.status_code == 302 and saved.headers["Location"] == "/sign-in"

    assert sign_in(client, officer.email, PASSWORD).status_code == 400  # the old password no longer works
    assert sign_in(client, officer.email, NEW_PASSWORD).status_code == 302
    client.post("/sign-out")
    used = client.get(link)
    assert used.status_code == 400 and "This link has already been used" in page_text(used)
    assert client.post(link, data={"password": "another long password", "confirm": "another long password"}) \
        .status_code == 400
    db.session.expire_all()
    assert db.session.get(User, officer.id).check_password(NEW_PASSWORD)
    # The record keeps that a reset was sent, never the link.
    row = db.session.scalar(select(MailMessage).where(MailMessage.kind == "password_reset"))
    assert (row.status, row.body) == ("sent", None)


def test_a_reset_link_expires(app, client, people, smtp_inbox, monkeypatch):
    ask_for_reset(client, "officer@example.org")
    link = link_in(smtp_inbox.take()[0])
    now = time.time()
    monkeypatch.setattr(accounts, "clock", lambda: now + 2 * 3600 - 60)  # a minute before it expires
    assert client.get(link).status_code == 200
    monkeypatch.setattr(accounts, "clock", lambda: now + 2 * 3600 + 60)
    expired = client.get(link)
    assert expired.status_code == 400 and "This link has expired" in page_text(expired)
    refused = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert refused.status_code == 400 and "This link has expired" in page_text(refused)
    assert not db.session.get(User, people["users"]["officer"].id).check_password(NEW_PASSWORD)

    app.config["PASSWORD_RESET_EXPIRES_HOURS"] = 3  # the setting is read when the link is checked
    assert client.get(link).status_code == 200


def test_an_altered_link_or_an_unknown_address_gets_nothing(client, people, smtp_inbox):
    asked = ask_for_reset(client, "nobody@example.org")
    assert "Check your email" in page_text(asked)  # the same page: the form does not say who has an account
    assert smtp_inbox.messages == []
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "password_reset_unknown"))
    ask_for_reset(client, "officer@example.org")
    link = link_in(smtp_inbox.take()[0])
    bad = client.get(link[:-3] + ("abc" if not link.endswith("abc") else "xyz"))
    assert bad.status_code == 400 and "This link is not valid" in page_text(bad)
    # A reset link is not an invitation link, though both are signed with the same key.
    assert "This link is not valid" in page_text(client.get(link.replace("/reset-password/", "/invitation/")))


def test_an_invitation_lets_a_new_user_choose_their_password(client, sign_in_as, people, smtp_inbox):
    admin = sign_in_as("admin")
    created = admin.post("/admin/users/new", data={
        "name": "Nia Newcomer", "email": "nia@blaby.example.org", "role": "officer",
        "agency_id": str(people["council"].id), "password": "", "active": "y"})
    assert created.status_code == 302
    admin.post("/sign-out")

    [message] = smtp_inbox.take()
    assert message["To"] == "nia@blaby.example.org"
    assert subject_of(message) == "You have been invited to use Safer Returns"
    text = text_of(message)
    assert "Dear Nia Newcomer," in text and "Admin has set up an account for you" in text
    assert "The link works once, for 7 days." in text
    link = link_in(message)
    page = client.get(link)
    assert "Welcome to Safer Returns, Nia Newcomer" in page_text(page)
    saved = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert saved.status_code == 302
    assert sign_in(client, "nia@blaby.example.org", NEW_PASSWORD).status_code == 302
    assert "This link has already been used" in page_text(client.get(link))


@pytest.mark.parametrize("days_later, works", [(6.9, True), (7.1, False)])
def test_an_invitation_expires_after_its_days(client, sign_in_as, people, smtp_inbox, monkeypatch, days_later, works):
    sign_in_as("admin").post("/admin/users/new", data={
        "name": "Late Comer", "email": "late@example.org", "role": "manager", "password": "", "active": "y"})
    link = link_in(smtp_inbox.take()[0])
    now = time.time()
    monkeypatch.setattr(accounts, "clock", lambda: now + days_later * 86400)
    assert ("This link has expired" in page_text(client.get(link))) is not works


def test_by_default_mail_is_written_to_the_log_not_sent(app, client, people, caplog):
    assert Config.MAIL_BACKEND == "log"  # the development default (the suite's own is "locmem")
    app.config["MAIL_BACKEND"] = "log"
    with caplog.at_level("INFO", logger="app.mail"):
        ask_for_reset(client, "officer@example.org")
    [logged] = [r.getMessage() for r in caplog.records if r.name == "app.mail"]
    assert "Email (MAIL_BACKEND=log, not sent)" in logged and "To: officer@example.org" in logged
    assert "/reset-password/" in logged
