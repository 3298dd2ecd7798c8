"""The Files section's file list: a paged table model of one folder's files (or all of them).

Each row knows whether the file's content is on this computer (a file that arrives with the next
sync is marked) and whether a sync is moving it now; rows are renamed in place and dragged onto the
folder tree as file ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

from PySide6.QtCore import QMimeData, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication, QPalette

from ...app.entity_service import ListQuery
from ...app.formatting import format_bytes
from ...app.library import FileService
from ...schema.labels import FILE_CATEGORY_LABELS
from ..context import UiContext
from .dates import day_text
from .drops import dropped_paths, has_local_files
from .folder_tree import FILE_MIME, Index, ids_to_mime
from .icons import icon
from .paged_model import Column, PagedTableModel, light_records


def _added(created_at: str) -> str:
    """ "1 Dec 2026": the day of the stored UTC moment on this computer's clock, in the locale's words
    (the raw text if it is not a moment)."""
    try:
        moment = dt.datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    except ValueError:
        return created_at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return day_text(moment.astimezone().date())


TRANSFER_WORDS = {"up": "uploading…", "down": "downloading…"}
CATEGORIES = (
    ("", "All kinds"),
    ("press_photo", "Press photos"),
    ("music", "Music"),
    ("video", "Video"),
    ("document", "Documents"),
    ("other", "Other"),
)
CATEGORY_LABELS = FILE_CATEGORY_LABELS
CATEGORY_ICONS = {
    "press_photo": "image-x-generic",
    "music": "audio-x-generic",
    "video": "video-x-generic",
    "document": "x-office-document",
    "other": "text-x-generic",
}
NOT_HERE = "Not on this computer yet: the content arrives with the next sync."


class FileRow(NamedTuple):
    """A row of the file list: the file's fields (a plain record) and whether its content is here."""

    file: Any
    available: bool


FILE_COLUMNS = (
    Column(
        "filename",
        "Name",
        lambda r: r.file.filename if r.available else f"{r.file.filename} · not here yet",
        sort_by="filename",
        tooltip=lambda r: None if r.available else NOT_HERE,
    ),
    Column("category", "Kind", lambda r: CATEGORY_LABELS.get(r.file.category, r.file.category), sort_by="category"),
    Column(
        "file_size_bytes",
        "Size",
        lambda r: format_bytes(r.file.file_size_bytes),
        sort_by="file_size_bytes",
        align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
    ),
    Column("mime_type", "Type", lambda r: r.file.mime_type, sort_by="mime_type"),
    Column("created_at", "Added", lambda r: _added(r.file.created_at), sort_by="created_at"),
)


class FileModel(PagedTableModel):
    """The files of the chosen folder (or all), paged; each row knows whether its content is here."""

    rename_requested = Signal(str, str)  # file id, new name
    paths_dropped = Signal(list)

    def __init__(self, ctx: UiContext, parent: QObject | None = None) -> None:
        super().__init__(ctx, ctx.workspace.files, FILE_COLUMNS, page_size=200, parent=parent)
        self.files: FileService = ctx.workspace.files
        self.transfers: dict[str, str] = {}  # blob sha256 -> "up" | "down", while a sync moves it

    def set_transfers(self, transfers: dict[str, str]) -> None:
        """Mark the files whose content a sync is uploading or downloading right now."""
        if transfers == self.transfers:
            return
        self.transfers = dict(transfers)
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, 0))

    def transfer_of(self, record: Any) -> str | None:
        return self.transfers.get(record.file.blob_sha256) if record is not None else None

    def fetch_records(self, query: ListQuery) -> list[Any]:
        rows = self.files.list(query)
        return [FileRow(rec, self.files.is_available(row)) for rec, row in zip(light_records(rows), rows, strict=True)]

    def record_id(self, record: Any) -> str:
        return str(record.file.id)

    def extra_data(self, record: Any, column: Column, role: int) -> Any:
        row: FileRow = record
        if column.key == "filename":
            if role == Qt.ItemDataRole.DecorationRole:
                return icon("network-offline") if not row.available else icon(CATEGORY_ICONS[row.file.category])
            if role == Qt.ItemDataRole.EditRole:
                return row.file.filename
        if not row.available:
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setItalic(True)
                return font
            if role == Qt.ItemDataRole.ForegroundRole:
                return QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and index.column() == 0:
            record = self.record_for(index)
            if role == Qt.ItemDataRole.EditRole:
                return record.file.filename if record is not None else None
            moving = self.transfer_of(record)
            if moving is not None and record is not None:
                words = TRANSFER_WORDS[moving]
                if role == Qt.ItemDataRole.DisplayRole:
                    return f"{record.file.filename} · {words}"
                if role == Qt.ItemDataRole.ToolTipRole:
                    return f"Sync is {words} this file's content"
                if role == Qt.ItemDataRole.DecorationRole:
                    return icon("emblem-synchronizing")
        return super().data(index, role)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        record = self.record_for(index)
        if record is None or index.column() != 0 or role != Qt.ItemDataRole.EditRole:
            return False
        if str(value) != record.file.filename:
            self.rename_requested.emit(record.file.id, str(value))
        return False

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if not index.isValid():
            return base | Qt.ItemFlag.ItemIsDropEnabled
        flags = base | Qt.ItemFlag.ItemIsDragEnabled
        if index.column() == 0:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [FILE_MIME, "text/uri-list"]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        ids = list(dict.fromkeys(self.id_at(i.row()) for i in indexes if i.isValid()))
        return ids_to_mime(FILE_MIME, ids)

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index) -> bool:
        return not data.hasFormat(FILE_MIME) and has_local_files(data)

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        self.paths_dropped.emit(dropped_paths(data))
        return True
