"""Files dropped from the desktop: the local paths in a drag's data.

Reading a dropped folder can take a while (a sample library), so :func:`dropped_paths` only reads
the drag's URLs on the UI thread; the import use case (``app/importing.py``) walks folders inside the
worker that imports them.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData


def dropped_paths(mime: QMimeData | None) -> list[Path]:
    """The local paths (files or folders) a drop carries; web links are skipped."""
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def has_local_files(mime: QMimeData | None) -> bool:
    return mime is not None and mime.hasUrls() and any(u.isLocalFile() for u in mime.urls())
