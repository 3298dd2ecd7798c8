"""A full disk during a sync, on a real 4 MB tmpfs: said in words, nothing lost, completed later.

The downloading computer's data folder lives on the tmpfs; a filler file takes most of its room.
A download that does not fit is refused with how much it needs and where, leaves no partial file
behind and completes on the next sync once there is room; SQLite's "database or disk is full"
during a pull is a sentence, not a traceback, and the next sync completes too. Mounting needs root:
the test is skipped elsewhere, except in CI (CI=true), where it must run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gigbag.app.workspace import Workspace
from gigbag.sync.errors import DiskFull

from .conftest import Device


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs as root: the full-disk tests must mount their tmpfs there")
        pytest.skip("mounting a tmpfs needs root (these tests run in CI, as root)")
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], check=True)
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """Take all of the disk's free room but ``leave`` bytes."""
    filler = disk / "filler.bin"
    room = shutil.disk_usage(disk).free - leave
    with filler.open("wb") as fh:
        while room > 0:
            n = min(room, 256 * 1024)
            fh.write(b"\0" * n)
            room -= n
    return filler


def on_disk(disk: Path, opened: list[Workspace]) -> Device:
    ws = Workspace.open(disk / "b")
    opened.append(ws)
    return Device("b", ws)


@pytest.fixture
def opened() -> Iterator[list[Workspace]]:
    workspaces: list[Workspace] = []
    yield workspaces
    for ws in workspaces:
        ws.close()


def test_a_download_that_does_not_fit_is_said_in_words_and_completes_once_there_is_room(
    small_disk: Path, opened: list[Workspace], server: Any, email: str, make_device: Any, tmp_path: Path
) -> None:
    a = make_device("a")
    a.login(server, email, create=True)
    source = tmp_path / "live-set.wav"
    source.write_bytes(os.urandom(2 * 1024 * 1024))
    file = a.ws.files.import_file(source)
    a.sync()
    b = on_disk(small_disk, opened)
    b.login(server, email)
    filler = fill(small_disk, leave=1024 * 1024)
    summary = b.sync()
    assert not summary.complete and [sha for sha, _ in summary.file_errors] == [file.blob_sha256]
    reason = summary.file_errors[0][1]
    assert "“live-set.wav”" in reason and "it needs 2.0 MB" in reason and str(b.ws.blobs.root) in reason
    assert "nothing was lost" in reason
    assert list((b.ws.blobs.root / "tmp").glob("*.part")) == []  # no partial file keeps the disk full
    assert b.ws.files.get(file.id) is not None and not b.ws.blobs.has(file.blob_sha256)
    assert b.service.last_sync_at() is None
    filler.unlink()
    again = b.sync()
    assert again.complete and again.files_down == 1 and b.ws.blobs.verify(file.blob_sha256)


def test_downloads_at_once_that_fill_the_disk_are_each_said_and_complete_once_there_is_room(
    small_disk: Path, opened: list[Workspace], server: Any, email: str, make_device: Any, tmp_path: Path
) -> None:
    a = make_device("a")
    a.login(server, email, create=True)
    files = []
    for i in range(8):
        source = tmp_path / f"photo-{i}.jpg"
        source.write_bytes(os.urandom(300 * 1024))
        files.append(a.ws.files.import_file(source))
    assert a.sync().files_up == 8
    b = on_disk(small_disk, opened)
    b.login(server, email)
    filler = fill(small_disk, leave=768 * 1024)  # room for about two of the eight
    summary = b.sync()
    here = [f for f in files if b.ws.blobs.has(f.blob_sha256)]
    assert not summary.complete and len(here) < 8
    said = dict(summary.file_errors)
    assert sorted(said) == sorted(f.blob_sha256 for f in files if f not in here)  # each one left, once
    assert all("free some space and sync again" in reason for reason in said.values())
    assert list((b.ws.blobs.root / "tmp").glob("*.part")) == []  # no partial file keeps the disk full
    assert all(b.ws.blobs.verify(f.blob_sha256) for f in here)
    assert b.service.last_sync_at() is None
    filler.unlink()
    again = b.sync()
    assert again.complete and again.files_down == 8 - len(here)
    assert all(b.ws.blobs.verify(f.blob_sha256) for f in files)


def test_a_full_database_during_a_pull_is_a_sentence_and_the_next_sync_completes(
    small_disk: Path, opened: list[Workspace], server: Any, email: str, make_device: Any
) -> None:
    a = make_device("a")
    a.login(server, email, create=True)
    for i in range(1500):
        a.ws.timeline.create({"date": "2025-05-01", "title": f"Gig {i} " + "x" * 180, "entry_type": "gig"})
    a.sync()
    b = on_disk(small_disk, opened)
    b.login(server, email)
    filler = fill(small_disk, leave=64 * 1024)
    with pytest.raises(DiskFull) as caught:
        b.sync()
    said = str(caught.value)
    assert said.startswith("The disk that holds this computer's Gigbag data") and "is full" in said
    assert str(small_disk / "b") in said and "Nothing was lost" in said
    assert "OperationalError" not in said and "Traceback" not in said
    filler.unlink()
    summary = b.sync()
    assert summary.complete and b.entities() == a.entities()
