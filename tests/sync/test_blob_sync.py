"""File contents against a real server: HEAD before upload, resumable tus uploads, resumed and
verified downloads, cloud-only files, and the storage quota's refusal reported per file."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gigbag.local_db.database import read_session
from gigbag.local_db.sync_tables import BlobTransfer
from gigbag.sync.account import load_token
from gigbag.sync.blob_sync import BlobSync
from gigbag.sync.errors import ProtocolError, SyncCancelled
from gigbag.sync.progress import CancelToken, ProgressEvent, no_progress
from tests.fixtures.server_process import ServerProcess, start_server

from .conftest import Device


def random_file(tmp_path: Path, name: str, size: int) -> Path:
    path = tmp_path / name
    with path.open("wb") as fh:
        fh.write(os.urandom(size))
    return path


def blob_sync(device: Device, *, cancel: CancelToken | None = None, progress: Any = no_progress, **kw: Any) -> BlobSync:
    info = device.service.account()
    assert info.server_url is not None
    client = device.client(info.server_url, load_token(info), cancel=cancel or CancelToken())
    return BlobSync(device.ws.engine, device.ws.blobs, client, progress, client.cancel, **kw)


def test_content_the_server_has_is_not_sent_again(server: Any, email: str, make_device: Any, tmp_path: Path) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    b.login(server, email)
    same = random_file(tmp_path, "take.wav", 20_000)
    a.ws.files.import_file(same)
    b.ws.files.import_file(same)
    assert a.sync().files_up == 1
    summary = b.sync()
    assert summary.files_up == 0
    assert [r for r in b.requests if r[0] in ("PUT", "PATCH", "POST") and "blobs" in r[1] + "uploads"] == []
    assert any(r[0] == "HEAD" and r[1].startswith("/v1/blobs/") for r in b.requests)


def test_a_resumable_upload_cut_half_way_continues_from_the_servers_offset(
    server: Any, email: str, make_device: Any, tmp_path: Path
) -> None:
    a = make_device("a")
    a.login(server, email, create=True)
    src = random_file(tmp_path, "stems.zip", 600 * 1024)
    stored = a.ws.blobs.import_file(src)
    cancel = CancelToken()

    def cut(event: ProgressEvent) -> None:
        if event.phase == "upload" and event.bytes_done >= 200 * 1024:
            cancel.cancel()

    first = blob_sync(a, cancel=cancel, progress=cut, tus_threshold=1, patch_size=64 * 1024)
    with pytest.raises(SyncCancelled):
        first.ensure_uploaded(stored.sha256)
    with read_session(a.ws.engine) as s:
        transfer = s.get(BlobTransfer, (stored.sha256, "up"))
    assert transfer is not None and transfer.upload_url and transfer.bytes_done >= 128 * 1024
    a.requests.clear()
    second = blob_sync(a, tus_threshold=1, patch_size=64 * 1024)
    assert second.ensure_uploaded(stored.sha256)
    patches = [r for r in a.requests if r[0] == "PATCH"]
    assert 0 < len(patches) <= 7  # the rest only: 600 KiB in 64 KiB pieces is 10
    assert not any(r[0] == "POST" for r in a.requests)  # the same upload, not a new one
    token = load_token(a.service.account())
    got = httpx.get(f"{server.url}/v1/blobs/{stored.sha256}", headers={"Authorization": f"Bearer {token}"})
    assert got.content == src.read_bytes()
    with read_session(a.ws.engine) as s:
        assert s.get(BlobTransfer, (stored.sha256, "up")) is None


def test_a_download_cut_half_way_resumes_and_is_verified(
    server: Any, email: str, make_device: Any, tmp_path: Path
) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    b.login(server, email)
    src = random_file(tmp_path, "video.mp4", 5 * 1024 * 1024 + 123)
    file = a.ws.files.import_file(src)
    a.sync()
    cancel = CancelToken()

    def cut(event: ProgressEvent) -> None:
        if event.phase == "download" and event.bytes_done >= 2 * 1024 * 1024:
            cancel.cancel()

    with pytest.raises(SyncCancelled):
        b.sync(progress=cut, cancel=cancel)
    partial = b.ws.blobs.root / "tmp" / f"download-{file.blob_sha256}.part"
    assert partial.exists() and 0 < partial.stat().st_size < src.stat().st_size
    assert not b.ws.files.is_available(b.ws.files.get(file.id))  # missing, never half a file
    summary = b.sync()
    assert summary.files_down == 1
    assert summary.bytes_down < src.stat().st_size  # only the rest came down
    assert b.ws.blobs.path(file.blob_sha256).read_bytes() == src.read_bytes()
    assert not partial.exists()


def test_a_partial_download_damaged_before_it_resumes_is_refused(
    server: Any, email: str, make_device: Any, tmp_path: Path
) -> None:
    # downloads are hashed while written; a resumed one must hash what its partial file holds, not
    # what was received before the cut
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    b.login(server, email)
    file = a.ws.files.import_file(random_file(tmp_path, "demo.wav", 3 * 1024 * 1024 + 7))
    a.sync()
    sync_b = blob_sync(b)
    cancel = CancelToken()

    def cut(event: ProgressEvent) -> None:
        if event.phase == "download" and event.bytes_done >= 1024 * 1024:
            cancel.cancel()

    cut_sync = blob_sync(b, cancel=cancel, progress=cut)
    with pytest.raises(SyncCancelled):
        cut_sync.download(file.blob_sha256)
    partial = b.ws.blobs.root / "tmp" / f"download-{file.blob_sha256}.part"
    with partial.open("r+b") as fh:
        fh.seek(10)
        fh.write(b"\xff\x00\xff")
    with pytest.raises(ProtocolError, match="damaged"):
        sync_b.download(file.blob_sha256)
    assert not partial.exists() and not b.ws.blobs.has(file.blob_sha256)
    assert sync_b.download(file.blob_sha256)  # then it comes down whole
    assert b.ws.blobs.path(file.blob_sha256).read_bytes() == a.ws.blobs.path(file.blob_sha256).read_bytes()


def test_content_that_comes_down_damaged_is_refused_and_the_file_shows_missing(
    server: Any, email: str, make_device: Any, tmp_path: Path
) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    b.login(server, email)
    file = a.ws.files.import_file(random_file(tmp_path, "photo.jpg", 4000))
    a.sync()
    # Damage the server's stored copy (disk rot, a broken proxy): the client must notice.
    on_server = server.data_dir / "blobs" / file.blob_sha256[:2] / file.blob_sha256[2:4] / file.blob_sha256
    on_server.write_bytes(b"\x00" * 4000)
    summary = b.sync()
    assert [sha for sha, _ in summary.file_errors] == [file.blob_sha256]
    assert "damaged" in summary.file_errors[0][1]
    assert not b.ws.files.is_available(b.ws.files.get(file.id))
    assert not b.ws.blobs.has(file.blob_sha256)


def test_cloud_only_files_stay_on_the_server_until_asked_for(
    server: Any, email: str, make_device: Any, tmp_path: Path
) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    b.login(server, email)
    src = random_file(tmp_path, "archive.wav", 30_000)
    file = a.ws.files.import_file(src)
    a.service.make_cloud_only(file.id)  # uploads it first, then frees the local copy
    assert not a.ws.blobs.has(file.blob_sha256)
    a.sync()
    assert a.sync().files_down == 0 and not a.ws.blobs.has(file.blob_sha256)
    assert b.sync().files_down == 1  # another computer keeps its own choice
    assert a.service.status().cloud_only_files == 1 and a.service.status().files_missing == 0
    assert a.service.keep_on_computer(file.id)
    assert a.ws.blobs.path(file.blob_sha256).read_bytes() == src.read_bytes()


@pytest.fixture
def small_quota_server(tmp_path: Path) -> Iterator[ServerProcess]:
    process = start_server(tmp_path / "quota-server", extra_args=["--storage-quota", "50000"])
    yield process
    process.stop()


def test_a_file_over_the_quota_is_refused_by_name_and_everything_else_syncs(
    small_quota_server: ServerProcess, email: str, make_device: Any, tmp_path: Path
) -> None:
    a = make_device("a")
    # added before signing in, under this computer's own default limit; the account's limit is smaller,
    # so the server refuses it (signed in, the desktop would refuse it at import: test_storage_truth)
    big = a.ws.files.import_file(random_file(tmp_path, "too big.wav", 80_000))
    a.login(small_quota_server, email, create=True)
    a.ws.journal.create({"title": "Still synced"})
    summary = a.sync()
    assert [(r.entity_type, r.entity_id) for r in summary.refused] == [("files", big.id)]
    assert "storage" in summary.refused[0].reason.lower()
    assert summary.pushed == 1
    assert a.service.pending_count() == 1  # the file waits until there is room


def test_a_big_download_is_received_straight_from_the_socket_and_verified(
    server: Any, email: str, make_device: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gigbag.sync import blob_sync as blob_sync_module

    calls: list[int] = []
    real = blob_sync_module.receive_body

    def spy(*args: Any) -> None:
        calls.append(args[2])  # the body's length
        real(*args)

    monkeypatch.setattr(blob_sync_module, "receive_body", spy)
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    b.login(server, email)
    src = random_file(tmp_path, "mix.wav", 3 * 1024 * 1024 + 5)
    file = a.ws.files.import_file(src)
    a.sync()
    assert b.sync().files_down == 1
    assert calls == [src.stat().st_size]
    assert b.ws.blobs.path(file.blob_sha256).read_bytes() == src.read_bytes()
    assert b.sync().files_down == 0  # the connection it left unusable is not reused


def test_small_files_go_up_several_at_once_and_all_arrive(
    server: Any, email: str, make_device: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gigbag.sync import blob_sync as blob_sync_module
    from gigbag.sync.client import SyncClient

    lock = threading.Lock()
    flight = {"now": 0, "most": 0}
    real = SyncClient.put_blob

    def watched(self: SyncClient, *args: Any, **kwargs: Any) -> None:
        with lock:
            flight["now"] += 1
            flight["most"] = max(flight["most"], flight["now"])
        try:
            time.sleep(0.02)  # a link with some latency: the others start meanwhile
            real(self, *args, **kwargs)
        finally:
            with lock:
                flight["now"] -= 1

    monkeypatch.setattr(SyncClient, "put_blob", watched)
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    b.login(server, email)
    sources = [random_file(tmp_path, f"photo-{i}.jpg", 3000 + i) for i in range(12)]
    for source in sources:
        a.ws.files.import_file(source)
    summary = a.sync()
    assert summary.files_up == 12 and summary.complete
    assert summary.bytes_up == sum(s.stat().st_size for s in sources)
    assert 1 < flight["most"] <= blob_sync_module.UPLOADS_AT_ONCE
    assert sorted(summary.uploaded_files) == sorted(s.name for s in sources)
    assert b.sync().files_down == 12


def test_a_failure_among_uploads_at_once_stops_the_others_and_the_next_sync_sends_the_rest(
    server: Any, email: str, make_device: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gigbag.sync.client import SyncClient
    from gigbag.sync.errors import NetworkError

    real = SyncClient.put_blob
    calls = {"n": 0}
    lock = threading.Lock()

    def failing(self: SyncClient, *args: Any, **kwargs: Any) -> None:
        with lock:
            calls["n"] += 1
            nth = calls["n"]
        if nth == 3:
            raise NetworkError("the network went away")
        real(self, *args, **kwargs)

    a = make_device("a")
    a.login(server, email, create=True)
    for i in range(20):
        a.ws.files.import_file(random_file(tmp_path, f"take-{i}.wav", 2000 + i))
    monkeypatch.setattr(SyncClient, "put_blob", failing)
    with pytest.raises(NetworkError):
        a.sync()
    assert calls["n"] < 20  # no new upload started after the failure
    assert a.service.pending_count() == 20  # nothing pushed: the files' entities wait for their contents
    monkeypatch.setattr(SyncClient, "put_blob", real)
    summary = a.sync()
    assert summary.complete and summary.pushed == 20
    assert summary.files_up == 20 - (calls["n"] - 1)  # what went up before is not sent again


def test_small_files_come_down_several_at_once_and_all_arrive(
    server: Any, email: str, make_device: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contextlib import contextmanager

    from gigbag.sync import blob_sync as blob_sync_module
    from gigbag.sync.client import SyncClient

    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    b.login(server, email)
    sources = [random_file(tmp_path, f"photo-{i}.jpg", 3000 + i) for i in range(12)]
    big = random_file(tmp_path, "live-set.wav", blob_sync_module.TUS_THRESHOLD + 1)
    shas = {source.name: a.ws.files.import_file(source).blob_sha256 for source in [*sources, big]}
    assert a.sync().files_up == 13

    lock = threading.Lock()
    in_flight: set[str] = set()
    flight = {"most": 0, "big_with_others": 0}
    real = SyncClient.download

    @contextmanager
    def watched(self: SyncClient, sha256: str, offset: int = 0) -> Iterator[httpx.Response]:
        with lock:
            in_flight.add(sha256)
            flight["most"] = max(flight["most"], len(in_flight))
            if shas[big.name] in in_flight and len(in_flight) > 1:
                flight["big_with_others"] += 1
        try:
            time.sleep(0.02)  # a link with some latency: the others start meanwhile
            with real(self, sha256, offset) as response:
                yield response
        finally:
            with lock:
                in_flight.discard(sha256)

    monkeypatch.setattr(SyncClient, "download", watched)
    events: list[ProgressEvent] = []
    summary = b.sync(progress=events.append)
    assert summary.files_down == 13 and summary.complete
    assert 1 < flight["most"] <= blob_sync_module.DOWNLOADS_AT_ONCE
    assert flight["big_with_others"] == 0  # a big one comes down alone, after the small ones
    assert sorted(summary.downloaded_files) == sorted(shas)
    assert summary.bytes_down == sum(s.stat().st_size for s in [*sources, big])
    announced = [e for e in events if e.phase == "download" and e.total is not None and e.bytes_total is None]
    assert sorted(e.done for e in announced) == list(range(13))  # each file announced once, numbered in turn
    for source in [*sources, big]:
        assert b.ws.blobs.path(shas[source.name]).read_bytes() == source.read_bytes()


def test_a_lost_network_among_downloads_at_once_stops_the_others_and_the_next_sync_fetches_the_rest(
    server: Any, email: str, make_device: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gigbag.sync.client import RetryPolicy, SyncClient
    from gigbag.sync.errors import NetworkError

    from . import conftest as sync_conftest

    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    b.login(server, email)
    for i in range(20):
        a.ws.files.import_file(random_file(tmp_path, f"take-{i}.wav", 2000 + i))
    assert a.sync().files_up == 20

    real = SyncClient.download
    lock = threading.Lock()
    started: list[str] = []

    def failing(self: SyncClient, sha256: str, offset: int = 0) -> Any:
        with lock:
            if sha256 not in started:
                started.append(sha256)
            lost = len(started) > 2 and sha256 == started[2]
        if lost:
            raise NetworkError("the network went away")
        time.sleep(0.02)  # a link with some latency
        return real(self, sha256, offset)

    monkeypatch.setattr(SyncClient, "download", failing)
    monkeypatch.setattr(sync_conftest, "FAST_RETRY", RetryPolicy(attempts=1, base_delay=0.01, max_delay=0.01))
    with pytest.raises(NetworkError):
        b.sync()
    assert len(started) < 20  # no new download started after the failure
    here = sum(b.ws.blobs.has(sha) for sha in started)
    assert here == len(started) - 1  # the others in flight ended; nothing half-done counts as here
    assert list((b.ws.blobs.root / "tmp").glob("*.part")) in (
        [],
        [b.ws.blobs.root / "tmp" / f"download-{started[2]}.part"],
    )
    monkeypatch.setattr(SyncClient, "download", real)
    summary = b.sync()
    assert summary.complete and summary.files_down == 20 - here  # what came down before is not fetched again
