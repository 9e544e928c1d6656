"""Where downloaded files come from: S3 in AWS, a local folder on a laptop.

``S3Files`` answers with a presigned GET URL that lives for seconds: the browser
fetches the object straight from S3, and the link we count stays the only way to get
a fresh one. boto3 is imported on first use (Lambda cold starts pay for it otherwise);
presigning is local computation, no call to AWS.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class LocalFile:
    """A file to stream from disk."""

    path: Path


@dataclass(frozen=True, slots=True)
class Redirect:
    """A short-lived URL to send the browser to."""

    url: str


class FileSource(Protocol):
    """Delivers the file behind an asset key."""

    def exists(self, asset_key: str) -> bool:
        """Whether the file can be delivered (checked before a download is counted)."""
        ...

    def deliver(self, asset_key: str, filename: str) -> LocalFile | Redirect:
        """How the response hands over the file."""
        ...


class LocalFiles:
    """Files under one folder (``.commerce/files`` by default)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.absolute()

    def _path(self, asset_key: str) -> Path | None:
        path = (self.folder / asset_key).resolve()
        # Catalog rules forbid "..", and this keeps a bad key from escaping anyway.
        if not path.is_relative_to(self.folder.resolve()):
            return None
        return path

    def exists(self, asset_key: str) -> bool:
        """Whether the file is on disk."""
        path = self._path(asset_key)
        return path is not None and path.is_file()

    def deliver(self, asset_key: str, filename: str) -> LocalFile | Redirect:
        """The file to stream."""
        path = self._path(asset_key)
        if path is None:
            raise FileNotFoundError(asset_key)
        return LocalFile(path)


class S3Files:
    """Objects in the files bucket, handed over as presigned URLs."""

    def __init__(self, bucket: str, region: str, url_seconds: int) -> None:
        self.bucket = bucket
        self.region = region
        self.url_seconds = url_seconds
        self._client: Any = None
        self._lock = threading.Lock()

    def _s3(self) -> Any:
        with self._lock:
            if self._client is None:
                import boto3
                from botocore.config import Config

                # SigV4: the only signature every region accepts (SigV2 is retired).
                self._client = boto3.client(
                    "s3", region_name=self.region, config=Config(signature_version="s3v4")
                )
            return self._client

    def exists(self, asset_key: str) -> bool:
        """Assumed: a HEAD per download would cost a call; S3 answers 404 for a missing one."""
        return True

    def deliver(self, asset_key: str, filename: str) -> LocalFile | Redirect:
        """A presigned GET that saves the file under ``filename``."""
        url = self._s3().generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": asset_key,
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
            },
            ExpiresIn=self.url_seconds,
        )
        return Redirect(str(url))
