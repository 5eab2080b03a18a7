"""``flask templates list | dump SLUG | load FILE``."""
import sys

import click

from app.services import ServiceError
from app.services.return_templates import TemplateProblems, dump, list_templates, load


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
