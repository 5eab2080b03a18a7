"""The email the service sends on its own: reminders, chasers, receipts, a note to the
managers when a period is complete, and a security notice when someone's password or
second factor changes.

Rules
-----
**Reminders and chasers** (``send_due``, behind ``flask reminders send``, run hourly from
cron or a systemd timer). For each scheduled return (``ReturnDue``) not yet received, each
active officer of its agency gets a reminder once when the deadline is
``REMINDER_DAYS_BEFORE`` days away or nearer, and a chaser ``CHASER_DAYS_AFTER`` days
after it, then every ``CHASER_EVERY_DAYS``, at most ``CHASERS_AT_MOST`` chasers (so a
return missing for years is not chased for ever, nor is a first run a flood). Received
and late are the engine's rule (``app.indicators.timeliness``): any current or
superseded submission counts.

**Once only.** Every message is a ``MailMessage`` row whose ``key`` says what it is
about and to whom (``reminder:<return due>:<user>``): a key already there is never
made again, so running twice sends nothing twice. Each message is claimed, sent and
marked in its own transaction, so one failure neither stops the run nor loses the
others; a failed message keeps its error and is tried again by the next run (up to
``MAIL_TRIES_AT_MOST`` tries).

**Receipts** (``notify_return_stored``, called once a return is stored, from the web
or the command line): to the person who uploaded it and the agency's officers: what
was stored (how many figures and targets, the warnings confirmed) and the file's
SHA-256 checksum. If that return completes its period (every return scheduled for it
received), each active manager is told, once.

**Security notices** (``send_security_notice``): to a person whose password was changed
(from a reset link, or by an administrator), whose second factor an administrator reset,
or who made new recovery codes, so a change they did not make does not go unseen. Sent
once the change is committed; a failed send is recorded, never undoes the change.

No email carries a figure from the restricted Domestic Homicide Review area: this
module reads returns and their schedule only.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app, render_template
from sqlalchemy import and_, func, or_, select, update

from app.extensions import db
from app.indicators.timeliness import statuses as worked_out
from app.mail import Email, connection, public_url, send
from app.models import DataValue, MailMessage, ReturnDue, Submission, Target, User
from app.models.base import utcnow
from app.services import ServiceError, transaction

log = logging.getLogger("app.mail")

RECEIVED_STATUSES = ("current", "superseded")
STALE_CLAIM = timedelta(hours=1)  # a run that died mid-send: its message is tried again after this


def render_email(name: str, /, **context) -> tuple[str, str]:
    """(subject, body) from ``templates/email/<name>.txt``: its first line is the subject,
    the rest (after a blank line) the body."""
    text = render_template(f"email/{name}.txt", **context)
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def long_date(day) -> str:
    """28 July 2016: how GOV.UK writes a date."""
    return f"{day.day} {day:%B %Y}"


def long_time(moment: datetime) -> str:
    return f"{long_date(moment)} at {moment:%H:%M} (UTC)"


# ---- the outbox --------------------------------------------------------------------------

@dataclass
class Outcome:
    """What happened to one message in a run."""
    message: MailMessage
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def queue(kind: str, user: User, subject: str, body: str, key: str) -> MailMessage | None:
    """Add a message to the outbox unless one with this key was ever made. Flushes only."""
    if db.session.scalar(select(MailMessage.id).where(MailMessage.key == key)) is not None:
        return None
    message = MailMessage(kind=kind, key=key, user_id=user.id, recipient=user.email, subject=subject[:250],
                          body=body, status="pending", attempts=0)
    db.session.add(message)
    db.session.flush()
    return message


def outstanding() -> list[MailMessage]:
    """Messages still to send: new, failed (with tries left), or claimed by a run that died."""
    tries = current_app.config["MAIL_TRIES_AT_MOST"]
    return list(db.session.scalars(select(MailMessage).where(
        MailMessage.body.is_not(None), MailMessage.attempts < tries,
        or_(MailMessage.status.in_(("pending", "failed")),
            and_(MailMessage.status == "sending", MailMessage.claimed_at < utcnow() - STALE_CLAIM)))
        .order_by(MailMessage.id)))


def _claim(message: MailMessage) -> bool:
    """Mark the message as being sent by this run; False if another run has it."""
    with transaction():
        claimed = db.session.execute(update(MailMessage).where(
            MailMessage.id == message.id,
            or_(MailMessage.status.in_(("pending", "failed")),
                and_(MailMessage.status == "sending", MailMessage.claimed_at < utcnow() - STALE_CLAIM)))
            .values(status="sending", claimed_at=utcnow(), attempts=MailMessage.attempts + 1)
            .execution_options(synchronize_session=False))
    return claimed.rowcount == 1


def deliver(messages: list[MailMessage]) -> list[Outcome]:
    """Send each message (one connection for all), recording each outcome as it goes."""
    outcomes = []
    via = None
    for message in messages:
        if not _claim(message):
            continue
        error = None
        try:
            via = via or connection()
            send(Email(message.recipient, message.subject, message.body), via=via)
        except Exception as problem:  # any failure is recorded, and the run goes on
            error = f"{type(problem).__name__}: {problem}"[:2000]
            log.warning("Email %s to %s not sent: %s", message.id, message.recipient, error)
            via = _closed(via)
        with transaction():
            message.status, message.error = ("failed", error) if error else ("sent", None)
            message.sent_at = None if error else utcnow()
        outcomes.append(Outcome(message, error))
    _closed(via)
    return outcomes


def _closed(via):
    try:
        if via is not None:
            via.close()
    except Exception:  # a broken connection is dropped; the next send opens a new one
        pass
    return None


def send_now(kind: str, user: User, subject: str, body: str, *, keep_body: bool = True) -> bool:
    """Send one message straight away and record it (its words only if ``keep_body``, so
    mail carrying a sign-in link is recorded without the link). True if it went."""
    with transaction():
        message = MailMessage(kind=kind, user_id=user.id, recipient=user.email, subject=subject[:250],
                              body=body if keep_body else None, status="sending", attempts=1, claimed_at=utcnow())
        db.session.add(message)
    error = None
    try:
        send(Email(user.email, subject, body))
    except Exception as problem:  # recorded; the caller says what to do
        error = f"{type(problem).__name__}: {problem}"[:2000]
        log.warning("Email (%s) to %s not sent: %s", kind, user.email, error)
    with transaction():
        message.status, message.error = ("failed", error) if error else ("sent", None)
        message.sent_at = None if error else utcnow()
    return error is None


def send_security_notice(template: str, user: User, **context) -> bool:
    """Tell a person by email that their password or second factor has just changed
    (``templates/email/<template>.txt``, with ``user`` and ``when``). True if it went."""
    subject, body = render_email(template, user=user, when=long_time(utcnow()), **context)
    return send_now("security_notice", user, subject, body)


# ---- reminders and chasers ---------------------------------------------------------------

@dataclass
class Reminder:
    kind: str  # reminder | chaser
    due: ReturnDue
    user: User
    key: str
    days: int  # days until the deadline (reminder) or past it (chaser)


@dataclass
class RunReport:
    """What ``send_due`` did: every message sent or failed (with why), and the returns
    nobody could be reminded about (their agency has no active officer)."""
    outcomes: list[Outcome] = field(default_factory=list)
    planned: list[MailMessage] = field(default_factory=list)  # on a dry run: what would be sent
    nobody_to_tell: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]


def _officers_by_agency(agency_ids) -> dict[int, list[User]]:
    officers: dict[int, list[User]] = {}
    for user in db.session.scalars(select(User).where(User.role == "officer", User.active.is_(True),
                                                      User.agency_id.in_(agency_ids)).order_by(User.email)):
        officers.setdefault(user.agency_id, []).append(user)
    return officers


def _received(due_rows) -> list[tuple]:
    """(agency, template, period, first received) for the returns these rows schedule: the
    schedule's own rule (the day a return counts as received)."""
    from app.services.schedule import first_receipts

    periods = {d.period_id for d in due_rows}
    return first_receipts(sorted(periods)) if periods else []


def reminders_due(today: date) -> tuple[list[Reminder], list[ReturnDue]]:
    """The reminders and chasers due on ``today`` (made or not), and the scheduled returns
    they would be about whose agency has no active officer to tell."""
    config = current_app.config
    before, after = config["REMINDER_DAYS_BEFORE"], config["CHASER_DAYS_AFTER"]
    every, at_most = max(1, config["CHASER_EVERY_DAYS"]), config["CHASERS_AT_MOST"]
    oldest = today - timedelta(days=after + every * max(at_most, 0))
    due_rows = list(db.session.scalars(select(ReturnDue).where(
        ReturnDue.due_date >= oldest, ReturnDue.due_date <= today + timedelta(days=before),
        ReturnDue.waived_reason.is_(None))
        .order_by(ReturnDue.due_date, ReturnDue.id)))
    if not due_rows:
        return [], []
    statuses = worked_out([(d.agency_id, d.template_id, d.period_id, d.due_date) for d in due_rows],
                          _received(due_rows), today)
    officers = _officers_by_agency({d.agency_id for d in due_rows})
    found, nobody = [], []
    for due, status in zip(due_rows, statuses):
        if status.status == "not yet due":
            kind, days, suffix = "reminder", (due.due_date - today).days, ""
        elif status.status == "missing" and status.days_late >= after:
            number = (status.days_late - after) // every
            if number >= at_most:
                continue
            kind, days, suffix = "chaser", status.days_late, f":{number + 1}"
        else:
            continue
        people = officers.get(due.agency_id, [])
        if not people:
            nobody.append(due)
        found.extend(Reminder(kind, due, user, f"{kind}:{due.id}:{user.id}{suffix}", days) for user in people)
    return found, nobody


def _reminder_email(reminder: Reminder) -> tuple[str, str]:
    due = reminder.due
    return render_email(reminder.kind, user=reminder.user, agency=due.agency.name, template=due.template.name,
                        period=due.period.label, deadline=long_date(due.due_date), days=reminder.days,
                        upload_link=public_url("returns.upload"), start_link=public_url("main.home"))


def describe(reminder_or_message) -> str:
    """One line for the command's output: who, what, about which return."""
    message = reminder_or_message
    return f"{message.kind} to {message.recipient}: {message.subject}"


def send_due(today: date | None = None, *, dry_run: bool = False) -> RunReport:
    """Make the reminders and chasers due today that were never made, then send every
    message still outstanding (these, and any that failed before). See the module's rules."""
    from app.services.schedule import bring_schedule_up_to_date
    from app.services.settings import today as partnership_today

    bring_schedule_up_to_date()
    today = today or partnership_today()
    reminders, nobody = reminders_due(today)
    report = RunReport(nobody_to_tell=[
        f"{due.template.name} for {due.period.label} from {due.agency.name} (due {long_date(due.due_date)}): "
        "nobody to remind, as the agency has no active officer" for due in nobody])
    if dry_run:
        made = {key for key in db.session.scalars(select(MailMessage.key).where(
            MailMessage.key.in_([r.key for r in reminders])))} if reminders else set()
        for reminder in reminders:
            if reminder.key not in made:
                subject, body = _reminder_email(reminder)
                report.planned.append(MailMessage(kind=reminder.kind, recipient=reminder.user.email, subject=subject,
                                                  body=body))
        report.planned.extend(outstanding())
        db.session.rollback()
        return report
    try:
        with transaction():
            for reminder in reminders:
                if db.session.scalar(select(MailMessage.id).where(MailMessage.key == reminder.key)) is None:
                    subject, body = _reminder_email(reminder)
                    queue(reminder.kind, reminder.user, subject, body, reminder.key)
    except ServiceError:  # another run made the same reminders at the same moment: it sends them
        report.nobody_to_tell.append("today's new reminders: another run made them at the same moment and sends them")
    report.outcomes = deliver(outstanding())
    return report


# ---- receipts and the note that a period is complete ----------------------------------------

def notify_return_stored(submission: Submission) -> list[Outcome]:
    """Send the receipt for a return just stored (and, if it completes its period, the
    note to the managers). Never raises: the return is stored whatever happens to the
    mail; a message that could not be sent waits for the next ``flask reminders send``."""
    try:
        with transaction():
            made = _receipts(submission) + _period_complete_notes(submission.period_id)
        return deliver(made)
    except Exception:  # the return is stored; the mail must not undo or hide that
        db.session.rollback()
        log.exception("The receipt for submission %s could not be made", getattr(submission, "id", "?"))
        return []


def _receipts(submission: Submission) -> list[MailMessage]:
    people = {u.id: u for u in _officers_by_agency([submission.agency_id]).get(submission.agency_id, [])}
    uploader = submission.uploaded_by
    if uploader is not None and uploader.active:
        people[uploader.id] = uploader
    if not people:
        return []
    figures = db.session.scalar(select(func.count()).select_from(DataValue)
                                .where(DataValue.submission_id == submission.id))
    targets = db.session.scalar(select(func.count()).select_from(Target).where(Target.submission_id == submission.id))
    previous = submission.supersedes
    facts = dict(
        agency=submission.agency.name, template=submission.template.name, period=submission.period.label,
        received=long_time(submission.uploaded_at), uploaded_by=uploader.name if uploader else "the command line",
        filename=submission.filename, sha256=submission.sha256, size=f"{submission.size_bytes:,}", figures=figures,
        targets=targets, warnings=submission.warnings or [], comment=submission.comment,
        replaced=long_time(previous.uploaded_at) if previous else None,
        link=public_url("returns.submission", submission_id=submission.id))
    made = []
    for user in sorted(people.values(), key=lambda u: u.email):
        subject, body = render_email("receipt", user=user, **facts)
        made.append(queue("receipt", user, subject, body, f"receipt:{submission.id}:{user.id}"))
    return [m for m in made if m is not None]


def _period_complete_notes(period_id: int) -> list[MailMessage]:
    from app.services.settings import today as partnership_today

    due_rows = list(db.session.scalars(select(ReturnDue).where(ReturnDue.period_id == period_id,
                                                               ReturnDue.waived_reason.is_(None))))
    if not due_rows:
        return []
    today = partnership_today()
    rows = worked_out([(d.agency_id, d.template_id, d.period_id, d.due_date) for d in due_rows],
                      _received(due_rows), today)
    if not all(s.came_in for s in rows):
        return []
    returns = sorted(((d.agency.name, d.template.name, s.note) for d, s in zip(due_rows, rows)))
    managers = db.session.scalars(select(User).where(User.role == "manager", User.active.is_(True))
                                  .order_by(User.email)).all()
    period = due_rows[0].period
    late = sum(s.status == "late" for s in rows)
    made = []
    for manager in managers:
        subject, body = render_email("period_complete", user=manager, period=period.label, returns=returns,
                                     late=late, link=public_url("main.home"))
        made.append(queue("period_complete", manager, subject, body, f"period_complete:{period_id}:{manager.id}"))
    return [m for m in made if m is not None]
