"""Where snapshot files are kept: a folder, or S3 (moto's S3; nothing else is imitated)."""

from __future__ import annotations

from pathlib import Path

import pytest
from moto import mock_aws

from commerce.catalog.snapshot_files import FolderSnapshotFiles, S3SnapshotFiles, SnapshotMissing


def test_a_folder_gives_back_each_file_and_keeps_only_the_newest_four(tmp_path: Path) -> None:
    # given
    files = FolderSnapshotFiles(tmp_path / "catalog")
    # when
    for n in range(6):
        files.put(f"{n:020d}-digest.snapshot", f"file {n}".encode())
    # then
    assert files.get(f"{5:020d}-digest.snapshot") == b"file 5"
    kept = sorted(p.name for p in (tmp_path / "catalog").iterdir())
    assert kept == [f"{n:020d}-digest.snapshot" for n in range(2, 6)]
    with pytest.raises(SnapshotMissing):
        files.get(f"{0:020d}-digest.snapshot")


def test_s3_gives_back_each_file_under_the_catalog_prefix() -> None:
    with mock_aws():
        import boto3

        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="commerce-test-catalog")
        files = S3SnapshotFiles("commerce-test-catalog", "us-east-1")
        # when
        files.put("00000000000000000001-abc.snapshot", b"\x00snapshot")
        # then
        assert files.get("00000000000000000001-abc.snapshot") == b"\x00snapshot"
        listed = s3.list_objects_v2(Bucket="commerce-test-catalog")["Contents"]
        assert [o["Key"] for o in listed] == ["catalog/00000000000000000001-abc.snapshot"]
        with pytest.raises(SnapshotMissing):
            files.get("00000000000000000002-missing.snapshot")
