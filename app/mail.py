"""Sending email: Flask-Mailman, set up from the app's config at every send.

``MAIL_BACKEND`` chooses how: ``"log"`` (the default, for development: each message is
written to the log, no mail server needed), ``"smtp"`` (``MAIL_SERVER``, ``MAIL_PORT``,
``MAIL_USERNAME``, ``MAIL_PASSWORD``, ``MAIL_USE_TLS`` / ``MAIL_USE_SSL``,
``MAIL_TIMEOUT``), or any Flask-Mailman backend. Messages are plain text, with a simple
HTML copy of the same words (``MAIL_HTML``). Links in mail start with ``PUBLIC_URL``,
never with the address a request came in on, so a forged Host header cannot send someone
a link to another site.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from html import escape
from urllib.parse import urlsplit

from flask import Flask, current_app
from flask.logging import default_handler
from flask_mailman import EmailMultiAlternatives, Mail
from flask_mailman.backends.base import BaseEmailBackend

mail = Mail()
log = logging.getLogger("app.mail")

BACKENDS = {"log": "app.mail.LogEmailBackend"}


@dataclass(frozen=True)
class Email:
    """One message to one person, ready to send: plain words, no markup."""
    to: str
    subject: str
    body: str


class LogEmailBackend(BaseEmailBackend):
    """Writes each message (who to, subject, plain text) to the ``app.mail`` log (INFO,
    standard error) instead of sending it."""

    def send_messages(self, email_messages):
        for message in email_messages:  # the plain text only: the HTML copy says the same
            log.info("Email (MAIL_BACKEND=log, not sent)\nTo: %s\nSubject: %s\n\n%s", ", ".join(message.to),
                     message.subject, message.body)
        return len(email_messages)


def init_mail(app: Flask) -> None:
    """Register Flask-Mailman with the app's current mail settings (called again at each
    send, so settings changed after start-up, as the tests do, are the ones used)."""
    backend = app.config.get("MAIL_BACKEND") or "log"
    app.config["MAIL_BACKEND"] = BACKENDS.get(backend, backend)
    mail.init_app(app)
    # Alembic's logging set-up (migrations/env.py, fileConfig) disables every logger that
    # exists when migrations run in the same process: the mail log must still be written.
    log.disabled = False
    if not log.handlers:
        log.addHandler(default_handler)
        log.setLevel(logging.INFO)


def connection():
    """A connection to the configured mail backend; open it once to send many messages."""
    init_mail(current_app)
    return mail.get_connection()


def send(email: Email, via=None) -> None:
    """Send one message (through ``via``, an open connection, if given). Raises on failure."""
    config = current_app.config
    message = EmailMultiAlternatives(
        email.subject, email.body, config.get("MAIL_DEFAULT_SENDER"), [email.to],
        reply_to=[config["MAIL_REPLY_TO"]] if config.get("MAIL_REPLY_TO") else None,
        connection=via or connection())
    if config.get("MAIL_HTML", True):
        message.attach_alternative(as_html(email.body), "text/html")
    message.send()


URL = re.compile(r"https?://[^\s<>\"]+")


def as_html(text: str) -> str:
    """The plain-text message as simple HTML: paragraphs, line breaks, links, escaped."""
    def paragraph(block: str) -> str:
        lines = []
        for line in block.splitlines():
            pieces, last = [], 0
            for match in URL.finditer(line):
                pieces.append(escape(line[last:match.start()]))
                url = escape(match.group(0))
                pieces.append(f'<a href="{url}">{url}</a>')
                last = match.end()
            pieces.append(escape(line[last:]))
            lines.append("".join(pieces))
        return "<p>" + "<br>\n".join(lines) + "</p>"

    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    body = "\n".join(paragraph(b) for b in blocks)
    return ('<!DOCTYPE html>\n<html lang="en"><body style="font-family: Arial, sans-serif; font-size: 19px; '
            f'line-height: 1.3; color: #0b0c0c;">\n{body}\n</body></html>\n')


def public_url(endpoint: str, **values) -> str:
    """The full address of a page, for a link in an email: ``PUBLIC_URL`` + the route."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)
