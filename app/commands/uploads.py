"""``flask uploads prune``: remove held uploads past their preview's life and orphaned originals (for cron)."""
import sys

import click

from app.services.uploads import StorageSettingsError, prune_uploads


@click.group(help="The uploaded files the app keeps (the uploads folder or the bucket).")
def uploads():
    pass


@uploads.command("prune")
@click.option("--dry-run", is_flag=True, help="Say what would be removed; remove nothing.")
def prune_command(dry_run):
    """Remove held uploads whose preview can no longer be reopened (UPLOAD_PENDING_HOURS, 24 by
    default: a rejected or abandoned upload goes then) and originals no stored return points at
    (older than UPLOAD_ORPHAN_HOURS: left by a worker killed mid-import). Run it from cron, e.g.
    hourly. Exit status: 0 done (also when there was nothing to remove), 1 the storage could not
    be read or written (nothing is half-removed that matters: run it again), 2 a setting is wrong."""
    try:
        report = prune_uploads(dry_run=dry_run)
    except StorageSettingsError as error:
        click.echo(f"Cannot prune: {error}", err=True)
        sys.exit(2)
    except Exception as error:  # OSError, or botocore's errors for a bucket
        click.echo(f"Cannot prune: the upload storage failed: {error}", err=True)
        sys.exit(1)
    verb = "Would remove" if dry_run else "Removed"
    for key in report.held_removed + report.orphans_removed:
        click.echo(f"{verb} {key}")
    click.echo(f"{verb} {len(report.held_removed)} held upload file(s) past their preview's life and "
               f"{len(report.orphans_removed)} orphaned original(s); kept {report.held_kept} held and "
               f"{report.originals_kept} original(s).")
