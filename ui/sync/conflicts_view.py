"""The conflicts view: every item changed on two computers, and for each one both versions side by side.

The list (a model/view list) holds the open conflicts; beside it, the chosen conflict shows its two
versions field by field, the fields changed on both computers marked "Changed on both — choose".
The artist keeps this computer's version, the other computer's, or picks per field (tick the value
to keep in each marked row). An item deleted on one computer and changed on the other is explained in
plain words and kept or deleted as a whole. Each choice is one undoable step until the next sync.
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...app.conflict_details import ConflictDetail, FieldRow
from ...app.sync_service import Side
from ...app.sync_words import count_of, entity_name
from ..widgets.field_errors import FieldErrorLabel
from ..widgets.icons import icon
from ..widgets.theme import set_semantic_foreground
from .controller import SyncController
from .words import when_text

Index = QModelIndex | QPersistentModelIndex

MINE_COLUMN = 1
THEIRS_COLUMN = 2
MAX_CELL_CHARS = 160


def _short(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= MAX_CELL_CHARS else one_line[: MAX_CELL_CHARS - 1] + "…"


def conflict_title(detail: ConflictDetail) -> str:
    name = entity_name(detail.view.entity_type)
    return f"{name[:1].upper()}{name[1:]} “{detail.view.label}”"


def conflict_summary(detail: ConflictDetail) -> str:
    kind = detail.view.kind
    if kind == "deleted_here":
        return "Deleted here, changed on the other computer"
    if kind == "deleted_there":
        return "Changed here, deleted on the other computer"
    names = ", ".join(r.label.lower() for r in detail.rows if r.conflicting)
    return f"Changed on both computers: {names}"


def explanation(detail: ConflictDetail) -> str:
    """What happened, in plain words, and what each choice does."""
    name = entity_name(detail.view.entity_type)
    kind = detail.view.kind
    if kind == "deleted_here":
        return (
            f"You deleted this {name} on this computer, but meanwhile it was changed on another computer. "
            f"Keep it deleted (it is then deleted on your other computers too), or bring back the other "
            f"computer's version of it here."
        )
    if kind == "deleted_there":
        inside = ""
        if detail.goes_with_it:
            inside = f", together with the {count_of(detail.goes_with_it, 'item')} that belong to it"
        return (
            f"This {name} was deleted on another computer, but you changed it here (or something that "
            f"belongs to it). Keep your version (it then comes back on your other computers), or delete it "
            f"here too{inside}."
        )
    return (
        f"This {name} was changed on this computer and on another one. The rows marked “Changed on both” "
        "hold different values: keep this computer's version, the other computer's, or tick the value to "
        "keep in each marked row. Changes made on only one computer are already merged."
    )


class ConflictListModel(QAbstractListModel):
    """The open conflicts: what the item is and what happened to it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ConflictDetail] = []

    def set_conflicts(self, rows: list[ConflictDetail]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def detail(self, row: int) -> ConflictDetail | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, conflict_id: str) -> int:
        return next((i for i, d in enumerate(self._rows) if d.view.id == conflict_id), -1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        detail = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{conflict_title(detail)}\n{conflict_summary(detail)}"
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return detail.view.describe()
        if role == Qt.ItemDataRole.DecorationRole:
            return icon("dialog-warning")
        if role == Qt.ItemDataRole.UserRole:
            return detail.view.id
        return None


class ConflictFieldsModel(QAbstractTableModel):
    """Both versions of one conflicting item, a row per field; in rows changed on both, a tick picks the value."""

    HEADERS = ("Field", "On this computer", "On the other computer", "")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.detail: ConflictDetail | None = None
        self._rows: list[FieldRow] = []
        self.picks: dict[str, Side] = {}
        self.show_same = False

    def set_detail(self, detail: ConflictDetail | None) -> None:
        self.beginResetModel()
        self.detail = detail
        self.picks = {}
        self._rows = self._visible(detail)
        self.endResetModel()

    def set_show_same(self, show: bool) -> None:
        self.beginResetModel()
        self.show_same = show
        self._rows = self._visible(self.detail)
        self.endResetModel()

    def _visible(self, detail: ConflictDetail | None) -> list[FieldRow]:
        if detail is None:
            return []
        return [r for r in detail.rows if self.show_same or r.differs or r.conflicting]

    @property
    def per_field(self) -> bool:
        return self.detail is not None and self.detail.view.kind == "edited_both"

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if not 0 <= section < len(self.HEADERS):
            return None
        title = self.HEADERS[section]
        d = self.detail
        if d is not None and section == MINE_COLUMN and d.mine is None:
            return f"{title} (deleted)"
        if d is not None and section == THEIRS_COLUMN and d.theirs is None:
            return f"{title} (deleted)"
        return title

    def row(self, r: int) -> FieldRow | None:
        return self._rows[r] if 0 <= r < len(self._rows) else None

    def _value(self, row: FieldRow, column: int) -> Any:
        d = self.detail
        if column == MINE_COLUMN:
            return None if d is None or d.mine is None else row.mine
        return None if d is None or d.theirs is None else row.theirs

    def _side_deleted(self, column: int) -> bool:
        d = self.detail
        if d is None:
            return False
        return (column == MINE_COLUMN and d.mine is None) or (column == THEIRS_COLUMN and d.theirs is None)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row(index.row())
        if row is None:
            return None
        column = index.column()
        if column == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return row.label
            if role == Qt.ItemDataRole.FontRole and (row.conflicting or row.differs):
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.DecorationRole and row.conflicting:
                return icon("dialog-warning")
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return f"{row.label}, {self._status(row)}"
            return None
        if column == 3:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                picked = self.picks.get(row.name) if row.conflicting else None
                if picked is not None:
                    return "Keeping this computer's value" if picked == "mine" else "Keeping the other computer's value"
                return self._status(row)
            if role == Qt.ItemDataRole.FontRole and row.conflicting:
                font = QFont()
                font.setBold(True)
                return font
            return None
        if self._side_deleted(column):
            if role == Qt.ItemDataRole.DisplayRole:
                return "—"
            if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
                return "Deleted on this computer" if column == MINE_COLUMN else "Deleted on the other computer"
            return None
        value = self._value(row, column)
        text = row.text(value)
        if role == Qt.ItemDataRole.DisplayRole:
            return _short(text)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return text
        if role == Qt.ItemDataRole.CheckStateRole and row.conflicting and self.per_field:
            side: Side = "mine" if column == MINE_COLUMN else "theirs"
            return Qt.CheckState.Checked if self.picks.get(row.name) == side else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.FontRole and row.conflicting and self.picks.get(row.name):
            side = "mine" if column == MINE_COLUMN else "theirs"
            font = QFont()
            font.setBold(self.picks.get(row.name) == side)
            font.setStrikeOut(self.picks.get(row.name) != side)
            return font
        return None

    def _status(self, row: FieldRow) -> str:
        d = self.detail
        if d is not None and d.view.kind == "deleted_there":
            return "Deleted on the other computer"
        if d is not None and d.view.kind == "deleted_here":
            return "Deleted here"
        if row.conflicting:
            return "Changed on both — choose"
        if row.differs:
            return "Changed here only — kept"
        return "Same"

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsUserCheckable if self._pickable(index) is not None else base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        row = self._pickable(index) if role == Qt.ItemDataRole.CheckStateRole else None
        if row is None:
            return False
        side: Side = "mine" if index.column() == MINE_COLUMN else "theirs"
        checked = value == Qt.CheckState.Checked or value == Qt.CheckState.Checked.value
        self.pick(row.name, side if checked else None)
        return True

    def pick(self, name: str, side: Side | None) -> None:
        if side is None:
            self.picks.pop(name, None)
        else:
            self.picks[name] = side
        r = next((i for i, row in enumerate(self._rows) if row.name == name), -1)
        if r >= 0:
            self.dataChanged.emit(self.index(r, MINE_COLUMN), self.index(r, len(self.HEADERS) - 1))

    def pick_cell(self, index: QModelIndex) -> bool:
        """A click anywhere in a value cell of a row changed on both computers picks that value."""
        row = self._pickable(index)
        if row is None:
            return False
        self.pick(row.name, "mine" if index.column() == MINE_COLUMN else "theirs")
        return True

    def _pickable(self, index: Index) -> FieldRow | None:
        """The row of a value cell the artist can pick (a field changed on both computers)."""
        if not index.isValid() or not self.per_field or index.column() not in (MINE_COLUMN, THEIRS_COLUMN):
            return None
        row = self.row(index.row())
        return row if row is not None and row.conflicting else None

    def all_picked(self) -> bool:
        d = self.detail
        return d is not None and self.per_field and all(n in self.picks for n in d.conflicting_fields)


class ConflictDetailView(QWidget):
    """One conflict: the explanation, both versions side by side, and the choices."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("conflict-detail")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title_label = QLabel(self)
        self.title_label.setObjectName("conflict-title")
        font = QFont(self.title_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setWordWrap(True)
        self.explain_label = QLabel(self)
        self.explain_label.setObjectName("conflict-explanation")
        self.explain_label.setWordWrap(True)
        self.times_label = QLabel(self)
        self.times_label.setObjectName("conflict-times")
        set_semantic_foreground(self.times_label, "muted")
        self.model = ConflictFieldsModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("conflict-fields")
        self.table.setModel(self.model)
        self.table.setAccessibleName("Both versions, field by field")
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.clicked.connect(self.model.pick_cell)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(MINE_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(THEIRS_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.show_same_check = QCheckBox("Show the fields that are the same", self)
        self.show_same_check.toggled.connect(self.model.set_show_same)
        self.error_label = FieldErrorLabel(self)
        self.error_label.setObjectName("conflict-error")

        buttons = QHBoxLayout()
        self.mine_button = QPushButton(self)
        self.mine_button.setObjectName("keep-mine")
        self.theirs_button = QPushButton(self)
        self.theirs_button.setObjectName("keep-theirs")
        self.picks_button = QPushButton("Use the ticked values", self)
        self.picks_button.setObjectName("use-picks")
        self.picks_button.setToolTip("Keep, for each row marked “Changed on both”, the value you ticked.")
        buttons.addWidget(self.mine_button)
        buttons.addWidget(self.theirs_button)
        buttons.addStretch(1)
        buttons.addWidget(self.picks_button)
        self.mine_button.clicked.connect(lambda: self.resolve("mine"))
        self.theirs_button.clicked.connect(lambda: self.resolve("theirs"))
        self.picks_button.clicked.connect(self.resolve_picks)
        self.model.dataChanged.connect(lambda *_a: self._update_buttons())
        self.model.modelReset.connect(self._update_buttons)
        self.undo_hint = QLabel("Each choice can be undone with Edit → Undo (Ctrl+Z) until the next sync.", self)
        set_semantic_foreground(self.undo_hint, "muted")

        layout.addWidget(self.title_label)
        layout.addWidget(self.explain_label)
        layout.addWidget(self.times_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.show_same_check)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        layout.addWidget(self.undo_hint)
        self.detail: ConflictDetail | None = None
        self._busy = False
        self.set_detail(None)

    def set_detail(self, detail: ConflictDetail | None) -> None:
        self.detail = detail
        self._busy = False
        self.error_label.set_error(None)
        self.model.set_detail(detail)
        if detail is None:
            self.title_label.setText("")
            self.explain_label.setText("")
            self.times_label.setText("")
            return
        self.title_label.setText(conflict_title(detail))
        self.explain_label.setText(explanation(detail))
        mine = "deleted" if detail.mine is None else f"changed {when_text(detail.mine_changed_at)}"
        theirs = "deleted" if detail.theirs is None else f"changed {when_text(detail.theirs_changed_at)}"
        self.times_label.setText(f"On this computer: {mine}  ·  On the other computer: {theirs}")
        kind = detail.view.kind
        if kind == "deleted_here":
            self.mine_button.setText("Keep it deleted")
            self.theirs_button.setText("Bring it back")
        elif kind == "deleted_there":
            self.mine_button.setText("Keep my version")
            self.theirs_button.setText("Delete it")
        else:
            self.mine_button.setText("Keep this computer's version")
            self.theirs_button.setText("Keep the other computer's version")
        self.picks_button.setVisible(kind == "edited_both")
        self.table.resizeRowsToContents()

    def _update_buttons(self) -> None:
        enabled = self.detail is not None and not self._busy and not self.controller.running
        self.mine_button.setEnabled(enabled)
        self.theirs_button.setEnabled(enabled)
        self.picks_button.setEnabled(enabled and self.model.all_picked())

    def set_enabled_for_sync(self, running: bool) -> None:
        self._update_buttons()
        self.undo_hint.setText(
            "Wait for the sync to finish to resolve conflicts."
            if running
            else "Each choice can be undone with Edit → Undo (Ctrl+Z) until the next sync."
        )

    def _failed(self, exc: BaseException) -> bool:
        if not shiboken6.isValid(self):
            return False  # the view is gone: the window's handler shows it
        self._busy = False
        self._update_buttons()
        self.error_label.set_error(str(exc))
        return True

    def resolve(self, choice: Side) -> None:
        if self.detail is None or self._busy:
            return
        self._busy = True
        self._update_buttons()
        if not self.controller.resolve(self.detail, choice, on_failure=self._failed):
            self._busy = False
            self._update_buttons()

    def resolve_picks(self) -> None:
        if self.detail is None or self._busy or not self.model.all_picked():
            return
        self._busy = True
        self._update_buttons()
        picks = dict(self.model.picks)
        if not self.controller.resolve(self.detail, None, picks, on_failure=self._failed):
            self._busy = False
            self._update_buttons()


class ConflictsDialog(QDialog):
    """The conflicts view: a list beside the chosen conflict. Stays open (not modal) while the artist works."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("conflicts-dialog")
        self.setWindowTitle("Conflicts — items changed on two computers")
        self.resize(980, 560)
        layout = QVBoxLayout(self)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.stack = QStackedWidget(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.list_model = ConflictListModel(self)
        self.list_view = QListView(self)
        self.list_view.setObjectName("conflict-list")
        self.list_view.setAccessibleName("Conflicts")
        self.list_view.setModel(self.list_model)
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list_view.setSpacing(3)
        self.list_view.setWordWrap(True)
        self.list_view.setMinimumWidth(240)
        self.detail_view = ConflictDetailView(controller, self)
        splitter.addWidget(self.list_view)
        splitter.addWidget(self.detail_view)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([280, 700])
        self.none_label = QLabel("No conflicts left. Everything on this computer is ready for the next sync.", self)
        self.none_label.setObjectName("no-conflicts")
        self.none_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(splitter)
        self.stack.addWidget(self.none_label)
        layout.addWidget(self.stack, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.list_view.selectionModel().currentChanged.connect(self._current_changed)
        controller.conflicts_changed.connect(self.reload)
        controller.state_changed.connect(self._sync_state)  # a method: disconnected when the dialog goes
        self._selected_id: str | None = None
        self.loaded = False
        self._generation = 0
        self.reload()

    def _sync_state(self, state: object) -> None:
        self.detail_view.set_enabled_for_sync(bool(getattr(state, "running", False)))

    def reload(self) -> None:
        # Reads run beside each other: two reloads in quick succession (undo, redo) may finish out of
        # order, and only the last one asked for shows what is now in the database.
        self._generation += 1
        generation = self._generation
        self.controller.load_conflicts(lambda details: self._loaded(details, generation))

    def _loaded(self, details: list[ConflictDetail], generation: int) -> None:
        if not shiboken6.isValid(self):
            return  # closed while the conflicts were read
        if generation != self._generation:
            return  # a later reload is on its way
        keep = self._selected_id
        self.list_model.set_conflicts(details)
        self.loaded = True
        n = len(details)
        self.intro.setText(
            f"{count_of(n, 'item')} changed on this computer and on another one since they last synced. "
            "Choose, for each, which version to keep; the next sync sends your choice to your other computers."
            if n
            else ""
        )
        self.intro.setVisible(bool(n))
        self.stack.setCurrentIndex(0 if n else 1)
        row = self.list_model.row_of(keep) if keep else -1
        if row < 0 and n:
            row = 0
        if row >= 0:
            self.list_view.setCurrentIndex(self.list_model.index(row))
            self._show(row)
        else:
            self.detail_view.set_detail(None)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._show(current.row())

    def _show(self, row: int) -> None:
        detail = self.list_model.detail(row)
        self._selected_id = detail.view.id if detail is not None else None
        if detail is not self.detail_view.detail:
            self.detail_view.set_detail(detail)
        self.detail_view.set_enabled_for_sync(self.controller.running)

    def select(self, conflict_id: str) -> bool:
        row = self.list_model.row_of(conflict_id)
        if row < 0:
            return False
        self.list_view.setCurrentIndex(self.list_model.index(row))
        return True

    @property
    def conflict_count(self) -> int:
        return self.list_model.rowCount()
