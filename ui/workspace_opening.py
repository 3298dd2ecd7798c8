"""The second step of the start: open the artist's data while the window's frame is already on screen.

``run()`` shows the main window's frame first (it needs only Qt); this opens the workspace after that
frame painted. The database and sync stack is imported and the workspace opened on a worker thread,
so the frame keeps repainting; what needs the artist (a damaged database, a failed upgrade, a folder
that cannot be used) is asked or told on the UI thread, over the frame, with the same words as before;
then the window gets the workspace (:meth:`MainWindow.attach`) on the UI thread, which builds widgets.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from ..app.paths import DataPaths
from .main_window import MainWindow

if TYPE_CHECKING:
    from ..app.errors import MigrationError
    from ..app.workspace import Workspace

log = logging.getLogger(__name__)

#: The non-Qt modules the sections, backup and sync UI import, loaded beside the workspace on the worker
#: thread so the UI thread's part (building the widgets) stays short. One missing here only costs time.
BACKGROUND_IMPORTS = (
    "gigbag.app.workspace",
    "gigbag.app.database_care",
    "gigbag.app.backup",
    "gigbag.app.sync_service",
    "gigbag.app.sync_words",
    "gigbag.app.sync_outcome",
    "gigbag.app.previews",
    "gigbag.app.importing",
    "gigbag.app.conflict_details",
)

#: If no paint arrives (a window shown minimised, a platform that paints late), open anyway after this.
NO_PAINT_MS = 1000


def migration_message(exc: MigrationError) -> str:
    backup = f"\n\nA copy of your data from before the upgrade is kept at:\n{exc.backup}" if exc.backup else ""
    return f"Gigbag could not upgrade your data to this version.\n\n{exc}{backup}"


def open_workspace(data_dir: object) -> Workspace:
    """Import the database stack and open the workspace (runs on a worker thread)."""
    for name in BACKGROUND_IMPORTS:
        importlib.import_module(name)
    from ..app.workspace import Workspace

    return Workspace.open(data_dir)  # type: ignore[arg-type]


class WorkspaceOpening(QObject):
    """Opens the workspace for ``window`` after its first paint; ``exit_code`` is set when the start must end.

    ``on_opened`` runs on the UI thread once the window is attached (the daily backup, messages).
    ``workspace`` is the opened workspace (also when the window was closed before it could be attached,
    so the caller can close it); ``error`` an unexpected failure, raised again by the caller.
    """

    def __init__(
        self,
        window: MainWindow,
        data_dir: object,
        paths: DataPaths,
        on_opened: Callable[[Workspace], None],
    ) -> None:
        super().__init__(window)
        self.window = window
        self.data_dir = data_dir
        self.paths = paths
        self.on_opened = on_opened
        self.workspace: Workspace | None = None
        self.exit_code: int | None = None
        self.error: BaseException | None = None
        self._started = False
        window.installEventFilter(self)
        QTimer.singleShot(NO_PAINT_MS, self.start)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Paint and not self._started:
            QTimer.singleShot(0, self.start)  # after this paint reached the screen
        return False

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        self.window.removeEventFilter(self)
        self._open()

    def _open(self) -> None:
        def work(_op: object) -> Workspace:
            self.workspace = open_workspace(self.data_dir)
            return self.workspace

        self.window.ops.write(work).with_label("Opening your data").success(self._opened).failure(self._failed).run()

    def _opened(self, workspace: Workspace) -> None:
        if self.window.closing:
            return  # closed while the data opened: the caller closes the workspace
        self.window.attach(workspace)
        self.on_opened(workspace)

    def _failed(self, exc: BaseException) -> bool:
        from ..app.database_care import DamagedDatabase
        from ..app.errors import MigrationError

        if isinstance(exc, DamagedDatabase):
            from .damaged_database import resolve_damage

            if resolve_damage(exc, self.paths.create(), self.window):
                self._open()
            else:
                self._end(1)
        elif isinstance(exc, MigrationError):
            QMessageBox.critical(self.window, "Gigbag cannot open your data", migration_message(exc))
            self._end(1)
        elif isinstance(exc, OSError):
            text = f"The data folder cannot be used: {exc}"
            QMessageBox.critical(self.window, "Gigbag cannot open your data", text)
            self._end(1)
        else:
            log.error("the workspace could not be opened: %s", getattr(exc, "__traceback_text__", exc))
            self.error = exc
            self._end(1)
        return True

    def _end(self, code: int) -> None:
        self.exit_code = code
        self.window.abandon()
        QApplication.exit(code)
