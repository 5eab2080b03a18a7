"""``flask demo load``."""
import click

from app.services.demo import load_demo


@click.group(help="The demo partnership (Leicestershire, built from the seed board papers).")
def demo():
    pass


@demo.command("load")
def load_command():
    """Create or refresh the demo partnership. Safe to run again: it gives the same database."""
    summary = load_demo()
    click.echo(
        f"Demo partnership loaded: {summary.areas} areas, {summary.agencies} agencies, "
        f"{summary.indicators} indicators, {summary.values} figures, {summary.targets} targets."
    )
    click.echo("Demo sign-ins (for a local demo only):")
    for role, email, password in summary.logins:
        click.echo(f"  {role:<16} {email:<42} {password}")
