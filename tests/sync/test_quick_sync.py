"""``gigbag sync`` with nothing to do is proven without the engine (app.quick_sync), and ends exactly as
the full sync does; whatever it cannot prove, the full sync does, as before."""

from __future__ import annotations

import dataclasses
import http.server
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gigbag.app import account_terms, quick_sync, sync_commands
from gigbag.app.sync_service import SyncService
from gigbag.app.sync_words import summary_text
from gigbag.app.workspace import Workspace
from gigbag.cli.main import main
from gigbag.local_db.blob_store import BlobStore
from gigbag.schema.protocol import PROTOCOL_VERSION, PULL_LINES_MEDIA_TYPE
from gigbag.sync.engine import SyncSummary, run_sync
from gigbag.sync.progress import ProgressEvent
from tests.fixtures.server_process import ServerProcess
from tests.server.admin_cli import admin_ok

from .conftest import PASSWORD

HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "httpx")
ENV = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
OLD_STAMP = "2020-01-01T00:00:00.000000Z"


# ---- helpers ----------------------------------------------------------------------------------------
def sign_in(folder: Path, server: ServerProcess, email: str, *, create: bool, token_file: bool = True) -> None:
    """Sign ``folder`` in (the token in a file unless asked otherwise) and sync it twice (bound, settled)."""
    with Workspace.open(folder) as ws:
        svc = SyncService(ws)
        token = folder / "token" if token_file else None
        svc.sign_in(server.url, email, PASSWORD, create_account=create, display_name="A", token_file=token)
        svc.sync()
        svc.sync()


@pytest.fixture
def signed(tmp_path: Path, server: ServerProcess, email: str) -> Path:
    folder = tmp_path / "a"
    sign_in(folder, server, email, create=True)
    return folder


def cli(folder: Path, *args: str) -> tuple[int, str, str]:
    """``gigbag --data-dir FOLDER sync ARGS`` as a process (the way an artist runs it)."""
    done = subprocess.run(
        [sys.executable, "-m", "gigbag", "--data-dir", str(folder), "sync", *args],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
    )
    return done.returncode, done.stdout, done.stderr


def full_cli(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    """The same command in this process with the quick path refused: the full sync, as before it existed."""
    with monkeypatch.context() as m:
        m.setattr(quick_sync, "quick_noop_sync", lambda *_a, **_k: None)
        capsys.readouterr()
        code = main(["--data-dir", str(folder), "sync", *args])
        out = capsys.readouterr()
    return code, out.out, out.err


def db_state(folder: Path, *, with_last_sync: bool = True) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows (``sync_account.last_sync_at`` left out when asked)."""
    with sqlite3.connect(folder / "gigbag.sqlite3") as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        state = {}
        for name in names:
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')]
            if not with_last_sync:
                columns = [c for c in columns if c != "last_sync_at"]
            select = ", ".join(f'"{c}"' for c in columns)
            state[name] = sorted(map(tuple, conn.execute(f'SELECT {select} FROM "{name}"')), key=repr)
        return state


def last_sync(folder: Path) -> str | None:
    with sqlite3.connect(folder / "gigbag.sqlite3") as conn:
        return conn.execute("SELECT last_sync_at FROM sync_account WHERE id = 1").fetchone()[0]  # type: ignore[no-any-return]


def set_account(folder: Path, **values: Any) -> None:
    with sqlite3.connect(folder / "gigbag.sqlite3") as conn:
        for name, value in values.items():
            conn.execute(f"UPDATE sync_account SET {name} = ? WHERE id = 1", (value,))


def quick_log_lines(folder: Path) -> list[str]:
    log = folder / "logs" / "gigbag.log"
    return [line for line in log.read_text(encoding="utf-8").splitlines() if "gigbag.app.quick_sync" in line]


def copy_folder(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)  # the token file's path in the database still names source's token
    return target


# ---- (1) the quick no-op and the full one end the same ----------------------------------------------
def test_a_noop_ends_as_the_full_sync_ends(
    tmp_path: Path, signed: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    set_account(signed, last_sync_at=OLD_STAMP)  # the first no-op records "Last synced", the next does not
    fast, full = copy_folder(signed, tmp_path / "fast"), copy_folder(signed, tmp_path / "full")
    results: dict[str, list[tuple[int, str, str | None]]] = {"fast": [], "full": []}
    for args in (("--json",), ("--yes",), ("--json", "--yes")):
        results["fast"].append((*cli(fast, *args)[:2], last_sync(fast)))
        results["full"].append((*full_cli(full, monkeypatch, capsys, *args)[:2], last_sync(full)))
    states = {name: db_state(folder, with_last_sync=False) for name, folder in (("fast", fast), ("full", full))}
    assert len(quick_log_lines(fast)) == 6  # started + done, three times: the quick path did each one
    for (f_code, f_out, f_stamp), (g_code, g_out, g_stamp) in zip(results["fast"], results["full"], strict=True):
        assert (f_code, f_out) == (g_code, g_out)
        assert f_code == 0
        assert f_stamp is not None and g_stamp is not None and f_stamp > OLD_STAMP and g_stamp > OLD_STAMP
    assert json.loads(results["fast"][0][1])["pull_requests"] == 1
    assert results["fast"][1][1] == "Sync done: everything was already up to date.\nNo conflicts.\n"
    # "Last synced" written once (the first run), then left alone for the minute, on both paths
    assert len({stamp for *_, stamp in results["fast"]}) == 1 and len({stamp for *_, stamp in results["full"]}) == 1
    assert states["fast"] == states["full"]  # last_sync_at compared above


def test_a_keyring_token_is_read_as_the_engine_reads_it(tmp_path: Path, server: ServerProcess, email: str) -> None:
    folder = tmp_path / "k"
    sign_in(folder, server, email, create=True, token_file=False)  # the in-memory keyring of the tests
    before = db_state(folder)
    summary = quick_sync.quick_noop_sync(folder)
    assert summary is not None
    with Workspace.open(folder) as ws:
        terms = account_terms.cached_terms(ws)
    assert terms is not None
    assert summary == SyncSummary(pull_requests=1, account_terms_tag=terms.tag)
    assert db_state(folder) == before  # synced within the minute: nothing to record


# ---- (2) no engine libraries loaded --------------------------------------------------------------
def test_a_noop_sync_loads_no_database_orm_validation_or_http_library(signed: Path) -> None:
    code = (
        "import sys\n"
        "from gigbag.cli.main import main\n"
        f"rc = main(['--data-dir', {str(signed)!r}, 'sync', '--yes'])\n"
        f"print(rc, sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, check=True)
    *said, last = done.stdout.strip().splitlines()
    assert said == ["Sync done: everything was already up to date.", "No conflicts."]
    assert last == "0 []"


# ---- (3) what the quick path cannot prove, the full sync does -------------------------------------
def probe_refuses(folder: Path) -> None:
    """The quick path says "not proven" and changes nothing."""
    before = db_state(folder)
    assert quick_sync.quick_noop_sync(folder) is None
    assert db_state(folder) == before


def run_json(folder: Path) -> tuple[int, dict[str, Any]]:
    code, out, _err = cli(folder, "--json", "--yes")
    return code, json.loads(out)


def test_a_pending_local_edit_is_pushed(signed: Path) -> None:
    with Workspace.open(signed) as ws:
        ws.timeline.create({"date": "2026-01-02", "title": "New gig", "entry_type": "gig"})
    probe_refuses(signed)
    code, out = run_json(signed)
    assert (code, out["pushed"], out["pending"]) == (0, 1, 0)
    assert quick_log_lines(signed) == []


def test_a_change_from_another_device_is_received(
    tmp_path: Path, signed: Path, server: ServerProcess, email: str
) -> None:
    other = tmp_path / "b"
    sign_in(other, server, email, create=False)
    with Workspace.open(other) as ws:
        ws.timeline.create({"date": "2026-01-03", "title": "Their gig", "entry_type": "gig"})
        SyncService(ws).sync()
    probe_refuses(signed)
    code, out = run_json(signed)
    assert (code, out["received"]) == (0, 1)


def test_what_the_quick_path_read_is_not_read_again_by_the_engine(
    tmp_path: Path, server: ServerProcess, email: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Falling through after its pull (a change from another device), the quick path hands the engine
    the token it read from the keyring and the server's answer: one keyring read, one pull in all."""
    import keyring

    from gigbag.sync import account as accounts

    mine, other = tmp_path / "k", tmp_path / "o"
    sign_in(mine, server, email, create=True, token_file=False)
    sign_in(other, server, email, create=False)
    with Workspace.open(other) as ws:
        ws.timeline.create({"date": "2026-01-03", "title": "Their gig", "entry_type": "gig"})
        SyncService(ws).sync()
    with sqlite3.connect(mine / "gigbag.sqlite3") as conn:
        (user_id,) = conn.execute("SELECT user_id FROM sync_account WHERE id = 1").fetchone()
    accounts._keyring_tokens.clear()  # as in a new process
    backend = keyring.get_keyring()
    reads: list[str] = []
    get_password = type(backend).get_password
    monkeypatch.setattr(
        type(backend),
        "get_password",
        lambda self, service, user: reads.append(user) or get_password(self, service, user),
    )

    def pulls() -> int:
        log = server.log_settled()
        return sum(1 for line in log.splitlines() if "GET /v1/sync/pull" in line and f"user={user_id}" in line)

    before = pulls()
    assert quick_sync.quick_noop_sync(mine) is None  # changes from the server: not a no-op
    with Workspace.open(mine) as ws:
        summary = SyncService(ws).sync()
    assert summary.received == 1 and summary.pull_requests == 1
    assert pulls() - before == 1  # the engine took the quick path's answer
    assert len(reads) == 2  # the quick path's probe and its read; none by the engine


def test_changed_account_terms_are_read_again(signed: Path, server: ServerProcess, email: str) -> None:
    kept = json.loads((signed / "account-terms.json").read_text(encoding="utf-8"))
    admin_ok(server, "user", "set-quota", email, "3MB")
    probe_refuses(signed)
    code, out = run_json(signed)
    now = json.loads((signed / "account-terms.json").read_text(encoding="utf-8"))
    assert code == 0 and out["account_terms_tag"] == now["tag"] != kept["tag"]
    assert now["storage_quota_bytes"] == 3_000_000 != kept["storage_quota_bytes"]


def test_stale_account_terms_are_read_again(signed: Path) -> None:
    terms = signed / "account-terms.json"
    os.utime(terms, (1_000_000_000, 1_000_000_000))
    probe_refuses(signed)
    assert run_json(signed)[0] == 0
    assert terms.stat().st_mtime > 1_000_000_000


def test_files_to_upload_download_and_check_again_go_through_the_engine(tmp_path: Path, signed: Path) -> None:
    song = tmp_path / "song.mp3"
    song.write_bytes(b"ID3" + os.urandom(2048))
    with Workspace.open(signed) as ws:
        sha = ws.files.import_file(song).blob_sha256
        blob = BlobStore(ws.paths.blobs).path(sha)
    assert quick_sync._blob_path(signed / "blobs", sha) == blob
    probe_refuses(signed)
    code, out = run_json(signed)
    assert (code, out["files_up"]) == (0, 1)
    assert quick_sync.quick_noop_sync(signed) is not None  # uploaded and verified: a no-op again

    blob.unlink()  # gone by a hand in the data folder: the engine's last look holds for an hour, as the engine's
    assert quick_sync.quick_noop_sync(signed) is not None
    with sqlite3.connect(signed / "gigbag.sqlite3") as conn:
        conn.execute("UPDATE blob_looks SET looked_at = ?", (OLD_STAMP,))
    probe_refuses(signed)
    code, out = run_json(signed)
    assert (code, out["files_down"]) == (0, 1) and blob.is_file()
    assert quick_sync.quick_noop_sync(signed) is not None  # the engine looked and recorded it

    with sqlite3.connect(signed / "gigbag.sqlite3") as conn:  # checked long ago, as the last look recorded
        conn.execute("UPDATE blob_transfers SET updated_at = ? WHERE direction = 'verified'", (OLD_STAMP,))
        conn.execute("UPDATE blob_looks SET audit_oldest = ?", (OLD_STAMP,))
    probe_refuses(signed)
    code, out = run_json(signed)
    assert code == 0 and out["pulled"] == 0
    with sqlite3.connect(signed / "gigbag.sqlite3") as conn:
        (stamp,) = conn.execute("SELECT updated_at FROM blob_transfers WHERE direction = 'verified'").fetchone()
    assert stamp > OLD_STAMP  # looked at again on the server


def test_a_store_due_for_a_look_is_looked_at_here_when_small_and_by_the_engine_when_not(
    tmp_path: Path, signed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    song = tmp_path / "song.mp3"
    song.write_bytes(b"ID3" + os.urandom(2048))
    with Workspace.open(signed) as ws:
        ws.files.import_file(song)
    assert run_json(signed)[0] == 0

    def age_the_look() -> None:
        with sqlite3.connect(signed / "gigbag.sqlite3") as conn:
            conn.execute("UPDATE blob_looks SET looked_at = ?", (OLD_STAMP,))

    age_the_look()
    assert quick_sync.quick_noop_sync(signed) is not None  # one file: looked at here, found
    monkeypatch.setattr(quick_sync, "QUICK_LOOK_FILES", 0)
    probe_refuses(signed)  # more than the quick path looks at: left to the engine
    assert main(["--data-dir", str(signed), "sync", "--json", "--yes"]) == 0  # in this process: refused here too
    assert quick_sync.quick_noop_sync(signed) is not None  # the engine's look recorded: it holds again


def same_as_full(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    """The command as a process ends as the full sync of an identical copy ends; returns the outcome."""
    copy = copy_folder(folder, tmp_path / f"copy-{folder.name}")
    probe_refuses(folder)
    got = cli(folder, "--yes")
    want = full_cli(copy, monkeypatch, capsys, "--yes")
    assert got == (want[0], want[1], want[2].replace(str(copy), str(folder)))
    assert db_state(folder, with_last_sync=False) == db_state(copy, with_last_sync=False)
    return got


def test_a_refused_token_ends_as_before(
    signed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (signed / "token").write_text("not-a-token", encoding="utf-8")
    code, _out, err = same_as_full(signed, tmp_path, monkeypatch, capsys)
    assert code == 1 and "did not accept the sign-in" in err


def test_not_signed_in_ends_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "fresh"
    Workspace.open(folder).close()
    code, _out, _err = same_as_full(folder, tmp_path, monkeypatch, capsys)
    assert code == 1


class _OtherProtocol(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        body = json.dumps({"changes": [], "cursor": self.server.cursor, "has_more": False}).encode()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Gigbag-Protocol", self.server.protocol)  # type: ignore[attr-defined]
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture(params=[PROTOCOL_VERSION - 1, PROTOCOL_VERSION + 1], ids=["older", "newer"])
def other_protocol_server(signed: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _OtherProtocol)
    httpd.protocol = str(request.param)  # type: ignore[attr-defined]
    with sqlite3.connect(signed / "gigbag.sqlite3") as conn:
        httpd.cursor = conn.execute("SELECT cursor FROM sync_account").fetchone()[0]  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_server_of_another_protocol_ends_as_before(
    signed: Path,
    other_protocol_server: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    set_account(signed, server_url=other_protocol_server)
    code, _out, err = same_as_full(signed, tmp_path, monkeypatch, capsys)
    assert code == 1 and "The sync server speaks protocol" in err and "update the Gigbag server" in err


def test_another_sync_holding_the_lock_is_left_to_the_full_path(signed: Path) -> None:
    from gigbag.app.sync_lock import sync_lock

    with sync_lock(signed):
        probe_refuses(signed)
        code, _out, _err = cli(signed, "--yes")
    assert code == sync_commands.EXIT_BUSY


# ---- the facts the quick path mirrors, pinned to where they live -----------------------------------
def test_the_mirrored_facts_match_their_sources() -> None:
    assert quick_sync.TERMS_FILE == account_terms.TERMS_FILE
    assert quick_sync.TERMS_MAX_AGE_SECONDS == account_terms.TERMS_MAX_AGE_SECONDS
    fields = dataclasses.fields(account_terms.AccountTerms)
    assert {f.name for f in fields} == quick_sync.TERMS_FIELDS
    required = {f.name for f in fields if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    assert required == quick_sync.TERMS_REQUIRED
    assert summary_text(SyncSummary(pull_requests=1)) == sync_commands.NOTHING_TO_SYNC


def test_the_noop_progress_events_are_the_engines(signed: Path) -> None:
    events: list[ProgressEvent] = []
    with Workspace.open(signed) as ws:
        run_sync(ws.engine, ws.blobs, progress=events.append)
    assert [(e.phase, e.done, e.total) for e in events] == list(quick_sync.NOOP_PROGRESS)
    assert all(e == ProgressEvent(e.phase, done=e.done, total=e.total) for e in events)


class _Recorder(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        self.server.seen.append((self.path, dict(self.headers)))  # type: ignore[attr-defined]
        body = json.dumps({"changes": [], "cursor": 7, "has_more": False}).encode()
        self.send_response(200)
        self.send_header("Gigbag-Protocol", str(PROTOCOL_VERSION))
        self.send_header("Gigbag-Account-Terms", "t-1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


def test_the_quick_pull_is_the_request_the_engine_sends() -> None:
    from gigbag.schema.wire import MAX_PULL_LIMIT
    from gigbag.sync.client import SyncClient

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    httpd.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/prefix"
    try:
        assert quick_sync._pull_is_empty({"server_url": url, "cursor": 7}, "tok") == "t-1"
        with SyncClient(url, "tok") as client:
            page = client.pull(7, MAX_PULL_LIMIT)  # what Puller sends after a sync that pushed nothing
        assert (page.changes, page.cursor, page.has_more, client.account_terms_tag) == ([], 7, False, "t-1")
    finally:
        httpd.shutdown()
        httpd.server_close()
    transport = {"accept-encoding", "connection"}  # how the bytes travel, not what is asked
    (quick_path, quick_headers), (engine_path, engine_headers) = httpd.seen  # type: ignore[attr-defined]
    assert quick_path == engine_path == f"/prefix/v1/sync/pull?since=7&limit={MAX_PULL_LIMIT}"
    assert {k.lower(): v for k, v in quick_headers.items() if k.lower() not in transport} == {
        k.lower(): v for k, v in engine_headers.items() if k.lower() not in transport
    }


class _FramedAnswer(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        body: bytes = self.server.body  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Gigbag-Protocol", str(PROTOCOL_VERSION))
        self.send_header("Gigbag-Account-Terms", "t-1")
        self.send_header("Content-Type", PULL_LINES_MEDIA_TYPE)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.mark.parametrize(
    ("body", "empty"),
    [
        (b'{"cursor":7,"has_more":false,"changes":[]}', True),
        (b'{"cursor":7,"has_more":false,"changes":[]}\n', False),  # a line after an empty page's header
        (b'{"cursor":7,"has_more":false,"changes":[]}\nnull', False),
        (b'{"cursor":8,"has_more":false,"changes":[["goals","x",null,true,8]]}\nnull', False),
        (b'{"cursor":8,"has_more":false,"changes":[]}', False),  # the cursor moved
        (b'{"cursor":7,"has_more":true,"changes":[]}', False),
    ],
)
def test_the_quick_path_reads_a_framed_page_as_the_engine_does(body: bytes, empty: bool) -> None:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FramedAnswer)
    httpd.body = body  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        account = {"server_url": f"http://127.0.0.1:{httpd.server_address[1]}", "cursor": 7}
        if empty:
            assert quick_sync._pull_is_empty(account, "tok") == "t-1"
        else:
            with pytest.raises(quick_sync._NotProven):
                quick_sync._pull_is_empty(account, "tok")
    finally:
        httpd.shutdown()
        httpd.server_close()
