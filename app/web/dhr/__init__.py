"""The Domestic Homicide Review area: case register, pooled budget, master action plan.

Restricted: every view is ``dhr_required`` (admins, DHR co-ordinators and people an admin
has granted access), except the access page, which only admins reach.
"""
from flask import Blueprint

bp = Blueprint("dhr", __name__, url_prefix="/dhr")

from app.web.dhr import routes  # noqa: E402,F401
