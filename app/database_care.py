"""Keeping the artist's database safe: the check at open, the way out of damage, automatic backups.

At open the database is checked before it is migrated. A damaged one is moved aside under a
timestamped name and :class:`DamagedDatabase` is raised with the reason and the choices: restore the
newest automatic backup, start empty (and sync down from the server), or quit. Until one of the
first two is chosen, the data folder stays marked, so a later start says the same again instead of
silently making an empty workspace.

Automatic backups: at most one a day (``keep_daily_backup``, called by the app at start and at
close), the last :data:`KEEP` kept, in ``<data folder>/backups``.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from ..local_db.integrity import database_problem, move_aside
from ..local_db.migrate import upgrade_database
from ..local_db.snapshots import Snapshot, list_snapshots, prune, restore_snapshot, take_snapshot
from .errors import GigbagError
from .paths import DataPaths

KEEP = 7
EVERY = timedelta(days=1)
MARKER = "DAMAGED-DATABASE.json"


def backups_folder(paths: DataPaths) -> Path:
    return paths.data / "backups"


def _marker(paths: DataPaths) -> Path:
    return paths.data / MARKER


class DamagedDatabase(GigbagError):
    """The database is damaged; it was moved aside and the artist chooses how to go on."""

    def __init__(self, reason: str, moved_to: Path, backups: list[Snapshot]) -> None:
        self.reason, self.moved_to, self.backups = reason, moved_to, backups
        newest = backups[0] if backups else None
        offer = (
            f"restore the newest automatic backup (from {newest.taken_at:%Y-%m-%d %H:%M} UTC: "
            "`gigbag restore-auto-backup`), "
            if newest
            else "there is no automatic backup to restore; "
        )
        super().__init__(
            f"Gigbag's database is damaged: {reason}. It was moved aside to {moved_to} (nothing was deleted). "
            f"You can {offer}start empty and sync your data down from the server (`gigbag start-empty`, then "
            "`gigbag login` and `gigbag sync`), or quit and keep the folder as it is."
        )

    @property
    def newest_backup(self) -> Snapshot | None:
        return self.backups[0] if self.backups else None


def check_at_open(paths: DataPaths) -> None:
    """Raise :class:`DamagedDatabase` if the database is damaged (moving it aside) or was set aside before."""
    db = paths.database
    problem = database_problem(db)
    if problem is not None:
        moved = move_aside(db)
        _marker(paths).write_text(json.dumps({"reason": problem, "moved_to": str(moved)}), encoding="utf-8")
        raise DamagedDatabase(problem, moved, list_snapshots(backups_folder(paths)))
    marker = _marker(paths)
    if marker.exists() and not db.exists():
        try:
            noted = json.loads(marker.read_text(encoding="utf-8"))
            reason, moved_to = str(noted["reason"]), Path(noted["moved_to"])
        except (OSError, ValueError, KeyError, TypeError):
            reason, moved_to = "it was found damaged at an earlier start", paths.data
        raise DamagedDatabase(reason, moved_to, list_snapshots(backups_folder(paths)))


def damaged_pending(paths: DataPaths) -> bool:
    return _marker(paths).exists() and not paths.database.exists()


def start_empty(paths: DataPaths) -> None:
    """The artist chose to start with an empty database (the damaged one stays where it was moved)."""
    if paths.database.exists() and database_problem(paths.database) is None and not _marker(paths).exists():
        raise GigbagError("This data folder's database is not damaged; there is nothing to start over from.")
    if paths.database.exists():
        move_aside(paths.database)
    _marker(paths).unlink(missing_ok=True)


def automatic_backups(paths: DataPaths) -> list[Snapshot]:
    """The automatic backups of this data folder, newest first."""
    return list_snapshots(backups_folder(paths))


def restore_automatic_backup(paths: DataPaths, name: str | None = None) -> Snapshot:
    """Put an automatic backup (the newest when ``name`` is None) in place of the database.

    The database being replaced, if any, is moved aside, never deleted. Run with the workspace closed.
    """
    found = automatic_backups(paths)
    if not found:
        raise GigbagError(f"There is no automatic backup in {backups_folder(paths)}.")
    chosen = found[0] if name is None else next((s for s in found if s.name == name), None)
    if chosen is None:
        names = ", ".join(s.name for s in found)
        raise GigbagError(f"There is no automatic backup named {name!r}; there are: {names}.")
    try:
        restore_snapshot(chosen.path, paths.database)
    except sqlite3.DatabaseError as exc:
        raise GigbagError(f"{exc}. Choose another automatic backup.") from None
    _marker(paths).unlink(missing_ok=True)
    return chosen


def keep_daily_backup(paths: DataPaths, now: datetime | None = None) -> Snapshot | None:
    """Make today's automatic backup unless one is younger than a day; keep the newest :data:`KEEP`."""
    if not paths.database.exists() or damaged_pending(paths):
        return None
    now = now or datetime.now(UTC)
    found = automatic_backups(paths)
    if found and now - found[0].taken_at < EVERY:
        return None
    snap = take_snapshot(paths.database, backups_folder(paths), now)
    prune(backups_folder(paths), KEEP)
    return snap


def restore_into_open_workspace(engine: Engine, paths: DataPaths, name: str | None = None) -> Snapshot:
    """Restore an automatic backup under an open workspace: its connections are closed and reopened.

    The restored copy is upgraded to this version's schema if it is older.
    """
    engine.dispose()
    chosen = restore_automatic_backup(paths, name)
    upgrade_database(paths.database)
    engine.dispose()
    return chosen
