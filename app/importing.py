"""Bringing files from the computer into the workspace: the one import loop behind Files and Tracks.

Dropping a folder or choosing files in either section runs the same use case: folders are expanded
to the files inside them (hidden ones skipped, at most ``MAX_IMPORTED_FILES``); into Files, a dropped
folder keeps its shape — its files land in folders of the same names (existing ones are used, missing
ones created as the first file goes in), never flattened. Each file is added
on its own (one refused file is noted in words and the others go on), progress is counted in bytes
over the whole batch, and Cancel stops after the file being copied. When nothing at all could be
imported, the reasons are raised as one ``ValidationFailed``; when the artist cancelled before the
first file was in, ``ImportCancelled`` is raised, so the caller can say so (or stay quiet).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from ..local_db.blob_store import BlobStoreError
from ..local_db.models import File, Folder, Track
from .errors import GigbagError, ValidationFailed
from .library import FileService, FolderService
from .tracks import TrackService

MAX_IMPORTED_FILES = 10_000

T = TypeVar("T")
Progress = Callable[[int], None]
Cancelled = Callable[[], bool]


class ImportWatcher(Protocol):
    """Who runs an import: told the progress (bytes done of all bytes, the current file), asked to stop."""

    def progress(self, done: int, total: int = 0, text: str = "") -> None: ...

    @property
    def cancelled(self) -> bool: ...


class ImportCancelled(GigbagError):
    """The artist cancelled before any file was imported; nothing was added."""

    def __init__(self) -> None:
        super().__init__("the import was cancelled before any file was added")


@dataclass
class ImportOutcome(Generic[T]):
    """What an import added (in order), what it refused and why (one sentence each), and whether it was cut short."""

    added: list[T] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    cancelled: bool = False
    folders: list[Folder] = field(default_factory=list)  # the folders made to keep a dropped folder's shape


@dataclass(frozen=True)
class FoundFile:
    path: Path
    folders: tuple[str, ...] = ()  # where it sits below the drop: the dropped folder's name, then subfolders


def find_files(paths: Iterable[Path]) -> list[FoundFile]:
    """Files among ``paths``, every folder replaced by the (non-hidden) files inside it and where they sit."""
    out: list[FoundFile] = []
    seen: set[Path] = set()  # a file dropped beside its own folder is imported once
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                inside = child.relative_to(path).parts
                if child.is_file() and not any(part.startswith(".") for part in inside) and child not in seen:
                    seen.add(child)
                    out.append(FoundFile(child, (path.name, *inside[:-1])))
                    if len(out) >= MAX_IMPORTED_FILES:
                        return out
        elif path not in seen:
            seen.add(path)
            out.append(FoundFile(path))
        if len(out) >= MAX_IMPORTED_FILES:
            break
    return out


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files among ``paths``, with every folder replaced by the (non-hidden) files inside it."""
    return [found.path for found in find_files(paths)]


def import_each(
    paths: Sequence[Path],
    add: Callable[[Path, Progress, Cancelled], T],
    watcher: ImportWatcher,
    *,
    nothing_chosen: str,
) -> ImportOutcome[T]:
    """Add every file of ``paths`` (folders expanded) with ``add``; see the module's docstring for the rules."""
    found = expand_paths(paths)
    total = sum(p.stat().st_size for p in found if p.is_file()) or 1
    done = 0
    outcome: ImportOutcome[T] = ImportOutcome()
    for path in found:
        if watcher.cancelled:
            outcome.cancelled = True
            break
        size = path.stat().st_size if path.is_file() else 0

        def progress(n: int, base: int = done, name: str = path.name) -> None:
            watcher.progress(base + n, total, f"Importing {name}")

        try:
            outcome.added.append(add(path, progress, lambda: watcher.cancelled))
        except ValidationFailed as exc:
            outcome.problems.append(next(iter(exc.errors.values()), str(exc)))
        except BlobStoreError as exc:
            if watcher.cancelled:
                outcome.cancelled = True
                break
            outcome.problems.append(f"{path.name}: {exc}")
        except OSError as exc:
            outcome.problems.append(f"{path.name}: {exc.strerror or exc}")
        done += size
    if not outcome.added:
        if outcome.cancelled:
            raise ImportCancelled()
        raise ValidationFailed({"__root__": "; ".join(outcome.problems) or nothing_chosen})
    return outcome


class _FolderPlacer:
    """Finds or makes the folder a file of a dropped folder goes into (the same names, below the target)."""

    def __init__(self, folders: FolderService, target: str | None) -> None:
        self.folders = folders
        self.target = target
        self.made: list[Folder] = []
        self._known: dict[tuple[str | None, str], str] = {}

    def folder_for(self, names: tuple[str, ...]) -> str | None:
        parent = self.target
        for name in names:
            key = (parent, name)
            if key not in self._known:
                same = self.folders.list(filters={"parent_folder_id": parent, "name": name}, limit=1)
                if same:
                    self._known[key] = same[0].id
                else:
                    made = self.folders.create({"name": name, "parent_folder_id": parent})
                    self.made.append(made)
                    self._known[key] = made.id
            parent = self._known[key]
        return parent

    def remove_made(self) -> None:
        for folder in reversed(self.made):
            if self.folders.find(folder.id) is not None:
                self.folders.delete(folder.id)
        self.made = []


def import_files(
    service: FileService,
    paths: Sequence[Path],
    folder_id: str | None,
    watcher: ImportWatcher,
    folders: FolderService | None = None,
) -> ImportOutcome[File]:
    """Import each file of ``paths`` into the folder ``folder_id`` (None: no folder).

    With ``folders``, a dropped folder keeps its shape below ``folder_id`` (folders of the same names,
    created where missing); without, its files land in ``folder_id`` itself.
    """
    found = find_files(paths)
    where = {f.path: f.folders for f in found}
    placer = _FolderPlacer(folders, folder_id) if folders is not None else None

    def add(path: Path, progress: Progress, cancelled: Cancelled) -> File:
        target = placer.folder_for(where.get(path, ())) if placer is not None else folder_id
        return service.import_file(path, folder_id=target, progress=progress, cancelled=cancelled)

    try:
        outcome = import_each([f.path for f in found], add, watcher, nothing_chosen="no files were chosen")
    except (ValidationFailed, ImportCancelled):
        if placer is not None:
            placer.remove_made()  # nothing was imported: no empty folders left behind either
        raise
    outcome.folders = placer.made if placer is not None else []
    return outcome


def import_tracks(service: TrackService, paths: Sequence[Path], watcher: ImportWatcher) -> ImportOutcome[Track]:
    """Add each audio file of ``paths`` as a track at the end of the portfolio (other files are refused)."""

    def add(path: Path, progress: Progress, cancelled: Cancelled) -> Track:
        return service.add_from_file(path, progress=progress, cancelled=cancelled)

    return import_each(paths, add, watcher, nothing_chosen="no audio files were chosen")
