from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from app.web.admin import api_tokens, peer_upload, routes  # noqa: E402,F401
