"""Jinja globals and filters shared by every page."""
from flask import Flask, url_for
from flask_login import current_user

from app.dhr import long_date
from app.vocabulary import FLAG_LABELS
from app.models.user import ROLE_LABELS
from app import policy
from app.policy import ADMINS, EVERYONE, MANAGERS, READERS, in_group, may_see_dhr, may_see_targets

# (label, endpoint, roles) — the service navigation, filtered by the signed-in role.
# ``roles`` may instead be a test of the user (the DHR area: its roles or a grant).
NAVIGATION = [
    ("Home", "main.home", EVERYONE),
    ("Dashboard", "dashboard.index", READERS),
    ("Returns", "returns.index", READERS),
    ("Returns received", "performance.completeness", MANAGERS),
    ("Reporting rates", "performance.reporting_rates", MANAGERS),
    ("Data", "main.data_values", READERS),
    ("Return templates", "return_templates.index", READERS),
    ("Users", "admin.users", ADMINS),
    ("Areas", "admin.areas", ADMINS),
    ("Agencies", "admin.agencies", ADMINS),
    ("Outcomes", "admin.outcomes", ADMINS),
    ("Indicators", "admin.indicators", ADMINS),
    ("API tokens", "admin.api_tokens", ADMINS),
    ("Targets", "targets.index", may_see_targets),
    ("DHR", "dhr.index", may_see_dhr),
]


def format_number(value, decimals: int = 0) -> str:
    if value is None:
        return ""
    return f"{value:,.{decimals}f}"


def register(app: Flask) -> None:
    def navigation():
        if not current_user.is_authenticated:
            return []
        items = []
        for label, endpoint, roles in NAVIGATION:
            allowed = roles(current_user) if callable(roles) else in_group(current_user, roles)
            if allowed and endpoint in app.view_functions:
                items.append({"text": label, "href": url_for(endpoint)})
        return items

    app.jinja_env.globals.update(
        navigation=navigation,
        service_name=lambda: app.config["SERVICE_NAME"],
        partnership_name=lambda: app.config["PARTNERSHIP_NAME"],
        ROLE_LABELS=ROLE_LABELS,
        policy=policy,  # templates ask the same rules as the code: policy.may_upload(current_user)
        FLAG_LABELS=FLAG_LABELS,
    )
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["long_date"] = long_date
