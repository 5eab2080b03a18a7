"""Action plan forms. A timescale is typed as a plan writes it: "October 2015",
"31/10/2015" or "ongoing"."""
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput,
)
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation

from app.plans import STATUSES, parse_timescale
from app.vocabulary import ACTION_TIERS, RAG_NAMES
from app.web.forms import IntegerField, ReferenceSelect, StrictChoice, database_id, options, strip

RAG_CHOICES = options([("", "Not rated")] + list(RAG_NAMES.items()))
STATUS_CHOICES = options([(s, s.capitalize()) for s in STATUSES])
TIER_CHOICES = options([("", "Not given")] + [(t, t) for t in ACTION_TIERS])


class PlanForm(FlaskForm):
    strategy = StringField("Strategy", widget=GovTextInput(), filters=[strip],
                           description="For example, Domestic Abuse Strategy 2015-18",
                           validators=[InputRequired(message="Enter the strategy this plan delivers"),
                                       Length(max=200)])
    theme = StringField("Theme", widget=GovTextInput(), filters=[strip], validators=[Optional(), Length(max=200)])
    submit = SubmitField("Save the plan", widget=GovSubmitInput())


class ObjectiveForm(FlaskForm):
    number = IntegerField("Number", widget=GovTextInput(), description="Leave blank for the next number",
                          validators=[Optional(), NumberRange(min=1, max=999, message="Number it from 1 to 999")])
    title = TextAreaField("Objective", widget=GovTextArea(), filters=[strip],
                          validators=[InputRequired(message="Enter the objective"), Length(max=4000)])
    outcome = TextAreaField("Outcome statement", widget=GovTextArea(), filters=[strip],
                            description="What will be different when the objective is met",
                            validators=[Optional(), Length(max=4000)])
    submit = SubmitField("Save the objective", widget=GovSubmitInput())


class TimescaleField(StringField):
    """A date, a month (its last day) or "ongoing"; its data is an ``app.plans.Timescale``."""

    widget = GovTextInput()

    def process_formdata(self, valuelist):
        self.raw_text = (valuelist[0] if valuelist else "").strip()[:200]
        self.data = parse_timescale(self.raw_text)

    def pre_validate(self, form):
        if self.data is None:
            raise StopValidation("Enter the timescale as a date (31/10/2015), a month (October 2015) or 'ongoing'")

    def _value(self):
        if getattr(self, "raw_text", None):
            return self.raw_text
        return self.data.text() if self.data is not None and hasattr(self.data, "text") else ""


class ActionForm(FlaskForm):
    objective_id = ReferenceSelect("Objective", none_label="No objective")
    action = TextAreaField("Action", widget=GovTextArea(), filters=[strip],
                           validators=[InputRequired(message="Describe the action"), Length(max=4000)])
    lead_agency = StringField("Lead(s)", widget=GovTextInput(), filters=[strip],
                              description="As the plan names them, for example 'Data Task Group'",
                              validators=[Optional(), Length(max=200)])
    lead_agency_id = ReferenceSelect("Agency that reports on it each quarter", none_label="No agency")
    timescale = TimescaleField("Timescale", description="A date (31/10/2015), a month (October 2015) or 'ongoing'")
    tasks = TextAreaField("Tasks and milestones", widget=GovTextArea(), filters=[strip],
                          description="One a line", validators=[Optional(), Length(max=4000)])
    rag = SelectField("RAG status", widget=GovSelect(), choices=RAG_CHOICES, validators=[StrictChoice("RAG status")],
                      validate_choice=False)
    status = SelectField("Status", widget=GovSelect(), choices=STATUS_CHOICES, validate_choice=False,
                         validators=[StrictChoice("status")])
    tier = SelectField("Contributes to tier", widget=GovSelect(), choices=TIER_CHOICES, validate_choice=False,
                       validators=[StrictChoice("tier")])
    indicator_ids = SelectMultipleField("Indicators it is meant to move", widget=GovCheckboxesInput(),
                                        coerce=database_id, validate_choice=False)
    submit = SubmitField("Save the action", widget=GovSubmitInput())


class UpdateForm(FlaskForm):
    quarter = StringField("Quarter", widget=GovTextInput(), filters=[strip], description="For example, 2016/17 Q1",
                          validators=[InputRequired(message="Enter the quarter, for example 2016/17 Q1"),
                                      Length(max=20)])
    rag = SelectField("RAG status now", widget=GovSelect(), choices=RAG_CHOICES, validate_choice=False,
                      validators=[StrictChoice("RAG status")])
    status = SelectField("Status now", widget=GovSelect(), choices=options([("", "Unchanged")]) + STATUS_CHOICES,
                         validate_choice=False, validators=[StrictChoice("status")])
    text = TextAreaField("Progress this quarter", widget=GovTextArea(), filters=[strip],
                         validators=[InputRequired(message="Say what progress was made this quarter"),
                                     Length(max=4000)])
    evidence = TextAreaField("Evidence", widget=GovTextArea(), filters=[strip], validators=[Optional(),
                                                                                          Length(max=4000)])
    submit = SubmitField("Add the update", widget=GovSubmitInput())
