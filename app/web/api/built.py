"""The API as flask-smorest makes it, built once per app the first time the app needs it
(``app.web.api.built_api``): each view wrapped by the decorators ``routes.py`` recorded, and
the OpenAPI document of the app's own URL rules."""
from dataclasses import dataclass

from flask import Flask
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from app.web.api import schemas
from app.web.api.schemas import ErrorsSchema


class Parser(FlaskParser):
    """A multipart request's file and form fields, read by one schema (so the document
    describes them as one multipart body)."""

    def load_files(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = Parser()


class JsonApi(Api):
    """flask-smorest's Api, documenting our error shape, and leaving the pages' error
    handlers alone (it would answer every error of the whole app in JSON): the API's
    blueprint has its own (``routes.py``). It documents a blueprint whose URL rules the app
    already has (``app.web.api.bp``), rather than registering it."""

    ERROR_SCHEMA = ErrorsSchema

    def _register_error_handlers(self):
        return None

    def register_blueprint(self, blp, *, parameters=None, **options):
        self._app.extensions["flask-smorest"]["blp_name_to_api"][blp.name] = self
        blp.register_views_in_doc(self, self._app, self.spec, name=blp.name, parameters=parameters)
        self.spec.tag({"name": blp.name, "description": blp.description})


@dataclass(frozen=True)
class BuiltApi:
    api: JsonApi
    views: dict  # "api.<endpoint>": the view as flask-smorest wraps it

    @property
    def spec(self):
        return self.api.spec


def _schema(value):
    return getattr(schemas, value) if isinstance(value, str) else value


def build(app: Flask, door) -> BuiltApi:
    """``door``: the blueprint the app serves the API through (``app.web.api.bp``)."""
    documented = Blueprint(door.name, door.import_name, url_prefix=door.url_prefix, description=door.description)
    views = {}
    for rule, endpoint, options, view in door.documented_views:
        wrapped = view
        for decorator, args, kwargs in getattr(view, "smorest_decorators", ()):
            if decorator == "arguments":
                args = (_schema(args[0]),)
            if "schema" in kwargs:
                kwargs = {**kwargs, "schema": _schema(kwargs["schema"])}
            wrapped = getattr(documented, decorator)(*args, **kwargs)(wrapped)
        documented.route(rule, endpoint=endpoint, **options)(wrapped)
        views[f"{door.name}.{endpoint}"] = wrapped
    api = JsonApi()
    api.init_app(app, spec_kwargs={"servers": [{"url": "/"}]})
    api.spec.components.security_scheme("token", {"type": "http", "scheme": "bearer",
                                                  "description": "An API token issued by an administrator."})
    api.register_blueprint(documented)
    return BuiltApi(api, views)
