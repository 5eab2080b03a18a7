"""``flask dashboard export -o FILE.xlsx [--period P] [--public] [--area CODE]`` and
``flask dashboard report -o FILE.docx [--period P] [--public]``."""
import sys
from pathlib import Path

import click

from app.commands.returns import print_errors
from app.services import ServiceError
from app.services.dashboard_export import export_dashboard, export_report
from app.services.dashboard import latest_period_with_figures, parse_dashboard_period


@click.group(help="The consolidated dashboard workbook for the board.")
def dashboard():
    pass


PERIOD_HELP = ("The period, as people write it: '2015/16', '2015/16 Q4', '12 months to October 2017'. "
               "Default: the latest period with figures.")
PUBLIC_HELP = ("The version a partnership may publish: no restricted sheets, no internal commentary or "
               "agency detail, counts below 5 hidden.")
# What each command writes, by the output file's suffix.
WORKBOOK_SUFFIXES = {".xlsx": export_dashboard}
REPORT_SUFFIXES = {".docx": export_report}


def _file_options(output_help: str):
    """-o/--output, --period and --public, as both commands take them."""
    def decorate(command):
        command = click.option("--public", is_flag=True, help=PUBLIC_HELP)(command)
        command = click.option("--period", default=None, help=PERIOD_HELP)(command)
        return click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
                            help=output_help)(command)
    return decorate


@dashboard.command("export")
@_file_options("The .xlsx file to write.")
@click.option("--area", default=None, help="One area's workbook (its code, e.g. LC): its own figures instead of the "
              "headline figures, and its district table; only that area and its districts are read.")
def export_command(output, period, public, area):
    """Write the dashboard workbook. Without --public it is the full version, restricted
    sheets included: it is for the board, not for publication."""
    _write(output, period, public, WORKBOOK_SUFFIXES, "dashboard workbook", "dashboard.xlsx", area=area)


@dashboard.command("report")
@_file_options("The file to write: .docx, the board's performance report as a Word document.")
def report_command(output, period, public):
    """Write the board's performance report (cover, RAG summary and the reds, Appendix 1 per
    outcome, district tables, DHR summary in the full version, notes and definitions).
    Without --public it is the full version: for the board, not for publication."""
    _write(output, period, public, REPORT_SUFFIXES, "performance report", "report.docx")


def _write(output, period, public, writers, what: str, example: str, **options):
    target = Path(output)
    write = writers.get(target.suffix.lower())
    if write is None:
        names = " or ".join(sorted(writers))
        click.echo(f"{output}: name the file {names} (for example {example}).", err=True)
        sys.exit(1)
    if not target.parent.exists():
        click.echo(f"{output}: the folder {target.parent} does not exist.", err=True)
        sys.exit(1)
    if period is None:
        latest = latest_period_with_figures()
        if latest is None:
            click.echo(f"There are no figures yet, so there is no {what} to write. Import returns "
                       "(or run 'flask demo load') first.", err=True)
            sys.exit(1)
        period = latest.key
    try:
        _filename, body = write(period, None, public=public, **options)
    except ServiceError as error:
        print_errors(error)
        sys.exit(1)
    try:
        target.write_bytes(body.getvalue())
    except OSError as error:
        click.echo(f"{output}: could not write the file ({error.strerror}).", err=True)
        sys.exit(1)
    version = "public" if public else "full (restricted: not for publication)"
    click.echo(f"Wrote {output}: the {version} {'dashboard' if what.startswith('dashboard') else what} for "
               f"{parse_dashboard_period(period).label}.")
