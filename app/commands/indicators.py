"""``flask indicators recompute --all`` / ``--indicator SLUG``: rebuild the kept indicator
results; ``flask indicators check``: do they equal a recompute?"""
import sys

import click

from app.commands.returns import print_errors
from app.services import ServiceError
from app.services.results import recompute_results
from app.services.results_check import SHOWN_AT_MOST, check_results


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


@indicators.command("check")
def check_command():
    """Say whether the kept results equal a recompute from the stored figures, changing
    nothing (the recompute is rolled back). For after a figure was changed outside the app
    (in SQL, or by a partial restore). Exits 0 when they are equal, 1 when they differ,
    naming what differs."""
    check = check_results()
    if check.ok:
        click.echo(f"The kept indicator results equal a recompute from the stored figures: {check.figures:,} "
                   f"figures and {check.rows:,} dashboard rows.")
        return
    click.echo(f"The kept indicator results differ from a recompute from the stored figures: "
               f"{check.figures_differing:,} figures and {check.rows_differing:,} dashboard rows.")
    for difference in check.differences:
        click.echo(f"  {difference.what.capitalize()}: {difference.words}: {difference.how}")
    shown = len(check.differences)
    if check.figures_differing + check.rows_differing > shown:
        click.echo(f"  … and {check.figures_differing + check.rows_differing - shown:,} more "
                   f"(the first {SHOWN_AT_MOST} are named).")
    click.echo("Run `flask indicators recompute --all` to rebuild them.")
    sys.exit(1)
