"""The one error hierarchy. Services raise these; the web and the CLI each handle them once.

* ``NotFound``: the thing asked for does not exist (or the person may not know it does):
  a 404 page on the web.
* ``Forbidden``: it exists, but this person may not do that: a 403 page.
* ``ServiceError``: one or more problems a person can fix, each optionally tied to a form
  field; routes show them on the form, commands print them and exit 1.

Flask-free: pipeline and services import it without an app.
"""


class AppError(Exception):
    """Root of every error the app raises on purpose."""


class NotFound(AppError):
    """What was asked for does not exist (web: 404)."""


class Forbidden(AppError):
    """This person may not do that (web: 403)."""


class ServiceError(AppError):
    """One or more problems a person can fix. ``field_errors`` maps form field → messages."""

    def __init__(self, message: str = "", field_errors: dict[str, list[str]] | None = None):
        super().__init__(message or "; ".join(m for ms in (field_errors or {}).values() for m in ms))
        self.message = message
        self.field_errors = field_errors or {}
