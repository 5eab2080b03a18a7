"""Where uploads are kept (``UPLOAD_STORAGE``), and ``flask uploads prune``.

``file_store()`` is the app's one ``app.store.files.FileStore``: the local folder
(``UPLOAD_FOLDER``, the default) or an S3-compatible bucket (``UPLOAD_STORAGE = "s3"`` and
the ``UPLOAD_S3_*`` settings), made once per app.

``prune_uploads`` removes what nothing needs any more:
- held uploads (``pending/``: the file an officer previewed, its record and what was read
  from it) older than ``UPLOAD_PENDING_HOURS`` (24 by default): after that their preview
  no longer opens, so a rejected upload is kept exactly as long as its preview can be
  reopened;
- originals no stored submission points at (a worker killed between writing the file and
  committing), once older than ``UPLOAD_ORPHAN_HOURS`` so that an import under way is
  never touched.
"""
from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Submission
from app.store.files import FileStore, LocalFolder, S3Bucket, StoredFile

PENDING = "pending"
STORAGES = ("local", "s3")


class StorageSettingsError(ValueError):
    pass


def make_store(config) -> FileStore:
    storage = (config.get("UPLOAD_STORAGE") or "local").lower()
    if storage == "local":
        return LocalFolder(config["UPLOAD_FOLDER"])
    if storage == "s3":
        if not config.get("UPLOAD_S3_BUCKET"):
            raise StorageSettingsError("UPLOAD_STORAGE is 's3' but UPLOAD_S3_BUCKET is not set.")
        return S3Bucket(config["UPLOAD_S3_BUCKET"], endpoint_url=config.get("UPLOAD_S3_ENDPOINT_URL"),
                        region=config.get("UPLOAD_S3_REGION"), prefix=config.get("UPLOAD_S3_PREFIX") or "",
                        access_key_id=config.get("UPLOAD_S3_ACCESS_KEY_ID"),
                        secret_access_key=config.get("UPLOAD_S3_SECRET_ACCESS_KEY"))
    raise StorageSettingsError(f"UPLOAD_STORAGE must be one of {', '.join(STORAGES)}, not {storage!r}.")


def file_store() -> FileStore:
    """The app's file store (made on first use, then shared by the app's requests)."""
    app = current_app._get_current_object()
    store = app.extensions.get("safer_returns_files")
    if store is None:
        store = app.extensions["safer_returns_files"] = make_store(app.config)
    return store


def pending_hours() -> float:
    return float(current_app.config["UPLOAD_PENDING_HOURS"])


def original_key(sha256: str) -> str:
    return f"{sha256}.xlsx"


def pending_key(name: str) -> str:
    return f"{PENDING}/{name}"


def held_files_in_use(store: FileStore, held: list[StoredFile] | None = None) -> set[str]:
    """The SHA-256s of the held files the records among ``held`` (all held uploads' if None) point at."""
    found = set()
    for record in (f for f in (store.listing(PENDING) if held is None else held) if f.key.endswith(".json")):
        with contextlib.suppress(FileNotFoundError, ValueError, AttributeError):  # removed meanwhile
            found.add(json.loads(store.get(record.key)).get("sha256"))
    return found


@dataclass
class PruneReport:
    held_removed: list[str] = field(default_factory=list)
    held_kept: int = 0
    orphans_removed: list[str] = field(default_factory=list)
    originals_kept: int = 0


def prune_uploads(now: float | None = None, dry_run: bool = False) -> PruneReport:
    """Remove held uploads past ``UPLOAD_PENDING_HOURS`` and originals of no submission
    past ``UPLOAD_ORPHAN_HOURS``. Raises OSError or botocore's errors if the storage fails."""
    now = time.time() if now is None else now
    store, config, report = file_store(), current_app.config, PruneReport()
    held_cutoff = now - float(config["UPLOAD_PENDING_HOURS"]) * 3600
    held = store.listing(PENDING)
    # A held file is shared by every record of the same file (named by its SHA-256): it
    # stays while any record still in date points at it.
    still_needed = held_files_in_use(store, [f for f in held if f.modified >= held_cutoff])
    for item in held:
        if item.modified < held_cutoff and item.key.rsplit("/", 1)[-1].removesuffix(".xlsx") not in still_needed:
            report.held_removed.append(item.key)
            if not dry_run:
                store.delete(item.key)
        else:
            report.held_kept += 1
    orphan_cutoff = now - float(config["UPLOAD_ORPHAN_HOURS"]) * 3600
    originals = [f for f in store.listing("") if f.key.endswith(".xlsx")]
    stored = set(db.session.scalars(select(Submission.sha256).distinct()))
    for original in originals:
        if original.key.removesuffix(".xlsx") not in stored and original.modified < orphan_cutoff:
            report.orphans_removed.append(original.key)
            if not dry_run:
                store.delete(original.key)
        else:
            report.originals_kept += 1
    db.session.rollback()  # read only
    return report
