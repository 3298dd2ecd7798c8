"""Opening an artist's workspace: paths, the migrated database, the file store and every service.

This is the wiring the desktop app, the command line and the sync engine share: one call opens a
data folder (upgrading its database first, with a backup) and hands out the services.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ..local_db.blob_store import BlobStore
from ..local_db.database import make_engine
from ..local_db.migrate import upgrade_database
from .database_care import check_at_open
from .paths import DataPaths, resolve_paths

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from ..local_db.snapshots import Snapshot
    from .backup import BackupSummary, RestoreResult
    from .contacts import ContactListService, ContactMemberService
    from .goals import GoalProgressService, GoalService
    from .journal import JournalService
    from .library import FileService, FolderService
    from .patterns import PatternService
    from .preferences import PreferencesService
    from .previews import PreviewService
    from .profile import ProfileService
    from .timeline import TimelineService
    from .tracks import TrackService


@dataclass
class Workspace:
    """The open data folder and its services. Each service (and its module) is built when first used:
    a ``gigbag sync`` never loads the audio room behind previews, nor the window the sections it does not show."""

    paths: DataPaths
    engine: Engine
    blobs: BlobStore
    upgraded_from_backup: Path | None = None

    @cached_property
    def profile(self) -> ProfileService:
        from .profile import ProfileService

        return ProfileService(self.engine)

    @cached_property
    def preferences(self) -> PreferencesService:
        from .preferences import PreferencesService

        return PreferencesService(self.engine)

    @cached_property
    def folders(self) -> FolderService:
        from .library import FolderService

        return FolderService(self.engine)

    @cached_property
    def files(self) -> FileService:
        from .library import FileService

        return FileService(self.engine, self.blobs)

    @cached_property
    def tracks(self) -> TrackService:
        from .tracks import TrackService

        return TrackService(self.engine, self.files)

    @cached_property
    def previews(self) -> PreviewService:
        from .previews import PreviewService

        return PreviewService(self.engine, self.files, self.tracks, self.paths.cache)

    @cached_property
    def goals(self) -> GoalService:
        from .goals import GoalService

        return GoalService(self.engine)

    @cached_property
    def progress(self) -> GoalProgressService:
        from .goals import GoalProgressService

        return GoalProgressService(self.engine)

    @cached_property
    def timeline(self) -> TimelineService:
        from .timeline import TimelineService

        return TimelineService(self.engine)

    @cached_property
    def journal(self) -> JournalService:
        from .journal import JournalService

        return JournalService(self.engine)

    @cached_property
    def patterns(self) -> PatternService:
        from .patterns import PatternService

        return PatternService(self.engine)

    @cached_property
    def contact_lists(self) -> ContactListService:
        from .contacts import ContactListService

        return ContactListService(self.engine)

    @cached_property
    def contacts(self) -> ContactMemberService:
        from .contacts import ContactMemberService

        return ContactMemberService(self.engine)

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
