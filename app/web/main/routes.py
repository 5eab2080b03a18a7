from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app.policy import ADMINS, EVERYONE, READERS
from app.services import ServiceError
from app.services.settings import as_at_date, set_as_at
from app.services.start_page import start_page
from app.services.stored_figures import agencies_for, agency_for, list_values
from app.web.access import roles_required
from app.web.forms import put_service_errors
from app.web.main import bp
from app.web.main.forms import AsAtForm


@bp.route("/")
@roles_required(*EVERYONE)
def home():
    """What you need to do next: an officer's returns, a manager's overdue returns, ..."""
    return render_template("main/home.html", title="Home", page=start_page(current_user))


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(*ADMINS)
def settings():
    """The partnership's "as at" date."""
    form = AsAtForm()
    summary: list[str] = []
    if form.validate_on_submit():
        try:
            set_as_at(form.as_at.data, current_user)
        except ServiceError as error:
            summary = put_service_errors(form, error)
        else:
            flash("Saved: the app now treats " + (form.as_at.data.strftime("%d/%m/%Y") if form.as_at.data
                                                   else "the real date") + " as today.", "success")
            return redirect(url_for("main.settings"))
    elif not form.is_submitted():
        form.as_at.data = as_at_date()
    status = 400 if form.errors or summary else 200
    return render_template("main/settings.html", title="Partnership settings", form=form, summary=summary), status


@bp.route("/data")
@roles_required(*READERS)
def data_values():
    return render_template(
        "main/data_values.html",
        title="Data",
        values=list_values(current_user),
        agencies=agencies_for(current_user),
        agency=None,
    )


@bp.route("/agencies/<int:agency_id>/data")
@roles_required(*READERS)
def agency_data(agency_id: int):
    agency = agency_for(agency_id, current_user)
    return render_template(
        "main/data_values.html",
        title=f"Data from {agency.name}",
        values=list_values(current_user, agency_id=agency.id),
        agencies=agencies_for(current_user),
        agency=agency,
    )
