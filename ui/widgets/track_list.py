"""The Tracks section's list: the portfolio's tracks in the artist's order, as a paged table model.

Dragging a row asks to move that one track between its new neighbours (the section does the move);
audio files dropped from the desktop are handed on to be imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from ...app.entity_service import ListQuery
from ...app.formatting import format_duration
from ...app.records import Track
from ..context import UiContext
from .drops import dropped_paths, has_local_files
from .icons import icon
from .paged_model import Column, PagedTableModel, light_records

Index = QModelIndex | QPersistentModelIndex

TRACK_MIME = "application/x-gigbag-track-ids"


def _year(track: Track) -> str:
    return str(track.release_year) if track.release_year else ""


TRACK_COLUMNS = (
    Column("title", "Title"),
    Column(
        "duration_seconds",
        "Duration",
        lambda t: format_duration(t.duration_seconds),
        align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
    ),
    Column("genre", "Genre"),
    Column("release_year", "Year", _year, align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
)


class TrackModel(PagedTableModel):
    """The tracks in portfolio order; rows can be dragged to a new place, audio files dropped in."""

    #: a row was dropped at a new place: (track id, row it should end at)
    move_requested = Signal(str, int)
    #: audio files were dropped on the list
    files_dropped = Signal(list)

    def __init__(self, ctx: UiContext, parent: QObject | None = None) -> None:
        super().__init__(ctx, ctx.workspace.tracks, TRACK_COLUMNS, page_size=200, parent=parent)
        self.playing_id: str | None = None

    def fetch_records(self, query: ListQuery) -> list[Any]:
        return light_records(self.service.list(query))

    @property
    def reorderable(self) -> bool:
        """Rows can be dragged only while the list shows every track in portfolio order."""
        return not (self.query.search or self.query.filters)

    def extra_data(self, record: Any, column: Column, role: int) -> Any:
        if role == Qt.ItemDataRole.DecorationRole and column.key == "title":
            playing = self.playing_id is not None and record.id == self.playing_id
            return icon("media-playback-start" if playing else "audio-x-generic")
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if not index.isValid():
            return base | Qt.ItemFlag.ItemIsDropEnabled
        return base | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [TRACK_MIME, "text/uri-list"]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        ids = list(dict.fromkeys(self.id_at(i.row()) for i in indexes if i.isValid()))
        data = QMimeData()
        data.setData(TRACK_MIME, QByteArray("\n".join(ids).encode()))
        return data

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index) -> bool:
        if data.hasFormat(TRACK_MIME):
            return self.reorderable
        return has_local_files(data)

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        if data.hasFormat(TRACK_MIME):
            ids = [i for i in bytes(data.data(TRACK_MIME).data()).decode().split("\n") if i]
            if len(ids) != 1:
                return False
            target = row if row >= 0 else (parent.row() if parent.isValid() else self.count())
            source = self.row_of(ids[0])
            if source is not None and target > source:
                target -= 1  # the row's own place is freed above the target
            if source != target:
                self.move_requested.emit(ids[0], target)
            return False  # the model moves nothing itself; the reload shows the new order
        self.files_dropped.emit(dropped_paths(data))
        return True
