"""The portfolio's tracks: audio and cover art from the file store, streaming links, their order.

Order is a fractional-index key (``display_order``): moving one track gives it a key between its
new neighbours and touches no other row, so reorders made on two computers rarely collide.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from fractional_indexing import generate_key_between, generate_n_keys_between
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from ..local_db.blob_store import Progress
from ..local_db.database import read_session
from ..local_db.models import File, Track
from .entity_service import EntityService
from .errors import ValidationFailed
from .library import FileService


def title_from_filename(name: str) -> str:
    stem = Path(name).stem.replace("_", " ").strip()
    return stem[:200] or "Untitled"


class TrackService(EntityService[Track]):
    entity_type = "tracks"
    table = Track
    label = "track"
    search_columns = ("title", "genre")
    default_order = ("display_order",)
    read_only_fields = frozenset({"plays"})

    def __init__(self, engine: Engine, files: FileService) -> None:
        super().__init__(engine)
        self.files = files

    def check(self, session: Session, data: dict[str, Any], entity_id: str, existing: Track | None) -> None:
        for key in ("audio_file_id", "cover_file_id", "preview_file_id"):
            file_id = data.get(key)
            if file_id is not None and session.get(File, file_id) is None:
                raise ValidationFailed({key: "the file does not exist"})

    def _last_key(self) -> str | None:
        with read_session(self.engine) as s:
            return s.scalar(select(func.max(Track.display_order)))

    def create(self, values: dict[str, Any], *, entity_id: str | None = None) -> Track:
        if "display_order" not in values:
            values = {**values, "display_order": generate_key_between(self._last_key(), None)}
        return super().create(values, entity_id=entity_id)

    def create_many(
        self,
        items: Sequence[dict[str, Any]],
        *,
        ids: Sequence[str] | None = None,
        where: Callable[[int], str] | None = None,
    ) -> list[str]:
        """Tracks without a ``display_order`` go at the end of the portfolio, in the order given."""
        missing = [i for i, values in enumerate(items) if "display_order" not in values]
        if missing:
            keys = iter(generate_n_keys_between(self._last_key(), None, len(missing)))
            placed = set(missing)
            items = [
                {**values, "display_order": next(keys)} if i in placed else values for i, values in enumerate(items)
            ]
        return super().create_many(items, ids=ids, where=where)

    def add_from_file(
        self,
        source: Path,
        *,
        values: dict[str, Any] | None = None,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Track:
        """Import an audio file and add it as a track at the end of the portfolio."""
        values = dict(values or {})
        stored = self.files.import_file(source, category="music", progress=progress, cancelled=cancelled)
        if not stored.mime_type.startswith("audio/"):
            self.files.delete(stored.id)
            raise ValidationFailed({"path": f"{source.name} is not an audio file ({stored.mime_type})"})
        values.setdefault("title", title_from_filename(source.name))
        values.setdefault("duration_seconds", stored.duration_seconds)
        try:
            return self.create({**values, "audio_file_id": stored.id})
        except ValidationFailed:
            self.files.delete(stored.id)
            raise

    def set_cover(self, track_id: str, image: Path) -> Track:
        stored = self.files.import_file(image, category="press_photo")
        if not stored.mime_type.startswith("image/"):
            self.files.delete(stored.id)
            raise ValidationFailed({"cover_file_id": f"{image.name} is not an image"})
        return self.update(track_id, {"cover_file_id": stored.id})

    def move(self, track_id: str, *, after_id: str | None = None, before_id: str | None = None) -> Track:
        """Place a track between two others (``after_id`` above it, ``before_id`` below it)."""
        after = self.get(after_id).display_order if after_id else None
        before = self.get(before_id).display_order if before_id else None
        if after is not None and before is not None and after >= before:
            raise ValidationFailed({"display_order": "the neighbours are not in order"})
        return self.update(track_id, {"display_order": generate_key_between(after, before)})

    def move_to_row(self, track_id: str, row: int) -> Track:
        """Move a track so that it ends at position ``row`` of the ordered list (0 = first)."""
        ordered = [t.id for t in self.list(order_by=("display_order",)) if t.id != track_id]
        row = max(0, min(row, len(ordered)))
        after_id = ordered[row - 1] if row > 0 else None
        before_id = ordered[row] if row < len(ordered) else None
        return self.move(track_id, after_id=after_id, before_id=before_id)
