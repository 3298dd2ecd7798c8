"""The server's shared library on this computer: the cached list, search, previews, "Add to my files".

The list is kept in a JSON file in the data folder's cache (``library/list.json``) with the cursor
and the time of the last update ("as of"), so the Library section can be browsed offline and an
update fetches only what changed (and what was removed). Why a cache file and not a table: the list
is the server's, rebuilt from the server at any time, belongs to one server and account, and must
never enter the artist's change log or sync; a file replaced atomically is all it needs.

Previews are downloaded once and kept in the cache (``library/previews``). "Add to my files"
downloads the full track (progress, cancel, resumed from what a cancelled download left), checks
it against the SHA-256 the server published, stores it in the file store, and records it in the
Files folder "Library" (made when missing) in one transaction with its change records; from then
on it is an ordinary file that syncs to the artist's other computers. A pro-only track on a free
account is refused here with the reason, before any request; the server refuses it too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import col

from ..local_db.database import transaction
from ..local_db.models import File, Folder
from ..schema.entities import EntityValidationError, validate_data
from ..schema.fields import utc_now
from ..schema.tiers import tier_opens_pro_only
from ..schema.wire import ERR_PRO_ONLY, LibraryPage, LibraryTrack
from ..sync import account as accounts
from ..sync.client import SyncClient
from ..sync.errors import NetworkError, RequestRejected, SyncError
from ..sync.library_client import Download, LibraryClient
from .entity_service import new_id
from .errors import GigbagError, ValidationFailed
from .library import category_for, display_name
from .workspace import Workspace

log = logging.getLogger(__name__)

LIBRARY_FOLDER = "Library"
CACHE_VERSION = 1
CHUNK = 256 * 1024
Progress = Callable[[int, int], None]  # bytes done, bytes in all
Cancelled = Callable[[], bool]
ClientFactory = Callable[..., SyncClient]

NOT_SIGNED_IN = (
    "Sign in to a sync server to see its shared library (the Sync button in the toolbar); "
    "the library is the tracks its operator publishes for its artists."
)


class LibraryUnavailable(GigbagError):
    """The library cannot be reached or used now; the sentence says why and what to do."""


class LibraryClosed(LibraryUnavailable):
    """A pro-only track and an account whose tier does not open it."""


class LibraryCancelled(LibraryUnavailable):
    def __init__(self) -> None:
        super().__init__("The download was cancelled; nothing was added. Adding it again continues where it stopped.")


@dataclass(frozen=True)
class LibraryEntry:
    id: str
    title: str
    artist: str | None
    genre: str | None
    bpm: float | None
    key: str | None
    duration_seconds: float
    file_name: str
    mime_type: str
    size_bytes: int
    sha256: str
    has_preview: bool
    is_pro_only: bool
    added_at: str

    @classmethod
    def from_wire(cls, t: LibraryTrack) -> LibraryEntry:
        return cls(
            t.id,
            t.title,
            t.artist,
            t.genre,
            t.bpm,
            t.key,
            t.duration_seconds,
            t.file_name,
            t.mime_type,
            t.size_bytes,
            t.sha256,
            t.has_preview,
            t.is_pro_only,
            t.added_at,
        )


@dataclass(frozen=True)
class LibraryListing:
    """What the Library section shows: the tracks, when the list was last brought up to date, the tier."""

    entries: list[LibraryEntry]
    signed_in: bool
    as_of: str | None = None  # ISO UTC time of the last successful update; None: never listed
    tier: str | None = None
    problem: str | None = None  # why the last update failed (the list shown is the cached one)

    @property
    def keys(self) -> list[str]:
        return sorted({e.key for e in self.entries if e.key})


@dataclass(frozen=True)
class LibraryFilter:
    text: str = ""
    bpm_min: float | None = None
    bpm_max: float | None = None
    key: str | None = None


def filter_entries(entries: Iterable[LibraryEntry], f: LibraryFilter) -> list[LibraryEntry]:
    """Entries whose title, artist or genre holds the text, within the bpm range and in the key."""
    words = f.text.casefold().split()
    out = []
    for e in entries:
        hay = " ".join(x for x in (e.title, e.artist, e.genre) if x).casefold()
        if any(w not in hay for w in words):
            continue
        if (f.bpm_min is not None or f.bpm_max is not None) and e.bpm is None:
            continue
        if f.bpm_min is not None and e.bpm is not None and e.bpm < f.bpm_min:
            continue
        if f.bpm_max is not None and e.bpm is not None and e.bpm > f.bpm_max:
            continue
        if f.key and (e.key or "").casefold() != f.key.casefold():
            continue
        out.append(e)
    return out


def closed_reason(entry: LibraryEntry, tier: str | None) -> str | None:
    """Why this account cannot add the track (None: it can)."""
    if not entry.is_pro_only or tier_opens_pro_only(tier or "free"):
        return None
    return (
        f"“{entry.title}” is pro-only: it opens to the tiers pro and enterprise, and your account's tier is "
        f"{tier or 'free'}. The server's operator can change your tier; the preview is open to you."
    )


def _utc_text(iso: str) -> str:
    """``2026-12-01T21:25:03.5Z`` as "21:25 UTC, 1 Dec 2026"."""
    try:
        when = dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(dt.UTC)
    except ValueError:
        return iso
    return f"{when:%H:%M} UTC, {when.day} {when:%b %Y}"


@dataclass
class _Cache:
    server_url: str
    user_id: str
    cursor: int = 0
    as_of: str | None = None
    tier: str | None = None
    tracks: dict[str, dict[str, Any]] = field(default_factory=dict)


class SharedLibraryService:
    def __init__(self, workspace: Workspace, client_factory: ClientFactory = SyncClient) -> None:
        self.workspace = workspace
        self.client_factory = client_factory
        self.root = workspace.paths.cache / "library"

    # ---- the cached list ---------------------------------------------------------------------
    @property
    def _cache_path(self) -> Path:
        return self.root / "list.json"

    def _account(self) -> accounts.AccountInfo:
        return accounts.read_account(self.workspace.engine)

    def _load(self, info: accounts.AccountInfo) -> _Cache:
        fresh = _Cache(str(info.server_url), str(info.user_id))
        try:
            raw = json.loads(self._cache_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return fresh
        if (
            not isinstance(raw, dict)
            or raw.get("version") != CACHE_VERSION
            or raw.get("server_url") != fresh.server_url
            or raw.get("user_id") != fresh.user_id
        ):
            return fresh  # another server's or account's list (or none): start again
        try:
            return _Cache(
                fresh.server_url,
                fresh.user_id,
                int(raw["cursor"]),
                raw.get("as_of"),
                raw.get("tier"),
                dict(raw["tracks"]),
            )
        except (KeyError, TypeError, ValueError):
            return fresh

    def _save(self, cache: _Cache) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self._cache_path.with_name(f".list-{os.getpid()}-{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps({"version": CACHE_VERSION, **asdict(cache)}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self._cache_path)

    def _listing(self, cache: _Cache, problem: str | None = None) -> LibraryListing:
        entries = [LibraryEntry.from_wire(LibraryTrack.model_validate(t)) for t in cache.tracks.values()]
        entries.sort(key=lambda e: (e.title.casefold(), (e.artist or "").casefold()))
        return LibraryListing(entries, True, cache.as_of, cache.tier, problem)

    def cached(self) -> LibraryListing:
        """The list as last fetched (offline); empty with a sentence when not signed in."""
        info = self._account()
        if not info.signed_in:
            return LibraryListing([], False, problem=NOT_SIGNED_IN)
        return self._listing(self._load(info))

    def _client(self, info: accounts.AccountInfo) -> SyncClient:
        token = accounts.load_token(info)
        assert info.server_url is not None
        return self.client_factory(info.server_url, token)

    def refresh(self) -> LibraryListing:
        """Bring the list up to date with what changed on the server; offline, the cached list and why."""
        info = self._account()
        if not info.signed_in:
            return LibraryListing([], False, problem=NOT_SIGNED_IN)
        cache = self._load(info)
        try:
            with self._client(info) as client:
                for page in LibraryClient(client).pages(cache.cursor):
                    self._apply(cache, page)
        except NetworkError as exc:
            log.info("library update failed: %s", exc)
            if not cache.as_of:
                return self._listing(cache, str(exc))
            return self._listing(
                cache,
                f"The server cannot be reached, so this is the list as of "
                f"{_utc_text(cache.as_of)}; it updates when the server answers again.",
            )
        except SyncError as exc:
            log.info("library update refused: %s", exc)
            return self._listing(cache, str(exc))
        cache.as_of = utc_now()
        self._save(cache)
        return self._listing(cache)

    @staticmethod
    def _apply(cache: _Cache, page: LibraryPage) -> None:
        for t in page.tracks:
            cache.tracks[t.id] = t.model_dump()
        for removed in page.removed:
            cache.tracks.pop(removed, None)
        cache.cursor = page.cursor
        cache.tier = page.tier

    def _entry(self, info: accounts.AccountInfo, track_id: str) -> tuple[LibraryEntry, str | None]:
        cache = self._load(info)
        raw = cache.tracks.get(track_id)
        if raw is None:
            raise LibraryUnavailable("This track is no longer in the library list; update the list.")
        return LibraryEntry.from_wire(LibraryTrack.model_validate(raw)), cache.tier

    def closed_reason(self, entry: LibraryEntry, tier: str | None) -> str | None:
        return closed_reason(entry, tier)

    # ---- downloads ---------------------------------------------------------------------------
    def _download(
        self,
        info: accounts.AccountInfo,
        entry: LibraryEntry,
        what: Download,
        part: Path,
        total: int,
        progress: Progress | None,
        cancelled: Cancelled | None,
    ) -> str:
        """Fetch into ``part`` (continuing what it holds); the SHA-256 of the whole."""
        digest = hashlib.sha256()
        done = part.stat().st_size if part.exists() else 0
        if done > total:
            part.unlink()
            done = 0
        if done:
            with open(part, "rb") as f:
                while chunk := f.read(CHUNK):
                    digest.update(chunk)
        with self._client(info) as client, LibraryClient(client).download(entry.id, what, done) as response:
            if response.status_code == 200 and done:  # the server sent everything again
                digest, done = hashlib.sha256(), 0
                part.unlink()
            with open(part, "ab") as out:
                for chunk in response.iter_bytes(CHUNK):
                    if cancelled is not None and cancelled():
                        raise LibraryCancelled()
                    out.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(done, total)
        return digest.hexdigest()

    def preview_file(self, track_id: str, cancelled: Cancelled | None = None) -> Path:
        """The track's preview on this computer, downloaded on the first play and kept in the cache."""
        info = self._account()
        if not info.signed_in:
            raise LibraryUnavailable(NOT_SIGNED_IN)
        entry, _tier = self._entry(info, track_id)
        if not entry.has_preview:
            raise LibraryUnavailable(f"“{entry.title}” has no preview (it is shorter than five seconds).")
        folder = self.root / "previews"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{entry.id}-{entry.sha256[:16]}.mp3"
        if path.is_file() and path.stat().st_size > 0:
            return path
        part = path.with_suffix(".part")
        part.unlink(missing_ok=True)
        try:
            self._download(info, entry, "preview", part, 1 << 40, None, cancelled)
        except SyncError as exc:
            part.unlink(missing_ok=True)
            raise LibraryUnavailable(f"The preview of “{entry.title}” could not be fetched: {exc}") from None
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        os.replace(part, path)
        return path

    def add_to_files(self, track_id: str, progress: Progress | None = None, cancelled: Cancelled | None = None) -> File:
        """Download the full track into the Files folder "Library" (verified by SHA-256)."""
        info = self._account()
        if not info.signed_in:
            raise LibraryUnavailable(NOT_SIGNED_IN)
        entry, tier = self._entry(info, track_id)
        reason = closed_reason(entry, tier)
        if reason is not None:
            raise LibraryClosed(reason)
        blobs = self.workspace.blobs
        if not blobs.has(entry.sha256):
            work = self.root / "downloads"
            work.mkdir(parents=True, exist_ok=True)
            part = work / f"{entry.sha256}.part"
            try:
                sha = self._download(info, entry, "file", part, entry.size_bytes, progress, cancelled)
            except RequestRejected as exc:
                if exc.code == ERR_PRO_ONLY:
                    self._forget_tier(info)
                    raise LibraryClosed(str(exc.body.get("message") or exc)) from None
                raise LibraryUnavailable(str(exc)) from None
            except SyncError as exc:
                raise LibraryUnavailable(f"“{entry.title}” could not be downloaded: {exc}") from None
            if sha != entry.sha256:
                part.unlink(missing_ok=True)
                raise LibraryUnavailable(
                    f"The download of “{entry.title}” did not match the file the server published (SHA-256 "
                    "differs); nothing was added. Try again."
                )
            with open(part, "rb") as f:
                blobs.write_stream(f, expected_sha256=entry.sha256)
            part.unlink(missing_ok=True)
        return self._record(entry)

    def _forget_tier(self, info: accounts.AccountInfo) -> None:
        cache = self._load(info)
        cache.tier = "free"
        self._save(cache)

    def _record(self, entry: LibraryEntry) -> File:
        """The file row in the folder "Library" (and the folder, when missing): one transaction."""
        now = utc_now()
        suffix = Path(entry.file_name).suffix
        name = f"{entry.artist} – {entry.title}{suffix}" if entry.artist else f"{entry.title}{suffix}"
        try:
            folder_data = validate_data(
                "folders", {"name": LIBRARY_FOLDER, "parent_folder_id": None, "created_at": now, "updated_at": now}
            )
        except EntityValidationError as exc:
            raise ValidationFailed(exc.errors) from None
        with transaction(self.workspace.engine) as s:
            folder = s.scalars(
                select(Folder)
                .where(col(Folder.name) == LIBRARY_FOLDER, col(Folder.parent_folder_id).is_(None))
                .limit(1)
            ).first()
            if folder is None:
                folder_id = new_id()
                s.execute(insert(Folder.__table__).values(id=folder_id, **folder_data))  # type: ignore[attr-defined]
            else:
                folder_id = folder.id
            existing = s.scalars(
                select(File).where(col(File.folder_id) == folder_id, col(File.blob_sha256) == entry.sha256).limit(1)
            ).first()
            if existing is not None:
                return existing
            try:
                data = validate_data(
                    "files",
                    {
                        "filename": display_name(name),
                        "file_size_bytes": entry.size_bytes,
                        "mime_type": entry.mime_type,
                        "blob_sha256": entry.sha256,
                        "category": category_for(entry.mime_type),
                        "folder_id": folder_id,
                        "duration_seconds": round(entry.duration_seconds, 3),
                        "created_at": now,
                        "updated_at": now,
                    },
                )
            except EntityValidationError as exc:
                raise ValidationFailed(exc.errors) from None
            file_id = new_id()
            s.execute(insert(File.__table__).values(id=file_id, **data))  # type: ignore[attr-defined]
            row = s.get(File, file_id)
            assert row is not None
        log.info("library track %s added to Files as %s", entry.id, file_id)
        return row
