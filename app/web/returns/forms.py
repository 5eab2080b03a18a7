"""Forms of the upload flow: the upload itself, and the confirmation after the preview."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput,
)
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from app.web.forms import ReferenceSelect, StrictChoice, strip

RECOGNISE = ("", "Recognise it from the workbook")


class UploadForm(FlaskForm):
    file = FileField("The filled return (.xlsx)", widget=GovFileInput(),
                     description="The workbook you downloaded from Safer Returns and filled in, saved as Excel "
                                 "Workbook (.xlsx).",
                     validators=[FileRequired(message="Choose the return to upload")])
    agency = SelectField("Agency", widget=GovSelect(), validate_choice=False,
                         validators=[InputRequired(message="Choose the agency the return is for")])
    template = SelectField("Template", widget=GovSelect(), validate_choice=False,
                           description="Only needed if the workbook is not the blank return from Safer Returns.",
                           validators=[Optional(), StrictChoice("template")])
    period = StringField("Period", widget=GovTextInput(), filters=[strip],
                         description="Only needed if the workbook does not say, for example '2015/16 Q4' or "
                                     "'Dec 2015 - Mar 2016'.",
                         validators=[Optional(), Length(max=80)])
    # "1" when the agency, template and period come from the return's link (the start page):
    # they are shown, not asked for.
    locked = HiddenField()
    submit = SubmitField("Upload and check", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    comment = TextAreaField("Comment", widget=GovTextArea(), validators=[Optional(), Length(max=4000)])
    submit = SubmitField("Submit the return", widget=GovSubmitInput())


class ChooseTemplateForm(FlaskForm):
    """Which return a file is, when two or more templates fit it about equally."""
    template = RadioField("Which return is it?", widget=GovRadioInput(), validate_choice=False,
                          validators=[InputRequired(message="Choose which of these returns the file is")])
    submit = SubmitField("Read it as this return", widget=GovSubmitInput())


class AliasForm(FlaskForm):
    """From the preview, one click: treat a row label (column heading) the template does not
    know as another name of an indicator (area), for every template."""

    kind = HiddenField(validators=[InputRequired(), AnyOf(("area", "indicator"), message="Choose an area or an "
                                                                                          "indicator")])
    alias = HiddenField(validators=[InputRequired(message="There is no name to add"), Length(max=300)])
    target = ReferenceSelect("Treat it as", none_label="Choose one",
                             validators=[InputRequired(message="Choose what the name stands for")])
    submit = SubmitField("Add this name", widget=GovSubmitInput())


class EntryForm(FlaskForm):
    """The web form of a return: its figure and note fields are added for each template by
    ``entry_form_class``; the buttons save a draft or check the return."""
    save = SubmitField("Save as a draft", widget=GovSubmitInput())
    check = SubmitField("Check the return", widget=GovSubmitInput())


def entry_form_class(cells) -> type[EntryForm]:
    """The form for these fields (``app.services.web_entry.EntryCell``): a text box per
    figure, a text area per note, each labelled in plain words with its hint."""
    from app.services.web_entry import FIGURE_MAX_CHARS, NOTE_MAX_CHARS

    class ReturnEntryForm(EntryForm):
        pass

    for cell in cells:
        limit = NOTE_MAX_CHARS if cell.is_note else FIGURE_MAX_CHARS
        length = Length(max=limit, message=f"{cell.label}: type at most {limit:,} characters.")
        kind, widget = (TextAreaField, GovTextArea()) if cell.is_note else (StringField, GovTextInput())
        setattr(ReturnEntryForm, cell.name, kind(cell.label, widget=widget, description=cell.hint,
                                                 validators=[Optional(), length]))
    return ReturnEntryForm
