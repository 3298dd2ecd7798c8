"""Bringing files from the computer into the workspace: the one import loop behind Files and Tracks.

Dropping a folder or choosing files in either section runs the same use case: folders are expanded
to the files inside them (hidden ones skipped, at most ``MAX_IMPORTED_FILES``), each file is added
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
from ..local_db.models import File, Track
from .errors import GigbagError, ValidationFailed
from .library import FileService
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


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files among ``paths``, with every folder replaced by the (non-hidden) files inside it."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    out.append(child)
                    if len(out) >= MAX_IMPORTED_FILES:
                        return out
        else:
            out.append(path)
        if len(out) >= MAX_IMPORTED_FILES:
            break
    return out


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


def import_files(
    service: FileService, paths: Sequence[Path], folder_id: str | None, watcher: ImportWatcher
) -> ImportOutcome[File]:
    """Import each file of ``paths`` into the folder ``folder_id`` (None: no folder)."""

    def add(path: Path, progress: Progress, cancelled: Cancelled) -> File:
        return service.import_file(path, folder_id=folder_id, progress=progress, cancelled=cancelled)

    return import_each(paths, add, watcher, nothing_chosen="no files were chosen")


def import_tracks(service: TrackService, paths: Sequence[Path], watcher: ImportWatcher) -> ImportOutcome[Track]:
    """Add each audio file of ``paths`` as a track at the end of the portfolio (other files are refused)."""

    def add(path: Path, progress: Progress, cancelled: Cancelled) -> Track:
        return service.add_from_file(path, progress=progress, cancelled=cancelled)

    return import_each(paths, add, watcher, nothing_chosen="no audio files were chosen")
