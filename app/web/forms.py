"""Widgets and helpers shared by every blueprint's forms."""
import decimal

import wtforms
from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError

from app.services import ServiceError
from app.vocabulary import MAX_FIGURE

# The largest whole number a form takes (what a PostgreSQL integer column holds), and the
# largest other number (the largest figure a return may hold): beyond them a number is a
# typing slip, and would overflow the database or a sum (a 500) rather than mean anything.
MAX_FORM_INTEGER = 2**31 - 1
MAX_FORM_NUMBER = max(MAX_FIGURE.values())
# Every table's key is an integer column: PostgreSQL refuses to compare one with a larger
# number ("integer out of range", a 500), so a larger id in a URL or a select is no row's.
MAX_DATABASE_ID = 2**31 - 1


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


NO_ROW = -1  # an id no row has


def database_id(value) -> int | None:
    """A select's value as a row id ('' = none). An id no database key can hold is NO_ROW,
    which the service then finds no row for and says so, rather than asking the database
    (on PostgreSQL 'integer out of range', a 500)."""
    if value in (None, "", "None"):
        return None
    number = int(value)
    return number if -MAX_DATABASE_ID <= number <= MAX_DATABASE_ID else NO_ROW


class ReferenceSelect(SelectField):
    """An optional select of database rows by id ('' = none)."""

    def __init__(self, label, none_label="None", **kwargs):
        kwargs.setdefault("widget", GovSelect())
        kwargs.setdefault("coerce", database_id)
        kwargs.setdefault("validate_choice", False)
        super().__init__(label, **kwargs)
        self.none_label = none_label

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:  # not a whole number at all
            raise ValueError(f"Choose one of the choices for '{self.label.text}'") from None

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


def submit_form(form, save):
    """(what ``save(form.data)`` returned, []) once the form is valid and the service
    accepts it; else (None, the problems that belong to no field), the service's other
    messages put by their fields."""
    if not form.validate_on_submit():
        return None, []
    try:
        return save(form.data), []
    except ServiceError as error:
        return None, put_service_errors(form, error)


class LinesField(TextAreaField):
    """A text area holding a list: one item a line, each trimmed, blank lines dropped."""

    def process_data(self, value):
        self.data = [str(v) for v in (value or [])]

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = [line.strip() for line in (valuelist[0] or "").splitlines() if line.strip()]

    def _value(self):
        return "\n".join(self.data or [])


class IntegerField(wtforms.IntegerField):
    """WTForms' IntegerField, bounded: a whole number beyond ±MAX_FORM_INTEGER is refused
    with a message naming the field, never stored to overflow a column."""

    out_of_range = False

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.out_of_range = bool(valuelist) and self.data is not None and abs(self.data) > MAX_FORM_INTEGER
        if self.out_of_range:
            self.data = None

    def pre_validate(self, form):
        if self.out_of_range:
            raise StopValidation(f"{self.label.text} must be a whole number no larger than {MAX_FORM_INTEGER:,}")


class DecimalField(wtforms.DecimalField):
    """WTForms' DecimalField, bounded: NaN, infinity and a number beyond ±MAX_FORM_NUMBER
    are refused with a message naming the field (WTForms itself takes 'NaN' and '1e308')."""

    refusal: str | None = None

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.refusal = None
        if not valuelist or not isinstance(self.data, decimal.Decimal):
            return
        if not self.data.is_finite():
            self.refusal = f"Enter {self.label.text.lower()} as a number, for example 3.2"
        elif abs(self.data) > MAX_FORM_NUMBER:
            self.refusal = (f"{self.label.text} must be a number between -{MAX_FORM_NUMBER:,.0f} and "
                            f"{MAX_FORM_NUMBER:,.0f}")
        if self.refusal:
            self.data = None

    def pre_validate(self, form):
        if self.refusal:
            raise StopValidation(self.refusal)
