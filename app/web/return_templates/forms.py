"""Forms of the template editor. Each maps one part of a TemplateDefinition."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms.widgets import HiddenInput
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional

from app.definition import LAYOUT_NAMES, MEASURES
from app.web.forms import DecimalField, IntegerField, StrictChoice, options, strip

FREQUENCY_LABELS = {
    "quarterly": "Quarterly",
    "monthly": "Monthly",
    "annual": "Annual (financial year)",
    "span": "A span of months",
}
TYPE_LABELS = {
    "whole": "Whole number",
    "decimal": "Decimal number",
    "percent": "Percentage (75 means 75%)",
    "money": "Money (£)",
    "date": "Date",
    "text": "Text",
}
KIND_LABELS = {"area": "An area", "period": "A period", "measure": "A measure (target, performance, comment)"}
MEASURE_LABELS = {
    "value": "The figure (performance)",
    "target": "The target",
    "comment": "A comment",
    "previous_year": "Last year's figure",
}
ROLE_LABELS = {
    "input": "Entered by the agency",
    "total": "A total the agency enters (checked)",
    "reference": "Shown for reference only",
}
CROSS_KIND_LABELS = {
    "sum_equals": "A total equals the sum of its parts",
    "less_or_equal": "The parts are no more than the total (e.g. repeats ≤ cases)",
    "percent_range": "Each figure is a percentage from 0 to 100",
}


def lines(text: str | None) -> list[str]:
    """A textarea of one item per line → the non-empty, trimmed lines."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def select(label, labels: dict, what: str, **kwargs) -> SelectField:
    return SelectField(label, widget=GovSelect(), choices=options(labels.items()), validate_choice=False,
                       validators=[InputRequired(message=f"Select {what}"), StrictChoice(what)], **kwargs)


def optional_select(label, **kwargs) -> SelectField:
    """Choices are filled in by the route (areas, indicators, sheets)."""
    return SelectField(label, widget=GovSelect(), validate_choice=False, validators=[Optional()], **kwargs)


class SettingsForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        filters=[strip],
        validators=[InputRequired(message="Enter the template's name"), Length(max=200)],
    )
    slug = StringField(
        "Short name",
        widget=GovTextInput(),
        filters=[strip],
        description="Used in file names and commands, for example 'appendix-2-da-sv-outputs'. It cannot change later.",
        validators=[InputRequired(message="Enter a short name"), Length(max=80)],
    )
    frequency = select("How often it is returned", FREQUENCY_LABELS, "how often it is returned")
    agencies = SelectMultipleField(
        "Agencies that submit it", widget=GovCheckboxesInput(), validate_choice=False, choices=[]
    )
    due_days = IntegerField(
        "Days after the period ends that it is due",
        widget=GovTextInput(),
        default=28,
        validators=[
            InputRequired(message="Enter the number of days"),
            NumberRange(min=0, max=366, message="Enter a number of days from 0 to 366"),
        ],
    )
    instructions = TextAreaField(
        "Instructions for the agency", widget=GovTextArea(), validators=[Optional(), Length(max=4000)]
    )
    submit = SubmitField("Save settings", widget=GovSubmitInput())


class SheetForm(FlaskForm):
    name = StringField(
        "Sheet name",
        widget=GovTextInput(),
        filters=[strip],
        description="As it appears on the tab in Excel: at most 31 characters.",
        validators=[InputRequired(message="Enter a sheet name")],
    )
    # A "tables" sheet describes an agency's own spreadsheet: it is made from an example file
    # (the proposal page) or in the JSON editor, not laid out here.
    layout = select("Layout", {k: v for k, v in LAYOUT_NAMES.items() if k != "tables"}, "a layout",
                    description="A sheet in an agency's own layout (several tables, headings in any direction) "
                                "is not laid out here: create the template from the agency's spreadsheet, "
                                "correct it on its proposal page, or edit the definition as JSON.")
    title = StringField(
        "Title shown at the top of the sheet", widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    default_area = optional_select("Area the figures are for (when the columns do not say)")
    with_previous_year = BooleanField("Show last year's figure beside each period column", widget=GovCheckboxInput())
    note_column = BooleanField("Add a notes column", widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Save sheet", widget=GovSubmitInput())


class RuleFields:
    """The input rule, shared by rows and (optionally) columns."""

    # Optional here: a column without a rule of its own ignores it; a row without a type is
    # caught by the definition's validation, next to this field.
    rule_type = SelectField("Type of entry", widget=GovSelect(), choices=options(TYPE_LABELS.items()), default="whole",
                            validate_choice=False, validators=[Optional(), StrictChoice("a type of entry")])
    rule_required = BooleanField("Must be filled in", widget=GovCheckboxInput(), default=True)
    rule_min = DecimalField(
        "Lowest value allowed", widget=GovTextInput(), places=None, default=0, validators=[Optional()]
    )
    rule_max = DecimalField("Highest value allowed", widget=GovTextInput(), places=None, validators=[Optional()])
    rule_allow_na = BooleanField("'N/A' is allowed", widget=GovCheckboxInput())
    rule_na_needs_reason = BooleanField("'N/A' needs a reason", widget=GovCheckboxInput(), default=True)


class RowForm(RuleFields, FlaskForm):
    label = StringField(
        "Row label",
        widget=GovTextInput(),
        filters=[strip],
        description="As it appears in the return.",
        validators=[InputRequired(message="Enter the row's label"), Length(max=300)],
    )
    aliases = TextAreaField("Other labels to recognise (one per line)", widget=GovTextArea(), validators=[Optional()])
    indicator = optional_select("Indicator")
    area = optional_select("Area (only if this row is for one area)")
    help = StringField("Help shown to the agency", widget=GovTextInput(), validators=[Optional(), Length(max=500)])
    submit = SubmitField("Save row", widget=GovSubmitInput())


class ColumnForm(RuleFields, FlaskForm):
    header = StringField(
        "Column header",
        widget=GovTextInput(),
        filters=[strip],
        validators=[InputRequired(message="Enter the column's header"), Length(max=120)],
    )
    aliases = TextAreaField("Other headers to recognise (one per line)", widget=GovTextArea(), validators=[Optional()])
    kind = select("The column holds", KIND_LABELS, "what the column holds")
    area = optional_select("Area (for an area column, or a measure for one area)")
    period = StringField(
        "Period (for a period column)",
        widget=GovTextInput(),
        filters=[strip],
        description="Q1 to Q4, year, rolling_12_months, year_to_date, previous_year:Q1 … "
        "or a period such as 2015/16 Q4.",
        validators=[Optional(), Length(max=60)],
    )
    measure = optional_select("Measure (for a measure column)")
    role = select("Role", ROLE_LABELS, "the column's role", default="input")
    has_rule = BooleanField(
        "This column has its own rule (otherwise each row's rule applies)", widget=GovCheckboxInput()
    )
    submit = SubmitField("Save column", widget=GovSubmitInput())


class CrossRuleForm(FlaskForm):
    """A check across figures, built by choosing the template's rows and columns from lists
    (the route fills the choices with the template's row labels and column headers)."""

    kind = select("Check", CROSS_KIND_LABELS, "a kind of check")
    sheet = optional_select("Sheet")
    part_rows = SelectMultipleField(
        "Rows of the parts (none chosen: each row)", widget=GovCheckboxesInput(), validate_choice=False, choices=[]
    )
    part_columns = SelectMultipleField(
        "Columns of the parts (none chosen: each column)", widget=GovCheckboxesInput(), validate_choice=False,
        choices=[]
    )
    total_row = optional_select("Row of the total")
    total_column = optional_select("Column of the total")
    tolerance = DecimalField(
        "Tolerance",
        widget=GovTextInput(),
        places=None,
        default=0,
        validators=[Optional(), NumberRange(min=0, message="Enter 0 or more")],
    )
    message = StringField(
        "Message to show when the check fails (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=300)],
    )
    submit = SubmitField("Save the check", widget=GovSubmitInput())

    def fill(self, defn) -> None:
        """The template's sheets, row labels and column headers as the lists to choose from."""
        rows = list(dict.fromkeys(row.label for sheet in defn.sheets for row in sheet.rows))
        columns = list(dict.fromkeys(column.header for sheet in defn.sheets for column in sheet.columns))
        self.sheet.choices = options([("", "Every sheet")] + [(sheet.name, sheet.name) for sheet in defn.sheets])
        self.part_rows.choices = options((label, label) for label in rows)
        self.part_columns.choices = options((header, header) for header in columns)
        self.total_row.choices = options([("", "None")] + [(label, label) for label in rows])
        self.total_column.choices = options([("", "None")] + [(header, header) for header in columns])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in (self.sheet, self.part_rows, self.part_columns, self.total_row, self.total_column):
            known = {str(value) for value, *_ in field.iter_choices()}
            chosen = field.data if isinstance(field.data, list) else [field.data or ""]
            strange = [c for c in chosen if c and c not in known]
            if strange:
                field.errors = [*field.errors, f"Choose from the list: '{strange[0][:80]}' is not in this template"]
                valid = False
        return valid


class JsonForm(FlaskForm):
    definition = TextAreaField(
        "Definition (JSON)", widget=GovTextArea(), validators=[InputRequired(message="Paste the definition")]
    )
    submit = SubmitField("Save definition", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A bare form for POST buttons (publish, remove): CSRF only."""


MEASURE_CHOICES = [("", "None")] + [(m, MEASURE_LABELS[m]) for m in MEASURES]
# A proposal's corrections (the values are what app.services.template_examples accepts).
SCALE_LABELS = {"1": "As written", "100": "× 100: percentages written as fractions (0.29 for 29%)",
                "0.01": "÷ 100", "1000": "× 1,000: figures written in thousands"}
BLANK_LABELS = {"not_returned": "Nothing was returned (no figure)", "not_available": "Not available (a figure "
                                                                                     "flagged not available)"}
FIXED_PERIOD_LABELS = {"period": "The return's period",
                       "Q1": "Q1 of the return's year", "Q2": "Q2 of the return's year",
                       "Q3": "Q3 of the return's year", "Q4": "Q4 of the return's year",
                       "year": "The return's financial year", "year_to_date": "The year to date",
                       "rolling_12_months": "The 12 months to the end of the return's period"}
FIXED_MEASURE_LABELS = {"value": "The figure (performance)", "target": "The target"}


class ExampleForm(FlaskForm):
    """A template from an agency's own spreadsheet."""

    file = FileField("The agency's spreadsheet (.xlsx)", widget=GovFileInput(),
                     description="A return the agency already sends, in its own layout, saved as Excel Workbook "
                                 "(.xlsx). It is kept as the template's reference copy.",
                     validators=[FileRequired(message="Choose the agency's spreadsheet")])
    agency = SelectField("Agency", widget=GovSelect(), validate_choice=False,
                         validators=[InputRequired(message="Choose the agency whose spreadsheet this is")])
    period = StringField("Period the spreadsheet is for (optional)", widget=GovTextInput(), filters=[strip],
                         description="For example '2015/16 Q4' or 'Dec 2015 - Mar 2016'.",
                         validators=[Optional(), Length(max=80)])
    submit = SubmitField("Propose a template", widget=GovSubmitInput())


class CorrectionForm(FlaskForm):
    """One correction to a proposal: what a row label or column heading is."""

    sheet = HiddenField(validators=[InputRequired()])
    table = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=0)])
    side = HiddenField(validators=[InputRequired(), AnyOf(("rows", "columns"))])
    label = HiddenField(validators=[InputRequired(), Length(max=300)])
    kind = SelectField("This is", validate_choice=False, choices=options([
        ("indicator", "An indicator"), ("area", "An area"), ("period", "A period"), ("ignore", "Ignore it"),
        ("check_only", "A total to check")]), validators=[InputRequired(message="Choose what this is"),
                                                        AnyOf(("indicator", "area", "period", "ignore", "check_only"),
                                                              message="Choose what this is")])
    indicator = SelectField("Indicator", validate_choice=False, validators=[Optional()])
    area = SelectField("Area", validate_choice=False, validators=[Optional()])
    period = StringField("Period", filters=[strip], validators=[Optional(), Length(max=60)])
    sign_flipped = BooleanField("Store its figures with the sign turned (a 'surplus/(shortfall)' row stored as the "
                                "shortfall)")
    scale = SelectField("Its figures are written", validate_choice=False, default="1", choices=options(
        SCALE_LABELS.items()), validators=[InputRequired(message="Choose how the figures are written"),
                                           AnyOf(tuple(SCALE_LABELS), message="Choose how the figures are written")])
    blank = SelectField("A blank cell under it means", validate_choice=False, default="not_returned",
                        choices=options(BLANK_LABELS.items()),
                        validators=[InputRequired(message="Choose what a blank cell means"),
                                    AnyOf(tuple(BLANK_LABELS), message="Choose what a blank cell means")])


class FixedForm(FlaskForm):
    """What a whole table's figures are for, where its rows and columns do not say."""

    sheet = HiddenField(validators=[InputRequired()])
    table = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=0)])
    indicator = SelectField("Indicator of every figure", validate_choice=False, validators=[Optional()])
    area = SelectField("Area of every figure", validate_choice=False, validators=[Optional()])
    period = SelectField("Period of every figure", validate_choice=False, choices=options(FIXED_PERIOD_LABELS.items()),
                         validators=[Optional(), AnyOf(tuple(FIXED_PERIOD_LABELS), message="Choose a period")])
    measure = SelectField("Every figure is", validate_choice=False, choices=options(FIXED_MEASURE_LABELS.items()),
                          validators=[Optional(), AnyOf(tuple(FIXED_MEASURE_LABELS), message="Choose a measure")])
