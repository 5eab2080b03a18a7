"""Where uploaded files are kept: one small interface, two places.

- ``LocalFolder``: a folder on this machine (the default: ``UPLOAD_FOLDER``). Fine for one
  machine, or several sharing a network folder.
- ``S3Bucket``: an S3-compatible bucket (AWS S3, MinIO, SeaweedFS, Ceph...), so that
  several machines running the app see the same files.

Keys are relative paths with ``/`` (``<sha256>.xlsx``, ``pending/<token>.json``). ``put``
never overwrites: a key names its content (a SHA-256) or is made once (a token), so the
same file uploaded twice is kept once, and it says whether this call wrote the file (so
a failed commit removes only what it wrote). Flask-free: the service layer builds one
from the configuration (``app.services.uploads.file_store``).
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class StoredFile:
    key: str
    modified: float  # seconds since the epoch (UTC)


class FileStore(Protocol):
    def put(self, key: str, data: bytes) -> bool:
        """Keep ``data`` under ``key`` unless something is there already; True if this call wrote it."""

    def replace(self, key: str, data: bytes) -> None:
        """Write ``data`` under ``key`` whether or not something is there (a held upload's small record)."""

    def get(self, key: str) -> bytes:
        """The file's bytes; raises FileNotFoundError if there is none."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the file (no error if it is not there)."""

    def listing(self, folder: str = "") -> list[StoredFile]:
        """The files directly in ``folder`` ("" the top, "pending" the held uploads), not in its sub-folders."""


def _checked(key: str) -> str:
    parts = key.split("/")
    if not key or any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        raise ValueError(f"not a file key: {key!r}")
    return key


def _written_beside(path: Path, data: bytes) -> str:
    """``data`` written and synced to a new temporary file in ``path``'s folder (made if
    need be), so that linking or renaming it into place is atomic; its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return temporary


class LocalFolder:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*_checked(key).split("/"))

    def put(self, key: str, data: bytes) -> bool:
        path = self._path(key)
        if path.exists():
            return False
        temporary = _written_beside(path, data)
        try:
            os.link(temporary, path)  # fails if another upload of the same file got there first
        except FileExistsError:
            return False
        finally:
            os.unlink(temporary)
        return True

    def replace(self, key: str, data: bytes) -> None:
        """Write ``data`` under ``key`` whether or not something is there (small records only)."""
        path = self._path(key)
        temporary = _written_beside(path, data)
        try:
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def listing(self, folder: str = "") -> list[StoredFile]:
        base = self._path(folder) if folder else self.root
        if not base.is_dir():
            return []
        found = []
        for path in base.iterdir():
            if path.name.startswith("."):
                continue  # a write under way
            try:
                stat = path.stat()
            except OSError:
                continue  # removed meanwhile
            if path.is_file():
                found.append(StoredFile(f"{folder}/{path.name}" if folder else path.name, stat.st_mtime))
        return sorted(found, key=lambda f: f.key)


class S3Bucket:
    """An S3-compatible bucket, through boto3 (imported only when one is used)."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
                 prefix: str = "", access_key_id: str | None = None, secret_access_key: str | None = None,
                 client=None):
        if client is None:
            import boto3
            from botocore.config import Config

            client = boto3.client(
                "s3", endpoint_url=endpoint_url or None, region_name=region or None,
                aws_access_key_id=access_key_id or None, aws_secret_access_key=secret_access_key or None,
                config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30,
                              s3={"addressing_style": "path"}))
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def _key(self, key: str) -> str:
        return self.prefix + _checked(key)

    @staticmethod
    def _missing(error) -> bool:
        code = str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))
        return code in ("404", "NoSuchKey", "NotFound")

    def put(self, key: str, data: bytes) -> bool:
        if self.exists(key):
            return False
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)
        return True

    def replace(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def get(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except ClientError as error:
            if self._missing(error):
                raise FileNotFoundError(key) from None
            raise

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
            return True
        except ClientError as error:
            if self._missing(error):
                return False
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def listing(self, folder: str = "") -> list[StoredFile]:
        prefix = self.prefix + (_checked(folder) + "/" if folder else "")
        found = []
        for page in self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=prefix, Delimiter="/"):
            for item in page.get("Contents", []):
                name = item["Key"][len(prefix):]
                if name and "/" not in name:
                    found.append(StoredFile(f"{folder}/{name}" if folder else name,
                                            item["LastModified"].timestamp()))
        return sorted(found, key=lambda f: f.key)
