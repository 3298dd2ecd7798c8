"""The artist's files and folders: import into the file store, organise, export, storage used.

File content lives in the content-addressed blob store (``local_db.blob_store``); a file row holds
its metadata and the blob's SHA-256. Importing streams the content, so big stems and videos don't
grow memory; the same content imported twice is stored once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from ..local_db.blob_store import BlobStore, Progress
from ..local_db.database import read_session
from ..local_db.models import File, Folder, StorageQuota, Track
from .entity_service import EntityService
from .errors import ValidationFailed
from .storage_limit import check_room

DOCUMENT_MIME_PREFIXES = (
    "text/",
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument",
    "application/vnd.oasis.opendocument",
    "application/rtf",
)


def category_for(mime_type: str) -> str:
    if mime_type.startswith("image/"):
        return "press_photo"
    if mime_type.startswith("audio/"):
        return "music"
    if mime_type.startswith("video/"):
        return "video"
    if mime_type.startswith(DOCUMENT_MIME_PREFIXES):
        return "document"
    return "other"


def display_name(name: str, limit: int = 200) -> str:
    """A file name from outside, made fit to store as text (never used as a path)."""
    name = name.replace("\x00", "").strip() or "untitled"
    if len(name) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    if dot and len(ext) < 20:
        return stem[: limit - len(ext) - 1] + "." + ext
    return name[:limit]


@dataclass(frozen=True)
class Storage:
    used_bytes: int
    limit_bytes: int

    @property
    def free_bytes(self) -> int:
        return max(0, self.limit_bytes - self.used_bytes)

    @property
    def percent(self) -> float:
        return 100.0 * self.used_bytes / self.limit_bytes if self.limit_bytes else 0.0


class FolderService(EntityService[Folder]):
    entity_type = "folders"
    table = Folder
    label = "folder"
    search_columns = ("name",)
    default_order = ("name",)

    def check(self, session: Session, data: dict[str, Any], entity_id: str, existing: Folder | None) -> None:
        parent = data.get("parent_folder_id")
        if parent is None:
            return
        if parent == entity_id:
            raise ValidationFailed({"parent_folder_id": "a folder cannot be moved into itself"})
        seen = {entity_id}
        current: str | None = parent
        while current is not None:
            folder = session.get(Folder, current)
            if folder is None:
                raise ValidationFailed({"parent_folder_id": "the destination folder does not exist"})
            if folder.parent_folder_id in seen:
                raise ValidationFailed({"parent_folder_id": "a folder cannot be moved into one of its own subfolders"})
            seen.add(current)
            current = folder.parent_folder_id

    def check_delete(self, session: Session, entity: Folder) -> None:
        """Refuse to delete a folder (and its subfolders) that holds the audio of a track."""
        ids = [entity.id]
        frontier = [entity.id]
        while frontier:
            children = select(Folder.id).where(Folder.parent_folder_id.in_(frontier))  # type: ignore[call-overload,union-attr]
            frontier = list(session.scalars(children))
            ids.extend(frontier)
        hit = session.execute(
            select(File.filename, Track.title)  # type: ignore[call-overload]
            .join(Track, Track.audio_file_id == File.id)
            .where(File.folder_id.in_(ids))  # type: ignore[union-attr]
            .limit(1)
        ).first()
        if hit is not None:
            raise ValidationFailed(
                {
                    "__root__": f"“{entity.name}” holds “{hit[0]}”, the audio of the track “{hit[1]}”; "
                    "delete the track or move the file out first"
                }
            )

    def children(self, parent_id: str | None) -> list[Folder]:
        return self.list(filters={"parent_folder_id": parent_id}, order_by=("name",))

    def path(self, folder_id: str | None) -> list[Folder]:
        """The folders from the root down to ``folder_id``."""
        out: list[Folder] = []
        with read_session(self.engine) as s:
            while folder_id is not None:
                folder = s.get(Folder, folder_id)
                if folder is None:
                    break
                out.append(folder)
                folder_id = folder.parent_folder_id
        return list(reversed(out))

    def move(self, folder_id: str, parent_id: str | None) -> Folder:
        return self.update(folder_id, {"parent_folder_id": parent_id})

    def rename(self, folder_id: str, name: str) -> Folder:
        return self.update(folder_id, {"name": name.strip()})


class FileService(EntityService[File]):
    entity_type = "files"
    table = File
    label = "file"
    search_columns = ("filename", "mime_type")
    default_order = ("filename",)

    def __init__(self, engine: Engine, blobs: BlobStore) -> None:
        super().__init__(engine)
        self.blobs = blobs

    def check(self, session: Session, data: dict[str, Any], entity_id: str, existing: File | None) -> None:
        self.check_new(session, data, entity_id)
        size = data.get("file_size_bytes")
        if isinstance(size, int):
            check_room(session, size - (existing.file_size_bytes if existing is not None else 0))

    def check_new(self, session: Session, data: dict[str, Any], entity_id: str) -> None:
        # Without the storage limit: a bulk create checks it once for the whole batch, once it is in.
        folder = data.get("folder_id")
        if folder is not None and session.get(Folder, folder) is None:
            raise ValidationFailed({"folder_id": "the folder does not exist"})

    def check_delete(self, session: Session, entity: File) -> None:
        track = session.scalars(select(Track).where(col(Track.audio_file_id) == entity.id).limit(1)).first()
        if track is not None:
            raise ValidationFailed(
                {"__root__": f"“{entity.filename}” is the audio of the track “{track.title}”; delete the track first"}
            )

    def import_file(
        self,
        source: Path,
        *,
        folder_id: str | None = None,
        category: str | None = None,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> File:
        """Copy ``source`` into the file store and record it in ``folder_id``."""
        if not source.is_file():
            raise ValidationFailed({"path": f"{source} is not a readable file"})
        with read_session(self.engine) as s:
            check_room(s, source.stat().st_size)  # before copying: a file over the limit is not stored at all
        stored = self.blobs.import_file(source, progress=progress, cancelled=cancelled)
        return self.create(
            {
                "filename": display_name(source.name),
                "file_size_bytes": stored.size,
                "mime_type": stored.mime_type,
                "blob_sha256": stored.sha256,
                "category": category or category_for(stored.mime_type),
                "folder_id": folder_id,
                "duration_seconds": stored.duration_seconds,
            }
        )

    def rename(self, file_id: str, filename: str) -> File:
        return self.update(file_id, {"filename": filename.strip()})

    def move(self, file_id: str, folder_id: str | None) -> File:
        return self.update(file_id, {"folder_id": folder_id})

    def is_available(self, file: File) -> bool:
        """Whether the file's content is on this computer."""
        return self.blobs.has(file.blob_sha256)

    def content_path(self, file: File) -> Path:
        """The path of the content in the store (read-only use: open with the system's application)."""
        if not self.blobs.has(file.blob_sha256):
            raise self.blobs.missing(file.blob_sha256)
        return self.blobs.path(file.blob_sha256)

    def export(self, file_id: str, destination: Path) -> Path:
        file = self.get(file_id)
        if destination.is_dir():
            destination = destination / file.filename
        self.blobs.export(file.blob_sha256, destination)
        return destination

    def count_missing(self) -> int:
        """How many files have content that is not on this computer (it arrives with a sync).

        Each distinct content is looked up once in the file store, so this stays quick with tens of
        thousands of files that share a few blobs or none.
        """
        with read_session(self.engine) as s:
            shas = list(s.scalars(select(File.blob_sha256).distinct()))  # type: ignore[call-overload]
            missing = [sha for sha in shas if not self.blobs.has(sha)]
            if not missing:
                return 0
            total = 0
            for start in range(0, len(missing), 500):
                chunk = missing[start : start + 500]
                count = select(func.count()).select_from(File).where(File.blob_sha256.in_(chunk))  # type: ignore[attr-defined]
                total += int(s.scalar(count) or 0)  # type: ignore[arg-type]
            return total

    def storage(self) -> Storage:
        with read_session(self.engine) as s:
            quota = s.get(StorageQuota, 1)
        if quota is None:
            return Storage(0, 0)
        return Storage(quota.used_bytes, quota.limit_bytes)
