"""Widgets and helpers shared by every blueprint's forms."""
from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from app.services import ServiceError


def strip(value):
    """A filter: surrounding spaces off what was typed."""
    return value.strip() if isinstance(value, str) else value


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class StrictChoice:
    """Replace WTForms' 'Not a valid choice' with a sentence naming the field."""

    def __init__(self, what: str):
        self.what = what

    def __call__(self, form, field):
        valid = {str(value) for value, *_ in field.iter_choices()}
        if field.data is not None and str(field.data) not in valid:
            raise ValidationError(f"Select a {self.what} from the list")


class ReferenceSelect(SelectField):
    """An optional select of database rows by id ('' = none)."""

    def __init__(self, label, none_label="None", **kwargs):
        kwargs.setdefault("widget", GovSelect())
        kwargs.setdefault("coerce", lambda v: int(v) if v not in (None, "", "None") else None)
        kwargs.setdefault("validate_choice", False)
        super().__init__(label, **kwargs)
        self.none_label = none_label

    def set_rows(self, rows, label=lambda r: r.name):
        self.choices = options([("", self.none_label)] + [(r.id, label(r)) for r in rows])


def put_service_errors(form, error: ServiceError) -> list[str]:
    """Attach a service's messages to the form's fields; return those that belong to no field."""
    leftovers = [] if error.field_errors or not error.message else [error.message]
    for name, messages in error.field_errors.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = list(field.errors) + list(messages)
        else:
            leftovers += list(messages)
    return leftovers


class LinesField(TextAreaField):
    """A text area holding a list: one item a line, each trimmed, blank lines dropped."""

    def process_data(self, value):
        self.data = [str(v) for v in (value or [])]

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = [line.strip() for line in (valuelist[0] or "").splitlines() if line.strip()]

    def _value(self):
        return "\n".join(self.data or [])
