"""The shared library's rows: publishing, changing and removing tracks, and reading changes by cursor.

Used by the operator's commands (``gigbag-server library …``) and by the library routes. Every write
locks the one-row ``library_counter`` and gives the row the next ``seq``, so a page "after cursor N"
never misses a change that commits later with a smaller number. The content (full file and preview)
lives in the server's blob store under its SHA-256, recorded in ``blobs`` like any stored content;
an account deleted by the operator never takes a library file with it (see :func:`blob_in_use`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update

from gigbag.schema.wire import LibraryTrack

from .database import insert_ignoring_conflict
from .tables import blobs, library_counter, library_tracks, user_blobs


class LibraryError(Exception):
    """A refused library command, in a sentence for the operator."""


@dataclass(frozen=True)
class NewTrack:
    title: str
    artist: str | None
    genre: str | None
    bpm: float | None
    key: str | None
    duration_seconds: float
    file_key: str
    file_name: str
    mime_type: str
    size_bytes: int
    preview_key: str | None
    preview_size_bytes: int | None
    is_pro_only: bool


def _when(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _next_seq(conn: Connection) -> int:
    row = conn.execute(select(library_counter.c.last_seq).where(library_counter.c.id == 1).with_for_update()).first()
    if row is None:
        conn.execute(library_counter.insert().values(id=1, last_seq=1))
        return 1
    seq = int(row.last_seq) + 1
    conn.execute(update(library_counter).where(library_counter.c.id == 1).values(last_seq=seq))
    return seq


def last_seq(conn: Connection) -> int:
    value = conn.execute(select(library_counter.c.last_seq).where(library_counter.c.id == 1)).scalar()
    return int(value or 0)


def record_blob(conn: Connection, sha256: str, size: int, now: dt.datetime) -> None:
    conn.execute(insert_ignoring_conflict(conn, blobs).values(sha256=sha256, size=size, created_at=now))


def add_track(conn: Connection, track: NewTrack, now: dt.datetime) -> str:
    """Publish a track (or bring a removed one with the same file back); returns its id."""
    if not track.title.strip():
        raise LibraryError("A library track needs a title (--title), and it may not be empty.")
    if track.size_bytes <= 0:
        raise LibraryError("The file is empty; a library track needs its audio.")
    seq = _next_seq(conn)
    existing = conn.execute(
        select(library_tracks.c.id, library_tracks.c.removed_at).where(library_tracks.c.file_key == track.file_key)
    ).first()
    values: dict[str, Any] = {
        "title": track.title.strip(),
        "artist": track.artist,
        "genre": track.genre,
        "bpm": track.bpm,
        "musical_key": track.key,
        "duration_seconds": track.duration_seconds,
        "file_key": track.file_key,
        "file_name": track.file_name,
        "mime_type": track.mime_type,
        "size_bytes": track.size_bytes,
        "preview_key": track.preview_key,
        "preview_size_bytes": track.preview_size_bytes,
        "is_pro_only": track.is_pro_only,
        "updated_at": now,
        "seq": seq,
    }
    record_blob(conn, track.file_key, track.size_bytes, now)
    if track.preview_key is not None and track.preview_size_bytes:
        record_blob(conn, track.preview_key, track.preview_size_bytes, now)
    if existing is not None:
        if existing.removed_at is None:
            raise LibraryError(
                f"This file is already in the library as {existing.id}; "
                f"change it with 'gigbag-server library set {existing.id} …'."
            )
        conn.execute(
            update(library_tracks)
            .where(library_tracks.c.id == existing.id)
            .values(**values, removed_at=None, added_at=now)
        )
        return str(existing.id)
    track_id = secrets.token_hex(6)
    conn.execute(library_tracks.insert().values(id=track_id, added_at=now, removed_at=None, **values))
    return track_id


def _live(conn: Connection, track_id: str) -> Any:
    row = conn.execute(
        select(library_tracks).where(library_tracks.c.id == track_id, library_tracks.c.removed_at.is_(None))
    ).first()
    if row is None:
        raise LibraryError(f"There is no library track {track_id!r} (see 'gigbag-server library list').")
    return row


def set_pro_only(conn: Connection, track_id: str, pro_only: bool, now: dt.datetime) -> bool:
    """Open the track to every tier or to pro and enterprise only; False when it already was."""
    row = _live(conn, track_id)
    if bool(row.is_pro_only) == pro_only:
        return False
    conn.execute(
        update(library_tracks)
        .where(library_tracks.c.id == track_id)
        .values(is_pro_only=pro_only, updated_at=now, seq=_next_seq(conn))
    )
    return True


def remove_track(conn: Connection, track_id: str, now: dt.datetime) -> list[str]:
    """Leave a tombstone; returns the blob keys nothing refers to any more (their files may go)."""
    row = _live(conn, track_id)
    conn.execute(
        update(library_tracks)
        .where(library_tracks.c.id == track_id)
        .values(removed_at=now, updated_at=now, seq=_next_seq(conn))
    )
    freed = []
    for sha in {row.file_key, row.preview_key} - {None}:
        if not blob_in_use(conn, sha):
            conn.execute(blobs.delete().where(blobs.c.sha256 == sha))
            freed.append(sha)
    return freed


def blob_in_use(conn: Connection, sha256: str) -> bool:
    """Whether an account or a live library track still refers to the content ``sha256``."""
    owned = conn.execute(select(func.count()).select_from(user_blobs).where(user_blobs.c.sha256 == sha256)).scalar()
    return bool(owned) or library_uses(conn, sha256)


def library_uses(conn: Connection, sha256: str) -> bool:
    used = conn.execute(
        select(func.count())
        .select_from(library_tracks)
        .where(
            library_tracks.c.removed_at.is_(None),
            or_(library_tracks.c.file_key == sha256, library_tracks.c.preview_key == sha256),
        )
    ).scalar()
    return bool(used)


def wire(row: Any) -> LibraryTrack:
    return LibraryTrack(
        id=row.id,
        title=row.title,
        artist=row.artist,
        genre=row.genre,
        bpm=row.bpm,
        key=row.musical_key,
        duration_seconds=row.duration_seconds,
        file_name=row.file_name,
        mime_type=row.mime_type,
        size_bytes=row.size_bytes,
        sha256=row.file_key,
        has_preview=row.preview_key is not None,
        preview_size_bytes=row.preview_size_bytes,
        is_pro_only=bool(row.is_pro_only),
        added_at=_when(row.added_at),
        updated_at=_when(row.updated_at),
        seq=row.seq,
    )


def live_tracks(conn: Connection) -> list[LibraryTrack]:
    rows = conn.execute(
        select(library_tracks).where(library_tracks.c.removed_at.is_(None)).order_by(library_tracks.c.title)
    ).all()
    return [wire(r) for r in rows]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def changes_since(
    conn: Connection, since: int, limit: int, search: str | None = None
) -> tuple[list[LibraryTrack], list[str], int, bool]:
    """Live tracks changed and ids removed after ``since`` (at most ``limit``), the cursor, more to come.

    From cursor 0 the removed are left out: a client that never listed has nothing to remove. The
    counter is read first, so rows a later transaction commits are left for the next page.
    """
    upto = last_seq(conn)
    conditions = [library_tracks.c.seq > since, library_tracks.c.seq <= upto]
    if since == 0:
        conditions.append(library_tracks.c.removed_at.is_(None))
    if search:
        pattern = f"%{_escape_like(search.strip().lower())}%"
        conditions.append(
            or_(
                *(
                    func.lower(func.coalesce(c, "")).like(pattern, escape="\\")
                    for c in (library_tracks.c.title, library_tracks.c.artist, library_tracks.c.genre)
                )
            )
        )
    rows = conn.execute(
        select(library_tracks).where(and_(*conditions)).order_by(library_tracks.c.seq).limit(limit + 1)
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    tracks = [wire(r) for r in rows if r.removed_at is None]
    removed = [str(r.id) for r in rows if r.removed_at is not None]
    cursor = int(rows[-1].seq) if has_more else max(since, upto)
    return tracks, removed, cursor, has_more


def track_row(conn: Connection, track_id: str) -> Any:
    """The live row of ``track_id``, or None."""
    return conn.execute(
        select(library_tracks).where(library_tracks.c.id == track_id, library_tracks.c.removed_at.is_(None))
    ).first()
