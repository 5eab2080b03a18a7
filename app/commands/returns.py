"""``flask returns blank`` (and, with the upload pipeline, ``flask returns import``)."""
import sys

import click

from app.services import ServiceError
from app.services.returns import blank_return_for


@click.group(help="Standard returns: blank workbooks for agencies, and importing filled ones.")
def returns():
    pass


def print_errors(error: ServiceError) -> None:
    for field, messages in error.field_errors.items():
        for message in messages:
            click.echo(f"{field}: {message}", err=True)
    if error.message and not error.field_errors:
        click.echo(error.message, err=True)


@returns.command("blank")
@click.argument("template")
@click.option("--agency", required=True, help="Short name of the agency the return is for.")
@click.option("--period", required=True, help="The period, as people write it: '2015/16 Q4', 'Oct 2017', 'Dec 2015 - Mar 2016'.")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, writable=True), help="The .xlsx file to write.")
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
