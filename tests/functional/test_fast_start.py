"""A fast start (issue 16): importing the app loads no scientific library until a request
needs it. Checked by which modules a fresh interpreter holds, not by a clock (bench/start
times it)."""
import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import ArgumentError

ROOT = Path(__file__).resolve().parents[2]
# Loaded only by what uses them: significance tests (scipy), the indicator engine and the
# pages and exports that read its tables (pandas, numpy), the annotated download (openpyxl),
# the board report (python-docx), a QR code for enrolling a second factor (segno), `flask
# db` and the migrations (Flask-Migrate, Alembic), any workbook written (XlsxWriter: the
# exports, a blank return, and the cells of a return typed in the browser).
NOT_AT_START = ("scipy", "pandas", "numpy", "openpyxl", "docx", "segno", "alembic", "flask_migrate", "xlsxwriter")


def modules_after(code: str, *, packages_only: bool = True) -> set[str]:
    """The top-level packages (or, not ``packages_only``, every module) a fresh interpreter
    holds after running ``code``."""
    names = "m.split('.')[0]" if packages_only else "m"
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{{names} for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "FLASK_SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_importing_the_app_loads_no_scientific_library():
    loaded = modules_after("import wsgi")
    assert "app" in loaded and "flask" in loaded  # the app itself did load
    assert sorted(loaded & set(NOT_AT_START)) == []


def test_an_app_on_sqlite_loads_no_postgresql_dialect_yet_its_partial_indexes_keep_their_condition_there():
    """The partial unique indexes (models.base.unique_where) name their condition for SQLite
    only when the models are defined; PostgreSQL's CREATE INDEX still carries it (in a process
    that built no PostgreSQL app, too), and an app on PostgreSQL names it for PostgreSQL."""
    loaded = modules_after("import wsgi", packages_only=False)
    assert "sqlalchemy.dialects.sqlite" in loaded  # the app's own database
    assert sorted(name for name in loaded if name.startswith("sqlalchemy.dialects.postgresql")) == []
    compiled = ("import wsgi\nfrom sqlalchemy.dialects import postgresql, sqlite\n"
                "from sqlalchemy.schema import CreateIndex\n"
                "from app.models.base import PARTIAL_UNIQUE_INDEXES as made\n"
                "for dialect in (sqlite.dialect(), postgresql.dialect()):\n"
                "    print(sorted(str(CreateIndex(i).compile(dialect=dialect)) for i in made))")
    out = subprocess.run([sys.executable, "-c", compiled], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "FLASK_SQLALCHEMY_DATABASE_URI": "sqlite://"}).stdout
    on_sqlite, on_postgresql = out.splitlines()[-2:]
    expected = str([
        "CREATE UNIQUE INDEX uq_data_value_current ON data_value (indicator_id, area_id, period_id) WHERE is_current",
        "CREATE UNIQUE INDEX uq_submission_current ON submission (agency_id, template_id, period_id) "
        "WHERE status = 'current'",
        "CREATE UNIQUE INDEX uq_target_current ON target (indicator_id, area_id, period_id) WHERE is_current"])
    assert on_sqlite == on_postgresql == expected
    on_postgresql_app = ("from app import create_app\nfrom app.models.base import PARTIAL_UNIQUE_INDEXES as made\n"
                         "from tests.conftest import make_config\nimport tempfile, pathlib\n"
                         "create_app(make_config('postgresql+psycopg://nobody@localhost/none', "
                         "pathlib.Path(tempfile.mkdtemp())))\n"
                         "print(sorted(str(i.dialect_options['postgresql']['where']) for i in made))")
    out = subprocess.run([sys.executable, "-c", on_postgresql_app], cwd=ROOT, capture_output=True, text=True,
                         check=True, env={"PATH": "/usr/bin:/bin"}).stdout  # builds the app, connects nowhere
    assert out.splitlines()[-1] == str(["is_current", "is_current", "status = 'current'"])


# Loaded by the first request that uses them: sending mail (Flask-Mailman), hashing or
# checking a password (argon2-cffi), making or checking a two-factor code (pyotp: its use
# is tests/functional/test_two_factor.py's).
ON_FIRST_USE = {
    "flask_mailman": "from app.mail import Email, send\nwith wsgi.app.app_context():\n"
                     "    send(Email('someone@example.org', 'Subject', 'Words'))",
    "argon2": "from app.services.passwords import hash_password, verify_password\n"
              "assert verify_password(hash_password('a password'), 'a password')",
    "pyotp": None,
}


def test_importing_the_app_leaves_mail_password_hashing_and_two_factor_codes_until_they_are_used():
    assert sorted(modules_after("import wsgi") & set(ON_FIRST_USE)) == []
    for package, use in ON_FIRST_USE.items():
        if use:
            assert package in modules_after(f"import wsgi\n{use}"), package


# The ingest pipeline (and defusedxml, which reads a workbook's XML for it) and the workbook
# writers are imported by the services' functions that read a return or write a workbook:
# an upload, an import, a typed return's check, a download. (app.export.dashboard_data stays:
# the dashboard's download page names its file types.) The demo's loader: by `flask demo load`.
READ_AND_WRITTEN_ON_DEMAND = ("app.ingest", "defusedxml", "app.export.blank_return", "app.export.dhr_sheets",
                              "app.export.formats", "app.export.xlsx", "app.export.plan_update_return",
                              "app.plans.update_return", "app.demo", "app.services.demo")


def test_importing_the_app_leaves_the_ingest_pipeline_and_the_workbook_writers_until_a_request_needs_them():
    loaded = modules_after("import wsgi", packages_only=False)
    assert {"app.services.returns", "app.services.web_entry", "app.services.dhr.workbook"} <= loaded
    assert sorted(name for name in loaded if name.startswith(READ_AND_WRITTEN_ON_DEMAND)) == []
    checked = modules_after("import wsgi\nfrom app.services.returns import safety_limits\n"
                            "with wsgi.app.app_context():\n    print(safety_limits().max_rows)", packages_only=False)
    assert "app.ingest.safety" in checked and "app.ingest.pipeline" not in checked  # what the call needed, only


# The JSON API's documenting stack: set up on an app's first API request, or `flask openapi`.
API_STACK = ("flask_smorest", "marshmallow", "webargs", "apispec", "yaml")


def test_importing_the_app_leaves_the_api_stack_until_an_api_request_needs_it():
    assert sorted(modules_after("import wsgi") & set(API_STACK)) == []
    loaded = modules_after("import wsgi\nfrom flask import url_for\nwith wsgi.app.test_request_context():\n"
                           "    print(url_for('api.docs'), url_for('api.submission', submission_id=3))")
    assert sorted(loaded & set(API_STACK)) == []  # a page linking to the API builds its URLs without it
    document = ("import wsgi\nfrom app.extensions import db\nwith wsgi.app.app_context():\n    db.create_all()\n"
                "assert wsgi.app.test_client().get('/api/v1/openapi.json').status_code == 200")
    assert set(API_STACK) <= modules_after(document)


def test_the_api_is_built_once_on_first_use_with_every_rule_in_its_document(app, client):
    assert "api" not in app.extensions
    document = client.get("/api/v1/openapi.json").get_json()
    built = app.extensions["api"]
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert sorted(built.views) == sorted(rules) and len(rules) == 8
    for endpoint, rule in rules.items():
        path = rule.rule.replace("<int:", "{").replace(">", "}")
        assert set(document["paths"][path]) >= {method.lower() for method in rule.methods - {"HEAD", "OPTIONS"}}
        assert app.view_functions[endpoint].allowed_roles == built.views[endpoint].allowed_roles  # as declared
    client.get("/api/v1/docs")
    assert app.extensions["api"] is built  # built once


def test_flask_openapi_is_listed_before_the_api_is_built_and_prints_its_document(app, runner, client):
    assert "openapi" in app.cli.list_commands(None) and "api" not in app.extensions
    result = runner.invoke(args=["openapi", "print"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == client.get("/api/v1/openapi.json").get_json()


def test_a_significance_test_brings_scipy_in_when_it_runs():
    loaded = modules_after("import wsgi\nfrom app.indicators import count_change_significance\n"
                           "print(count_change_significance(30, 20).label)")
    assert "scipy" in loaded


def test_flask_db_works_through_the_deferred_set_up(app, runner):
    """`flask db` is listed without Flask-Migrate; run, it reaches Flask-Migrate (set up on
    first use) and the app's own migrations folder."""
    assert "db" in app.cli.list_commands(None)
    result = runner.invoke(args=["db", "heads"])
    assert result.exit_code == 0, result.output
    assert app.extensions["migrate"].directory == str(ROOT / "migrations")
    assert type(app.extensions["migrate"]).__module__ == "flask_migrate"  # the stand-in was replaced
    refused = runner.invoke(args=["db", "nonsense"])
    assert refused.exit_code == 2 and "No such command 'nonsense'" in refused.output


def test_the_entry_point_builds_the_app_with_the_collector_paused_then_freezes_it():
    """wsgi.py: no collection while the app is built; after it, the collector is on again
    and the built app is frozen (left out of later collections)."""
    out = subprocess.run(
        [sys.executable, "-c", "import gc\nseen = []\ngc.callbacks.append(lambda phase, info: seen.append(phase))\n"
                               "import wsgi\nprint(seen.count('start'), gc.isenabled(), gc.get_freeze_count())"],
        cwd=ROOT, capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin:/bin", "FLASK_SQLALCHEMY_DATABASE_URI": "sqlite://"}).stdout.split()
    collections, enabled, frozen = int(out[-3]), out[-2], int(out[-1])
    assert (collections, enabled) == (0, "True")
    assert frozen > 100_000  # the app's objects: Flask, SQLAlchemy, the models, the URL rules


def test_the_entry_point_freezes_what_is_left_at_exit_so_the_last_collection_walks_nothing():
    """A cycle made after the app is built is left to the process's end (the collector,
    which would have found it there, walks only what was not frozen): without the freeze at
    exit, its finalizer runs."""
    script = ("import os\nimport wsgi\nclass Cycle:\n    def __del__(self, write=os.write):\n"
              "        write(1, b'collected at exit')\nc = Cycle()\nc.me = c\ndel c\n")
    unfreeze = "import wsgi, atexit, gc\natexit.unregister(gc.freeze)\n"
    env = {"PATH": "/usr/bin:/bin", "FLASK_SQLALCHEMY_DATABASE_URI": "sqlite://"}
    said = [subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                           env=env).stdout for code in (script, script.replace("import wsgi\n", unfreeze))]
    assert said == ["", "collected at exit"]


def test_a_commands_last_work_is_frozen_not_collected_where_the_entry_point_freezes_at_exit():
    """``paused_until_exit`` (``flask returns import``): in a process started through wsgi.py,
    what the block made is frozen (left out of every collection), not left young for the next
    collection to walk; without the entry point (tests run commands in-process), it is left
    to the collector as after any pause."""
    script = ("{start}import gc\nfrom app.collector import paused_until_exit\nfrozen = gc.get_freeze_count()\n"
              "with paused_until_exit():\n    made = [[n] for n in range(200_000)]\n"
              "print(gc.isenabled(), gc.get_freeze_count() - frozen > 200_000)")
    env = {"PATH": "/usr/bin:/bin", "FLASK_SQLALCHEMY_DATABASE_URI": "sqlite://"}
    said = [subprocess.run([sys.executable, "-c", script.format(start=start)], cwd=ROOT, capture_output=True,
                           text=True, check=True, env=env).stdout.split()[-2:]
            for start in ("import wsgi\n", "import app\n")]
    assert said == [["True", "True"], ["True", "False"]]  # (collector on after, what the block made frozen)


def test_create_app_pauses_the_collector_and_turns_it_on_again_even_when_it_fails(tmp_path):
    from app import create_app
    from tests.conftest import make_config

    seen = []
    gc.callbacks.append(collected := lambda phase, info: seen.append(phase))
    try:
        create_app(make_config("sqlite://", tmp_path))
        # One collection at most: as the collector comes back on. Without the pause, dozens.
        assert seen.count("start") <= 1 and gc.isenabled()
        with pytest.raises(ArgumentError):  # an unreadable database address fails while the app is built
            create_app(make_config("not a database address", tmp_path))
        assert gc.isenabled()
    finally:
        gc.callbacks.remove(collected)


def test_every_url_rule_builds_its_urls_as_werkzeug_would_once_first_asked(app):
    """The app's rules (UrlRule) compile their URL builders on first use: each builds,
    first time and after, the URL Werkzeug's own builder gives for the same values (or
    refuses them alike)."""
    from werkzeug.routing import Rule

    def outcome(build, values):
        try:
            return build(**values)
        except ValueError as refused:  # a value a converter does not take (an "any" converter)
            return repr(refused)

    waiting = [rule for rule in app.url_map.iter_rules() if rule._build_unknown.__name__ == "build_first"]
    assert len(waiting) >= 137  # all but Flask's own static rules, made before the app's rule class is set

    built = 0
    for rule in app.url_map.iter_rules():
        values = {name: 7 for name in rule.arguments} | {"page": 2}  # "page": an unknown value, as a query string
        expected = outcome(Rule._compile_builder(rule, True).__get__(rule, None), values)  # Werkzeug's, eager
        first, again = outcome(rule._build_unknown, values), outcome(rule._build_unknown, values)
        assert first == again == expected, rule.rule
        built += isinstance(expected, tuple) and expected[1].endswith("page=2")
    assert built >= 130  # of 139 rules: the others take only some values (an "any" converter)
