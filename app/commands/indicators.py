"""``flask indicators recompute --all`` / ``--indicator SLUG``: rebuild the kept indicator results."""
import sys

import click

from app.commands.returns import print_errors
from app.services import ServiceError
from app.services.results import recompute_results


@click.group(help="The indicator engine's results, as kept in the database.")
def indicators():
    pass


@indicators.command("recompute")
@click.option("--all", "everything", is_flag=True, help="Rebuild every result from the stored figures.")
@click.option("--indicator", "slugs", multiple=True,
              help="Rebuild this indicator's results (and those worked out from it); may be repeated.")
def recompute_command(everything, slugs):
    """Rebuild the results the dashboard, completeness page and workbook read. Every
    import, resubmission, target, population and rule edit made through the app keeps
    them up to date itself: this is for a rule changed outside the app, or a restored
    database (the migration that adds them runs it too)."""
    if everything == bool(slugs):
        click.echo("Say what to rebuild: --all, or --indicator SHORT_NAME (one or more).", err=True)
        sys.exit(2)
    try:
        counts = recompute_results(None if everything else slugs)
    except ServiceError as error:
        print_errors(error)
        sys.exit(1)
    click.echo(f"Rebuilt the indicator results: {counts['figures']:,} figures and {counts['rows']:,} dashboard rows "
               f"over {counts['periods']:,} periods.")
