"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL with
``pytest --database-url=postgresql+psycopg://...`` (``make test`` does both).

The schema is built once per run by the real Alembic migrations; each test then gets
empty tables. The demo partnership is loaded for real (``flask demo load``) once per run
and day, kept as a copy, and each test asking for ``demo`` gets its own copy of it put back
into its empty tables (``DemoCopy``): loading it recomputes every kept indicator result,
seconds a time, and over a hundred tests need it.
"""
import email
import email.policy
import re
import secrets
import socket
import sqlite3
from datetime import date

import flask_migrate
import pytest
from sqlalchemy import func, select, text, update
from werkzeug.routing import Rule

from app import create_app
from app.demo.figures import load_seed
from app.extensions import db
from app.models import User
from tests.factories import PASSWORD, make_agency, make_area, make_user

# The sign-ins ``flask demo load`` creates (email, password).
DEMO_ADMIN = ("admin@demo.saferreturns.org.uk", "demo-admin-pass")
DEMO_MANAGER = ("manager@demo.saferreturns.org.uk", "demo-manager-pass")
DEMO_DHR = ("dhr@demo.saferreturns.org.uk", "demo-dhr-pass")
DEMO_POLICE_OFFICER = ("police.officer@demo.saferreturns.org.uk", "demo-officer-pass")
DEMO_LWA_OFFICER = ("lwa.officer@demo.saferreturns.org.uk", "demo-officer-pass")
# The returns ``flask demo load`` records as received (app/demo/returns.py): Living Without
# Abuse's Appendix 2 and Table 2 for Dec 2015 - Mar 2016, Leicestershire Police's 2015/16
# crime rates (tests/functional/test_demo_returns.py shows each).
DEMO_SUBMISSIONS = 3


# argon2id at its cheapest (1 pass over 8 KiB): the same code path as production, fast.
TEST_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def _share_url_builders() -> None:
    """Every test makes its own app, and Werkzeug writes and compiles two Python functions for
    each of the app's hundred-odd URL rules (about 50 ms an app, a minute over the suite).
    A rule's builder depends only on its text, its parsed parts and its defaults' names (it
    reads the rule's converters through ``self`` when called), so the suite compiles each
    once and hands later apps the same function. Werkzeug's own builder is used for a rule
    whose default fills one of its parts (the default is written into the function)."""
    original = Rule._compile_builder
    built: dict = {}

    def compile_builder(self, append_unknown: bool = True):
        defaults = self.defaults or {}
        if any(is_dynamic and data in defaults for is_dynamic, data in self._trace):
            return original(self, append_unknown)
        key = (self.rule, append_unknown, tuple(self._trace), tuple(str(k) for k in defaults))
        if key not in built:
            built[key] = original(self, append_unknown)
        return built[key]

    Rule._compile_builder = compile_builder


_share_url_builders()


def pytest_addoption(parser):
    parser.addoption("--database-url", default=None, help="SQLAlchemy URL of an empty test database")
    parser.addoption("--browser-tests", action="store_true",
                     help="run tests/browser (Chromium, axe-core): make test-browser; skipped otherwise")


def pytest_ignore_collect(collection_path, config):
    """tests/browser needs Chromium and runs on its own (make test-browser), after the suite."""
    if collection_path.name == "browser" and collection_path.parent.name == "tests":
        return not config.getoption("--browser-tests")
    return None


def make_config(database_url: str, tmp_path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-only-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "SERVER_NAME": None,
        # Hashing is deliberately slow in production; the suite hashes hundreds of passwords.
        "PASSWORD_ARGON2": TEST_ARGON2,
        # Mail goes to Flask-Mailman's in-memory outbox, not the log (which would mix into
        # the commands' output); ``smtp_inbox`` sends it to a real SMTP server instead.
        "MAIL_BACKEND": "locmem",
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def seed() -> dict:
    """The tables transcribed from the five seed board papers: app/demo/seed_figures.json,
    the one copy (the demo partnership loads the same file)."""
    return load_seed()


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory) -> str:
    url = request.config.getoption("--database-url")
    return url or "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def migrated(database_url, tmp_path_factory):
    """Apply the migrations once to the test database."""
    app = create_app(make_config(database_url, tmp_path_factory.mktemp("m")))
    with app.app_context():
        drop_everything()
        flask_migrate.upgrade()
        db.engine.dispose()
    return True


def drop_everything():
    """Start from an empty database, whatever an earlier run left behind."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        with db.engine.begin() as conn:
            names = (
                conn.execute(text("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"))
                .scalars()
                .all()
            )
            conn.execute(text("PRAGMA foreign_keys=OFF"))
            for name in names:
                conn.execute(text(f'DROP TABLE "{name}"'))


def empty_tables():
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    else:
        for t in tables:
            db.session.execute(text(f'DELETE FROM "{t}"'))
    db.session.commit()


@pytest.fixture
def app(database_url, migrated, tmp_path):
    app = create_app(make_config(database_url, tmp_path))
    with app.app_context():
        yield app
        db.session.remove()
        empty_tables()
        db.engine.dispose()


def tables_are_empty() -> bool:
    tables = [t.name for t in db.metadata.sorted_tables]
    union = " UNION ALL ".join(f'SELECT 1 FROM (SELECT 1 FROM "{t}" LIMIT 1) AS "{t}"' for t in tables)
    return db.session.execute(text(union)).first() is None


class DemoCopy:
    """What ``flask demo load`` stored in an empty database, kept once per test session:
    on SQLite a copy of the database file, on PostgreSQL a copy of each table in the
    schema ``demo_copy`` (with the sequences' values). ``restore()`` puts every row back,
    with the same ids, into a test's empty tables; each test gets its own rows, as if it
    had loaded the demo itself. The demo's DHR dates count from today, so a copy taken on
    another day is taken again."""

    SCHEMA = "demo_copy"

    def __init__(self, folder):
        self.file = folder / "demo.db"
        self.day: date | None = None
        self.result = None  # the CliRunner result of the load the copy was taken from
        self.sequences: dict[str, tuple[int | None, bool]] = {}

    @property
    def current(self) -> bool:
        return self.day == date.today()

    def take(self, result) -> None:
        """Keep what the database holds now (just after ``flask demo load``)."""
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.SCHEMA}" CASCADE'))
                conn.execute(text(f'CREATE SCHEMA "{self.SCHEMA}"'))
                for table in db.metadata.sorted_tables:
                    conn.execute(text(f'CREATE TABLE "{self.SCHEMA}"."{table.name}" AS SELECT * FROM "{table.name}"'))
                self.sequences = {
                    name: (value, value is not None) for name, value in conn.execute(text(
                        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema()"))
                }
        else:
            self.file.unlink(missing_ok=True)
            source = db.engine.raw_connection()
            try:
                with sqlite3.connect(self.file) as copy:
                    source.driver_connection.backup(copy)
                copy.close()
            finally:
                source.close()
        self.day, self.result = date.today(), result

    def restore(self) -> None:
        """Put the kept rows into the (empty) tables of the database the app uses."""
        db.session.remove()
        postgres = db.engine.dialect.name == "postgresql"
        with db.engine.connect() as conn:
            source = f'"{self.SCHEMA}"' if postgres else "demo_copy"
            if not postgres:
                conn.exec_driver_sql("ATTACH DATABASE ? AS demo_copy", (str(self.file),))
            for table in db.metadata.sorted_tables:
                columns = ", ".join(f'"{c.name}"' for c in table.columns)
                conn.execute(text(f'INSERT INTO "{table.name}" ({columns}) '
                                  f'SELECT {columns} FROM {source}."{table.name}"'))
            for name, (value, called) in self.sequences.items():
                conn.execute(text("SELECT setval(:name, :value, :called)"),
                             {"name": f'"{name}"', "value": value or 1, "called": called})
            conn.commit()
            if not postgres:
                conn.exec_driver_sql("DETACH DATABASE demo_copy")


@pytest.fixture(scope="session")
def demo_copy(tmp_path_factory) -> DemoCopy:
    return DemoCopy(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def demo(runner, demo_copy):
    """The demo partnership, as ``flask demo load`` leaves it in an empty database; returns
    the command's result. The first test of the run (and of each day) loads it for real and
    keeps a copy; later tests get their own copy of those rows (a real load, too, when the
    test has already stored something of its own)."""
    if demo_copy.current and tables_are_empty():
        demo_copy.restore()
        return demo_copy.result
    empty = tables_are_empty()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    if empty:
        demo_copy.take(result)
    return result


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def people(app):
    """One agency pair and one user per role (two officers, in different agencies)."""
    county = make_area("Leicestershire", code="LC", kind="county")
    police = make_agency("Leicestershire Police", slug="police")
    council = make_agency("Blaby District Council", slug="blaby-council")
    users = {
        key: make_user(role, email=f"{key}@example.org", name=key.replace("_", " ").title(), agency=agency)
        for key, role, agency in [
            ("officer", "officer", police),
            ("other_officer", "officer", council),
            ("manager", "manager", None),
            ("admin", "admin", None),
            ("dhr_coordinator", "dhr_coordinator", None),
        ]
    }
    db.session.commit()
    return {"users": users, "police": police, "council": council, "county": county}


@pytest.fixture
def clock(monkeypatch):
    """The sign-in clock (links, throttling, sessions, two-factor codes), held still and
    moved by the test: ``clock.move(minutes)``, ``clock.now``."""
    import time

    from app.services import accounts

    class Clock:
        now = time.time()

        def move(self, minutes: float) -> None:
            self.now += minutes * 60

    held = Clock()
    monkeypatch.setattr(accounts, "clock", lambda: held.now)
    return held


def sign_in(client, email: str, password: str = PASSWORD, *, second_factor: bool = True, **form):
    """Post the sign-in form (``form``: more fields, e.g. ``csrf_token``). When the password
    was right and the person signs in with a second factor, go on through it as they would
    (setting it up on a first sign-in, with the code their authenticator app would show):
    the response is then the last step's."""
    response = client.post("/sign-in", data={"email": email, "password": password, **form})
    location = response.headers.get("Location", "") if response.status_code == 302 else ""
    if not second_factor or not location.startswith(("/sign-in/code", "/two-factor/set-up")):
        return response
    page = client.get(location)
    assert page.status_code == 200, page.data[:500]
    data = {"code": current_code(email)}
    if b'name="csrf_token"' in page.data:
        data["csrf_token"] = csrf_token_from(page.data)
    return client.post(location, data=data)


def current_code(email: str) -> str:
    """The code the person's authenticator app shows now. The suite signs one person in many
    times within a 30-second step, which a person cannot, so the step last used is forgotten
    first (a code otherwise works once)."""
    import pyotp

    db.session.execute(update(User).where(func.lower(User.email) == email.strip().lower())
                       .values(totp_last_step=None))
    db.session.commit()
    secret = db.session.scalar(select(User.totp_secret).where(func.lower(User.email) == email.strip().lower()))
    assert secret, f"{email} has no authenticator secret"
    return pyotp.TOTP(secret).now()


def signed_in(client, login: tuple[str, str]):
    """The client, signed out of whoever it was and signed in as ``login`` (email, password),
    e.g. ``signed_in(client, DEMO_MANAGER)``."""
    client.post("/sign-out")
    assert_signed_in(sign_in(client, *login))
    return client


def assert_signed_in(response) -> None:
    """Signed in: redirected onwards, or (a first sign-in that set up two-factor sign-in)
    shown the recovery codes."""
    assert response.status_code == 302 or b'id="recovery-codes"' in response.data, response.data[:500]


@pytest.fixture
def sign_in_as(client, people):
    """sign_in_as("admin") signs the test client in as that person."""

    def _sign_in(key: str):
        client.post("/sign-out")
        assert_signed_in(sign_in(client, people["users"][key].email))
        return client

    return _sign_in


def csrf_token_from(html: bytes) -> str:
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        rb'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1).decode()


class SmtpInbox:
    """An aiosmtpd handler keeping every message it receives, parsed."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def take(self) -> list:
        """The messages received since the last take."""
        taken, self.messages = self.messages, []
        return taken


@pytest.fixture
def smtp_inbox(app):
    """A real SMTP server (aiosmtpd), in-process on a free loopback port, with the app set
    to send through it: ``smtp_inbox.messages`` is what it received."""
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=10,
                      PUBLIC_URL="http://localhost")
    yield inbox
    controller.stop()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """SeaweedFS's S3 gateway on loopback for the whole run (tests/seaweed.py), torn down after."""
    from tests.seaweed import start_seaweed

    server = start_seaweed(tmp_path_factory.mktemp("seaweed"))
    yield server
    server.stop()


@pytest.fixture
def s3_uploads(app, s3_server, request):
    """The app keeps its uploads in the real S3 server's bucket, under a prefix of its own; yields its file store."""
    from app.services.uploads import file_store

    from tests.seaweed import BUCKET

    prefix = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower())[:60] + "-" + secrets.token_hex(4)
    app.config.update(UPLOAD_STORAGE="s3", UPLOAD_S3_BUCKET=BUCKET, UPLOAD_S3_PREFIX=prefix,
                      UPLOAD_S3_ENDPOINT_URL=s3_server.endpoint_url, UPLOAD_S3_REGION="us-east-1",
                      UPLOAD_S3_ACCESS_KEY_ID=s3_server.access_key_id,
                      UPLOAD_S3_SECRET_ACCESS_KEY=s3_server.secret_access_key)
    app.extensions.pop("safer_returns_files", None)
    return file_store()


@pytest.fixture(params=["local", "s3"])
def uploads_store(request, app):
    """Each storage in turn: the uploads folder, then a bucket on the real S3 server."""
    from app.services.uploads import file_store

    if request.param == "s3":
        return request.getfixturevalue("s3_uploads")
    return file_store()
