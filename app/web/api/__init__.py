"""The JSON API (/api/v1, issue 20): a door for agencies' own systems onto the same
services as the pages, authenticated by API tokens, described by an OpenAPI 3 document
generated (flask-smorest, apispec) from the marshmallow schemas the endpoints validate
with (``schemas.py``).

- Every endpoint but the document and its page needs ``Authorization: Bearer <token>``; a
  session cookie is never looked at, so a signed-in browser cannot write through the API.
  CSRF does not apply here for that reason: the blueprint is exempt, and nothing in it
  acts without a token a browser never sends by itself.
- Errors are JSON: ``{"errors": [{"field", "message"}]}`` with 422 (and a refused return's
  per-cell ``problems``), 401 without a valid token, 403 for a token that may not, 404,
  413 for a request too large, 429 over API_RATE_LIMIT.

flask-smorest, marshmallow, webargs and apispec (with PyYAML) are set up the first time an
app needs them — its first request to an endpoint, its first look at the document, or
``flask openapi`` — not when the app is built: they cost about 0.1 s of every start (a web
worker, every ``flask`` command), more than a sixth of it. The URL rules, token check and
error handlers are the app's from the start (``url_for('api.docs')``, ``flask routes`` and a
404's JSON need no more), and each view is the one flask-smorest makes of it (``built.py``).
"""
import threading
from functools import wraps

import click
from flask import Blueprint as FlaskBlueprint
from flask import Flask, current_app

from app.web.api.prefix import API_PREFIX

API_SETTINGS = {
    "API_TITLE": "Safer Returns API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    # The document is served by the blueprint itself (public, at /api/v1/openapi.json), not
    # by flask-smorest's own pages, which would load Swagger UI or ReDoc from a CDN.
    "OPENAPI_URL_PREFIX": None,
}


class Blueprint(FlaskBlueprint):
    """A Flask blueprint that takes flask-smorest's decorators (``doc``, ``arguments``,
    ``response``, ``alt_response``; a schema named by its class in ``schemas.py``) and
    records them on the view; ``built.py`` applies them, in the same order, when the app
    first needs the API. Until then each URL rule's view is a stand-in that builds the API
    and calls the view flask-smorest made (which reads and checks the request with its
    schema, and dumps the answer with its own)."""

    def __init__(self, *args, description: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.description = description
        self.documented_views: list[tuple[str, str, dict, object]] = []  # (rule, endpoint, options, view)

    def route(self, rule: str, **options):
        def register(view):
            endpoint = options.pop("endpoint", view.__name__)
            self.add_url_rule(rule, endpoint, _built_on_first_call(self.name + "." + endpoint, view), **options)
            self.documented_views.append((rule, endpoint, options, view))
            return view

        return register

    def doc(self, **kwargs):
        return _decorated_later("doc", (), kwargs)

    def arguments(self, schema: str, **kwargs):
        return _decorated_later("arguments", (schema,), kwargs)

    def response(self, status_code: int, schema: str | None = None, **kwargs):
        return _decorated_later("response", (status_code,), {"schema": schema, **kwargs})

    def alt_response(self, status_code: int, **kwargs):
        return _decorated_later("alt_response", (status_code,), kwargs)


def _decorated_later(decorator: str, args: tuple, kwargs: dict):
    def record(view):
        view.smorest_decorators = [*getattr(view, "smorest_decorators", ()), (decorator, args, kwargs)]
        return view

    return record


def _built_on_first_call(endpoint: str, view):
    @wraps(view)  # its name, and who may use it (``allowed_roles``), as the rule's view
    def call_built(**kwargs):
        return built_api(current_app).views[endpoint](**kwargs)

    return call_built


bp = Blueprint("api", __name__, url_prefix=API_PREFIX,
               description="Submit returns and read them back; read indicator values and ratings.")

_building = threading.Lock()


def built_api(app: Flask):
    """The app's API as flask-smorest builds it (``built.BuiltApi``: ``.api``, its
    ``.spec``, and ``.views`` by endpoint), built on first use; once per app."""
    built = app.extensions.get("api")
    if built is None:
        with _building:  # a threaded server's first two API requests build it once
            built = app.extensions.get("api")
            if built is None:
                from app.web.api.built import build

                built = app.extensions["api"] = build(app, bp)
    return built


class _OpenApiCommands(click.Command):
    """``flask openapi`` (flask-smorest's commands): listed by ``flask --help`` without
    importing flask-smorest; run, it builds the app's API and hands its arguments on."""

    def __init__(self):
        super().__init__("openapi", help="OpenAPI commands.")

    def make_context(self, info_name, args, parent=None, **extra):
        from flask.cli import ScriptInfo

        built_api(parent.ensure_object(ScriptInfo).load_app())
        from flask_smorest.spec import openapi_cli

        return openapi_cli.make_context(info_name, args, parent=parent, **extra)


def init_api(app: Flask) -> None:
    from app.extensions import csrf
    from app.web.api import routes  # noqa: F401  (the views)

    for key, value in API_SETTINGS.items():
        app.config.setdefault(key, value)
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.cli.add_command(_OpenApiCommands())
