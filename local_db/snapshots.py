"""Automatic backups of the database: rolling copies made with SQLite's online backup API.

Like Anki's, they are whole database files in ``<data folder>/backups``, one at most per day, the
newest few kept. The online backup copies a consistent state while the app keeps the database
open; each copy is checked before it takes its final name, so a listed backup is a readable one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .integrity import database_problem, move_aside

PREFIX = "gigbag-"
SUFFIX = ".sqlite3"
STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class Snapshot:
    path: Path
    taken_at: datetime  # UTC
    size: int

    @property
    def name(self) -> str:
        return self.path.name


def list_snapshots(folder: Path) -> list[Snapshot]:
    """The automatic backups in ``folder``, newest first."""
    found: list[Snapshot] = []
    if not folder.is_dir():
        return found
    for p in folder.glob(f"{PREFIX}*{SUFFIX}"):
        try:
            taken = datetime.strptime(p.name[len(PREFIX) : -len(SUFFIX)], STAMP).replace(tzinfo=UTC)
            found.append(Snapshot(p, taken, p.stat().st_size))
        except (ValueError, OSError):
            continue
    return sorted(found, key=lambda s: s.taken_at, reverse=True)


def take_snapshot(db_path: Path, folder: Path, now: datetime | None = None) -> Snapshot:
    """Copy the database into ``folder`` with the online backup API; return the new backup."""
    now = now or datetime.now(UTC)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{PREFIX}{now.strftime(STAMP)}{SUFFIX}"
    tmp = folder / f".{final.name}.partial"
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    problem = database_problem(tmp)
    if problem:
        tmp.unlink(missing_ok=True)
        raise sqlite3.DatabaseError(f"the automatic backup could not be made: {problem}")
    os.replace(tmp, final)
    return Snapshot(final, now.replace(microsecond=0), final.stat().st_size)


def prune(folder: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` backups; return what was removed."""
    removed = []
    for snap in list_snapshots(folder)[keep:]:
        snap.path.unlink(missing_ok=True)
        removed.append(snap.path)
    return removed


def restore_snapshot(snapshot: Path, db_path: Path) -> Path | None:
    """Put ``snapshot`` in place of the database; the current file (if any) is moved aside, not deleted."""
    problem = database_problem(snapshot)
    if problem:
        raise sqlite3.DatabaseError(f"the automatic backup {snapshot.name} cannot be used: {problem}")
    tmp = db_path.with_name(f".{db_path.name}.restoring")
    shutil.copy2(snapshot, tmp)
    replaced = move_aside(db_path, "replaced") if db_path.exists() else None
    os.replace(tmp, db_path)
    return replaced
