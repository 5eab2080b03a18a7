from flask import abort, render_template
from flask_login import current_user

from app.extensions import db
from app.models import Agency
from app.services.stored_figures import agencies_for, list_values
from app.policy import can_see_agency
from app.web.access import ALL_ROLES, roles_required
from app.web.main import bp


@bp.route("/")
@roles_required(*ALL_ROLES)
def home():
    return render_template("main/home.html", title="Home")


@bp.route("/data")
@roles_required("officer", "manager", "admin")
def data_values():
    return render_template(
        "main/data_values.html", title="Data", values=list_values(current_user), agencies=agencies_for(current_user), agency=None
    )


@bp.route("/agencies/<int:agency_id>/data")
@roles_required("officer", "manager", "admin")
def agency_data(agency_id: int):
    agency = db.session.get(Agency, agency_id) or abort(404)
    if not can_see_agency(current_user, agency.id):
        abort(403)
    return render_template(
        "main/data_values.html",
        title=f"Data from {agency.name}",
        values=list_values(current_user, agency_id=agency.id),
        agencies=agencies_for(current_user),
        agency=agency,
    )
