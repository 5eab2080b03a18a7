"""The scriptable interface: ``flask demo``, ``flask templates``, ``flask returns``, ``flask dashboard``,
``flask indicators``, ``flask reminders``, ``flask settings``, ``flask uploads``, ``flask users``."""
import functools
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy.exc import OperationalError, ProgrammingError

# What SQLite says ("no such table: period", "no such column") and PostgreSQL's codes
# (undefined table, undefined column) when the schema is older than the code; not
# PostgreSQL's 'database "x" does not exist', which no upgrade mends.
SCHEMA_MISSING = ("no such table", "no such column")
SCHEMA_MISSING_SQLSTATES = ("42P01", "42703")
NOT_SET_UP = ("The database is not set up for this version of Safer Returns (a table or column it needs is "
              "missing): run `flask db upgrade` first (`make run` does it).")


def read_spreadsheet(file: str) -> tuple[Path, bytes]:
    """The file a command was given, read up to one byte over the upload limit (enough for
    the size check to refuse it); a file that cannot be read ends the command with exit 1."""
    path = Path(file)
    try:
        with path.open("rb") as fh:
            return path, fh.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)
    except OSError as error:
        click.echo(f"Cannot read {file}: {error.strerror or error}.", err=True)
        sys.exit(1)


def register(app: Flask) -> None:
    from app.commands.dashboard import dashboard
    from app.commands.demo import demo
    from app.commands.indicators import indicators
    from app.commands.reminders import reminders
    from app.commands.returns import returns
    from app.commands.settings import settings
    from app.commands.templates import templates
    from app.commands.uploads import uploads
    from app.commands.users import users

    for group in (demo, templates, returns, dashboard, reminders, settings, indicators, uploads, users):
        _refuse_without_schema(group)
        app.cli.add_command(group)


def _refuse_without_schema(command: click.Command) -> None:
    """Every command (and those of a group) says, rather than a traceback, that a database
    with no tables yet, or an older schema, needs ``flask db upgrade``; exit 1, as any
    refusal. Wrapped once, however many apps are made (the tests make many)."""
    for sub in getattr(command, "commands", {}).values():
        _refuse_without_schema(sub)
    callback = command.callback
    if callback is None or getattr(callback, "refuses_without_schema", False):
        return

    @functools.wraps(callback)
    def run(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except (OperationalError, ProgrammingError) as error:
            if getattr(error.orig, "sqlstate", None) not in SCHEMA_MISSING_SQLSTATES and \
                    not any(words in str(error.orig).lower() for words in SCHEMA_MISSING):
                raise
            click.echo(NOT_SET_UP, err=True)
            sys.exit(1)

    run.refuses_without_schema = True
    command.callback = run
