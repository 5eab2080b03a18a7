"""``flask demo load``. The demo's seed figures and loader are imported when it runs, not
with the app (issue 16)."""
import sys

import click

from app.services import ServiceError
from app.services.return_templates import TemplateProblems


@click.group(help="The demo partnership (Leicestershire, built from the seed board papers).")
def demo():
    pass


@demo.command("load")
def load_command():
    """Create or refresh the demo partnership. Safe to run again: it gives the same database.
    If it cannot (a demo template would deliver figures a published template already
    delivers), it says why on stderr, stores nothing and exits 1."""
    from app.services.demo import load_demo

    try:
        summary = load_demo()
    except ServiceError as error:
        problems = error.problems if isinstance(error, TemplateProblems) else []
        for line in [str(p) for p in problems] or [error.message or str(error)]:
            click.echo(line, err=True)
        click.echo("The demo partnership was not loaded: nothing was changed.", err=True)
        sys.exit(1)
    click.echo(
        f"Demo partnership loaded: {summary.areas} areas, {summary.agencies} agencies, "
        f"{summary.indicators} indicators, {summary.values} figures, {summary.targets} targets."
    )
    click.echo("Demo sign-ins (for a local demo only):")
    for role, email, password in summary.logins:
        click.echo(f"  {role:<16} {email:<42} {password}")
    click.echo("The administrator and the DHR co-ordinator sign in with a second factor: their first sign-in\n"
               "sets it up with an authenticator app (a QR code to scan, then recovery codes to keep).")
