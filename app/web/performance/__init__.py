from flask import Blueprint

bp = Blueprint("performance", __name__, url_prefix="/performance")

from app.web.performance import routes  # noqa: E402,F401
