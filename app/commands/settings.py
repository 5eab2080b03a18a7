"""``flask settings as-at [DATE | --clear]``: the date the app treats as today."""
import sys
from datetime import date

import click

from app.services.settings import as_at_date, set_as_at, today


@click.group(help="The partnership's settings.")
def settings():
    pass


@settings.command("as-at")
@click.argument("day", required=False)
@click.option("--clear", is_flag=True, help="Use the real date again.")
def as_at_command(day, clear):
    """Show, set (YYYY-MM-DD) or clear the date the app treats as today for lateness and
    the DHR clocks; the same setting as the administrators' settings page."""
    if day and clear:
        click.echo("Give a date or --clear, not both.", err=True)
        sys.exit(2)
    if day or clear:
        try:
            chosen = None if clear else date.fromisoformat(day)
        except ValueError:
            click.echo(f"'{day}' is not a date: write it as YYYY-MM-DD, for example 2016-06-08.", err=True)
            sys.exit(1)
        set_as_at(chosen, None)
    fixed = as_at_date()
    click.echo(f"As at {today().isoformat()}" + ("" if fixed else " (the real date)"))
