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
"""
from flask import Flask
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from app.web.api.prefix import API_PREFIX
from app.web.api.schemas import ErrorsSchema


class Parser(FlaskParser):
    """A multipart request's file and form fields, read by one schema (so the document
    describes them as one multipart body)."""

    def load_files(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = Parser()


bp = Blueprint("api", __name__, url_prefix=API_PREFIX,
               description="Submit returns and read them back; read indicator values and ratings.")


class JsonApi(Api):
    """flask-smorest's Api, documenting our error shape, and leaving the pages' error
    handlers alone (it would answer every error of the whole app in JSON): the API's
    blueprint has its own (``routes.py``)."""

    ERROR_SCHEMA = ErrorsSchema

    def _register_error_handlers(self):
        return None


api = JsonApi()

API_SETTINGS = {
    "API_TITLE": "Safer Returns API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    # The document is served by the blueprint itself (public, at /api/v1/openapi.json), not
    # by flask-smorest's own pages, which would load Swagger UI or ReDoc from a CDN.
    "OPENAPI_URL_PREFIX": None,
}


def init_api(app: Flask) -> None:
    from app.extensions import csrf
    from app.web.api import routes  # noqa: F401  (the views)

    for key, value in API_SETTINGS.items():
        app.config.setdefault(key, value)
    api.init_app(app, spec_kwargs={"servers": [{"url": "/"}]})
    api.spec.components.security_scheme("token", {"type": "http", "scheme": "bearer",
                                                  "description": "An API token issued by an administrator."})
    csrf.exempt(bp)
    api.register_blueprint(bp)
