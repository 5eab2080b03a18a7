from flask import render_template

from app.web.access import roles_required
from app.web.admin import bp


@bp.route("/users")
@roles_required("admin")
def users():
    return render_template("main/home.html")


@bp.route("/areas")
@roles_required("admin")
def areas():
    return render_template("main/home.html")


@bp.route("/agencies")
@roles_required("admin")
def agencies():
    return render_template("main/home.html")


@bp.route("/indicators")
@roles_required("admin")
def indicators():
    return render_template("main/home.html")
