from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from app.web.admin import audit, peer_upload, routes  # noqa: E402,F401
