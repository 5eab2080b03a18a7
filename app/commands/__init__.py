"""The scriptable interface: ``flask demo``, ``flask templates``, ``flask returns``, ``flask dashboard``."""
from flask import Flask


def register(app: Flask) -> None:
    from app.commands.dashboard import dashboard
    from app.commands.demo import demo
    from app.commands.returns import returns
    from app.commands.templates import templates

    for group in (demo, templates, returns, dashboard):
        app.cli.add_command(group)
