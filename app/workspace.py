"""Opening an artist's workspace: paths, the migrated database, the file store and every service.

This is the wiring the desktop app, the command line and the sync engine share: one call opens a
data folder (upgrading its database first, with a backup) and hands out the services.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from ..local_db.blob_store import BlobStore
from ..local_db.database import make_engine
from ..local_db.migrate import upgrade_database
from .contacts import ContactListService, ContactMemberService
from .database_care import check_at_open
from .goals import GoalProgressService, GoalService
from .journal import JournalService
from .library import FileService, FolderService
from .paths import DataPaths, resolve_paths
from .patterns import PatternService
from .preferences import PreferencesService
from .previews import PreviewService
from .profile import ProfileService
from .timeline import TimelineService
from .tracks import TrackService

if TYPE_CHECKING:
    from ..local_db.snapshots import Snapshot
    from .backup import BackupSummary, RestoreResult


@dataclass
class Workspace:
    paths: DataPaths
    engine: Engine
    blobs: BlobStore
    upgraded_from_backup: Path | None = None
    profile: ProfileService = field(init=False)
    preferences: PreferencesService = field(init=False)
    folders: FolderService = field(init=False)
    files: FileService = field(init=False)
    tracks: TrackService = field(init=False)
    previews: PreviewService = field(init=False)
    goals: GoalService = field(init=False)
    progress: GoalProgressService = field(init=False)
    timeline: TimelineService = field(init=False)
    journal: JournalService = field(init=False)
    patterns: PatternService = field(init=False)
    contact_lists: ContactListService = field(init=False)
    contacts: ContactMemberService = field(init=False)

    def __post_init__(self) -> None:
        e = self.engine
        self.profile = ProfileService(e)
        self.preferences = PreferencesService(e)
        self.folders = FolderService(e)
        self.files = FileService(e, self.blobs)
        self.tracks = TrackService(e, self.files)
        self.previews = PreviewService(e, self.files, self.tracks, self.paths.cache)
        self.goals = GoalService(e)
        self.progress = GoalProgressService(e)
        self.timeline = TimelineService(e)
        self.journal = JournalService(e)
        self.patterns = PatternService(e)
        self.contact_lists = ContactListService(e)
        self.contacts = ContactMemberService(e)

    @classmethod
    def open(cls, data_dir: str | os.PathLike[str] | None = None) -> Workspace:
        """Open (creating if needed) the workspace in ``data_dir`` / $GIGBAG_DATA_DIR / the default.

        Raises ``local_db.migrate.MigrationError`` (naming the backup) if the upgrade fails, and
        ``database_care.DamagedDatabase`` (the file moved aside) if the database is damaged.
        """
        paths = resolve_paths(data_dir).create()
        check_at_open(paths)
        backup = upgrade_database(paths.database)
        return cls(paths, make_engine(paths.database), BlobStore(paths.blobs), backup)

    # ---- backups: the UI asks the workspace, never holding its database handle -------------------
    def back_up(
        self,
        destination: Path,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> BackupSummary:
        from .backup import write_backup

        return write_backup(self.engine, self.blobs, destination, progress, cancelled)

    def restore_backup(
        self,
        source: Path,
        *,
        allow_other_account: bool = False,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> RestoreResult:
        from .backup import restore_backup

        return restore_backup(
            self.engine,
            self.blobs,
            source,
            allow_other_account=allow_other_account,
            progress=progress,
            cancelled=cancelled,
        )

    def restore_automatic_backup(self, name: str | None = None) -> Snapshot:
        """Put an automatic backup in place of the open database (its connections are closed and reopened)."""
        from .database_care import restore_into_open_workspace

        return restore_into_open_workspace(self.engine, self.paths, name)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
