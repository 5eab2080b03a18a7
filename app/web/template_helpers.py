"""Jinja globals and filters shared by every page."""
from flask import Flask, url_for
from flask_login import current_user

from app.vocabulary import FLAG_LABELS
from app.models.user import ROLE_LABELS

# (label, endpoint, roles) — the service navigation, filtered by the signed-in role.
# ``roles`` may instead be a test of the user (the DHR area: its roles or a grant).
NAVIGATION = [
    ("Home", "main.home", ("officer", "manager", "admin", "dhr_coordinator")),
    ("Dashboard", "dashboard.index", ("officer", "manager", "admin")),
    ("Returns", "returns.index", ("officer", "manager", "admin")),
    ("Returns received", "performance.completeness", ("manager", "admin")),
    ("Data", "main.data_values", ("officer", "manager", "admin")),
    ("Return templates", "return_templates.index", ("officer", "manager", "admin")),
    ("Users", "admin.users", ("admin",)),
    ("Areas", "admin.areas", ("admin",)),
    ("Agencies", "admin.agencies", ("admin",)),
    ("Outcomes", "admin.outcomes", ("admin",)),
    ("Indicators", "admin.indicators", ("admin",)),
    ("DHR", "dhr.index", lambda user: user.can_see_dhr),
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
            allowed = roles(current_user) if callable(roles) else current_user.role in roles
            if allowed and endpoint in app.view_functions:
                items.append({"text": label, "href": url_for(endpoint)})
        return items

    app.jinja_env.globals.update(
        navigation=navigation,
        service_name=lambda: app.config["SERVICE_NAME"],
        partnership_name=lambda: app.config["PARTNERSHIP_NAME"],
        ROLE_LABELS=ROLE_LABELS,
        FLAG_LABELS=FLAG_LABELS,
    )
    app.jinja_env.filters["number"] = format_number
