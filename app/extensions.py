"""Flask extensions, created unbound here and initialised in ``create_app``."""
import click
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so Alembic migrations are reproducible on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class DeferredMigrate:
    """Flask-Migrate, set up when something first asks for it (``flask db``, the migration
    tests, ``flask_migrate.upgrade()``): it imports Alembic, which a web worker never needs
    and which would cost about a third of the app's start-up.

    ``init_app`` leaves a stand-in at ``app.extensions["migrate"]``; the first attribute
    read from it (Flask-Migrate's commands and migrations/env.py read ``.migrate``, ``.db``,
    ``.directory``, ``.configure_args``) imports Flask-Migrate and puts the real one there.
    """

    def init_app(self, app, db, **kwargs) -> None:
        app.extensions["migrate"] = _PendingMigrate(app, db, kwargs)
        app.cli.add_command(_DatabaseCommands())


class _PendingMigrate:
    def __init__(self, app, db, kwargs: dict):
        self._app, self._db, self._kwargs = app, db, kwargs

    def __getattr__(self, name: str):
        from flask_migrate import Migrate

        Migrate(**self._kwargs).init_app(self._app, self._db)  # replaces this stand-in
        return getattr(self._app.extensions["migrate"], name)


class _DatabaseCommands(click.Command):
    """``flask db``: listed by ``flask --help`` without importing Flask-Migrate; run, it
    hands its arguments to Flask-Migrate's own ``db`` group."""

    def __init__(self):
        super().__init__("db", help="Perform database migrations (Flask-Migrate).")

    def make_context(self, info_name, args, parent=None, **extra):
        from flask_migrate.cli import db as commands

        return commands.make_context(info_name, args, parent=parent, **extra)


db = SQLAlchemy(model_class=Base)
migrate = DeferredMigrate()
login_manager = LoginManager()
csrf = CSRFProtect()


SQLITE_CACHE_KIB = 32 * 1024


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """Enforce foreign keys on SQLite, as PostgreSQL does; wait rather than fail on a busy file;
    a page cache of up to 32 MiB (SQLite's default is 2 MiB), so storing a large return's
    figures does not spill index pages to disk mid-transaction (bench/import: about 20% off
    inserting 105,000 figures). Pages are only taken as they are used."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()
