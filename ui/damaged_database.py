"""The damaged-database dialog: what happened, in words, and the three ways on.

Shown by ``ui.main`` when opening the workspace raised :class:`~gigbag.app.database_care.DamagedDatabase`
(the damaged file is already moved aside). The artist restores the newest automatic backup, starts
empty to sync their data down from the server, or quits; nothing is decided for them.
"""

from __future__ import annotations

import logging
from enum import Enum

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..app.database_care import DamagedDatabase, restore_automatic_backup, start_empty
from ..app.errors import GigbagError
from ..app.paths import DataPaths
from .backup_actions import format_snapshot_time

log = logging.getLogger("gigbag.ui.damaged_database")


class Choice(Enum):
    RESTORE = "restore"
    START_EMPTY = "start_empty"
    QUIT = "quit"


class DamagedDatabaseDialog(QDialog):
    def __init__(self, error: DamagedDatabase, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("damaged-database")
        self.setWindowTitle("Gigbag: your database is damaged")
        self.choice = Choice.QUIT
        newest = error.newest_backup
        layout = QVBoxLayout(self)
        head = QLabel("<b>Gigbag cannot open your data: the database file is damaged.</b>", self)
        layout.addWidget(head)
        what = QLabel(
            f"What is wrong: {error.reason}.\n\nThe damaged file was moved aside, not deleted:\n{error.moved_to}",
            self,
        )
        what.setObjectName("damage-reason")
        what.setWordWrap(True)
        layout.addWidget(what)
        if newest is not None:
            offer = (
                f"The newest automatic backup is from {format_snapshot_time(newest)}. Restoring it brings back "
                "your data as it was then; later changes come back with a sync if they reached the server."
            )
        else:
            offer = "There is no automatic backup of this data folder."
        offer += (
            " Starting empty gives you an empty workspace: sign in and sync to bring your data down from the server."
        )
        hint = QLabel(offer, self)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        buttons = QHBoxLayout()
        self.restore_button = QPushButton("Restore the newest automatic backup", self)
        self.restore_button.setEnabled(newest is not None)
        self.restore_button.clicked.connect(lambda: self._choose(Choice.RESTORE))
        self.empty_button = QPushButton("Start empty and sync down", self)
        self.empty_button.clicked.connect(lambda: self._choose(Choice.START_EMPTY))
        self.quit_button = QPushButton("Quit", self)
        self.quit_button.clicked.connect(lambda: self._choose(Choice.QUIT))
        for b in (self.restore_button, self.empty_button, self.quit_button):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        (self.restore_button if newest is not None else self.quit_button).setDefault(True)
        self.setMinimumWidth(560)

    def _choose(self, choice: Choice) -> None:
        self.choice = choice
        self.accept() if choice is not Choice.QUIT else self.reject()


def resolve_damage(error: DamagedDatabase, paths: DataPaths, parent: QWidget | None = None) -> bool:
    """Ask the artist; carry out the choice. True when the workspace can be opened again."""
    log.error("damaged database: %s (moved to %s)", error.reason, error.moved_to)
    dialog = DamagedDatabaseDialog(error, parent)
    dialog.exec()
    try:
        if dialog.choice is Choice.RESTORE:
            restore_automatic_backup(paths)
            return True
        if dialog.choice is Choice.START_EMPTY:
            start_empty(paths)
            return True
    except GigbagError as exc:
        log.error("could not recover from the damaged database: %s", exc)
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(parent, "Gigbag", str(exc))
    return False
