"""Bringing the artist's database to the current schema when the app starts.

Before upgrading, the file is copied aside as ``<name>.backup-<old revision>``; a failed upgrade
leaves the original untouched (the upgrade runs on a working copy that replaces the original only
when it succeeded) and raises :class:`MigrationError` naming the backup.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool

from .database import sqlite_url

log = logging.getLogger(__name__)


class MigrationError(RuntimeError):
    def __init__(self, message: str, backup: Path | None) -> None:
        super().__init__(message)
        self.backup = backup


def alembic_config(db_path: Path) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("gigbag.migrations")))
    cfg.set_main_option("sqlalchemy.url", sqlite_url(db_path))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config(Path("unused"))).get_current_head()
    assert head is not None
    return head


def current_revision(db_path: Path) -> str | None:
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    engine = create_engine(sqlite_url(db_path), poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def _checkpoint(db_path: Path) -> None:
    """Fold the WAL into the main file so that a plain file copy holds every committed write."""
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _upgrade(db_path: Path) -> None:
    command.upgrade(alembic_config(db_path), "head")


def upgrade_database(db_path: Path) -> Path | None:
    """Upgrade ``db_path`` to head. Returns the backup made, or None when nothing had to be done."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    current = current_revision(db_path)
    head = head_revision()
    if current == head:
        return None
    if current is None and not db_path.exists():
        log.info("creating the database %s at revision %s", db_path, head)
        _upgrade(db_path)
        return None
    log.info("upgrading the database %s from revision %s to %s", db_path, current, head)
    _checkpoint(db_path)
    backup = db_path.with_name(f"{db_path.name}.backup-{current or 'empty'}")
    shutil.copy2(db_path, backup)
    work = db_path.with_name(f"{db_path.name}.upgrading")
    for leftover in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copy2(db_path, work)
    try:
        _upgrade(work)
        _checkpoint(work)
    except Exception as exc:
        work.unlink(missing_ok=True)
        log.exception("the upgrade of %s from revision %s failed; the backup is %s", db_path, current, backup)
        raise MigrationError(
            f"Could not upgrade the database {db_path} from revision {current} to {head}: {exc}. "
            f"The database was left unchanged; a backup is at {backup}.",
            backup,
        ) from exc
    for side in (Path(f"{db_path}-wal"), Path(f"{db_path}-shm"), Path(f"{work}-wal"), Path(f"{work}-shm")):
        side.unlink(missing_ok=True)
    os.replace(work, db_path)
    log.info("database %s upgraded to %s; the previous copy is %s", db_path, head, backup)
    return backup
