"""Target forms: the list's filters, a target typed in, a change, retiring and an upload.
Checks of the figures themselves are the service's (``app.services.targets``), so a typed
target and an uploaded row get the same sentences."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.web.forms import ReferenceSelect, strip

TOLERANCE_HINT = ("The target's amber band: short of the target by at most this much is Amber, measured as the "
                  "indicator's bands are (per cent of the target, or in the figure's own unit). Leave it empty to "
                  "use the indicator's own amber band.")


class Listed:
    """A choice the list offers (an id typed into the form that is none is refused in words)."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if field.data is not None and str(field.data) not in {str(v) for v, *_ in field.iter_choices()}:
            raise ValidationError(self.message)


class TargetFilterForm(FlaskForm):
    """The list's filters (a GET form: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    indicator_id = ReferenceSelect("Indicator", none_label="All indicators")
    area_id = ReferenceSelect("Area", none_label="All areas")
    period_id = ReferenceSelect("Period", none_label="All periods")
    submit = SubmitField("Show targets", widget=GovSubmitInput())


class TargetFigures(FlaskForm):
    """The figures of a target: shared by adding and changing one."""

    value = StringField("Target", widget=GovTextInput(), filters=[strip],
                        description="A number in the indicator's unit, for example 95 for 95%.",
                        validators=[InputRequired(message="Enter the target as a number, for example 95 or 3.5"),
                                    Length(max=40, message="Enter the target as a number, for example 95 or 3.5")])
    tolerance = StringField("Tolerance (optional)", widget=GovTextInput(), filters=[strip], description=TOLERANCE_HINT,
                            validators=[Optional(), Length(max=40, message="Enter the tolerance as a number, "
                                                                           "for example 5")])
    note = TextAreaField("Note (optional)", widget=GovTextArea(), filters=[strip],
                         description="Where the target comes from, for example 'Agreed at the board, June 2015'.",
                         validators=[Optional(), Length(max=2000, message="Use 2,000 characters or fewer")])


class TargetForm(TargetFigures):
    indicator_id = ReferenceSelect("Indicator", none_label="Choose an indicator",
                                   validators=[Listed("Choose the indicator from the list")])
    area_id = ReferenceSelect("Area", none_label="Choose an area", validators=[Listed("Choose the area from the list")])
    period = StringField("Period", widget=GovTextInput(), filters=[strip],
                         description="As you would write it, for example '2015/16', '2015/16 Q4' or "
                                     "'Dec 2015 - Mar 2016'.",
                         validators=[InputRequired(message="Enter the period the target is for, for example 2015/16"),
                                     Length(max=80, message="Use 80 characters or fewer")])
    submit = SubmitField("Save the target", widget=GovSubmitInput())

    # Fields in the order the page shows them.
    ORDER = ("indicator_id", "area_id", "period", "value", "tolerance", "note")


class ChangeTargetForm(TargetFigures):
    submit = SubmitField("Save the new target", widget=GovSubmitInput())

    ORDER = ("value", "tolerance", "note")


class RetireForm(FlaskForm):
    submit = SubmitField("Yes, retire this target", widget=GovSubmitInput())


class UploadTargetsForm(FlaskForm):
    file = FileField("Targets (.csv or .xlsx)", widget=GovFileInput(),
                     description="A CSV file or workbook whose first row (of its first sheet) holds the headings "
                                 "Indicator, Area, Period and Target, and optionally Tolerance and Note; one target "
                                 "a row.",
                     validators=[FileRequired(message="Choose the file of targets to upload")])
    submit = SubmitField("Upload the targets", widget=GovSubmitInput())
