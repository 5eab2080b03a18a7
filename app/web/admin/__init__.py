from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from app.web.admin import api_tokens, audit, peer_upload, routes, two_factor  # noqa: E402,F401
