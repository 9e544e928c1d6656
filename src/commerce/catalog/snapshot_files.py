"""Where published catalog snapshots are kept: a folder locally, an S3 bucket on AWS.

The service only needs to put a file under a key and get it back; the key names the
snapshot (``<read started>-<digest>.snapshot``) and is never overwritten, so an instance
reading an older file while a newer one is written reads a whole file either way.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Any, Protocol

# Files a folder keeps: the newest, and a few before it for instances still loading them.
KEPT_LOCAL_FILES = 4


class SnapshotFiles(Protocol):
    """Stores snapshot files by key."""

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` (a new key each time)."""
        ...

    def get(self, key: str) -> bytes:
        """The file stored under ``key``; raises when it is not there."""
        ...


class SnapshotMissing(LookupError):
    """The store holds no file under that key (pruned or expired, or written to another
    store than this instance reads: a CLI run with another data folder)."""


class FolderSnapshotFiles:
    """Snapshot files in a local folder (``commerce serve`` and the tests)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def put(self, key: str, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".partial")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        Path(temporary).replace(self.folder / key)
        self._prune()

    def get(self, key: str) -> bytes:
        try:
            return (self.folder / key).read_bytes()
        except FileNotFoundError:
            raise SnapshotMissing(key) from None

    def _prune(self) -> None:
        # Keys start with the read's instant, zero-padded: name order is age order.
        files = sorted(self.folder.glob("*.snapshot"))
        for old in files[:-KEPT_LOCAL_FILES]:
            old.unlink(missing_ok=True)


class S3SnapshotFiles:
    """Snapshot files in an S3 bucket under a prefix; a lifecycle rule expires old ones."""

    def __init__(self, bucket: str, region: str, prefix: str = "catalog/") -> None:
        self.bucket = bucket
        self.region = region
        self.prefix = prefix
        self._client: Any = None
        self._lock = threading.Lock()

    def _s3(self) -> Any:
        with self._lock:
            if self._client is None:
                import boto3  # lazily: the API's cold start does not pay for an S3 client

                self._client = boto3.client("s3", region_name=self.region)
            return self._client

    def put(self, key: str, data: bytes) -> None:
        self._s3().put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data)

    def get(self, key: str) -> bytes:
        client = self._s3()
        try:
            response = client.get_object(Bucket=self.bucket, Key=self.prefix + key)
        except client.exceptions.NoSuchKey:
            raise SnapshotMissing(key) from None
        return bytes(response["Body"].read())
