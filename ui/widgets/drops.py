"""Files dropped from the desktop: the local paths in a drag's data, and folders expanded to files.

Reading a dropped folder can take a while (a sample library), so :func:`dropped_paths` only reads
the drag's URLs on the UI thread and :func:`expand_paths` walks folders inside the worker that
imports them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QMimeData

MAX_DROPPED_FILES = 10_000


def dropped_paths(mime: QMimeData | None) -> list[Path]:
    """The local paths (files or folders) a drop carries; web links are skipped."""
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def has_local_files(mime: QMimeData | None) -> bool:
    return mime is not None and mime.hasUrls() and any(u.isLocalFile() for u in mime.urls())


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files among ``paths``, with every folder replaced by the (non-hidden) files inside it."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    out.append(child)
                    if len(out) >= MAX_DROPPED_FILES:
                        return out
        else:
            out.append(path)
        if len(out) >= MAX_DROPPED_FILES:
            break
    return out
