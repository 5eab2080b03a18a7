"""Safer Returns: the application factory."""
import os
import secrets
from pathlib import Path

from flask import Flask, render_template
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from sqlalchemy.engine import make_url
from werkzeug.routing import Rule

from app.collector import cycle_collection_paused
from app.extensions import csrf, db, login_manager, migrate
from app.mail import init_mail
from app.web.api.prefix import API_PREFIX

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app. Config: app/config.py, then instance/config.py, then FLASK_* variables.

    ``test_config`` (tests only) replaces the last two layers.
    """
    with cycle_collection_paused():  # the app's objects live as long as it does (app.collector)
        app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"), instance_relative_config=True)
        app.config.from_object("app.config.Config")
        if test_config is None:
            app.config.from_pyfile("config.py", silent=True)
            app.config.from_prefixed_env()  # FLASK_SQLALCHEMY_DATABASE_URI, FLASK_SECRET_KEY, ...
        else:
            app.config.update(test_config)
        _resolve_defaults(app)

        register_extensions(app)
        register_templates(app)
        register_blueprints(app)
        register_errorhandlers(app)
        register_commands(app)
    return app


def _resolve_defaults(app: Flask) -> None:
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "safer_returns.db")
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(PROJECT_ROOT / "uploads")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path) / "secret_key")
    from app.services.throttle import parse_rate

    parse_rate(app.config["API_RATE_LIMIT"])  # a setting it cannot read stops the start, saying why


def instance_secret_key(path: Path) -> str:
    """Read the instance's secret key, generating it (readable by the owner only) on first run.

    Written to a temporary file and linked into place, so several workers starting at once
    on a fresh install all end up with the same, complete key.
    """
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # fails if another worker got there first: theirs is kept
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    init_mail(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"

    from app import models  # noqa: F401  (register the tables)

    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "postgresql":
        from app.models.base import with_postgresql_conditions

        with_postgresql_conditions()  # the partial indexes' condition, named for PostgreSQL too

    from app.web import security_headers, sessions

    login_manager.user_loader(sessions.load_user)
    security_headers.init_app(app)
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def register_templates(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("app"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    WTFormsHelpers(app)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from app.web import template_helpers

    template_helpers.register(app)


class UrlRule(Rule):
    """A URL rule that compiles its URL-building functions (Werkzeug writes and compiles two
    small Python functions per rule, for ``url_for``) the first time a URL is built from it,
    not when it is registered: that was 30 ms of every start for 139 rules (278 functions),
    while a worker builds URLs for the few dozen its pages link to. Matching a request is
    unchanged: its regular expressions are still compiled at registration. If Werkzeug
    stops calling ``_compile_builder``, rules are simply compiled as before."""

    def _compile_builder(self, append_unknown: bool = True):
        compile_builder = super()._compile_builder
        attribute = "_build_unknown" if append_unknown else "_build"

        def build_first(rule: Rule, **values):
            built = compile_builder(append_unknown).__get__(rule, None)
            setattr(rule, attribute, built)  # later builds call the compiled function directly
            return built(**values)

        return build_first


def register_blueprints(app: Flask) -> None:
    from werkzeug.routing import IntegerConverter

    from app.web import registered_blueprints

    from app.web.forms import MAX_DATABASE_ID

    class DatabaseId(IntegerConverter):
        """``<int:…>`` in every URL: an id a database key can hold, so a larger number is a
        404 rather than an overflow inside the query (a 500 on PostgreSQL above 2**31 - 1)."""

        def __init__(self, map, *args, **kwargs):
            kwargs.setdefault("max", MAX_DATABASE_ID)
            super().__init__(map, *args, **kwargs)

    app.url_map.converters["int"] = DatabaseId
    app.url_rule_class = UrlRule
    from app.web.access import deny_undeclared
    from app.web.input_safety import refuse_control_characters

    for blueprint in registered_blueprints():
        app.register_blueprint(blueprint)
    from app.web.api import init_api

    init_api(app)  # the JSON API, registered through flask-smorest, which documents it
    # Fail closed: a view that has not declared who may use it is refused.
    app.before_request(deny_undeclared)
    app.before_request(refuse_control_characters)


def register_errorhandlers(app: Flask) -> None:
    from flask import request

    def render_error(error):
        if request.path.startswith(API_PREFIX + "/"):  # no route matched, so no blueprint: still JSON
            from app.web.api.routes import http_error

            return http_error(error)
        code = getattr(error, "code", 500)
        return render_template("errors/error.html", code=code, error=error), code

    for code in (400, 403, 404, 405, 413, 500):
        app.errorhandler(code)(render_error)

    from flask_wtf.csrf import CSRFError

    from app.errors import Forbidden, NotFound

    # A service that finds nothing, or refuses, says so here once: every route gets the same page.
    @app.errorhandler(NotFound)
    def not_found(error):
        return render_template("errors/error.html", code=404, error=error), 404

    @app.errorhandler(Forbidden)
    def forbidden(error):
        return render_template("errors/error.html", code=403, error=error), 403

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/error.html", code=400, error=error, csrf=True), 400


def register_commands(app: Flask) -> None:
    from app.commands import register

    register(app)
