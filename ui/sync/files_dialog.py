"""Files whose content is not on this computer: which ones, whether they are moving now, and "Download now"."""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...app.formatting import format_bytes
from ...app.remote_files import RemoteFile
from ...app.sync_words import count_of
from ..widgets.field_errors import FieldErrorLabel
from ..widgets.icons import icon
from .controller import SyncController

Index = QModelIndex | QPersistentModelIndex


class RemoteFilesModel(QAbstractTableModel):
    HEADERS = ("File", "Size", "Where its content is")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[RemoteFile] = []
        self.transfers: dict[str, str] = {}
        self.fetching: set[str] = set()
        self.failed: dict[str, str] = {}

    def set_files(self, rows: list[RemoteFile]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def file(self, row: int) -> RemoteFile | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None

    def status(self, f: RemoteFile) -> str:
        if f.file_id in self.fetching or self.transfers.get(f.sha256) == "down":
            return "Downloading now…"
        if f.file_id in self.failed:
            return f"Could not download: {self.failed[f.file_id]}"
        if f.cloud_only:
            return "On the server only (you chose to keep it there)"
        return "On the server; arrives with the next sync"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        f = self.file(index.row()) if index.isValid() else None
        if f is None:
            return None
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return f.filename
            if column == 1:
                return format_bytes(f.size)
            return self.status(f)
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return icon("emblem-synchronizing") if f.file_id in self.fetching else icon("cloud")
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def refresh_status(self) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.HEADERS) - 1))


class RemoteFilesDialog(QDialog):
    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("remote-files-dialog")
        self.setWindowTitle("Files not on this computer")
        self.resize(700, 420)
        layout = QVBoxLayout(self)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.model = RemoteFilesModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("remote-files")
        self.table.setAccessibleName("Files not on this computer")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        self.error_label = FieldErrorLabel(self)
        layout.addWidget(self.error_label)
        row = QHBoxLayout()
        self.fetch_button = QPushButton(icon("cloud"), "Download now", self)
        self.fetch_button.setObjectName("fetch-file")
        self.fetch_button.setToolTip("Download the selected files' content now and keep it on this computer.")
        self.fetch_button.clicked.connect(self.fetch_selected)
        row.addWidget(self.fetch_button)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        controller.transfers_changed.connect(self._transfers)
        controller.sync_finished.connect(self._sync_finished)  # a method: disconnected when the dialog goes
        self.loaded = False
        self.reload()

    def _sync_finished(self, _outcome: object) -> None:
        self.reload()

    def reload(self) -> None:
        service = self.controller.service
        self.controller.ctx.ops.read(lambda _op: service.files_not_here()).success(self._loaded).run()

    def _loaded(self, rows: list[RemoteFile]) -> None:
        if not shiboken6.isValid(self):
            return  # closed while the list was read
        self.model.set_files(rows)
        self.loaded = True
        if rows:
            self.intro.setText(
                f"The content of {count_of(len(rows), 'file')} is not on this computer yet. Their names, folders "
                "and details are here; the content comes down with the next sync, or now with “Download now”."
            )
        else:
            self.intro.setText("Every file's content is on this computer.")
        self._update_buttons()

    def _transfers(self, transfers: dict[str, str]) -> None:
        self.model.transfers = dict(transfers)
        self.model.refresh_status()

    def _update_buttons(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        self.fetch_button.setEnabled(bool(rows) and self.controller.state.signed_in)

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def fetch_selected(self) -> None:
        self.error_label.set_error(None)
        for index in self.table.selectionModel().selectedRows():
            f = self.model.file(index.row())
            if f is None or f.file_id in self.model.fetching:
                continue
            self.model.fetching.add(f.file_id)
            self.model.failed.pop(f.file_id, None)
            self._fetch(f)
        self.model.refresh_status()

    def _fetch(self, f: RemoteFile) -> None:
        def fetched(found: bool) -> None:
            if shiboken6.isValid(self):
                self._fetched(f, found)

        def failed(exc: BaseException) -> bool:
            return self._fetch_failed(f, exc) if shiboken6.isValid(self) else False

        self.controller.fetch_file(f.file_id).success(fetched).failure(failed).run()

    def _fetched(self, f: RemoteFile, found: bool) -> None:
        self.model.fetching.discard(f.file_id)
        if not found:
            self.model.failed[f.file_id] = "the server does not have its content (it may be on another computer only)"
            self.model.refresh_status()
            return
        self.controller.message.emit(f"“{f.filename}” is now on this computer.", 6000)
        self.controller.ctx.events.emit_changed("files")
        self.reload()

    def _fetch_failed(self, f: RemoteFile, exc: BaseException) -> bool:
        self.model.fetching.discard(f.file_id)
        self.model.failed[f.file_id] = str(exc)
        self.error_label.set_error(f"“{f.filename}”: {exc}")
        self.model.refresh_status()
        return True
