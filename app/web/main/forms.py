"""The partnership's settings (administrators)."""
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from app.web.dhr.forms import UkDateField


class AsAtForm(FlaskForm):
    as_at = UkDateField(
        "The date the app treats as today", "the date the app treats as today",
        description="For lateness of returns, reporting rates and the DHR clocks, for example 08/06/2016 for a "
                    "demonstration of 2015/16. Leave it blank to use the real date.")
    submit = SubmitField("Save", widget=GovSubmitInput())
