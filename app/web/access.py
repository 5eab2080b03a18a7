"""Who may reach which route. Every view declares its roles; the app fails closed.

``roles_required`` records the allowed roles on the view. A view with no declaration is
refused with 403 by ``deny_undeclared`` (registered on every blueprint), so a route
added without a rule can never be open by accident.
"""
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user

from app.policy import ROLES, in_group


def roles_required(*roles: str):
    """Pass a role group from ``app.policy``: ``@roles_required(*UPLOADERS)``."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not in_group(current_user, roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = tuple(roles)
        return wrapped

    return decorate


def public(view):
    """Mark a view reachable without signing in (sign-in page, static files)."""
    view.allowed_roles = "public"
    return view


def deny_undeclared():
    """before_request: refuse any view that has not declared who may use it."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "allowed_roles", None) is None:
        abort(403)
    return None
