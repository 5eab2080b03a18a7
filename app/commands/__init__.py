"""The scriptable interface: ``flask demo``, ``flask templates``, ``flask returns``, ``flask dashboard``."""
from flask import Flask


def register(app: Flask) -> None:
    from app.commands.demo import demo

    for group in (demo,):
        app.cli.add_command(group)
