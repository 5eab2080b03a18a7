"""``flask reminders send``: the scheduled email, for cron or a systemd timer."""
import sys
from datetime import date

import click

from app.services.notifications import describe, send_due


@click.group(help="Email reminders and chasers for the returns agencies owe.")
def reminders():
    pass


@reminders.command("send")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Treat this day (YYYY-MM-DD) as today. Default: today.")
@click.option("--dry-run", is_flag=True, help="List what would be sent; send and record nothing.")
def send_command(on, dry_run):
    """Send the reminders and chasers due today, and any email that failed before.

    Safe to run every hour: each reminder is recorded when it is made and never made
    twice, so a second run the same day sends nothing new. Prints each message sent (or
    that failed, and why). Exits 0 when everything went, 1 when a message could not be
    sent: it stays recorded as failed and the next run tries it again.
    """
    report = send_due(on.date() if on else date.today(), dry_run=dry_run)
    for line in report.nobody_to_tell:
        click.echo(f"not sent: {line}")
    if dry_run:
        for message in report.planned:
            click.echo(f"would send {describe(message)}")
        click.echo(f"Dry run: {len(report.planned)} to send; nothing sent or recorded.")
        return
    for outcome in report.outcomes:
        if outcome.ok:
            click.echo(f"sent {describe(outcome.message)}")
        else:
            click.echo(f"FAILED {describe(outcome.message)}: {outcome.error} (tried again next run)", err=True)
    sent = len(report.outcomes) - len(report.failed)
    click.echo(f"{sent} sent, {len(report.failed)} failed." if report.outcomes else "Nothing to send.")
    sys.exit(1 if report.failed else 0)
