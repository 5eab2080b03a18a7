from flask import Blueprint

bp = Blueprint("return_templates", __name__, url_prefix="/templates")

from app.web.return_templates import routes  # noqa: E402,F401
