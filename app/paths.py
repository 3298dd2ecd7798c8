"""Where a Gigbag "device" keeps its data: the database, the file store, cache and logs.

platformdirs gives the per-user defaults; ``--data-dir DIR`` or ``GIGBAG_DATA_DIR`` put everything
under one folder instead, so several independent devices can live on one machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Gigbag"
ENV_DATA_DIR = "GIGBAG_DATA_DIR"


@dataclass(frozen=True)
class DataPaths:
    data: Path
    cache: Path
    logs: Path

    @property
    def database(self) -> Path:
        return self.data / "gigbag.sqlite3"

    @property
    def blobs(self) -> Path:
        return self.data / "blobs"

    def create(self) -> DataPaths:
        for p in (self.data, self.cache, self.logs, self.blobs):
            p.mkdir(parents=True, exist_ok=True)
        return self


def resolve_paths(data_dir: str | os.PathLike[str] | None = None) -> DataPaths:
    """The paths for ``data_dir`` if given, else ``$GIGBAG_DATA_DIR``, else the platform's defaults."""
    chosen = data_dir or os.environ.get(ENV_DATA_DIR)
    if chosen:
        root = Path(chosen).expanduser().resolve()
        return DataPaths(data=root, cache=root / "cache", logs=root / "logs")
    return DataPaths(
        data=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        cache=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
        logs=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
    )
