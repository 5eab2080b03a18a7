"""``flask returns blank`` and ``flask returns import``."""
import json
import sys

import click

from app.collector import paused_until_exit
from app.services import ServiceError
from app.services.returns import import_return, import_summary
from app.services.blank_returns import blank_return_for
from app.commands import read_spreadsheet


@click.group(help="Standard returns: blank workbooks for agencies, and importing filled ones.")
def returns():
    pass


def print_errors(error: ServiceError) -> None:
    for field, messages in error.field_errors.items():
        for message in messages:
            click.echo(f"{field}: {message}", err=True)
    if error.message and not error.field_errors:
        click.echo(error.message, err=True)


def print_choices(choices) -> None:
    """A near-tie: the templates the file could be, and why, and what to do."""
    click.echo("This file could be either of these returns (nothing in it says which):")
    for choice in choices:
        click.echo(f"  {choice.slug}: {choice.name} ({choice.reason})")
    click.echo("Nothing was read or stored: run the command again with --template and the short name of the one it "
               "is.")


@returns.command("blank")
@click.argument("template")
@click.option("--agency", required=True, help="Short name of the agency the return is for.")
@click.option(
    "--period", required=True, help="The period, as people write it: '2015/16 Q4', 'Oct 2017', 'Dec 2015 - Mar 2016'."
)
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help="The .xlsx file to write.",
)
def blank_command(template, agency, period, output):
    """Write the blank standard return for TEMPLATE, an agency and a period."""
    try:
        filename, body = blank_return_for(template, agency, period, None)
    except ServiceError as error:
        print_errors(error)
        sys.exit(1)
    with open(output, "wb") as fh:
        fh.write(body.getvalue())
    click.echo(f"Wrote {output} ({filename})")


@returns.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--agency", required=True, help="Short name of the agency the return is from.")
@click.option("--period", default=None, help="The period, if the workbook does not record it (or to check it does).")
@click.option("--template", default=None, help="Short name of the template, if the workbook is not recognised.")
@click.option(
    "--comment", default=None, help="A comment stored with the submission (e.g. why a flagged figure is right)."
)
@click.option("--dry-run", is_flag=True, help="Check the return and print the report; store nothing.")
@click.option("--strict", is_flag=True, help="Refuse the return if it has warnings too (by default warnings are "
                                             "printed and the return is stored, like an officer confirming them).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of the summary: the template, "
                                                     "period, file, outcome, every figure read and every problem.")
def import_command(file, agency, period, template, comment, dry_run, strict, as_json):
    """Import a filled return FILE for an agency, through the same checks as a web upload.

    Prints the template and version used, the agency, the period, how many values, warnings
    and errors, every problem as 'Sheet!Cell: message', and what was stored. Exits 0 when
    the return is accepted (stored, or would be with --dry-run), 1 when it is rejected.

    With --json, standard output is one JSON document instead (the same exit codes; the
    other options work as without it). A wrong agency, a file that cannot be opened, or a
    store that fails (the database busy) prints nothing on standard output, only the
    message on standard error, and exits 1.
    """
    path, data = read_spreadsheet(file)
    try:
        with paused_until_exit():  # the command's work: what follows only prints
            outcome = import_return(data, path.name, agency_slug=agency, period_text=period, template_slug=template,
                                    comment=comment, dry_run=dry_run, strict=strict)
    except ServiceError as error:
        print_errors(error)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(import_summary(outcome), indent=2))
        sys.exit(0 if outcome.accepted else 1)
    for line in outcome.parsed.summary_lines():
        click.echo(line)
    if outcome.parsed.choices:
        print_choices(outcome.parsed.choices)
        sys.exit(1)
    for problem in outcome.parsed.errors + outcome.parsed.warnings:
        click.echo(str(problem))
    click.echo(outcome.result_line())
    sys.exit(0 if outcome.accepted else 1)
