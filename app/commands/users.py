"""``flask users reset-two-factor EMAIL``: an administrator's reset of a second factor, from the
server, for the one person the web page cannot help: an installation's only administrator
(an admin may not reset their own; another admin must)."""
import sys

import click

from app.errors import NotFound
from app.services import ServiceError
from app.services.two_factor import reset_by_email


@click.group(help="People who sign in.")
def users():
    pass


@users.command("reset-two-factor")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask before resetting.")
def reset_two_factor_command(email, yes):
    """Clear the person's authenticator app and recovery codes and end their sessions, when
    they have lost their phone and their codes; recorded in the audit log (done by nobody
    signed in). On their next sign-in they set up two-factor sign-in again."""
    if not yes:
        click.confirm(f"The authenticator app and recovery codes of {email} will stop working and they will be "
                      "signed out. Reset their second factor?", abort=True)
    try:
        done = reset_by_email(email)
    except (ServiceError, NotFound) as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    click.echo(done.message)
