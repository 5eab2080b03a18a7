"""The API's request and response shapes: what the endpoints validate with, and what the
OpenAPI document says (flask-smorest builds it from these)."""
import math

from marshmallow import Schema, ValidationError, fields, validate

from app.vocabulary import RAGS
from app.web.input_safety import CONTROL_CHARACTERS

MAX_PER_PAGE = 100
MAX_TEXT = 2000  # a cell's text, as a return sheet's (INGEST_MAX_CELL_CHARS)


def _no_control_characters(text: str) -> None:
    if CONTROL_CHARACTERS.search(text):
        raise ValidationError("This holds a control character (such as NUL), which cannot be stored.")


def Text(size: int = 255, **kwargs):  # noqa: N802  (a field factory)
    return fields.String(validate=[validate.Length(max=size), _no_control_characters], **kwargs)


class Figure(fields.Field):
    """What is typed in a cell: a number, text ("1,400 (estimate)", "N/A - not collected"),
    or null (the cell left empty)."""

    def __init__(self, **kwargs):
        super().__init__(allow_none=True, metadata={
            "description": "A number; or text as typed in the cell ('1,400 (estimate)', 'N/A - reason'); or null.",
            "oneOf": [{"type": "number"}, {"type": "string", "maxLength": MAX_TEXT}],
            "nullable": True}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValidationError("Send a number, text or null.")
        if isinstance(value, str):
            if len(value) > MAX_TEXT:
                raise ValidationError(f"Send at most {MAX_TEXT:,} characters.")
            _no_control_characters(value)
            return value
        try:
            number = float(value)
        except OverflowError:
            raise ValidationError("This number is too large.") from None
        if not math.isfinite(number):
            raise ValidationError("This number is too large.")
        return value


# ---- errors ---------------------------------------------------------------------------------

class ErrorSchema(Schema):
    field = fields.String(required=True, metadata={"description": "The field, or 'Sheet!C7' for a cell of a file."})
    message = fields.String(required=True)


class ProblemSchema(Schema):
    field = fields.String(required=True)
    sheet = fields.String(allow_none=True, required=True)
    cell = fields.String(allow_none=True, required=True)
    severity = fields.String(required=True, validate=validate.OneOf(["error", "warning"]))
    message = fields.String(required=True)


class ErrorsSchema(Schema):
    errors = fields.List(fields.Nested(ErrorSchema), required=True)
    outcome = fields.String(metadata={"description": "'rejected' for a return that was checked and not stored."})
    problems = fields.List(fields.Nested(ProblemSchema))


# ---- paging ---------------------------------------------------------------------------------

class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000),
                          metadata={"description": "Which page of the list (from 1)."})
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=MAX_PER_PAGE),
                              metadata={"description": f"How many on a page (at most {MAX_PER_PAGE})."})


class PageSchema(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


# ---- templates ------------------------------------------------------------------------------

class TemplateArgs(PageArgs):
    period = Text(80, metadata={"description": "The return's period ('2015/16 Q4', 'Dec 2015 - Mar 2016'); "
                                               "default: this quarter."})


class FieldSchema(Schema):
    id = fields.String(required=True, metadata={"description": "The key to send its value under."})
    sheet = fields.String(required=True)
    cell = fields.String(required=True)
    row = fields.String(required=True)
    column = fields.String(required=True)
    indicator = fields.String(required=True)
    area = fields.String(allow_none=True, required=True)
    period = fields.String(required=True)
    measure = fields.String(required=True)
    type = fields.String(required=True)
    required = fields.Boolean(required=True)
    allow_na = fields.Boolean(required=True)
    min = fields.Float(allow_none=True, required=True)
    max = fields.Float(allow_none=True, required=True)


class TemplateSchema(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    version = fields.Integer(required=True)
    frequency = fields.String(allow_none=True, required=True)
    period = fields.String(required=True)
    takes_values = fields.Boolean(required=True, metadata={
        "description": "False: the template reads the agency's own spreadsheet, so send the file."})
    fields = fields.List(fields.Nested(FieldSchema), required=True)


class TemplatePageSchema(PageSchema):
    items = fields.List(fields.Nested(TemplateSchema), required=True)


# ---- submitting -----------------------------------------------------------------------------

class SubmitValuesSchema(Schema):
    template = Text(120, required=True, metadata={"description": "The template's short name (slug)."})
    period = Text(80, required=True, metadata={"description": "'2015/16 Q4', 'Dec 2015 - Mar 2016', a key."})
    values = fields.Dict(keys=Text(400), values=Figure(), required=True,
                         metadata={"description": "Field id → what is typed in its cell."})
    dry_run = fields.Boolean(load_default=False, metadata={"description": "Check and preview; store nothing."})
    comment = Text(MAX_TEXT, allow_none=True, metadata={"description": "Needed when the return has warnings."})
    agency = Text(120, allow_none=True, metadata={"description": "The agency's short name; must be the token's."})


class SubmitFileSchema(Schema):
    """A multipart form: the file, and what the upload page asks (each optional: the blank
    return records its template and period)."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})
    period = Text(80, allow_none=True)
    template = Text(120, allow_none=True)
    dry_run = fields.Boolean(load_default=False)
    comment = Text(MAX_TEXT, allow_none=True)
    agency = Text(120, allow_none=True)


class ChangeSide(Schema):
    value = fields.Raw(allow_none=True, required=True)
    flag = fields.String(allow_none=True, required=True)


class ChangeSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["changed", "added", "removed"]))
    measure = fields.String(required=True)
    indicator = fields.String(required=True)
    area = fields.String(allow_none=True, required=True)
    period = fields.String(required=True)
    old = fields.Nested(ChangeSide, allow_none=True, required=True)
    new = fields.Nested(ChangeSide, allow_none=True, required=True)


class ReadFigureSchema(Schema):
    indicator = fields.String(allow_none=True, required=True)
    indicator_slug = fields.String(required=True)
    area = fields.String(allow_none=True, required=True)
    area_code = fields.String(allow_none=True, required=True)
    period = fields.String(required=True)
    period_key = fields.String(required=True)
    measure = fields.String(required=True)
    value = fields.Raw(allow_none=True, required=True)
    flag = fields.String(allow_none=True, required=True)
    reason = fields.String(allow_none=True, required=True)
    note = fields.String(allow_none=True, required=True)
    sheet = fields.String(allow_none=True, required=True)
    cell = fields.String(allow_none=True, required=True)


class NamedTemplate(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    version = fields.Integer(required=True)


class NamedPeriod(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)


class SourceSchema(Schema):
    name = fields.String(required=True)
    size_bytes = fields.Integer(required=True)
    sha256 = fields.String(required=True)


class OutcomeSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(["stored", "dry_run"]))
    submission_id = fields.Integer(allow_none=True, required=True)
    supersedes = fields.Integer(allow_none=True, required=True, metadata={
        "description": "The submission this one replaced (a dry run: would replace)."})
    template = fields.Nested(NamedTemplate, required=True)
    agency = fields.String(required=True)
    period = fields.Nested(NamedPeriod, required=True)
    file = fields.Nested(SourceSchema, required=True)
    figures = fields.List(fields.Nested(ReadFigureSchema), required=True)
    problems = fields.List(fields.Nested(ProblemSchema), required=True, metadata={"description": "Warnings."})
    changes = fields.List(fields.Nested(ChangeSchema), required=True, metadata={
        "description": "What it changed (a dry run: would change) from the submission it replaces."})


# ---- reading back ---------------------------------------------------------------------------

class SubmissionSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["current", "superseded", "rejected"]))
    template = fields.String(required=True)
    template_version = fields.Integer(required=True)
    period = fields.String(required=True)
    period_label = fields.String(required=True)
    agency = fields.String(required=True)
    uploaded_at = fields.String(required=True)
    filename = fields.String(required=True)
    supersedes = fields.Integer(allow_none=True, required=True)
    comment = fields.String(allow_none=True, required=True)
    sent_by = fields.String(required=True)
    warnings = fields.List(fields.Dict(), required=True)


class SubmissionPageSchema(PageSchema):
    items = fields.List(fields.Nested(SubmissionSchema), required=True)


class StoredFigureSchema(Schema):
    measure = fields.String(required=True)
    indicator = fields.String(required=True)
    area = fields.String(allow_none=True, required=True)
    period = fields.String(required=True)
    value = fields.Raw(allow_none=True, required=True)
    flag = fields.String(allow_none=True, required=True)
    note = fields.String(allow_none=True, required=True)
    sheet = fields.String(allow_none=True, required=True)
    cell = fields.String(allow_none=True, required=True)


class SubmissionDetailSchema(SubmissionSchema):
    figures = fields.List(fields.Nested(StoredFigureSchema), required=True)
    changes = fields.List(fields.Nested(ChangeSchema), required=True)


# ---- indicator values and ratings -----------------------------------------------------------

class ResultArgs(PageArgs):
    period = Text(80, required=True, metadata={"description": "The dashboard's period ('2015/16 Q4', '2015/16')."})


class ResultSchema(Schema):
    indicator = fields.String(required=True)
    indicator_name = fields.String(required=True)
    area = fields.String(required=True)
    area_name = fields.String(required=True)
    period = fields.String(allow_none=True, required=True)
    latest = fields.Float(allow_none=True, required=True)
    latest_flag = fields.String(allow_none=True, required=True)
    previous_period = fields.String(allow_none=True, required=True)
    previous = fields.Float(allow_none=True, required=True)
    target = fields.Float(allow_none=True, required=True)
    rag = fields.String(allow_none=True, required=True, validate=validate.OneOf(RAGS))
    rag_name = fields.String(allow_none=True, required=True)
    rag_reason = fields.String(allow_none=True, required=True)
    rag_overridden = fields.Boolean(required=True)
    direction = fields.String(allow_none=True, required=True)
    headline = fields.Boolean(required=True)


class ResultPageSchema(PageSchema):
    period = fields.String(required=True)
    period_label = fields.String(required=True)
    items = fields.List(fields.Nested(ResultSchema), required=True)
