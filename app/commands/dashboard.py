"""``flask dashboard export -o FILE.xlsx [--period P] [--public]``."""
import sys
from pathlib import Path

import click

from app.commands.returns import print_errors
from app.services import ServiceError
from app.services.dashboard_export import export_dashboard
from app.services.dashboard import latest_period_with_figures, parse_dashboard_period


@click.group(help="The consolidated dashboard workbook for the board.")
def dashboard():
    pass


@dashboard.command("export")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="The .xlsx file to write.")
@click.option("--period", default=None,
              help="The period, as people write it: '2015/16', '2015/16 Q4', '12 months to October 2017'. "
                   "Default: the latest period with figures.")
@click.option("--public", is_flag=True,
              help="The version a partnership may publish: no restricted sheets, no internal commentary or "
                   "agency detail, counts below 5 hidden.")
def export_command(output, period, public):
    """Write the dashboard workbook. Without --public it is the full version, restricted
    sheets included: it is for the board, not for publication."""
    target = Path(output)
    if target.suffix.lower() != ".xlsx":
        click.echo(f"{output}: name the file .xlsx (for example dashboard.xlsx).", err=True)
        sys.exit(1)
    if not target.parent.exists():
        click.echo(f"{output}: the folder {target.parent} does not exist.", err=True)
        sys.exit(1)
    if period is None:
        latest = latest_period_with_figures()
        if latest is None:
            click.echo("There are no figures yet, so there is no dashboard to export. Import returns "
                       "(or run 'flask demo load') first.", err=True)
            sys.exit(1)
        period = latest.key
    try:
        _filename, body = export_dashboard(period, None, public=public)
    except ServiceError as error:
        print_errors(error)
        sys.exit(1)
    try:
        target.write_bytes(body.getvalue())
    except OSError as error:
        click.echo(f"{output}: could not write the file ({error.strerror}).", err=True)
        sys.exit(1)
    version = "public" if public else "full (restricted: not for publication)"
    click.echo(f"Wrote {output}: the {version} dashboard for {parse_dashboard_period(period).label}.")
