"""Managers' forms: ratings, commentary, outcome assessments, peer figures, the return
schedule, sign-off and unlock. Each message names what to do."""
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.web.forms import DecimalField, ReferenceSelect, StrictChoice, options, strip

RAG_CHOICES = [("R", "Red"), ("A", "Amber"), ("G", "Green")]
KIND_LABELS = {"override": "Override the calculated rating", "manual": "Manual rating (for an indicator rated by hand)"}


def reason_field(label: str, required_message: str, description: str) -> TextAreaField:
    """A reason a manager must give (kept in the audit log): up to 2,000 characters."""
    return TextAreaField(label, widget=GovTextArea(), filters=[strip], description=description,
                         validators=[InputRequired(message=required_message),
                                     Length(max=2000, message="Use 2,000 characters or fewer")])


class RatingForm(FlaskForm):
    area = HiddenField()
    kind = RadioField(
        "What kind of rating is this?",
        widget=GovRadioInput(),
        choices=options(KIND_LABELS.items()),
        validate_choice=False,
        validators=[
            InputRequired(message="Choose whether this overrides the calculated rating or is a manual rating"),
            StrictChoice("kind of rating"),
        ],
    )
    rag = RadioField("Rating", widget=GovRadioInput(), choices=options(RAG_CHOICES), validate_choice=False,
                     validators=[InputRequired(message="Choose Red, Amber or Green"), StrictChoice("rating")])
    reason = reason_field("Reason", "Give the reason for this rating",
                          "Shown beside the rating on the dashboard and in the workbook, and kept in the audit log.")
    submit = SubmitField("Save the rating", widget=GovSubmitInput())


class CommentaryForm(FlaskForm):
    scope = SelectField("Comment on", widget=GovSelect(), validate_choice=False)
    text = TextAreaField("Comment", widget=GovTextArea(), filters=[strip],
                         description="Leave empty and save to remove the comment.",
                         validators=[Optional(), Length(max=4000, message="Use 4,000 characters or fewer")])
    internal = BooleanField(
        "Internal: leave it out of the public workbook and officers' view", widget=GovCheckboxInput()
    )
    submit = SubmitField("Save the comment", widget=GovSubmitInput())


class OutcomeForm(FlaskForm):
    comment = TextAreaField("Overall comment", widget=GovTextArea(), filters=[strip],
                            validators=[Optional(), Length(max=4000, message="Use 4,000 characters or fewer")])
    internal = BooleanField(
        "Internal: leave the comment out of the public workbook and officers' view", widget=GovCheckboxInput()
    )
    rag_override = SelectField("Overall rating", widget=GovSelect(), validate_choice=False,
                               choices=options([("", "The calculated rating"), *RAG_CHOICES]),
                               validators=[Optional(), StrictChoice("overall rating")])
    override_reason = TextAreaField("Reason for overriding the overall rating", widget=GovTextArea(), filters=[strip],
                                    validators=[Optional(), Length(max=2000, message="Use 2,000 characters or fewer")])
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_override_reason(self, field):
        if self.rag_override.data and not field.data:
            raise ValidationError("Give the reason for overriding the overall rating")


class PeerForm(FlaskForm):
    period = StringField("Period the figure is for", widget=GovTextInput(), filters=[strip],
                         description="As you would write it, for example '2015/16' or '2015/16 Q4'.",
                         validators=[InputRequired(message="Enter the period the peer figure is for")])
    label = StringField(
        "Peer",
        widget=GovTextInput(),
        filters=[strip],
        description="For example 'England average' or 'Most similar group'.",
        validators=[
            InputRequired(message="Enter who the figure is for"),
            Length(max=120, message="Use 120 characters or fewer"),
        ],
    )
    value = DecimalField("Figure", widget=GovTextInput(), places=None,
                         validators=[InputRequired(message="Enter the peer's figure as a number, for example 3.2")])
    submit = SubmitField("Add the peer figure", widget=GovSubmitInput())


class ScheduleForm(FlaskForm):
    template_id = ReferenceSelect("Return template", none_label="Choose a return template")
    periods = TextAreaField(
        "Periods",
        widget=GovTextArea(),
        description="One a line, for example '2016/17 Q1'. Each agency that submits the template owes a return "
        "for each period, due the template's number of days after the period ends.",
        validators=[InputRequired(message="Enter at least one period, one a line")],
    )
    reason = reason_field("Why it is needed", "Say why these returns are needed beyond the template's schedule",
                          "The template's schedule already expects every period from its first one; add a return "
                          "here only for something else, for example a one-off return.")
    submit = SubmitField("Add to the schedule", widget=GovSubmitInput())

    def validate_template_id(self, field):
        if not field.data:
            raise ValidationError("Choose a return template")


class ScheduleStartForm(FlaskForm):
    """An administrator sets the first period a template is owed for."""
    template_id = HiddenField(validators=[InputRequired(message="Choose a return template")])
    schedule_from = StringField("First period owed", widget=GovTextInput(), filters=[strip],
                                description="For example '2015/16 Q4', 'Mar 2016' or '2016/17'. Every period from it "
                                            "to today is expected of each agency that submits the template.",
                                validators=[InputRequired(message="Enter the first period owed"), Length(max=40)])
    submit = SubmitField("Save the first period", widget=GovSubmitInput())


class WaiveForm(FlaskForm):
    reason = reason_field("Why it is not needed", "Say why this return is not needed",
                          "For example 'The service closed in March 2016'. It is kept in the audit log.")
    submit = SubmitField("Waive this return", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    submit = SubmitField("Sign off", widget=GovSubmitInput())


class UnlockForm(FlaskForm):
    reason = reason_field("Why must it be unlocked?", "Give the reason for unlocking",
                          "For example: Charnwood resubmitted its Q4 return with corrected figures. "
                          "Kept in the audit log.")
    submit = SubmitField("Unlock the period", widget=GovSubmitInput())
