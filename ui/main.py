"""Starting the desktop app: the QApplication, the main window, the artist's workspace, the event loop.

``gigbag`` with no subcommand lands here (``cli.main``). The main window's frame is shown as soon as Qt
is up, before the database and sync stack is imported; its data is opened right after the first paint
(:mod:`.workspace_opening`). Opening the workspace may upgrade the database; if that fails, the artist
is told in words where the backup of their data is, instead of seeing a traceback.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from ..app.logging_setup import start_file_log
from ..app.paths import APP_NAME, resolve_paths
from .main_window import MainWindow
from .single_instance import SingleInstance
from .widgets.icons import icon
from .workspace_opening import WorkspaceOpening, migration_message

if TYPE_CHECKING:
    from ..app.workspace import Workspace

__all__ = ["make_application", "migration_message", "run", "settle_garbage_collector"]

log = logging.getLogger(__name__)

ORGANIZATION = "Gigbag"
DOMAIN = "gigbag.app"


def make_application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication (created once), with the names QSettings and the desktop use."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv or sys.argv))
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORGANIZATION)
    app.setOrganizationDomain(DOMAIN)
    app.setDesktopFileName("app.gigbag.Gigbag")
    app.setStyle("Fusion")
    app.setWindowIcon(icon("audio-x-generic"))
    return app


def settle_garbage_collector() -> None:
    """Move everything alive after start-up out of the collector's reach, for short GC pauses.

    The Qt bindings, SQLAlchemy and the window make hundreds of thousands of long-lived objects; a
    full collection walks them all while holding the GIL, which stalls the UI thread for a visible
    moment whenever a worker thread happens to trigger it. They are never garbage, so freeze them.
    """
    gc.collect()
    gc.freeze()


def bring_to_front(window: MainWindow) -> None:
    """Another start on this data folder asked for the window (it exits; this one stays)."""
    window.showNormal()
    window.raise_()
    window.activateWindow()


def opened(window: MainWindow, workspace: Workspace) -> None:
    """What follows the workspace's opening, once the window has it: the daily backup, a word on upgrades."""
    window.backup_actions.keep_daily_backup()
    settle_garbage_collector()
    if workspace.upgraded_from_backup is not None:
        window.show_message(f"Your data was upgraded; the previous copy is at {workspace.upgraded_from_backup}", 15_000)


def run(data_dir: str | os.PathLike[str] | None = None, argv: Sequence[str] | None = None) -> int:
    """Open the app on ``data_dir`` (or the default data folder) and run until the window closes."""
    start_file_log(resolve_paths(data_dir).logs)
    app = make_application(argv)
    paths = resolve_paths(data_dir)
    instance = SingleInstance(paths.data)
    if not instance.claim():
        return 0  # the Gigbag already open on this data folder came to the front
    window = MainWindow(paths=paths)
    instance.activate_requested.connect(lambda: bring_to_front(window))
    opening = WorkspaceOpening(window, data_dir, paths, lambda ws: opened(window, ws))
    window.show()
    try:
        code = app.exec()
    finally:
        window.ops.wait_for_done(60_000)
        workspace = opening.workspace
        if workspace is not None:
            from ..app.database_care import keep_daily_backup

            try:
                keep_daily_backup(workspace.paths)  # at most one a day: at close if none was made at start
            except Exception as exc:  # noqa: BLE001 - a backup that cannot be made must not lose the quit
                log.warning("automatic backup not made at close: %s", exc)
            workspace.close()
        instance.release()
    if opening.error is not None:
        raise opening.error
    return opening.exit_code if opening.exit_code is not None else code
