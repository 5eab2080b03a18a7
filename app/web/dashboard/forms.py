"""Forms of the dashboard pages. Both are GET forms: they change nothing, so they carry no CSRF token."""
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput
from wtforms import HiddenField, RadioField, SelectField, SubmitField

from app.web.forms import StrictChoice, options

VERSION_LABELS = {
    "full": "Full version, for the board: with internal commentary, agency detail and restricted sheets",
    "public": "Public version, to publish: no internal commentary, no agency detail, counts below 5 hidden",
}


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    period = SelectField("Period", widget=GovSelect(), validate_choice=False)
    outcome = SelectField("Outcome", widget=GovSelect(), validate_choice=False)
    area = SelectField("Area", widget=GovSelect(), validate_choice=False)
    submit = SubmitField("Show", widget=GovSubmitInput())

    def fill(self, periods, outcomes, areas) -> None:
        """Choices: periods as (slug, label), outcomes (id, name), areas (code, name)."""
        self.period.choices = options(periods)
        self.outcome.choices = options([("", "All outcomes"), *outcomes])
        self.area.choices = options([("", "Headline figures (one row per indicator)"), *areas])


class DownloadForm(FlaskForm):
    class Meta:
        csrf = False

    version = RadioField(
        "Which version of the workbook?",
        widget=GovRadioInput(),
        choices=options(VERSION_LABELS.items()),
        validate_choice=False,
        validators=[StrictChoice("version")],
    )
    area = HiddenField()  # the dashboard's one-area view (?area=CODE): the workbook of that area alone
    submit = SubmitField("Download the workbook", widget=GovSubmitInput())
