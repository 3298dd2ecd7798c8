"""A table model that reads its rows page by page, off the UI thread, so 50,000 rows never load at once.

The model knows the total (``count()``) but holds only the rows fetched so far; the view asks for
more (``canFetchMore``/``fetchMore``) as the person scrolls, and each page is read on a reader
thread through ``ctx.ops.read``. Searching, filtering and sorting change the query and reload. A
reload re-reads as many rows as were loaded (in one query, on a worker thread) and, when the same
rows come back in the same order, only signals changed data so selection and scroll stay put.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QAbstractItemView

from ...app.entity_service import EntityService, ListQuery
from ..context import UiContext
from ..operations import OpContext

Index = QModelIndex | QPersistentModelIndex

_RECORD_TYPES: dict[type, Any] = {}


def light_records(rows: Sequence[Any]) -> list[Any]:
    """Rows of one table as plain named tuples (same attribute names, fields read once).

    A list view may hold tens of thousands of loaded rows. ORM objects are heavy and full of
    reference cycles, so the garbage collector's full passes over them pause every thread (it holds
    the GIL) for hundreds of milliseconds; tuples of plain values are cheap and the collector
    stops tracking them. Models that page through big tables keep these instead.
    """
    if not rows:
        return []
    cls = type(rows[0])
    record_type: Any = _RECORD_TYPES.get(cls)
    if record_type is None:
        record_type = _RECORD_TYPES[cls] = namedtuple(f"{cls.__name__}Record", list(cls.model_fields))  # type: ignore[misc]
    fields = record_type._fields
    return [record_type(*(getattr(row, f) for f in fields)) for row in rows]


@dataclass(frozen=True)
class Column:
    """One column: its header, how a row shows in it, and the database column it sorts by."""

    key: str
    title: str
    display: Callable[[Any], str] | None = None
    sort_by: str | None = None
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    tooltip: Callable[[Any], str | None] | None = None

    def text(self, record: Any) -> str:
        if self.display is not None:
            return self.display(record)
        value = getattr(record, self.key, None)
        return "" if value is None else str(value)


@dataclass
class _Page:
    generation: int
    offset: int
    total: int
    records: list[Any] = field(default_factory=list)


class PagedTableModel(QAbstractTableModel):
    """Rows of one service's list, fetched in pages. Subclass to add roles, flags and drag and drop.

    A record is what :meth:`fetch_records` returns for a row (by default the service's row
    object); :meth:`record_id` names it. Override :meth:`fetch_records` to compute per-row facts on
    the worker thread (e.g. whether a file's content is on this computer).
    """

    #: a reload (or the first load) finished; the argument is the total row count
    reloaded = Signal(int)
    #: a reload failed (the window's error handler shows the error); the argument is the exception
    reload_failed = Signal(object)
    #: a further page arrived
    page_loaded = Signal(int)

    def __init__(
        self,
        ctx: UiContext,
        service: EntityService[Any],
        columns: Sequence[Column],
        page_size: int = 200,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.service = service
        self.columns = list(columns)
        self.page_size = page_size
        self.query = ListQuery()
        self._records: list[Any] = []
        self._row_of: dict[str, int] = {}
        self._total = 0
        self._generation = 0
        self._fetching = False
        self._reloading = False
        self._reload_again = False
        self._reload_keep = True
        self._loaded_once = False

    # ---- what the subclass may override (worker thread) --------------------------------------
    def fetch_records(self, query: ListQuery) -> list[Any]:
        return list(self.service.list(query))

    def fetch_count(self, query: ListQuery) -> int:
        return self.service.count(query)

    def record_id(self, record: Any) -> str:
        return str(record.id)

    # ---- the query ---------------------------------------------------------------------------
    def set_search(self, text: str) -> None:
        if (self.query.search or "") != text:
            self.query = replace(self.query, search=text or None)
            self.reload(keep=False)

    def set_filters(self, filters: dict[str, Any]) -> None:
        if self.query.filters != filters:
            self.query = replace(self.query, filters=dict(filters))
            self.reload(keep=False)

    def set_order(self, order_by: Sequence[str]) -> None:
        if tuple(self.query.order_by) != tuple(order_by):
            self.query = replace(self.query, order_by=tuple(order_by))
            self.reload(keep=False)

    # ---- loading -----------------------------------------------------------------------------
    @property
    def loaded_once(self) -> bool:
        """Whether the first load finished (before it, an empty model means "not known yet")."""
        return self._loaded_once

    @property
    def loading(self) -> bool:
        return self._reloading or self._fetching

    def count(self) -> int:
        """The number of rows the query matches (fetched or not)."""
        return self._total

    def reload(self, keep: bool = True) -> None:
        """Read the query again; with ``keep`` re-read as many rows as are loaded now."""
        if self._reloading:
            self._reload_again = True
            self._reload_keep = keep
            return
        self._reloading = True
        self._reload_again = False
        self._generation += 1
        generation = self._generation
        query = self.query
        limit = max(self.page_size, len(self._records)) if keep else self.page_size

        def read(op: OpContext) -> _Page:
            total = self.fetch_count(query)
            records = self.fetch_records(replace(query, offset=0, limit=limit))
            return _Page(generation, 0, total, records)

        def failed(exc: BaseException) -> bool:
            self._reload_finished()
            self.reload_failed.emit(exc)
            return False

        self.ctx.ops.read(read).success(self._apply_reload).failure(failed).run()

    def _reload_finished(self) -> None:
        self._reloading = False
        if self._reload_again:
            self.reload(self._reload_keep)

    def _apply_reload(self, page: _Page) -> None:
        if page.generation != self._generation:
            self._reload_finished()
            return
        self._fetching = False
        new_ids = [self.record_id(r) for r in page.records]
        same_rows = new_ids == [self.record_id(r) for r in self._records]
        if same_rows and self._records:
            self._records = page.records
            self._total = page.total
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._records) - 1, max(0, self.columnCount() - 1)))
        else:
            self.beginResetModel()
            self._records = page.records
            self._row_of = {rid: i for i, rid in enumerate(new_ids)}
            self._total = page.total
            self.endResetModel()
        self._total = max(page.total, len(self._records))
        self._loaded_once = True
        self._reload_finished()
        self.reloaded.emit(self._total)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid():
            return False
        return not self._fetching and not self._reloading and len(self._records) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        generation = self._generation
        offset = len(self._records)
        query = replace(self.query, offset=offset, limit=self.page_size)

        def read(op: OpContext) -> _Page:
            return _Page(generation, offset, -1, self.fetch_records(query))

        def failed(exc: BaseException) -> bool:
            self._fetching = False
            return False

        self.ctx.ops.read(read).success(self._apply_page).failure(failed).run()

    def _apply_page(self, page: _Page) -> None:
        if page.generation != self._generation:
            return  # a reload replaced the rows meanwhile (and reset the fetching flag)
        if page.offset != len(self._records):
            self._fetching = False
            return
        if not page.records:
            self._fetching = False
            self._total = len(self._records)
            return
        first = len(self._records)
        # still "fetching" while rows are inserted: a view reacting to rowsInserted must not ask again
        self.beginInsertRows(QModelIndex(), first, first + len(page.records) - 1)
        for i, record in enumerate(page.records):
            self._row_of[self.record_id(record)] = first + i
        self._records.extend(page.records)
        self.endInsertRows()
        self._total = max(self._total, len(self._records))
        self._fetching = False
        self.page_loaded.emit(len(page.records))

    # ---- rows --------------------------------------------------------------------------------
    def record(self, row: int) -> Any:
        return self._records[row]

    def records(self) -> list[Any]:
        return list(self._records)

    def id_at(self, row: int) -> str:
        return self.record_id(self._records[row])

    def row_of(self, entity_id: str) -> int | None:
        return self._row_of.get(entity_id)

    def record_for(self, index: Index) -> Any | None:
        if not index.isValid() or index.row() >= len(self._records):
            return None
        return self._records[index.row()]

    # ---- QAbstractTableModel -----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._records) or index.column() >= len(self.columns):
            return None
        record = self._records[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(record)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(record)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align.value)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{column.title}: {column.text(record)}"
        return self.extra_data(record, column, role)

    def extra_data(self, record: Any, column: Column, role: int) -> Any:
        """Other roles (decoration, font, ...) for a subclass."""
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.columns[section].title
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(self.columns[section].align.value)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        key = self.columns[column].sort_by
        if key is None:
            return
        self.set_order([key if order == Qt.SortOrder.AscendingOrder else f"-{key}"])


class SelectionKeeper(QObject):
    """Keeps a view's selection (by entity id) across its paged model's resets."""

    def __init__(self, view: QAbstractItemView, model: PagedTableModel) -> None:
        super().__init__(view)
        self._view = view
        self._model = model
        self._ids: list[str] = []
        self._current: str | None = None
        self._expected: list[str] | None = None
        model.modelAboutToBeReset.connect(self._remember)
        model.modelReset.connect(self._restore)
        model.reloaded.connect(self._reload_done)

    def _remember(self) -> None:
        sel = self._view.selectionModel()
        if sel is None:
            return
        rows = self._model.rowCount()
        self._ids = [self._model.id_at(i.row()) for i in sel.selectedRows() if i.row() < rows]
        cur = sel.currentIndex()
        self._current = self._model.id_at(cur.row()) if cur.isValid() and cur.row() < rows else None

    def _restore(self) -> None:
        if self._expected is not None:
            ids = self._expected
            if any(self._model.row_of(i) is not None for i in ids):
                self._expected = None
                select_ids(self._view, self._model, ids, ids[0] if ids else None)
                return
        select_ids(self._view, self._model, self._ids, self._current)

    def _reload_done(self, _total: int) -> None:
        if self._expected is not None and any(self._model.row_of(i) is not None for i in self._expected):
            ids, self._expected = self._expected, None
            select_ids(self._view, self._model, ids, ids[0] if ids else None)

    def expect(self, ids: Sequence[str]) -> None:
        """Select these ids once they are loaded (e.g. a row being created or moved)."""
        self._expected = list(ids)


def select_ids(view: QAbstractItemView, model: PagedTableModel, ids: Sequence[str], current: str | None = None) -> bool:
    """Select the loaded rows with these ids; True if any was found."""
    sel = view.selectionModel()
    if sel is None:
        return False
    selection = QItemSelection()
    last = model.columnCount() - 1
    found = False
    for entity_id in ids:
        row = model.row_of(entity_id)
        if row is None:
            continue
        found = True
        selection.select(model.index(row, 0), model.index(row, last))
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
    sel.select(selection, flags)
    cur_row = model.row_of(current) if current else None
    if cur_row is not None:
        sel.setCurrentIndex(model.index(cur_row, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
        view.scrollTo(model.index(cur_row, 0))
    return found


def selected_ids(view: QAbstractItemView, model: QAbstractItemModel) -> list[str]:
    """Ids of the selected rows of a view over a :class:`PagedTableModel`, in row order."""
    sel = view.selectionModel()
    if sel is None or not isinstance(model, PagedTableModel):
        return []
    rows = sorted({i.row() for i in sel.selectedRows()})
    return [model.id_at(r) for r in rows if r < model.rowCount()]
