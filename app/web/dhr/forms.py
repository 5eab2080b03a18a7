"""DHR forms. Dates are typed as council staff write them ("31/03/2016", also "31 March
2016"); amounts as "2500", "2,500" or "£2,500.00". Each message sits next to its field."""
from datetime import date, datetime
from decimal import Decimal

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, StopValidation

from app.dhr.actions import SCOPES, STATUSES
from app.dhr.budget import COST_KINDS, to_decimal
from app.dhr.clocks import REVIEW_TYPES
from app.services.dhr import CASE_STATUS_LABELS
from app.web.forms import ReferenceSelect, StrictChoice, options, strip

DATE_PATTERNS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d")
DATE_HINT = "For example, 31/03/2016"


def parse_uk_date(text: str) -> date | None:
    """'31/03/2016', '31/3/16', '31 March 2016', '31 Mar 2016' or '2016-03-31'; None if none fits."""
    cleaned = " ".join(text.replace(",", " ").split())
    for pattern in DATE_PATTERNS:
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    return None


class UkDateField(StringField):
    """One text box for a date. ``what`` names it in messages ("the decision date")."""

    widget = GovTextInput()

    def __init__(self, label, what: str, **kwargs):
        kwargs.setdefault("description", DATE_HINT)
        kwargs.setdefault("validators", [Optional()])
        super().__init__(label, **kwargs)
        self.what = what
        self.raw_text = ""
        self.unreadable = False

    def process_formdata(self, valuelist):
        self.raw_text = (valuelist[0] if valuelist else "").strip()
        self.data = parse_uk_date(self.raw_text) if self.raw_text else None
        self.unreadable = bool(self.raw_text) and self.data is None

    def pre_validate(self, form):
        if self.unreadable:
            raise StopValidation(f"Enter {self.what} as a date, for example 31/03/2016 (not '{self.raw_text}')")

    def _value(self):
        if self.raw_text:
            return self.raw_text
        return self.data.strftime("%d/%m/%Y") if isinstance(self.data, date) else ""


class AmountField(StringField):
    """Money ("£2,500.00") or a count ("2.5"), 0 or more; blank is None (never 0)."""

    widget = GovTextInput()

    def __init__(self, label, what: str, unit: str = "money", **kwargs):
        super().__init__(label, **kwargs)
        self.what, self.unit = what, unit
        self.raw_text = ""

    def process_formdata(self, valuelist):
        self.raw_text = (valuelist[0] if valuelist else "").strip()
        value = to_decimal(self.raw_text)
        self.data = value if isinstance(value, Decimal) and value.is_finite() else None

    def pre_validate(self, form):
        example = "2500 or 2,500.00" if self.unit == "money" else "2 or 2.5"
        if self.raw_text and self.data is None:
            raise StopValidation(f"Enter {self.what} as a number, for example {example}")
        if self.data is not None and self.data < 0:
            raise StopValidation(f"Enter {self.what} as 0 or more, for example {example}")

    def _value(self):
        if self.raw_text:
            return self.raw_text
        if isinstance(self.data, Decimal):
            places = 0 if self.data == self.data.to_integral_value() else 2
            return f"{self.data:,.{places}f}" if self.unit == "money" else f"{self.data.normalize():f}"
        return ""


def money(label, what, required=True, **kwargs):
    check = InputRequired(message=f"Enter {what}") if required else Optional()
    return AmountField(label, what, validators=[check], **kwargs)


def choice(label, labels: dict, what: str, **kwargs) -> SelectField:
    return SelectField(label, widget=GovSelect(), choices=options(labels.items()), validate_choice=False,
                       validators=[InputRequired(message=f"Select {what}"), StrictChoice(what)], **kwargs)


def short_text(label, what, max_length, required=True, **kwargs) -> StringField:
    check = InputRequired(message=f"Enter {what}") if required else Optional()
    return StringField(
        label,
        widget=GovTextInput(),
        filters=[strip],
        validators=[check, Length(max=max_length, message=f"Use {max_length} characters or fewer")],
        **kwargs,
    )


def long_text(label, what, required=False, **kwargs) -> TextAreaField:
    check = InputRequired(message=f"Enter {what}") if required else Optional()
    return TextAreaField(label, widget=GovTextArea(), validators=[check, Length(max=4000)], **kwargs)


class CaseForm(FlaskForm):
    pseudonym = short_text("Pseudonym", "a pseudonym for the case", 60,
                     description="Never a real name: the pseudonym agreed for the review, for example 'Mary' or 'FN'.")
    area_id = ReferenceSelect("Area", none_label="Not recorded")
    review_type = choice("Type of review", REVIEW_TYPES, "the type of review", default="dhr")
    status = choice("Status", CASE_STATUS_LABELS, "the case's status", default="under_consideration")
    incident = UkDateField("Date of the incident", "the incident date")
    notification = UkDateField("Date the Community Safety Partnership was notified", "the notification date",
                               description=f"The decision clock starts here. {DATE_HINT}")
    decision = UkDateField("Date of the decision to hold a review", "the decision date",
                           description=f"The review clock starts here. {DATE_HINT}")
    home_office_told = UkDateField("Date the Home Office was told", "the date the Home Office was told")
    chair_appointed = UkDateField("Date the independent chair was appointed", "the chair appointment date")
    author_appointed = UkDateField("Date the author was appointed", "the author appointment date")
    report_sent = UkDateField("Date the report was sent to the Home Office", "the date the report was sent",
                              description=f"The review clock stops here. {DATE_HINT}")
    qa_outcome_date = UkDateField(
        "Date of the Home Office quality-assurance outcome", "the quality-assurance outcome date"
    )
    qa_outcome = short_text("Quality-assurance outcome", "the outcome", 200, required=False)
    publication = UkDateField("Date of publication", "the publication date")
    chair = short_text("Independent chair", "the chair", 120, required=False)
    chair_cost = money("Chair's cost (£)", "the chair's cost", required=False)
    author = short_text("Overview report author", "the author", 120, required=False)
    author_cost = money("Author's cost (£)", "the author's cost", required=False)
    delay_reason = long_text("Reasons for delay", "the reasons",
                             description="For example, waiting for the criminal trial.")
    notes = long_text("Notes", "notes", description="Do not enter anyone's real name.")
    submit = SubmitField("Save case", widget=GovSubmitInput())


class PanelMeetingForm(FlaskForm):
    meeting_date = UkDateField("Date of a panel meeting", "the panel meeting date",
                               validators=[InputRequired(message="Enter the date of the panel meeting")])
    submit = SubmitField("Add panel meeting", widget=GovSubmitInput())


class BudgetYearForm(FlaskForm):
    year = short_text("Financial year", "the financial year", 20, description="For example, 2016/17")
    opening_reserve = money("Opening reserve carried forward (£)", "the opening reserve",
                            description="What was left in the pot at the end of the year before.")
    reviews_expected = AmountField("Reviews expected a year", "the number of reviews expected", unit="count",
                                   description="May be a fraction, for example 2.5.",
                                   validators=[InputRequired(message="Enter the number of reviews expected")])
    cost_per_review = money("Estimated cost per review (£)", "the cost per review",
                            description="Independent chair and author for one review.")
    fixed_support = money("Fixed support a year (£)", "the fixed support cost",
                          description="The business office support used in the forecast.")
    notes = long_text("Notes", "notes")
    submit = SubmitField("Save financial year", widget=GovSubmitInput())


DRAWN_DOWN_CHOICES = options([("yes", "Yes, drawn down this year"), ("no", "No, left with the partner this year")])


class ContributionForm(FlaskForm):
    agency_id = ReferenceSelect("Agency that pays it", none_label="Found from the name (or none: a named partner)",
                                description="A name such as Charnwood finds its council. For a partner that is not "
                                            "one of the partnership's agencies, leave this and enter its name below.")
    partner = short_text("Name in the budget", "the partner's name", 200, required=False,
                         description="As the budget names the partner, for example Charnwood. "
                                     "Leave blank to use the agency's name.")
    due = money("Contribution due this year (£)", "the contribution due")
    received_in_advance = money("Received in an earlier year (£)", "the amount received in advance", default=Decimal(0),
                                description="Any part of this year's contribution paid in an earlier year "
                                            "(it is already in the opening reserve). 0 if none.")
    drawn_down = RadioField("Is the contribution drawn down this year?", widget=GovRadioInput(),
                            choices=DRAWN_DOWN_CHOICES, default="yes", validate_choice=False,
                            validators=[InputRequired(message="Say whether the contribution is drawn down"),
                                        StrictChoice("answer")])
    submit = SubmitField("Save contribution", widget=GovSubmitInput())


class CostForm(FlaskForm):
    label = short_text(
        "Description", "what the cost is for", 200, description="For example, independent author for 'AB'."
    )
    kind = choice("Kind of cost", COST_KINDS, "the kind of cost")
    amount = money("Amount (£)", "the amount")
    case_id = ReferenceSelect("Case (for the actual cost of a case)", none_label="Not for one case")
    submit = SubmitField("Save cost", widget=GovSubmitInput())


class FillFromReturnForm(FlaskForm):
    year = short_text("Financial year", "the financial year", 20, description="For example, 2016/17")
    submit = SubmitField("Fill this year's budget from the DHR budget return", widget=GovSubmitInput())


class ActionForm(FlaskForm):
    case_id = ReferenceSelect("Review", none_label="Cross-cutting (not from one review)")
    scope = choice("Single- or multi-agency", {s: s.capitalize() for s in SCOPES}, "single- or multi-agency")
    lead_agency = short_text("Lead agency", "the lead agency", 200)
    action = long_text("Action", "the action", required=True)
    due_date = UkDateField("Due date", "the due date")
    status = choice("Status", {s: s.capitalize() for s in STATUSES}, "the status", default="not started")
    completed_on = UkDateField("Date completed", "the completion date",
                               description=f"For a completed action. {DATE_HINT}")
    impact_review_due = UkDateField("Date to review the impact", "the impact review date",
                                    description="Leave blank to review it 6 months after completion.")
    submit = SubmitField("Save action", widget=GovSubmitInput())


class ActionUpdateForm(FlaskForm):
    quarter = short_text("Quarter", "the quarter", 20, description="For example, 2016/17 Q1")
    text = long_text("Progress", "the progress made", required=True)
    evidence = long_text(
        "Evidence", "the evidence", description="What shows the progress, for example a report or an audit."
    )
    submit = SubmitField("Add update", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A bare form for POST buttons (remove, grant, revoke): CSRF only."""
