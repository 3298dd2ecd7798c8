"""Help → "Open log folder": the folder of the desktop's log file, in the system's file manager."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QAction, QDesktopServices

from .widgets.icons import icon

log = logging.getLogger(__name__)


def open_log_folder(folder: Path) -> bool:
    """Show ``folder`` in the file manager (created first if need be); False when the desktop cannot."""
    folder.mkdir(parents=True, exist_ok=True)
    opened = QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
    if not opened:
        log.warning("the desktop could not open the log folder %s", folder)
    return opened


def open_log_folder_action(parent: QObject, folder: Path) -> QAction:
    action = QAction(icon("folder-open"), "Open log folder", parent)
    action.setObjectName("open-log-folder")
    action.setToolTip(f"Show the folder of Gigbag's log ({folder}): attach its files to a bug report")
    action.triggered.connect(lambda _checked=False: open_log_folder(folder))
    return action
