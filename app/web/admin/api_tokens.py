"""Admin: API tokens for agencies' own systems (issue 20; ``app.services.api_tokens``).
Issuing shows the token once; revoking asks for confirmation on a page of its own."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from app.policy import ADMINS
from app.services import ServiceError
from app.services.api_tokens import issue_token, list_tokens, revoke_token, token_row
from app.services.reference import agencies_by_name
from app.web.access import roles_required
from app.web.admin import bp
from app.web.dhr.forms import UkDateField
from app.web.forms import ReferenceSelect, StrictChoice, options, put_service_errors

TOKEN_ROLES = {"officer": "Submit the agency's returns and read them back (an officer's)",
               "manager": "Read indicator values and ratings (a manager's)"}


class ApiTokenForm(FlaskForm):
    name = StringField("Name", widget=GovTextInput(), description="The system that will use it, e.g. 'Police "
                       "case management'.", validators=[InputRequired(message="Give the token a name"),
                                                        Length(max=120)])
    role = SelectField("What the token may do", widget=GovSelect(), choices=options(list(TOKEN_ROLES.items())),
                       validate_choice=False, validators=[InputRequired(message="Choose what the token may do"),
                                                          StrictChoice("what the token may do")])
    agency_id = ReferenceSelect("Agency", none_label="No agency (a manager's token only)")
    expires_on = UkDateField("Expires on", "the date the token expires",
                             description="It stops working at the start of this day; at most two years ahead.")
    submit = SubmitField("Issue the token", widget=GovSubmitInput())


class RevokeForm(FlaskForm):
    submit = SubmitField("Revoke the token", widget=GovSubmitInput())


@bp.route("/api-tokens", methods=["GET", "POST"])
@roles_required(*ADMINS)
def api_tokens():
    form = ApiTokenForm()
    form.agency_id.set_rows(agencies_by_name())
    issued = None
    if form.validate_on_submit():
        try:
            token, secret = issue_token(form.data, current_user)
        except ServiceError as error:
            for message in put_service_errors(form, error):
                flash(message, "error")
        else:
            issued = (token, secret)  # shown on this page once; never again
            form = ApiTokenForm(formdata=None)
            form.agency_id.set_rows(agencies_by_name())
    status = 400 if form.errors else 200
    return render_template("admin/api_tokens.html", title="API tokens", form=form, tokens=list_tokens(),
                           issued=issued, roles=TOKEN_ROLES), status


@bp.route("/api-tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@roles_required(*ADMINS)
def api_token_revoke(token_id):
    token = token_row(token_id)
    form = RevokeForm()
    if form.validate_on_submit():
        revoke_token(token_id, current_user)
        flash(f"The token '{token.name}' is revoked: requests with it are refused from now on.", "success")
        return redirect(url_for("admin.api_tokens"))
    return render_template("admin/api_token_revoke.html", title="Revoke an API token", form=form, token=token)
