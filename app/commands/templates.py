"""``flask templates list | dump SLUG | load FILE | propose FILE``."""
import sys
from pathlib import Path

import click

from app.definition import definition_to_json
from app.services import ServiceError
from app.services.proposals import propose_from_file
from app.services.return_templates import TemplateProblems, dump, list_templates, load
from app.commands import read_spreadsheet


@click.group(help="Return templates: list them, and move their definitions between environments as JSON.")
def templates():
    pass


def fail(error: ServiceError) -> None:
    """Print every problem, one per line, on stderr and exit 1."""
    if isinstance(error, TemplateProblems):
        for problem in error.problems:
            click.echo(str(problem), err=True)
    else:
        click.echo(error.message or str(error), err=True)
    sys.exit(1)


@templates.command("list")
def list_command():
    """One line per template: slug, version, status, agency slugs (tab-separated)."""
    for summary in list_templates():
        click.echo(summary.as_line())


@templates.command("dump")
@click.argument("slug")
def dump_command(slug):
    """Print a template's latest definition as JSON."""
    try:
        click.echo(dump(slug), nl=False)
    except ServiceError as error:
        fail(error)


@templates.command("load")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--draft", is_flag=True, help="Keep the loaded definition as a draft instead of publishing it.")
def load_command(file, draft):
    """Create or update a template from a JSON definition (published unless --draft)."""
    try:
        result = load(file.read(), None, publish_it=not draft)
    except ServiceError as error:
        fail(error)
    state = "loaded" if result.changed else "unchanged"
    click.echo(f"{result.slug}\tversion {result.version}\t{result.status}\t{state}")


@templates.command("propose")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--agency", required=True, help="Short name of the agency whose spreadsheet this is.")
@click.option("--period", default=None, help="The period the example file is for ('2015/16 Q4', 'Oct 2017'); "
                                             "it also sets how often the return is made.")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The template JSON file to write (what `flask templates load` takes).")
def propose_command(file, agency, period, output):
    """Propose a template from an agency's own spreadsheet FILE (.xlsx).

    Writes the proposed template (layout "tables") as JSON to OUTPUT and prints, sheet by
    sheet, what it recognised ("+ ...") and what it could not ("- ...": labels that are no
    indicator or area of the partnership, left out of the template). Check the JSON, then
    `flask templates load OUTPUT --draft`. Exits 0 when it wrote a template, 1 when it
    could not propose anything (the reason on standard error), 2 for a usage error.
    """
    path, data = read_spreadsheet(file)
    try:
        proposal, problems = propose_from_file(data, path.name, agency_slug=agency, period_text=period)
    except ServiceError as error:
        fail(error)
    for sheet in proposal.sheets:
        click.echo(f"Sheet '{sheet.sheet}': " + ("proposed" if sheet.proposed else "nothing proposed"))
        for line in sheet.recognised:
            click.echo(f"  + {line}")
        for line in sheet.unrecognised:
            click.echo(f"  - {line}")
    if proposal.definition is None:
        click.echo(proposal.reason, err=True)
        sys.exit(1)
    if problems:
        click.echo("The proposed template does not pass the checks `flask templates load` makes:", err=True)
        for problem in problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    Path(output).write_text(definition_to_json(proposal.definition), encoding="utf-8")
    click.echo(f"Wrote {output} (template '{proposal.definition.slug}'). Check it, then "
               f"`flask templates load {output} --draft`.")
