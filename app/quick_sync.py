"""``gigbag sync`` when nothing needs syncing, proven with the standard library only.

A sync where nothing changed anywhere reads one row, sends one pull request and writes at most "Last
synced"; yet the full path loads SQLAlchemy, SQLModel, pydantic and httpx for it (most of a second).
:func:`quick_noop_sync` proves the same thing with sqlite3, json and http.client, under the same sync lock:
the database is whole and at the current schema revision, this computer is signed in and bound, nothing is
pending, stored, waiting or in conflict, every file it should hold is here and none is due for a new check
on the server (the engine's last look at the file store still holds), the token loads as the engine loads
it, the server's answer to the very pull the engine would send (same cursor, same headers) is an empty last
page at the same cursor in this protocol version, and the account's terms need no refresh. Then it writes
and returns what the engine's no-op writes and returns. On any doubt it returns None and changes nothing:
the caller runs the full engine. What the quick path has read by then is handed to it, so that it is not
read twice: the token from the keyring, and the server's answer to the pull (a page with changes, say),
which the engine's first request takes when it is that very pull (``sync.client.hand_answer``).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import logging
import os
import re
import sqlite3
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..local_db.integrity import database_problem
from ..local_db.migrate import is_up_to_date
from ..schema.blob_refs import blob_refs
from ..schema.protocol import (
    ACCOUNT_TERMS_HEADER,
    MAX_PULL_LIMIT,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    PULL_ACCEPT,
    PULL_LINES_MEDIA_TYPE,
    PULL_PATH,
    media_type,
)
from ..sync.keyring_entry import KEYRING_SERVICE, keyring_user
from ..sync.noop_rules import (
    AUDIT_FRESH_SQL,
    BLOB_CHECKS_DUE_SQL,
    BLOB_LOOK_SQL,
    LAST_SYNC_RESOLUTION,
    REVERIFY_AFTER,
    STAMP,
    WANTED_BLOBS_SQL,
    age_of,
    look_is_fresh,
)
from ..sync.summary import SyncSummary
from .lock_file import LOCK_NAME, held_lock
from .paths import DataPaths, resolve_paths

if TYPE_CHECKING:
    from ..sync.progress import ProgressEvent

log = logging.getLogger(__name__)

# What app.account_terms keeps (account-terms.json, the fields of AccountTerms) and how long it trusts it;
# tests/app/test_quick_sync.py pins these to that module's.
TERMS_FILE = "account-terms.json"
TERMS_MAX_AGE_SECONDS = 3600
TERMS_FIELDS = frozenset(
    {
        "tier",
        "storage_quota_bytes",
        "daily_upload_limit_bytes",
        "max_file_bytes",
        "used_bytes",
        "token_idle_expiry_seconds",
        "overridden",
        "tag",
    }
)
TERMS_REQUIRED = TERMS_FIELDS - {"overridden", "tag"}
# The progress events of the engine's no-op: one empty page fetched, one page gone through, done.
NOOP_PROGRESS: tuple[tuple[str, int, int | None], ...] = (("pull", 0, None), ("apply", 1, None), ("done", 1, 1))
TIMEOUT_SECONDS = 60.0  # the engine client's read timeout
MAX_ANSWER_BYTES = 64 * 1024  # an empty page is a few dozen bytes: anything longer is not one
QUICK_LOOK_FILES = 256  # files the quick path looks for itself when the engine's last look does not hold
_SHA256 = re.compile(r"[0-9a-f]{64}")


class _NotProven(Exception):
    """Why the probe cannot prove a no-op (the full engine runs)."""


# Hop-by-hop and framing headers of an answer, not handed over with its (already decoded) body.
_FRAMING = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length"})


@dataclass
class _Handover:
    """What the quick path read before it gave up, for the engine that runs next in this process."""

    account: dict[str, Any] | None = None
    keyring_token: str | None = None
    token: str | None = None
    answer: tuple[list[tuple[str, str]], bytes] | None = None  # a 200 of this protocol to the engine's pull
    params: dict[str, Any] = field(default_factory=dict)

    def give(self) -> None:
        account = self.account
        if account is None:
            return
        if self.keyring_token is not None:
            from ..sync.account import keep_keyring_token

            keep_keyring_token(account["server_url"], account["user_id"], account["device_id"], self.keyring_token)
        if self.answer is not None:
            from ..sync.client import hand_answer

            headers, body = self.answer
            hand_answer(account["server_url"], self.token, "GET", PULL_PATH, self.params, headers, body)


def quick_noop_sync(
    data_dir: str | os.PathLike[str] | None, progress: Callable[[ProgressEvent], None] | None = None
) -> SyncSummary | None:
    """The no-op sync of ``data_dir`` done without the engine, or None when it cannot be proven one."""
    started = time.monotonic()
    paths = resolve_paths(data_dir)
    handover = _Handover()
    try:
        _check_folder(paths)
        with held_lock(paths.data / LOCK_NAME) as held:
            if not held:
                raise _NotProven("another process holds the sync lock")
            account, recorded = _read_quiet_state(paths)
            handover.account = account
            token = _load_token(account, handover)
            tag = _pull_is_empty(account, token, handover)
            _check_terms(paths, tag)
            _record_last_sync(paths.database, recorded)
    except _NotProven as exc:
        log.debug("quick no-op check: %s; the full sync runs", exc)
        handover.give()
        return None
    except Exception as exc:  # anything unforeseen: the engine knows what to do with it
        log.debug("quick no-op check failed (%s: %s); the full sync runs", type(exc).__name__, exc)
        return None
    where = account["server_url"]
    log.info("sync with %s started", where)
    if progress is not None:
        from ..sync.progress import ProgressEvent

        for phase, done, total in NOOP_PROGRESS:
            progress(ProgressEvent(phase, done=done, total=total))  # type: ignore[arg-type]
    summary = SyncSummary(pull_requests=1, account_terms_tag=tag)
    log.info(
        "sync with %s done in %.1f s: 0 sent, 0 received (0 pulled), 0 merged, 0 new conflicts, "
        "0 open conflicts, files 0 up (0 bytes) 0 down (0 bytes), 0 unsent, 0 refused, 0 file errors",
        where,
        time.monotonic() - started,
    )
    return summary


# ---- the folder and the database ----------------------------------------------------------------
def _check_folder(paths: DataPaths) -> None:
    """What Workspace.open would find without changing anything: the folders, a whole database at head."""
    for folder in (paths.data, paths.cache, paths.logs, paths.blobs):
        if not folder.is_dir():
            raise _NotProven(f"{folder} does not exist yet")
    if not paths.database.is_file():
        raise _NotProven("no database yet")
    problem = database_problem(paths.database)
    if problem is not None:
        raise _NotProven(problem)
    if not is_up_to_date(paths.database):
        raise _NotProven("the database is not at the current schema revision")


@contextmanager
def _read_only(db: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)) as conn:
        conn.isolation_level = None
        conn.execute("BEGIN DEFERRED")  # one snapshot for every read
        try:
            yield conn
        finally:
            conn.execute("COMMIT")


_ACCOUNT_COLUMNS = (
    "server_url",
    "email",
    "user_id",
    "device_id",
    "bound_user_id",
    "cursor",
    "last_sync_at",
    "token_file",
)
_NOTHING_WAITS_SQL = (
    "SELECT EXISTS (SELECT 1 FROM change_log), EXISTS (SELECT 1 FROM sync_batches), "
    "EXISTS (SELECT 1 FROM sync_incoming), EXISTS (SELECT 1 FROM sync_conflicts)"
)


def _read_quiet_state(paths: DataPaths) -> tuple[dict[str, Any], str | None]:
    """The signed-in, bound account (its columns) and its "Last synced", when nothing waits to be synced."""
    with _read_only(paths.database) as conn:
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            raise _NotProven("the database is not in WAL mode yet")
        row = conn.execute(f"SELECT {', '.join(_ACCOUNT_COLUMNS)} FROM sync_account WHERE id = 1").fetchone()
        if row is None:
            raise _NotProven("never signed in")
        account = dict(zip(_ACCOUNT_COLUMNS, row, strict=True))
        if not (account["server_url"] and account["user_id"] and account["device_id"]):
            raise _NotProven("not signed in")
        if account["bound_user_id"] != account["user_id"]:
            raise _NotProven("not bound to the signed-in account")
        if not isinstance(account["cursor"], int) or isinstance(account["cursor"], bool):
            raise _NotProven("the cursor is not a number")
        waiting = conn.execute(_NOTHING_WAITS_SQL).fetchone()
        if any(waiting):
            raise _NotProven("local changes, a stored batch, a waiting server version or a conflict")
        _check_files(conn, paths.blobs)
    return account, account["last_sync_at"]


def _blob_path(root: Path, sha256: str) -> Path:
    """Where the blob store keeps ``sha256`` (``BlobStore.path``; a test pins the two together)."""
    return root / sha256[:2] / sha256[2:4] / sha256


def _check_files(conn: sqlite3.Connection, root: Path) -> None:
    """No file to download and none due for a new look on the server: the engine's own statements and
    rules (``sync.noop_rules``), run here through sqlite3. While the engine's last look at the store and its
    last re-check of the uploads hold (``look_is_fresh``, ``AUDIT_FRESH_SQL``), nothing more is read, as the
    engine reads nothing more. Otherwise (a computer's first sync, an hour later) this looks itself, as the
    engine would, at up to :data:`QUICK_LOOK_FILES` files; with more, the engine looks and records its look:
    the quick path never writes one."""
    now = dt.datetime.now(dt.UTC)
    cutoff = (now - REVERIFY_AFTER).strftime(STAMP)
    looked = look_is_fresh(conn.execute(BLOB_LOOK_SQL).fetchone(), now.strftime(STAMP))
    audited = bool(conn.execute(AUDIT_FRESH_SQL, {"cutoff": cutoff}).fetchone()[0])
    if looked and audited:
        return
    held: dict[str, bool] = {}

    def here(sha: object) -> bool:
        if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
            raise _NotProven(f"not a blob digest: {sha!r}")
        if sha not in held:
            held[sha] = _blob_path(root, sha).is_file()
        return held[sha]

    if not looked:
        wanted: set[str] = set()
        for kind, first, second in conn.execute(WANTED_BLOBS_SQL):
            if kind == "files":
                wanted.add(first)
            else:
                wanted |= blob_refs("artists", {"avatar_url": first, "banner_url": second})
        if len(wanted) > QUICK_LOOK_FILES:
            raise _NotProven("the file store is due for a look")
        if not all(here(sha) for sha in wanted):
            raise _NotProven("a file to download")
    if not audited and any(here(sha) for sha, _ in conn.execute(BLOB_CHECKS_DUE_SQL, {"cutoff": cutoff})):
        raise _NotProven("a file is due for a new check on the server")


# ---- the token ----------------------------------------------------------------------------------
def _load_token(account: dict[str, Any], handover: _Handover | None = None) -> str:
    """The token as ``sync.account.load_token`` reads it: the file named, else the keyring (a token read
    from it is kept in ``handover``)."""
    if account["token_file"]:
        try:
            token = Path(account["token_file"]).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise _NotProven(f"the token file cannot be read ({exc})") from exc
        if not token:
            raise _NotProven("the token file is empty")
        return token
    import keyring
    import keyring.errors
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        raise _NotProven("no keyring")
    entry = keyring_user(account["server_url"], account["user_id"], account["device_id"])
    try:
        backend.get_password(KEYRING_SERVICE, "gigbag-keyring-probe")
        stored = keyring.get_password(KEYRING_SERVICE, entry)
    except keyring.errors.KeyringError as exc:
        raise _NotProven(f"the keyring failed ({exc})") from exc
    if not stored:
        raise _NotProven("no token in the keyring")
    if handover is not None:
        handover.keyring_token = str(stored)
    return str(stored)


# ---- the pull -----------------------------------------------------------------------------------
def _pull_is_empty(account: dict[str, Any], token: str, handover: _Handover | None = None) -> str | None:
    """Send the engine's pull (after the stored cursor, the largest page, no skip); return the
    account-terms tag of an answer that is an empty last page at the same cursor, else raise. A 200
    answer of this protocol, whatever its page, is kept in ``handover`` for the engine."""
    parts = urllib.parse.urlsplit(account["server_url"])
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise _NotProven("a server address the engine's client must read")
    if urllib.request.getproxies():
        raise _NotProven("a proxy is configured")
    cursor = account["cursor"]
    from .. import __version__

    headers = {
        "User-Agent": f"gigbag/{__version__}",
        "Accept": PULL_ACCEPT,  # the engine's pull asks for the page framed as lines
        PROTOCOL_HEADER: str(PROTOCOL_VERSION),
        "Authorization": f"Bearer {token}",
    }
    params = {"since": cursor, "limit": MAX_PULL_LIMIT}
    target = f"{parts.path.rstrip('/')}{PULL_PATH}?{urllib.parse.urlencode(params)}"
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        from ..sync.tls import tls_context

        conn = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=TIMEOUT_SECONDS, context=tls_context())
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT_SECONDS)
    with closing(conn):
        conn.request("GET", target, headers=headers)
        response = conn.getresponse()
        if response.status != 200:
            raise _NotProven(f"HTTP {response.status}")
        if (response.getheader("Content-Encoding") or "identity").strip().lower() != "identity":
            raise _NotProven("an encoded answer")
        if (response.getheader(PROTOCOL_HEADER) or "").strip() != str(PROTOCOL_VERSION):
            raise _NotProven("another protocol version")
        body = response.read()  # whole: a page with changes goes to the engine as it came
        if handover is not None:
            kept = [(name, value) for name, value in response.getheaders() if name.lower() not in _FRAMING]
            handover.token, handover.params, handover.answer = token, params, (kept, body)
        if len(body) > MAX_ANSWER_BYTES:
            raise _NotProven("a long answer")
        tag = response.getheader(ACCOUNT_TERMS_HEADER)
        media = media_type(response.getheader("Content-Type"))
    if media == PULL_LINES_MEDIA_TYPE:
        # Framed: the header line, then a line per change. An empty page is its header line alone.
        header, newline, _ = body.partition(b"\n")
        page = json.loads(header)
        if newline and isinstance(page, dict) and page.get("changes") == []:
            raise _NotProven("not a pull page")  # lines after the header of an empty page
    else:  # as the engine's client reads any other answer: as JSON
        page = json.loads(body)
    if not isinstance(page, dict) or set(page) != {"changes", "cursor", "has_more"}:
        raise _NotProven("not a pull page")
    if page["changes"] != [] or not isinstance(page["changes"], list):
        raise _NotProven("changes from the server")
    if type(page["cursor"]) is not int or page["cursor"] != cursor:
        raise _NotProven("the cursor moved")
    if page["has_more"] is not False:
        raise _NotProven("more pages")
    return tag


# ---- after the pull -------------------------------------------------------------------------------
def _check_terms(paths: DataPaths, tag: str | None) -> None:
    """``account_terms.worth_refreshing`` of a no-op: the kept terms carry this tag and are fresh."""
    terms = paths.data / TERMS_FILE
    if tag is not None:
        try:
            raw = json.loads(terms.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise _NotProven("no readable account terms") from exc
        if not isinstance(raw, dict) or not TERMS_REQUIRED <= set(raw) <= TERMS_FIELDS:
            raise _NotProven("account terms of another shape")
        try:
            tuple(raw.get("overridden") or ())
        except TypeError as exc:
            raise _NotProven("account terms of another shape") from exc
        if raw.get("tag") != tag:
            raise _NotProven("the account's terms changed on the server")
    try:
        age = time.time() - terms.stat().st_mtime
    except OSError as exc:
        raise _NotProven("no account terms") from exc
    if age > TERMS_MAX_AGE_SECONDS:
        raise _NotProven("the account terms are due for a refresh")


def _record_last_sync(db: Path, recorded: str | None) -> None:
    """The engine's ``_record_last_sync`` after a sync that wrote nothing: at most once a resolution."""
    now = dt.datetime.now(dt.UTC).strftime(STAMP)
    if recorded is not None and age_of(recorded, now) < LAST_SYNC_RESOLUTION:
        return
    with closing(sqlite3.connect(db, timeout=5.0)) as conn:
        conn.isolation_level = None
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE sync_account SET last_sync_at = ? WHERE id = 1", (now,))
        conn.execute("COMMIT")
