"""Admin forms. Server-side validation; each message sits next to its field."""
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from app.indicators.model import RECOMPUTE_SCALE, per_head_of_population
from app.models.area import AREA_KINDS
from app.services.accounts import PASSWORD_MIN_LENGTH, password_problems
from app.models.indicator import (
    AGGREGATION_LABELS,
    COMPARISON_BASES,
    COMPARISON_BASIS_LABELS,
    DEFAULT_STABLE_WITHIN,
    RAG_METHODS,
)
from app.models.user import ROLE_LABELS
from app.vocabulary import POLARITY_LABELS, UNIT_LABELS
from app.web.forms import DecimalField, IntegerField, LinesField, ReferenceSelect, StrictChoice, options, strip

SLUG = Regexp(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message="Use lower-case letters, numbers and hyphens only, like 'blaby-council'"
)
OTHER_NAMES_HINT = ("One a line: the names this {noun} goes by in partners' spreadsheets, for example '{example}'. "
                    "Every template reads them.")
RAG_METHOD_LABELS = {
    "none": "No rating",
    "target": "Against the target, with tolerance bands",
    "previous_year": "Against the same period last year, with bands",
    "manual": "Set by hand each period",
}


class UserForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the person's name"), Length(max=120)],
    )
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            InputRequired(message="Enter an email address"),
            Email(message="Enter an email address like name@council.gov.uk"),
            Length(max=254),
        ],
    )
    role = SelectField(
        "Role",
        widget=GovSelect(),
        choices=options(list(ROLE_LABELS.items())),
        validate_choice=False,
        validators=[InputRequired(message="Select a role"), StrictChoice("role")],
    )
    agency_id = ReferenceSelect("Agency (officers only)", none_label="No agency")
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        description=f"At least {PASSWORD_MIN_LENGTH} characters, not a common password and not their email address. "
                    "Leave blank to keep the current password; for a new user, to email them an invitation to "
                    "choose their own.",
        validators=[Optional()],
    )
    active = BooleanField("Account is active (the person can sign in)", widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Save user", widget=GovSubmitInput())

    def validate_password(self, field):
        """The one password rule (``app.services.accounts.password_problems``)."""
        problems = password_problems(field.data, self.email.data)
        if field.data and problems:
            raise ValidationError(problems[0])


class AreaForm(FlaskForm):
    name = StringField(
        "Name", widget=GovTextInput(), validators=[InputRequired(message="Enter the area's name"), Length(max=120)]
    )
    code = StringField(
        "Short code",
        widget=GovTextInput(),
        description="As used on the dashboard, for example HB for Hinckley & Bosworth.",
        validators=[
            InputRequired(message="Enter a short code"),
            Length(max=12, message="Use 12 characters or fewer"),
            Regexp(r"^[A-Za-z0-9]+$", message="Use letters and numbers only"),
        ],
    )
    aliases = LinesField(
        "Other names",
        widget=GovTextArea(),
        description=OTHER_NAMES_HINT.format(noun="area", example="NWLDC"),
    )
    kind = SelectField(
        "Kind of area",
        widget=GovSelect(),
        choices=options([(k, k.title()) for k in AREA_KINDS]),
        validate_choice=False,
        validators=[InputRequired(message="Select the kind of area"), StrictChoice("kind of area")],
    )
    parent_id = ReferenceSelect("Part of (wider footprint)", none_label="Not part of another area")
    population_year = IntegerField(
        "Population estimate year",
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(min=1990, max=2100, message="Enter a year between 1990 and 2100")],
    )
    population = IntegerField(
        "Population",
        widget=GovTextInput(),
        description="Mid-year estimate, used for rates per 1,000 and per 100,000.",
        validators=[Optional(), NumberRange(min=1, message="Population must be a positive whole number")],
    )
    submit = SubmitField("Save area", widget=GovSubmitInput())

    def validate_population(self, field):
        if (field.data is None) != (self.population_year.data is None):
            raise ValidationError("Enter both the population and the year it is for")


class AgencyForm(FlaskForm):
    name = StringField(
        "Name", widget=GovTextInput(), validators=[InputRequired(message="Enter the agency's name"), Length(max=200)]
    )
    slug = StringField(
        "Short name for files and commands",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter a short name"), Length(max=60), SLUG],
    )
    area_id = ReferenceSelect("Area it serves", none_label="The whole partnership")
    contact_email = EmailField(
        "Contact email",
        widget=GovTextInput(),
        validators=[Optional(), Email(message="Enter an email address like name@council.gov.uk")],
    )
    submit = SubmitField("Save agency", widget=GovSubmitInput())


class OutcomeForm(FlaskForm):
    name = StringField(
        "Outcome (theme)",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the outcome"), Length(max=300)],
    )
    description = TextAreaField("Description", widget=GovTextArea(), validators=[Optional(), Length(max=4000)])
    sort_order = IntegerField(
        "Position on the dashboard",
        widget=GovTextInput(),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=10000, message="Enter a whole number from 0")],
    )
    submit = SubmitField("Save outcome", widget=GovSubmitInput())


class IndicatorForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a name for the indicator"),
            Length(max=300, message="Use 300 characters or fewer"),
        ],
    )
    slug = StringField(
        "Short name",
        widget=GovTextInput(),
        description="Used in templates and files, for example 'domestic-burglary-rate'.",
        validators=[InputRequired(message="Enter a short name"), Length(max=80), SLUG],
    )
    aliases = LinesField(
        "Other names",
        widget=GovTextArea(),
        description=OTHER_NAMES_HINT.format(noun="indicator", example="Calls to the helpline"),
    )
    outcome_id = ReferenceSelect("Outcome (theme)", none_label="Not under an outcome")
    unit = SelectField(
        "Unit",
        widget=GovSelect(),
        choices=options(list(UNIT_LABELS.items())),
        validate_choice=False,
        validators=[InputRequired(message="Select the unit"), StrictChoice("unit")],
    )
    polarity = SelectField(
        "Which direction is better",
        widget=GovSelect(),
        choices=options(list(POLARITY_LABELS.items())),
        validate_choice=False,
        validators=[InputRequired(message="Select which direction is better"), StrictChoice("direction")],
    )
    aggregation = SelectField(
        "How it combines across areas",
        widget=GovSelect(),
        choices=options(list(AGGREGATION_LABELS.items())),
        validate_choice=False,
        validators=[InputRequired(message="Select how it combines"), StrictChoice("way of combining")],
    )
    numerator_id = ReferenceSelect(
        "Numerator indicator", none_label="None",
        description="For a rate per 1,000 or 100,000 population: the count it is a rate of.")
    denominator_id = ReferenceSelect(
        "Denominator indicator", none_label="None",
        description="Leave as None for a rate per 1,000 or 100,000 population: the areas' populations "
                    "(on the Areas page) are its denominator, for a county the sum of its districts'.")
    decimals = IntegerField(
        "Decimal places shown",
        widget=GovTextInput(),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=4, message="Enter a number from 0 to 4")],
    )
    definition = TextAreaField("Definition", widget=GovTextArea(), validators=[Optional(), Length(max=4000)])
    source = TextAreaField("Source", widget=GovTextArea(), validators=[Optional(), Length(max=4000)])
    rag_method = SelectField(
        "Red/amber/green rating",
        widget=GovSelect(),
        choices=options([(m, RAG_METHOD_LABELS[m]) for m in RAG_METHODS]),
        validate_choice=False,
        default="none",
        validators=[InputRequired(message="Select how it is rated"), StrictChoice("rating rule")],
    )
    rag_band_kind = SelectField(
        "Bands measured in",
        widget=GovSelect(),
        choices=options([("percent", "Per cent (relative)"), ("absolute", "Absolute (same unit as the figure)")]),
        validate_choice=False,
        default="percent",
        validators=[InputRequired(), StrictChoice("kind of band")],
    )
    rag_green_within = DecimalField(
        "Green if worse by at most",
        widget=GovTextInput(),
        default=0,
        places=None,
        validators=[Optional(), NumberRange(min=0, message="Enter 0 or more")],
    )
    rag_amber_within = DecimalField(
        "Amber if worse by at most",
        widget=GovTextInput(),
        default=0,
        places=None,
        validators=[Optional(), NumberRange(min=0, message="Enter 0 or more")],
    )
    rag_rate_estimates = BooleanField(
        "Rate estimates too (normally an estimate gets no rating)", widget=GovCheckboxInput()
    )
    trend_periods = IntegerField(
        "Direction of travel looks at this many recent periods",
        widget=GovTextInput(),
        default=4,
        description="For example 4 quarters or 3 years. At least 3 figures are needed for a direction.",
        validators=[Optional(), NumberRange(min=3, max=24, message="Enter a number of periods from 3 to 24")],
    )
    comparison_basis = SelectField(
        "Compare the latest figure with",
        widget=GovSelect(),
        choices=options([(b, COMPARISON_BASIS_LABELS[b]) for b in COMPARISON_BASES]),
        validate_choice=False,
        default="same_period_last_year",
        description="Like for like unless the measure is a cohort or rolling figure published over periods of "
                    "different lengths (re-offending from April to December compared with the last whole year).",
        validators=[Optional(), StrictChoice("comparison")],
    )
    stable_within = DecimalField(
        "Direction of travel is stable within",
        widget=GovTextInput(),
        default=DEFAULT_STABLE_WITHIN,
        places=None,
        description="Per cent (percentage points for a percentage). From two figures: their change; from three or "
                    "more: the trend's change per period.",
        validators=[Optional(), NumberRange(min=0, max=1000, message="Enter a number from 0 to 1000")],
    )
    suppress_small_counts = BooleanField(
        "Hide counts below 5 in the public workbook "
        "(untick only for figures that cannot identify anyone, such as money)",
        widget=GovCheckboxInput(),
        default=True,
    )
    submit = SubmitField("Save indicator", widget=GovSubmitInput())

    def validate_rag_amber_within(self, field):
        green = self.rag_green_within.data or 0
        if field.data is not None and field.data < green:
            raise ValidationError("The amber band must be at least as wide as the green band")

    def validate_aggregation(self, field):
        if field.data == "recompute" and self.unit.data in UNIT_LABELS and self.unit.data not in RECOMPUTE_SCALE:
            raise ValidationError(f"A {UNIT_LABELS[self.unit.data].lower()} cannot be recomputed from a numerator and "
                                  "denominator (only percentages, rates and ratios can): choose another way to combine")

    def validate_denominator_id(self, field):
        if self.aggregation.data != "recompute":
            return
        if per_head_of_population(self.unit.data, field.data):
            if not self.numerator_id.data:
                raise ValidationError("To work out a rate per head of population, choose the count it is a rate "
                                      "of as the numerator indicator")
        elif not (self.numerator_id.data and field.data):
            raise ValidationError("To recompute across areas, choose both a numerator and a denominator indicator "
                                  "(only a rate per 1,000 or 100,000 population may leave the denominator out)")

