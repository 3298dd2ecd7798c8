"""Bringing the artist's database to the current schema when the app starts.

Before upgrading, the file is copied aside as ``<name>.backup-<old revision>``; a failed upgrade
leaves the original untouched (the upgrade runs on a working copy that replaces the original only
when it succeeded) and raises :class:`MigrationError` naming the backup.

Alembic (with mako, and SQLAlchemy's every dialect) is loaded only when a database has to be created
or upgraded: opening one that is already at :data:`HEAD_REVISION` reads its ``alembic_version`` with
plain sqlite3 and stops there, which is most of a process's start-up time saved.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

# The newest migration (migrations/versions). A new revision changes it here;
# tests/local_db/test_migrations.py proves it is Alembic's head. Should it ever be left behind, a
# migration file naming it as its ``down_revision`` sends every opening through Alembic (see
# :func:`_head_is_current`), so a new migration is never skipped.
HEAD_REVISION = "0005_blob_looks"


class MigrationError(RuntimeError):
    def __init__(self, message: str, backup: Path | None) -> None:
        super().__init__(message)
        self.backup = backup


def alembic_config(db_path: Path) -> Config:
    from alembic.config import Config

    from .database import sqlite_url

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("gigbag.migrations")))
    cfg.set_main_option("sqlalchemy.url", sqlite_url(db_path))
    return cfg


def head_revision() -> str:
    """Alembic's own head, read from the migration scripts (loads Alembic)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(Path("unused"))).get_current_head()
    assert head is not None
    return head


def current_revision(db_path: Path) -> str | None:
    """The revision Alembic reads from ``db_path`` (None for a new or empty file; loads Alembic)."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine, pool

    from .database import sqlite_url

    engine = create_engine(sqlite_url(db_path), poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def stored_revisions(db_path: Path) -> list[str] | None:
    """The rows of ``alembic_version`` read with plain sqlite3, or None when they cannot be read.

    None (no file, an empty one, no such table, not a database, locked) means "ask Alembic": this read
    only ever lets an opening skip Alembic, it never decides that a database is damaged.
    """
    if not db_path.is_file() or db_path.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(db_path, timeout=1.0)
        try:
            return [str(row[0]) for row in conn.execute("SELECT version_num FROM alembic_version")]
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def _head_is_current() -> bool:
    """Whether no migration file revises :data:`HEAD_REVISION` (a file that did would be the real head).

    Reads the few small files of migrations/versions as text, without importing them or Alembic.
    """
    quoted = (f"'{HEAD_REVISION}'", f'"{HEAD_REVISION}"')
    try:
        versions = resources.files("gigbag.migrations") / "versions"
        for script in versions.iterdir():
            if not script.name.endswith(".py") or script.name.startswith("__"):
                continue
            for line in script.read_text(encoding="utf-8").splitlines():
                if line.startswith("down_revision") and any(q in line for q in quoted):
                    log.warning(
                        "HEAD_REVISION %s is not the newest migration (%s revises it)", HEAD_REVISION, script.name
                    )
                    return False
    except OSError:
        return False
    return True


def is_up_to_date(db_path: Path) -> bool:
    """Whether ``db_path`` is at :data:`HEAD_REVISION` already, known without loading Alembic."""
    return stored_revisions(db_path) == [HEAD_REVISION] and _head_is_current()


def _checkpoint(db_path: Path) -> None:
    """Fold the WAL into the main file so that a plain file copy holds every committed write."""
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _upgrade(db_path: Path) -> None:
    from alembic import command

    command.upgrade(alembic_config(db_path), "head")


def upgrade_database(db_path: Path) -> Path | None:
    """Upgrade ``db_path`` to head. Returns the backup made, or None when nothing had to be done."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if is_up_to_date(db_path):
        return None
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
