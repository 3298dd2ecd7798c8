"""The Files section's folder tree: "All files", "My files" and every folder, as a Qt item model.

The artist has tens or hundreds of folders, so the tree is read whole, off the UI thread. Folders are
renamed in place (F2) and moved by drag and drop; files dragged from the list or from the desktop
onto a folder are handed on as signals (the section does the moving and importing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from ...app.entity_service import ListQuery
from ..context import UiContext
from ..operations import OpContext
from .drops import dropped_paths, has_local_files
from .icons import icon

Index = QModelIndex | QPersistentModelIndex

FILE_MIME = "application/x-gigbag-file-ids"
FOLDER_MIME = "application/x-gigbag-folder-ids"
ALL = "all"  # the tree's "All files" item
ROOT = "root"  # the tree's top level (files in no folder)


def ids_from_mime(data: QMimeData, mime: str) -> list[str]:
    """The ids a drag of files or folders carries (one per line)."""
    return [i for i in bytes(data.data(mime).data()).decode().split("\n") if i]


def ids_to_mime(mime: str, ids: Sequence[str]) -> QMimeData:
    data = QMimeData()
    data.setData(mime, QByteArray("\n".join(ids).encode()))
    return data


# ---- the folder tree ---------------------------------------------------------------------------


@dataclass(eq=False)
class FolderNode:
    kind: str  # ALL, ROOT or "folder"
    id: str | None
    name: str
    parent: FolderNode | None = None
    children: list[FolderNode] = field(default_factory=list)

    def row(self) -> int:
        siblings = self.parent.children if self.parent is not None else []
        return siblings.index(self) if self.parent is not None else 0


class FolderTreeModel(QAbstractItemModel):
    """ "All files", then "My files" (the top level) with every folder below it."""

    rename_requested = Signal(str, str)  # folder id, new name
    folders_dropped = Signal(list, object)  # folder ids, target folder id (None = top level)
    files_dropped = Signal(list, object)  # file ids, target folder id
    paths_dropped = Signal(list, object)  # local paths, target folder id
    reloaded = Signal()

    def __init__(self, ctx: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.all_node = FolderNode(ALL, None, "All files")
        self.root_node = FolderNode(ROOT, None, "My files")
        self._top = [self.all_node, self.root_node]
        self._by_id: dict[str, FolderNode] = {}
        self._generation = 0

    # ---- loading -----------------------------------------------------------------------------
    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        folders = self.ctx.workspace.folders

        def read(_op: OpContext) -> tuple[int, list[tuple[str, str, str | None]]]:
            rows = folders.list(ListQuery(order_by=("name",)))
            return generation, [(f.id, f.name, f.parent_folder_id) for f in rows]

        self.ctx.ops.read(read).success(self._apply).run()

    def _apply(self, result: tuple[int, list[tuple[str, str, str | None]]]) -> None:
        generation, rows = result
        if generation != self._generation:
            return
        self.set_folders(rows)

    def set_folders(self, rows: list[tuple[str, str, str | None]]) -> None:
        self.beginResetModel()
        self.root_node.children = []
        nodes = {fid: FolderNode("folder", fid, name) for fid, name, _p in rows}
        for fid, _name, parent_id in rows:
            node = nodes[fid]
            parent = nodes.get(parent_id) if parent_id else None
            node.parent = parent or self.root_node
            node.parent.children.append(node)
        for node in [self.root_node, *nodes.values()]:
            node.children.sort(key=lambda n: n.name.casefold())
        self._by_id = nodes
        self.endResetModel()
        self.reloaded.emit()

    # ---- lookups -----------------------------------------------------------------------------
    def node(self, index: Index) -> FolderNode | None:
        if not index.isValid():
            return None
        node = index.internalPointer()
        return node if isinstance(node, FolderNode) else None

    def index_of(self, node: FolderNode) -> QModelIndex:
        if node.parent is None:
            return self.createIndex(self._top.index(node), 0, node)
        return self.createIndex(node.row(), 0, node)

    def index_for_folder(self, folder_id: str | None) -> QModelIndex:
        if folder_id is None:
            return self.index_of(self.root_node)
        node = self._by_id.get(folder_id)
        return self.index_of(node) if node is not None else QModelIndex()

    def folder_name(self, folder_id: str | None) -> str:
        if folder_id is None:
            return self.root_node.name
        node = self._by_id.get(folder_id)
        return node.name if node is not None else ""

    def child_names(self, folder_id: str | None) -> set[str]:
        node = self.root_node if folder_id is None else self._by_id.get(folder_id)
        return {c.name for c in node.children} if node is not None else set()

    def path_text(self, folder_id: str | None) -> str:
        parts: list[str] = []
        node = self._by_id.get(folder_id) if folder_id else None
        while node is not None and node.kind == "folder":
            parts.append(node.name)
            node = node.parent
        return " › ".join([self.root_node.name, *reversed(parts)])

    def descendant_ids(self, folder_id: str) -> list[str]:
        node = self._by_id.get(folder_id)
        out: list[str] = []
        stack = list(node.children) if node is not None else []
        while stack:
            n = stack.pop()
            if n.id is not None:
                out.append(n.id)
            stack.extend(n.children)
        return out

    # ---- QAbstractItemModel ------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, self._top[row]) if row < len(self._top) else QModelIndex()
        node = self.node(parent)
        if node is None or parent.column() != 0 or row >= len(node.children):
            return QModelIndex()
        return self.createIndex(row, 0, node.children[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        node = self.node(index)
        if node is None or node.parent is None:
            return QModelIndex()
        return self.index_of(node.parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._top)
        if parent.column() != 0:
            return 0
        node = self.node(parent)
        return len(node.children) if node is not None else 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self.node(index)
        if node is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.AccessibleTextRole):
            return node.name
        if role == Qt.ItemDataRole.DecorationRole:
            return icon("folder-documents" if node.kind == ALL else "folder")
        if role == Qt.ItemDataRole.ToolTipRole:
            if node.kind == ALL:
                return "Every file, whichever folder it is in"
            if node.kind == ROOT:
                return "Files that are in no folder, and your folders"
            return self.path_text(node.id)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        node = self.node(index)
        if node is None or node.kind != "folder" or role != Qt.ItemDataRole.EditRole or node.id is None:
            return False
        name = str(value)
        if name != node.name:
            self.rename_requested.emit(node.id, name)
        return False  # the reload after the rename shows the new name

    def flags(self, index: Index) -> Qt.ItemFlag:
        node = self.node(index)
        if node is None:
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if node.kind == "folder":
            flags |= Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled
        elif node.kind == ROOT:
            flags |= Qt.ItemFlag.ItemIsDropEnabled
        return flags

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [FOLDER_MIME, FILE_MIME, "text/uri-list"]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        ids = [n.id for n in (self.node(i) for i in indexes) if n is not None and n.id is not None]
        return ids_to_mime(FOLDER_MIME, list(dict.fromkeys(ids)))

    def _target(self, row: int, parent: Index) -> FolderNode | None:
        node = self.node(parent)
        if node is None or node.kind == ALL:
            return None
        return node

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index) -> bool:
        target = self._target(row, parent)
        if target is None:
            return False
        if data.hasFormat(FOLDER_MIME):
            moving = ids_from_mime(data, FOLDER_MIME)
            blocked = set(moving)
            for fid in moving:
                blocked.update(self.descendant_ids(fid))
            return target.id not in blocked
        return data.hasFormat(FILE_MIME) or has_local_files(data)

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        target = self._target(row, parent)
        assert target is not None
        if data.hasFormat(FOLDER_MIME):
            self.folders_dropped.emit(ids_from_mime(data, FOLDER_MIME), target.id)
        elif data.hasFormat(FILE_MIME):
            self.files_dropped.emit(ids_from_mime(data, FILE_MIME), target.id)
        else:
            self.paths_dropped.emit(dropped_paths(data), target.id)
        return False  # nothing is removed from the source by the view; reloads show the result
