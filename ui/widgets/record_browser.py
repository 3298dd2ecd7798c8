"""A searchable list beside an editor form: the shape Goals, Patterns, Timeline, Journal and Contacts share.

:class:`RecordBrowser` puts a paged model/view list (``widgets.paged_model``) next to a
:class:`RecordForm`. Every write goes through the shared undo stack (``widgets.undo_commands``):
Save creates or updates, Delete asks once and can be undone. A form with unsaved changes is saved
when the artist moves to another row; if its values break a rule of the entity's schema (checked
at once, without touching the database) the list stays on the row and the errors show next to
their fields. When stored data changes (an undo, a sync) the list reloads and a form without
unsaved changes follows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QByteArray, QItemSelectionModel, QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...app.entity_service import EntityService, row_data
from ...app.errors import ValidationFailed
from ...schema.entities import EntityValidationError, validate_data
from ...schema.fields import utc_now
from ..context import UiContext
from ..section import Section
from .confirm import confirm_delete, describe_count
from .empty_state import EmptyState
from .icons import icon
from .loading_state import LoadingState
from .paged_model import PagedTableModel, SelectionKeeper, select_ids, selected_ids
from .record_form import RecordForm, muted
from .search_box import SearchBox
from .undo_commands import CreateCommand, DeleteCommand, UpdateCommand, execute


class RecordBrowser(QWidget):
    """Search, filters, New and Delete above a paged list, with the editor of the current row beside it."""

    #: the record now in the form (None: nothing selected, or a new one)
    current_changed = Signal(object)
    #: a short note for the window's status bar ("Goal “Play 20 gigs” added")
    notify = Signal(str)

    def __init__(
        self,
        ctx: UiContext,
        service: EntityService[Any],
        model: PagedTableModel,
        form: RecordForm,
        *,
        noun: str,
        plural: str,
        entity_types: Sequence[str],
        empty_title: str,
        empty_text: str,
        icon_name: str,
        orientation: Qt.Orientation = Qt.Orientation.Horizontal,
        search_placeholder: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.service = service
        self.model = model
        self.form = form
        self.noun = noun
        self.plural = plural
        self.entity_types = set(entity_types)
        self._filters: dict[str, Any] = {}
        self._fixed_filters: dict[str, Any] = {}
        self._syncing_selection = False
        self._loaded = False
        #: adds defaults to a new record's values before it is created (e.g. the contact list)
        self.new_values: Callable[[], dict[str, Any]] = dict
        #: creates a record from the form's values (worker thread); the service's create by default
        self.create_record: Callable[[dict[str, Any]], Any] = service.create

        self.search = SearchBox(search_placeholder or f"Search {plural}", self)
        self.search.search_changed.connect(self.model.set_search)
        self.new_button = QPushButton(icon("list-add"), f"New {noun}", self)
        self.new_button.setToolTip(f"Add a {noun} (Ctrl+N)")
        self.new_button.clicked.connect(self.new_item)
        self.delete_button = QToolButton(self)
        self.delete_button.setIcon(icon("edit-delete"))
        self.delete_button.setAccessibleName(f"Delete the selected {plural}")
        self.delete_button.setToolTip(f"Delete the selected {plural} (Delete)")
        self.delete_button.clicked.connect(self.delete_selected)
        self.toolbar = QHBoxLayout()
        self.toolbar.setSpacing(6)
        self.toolbar.addWidget(self.search, 1)
        self._filter_at = 1
        self.toolbar.addWidget(self.new_button)
        self.toolbar.addWidget(self.delete_button)

        self.view = QTableView(self)
        self.view.setModel(model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setSortingEnabled(False)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 14)
        self.view.horizontalHeader().setHighlightSections(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setAccessibleName(plural.capitalize())
        self.keeper = SelectionKeeper(self.view, model)
        self.view.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())

        self.empty = EmptyState(empty_title, empty_text, icon_name, self)
        self.empty.add_button(f"New {noun}", self.new_item, icon("list-add"))
        self._empty_title = empty_title
        self._empty_text = empty_text
        self.list_stack = QStackedWidget(self)
        self.list_stack.addWidget(self.view)
        self.list_stack.addWidget(self.empty)
        self.loading = LoadingState(f"Reading your {plural}…", self.list_stack)
        self.loading.fail_with(model.reload_failed, f"Your {plural}")
        self.list_stack.addWidget(self.loading)
        self.list_stack.setCurrentWidget(self.loading)  # until the first read answers

        self.placeholder = QLabel(f"Select a {noun} to see and edit it,\nor press Ctrl+N to add one.", self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        muted(self.placeholder)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(form)
        self.form_scroll = scroll
        self.form_stack = QStackedWidget(self)
        self.form_stack.addWidget(self.placeholder)
        self.form_stack.addWidget(scroll)

        left = QWidget(self)
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addLayout(self.toolbar)
        left_box.addWidget(self.list_stack, 1)
        self.splitter = QSplitter(orientation, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.form_stack)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([600, 440] if orientation == Qt.Orientation.Horizontal else [400, 300])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.splitter)

        if orientation == Qt.Orientation.Vertical:
            # a form below its list only takes room while it shows something
            self.form_stack.currentChanged.connect(
                lambda _i: self.form_stack.setVisible(self.form_stack.currentWidget() is self.form_scroll)
            )
            self.form_stack.setVisible(False)
        form.save_requested.connect(self.save)
        model.reloaded.connect(self._reloaded)
        ctx.events.changed.connect(self._data_changed)
        self._update_actions()

    # ---- set-up ------------------------------------------------------------------------------
    def add_filter(self, label: str, key: str, options: Sequence[tuple[str, Any]]) -> QComboBox:
        """A drop-down narrowing the list to rows whose ``key`` equals the chosen value (None: all)."""
        combo = QComboBox(self)
        combo.setAccessibleName(label)
        combo.setToolTip(label)
        for text, value in options:
            combo.addItem(text, value)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

        def changed(_index: int) -> None:
            value = combo.currentData()
            if value is None:
                self._filters.pop(key, None)
            else:
                self._filters[key] = value
            self._apply_filters()

        combo.currentIndexChanged.connect(changed)
        self.toolbar.insertWidget(self._filter_at, combo)
        self._filter_at += 1
        return combo

    def set_fixed_filters(self, filters: dict[str, Any]) -> None:
        """Filters the artist does not choose here (e.g. the contact list whose members are shown)."""
        self._fixed_filters = dict(filters)
        if not self._loaded:  # whoever sets them decides when the list loads
            self._loaded = True
            self._restore_state()
        self._apply_filters()

    def _apply_filters(self) -> None:
        self.model.set_filters({**self._fixed_filters, **self._filters})

    def ensure_loaded(self) -> None:
        if not self._loaded:
            self._loaded = True
            self._restore_state()
            self._apply_filters()
            self.model.reload()

    # ---- where the artist left it ------------------------------------------------------------
    def remember_as(self, key: str) -> None:
        """Keep the splitter and the selected record across restarts, under ``key`` in the window's settings."""
        self._state_key = key

    _state_key = ""

    def _settings(self) -> QSettings:
        from ..main_window import window_settings  # the window's INI file in the data folder

        return window_settings(self.ctx.workspace.paths.data)

    def _restore_state(self) -> None:
        if not self._state_key:
            return
        settings = self._settings()
        splitter = settings.value(f"{self._state_key}/splitter")
        if isinstance(splitter, QByteArray | bytes):
            self.splitter.restoreState(QByteArray(splitter))
        selected = settings.value(f"{self._state_key}/selected")
        if isinstance(selected, str) and selected:
            self.select_after_next_load(selected)

    def select_after_next_load(self, entity_id: str) -> None:
        """Select (and show in the form) ``entity_id`` once the list has loaded, if it is among the rows."""

        def select(_total: int) -> None:
            self.model.reloaded.disconnect(select)
            if self.form.record is None and not self.form.is_new:
                select_ids(self.view, self.model, [entity_id], entity_id)

        self.model.reloaded.connect(select)

    def shutdown(self) -> None:
        """The window closes: save a form's changes that can be saved, remember where the artist was."""
        if self.form.dirty and not self.precheck():
            self.save()
        if not self._state_key or not self._loaded:
            return
        settings = self._settings()
        settings.setValue(f"{self._state_key}/splitter", self.splitter.saveState())
        record = self.current_record()
        settings.setValue(f"{self._state_key}/selected", record.id if record is not None else "")
        settings.sync()

    # ---- the current record ------------------------------------------------------------------
    def current_record(self) -> Any | None:
        return self.form.record if not self.form.is_new else None

    def select_id(self, entity_id: str) -> bool:
        return select_ids(self.view, self.model, [entity_id], entity_id)

    def _current_row_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self._syncing_selection:
            return
        record = self.model.record_for(current)
        shown = self.form.record
        if record is not None and shown is not None and not self.form.is_new and record.id == shown.id:
            if not self.form.dirty:
                self._show(record)
            return
        if self.form.dirty and not self._leave_form():
            # the form's values are wrong: stay on its row (or on nothing, for a new record)
            QTimer.singleShot(0, self._reselect_form_record)
            return
        self._show(record)

    def reset_form(self) -> None:
        """Show no record (saving the form's changes first, when they can be saved)."""
        if self.form.dirty:
            self._leave_form()
        self._show(None)

    def _show(self, record: Any | None) -> None:
        if record is None:
            self.form.load(None)
            self.form_stack.setCurrentWidget(self.placeholder)
        else:
            self.form.load(record)
            self.form_stack.setCurrentWidget(self.form_scroll)
        self._update_actions()
        self.current_changed.emit(record)

    def _reselect_form_record(self) -> None:
        self._syncing_selection = True
        try:
            record = self.form.record
            if record is not None and not self.form.is_new and self.model.row_of(record.id) is not None:
                select_ids(self.view, self.model, [record.id], record.id)
            else:
                self.view.selectionModel().clear()
        finally:
            self._syncing_selection = False

    def _leave_form(self) -> bool:
        """Save the form's changes before showing another record; False if they cannot be saved."""
        problems = self.precheck()
        if problems:
            self.form.errors.show(problems)
            return False
        self.save()
        return True

    def precheck(self) -> dict[str, str]:
        """The errors the form's values would get from the entity's schema (no database needed)."""
        values, problems = self.form.collect()
        if problems:
            return problems
        now = utc_now()
        if self.form.is_new or self.form.record is None:
            data = {**self.service.defaults(), **self.new_values(), **values}
        else:
            data = {**row_data(self.form.record, self.service.entity_type), **values}
        try:
            validate_data(self.service.entity_type, {**data, "created_at": now, "updated_at": now})
        except EntityValidationError as exc:
            return dict(exc.errors)
        return {}

    # ---- actions -----------------------------------------------------------------------------
    def save(self) -> None:
        """Create or update from the form; errors show next to their fields and nothing is written."""
        form = self.form
        values, problems = form.collect()
        if problems:
            form.errors.show(problems)
            return
        if form.is_new:
            self._create({**self.new_values(), **values})
            return
        record = form.record
        if record is None:
            return
        changes = form.changes(values)
        if not changes:
            return
        title = self._title_of(values, record)
        command = UpdateCommand(
            self.ctx,
            self.service,
            record.id,
            changes,
            text=f"Edit {self.noun} “{title}”",
            entity_types=self.entity_types,
        )
        record_id = record.id

        def saved(row: Any) -> None:
            self.notify.emit(f"Saved the {self.noun} “{title}”")
            same_record = form.record is not None and not form.is_new and form.record.id == record_id
            if same_record and (not form.dirty or form.changes(form.collect()[0]) == changes):
                form.load(row)
                self.current_changed.emit(row)

        execute(self.ctx, command, on_success=saved, on_failure=self._failed_for(record_id))

    def _create(self, values: dict[str, Any]) -> None:
        form = self.form
        title = self._title_of(values, None)
        create = self.create_record
        command = CreateCommand(
            self.ctx,
            f"Add {self.noun} “{title}”",
            self.entity_types,
            create=lambda op: create(values),
            service=self.service,
        )

        def created(row: Any) -> None:
            self.notify.emit(f"Added the {self.noun} “{title}”" if title else f"Added a {self.noun}")
            self.keeper.expect([row.id])
            if form.is_new:
                form.load(row)
                self.form_stack.setCurrentWidget(self.form_scroll)
                self.current_changed.emit(row)
            self._select_when_loaded(row.id)

        execute(self.ctx, command, on_success=created, on_failure=self._failed_for(None))

    def _select_when_loaded(self, entity_id: str) -> None:
        def select(_total: int) -> None:
            self.model.reloaded.disconnect(select)
            self._syncing_selection = True
            try:
                select_ids(self.view, self.model, [entity_id], entity_id)
            finally:
                self._syncing_selection = False

        self.model.reloaded.connect(select)

    def _failed_for(self, record_id: str | None) -> Callable[[BaseException], bool]:
        form = self.form

        def failed(exc: BaseException) -> bool:
            still_here = (form.is_new and record_id is None) or (
                record_id is not None and form.record is not None and form.record.id == record_id
            )
            if isinstance(exc, ValidationFailed) and still_here:
                form.errors.show(exc.errors)
                return True
            return False

        return failed

    @staticmethod
    def _title_of(values: dict[str, Any], record: Any | None) -> str:
        for key in ("title", "name", "email", "phone"):
            value = values.get(key) or (getattr(record, key, None) if record is not None else None)
            if value:
                text = str(value)
                return text if len(text) <= 40 else text[:39] + "…"
        return ""

    def new_item(self) -> None:
        if self.form.dirty and not self._leave_form():
            return
        self._syncing_selection = True
        try:
            self.view.selectionModel().clearSelection()
            self.view.selectionModel().setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.NoUpdate)
        finally:
            self._syncing_selection = False
        self.form_stack.setCurrentWidget(self.form_scroll)
        self.form.start_new()
        self._update_actions()
        self.current_changed.emit(None)

    def selected_ids(self) -> list[str]:
        return selected_ids(self.view, self.model)

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        if len(ids) == 1:
            row = self.model.row_of(ids[0])
            record = self.model.record(row) if row is not None else None
            title = self._title_of({}, record)
            what = f"the {self.noun} “{title}”" if title else f"this {self.noun}"
        else:
            what = describe_count(len(ids), self.noun, self.plural)
        if not confirm_delete(self, what, self.delete_detail(ids)):
            return
        command = DeleteCommand(
            self.ctx,
            self.service,
            ids,
            text=f"Delete {what}",
            entity_types=self.entity_types,
        )
        shown = self.form.record

        def deleted(_snapshot: Any) -> None:
            self.notify.emit(f"Deleted {what}. Undo (Ctrl+Z) brings it back.")
            if shown is not None and shown.id in ids and self.form.record is shown:
                self._show(None)

        execute(self.ctx, command, on_success=deleted)

    def delete_detail(self, ids: Sequence[str]) -> str:
        """Extra words for the delete question (e.g. what else goes with it)."""
        return ""

    def rename_selected(self) -> None:
        if self.form.record is None and not self.form.is_new:
            ids = self.selected_ids()
            if not ids:
                return
        self.form_stack.setCurrentWidget(self.form_scroll)
        self.form.focus_title()

    def focus_search(self) -> None:
        self.search.focus_and_select()

    # ---- keeping up with the data ---------------------------------------------------------------
    def _data_changed(self, types: set[str]) -> None:
        if not self._loaded:
            return
        if not types or types & self.entity_types:
            self.model.reload()

    def _reloaded(self, total: int) -> None:
        filtering = bool(self.model.query.search) or bool(self._filters)
        if total == 0 and not filtering:
            self.empty.set_text(self._empty_title, self._empty_text)
            self.list_stack.setCurrentWidget(self.empty)
        else:
            self.list_stack.setCurrentWidget(self.view)
        record = self.form.record
        if record is None or self.form.is_new:
            return
        row = self.model.row_of(record.id)
        if row is not None:
            fresh = self.model.record(row)
            # every column counts, local ones too (a goal's current value follows its progress)
            if not self.form.dirty and fresh.model_dump() != record.model_dump():
                self.form.load(fresh)
                self.current_changed.emit(fresh)
            return
        record_id = record.id

        def gone(found: Any | None) -> None:
            if found is None and self.form.record is not None and self.form.record.id == record_id:
                self._show(None)

        self.ctx.ops.read(lambda op: self.service.find(record_id)).success(gone).run()

    def _update_actions(self) -> None:
        self.delete_button.setEnabled(bool(self.selected_ids()))

    def set_empty_text(self, title: str, text: str) -> None:
        self._empty_title = title
        self._empty_text = text
        self.empty.set_text(title, text)


def stretch_columns(view: QTableView, widths: dict[int, int], stretch: int) -> None:
    """Give columns starting widths (in average characters) and let one take the remaining space."""
    header = view.horizontalHeader()
    char = view.fontMetrics().averageCharWidth()
    header.setStretchLastSection(False)
    for column, chars in widths.items():
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, chars * char + 24)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


class BrowserSection(Section):
    """A section that is one :class:`RecordBrowser`: the window's shortcuts go to it."""

    browser: RecordBrowser

    def connect_browser(self, browser: RecordBrowser) -> None:
        """Pass the browser's notes on to the window's status bar; remember where the artist left it."""
        browser.notify.connect(self.message.emit)
        browser.remember_as(f"sections/{self.title}")

    def shutdown(self) -> None:
        self.browser.shutdown()

    def activate(self) -> None:
        self.browser.ensure_loaded()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        self.browser.ensure_loaded()
        super().showEvent(event)

    def new_item(self) -> None:
        self.browser.new_item()

    def delete_selected(self) -> None:
        self.browser.delete_selected()

    def rename_selected(self) -> None:
        self.browser.rename_selected()

    def focus_search(self) -> None:
        self.browser.focus_search()
