"""File → Back up…, Restore backup…, Restore automatic backup…: the backup archive and the daily copies.

Each runs off the UI thread through the window's operation runner, with a progress dialog whose
Cancel stops it (a cancelled backup leaves no file, a cancelled restore changes nothing). The words
shown are the app's; the work is :mod:`gigbag.app.backup` and :mod:`gigbag.app.database_care`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QDateTime, QLocale, QObject, Qt
from PySide6.QtGui import QAction, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListView,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from ..app.backup import BackupCancelled, BackupSummary, OtherAccountBackup, RestoreResult
from ..app.database_care import Snapshot, automatic_backups, keep_daily_backup
from ..app.formatting import format_bytes
from .operations import Cancelled, OpContext, Operation

if TYPE_CHECKING:
    from .main_window import MainWindow

log = logging.getLogger("gigbag.ui.backup")
T = TypeVar("T")


def _progress_dialog(parent: QWidget, title: str, op: Operation[T]) -> QProgressDialog:
    dialog = QProgressDialog(title, "Cancel", 0, 100, parent)
    dialog.setObjectName("backup-progress")
    dialog.setWindowTitle("Gigbag")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.canceled.connect(op.cancel)
    return dialog


def _percent(done: int, total: int) -> int:
    return 100 if total <= 0 else min(100, int(100 * done / total))


def format_snapshot_time(snapshot: Snapshot) -> str:
    """The backup's time in the artist's locale and time zone."""
    moment = QDateTime.fromSecsSinceEpoch(int(snapshot.taken_at.timestamp()))  # in local time
    return QLocale().toString(moment, QLocale.FormatType.LongFormat)


class AutomaticBackupsDialog(QDialog):
    """The automatic backups, newest first, with their dates; the chosen one is restored."""

    def __init__(self, snapshots: list[Snapshot], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("automatic-backups")
        self.setWindowTitle("Restore automatic backup")
        self.snapshots = snapshots
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Gigbag keeps a copy of your database once a day (the last seven). Restoring one replaces your "
            "data with that copy; the current database is kept aside, not deleted. Changes made since then "
            "come back with the next sync if they reached the server.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.model = QStandardItemModel(self)
        for snap in snapshots:
            item = QStandardItem(f"{format_snapshot_time(snap)}  ·  {format_bytes(snap.size)}")
            item.setEditable(False)
            self.model.appendRow(item)
        self.view = QListView(self)
        self.view.setModel(self.model)
        self.view.setAccessibleName("Automatic backups")
        if snapshots:
            self.view.setCurrentIndex(self.model.index(0, 0))
        layout.addWidget(self.view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.restore_button = buttons.addButton("Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setEnabled(bool(snapshots))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> Snapshot | None:
        row = self.view.currentIndex().row()
        return self.snapshots[row] if 0 <= row < len(self.snapshots) else None


class BackupActions(QObject):
    """The three File menu actions and the daily backup at start and close."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.back_up_action = QAction("Back up…", self)
        self.back_up_action.setObjectName("back-up")
        self.back_up_action.triggered.connect(lambda: self.back_up())
        self.restore_action = QAction("Restore backup…", self)
        self.restore_action.setObjectName("restore-backup")
        self.restore_action.triggered.connect(lambda: self.restore())
        self.restore_auto_action = QAction("Restore automatic backup…", self)
        self.restore_auto_action.setObjectName("restore-automatic-backup")
        self.restore_auto_action.triggered.connect(lambda: self.restore_automatic())
        self.last_dialog: QWidget | None = None

    def install(self, menu: QMenu, before: QAction | None = None) -> None:
        """Add the actions to ``menu``, at its end or above ``before``."""
        if before is None:
            menu.addSeparator()
            menu.addActions([self.back_up_action, self.restore_action, self.restore_auto_action])
            return
        menu.insertSeparator(before)
        menu.insertActions(before, [self.back_up_action, self.restore_action, self.restore_auto_action])

    def _tell(self, title: str, text: str, icon: QMessageBox.Icon = QMessageBox.Icon.Information) -> QMessageBox:
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName("backup-result")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_dialog = box
        box.open()
        return box

    # ---- back up ----------------------------------------------------------------------------
    def back_up(self, destination: Path | None = None) -> Operation[BackupSummary] | None:
        if destination is None:
            suggested = Path.home() / f"Gigbag backup {date.today().isoformat()}.zip"
            name, _ = QFileDialog.getSaveFileName(self.window, "Back up", str(suggested), "Gigbag backup (*.zip)")
            if not name:
                return None
            destination = Path(name)
        ws = self.window.workspace

        def work(op: OpContext) -> BackupSummary:
            return ws.back_up(destination, lambda d, t: op.progress(d, t), lambda: op.cancelled)

        def done(summary: BackupSummary) -> None:
            text = (
                f"Backed up {summary.entities} items and the content of {summary.files} files "
                f"({format_bytes(summary.content_bytes)}) to {destination}."
            )
            if summary.missing_content:
                text += (
                    f"\n\n{len(summary.missing_content)} files have no content on this computer (cloud-only or "
                    "not downloaded yet): the backup holds their records only."
                )
            log.info("backup written: %s (%d files)", destination, summary.files)
            self._tell("Backup done", text)

        return self._run(work, done, "Backing up…", "The backup was not written")

    # ---- restore ----------------------------------------------------------------------------
    def restore(self, source: Path | None = None, allow_other_account: bool = False) -> Operation[RestoreResult] | None:
        if source is None:
            name, _ = QFileDialog.getOpenFileName(
                self.window, "Restore backup", str(Path.home()), "Gigbag backup (*.zip)"
            )
            if not name:
                return None
            source = Path(name)
        ws = self.window.workspace
        chosen = source

        def work(op: OpContext) -> RestoreResult:
            return ws.restore_backup(
                chosen,
                allow_other_account=allow_other_account,
                progress=lambda d, t: op.progress(d, t),
                cancelled=lambda: op.cancelled,
            )

        def done(result: RestoreResult) -> None:
            imported = result.imported
            if imported.refused:
                listed = "\n".join(f"• {r}" for r in imported.refused[:10])
                self._tell(
                    "Backup not restored",
                    f"{len(imported.refused)} items were refused, so nothing was restored:\n{listed}",
                    QMessageBox.Icon.Warning,
                )
                return
            self.window.events.emit_changed()
            self._tell(
                "Backup restored",
                f"Restored {imported.created} new and {imported.updated} updated items "
                f"and the content of {result.contents_added} files from {chosen.name}.",
            )

        def other_account(exc: BaseException) -> bool:
            if not isinstance(exc, OtherAccountBackup):
                return False
            answer = QMessageBox.question(
                self.window,
                "Another account's backup",
                str(exc).replace(" (on the command line: add --yes)", "") + "\n\nRestore it anyway?",
            )
            if answer == QMessageBox.StandardButton.Yes:
                self.restore(chosen, allow_other_account=True)
            return True

        return self._run(work, done, "Checking and restoring the backup…", "The backup was not restored", other_account)

    # ---- automatic backups --------------------------------------------------------------------
    def restore_automatic(self, choose: Snapshot | None = None) -> None:
        snapshots = automatic_backups(self.window.workspace.paths)
        if choose is None:
            dialog = AutomaticBackupsDialog(snapshots, self.window)
            self.last_dialog = dialog
            if not snapshots:
                self._tell(
                    "No automatic backups",
                    "There is no automatic backup yet: Gigbag makes one a day when it starts or closes.",
                )
                return
            if dialog.exec() != QDialog.DialogCode.Accepted or dialog.chosen() is None:
                return
            choose = dialog.chosen()
        assert choose is not None
        ws = self.window.workspace
        name = choose.name

        def done(snap: Snapshot) -> None:
            self.window.events.emit_changed()
            self._tell("Automatic backup restored", f"Your data is back as it was on {format_snapshot_time(snap)}.")

        self._run(
            lambda _op: ws.restore_automatic_backup(name),
            done,
            "Restoring the automatic backup…",
            "The automatic backup was not restored",
        )

    def keep_daily_backup(self) -> None:
        """Make today's automatic backup in the background (at most one a day)."""
        paths = self.window.workspace.paths

        def failed(exc: BaseException) -> bool:
            log.warning("automatic backup not made: %s", exc)
            return True

        self.window.ops.read(lambda _op: keep_daily_backup(paths)).failure(failed).with_label(
            "Keeping today's backup"
        ).run()

    # ---- running ------------------------------------------------------------------------------
    def _run(
        self,
        work: Callable[[OpContext], T],
        done: Callable[[T], None],
        title: str,
        failed_title: str,
        handle: Callable[[BaseException], bool] | None = None,
    ) -> Operation[T]:
        op = self.window.ops.write(work).with_label(title.rstrip("…"))
        dialog = _progress_dialog(self.window, title, op)
        self.last_dialog = dialog
        op.progress(lambda d, t, _text: dialog.setValue(_percent(d, t)))

        def failure(exc: BaseException) -> bool:
            if handle is not None and handle(exc):
                return True
            if isinstance(exc, Cancelled | BackupCancelled):
                self.window.show_message("Cancelled; nothing was changed.")
                return True
            log.warning("%s: %s", failed_title, exc)
            self._tell(failed_title, str(exc), QMessageBox.Icon.Warning)
            return True

        def close_dialog() -> None:
            dialog.close()

        op.success(done).failure(failure).finished(close_dialog)
        dialog.setValue(0)
        return op.run()


def install_backup_actions(window: MainWindow, menu: QMenu, before: QAction | None = None) -> BackupActions:
    actions = BackupActions(window)
    actions.install(menu, before)
    return actions
