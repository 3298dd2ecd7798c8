"""A track's preview: a short clip of its audio, kept as a file of the track, and the track's waveform.

``make_preview`` cuts the range from the track's audio file (``media.cut_clip``: fades, MP3, same
sample rate), stores the clip in the file store as a file beside the audio and points the track's
``preview_file_id`` at it: the file row, the track's change and their change records commit in one
transaction, and the clip syncs like any file. Remaking replaces the previous preview (its file row
goes, unless something else refers to it); removing clears it. Each returns a :class:`PreviewChange`
that ``undo``/``redo`` apply backwards and forwards, as the UI's undo stack does for every edit.

The waveform of a track's audio is computed once per content and bucket count and cached in the data
folder's cache (``waveforms/<sha256>-<buckets>.json``). Both are plain calls that may take seconds:
the UI runs them off its thread, passing a progress callback and a cancel check.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, insert, or_, select
from sqlmodel import Session, col

from ..local_db.blob_store import BlobMissingError
from ..local_db.database import read_session, transaction
from ..local_db.models import File, Track
from ..media import AudioCancelled, AudioError, Waveform, cut_clip, probe, waveform_peaks
from ..media.clip import MAX_PREVIEW_SECONDS, MIN_PREVIEW_SECONDS, PREVIEW_SUFFIX, check_range
from ..schema.entities import EntityValidationError, validate_data
from ..schema.fields import utc_now
from .entity_service import new_id, row_data
from .errors import GigbagError, NotFound, ValidationFailed
from .library import FileService, display_name
from .tracks import TrackService

log = logging.getLogger(__name__)

DEFAULT_PREVIEW_SECONDS = 30.0
Progress = Callable[[int, int], None]  # milliseconds of audio done, in all
Cancelled = Callable[[], bool]


class PreviewFailed(GigbagError):
    """A preview could not be made (the audio's words from the audio room); nothing was changed."""


class PreviewCancelled(PreviewFailed):
    pass


@dataclass(frozen=True)
class PreviewRange:
    start: float
    length: float

    @property
    def end(self) -> float:
        return self.start + self.length


def default_range(duration: float) -> PreviewRange:
    """30 s from a quarter into the track, moved back or shortened to fit inside it (5 s at least)."""
    length = min(DEFAULT_PREVIEW_SECONDS, max(MIN_PREVIEW_SECONDS, duration))
    start = max(0.0, min(duration / 4, duration - length))
    return PreviewRange(round(start, 3), round(length, 3))


@dataclass(frozen=True)
class PreviewChange:
    """One preview edit: the track's preview before and after, with the file rows it removed or made."""

    track_id: str
    before_file_id: str | None
    before_file: dict[str, Any] | None  # the previous preview's file row, when the edit deleted it
    after_file_id: str | None
    after_file: dict[str, Any] | None  # the new preview's file row, when the edit made it


def _file_row(file: File) -> dict[str, Any]:
    return {"id": file.id, **row_data(file, "files")}


class PreviewService:
    def __init__(self, engine: Engine, files: FileService, tracks: TrackService, cache_dir: Path) -> None:
        self.engine = engine
        self.files = files
        self.tracks = tracks
        self.cache_dir = cache_dir

    # ---- the track's audio ---------------------------------------------------------------
    def audio_path(self, track_id: str) -> Path:
        """Where the track's audio is on this computer; PreviewFailed in words when it is not."""
        track = self.tracks.get(track_id)
        audio = self.files.get(track.audio_file_id)
        try:
            return self.files.content_path(audio)
        except BlobMissingError:
            raise PreviewFailed(
                f"The audio of “{track.title}” ({audio.filename}) is not on this computer yet; "
                "sync to bring it here, then try again."
            ) from None

    def _audio_name(self, track_id: str) -> str:
        return self.files.get(self.tracks.get(track_id).audio_file_id).filename

    def _audio_error(self, track_id: str, exc: AudioError) -> PreviewFailed:
        if isinstance(exc, AudioCancelled):
            return PreviewCancelled("Stopped before the end; the track's preview was not changed.")
        return PreviewFailed(f"{exc} The track's preview was not changed.")

    def default_range(self, track_id: str) -> PreviewRange:
        path = self.audio_path(track_id)
        try:
            return default_range(probe(path, name=self._audio_name(track_id)).duration_seconds)
        except AudioError as exc:
            raise self._audio_error(track_id, exc) from None

    # ---- waveform ------------------------------------------------------------------------
    def _waveform_cache(self, sha256: str, buckets: int) -> Path:
        return self.cache_dir / "waveforms" / f"{sha256}-{buckets}.json"

    def waveform(
        self,
        track_id: str,
        buckets: int = 1000,
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> Waveform:
        """The (min, max) peaks of the track's audio in ``buckets`` slices, from the cache when it has them."""
        track = self.tracks.get(track_id)
        audio = self.files.get(track.audio_file_id)
        cached = self._waveform_cache(audio.blob_sha256, buckets)
        try:
            data = json.loads(cached.read_text("utf-8"))
            return Waveform(float(data["duration"]), int(data["rate"]), tuple((lo, hi) for lo, hi in data["peaks"]))
        except FileNotFoundError:
            pass
        except (ValueError, KeyError, TypeError):
            log.warning("waveform cache %s is unreadable; computing it again", cached.name)
        path = self.audio_path(track_id)
        try:
            waveform = waveform_peaks(path, buckets, progress=progress, cancelled=cancelled, name=audio.filename)
        except AudioError as exc:
            raise self._audio_error(track_id, exc) from None
        cached.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cached.parent, prefix=".waveform-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(
                {
                    "duration": waveform.duration_seconds,
                    "rate": waveform.sample_rate,
                    "peaks": [[round(lo, 4), round(hi, 4)] for lo, hi in waveform.peaks],
                },
                out,
            )
        os.replace(tmp, cached)
        return waveform

    # ---- making, removing ----------------------------------------------------------------
    def make_preview(
        self,
        track_id: str,
        start: float | None = None,
        length: float | None = None,
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> PreviewChange:
        """Cut ``length`` s from ``start`` (default: :func:`default_range`) and make it the track's preview."""
        track = self.tracks.get(track_id)
        audio = self.files.get(track.audio_file_id)
        path = self.audio_path(track_id)
        work = self.cache_dir / "previews"
        work.mkdir(parents=True, exist_ok=True)
        clip_path = work / f"{uuid.uuid4().hex}{PREVIEW_SUFFIX}"
        try:
            try:
                if start is None or length is None:
                    chosen = default_range(probe(path, name=audio.filename).duration_seconds)
                    start = chosen.start if start is None else start
                    length = chosen.length if length is None else length
                clip = cut_clip(
                    path, clip_path, start, length, progress=progress, cancelled=cancelled, name=audio.filename
                )
            except AudioError as exc:
                raise self._audio_error(track_id, exc) from None
            stored = self.files.blobs.import_file(clip_path)
        finally:
            clip_path.unlink(missing_ok=True)
        now = utc_now()
        file_values = {
            "filename": display_name(f"{Path(audio.filename).stem} (preview){PREVIEW_SUFFIX}"),
            "file_size_bytes": stored.size,
            "mime_type": "audio/mpeg",
            "blob_sha256": stored.sha256,
            "category": "music",
            "folder_id": audio.folder_id,
            "duration_seconds": round(clip.duration_seconds, 3),
            "created_at": now,
            "updated_at": now,
        }
        try:
            file_data = validate_data("files", file_values)
        except EntityValidationError as exc:
            raise ValidationFailed(exc.errors) from None
        new_file = {"id": new_id(), **file_data}
        with transaction(self.engine) as s:
            row = self._track(s, track_id)
            before_id = row.preview_file_id
            self.files.check(s, file_data, new_file["id"], None)
            s.execute(insert(File.__table__).values(**new_file))  # type: ignore[attr-defined]
            before_file = self._replace(s, row, before_id, new_file["id"])
        log.info("preview of track %s made: %.1f s from %.1f s", track_id, clip.duration_seconds, start)
        return PreviewChange(track_id, before_id, before_file, new_file["id"], new_file)

    def remove_preview(self, track_id: str) -> PreviewChange:
        """Clear the track's preview (its file goes too, unless something else refers to it)."""
        with transaction(self.engine) as s:
            row = self._track(s, track_id)
            before_id = row.preview_file_id
            before_file = self._replace(s, row, before_id, None) if before_id is not None else None
        return PreviewChange(track_id, before_id, before_file, None, None)

    def undo(self, change: PreviewChange) -> None:
        """Put the track's preview back as it was before ``change``."""
        self._apply(change.track_id, change.after_file_id, change.after_file, change.before_file_id, change.before_file)

    def redo(self, change: PreviewChange) -> None:
        """Make ``change`` again after an undo."""
        self._apply(change.track_id, change.before_file_id, change.before_file, change.after_file_id, change.after_file)

    # ---- inside a transaction -------------------------------------------------------------
    def _track(self, s: Session, track_id: str) -> Track:
        row = s.get(Track, track_id)
        if row is None:
            raise NotFound("track", track_id)
        return row

    def _set_preview(self, s: Session, row: Track, file_id: str | None) -> None:
        if row.preview_file_id == file_id:
            return
        try:
            data = validate_data(
                "tracks", {**row_data(row, "tracks"), "preview_file_id": file_id, "updated_at": utc_now()}
            )
        except EntityValidationError as exc:
            raise ValidationFailed(exc.errors) from None
        self.tracks.check(s, data, row.id, row)
        row.preview_file_id = file_id
        row.updated_at = data["updated_at"]
        s.add(row)
        s.flush()

    def _replace(self, s: Session, row: Track, old_id: str | None, new_id_: str | None) -> dict[str, Any] | None:
        """Point the track at ``new_id_``; delete the old preview's file row if nothing else uses it."""
        self._set_preview(s, row, new_id_)
        if old_id is None or old_id == new_id_:
            return None
        old = s.get(File, old_id)
        if old is None or self._still_used(s, old_id):
            return None
        snapshot = _file_row(old)
        s.expunge(old)
        s.execute(delete(File).where(col(File.id) == old_id))
        return snapshot

    def _still_used(self, s: Session, file_id: str) -> bool:
        refs = or_(
            col(Track.audio_file_id) == file_id,
            col(Track.cover_file_id) == file_id,
            col(Track.preview_file_id) == file_id,
        )
        return s.scalars(select(col(Track.id)).where(refs).limit(1)).first() is not None

    def _apply(
        self,
        track_id: str,
        from_id: str | None,
        from_file: dict[str, Any] | None,
        to_id: str | None,
        to_file: dict[str, Any] | None,
    ) -> None:
        with transaction(self.engine) as s:
            row = self._track(s, track_id)
            if to_file is not None and s.get(File, to_file["id"]) is None:
                s.execute(insert(File.__table__).values(**to_file))  # type: ignore[attr-defined]
            self._set_preview(s, row, to_id)
            if from_file is not None and from_id is not None and from_id != to_id and not self._still_used(s, from_id):
                s.execute(delete(File).where(col(File.id) == from_id))

    def preview_path(self, track_id: str) -> Path | None:
        """Where the track's preview clip is on this computer (None: it has none, or it is not here)."""
        with read_session(self.engine) as s:
            row = s.get(Track, track_id)
            file = s.get(File, row.preview_file_id) if row is not None and row.preview_file_id else None
        if file is None or not self.files.blobs.has(file.blob_sha256):
            return None
        return self.files.blobs.path(file.blob_sha256)


__all__ = [
    "DEFAULT_PREVIEW_SECONDS",
    "MAX_PREVIEW_SECONDS",
    "MIN_PREVIEW_SECONDS",
    "PreviewCancelled",
    "PreviewChange",
    "PreviewFailed",
    "PreviewRange",
    "PreviewService",
    "check_range",
    "default_range",
]
