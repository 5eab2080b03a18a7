"""Sending email: Flask-Mailman, set up from the app's config at every send.

``MAIL_BACKEND`` chooses how: ``"log"`` (the default, for development: each message is
written to the log, no mail server needed), ``"smtp"`` (``MAIL_SERVER``, ``MAIL_PORT``,
``MAIL_USERNAME``, ``MAIL_PASSWORD``, ``MAIL_USE_TLS`` / ``MAIL_USE_SSL``,
``MAIL_TIMEOUT``), or any Flask-Mailman backend. Messages are plain text, with a simple
HTML copy of the same words (``MAIL_HTML``). Links in mail start with ``PUBLIC_URL``,
never with the address a request came in on, so a forged Host header cannot send someone
a link to another site.

Flask-Mailman is imported at the first send, not with the app: a web worker may never send
mail (about 0.005 s of every start). ``init_mail`` (``create_app``) reads the settings;
each send registers Flask-Mailman with them.
"""
from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from html import escape
from urllib.parse import urlsplit

from flask import Flask, current_app
from flask.logging import default_handler

log = logging.getLogger("app.mail")

BACKENDS = {"log": "app.mail_log.LogEmailBackend"}


@dataclass(frozen=True)
class Email:
    """One message to one person, ready to send: plain words, no markup."""
    to: str
    subject: str
    body: str


@functools.cache
def mailman():
    """The one Flask-Mailman extension, made (and Flask-Mailman imported) on first use."""
    from flask_mailman import Mail

    return Mail()


def init_mail(app: Flask, *, for_sending: bool = False) -> None:
    """Read the app's current mail settings; ``for_sending`` (at each send, so settings
    changed after start-up, as the tests do, are the ones used), register Flask-Mailman
    with them too."""
    backend = app.config.get("MAIL_BACKEND") or "log"
    app.config["MAIL_BACKEND"] = BACKENDS.get(backend, backend)
    if for_sending:
        mailman().init_app(app)
    # Alembic's logging set-up (migrations/env.py, fileConfig) disables every logger that
    # exists when migrations run in the same process: the mail log must still be written.
    log.disabled = False
    if not log.handlers:
        log.addHandler(default_handler)
        log.setLevel(logging.INFO)


def write_to_log(message) -> None:
    """``MAIL_BACKEND = "log"`` (``app.mail_log``): one message (who to, subject, plain text:
    the HTML copy says the same) written to the ``app.mail`` log instead of being sent."""
    log.info("Email (MAIL_BACKEND=log, not sent)\nTo: %s\nSubject: %s\n\n%s", ", ".join(message.to),
             message.subject, message.body)


def connection():
    """A connection to the configured mail backend; open it once to send many messages."""
    init_mail(current_app, for_sending=True)
    return mailman().get_connection()


def send(email: Email, via=None) -> None:
    """Send one message (through ``via``, an open connection, if given). Raises on failure."""
    from flask_mailman import EmailMultiAlternatives

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
