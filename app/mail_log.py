"""``MAIL_BACKEND = "log"`` (the development default, ``app.mail``): a Flask-Mailman backend
that writes each message to the ``app.mail`` log instead of sending it. Apart from
``app.mail`` so that Flask-Mailman, which it builds on, is imported only when mail is sent."""
from flask_mailman.backends.base import BaseEmailBackend

from app.mail import write_to_log


class LogEmailBackend(BaseEmailBackend):
    """Writes each message (who to, subject, plain text) to the ``app.mail`` log (INFO,
    standard error) instead of sending it."""

    def send_messages(self, email_messages):
        for message in email_messages:
            write_to_log(message)
        return len(email_messages)
