"""The scriptable interface: ``flask demo``, ``flask templates``, ``flask returns``, ``flask dashboard``,
``flask indicators``, ``flask reminders``, ``flask settings``, ``flask uploads``, ``flask users``."""
import sys
from pathlib import Path

import click
from flask import Flask, current_app


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
        app.cli.add_command(group)
