"""The shared library on the desktop, against a real server process and a real workspace.

The operator publishes real audio files with ``gigbag-server library add``; the artist's workspace
signs in, keeps the list in its cache (offline browsing, "as of"), updates it by cursor (removals
included), caches a preview after the first play, and adds a free track to Files (verified, one
transaction with its change records); a pro-only track on a free account is refused with the reason.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from gigbag.app.shared_library import (
    LIBRARY_FOLDER,
    LibraryCancelled,
    LibraryClosed,
    LibraryFilter,
    SharedLibraryService,
    filter_entries,
)
from gigbag.app.sync_service import SyncService
from gigbag.app.workspace import Workspace
from gigbag.media import probe
from tests.fixtures.audio_files import write_tone
from tests.fixtures.server_process import ServerProcess, start_server
from tests.server.admin_cli import admin_ok

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def library_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    server = start_server(tmp_path_factory.mktemp("library-server"))
    audio = tmp_path_factory.mktemp("library-audio")
    ids = {
        "groove": admin_ok(
            server,
            "library",
            "add",
            str(write_tone(audio / "groove.flac", 16.0)),
            "--title",
            "Groove in A",
            "--artist",
            "House Band",
            "--genre",
            "Funk",
            "--bpm",
            "96",
            "--key",
            "Am",
        ).strip(),
        "ballad": admin_ok(
            server,
            "library",
            "add",
            str(write_tone(audio / "ballad.mp3", 12.0, frequency=262.0)),
            "--title",
            "Slow Ballad",
            "--genre",
            "Soul",
            "--bpm",
            "68",
            "--key",
            "C",
        ).strip(),
        "stems": admin_ok(
            server,
            "library",
            "add",
            str(write_tone(audio / "stems.wav", 10.0)),
            "--title",
            "Stems pack",
            "--genre",
            "Funk",
            "--bpm",
            "120",
            "--key",
            "Am",
            "--pro-only",
        ).strip(),
    }
    yield server, ids
    server.stop()


def signed_in(data_dir: Path, server: ServerProcess, email: str, *, create: bool = True) -> Workspace:
    ws = Workspace.open(data_dir)
    SyncService(ws).sign_in(server.url, email, PASSWORD, create_account=create, display_name="Ana")
    return ws


def changes(ws: Workspace) -> list[tuple[str, str, str]]:
    with ws.engine.connect() as c:
        rows = c.execute(text("SELECT entity_type, entity_id, op FROM change_log ORDER BY id"))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_list_cache_search_preview_and_add_to_files(
    library_server: tuple[ServerProcess, dict[str, str]], tmp_path: Path
) -> None:
    server, ids = library_server
    ws = Workspace.open(tmp_path / "before")
    assert SharedLibraryService(ws).refresh().signed_in is False
    assert "Sign in" in (SharedLibraryService(ws).cached().problem or "")
    ws.close()

    ws = signed_in(tmp_path / "desk", server, "ana-lib@example.com")
    lib = SharedLibraryService(ws)
    assert lib.cached().entries == [] and lib.cached().as_of is None
    listing = lib.refresh()
    assert listing.problem is None and listing.tier == "free" and listing.as_of
    assert [e.title for e in listing.entries] == ["Groove in A", "Slow Ballad", "Stems pack"]
    assert listing.keys == ["Am", "C"]
    assert [e.id for e in filter_entries(listing.entries, LibraryFilter(text="funk"))] == [ids["groove"], ids["stems"]]
    assert [e.id for e in filter_entries(listing.entries, LibraryFilter(text="house"))] == [ids["groove"]]
    assert [e.id for e in filter_entries(listing.entries, LibraryFilter(bpm_min=90, bpm_max=130, key="am"))] == [
        ids["groove"],
        ids["stems"],
    ]
    assert [e.id for e in filter_entries(listing.entries, LibraryFilter(bpm_max=70))] == [ids["ballad"]]

    # A preview downloads once and plays from the cache afterwards (even with the server gone).
    preview = lib.preview_file(ids["stems"])
    assert probe(preview).duration_seconds == pytest.approx(10.0, abs=0.05)
    assert lib.preview_file(ids["stems"]) == preview

    # The pro-only track is closed for a free account, before any request, with the reason.
    stems = next(e for e in listing.entries if e.id == ids["stems"])
    reason = lib.closed_reason(stems, listing.tier)
    assert reason is not None and "pro-only" in reason and "operator can change your tier" in reason
    with pytest.raises(LibraryClosed, match="operator can change your tier"):
        lib.add_to_files(ids["stems"])
    before = changes(ws)

    seen: list[tuple[int, int]] = []
    added = lib.add_to_files(ids["groove"], progress=lambda d, t: seen.append((d, t)))
    groove = next(e for e in listing.entries if e.id == ids["groove"])
    assert seen and seen[-1] == (groove.size_bytes, groove.size_bytes)
    assert added.blob_sha256 == groove.sha256 and added.filename == "House Band – Groove in A.flac"
    assert hashlib.sha256(ws.blobs.path(groove.sha256).read_bytes()).hexdigest() == groove.sha256
    folder = ws.folders.get(added.folder_id)
    assert folder.name == LIBRARY_FOLDER and folder.parent_folder_id is None
    assert changes(ws)[len(before) :] == [("folders", folder.id, "upsert"), ("files", added.id, "upsert")]
    assert lib.add_to_files(ids["groove"]).id == added.id  # added twice: the same file

    # An ordinary file: it syncs (folder and file pushed), and its bytes are not sent back to the server.
    summary = SyncService(ws).sync()
    assert summary.pushed >= 2 and summary.files_up == 0 and summary.bytes_up == 0
    other = signed_in(tmp_path / "laptop", server, "ana-lib@example.com", create=False)
    SyncService(other).sync()
    copy = other.files.get(added.id)
    assert copy.blob_sha256 == groove.sha256 and other.folders.get(copy.folder_id).name == LIBRARY_FOLDER
    assert other.blobs.has(groove.sha256)
    other.close()

    # Tier raised by the operator: the next update says so and the pro-only track opens.
    admin_ok(server, "user", "set-tier", "ana-lib@example.com", "pro")
    assert lib.refresh().tier == "pro"
    pro = lib.add_to_files(ids["stems"])
    assert pro.folder_id == folder.id

    # A removal reaches the cached list with the next update; offline, the cache and why.
    admin_ok(server, "library", "remove", ids["ballad"])
    updated = lib.refresh()
    assert ids["ballad"] not in {e.id for e in updated.entries} and len(updated.entries) == 2
    ws.close()


def test_a_cancelled_download_adds_nothing_and_the_next_one_continues(
    library_server: tuple[ServerProcess, dict[str, str]], tmp_path: Path
) -> None:
    server, ids = library_server
    ws = signed_in(tmp_path / "desk", server, "ben-lib@example.com")
    lib = SharedLibraryService(ws)
    lib.refresh()
    stop = threading.Event()

    def progress(done: int, total: int) -> None:
        stop.set()

    with pytest.raises(LibraryCancelled):
        lib.add_to_files(
            ids["ballad"] if ids["ballad"] in {e.id for e in lib.cached().entries} else ids["groove"],
            progress=progress,
            cancelled=stop.is_set,
        )
    assert ws.files.count() == 0 and ws.folders.count() == 0
    entry = lib.cached().entries[0]
    added = lib.add_to_files(entry.id)
    assert added.blob_sha256 == entry.sha256

    # The tier went down after the list was read: the server refuses, and the app says why.
    admin_ok(server, "user", "set-tier", "ben-lib@example.com", "pro")
    assert lib.refresh().tier == "pro"
    admin_ok(server, "user", "set-tier", "ben-lib@example.com", "free")
    with pytest.raises(LibraryClosed, match="operator can change your tier"):
        lib.add_to_files(ids["stems"])
    assert lib.cached().tier == "free" and ws.files.count() == 1
    ws.close()


def test_offline_the_cached_list_is_shown_with_its_time(tmp_path: Path) -> None:
    audio = tmp_path / "a"
    audio.mkdir()
    server = start_server(tmp_path / "srv")
    try:
        admin_ok(server, "library", "add", str(write_tone(audio / "loop.wav", 6.0)), "--title", "Loop")
        ws = signed_in(tmp_path / "desk", server, "cy-lib@example.com")
        lib = SharedLibraryService(ws, client_factory=_fast_client)
        first = lib.refresh()
        assert [e.title for e in first.entries] == ["Loop"]
    finally:
        server.stop()
    offline = lib.refresh()
    assert [e.title for e in offline.entries] == ["Loop"] and offline.as_of == first.as_of
    assert offline.problem is not None and "cannot be reached" in offline.problem
    assert f"as of {first.as_of[11:16]} UTC" in offline.problem
    assert lib.cached().as_of == first.as_of
    ws.close()


def _fast_client(url: str, token: str | None = None, **kw: object):  # type: ignore[no-untyped-def]
    from gigbag.sync.client import RetryPolicy, SyncClient

    return SyncClient(url, token, retry=RetryPolicy(attempts=2, base_delay=0.02, max_delay=0.05), **kw)  # type: ignore[arg-type]
