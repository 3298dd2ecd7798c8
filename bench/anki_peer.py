"""Anki 26.9.3 (its Rust sync core) as the benchmark peer of bench_sync.py: the same workloads, same machine, same run.

Optional: everything here needs the ``anki`` package (``pip install -e ".[bench]"``). The server is
``python -m anki.syncserver`` on 127.0.0.1 with one user; a "computer" is one collection file. The
equivalent of Gigbag's 20,000 timeline entries of two short fields is 20,000 Basic notes of two short
fields; an edit changes one field of a note. A first sync is Anki's full upload or full download.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

USER, PASSWORD = "bench", "bench-pass"


def available() -> bool:
    try:
        import anki.collection  # noqa: F401
    except ImportError:
        return False
    return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class AnkiServer:
    process: subprocess.Popen[bytes]
    url: str
    base: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_server(base: Path, timeout: float = 60.0) -> AnkiServer:
    base.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = {
        **os.environ,
        "SYNC_USER1": f"{USER}:{PASSWORD}",
        "SYNC_BASE": str(base),
        "SYNC_HOST": "127.0.0.1",
        "SYNC_PORT": str(port),
    }
    log = open(base / "server.log", "ab")  # noqa: SIM115 - the process keeps it
    proc = subprocess.Popen(
        [sys.executable, "-m", "anki.syncserver"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"anki.syncserver exited with {proc.returncode}; see {base / 'server.log'}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("anki.syncserver did not start") from None
            time.sleep(0.05)
    return AnkiServer(proc, f"http://127.0.0.1:{port}/", base)


class AnkiComputer:
    """One collection that syncs with the server."""

    def __init__(self, folder: Path, server: AnkiServer) -> None:
        from anki.collection import Collection

        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "collection.anki2"
        self.col = Collection(str(self.path))
        self.server = server
        self.auth: Any = None

    def add_notes(self, count: int) -> float:
        """Add ``count`` Basic notes in one call (Anki's import path); seconds taken."""
        from anki.collection import AddNoteRequest

        started = time.perf_counter()
        model = self.col.models.by_name("Basic")
        deck_id = self.col.decks.id("Default")
        requests = []
        for i in range(count):
            note = self.col.new_note(model)
            note["Front"] = f"Gig {i:06d}"
            note["Back"] = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}"
            requests.append(AddNoteRequest(note=note, deck_id=deck_id))
        self.col.add_notes(requests)
        return time.perf_counter() - started

    def edit_notes(self, count: int, tag: str) -> None:
        ids = self.col.find_notes("")[:count]
        notes = [self.col.get_note(nid) for nid in ids]
        for note in notes:
            note["Front"] = f"{note['Front']} {tag}"
        self.col.update_notes(notes, skip_undo_entry=True)

    def login(self) -> None:
        self.auth = self.col.sync_login(USER, PASSWORD, self.server.url)

    def sync(self) -> str:
        """One sync as the desktop does it: a normal sync, or the full upload/download it asks for."""
        from anki.sync_pb2 import SyncCollectionResponse as R

        out = self.col.sync_collection(self.auth, False)
        if out.new_endpoint:
            self.auth.endpoint = out.new_endpoint
        if out.required in (R.FULL_UPLOAD, R.FULL_DOWNLOAD, R.FULL_SYNC):
            upload = out.required != R.FULL_DOWNLOAD and self.col.note_count() > 0
            self.col.close_for_full_sync()
            self.col.full_upload_or_download(auth=self.auth, server_usn=out.server_media_usn, upload=upload)
            self.col.reopen(after_full_sync=True)
            return "full upload" if upload else "full download"
        return R.ChangesRequired.Name(out.required)

    def close(self) -> None:
        self.col.close()


NOOP_PROCESS = """
import sys
from anki.collection import Collection
from anki.sync_pb2 import SyncAuth
col = Collection(sys.argv[1])
col.sync_collection(SyncAuth(hkey=sys.argv[2], endpoint=sys.argv[3]), False)
col.close()
"""


def noop_process(computer: AnkiComputer) -> float:
    """A whole Anki process that opens the collection and runs a no-op sync; seconds (the collection is
    closed here for the time of the process, then reopened)."""
    computer.col.close()
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", NOOP_PROCESS, str(computer.path), computer.auth.hkey, computer.auth.endpoint],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - started
    from anki.collection import Collection

    computer.col = Collection(str(computer.path))
    return elapsed
