"""Action plans: the partnership's strategy plans and the DHR master plan on one set of
pages (who sees and changes which: ``app.policy.may_see_plan`` and friends)."""
from flask import Blueprint

bp = Blueprint("plans", __name__, url_prefix="/plans")

from app.web.plans import routes  # noqa: E402,F401
