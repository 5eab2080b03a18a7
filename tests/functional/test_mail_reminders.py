"""``flask reminders send`` against a real SMTP server (aiosmtpd, in-process): exactly the
reminders and chasers due go out, once each; a failed send is recorded, reported (exit 1)
and retried by the next run."""
import socket

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import MailMessage, ReturnTemplate, Submission, TemplateVersion
from app.periods import parse_period
from app.services.schedule import schedule_period
from app.store.reference import period_row
from tests.factories import make_agency, make_user

A = "Quarterly community safety return"
B = "Domestic abuse services return"
REMINDER_A = f"Reminder: {A} for 2016/17 Q1 is due by 28 July 2016"


def received(agency, template, period_text: str) -> None:
    """A return stored for the agency (as an upload would leave it)."""
    version = db.session.scalar(select(TemplateVersion).where(TemplateVersion.template_id == template.id))
    db.session.add(Submission(agency_id=agency.id, template_id=template.id, template_version_id=version.id,
                              period_id=period_row(parse_period(period_text)).id, filename="return.xlsx",
                              sha256="0" * 64, size_bytes=1000, status="current"))


@pytest.fixture
def schedule(app):
    """Four agencies owe A for 2015/16 Q4 and 2016/17 Q1 (due 28 days after the quarter:
    28 Apr and 28 Jul 2016); Police and Melton owe B for 2016/17 Q1 (due 20 Jul 2016).
    Blaby has sent A for Q1 and Melton B. Harborough has no officer; Police has an
    inactive one too."""
    police, blaby = make_agency("Leicestershire Police"), make_agency("Blaby District Council")
    melton, harborough = make_agency("Melton Borough Council"), make_agency("Harborough District Council")
    people = {
        "police": make_user("officer", "pc.officer@example.org", name="Pat Constable", agency=police),
        "police_left": make_user("officer", "left@example.org", name="Former Officer", agency=police, active=False),
        "blaby": make_user("officer", "blaby@example.org", name="Bea Blaby", agency=blaby),
        "melton": make_user("officer", "melton@example.org", name="Mel Ton", agency=melton),
        "manager": make_user("manager", "manager@example.org", name="Mo Manager"),
    }
    templates = {}
    for slug, name, due_days, agencies in [("a", A, 28, [police, blaby, melton, harborough]),
                                           ("b", B, 20, [police, melton])]:
        template = ReturnTemplate(slug=slug, name=name, due_days=due_days, agencies=agencies)
        db.session.add(template)
        db.session.flush()
        db.session.add(TemplateVersion(template_id=template.id, number=1, status="published", definition={}))
        templates[slug] = template
    for text in ("2015/16 Q4", "2016/17 Q1"):
        schedule_period(templates["a"], parse_period(text))
    schedule_period(templates["b"], parse_period("2016/17 Q1"))
    db.session.flush()
    received(blaby, templates["a"], "2016/17 Q1")
    received(melton, templates["b"], "2016/17 Q1")
    db.session.commit()
    return people


def send(runner, day: str, *args):
    return runner.invoke(args=["reminders", "send", "--date", day, *args])


def text_of(message) -> str:
    """A received message's plain-text body, with Python's line ends."""
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def subject_of(message) -> str:
    """The subject as a mail client shows it (a folded, encoded header unfolds with a space)."""
    return message["Subject"].strip()


def inbox_of(messages) -> list[tuple[str, str]]:
    return sorted((m["To"], subject_of(m)) for m in messages)


def test_a_run_sends_exactly_the_due_reminders_and_a_second_run_none(runner, schedule, smtp_inbox):
    first = send(runner, "2016-07-23")

    assert first.exit_code == 0, first.output
    assert inbox_of(smtp_inbox.messages) == [
        ("melton@example.org", REMINDER_A),
        ("pc.officer@example.org", f"Overdue: {B} for 2016/17 Q1 was due by 20 July 2016"),
        ("pc.officer@example.org", REMINDER_A),
    ]
    assert "not sent: Quarterly community safety return for 2016/17 Q1 from Harborough District Council (due 28 " \
           "July 2016): nobody to remind, as the agency has no active officer" in first.output
    assert first.output.splitlines()[-1] == "3 sent, 0 failed."
    assert f"sent reminder to melton@example.org: {REMINDER_A}" in first.output.splitlines()

    reminder = next(m for m in smtp_inbox.messages if m["To"] == "melton@example.org")
    text = text_of(reminder)
    assert "Dear Mel Ton," in text and "(in 5 days)" in text
    assert f"Return: {A}\nAgency: Melton Borough Council\nPeriod: 2016/17 Q1\nDeadline: 28 July 2016" in text
    assert "http://localhost/returns/upload" in text
    assert '<a href="http://localhost/returns/upload">' in reminder.get_body(("html",)).get_content()
    chaser = next(m for m in smtp_inbox.messages if subject_of(m).startswith("Overdue"))
    chaser_text = text_of(chaser)
    assert f"Return: {B}" in chaser_text and "it is 3 days late" in chaser_text

    smtp_inbox.take()
    again = send(runner, "2016-07-23")
    assert again.exit_code == 0 and again.output.splitlines()[-1] == "Nothing to send."
    assert smtp_inbox.messages == []

    # A week on: A is a day late (the first chaser), B 9 days (its second); Q4's deadline
    # (28 Apr) is too long gone to be chased at all.
    later = send(runner, "2016-07-29")
    assert later.exit_code == 0, later.output
    assert inbox_of(smtp_inbox.take()) == [
        ("melton@example.org", f"Overdue: {A} for 2016/17 Q1 was due by 28 July 2016"),
        ("pc.officer@example.org", f"Overdue: {B} for 2016/17 Q1 was due by 20 July 2016"),
        ("pc.officer@example.org", f"Overdue: {A} for 2016/17 Q1 was due by 28 July 2016"),
    ]
    assert send(runner, "2016-07-29").output.splitlines()[-1] == "Nothing to send."
    made = db.session.execute(select(MailMessage.kind, MailMessage.recipient)).all()
    assert sorted(kind for kind, _ in made) == ["chaser"] * 4 + ["reminder"] * 2
    assert {recipient for _, recipient in made} == {"pc.officer@example.org", "melton@example.org"}


def test_the_reminder_settings_are_read_from_config(app, runner, schedule, smtp_inbox):
    app.config["REMINDER_DAYS_BEFORE"] = 3
    assert send(runner, "2016-07-23").output.splitlines()[-1] == "1 sent, 0 failed."  # the chaser only
    assert send(runner, "2016-07-25").output.splitlines()[-1] == "2 sent, 0 failed."  # 3 days before
    assert [subject_of(m) for m in smtp_inbox.messages][1:] == [REMINDER_A] * 2


def test_a_dry_run_lists_and_records_nothing(runner, schedule, smtp_inbox):
    dry = send(runner, "2016-07-23", "--dry-run")
    assert dry.exit_code == 0
    assert dry.output.splitlines()[-1] == "Dry run: 3 to send; nothing sent or recorded."
    assert smtp_inbox.messages == [] and db.session.scalars(select(MailMessage)).all() == []


def test_a_failed_send_is_reported_recorded_and_retried_next_run(app, runner, schedule, smtp_inbox):
    port = app.config["MAIL_PORT"]
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        app.config["MAIL_PORT"] = probe.getsockname()[1]
    failed = send(runner, "2016-07-23")

    assert failed.exit_code == 1
    assert failed.output.splitlines()[-1] == "0 sent, 3 failed."
    assert "FAILED reminder to melton@example.org" in failed.output and "tried again next run" in failed.output
    rows = db.session.scalars(select(MailMessage).order_by(MailMessage.id)).all()
    assert [(r.status, r.attempts) for r in rows] == [("failed", 1)] * 3
    assert all("ConnectionRefusedError" in r.error for r in rows)
    assert smtp_inbox.messages == []

    app.config["MAIL_PORT"] = port
    retried = send(runner, "2016-07-23")
    assert retried.exit_code == 0 and retried.output.splitlines()[-1] == "3 sent, 0 failed."
    assert len(smtp_inbox.messages) == 3
    db.session.expire_all()
    assert [(r.status, r.attempts, r.error) for r in db.session.scalars(select(MailMessage))] == [("sent", 2, None)] * 3
    assert send(runner, "2016-07-23").output.splitlines()[-1] == "Nothing to send."
