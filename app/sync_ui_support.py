"""What the desktop's sync screens need beyond :mod:`app.sync_service`, without Qt.

The sync service is the door to the engine; this module adds what only a person looking at a
screen needs: checking a server address before signing in (and saying precisely what is wrong with
it), the words for a finished or failed sync, both versions of a conflicting item side by side, a
conflict resolution that can be undone until the next sync, the list of what a big deletion would
remove, the files whose content is not on this computer, and removing the local data on sign-out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
from sqlalchemy import JSON, Engine, Table, delete, null, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..local_db.blob_store import is_sha256_hex
from ..local_db.change_capture import applying_server_changes
from ..local_db.database import read_session, transaction
from ..local_db.models import File
from ..local_db.sync_tables import (
    BlobTransfer,
    ChangeLog,
    CloudOnlyFile,
    SyncAccount,
    SyncBase,
    SyncBatch,
    SyncConflict,
    SyncIncoming,
)
from ..schema.entities import ENTITY_TYPES, data_fields
from ..schema.wire import (
    ERR_DAILY_UPLOAD_LIMIT_EXCEEDED,
    ERR_EMAIL_TAKEN,
    ERR_INVALID_CREDENTIALS,
    ERR_STORAGE_QUOTA_EXCEEDED,
    ERR_TOO_MANY_ATTEMPTS,
    ERR_UPLOAD_TOO_LARGE,
    PROTOCOL_VERSION,
)
from ..sync import account as accounts
from ..sync import conflicts as conflict_store
from ..sync.client import RetryPolicy, SyncClient, normalize_server_url
from ..sync.conflicts import ConflictView, Side, label_of
from ..sync.engine import SyncSummary
from ..sync.errors import (
    AccountMismatch,
    AuthenticationError,
    KeyringUnavailable,
    MassDeleteRefused,
    NetworkError,
    NotSignedIn,
    ProtocolError,
    QuotaExceeded,
    RequestRejected,
    ServerError,
    SyncCancelled,
    SyncError,
)
from ..sync.local_store import Key, LocalState, table
from ..sync.progress import CancelToken, ProgressCallback
from ..sync.pull import ConfirmMassDelete
from .sync_lock import SyncBusy
from .sync_service import SyncService
from .workspace import Workspace

# ---- words for things --------------------------------------------------------------------------

#: (singular, plural) of every entity type, as the artist calls them
ENTITY_NAMES: dict[str, tuple[str, str]] = {
    "artists": ("profile", "profiles"),
    "user_preferences": ("preferences", "preferences"),
    "folders": ("folder", "folders"),
    "files": ("file", "files"),
    "tracks": ("track", "tracks"),
    "goals": ("goal", "goals"),
    "goal_progress": ("goal progress entry", "goal progress entries"),
    "timeline_entries": ("timeline entry", "timeline entries"),
    "journal_entries": ("journal entry", "journal entries"),
    "patterns": ("beat pattern", "beat patterns"),
    "contact_lists": ("contact list", "contact lists"),
    "contact_list_members": ("contact", "contacts"),
}


def entity_name(entity_type: str, count: int = 1) -> str:
    singular, plural = ENTITY_NAMES.get(entity_type, (entity_type.replace("_", " "), entity_type.replace("_", " ")))
    return singular if count == 1 else plural


def count_of(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def human_size(n: int | None) -> str:
    """Sizes as the server words them (1000s): "1.5 MB", "20 GB"."""
    if n is None:
        return "an unknown amount"
    for unit, size in (("GB", 1000**3), ("MB", 1000**2), ("kB", 1000)):
        if n >= size:
            return f"{n / size:.1f} {unit}".replace(".0 ", " ")
    return f"{n} bytes"


# ---- checking a server before signing in -------------------------------------------------------

ServerProblemKind = Literal["invalid_address", "unreachable", "not_gigbag", "protocol_too_new", "server_error"]


class ServerProblem(SyncError):
    """What is wrong with a server address, in words; ``kind`` tells the screens which field to point at."""

    def __init__(self, kind: ServerProblemKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class ServerCheck:
    url: str
    protocol: int


def check_server(
    url: str, *, timeout: float = 8.0, transport: httpx.BaseTransport | None = None
) -> ServerCheck:
    """Ask ``url`` for ``/v1/health`` once; raise :class:`ServerProblem` saying precisely what is wrong."""
    if not url.strip():
        raise ServerProblem("invalid_address", "Enter the address of your Gigbag sync server.")
    try:
        normalized = normalize_server_url(url)
        parsed = httpx.URL(normalized)
    except (httpx.InvalidURL, ValueError) as exc:
        raise ServerProblem("invalid_address", f"“{url.strip()}” is not a web address ({exc}).") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ServerProblem(
            "invalid_address", f"“{url.strip()}” is not a web address; it should look like https://sync.example.com."
        )
    try:
        with httpx.Client(timeout=timeout, transport=transport, follow_redirects=False) as http:
            response = http.get(normalized + "/v1/health", headers={"Accept": "application/json"})
    except httpx.TransportError as exc:
        raise ServerProblem(
            "unreachable",
            f"No server answers at {normalized} ({type(exc).__name__}). Check the address, your internet "
            "connection, and that the server is running.",
        ) from exc
    if response.status_code >= 500:
        raise ServerProblem(
            "server_error",
            f"The server at {normalized} answered with an error (HTTP {response.status_code}). "
            "It may be starting or broken; try again in a minute.",
        )
    try:
        body = response.json() if response.status_code == 200 else None
    except ValueError:
        body = None
    protocol = body.get("protocol") if isinstance(body, dict) else None
    if not isinstance(body, dict) or body.get("status") != "ok" or not isinstance(protocol, int):
        raise ServerProblem(
            "not_gigbag",
            f"{normalized} answers, but it is not a Gigbag sync server. Check the address "
            "(it is the one your server's owner gave you, e.g. https://sync.example.com).",
        )
    if protocol > PROTOCOL_VERSION:
        raise ServerProblem(
            "protocol_too_new",
            f"The server at {normalized} speaks a newer sync protocol (version {protocol}) than this Gigbag "
            f"(version {PROTOCOL_VERSION}). Update Gigbag on this computer to sync with it.",
        )
    return ServerCheck(normalized, protocol)


#: Sign-in waits for a person: a server that says "wait" for long is reported, not waited for.
INTERACTIVE_RETRY = RetryPolicy(attempts=2, base_delay=0.3, max_delay=2.0, max_retry_after=3.0)


def interactive_client_factory(base: Callable[..., SyncClient]) -> Callable[..., SyncClient]:
    """``base`` with a retry policy fit for a person waiting in a dialog (a caller's own policy wins)."""

    @functools.wraps(base)
    def make(*args: Any, **kwargs: Any) -> SyncClient:
        kwargs.setdefault("retry", INTERACTIVE_RETRY)
        return base(*args, **kwargs)

    return make


def sign_in_problem(exc: BaseException, *, creating: bool = False) -> str:
    """The sentence a sign-in dialog shows for ``exc``."""
    if isinstance(exc, ServerProblem):
        return str(exc)
    if isinstance(exc, AuthenticationError) or (
        isinstance(exc, RequestRejected) and exc.code == ERR_INVALID_CREDENTIALS
    ):
        return (
            "The email or password is wrong for this server. Check both (passwords are case-sensitive), "
            "or tick “Create a new account” if you have none there yet."
        )
    if isinstance(exc, RequestRejected):
        if exc.code == ERR_EMAIL_TAKEN:
            return (
                "An account with this email already exists on this server. "
                "Untick “Create a new account” and sign in."
            )
        if exc.code == ERR_TOO_MANY_ATTEMPTS:
            wait = exc.body.get("retry_after_seconds")
            when = f"in {wait} seconds" if isinstance(wait, int) else "in a few minutes"
            return f"Too many wrong passwords for this account. The server accepts a new try {when}."
        said = str(exc.body.get("message") or "")
        if exc.status == 422 or exc.status == 400:
            return f"The server did not accept these details: {said or exc}"
        return str(exc)
    if isinstance(exc, NetworkError):
        return f"{exc}"
    if isinstance(exc, KeyringUnavailable | AccountMismatch | ServerError | ProtocolError):
        return str(exc)
    if isinstance(exc, SyncError):
        return str(exc)
    what = "create the account" if creating else "sign in"
    return f"Could not {what}: {exc or type(exc).__name__}"


# ---- words for the end of a sync ---------------------------------------------------------------

FailureKind = Literal[
    "offline", "server", "sign_in", "quota", "keyring", "account", "mass_delete", "cancelled", "not_signed_in", "other"
]


@dataclass(frozen=True)
class Explanation:
    """Why a sync stopped (``headline``) and what to do about it (``advice``)."""

    kind: FailureKind
    headline: str
    advice: str

    def text(self) -> str:
        return f"{self.headline} {self.advice}".strip()


KEPT = "Nothing was lost: your changes stay on this computer and are sent by the next sync."


def quota_text(exc: QuotaExceeded) -> str:
    """Which limit the server applied and how much room is left under it."""
    body = exc.body
    limit = body.get("limit")
    limit_bytes = body.get("limit_bytes")
    remaining = body.get("remaining_bytes")
    room = human_size(remaining) if isinstance(remaining, int) else None
    if exc.code == ERR_STORAGE_QUOTA_EXCEEDED or limit == "storage_quota":
        of = f" of {human_size(limit_bytes)}" if isinstance(limit_bytes, int) else ""
        left = f"only {room}{of} is left" if room is not None else "it is full"
        return (
            f"Your storage space on the server is used up: {left}. "
            "Delete files you no longer need, or ask the server's owner for more space."
        )
    if exc.code == ERR_DAILY_UPLOAD_LIMIT_EXCEEDED or limit == "daily_upload_limit":
        of = f" ({human_size(limit_bytes)} a day)" if isinstance(limit_bytes, int) else ""
        left = f"{room} can still be uploaded today" if room is not None else "nothing more can be uploaded today"
        return f"The server's daily upload limit{of} is reached: {left}. The rest uploads tomorrow."
    if exc.code == ERR_UPLOAD_TOO_LARGE or limit == "max_upload_size":
        most = human_size(limit_bytes) if isinstance(limit_bytes, int) else "its limit"
        return f"A file is larger than the largest file this server accepts ({most})."
    return str(exc)


def explain_failure(exc: BaseException, server_url: str | None = None) -> Explanation:
    where = f" at {server_url}" if server_url else ""
    if isinstance(exc, SyncCancelled):
        return Explanation(
            "cancelled", "Sync cancelled.", "Nothing is lost; the next sync continues where this one stopped."
        )
    if isinstance(exc, NetworkError):
        return Explanation(
            "offline",
            f"Could not reach the sync server{where}.",
            f"Check your internet connection (or whether the server is running), then press Sync again. {KEPT}",
        )
    if isinstance(exc, AuthenticationError):
        return Explanation(
            "sign_in",
            "The server no longer accepts this computer's sign-in (it may have been signed out from another device).",
            f"Sign in again from the account menu. {KEPT}",
        )
    if isinstance(exc, QuotaExceeded):
        return Explanation("quota", quota_text(exc), KEPT)
    if isinstance(exc, KeyringUnavailable):
        return Explanation("keyring", str(exc), "")
    if isinstance(exc, AccountMismatch):
        return Explanation("account", str(exc), "")
    if isinstance(exc, MassDeleteRefused):
        return Explanation(
            "mass_delete",
            f"Sync stopped before deleting {exc.deletions} of the {exc.total} items on this computer.",
            "Nothing was deleted. Press Sync again and confirm if those deletions are what you want.",
        )
    if isinstance(exc, NotSignedIn):
        return Explanation("not_signed_in", "This computer is not signed in to a sync server.", "Sign in first.")
    if isinstance(exc, ServerError):
        return Explanation("server", str(exc), KEPT)
    if isinstance(exc, SyncError):
        return Explanation("other", str(exc), KEPT)
    if isinstance(exc, SyncBusy):
        return Explanation("other", "Another Gigbag is syncing this data folder right now.",
                           f"Wait for it to finish (or close it), then press Sync again. {KEPT}")
    return Explanation("other", f"Sync failed unexpectedly: {exc or type(exc).__name__}.", KEPT)


# ---- what a sync received from the other computers ----------------------------------------------


@dataclass
class PullCount:
    """Changes the server sent in one sync, and how many of them were this computer's own coming back."""

    pulled: int = 0
    own: int = 0

    @property
    def received(self) -> int:
        """Changes that came from the other computers."""
        return max(0, self.pulled - self.own)

    def count(self, db: Engine, changes: Iterable[Any]) -> None:
        """Count a pulled page; a change whose checksum is the base this computer already holds is its own
        push coming back (the same rule the engine applies before taking a change)."""
        changes = list(changes)
        self.pulled += len(changes)
        if not changes:
            return
        with read_session(db) as s:
            st = LocalState(s)
            for change in changes:
                base = st.base((change.entity_type, change.entity_id))
                if base is not None and base.checksum == change.checksum and base.deleted == change.deleted:
                    self.own += 1


def counting_client_factory(
    base: Callable[..., SyncClient], db: Engine, count: PullCount
) -> Callable[..., SyncClient]:
    """``base``, with every pulled page counted into ``count`` before the engine applies it."""

    def make(*args: Any, **kwargs: Any) -> SyncClient:
        client = base(*args, **kwargs)
        pull = client.pull

        def counted_pull(since: int, limit: int) -> Any:
            page = pull(since, limit)
            count.count(db, page.changes)
            return page

        client.pull = counted_pull  # type: ignore[method-assign]
        return client

    return make


def sync_and_count(
    service: SyncService,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    confirm_mass_delete: ConfirmMassDelete | None = None,
) -> tuple[SyncSummary, PullCount]:
    """``service.sync`` that also tells how many received changes came from the other computers.

    The summary's ``pulled`` counts every change the server sent, this computer's own pushes coming
    back included ("12 sent, 12 received" after a first sync); the screens say what was received.
    """
    count = PullCount()
    factory = counting_client_factory(service.client_factory, service.workspace.engine, count)
    counted = SyncService(service.workspace, factory)
    summary = counted.sync(progress=progress, cancel=cancel, confirm_mass_delete=confirm_mass_delete)
    return summary, count


def summary_parts(summary: SyncSummary, received: int | None = None) -> list[str]:
    parts: list[str] = []
    received = summary.pulled if received is None else received
    if summary.pushed:
        parts.append(f"{summary.pushed} sent")
    if received:
        parts.append(f"{received} received")
    if summary.merged:
        parts.append(f"{summary.merged} merged")
    if summary.files_up:
        parts.append(f"{count_of(summary.files_up, 'file')} uploaded")
    if summary.files_down:
        parts.append(f"{count_of(summary.files_down, 'file')} downloaded")
    if summary.open_conflicts:
        parts.append(count_of(summary.open_conflicts, "conflict"))
    return parts


def summary_text(summary: SyncSummary, waiting: int = 0, received: int | None = None) -> str:
    """"12 sent, 30 received, 2 files uploaded, 1 conflict" (or that nothing needed syncing).

    ``waiting``: local changes still unsent that no conflict holds back (see :func:`unsent_changes`);
    ``received``: changes from the other computers (see :func:`sync_and_count`), else the summary's count.
    """
    parts = summary_parts(summary, received)
    text_ = ", ".join(parts) if parts else "Everything was already up to date"
    problems = summary_problems(summary, waiting)
    if problems:
        text_ += " — " + "; ".join(problems)
    return text_


def unsent_changes(db: Engine) -> int:
    """Pending local changes that are not held back by an open conflict (e.g. made during a sync)."""
    with read_session(db) as s:
        st = LocalState(s)
        held = st.conflict_keys()
        return sum(1 for key in st.pending_keys() if key not in held)


def summary_problems(summary: SyncSummary, waiting: int = 0) -> list[str]:
    """What a finished sync could not do (changes the server refused, files it could not move)."""
    problems: list[str] = []
    if summary.refused:
        reasons = sorted({r.reason for r in summary.refused})
        problems.append(f"{count_of(len(summary.refused), 'change')} not accepted by the server ({reasons[0]})")
    if summary.file_errors:
        problems.append(f"{count_of(len(summary.file_errors), 'file')} could not be downloaded")
    if summary.missing_files:
        problems.append(f"{count_of(len(summary.missing_files), 'file')} missing on every computer")
    waiting -= len(summary.refused)
    if waiting > 0:
        problems.append(f"{count_of(waiting, 'change')} made during the sync wait for the next one")
    return problems


# ---- conflicts, side by side -------------------------------------------------------------------

HIDDEN_FIELDS = ("created_at", "updated_at")


@dataclass(frozen=True)
class FieldRow:
    name: str
    mine: Any
    theirs: Any
    base: Any
    conflicting: bool  # changed on both computers to different values: the artist decides

    @property
    def differs(self) -> bool:
        return self.mine != self.theirs


@dataclass(frozen=True)
class ConflictDetail:
    view: ConflictView
    mine: dict[str, Any] | None  # None: deleted on this computer
    theirs: dict[str, Any] | None  # None: deleted on the other computer
    rows: tuple[FieldRow, ...]
    mine_changed_at: str | None
    theirs_changed_at: str | None
    goes_with_it: int  # items inside this one that a delete takes along

    @property
    def conflicting_fields(self) -> list[str]:
        return [r.name for r in self.rows if r.conflicting]


def conflict_details(db: Engine) -> list[ConflictDetail]:
    """Every open conflict with both versions of every field (conflicting ones first)."""
    views = conflict_store.list_conflicts(db)
    with read_session(db) as s:
        st = LocalState(s)
        return [_detail(st, view) for view in views]


def _detail(st: LocalState, view: ConflictView) -> ConflictDetail:
    key: Key = (view.entity_type, view.entity_id)
    row = st.conflict(key)
    mine = st.read(*key)
    theirs = row.remote_data if row is not None else None
    base = (row.base_data if row is not None else None) or {}
    conflicting = set(row.fields if row is not None else ())
    names = [n for n in data_fields(view.entity_type) if n not in HIDDEN_FIELDS]
    rows = [
        FieldRow(n, (mine or {}).get(n), (theirs or {}).get(n), base.get(n), n in conflicting)
        for n in names
    ]
    rows.sort(key=lambda r: (not r.conflicting, not r.differs))
    goes = len(st.dependents(*key)[0]) if mine is not None else 0
    return ConflictDetail(
        view=view,
        mine=mine,
        theirs=theirs,
        rows=tuple(rows),
        mine_changed_at=(mine or {}).get("updated_at"),
        theirs_changed_at=(theirs or {}).get("updated_at"),
        goes_with_it=goes,
    )


# ---- resolving, undoably -----------------------------------------------------------------------


@dataclass
class ResolutionSnapshot:
    """Everything a resolution changes, as it was before: rows, their change log, the conflict."""

    conflict: dict[str, Any]
    rows: list[tuple[Key, dict[str, Any] | None]]  # parents first
    change_log: list[dict[str, Any]]
    choice: Side | None = None
    fields: dict[str, Side] = field(default_factory=dict)

    @property
    def key(self) -> Key:
        return (self.conflict["entity_type"], self.conflict["entity_id"])


def _full_row(st: LocalState, key: Key) -> dict[str, Any] | None:
    t = table(key[0])
    row = st.s.execute(select(t).where(t.c.id == key[1])).mappings().first()
    return dict(row) if row is not None else None


def _snapshot(st: LocalState, conflict_id: str) -> ResolutionSnapshot:
    conflict = conflict_store._find(st, conflict_id)  # same lookup (and message) as resolve()
    key: Key = (conflict.entity_type, conflict.entity_id)
    keys: list[Key] = [key]
    if st.exists(*key):
        removed, nulled = st.dependents(*key)
        keys += removed
        keys += [k for k, _column in nulled if k not in keys]
    rows = [(k, _full_row(st, k)) for k in keys]
    log = ChangeLog.__table__  # type: ignore[attr-defined]
    entries: list[dict[str, Any]] = []
    for entity_type, entity_id in keys:
        stmt = select(log).where(log.c.entity_type == entity_type, log.c.entity_id == entity_id)
        entries += [dict(r) for r in st.s.execute(stmt).mappings()]
    return ResolutionSnapshot(conflict=conflict.model_dump(), rows=rows, change_log=entries)


def resolve_undoably(
    db: Engine, conflict_id: str, choice: Side | None = None, fields: dict[str, Side] | None = None
) -> ResolutionSnapshot:
    """Resolve like ``SyncService.resolve`` and return what :func:`undo_resolution` needs to take it back.

    Meant for a person at a screen, while no sync runs (the screens keep resolving and syncing apart).
    """
    with read_session(db) as s:
        snapshot = _snapshot(LocalState(s), conflict_id)
    conflict_store.resolve(db, snapshot.conflict["id"], choice, fields)
    snapshot.choice = choice
    snapshot.fields = dict(fields or {})
    return snapshot


def redo_resolution(db: Engine, snapshot: ResolutionSnapshot) -> None:
    conflict_store.resolve(db, snapshot.conflict["id"], snapshot.choice, snapshot.fields)


def _sql_values(t: Table, row: dict[str, Any]) -> dict[str, Any]:
    """``row`` for an insert, with None in JSON columns written as SQL NULL (as the engine writes it)."""
    return {k: (null() if v is None and isinstance(t.c[k].type, JSON) else v) for k, v in row.items()}


def undo_resolution(db: Engine, snapshot: ResolutionSnapshot) -> None:
    """Put back the rows, their pending changes and the conflict exactly as they were before resolving."""
    log = ChangeLog.__table__  # type: ignore[attr-defined]
    conflicts = SyncConflict.__table__  # type: ignore[attr-defined]
    with transaction(db) as s:
        st = LocalState(s)
        s.execute(text("PRAGMA defer_foreign_keys=ON"))
        with applying_server_changes(s):
            for key, row in reversed(snapshot.rows):  # children first: nothing stale refers to a parent
                if row is None and st.exists(*key):
                    st.remove(*key)
            for key, row in snapshot.rows:  # parents first
                if row is None:
                    continue
                t = table(key[0])
                full = _sql_values(t, row)
                values = {k: v for k, v in full.items() if k != "id"}
                stmt = sqlite_insert(t).values(full).on_conflict_do_update(index_elements=[t.c.id], set_=values)
                s.execute(stmt)
        for entity_type, entity_id in {k for k, _r in snapshot.rows}:
            s.execute(delete(log).where(log.c.entity_type == entity_type, log.c.entity_id == entity_id))
        if snapshot.change_log:
            s.execute(log.insert(), snapshot.change_log)
        key = snapshot.key
        s.execute(delete(conflicts).where(conflicts.c.entity_type == key[0], conflicts.c.entity_id == key[1]))
        s.execute(conflicts.insert().values(_sql_values(conflicts, snapshot.conflict)))
        st.recompute_derived()


# ---- big deletions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeletionItem:
    entity_type: str
    entity_id: str
    label: str


def _client_for(db: Engine, client_factory: Callable[..., SyncClient], cancel: CancelToken | None) -> SyncClient:
    info = accounts.read_account(db)
    token = accounts.load_token(info)
    assert info.server_url is not None
    return client_factory(info.server_url, token, cancel=cancel or CancelToken())


def preview_server_deletions(
    db: Engine,
    client_factory: Callable[..., SyncClient] = SyncClient,
    cancel: CancelToken | None = None,
    page_size: int = 1000,
) -> list[DeletionItem]:
    """The items on this computer that the server's waiting changes delete (read only: nothing is applied).

    The engine asks to confirm a big deletion with two counts; this reads the same pages from the
    stored cursor so the artist sees *what* would go before saying yes.
    """
    since = accounts.read_account(db).cursor
    deleted: dict[str, set[str]] = {}
    upserted: set[Key] = set()
    with _client_for(db, client_factory, cancel) as client:
        while True:
            page = client.pull(since, page_size)
            for change in page.changes:
                key = (change.entity_type, change.entity_id)
                if change.entity_type not in ENTITY_TYPES:
                    continue
                if change.deleted:
                    deleted.setdefault(change.entity_type, set()).add(change.entity_id)
                    upserted.discard(key)
                else:
                    deleted.get(change.entity_type, set()).discard(change.entity_id)
                    upserted.add(key)
            if not page.has_more or page.cursor <= since:
                break
            since = page.cursor
    items: list[DeletionItem] = []
    with read_session(db) as s:
        st = LocalState(s)
        for entity_type in ENTITY_TYPES:
            ids = deleted.get(entity_type)
            if not ids:
                continue
            for entity_id, data in sorted(st.read_many(entity_type, ids).items()):
                items.append(DeletionItem(entity_type, entity_id, label_of(entity_type, data, entity_id)))
    return items


def group_deletions(items: Iterable[DeletionItem]) -> list[tuple[str, list[str]]]:
    """[("12 tracks", ["Azúcar", ...]), ...] in the order of the entity types."""
    by_type: dict[str, list[str]] = {}
    for item in items:
        by_type.setdefault(item.entity_type, []).append(item.label)
    return [
        (count_of(len(labels), entity_name(t), entity_name(t, 2)), sorted(labels, key=str.casefold))
        for t, labels in sorted(by_type.items(), key=lambda kv: list(ENTITY_TYPES).index(kv[0]))
    ]


# ---- files that are not on this computer -------------------------------------------------------


@dataclass(frozen=True)
class RemoteFile:
    file_id: str
    filename: str
    size: int
    sha256: str
    cloud_only: bool  # kept on the server on purpose (the artist chose it)


def files_not_here(workspace: Workspace, limit: int = 5000) -> list[RemoteFile]:
    """Files whose content is not on this computer (arriving with a sync, or kept on the server only)."""
    files = File.__table__.c  # type: ignore[attr-defined]
    cloud = CloudOnlyFile.__table__.c  # type: ignore[attr-defined]
    out: list[RemoteFile] = []
    with read_session(workspace.engine) as s:
        cloud_only = set(s.scalars(select(cloud.file_id)))
        query = select(files.id, files.filename, files.file_size_bytes, files.blob_sha256).order_by(files.filename)
        rows = s.execute(query)
        for file_id, filename, size, sha in rows:
            if workspace.blobs.has(sha):
                continue
            out.append(RemoteFile(file_id, filename, int(size or 0), sha, file_id in cloud_only))
            if len(out) >= limit:
                break
    return out


def file_names(db: Engine, sha256s: Iterable[str]) -> dict[str, str]:
    """The file name the artist knows for each blob (the first one, if several files share it)."""
    wanted = list(dict.fromkeys(sha256s))
    files = File.__table__.c  # type: ignore[attr-defined]
    names: dict[str, str] = {}
    with read_session(db) as s:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for sha, name in s.execute(select(files.blob_sha256, files.filename).where(files.blob_sha256.in_(chunk))):
                names.setdefault(sha, name)
    return names


# ---- removing the local data (sign-out) --------------------------------------------------------

_SYNC_TABLES = (ChangeLog, SyncBase, SyncIncoming, SyncConflict, SyncBatch, BlobTransfer, CloudOnlyFile)


def remove_local_data(workspace: Workspace) -> int:
    """Delete every item and file content of this computer and forget the account it synced with.

    For signing out "and remove the data from this computer": afterwards the data folder is as new
    (another account may sign in). Returns the number of items removed. The artist is asked first;
    what was not synced is lost.
    """
    db = workspace.engine
    removed = 0
    with transaction(db) as s:
        st = LocalState(s)
        s.execute(text("PRAGMA defer_foreign_keys=ON"))
        with applying_server_changes(s):
            for entity_type in reversed(ENTITY_TYPES):
                result = s.execute(delete(table(entity_type)))
                removed += int(getattr(result, "rowcount", 0) or 0)
        for model in _SYNC_TABLES:
            s.execute(delete(model.__table__))  # type: ignore[attr-defined,union-attr]
        account = SyncAccount.__table__  # type: ignore[attr-defined]
        s.execute(
            account.update()
            .where(account.c.id == 1)
            .values(
                server_url=None,
                email=None,
                user_id=None,
                device_id=None,
                bound_user_id=None,
                cursor=0,
                last_sync_at=None,
                token_file=None,
            )
        )
        st.recompute_derived()
    root = workspace.blobs.root
    for path in list(root.glob("??/??/*")) if root.exists() else []:
        if is_sha256_hex(path.name):
            workspace.blobs.remove(path.name)
    return removed


def default_token_file(workspace: Workspace) -> Path:
    """Where the no-keyring fallback keeps the token when the artist accepts it (inside the data folder)."""
    return workspace.paths.data / "sync-token"
