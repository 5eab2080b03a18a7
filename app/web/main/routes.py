from flask import render_template
from flask_login import current_user

from app.policy import EVERYONE, READERS
from app.services.stored_figures import agencies_for, agency_for, list_values
from app.web.access import roles_required
from app.web.main import bp


@bp.route("/")
@roles_required(*EVERYONE)
def home():
    return render_template("main/home.html", title="Home")


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
