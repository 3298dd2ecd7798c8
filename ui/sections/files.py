"""The Files section: a folder tree beside a file list, with imports, moves, exports and the storage bar.

The tree holds the folders (an artist has tens or hundreds, so they are read whole, off the UI
thread); the list is a paged model, so a folder of 50,000 files opens at once. Files and folders
are created, renamed (F2, in place), moved (drag and drop onto a folder) and deleted (asking once)
as undoable steps. Files dropped from the desktop are imported into the folder they land on, on
the writer thread with progress. A file whose content is not on this computer (it arrives with the
next sync) is marked. Opening a file hands a copy with its real name to the system's application;
the file store itself is never exposed. The tree and list models are in ui/widgets/ (folder_tree,
file_list); the import itself is the app's use case (app/importing.py).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ...app.errors import ValidationFailed
from ...app.importing import ImportCancelled, ImportOutcome, import_files
from ...app.records import File, Folder
from ..context import UiContext
from ..operations import Cancelled, OpContext
from ..section import Section
from ..widgets.confirm import confirm_delete, describe_count
from ..widgets.drops import dropped_paths, has_local_files
from ..widgets.empty_state import EmptyState
from ..widgets.field_errors import FieldErrorLabel
from ..widgets.file_list import CATEGORIES, CATEGORY_LABELS, FileModel, FileRow
from ..widgets.folder_tree import ALL, ROOT, FolderTreeModel
from ..widgets.icons import icon
from ..widgets.loading_state import LoadingState
from ..widgets.paged_model import SelectionKeeper, select_ids, selected_ids
from ..widgets.search_box import SearchBox
from ..widgets.storage_bar import StorageBar
from ..widgets.theme import set_semantic_foreground
from ..widgets.undo_commands import CallCommand, CreateCommand, DeleteCommand, UpdateCommand, execute, reassign_steps


class FilesSection(Section):
    title = "Files"
    icon_name = "folder"

    #: the storage bar was updated (used bytes, limit bytes)
    storage_updated = Signal("qint64", "qint64")  # type: ignore[arg-type]
    #: a copy was handed to the system's application (its path)
    opened = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.folders = FolderTreeModel(ctx, self)
        self.model = FileModel(ctx, self)
        self.current_folder: str | None = None  # the folder shown (None: top level)
        self.showing_all = True
        self._active = False
        self._stale = True
        self._import_op: Any = None
        self._expanded: set[str] = set()
        self._pending_edit: str | None = None  # a folder just created, to name in place
        self._build()
        self.setAcceptDrops(True)
        ctx.events.changed.connect(self._data_changed)
        self.folders.reloaded.connect(self._folders_reloaded)
        self.folders.rename_requested.connect(self.rename_folder)
        self.folders.folders_dropped.connect(self.move_folders)
        self.folders.files_dropped.connect(self.move_files)
        self.folders.paths_dropped.connect(self.import_paths)
        self.model.rename_requested.connect(self.rename_file)
        self.model.paths_dropped.connect(lambda paths: self.import_paths(paths, self.target_folder()))
        self.model.reloaded.connect(self._files_reloaded)

    # ---- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 8)
        outer.setSpacing(8)
        top = QHBoxLayout()
        heading = QLabel("Files", self)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        top.addWidget(heading)
        self.count_label = QLabel(self)
        top.addWidget(self.count_label)
        top.addStretch(1)
        self.category = QComboBox(self)
        self.category.setAccessibleName("Kind of file")
        for value, label in CATEGORIES:
            self.category.addItem(label, value)
        self.category.currentIndexChanged.connect(lambda _i: self._apply_filters())
        top.addWidget(self.category)
        self.search = SearchBox("Search files by name or type", self)
        self.search.setMinimumWidth(240)
        self.search.search_changed.connect(self.model.set_search)
        top.addWidget(self.search)
        outer.addLayout(top)

        buttons = QHBoxLayout()
        self.new_folder_button = QPushButton(icon("folder-new"), "New folder", self)
        self.new_folder_button.clicked.connect(self.new_folder)
        self.import_button = QPushButton(icon("list-add"), "Import files…", self)
        self.import_button.clicked.connect(self.choose_files)
        self.open_button = QPushButton(icon("document-open"), "Open", self)
        self.open_button.setToolTip("Open a copy with the application your computer uses for this kind of file")
        self.open_button.clicked.connect(self.open_selected)
        self.export_button = QPushButton(icon("document-save-as"), "Export a copy…", self)
        self.export_button.clicked.connect(self.export_selected)
        self.kind_button = QPushButton("Change kind", self)
        self.kind_button.setObjectName("change-kind")
        self.kind_button.setToolTip("Say what the selected files are: press photo, music, video, document or other")
        self.kind_menu = QMenu(self.kind_button)
        for value, label in CATEGORY_LABELS.items():
            action = self.kind_menu.addAction(label)
            action.setData(value)
            action.triggered.connect(lambda _c=False, v=value: self.set_kind(self.selected_file_ids(), v))
        self.kind_button.setMenu(self.kind_menu)
        for b in (self.new_folder_button, self.import_button, self.open_button, self.export_button, self.kind_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.path_label = QLabel(self)
        self.path_label.setObjectName("folder-path")
        buttons.addWidget(self.path_label)
        outer.addLayout(buttons)

        self.import_bar = QWidget(self)
        ib = QHBoxLayout(self.import_bar)
        ib.setContentsMargins(0, 0, 0, 0)
        self.import_label = QLabel(self.import_bar)
        self.import_progress = QProgressBar(self.import_bar)
        self.import_progress.setAccessibleName("Import progress")
        cancel = QPushButton("Cancel", self.import_bar)
        cancel.clicked.connect(self.cancel_import)
        ib.addWidget(self.import_label)
        ib.addWidget(self.import_progress, 1)
        ib.addWidget(cancel)
        self.import_bar.hide()
        outer.addWidget(self.import_bar)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.tree = QTreeView(splitter)
        self.tree.setObjectName("folder-tree")
        self.tree.setAccessibleName("Folders")
        self.tree.setModel(self.folders)
        self.tree.setHeaderHidden(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.tree.setDragEnabled(True)
        self.tree.setAcceptDrops(True)
        self.tree.setDropIndicatorShown(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.tree.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.tree.setMinimumWidth(200)
        self.tree.selectionModel().currentChanged.connect(self._folder_chosen)
        self.tree.expanded.connect(lambda i: self._remember_expanded(i, True))
        self.tree.collapsed.connect(lambda i: self._remember_expanded(i, False))
        splitter.addWidget(self.tree)

        right = QWidget(splitter)
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        self.list_stack = QStackedWidget(right)
        self.empty = EmptyState(
            "Your files",
            "Keep press photos, riders, stage plots, stems and videos together. Drop files here or "
            "import them; make folders to keep them in order.",
            "folder",
            self.list_stack,
        )
        self.empty.add_button("Import files…", self.choose_files, icon("list-add"))
        self.empty.add_button("New folder", self.new_folder, icon("folder-new"))
        self.list_stack.addWidget(self.empty)
        self.table = QTableView(self.list_stack)
        self.table.setObjectName("files-table")
        self.table.setAccessibleName("Files")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().hide()
        self.table.setCornerButtonEnabled(False)
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.setDragEnabled(True)
        self.table.setAcceptDrops(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.table.setDefaultDropAction(Qt.DropAction.MoveAction)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((1, 110), (2, 90), (3, 150), (4, 100)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.keeper = SelectionKeeper(self.table, self.model)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.list_stack.addWidget(self.table)
        self.loading = LoadingState("Reading your files…", self.list_stack)
        self.loading.fail_with(self.model.reload_failed, "Your files")
        self.list_stack.addWidget(self.loading)
        self.list_stack.setCurrentWidget(self.loading)  # until the first read answers
        rv.addWidget(self.list_stack, 1)
        self.error_label = FieldErrorLabel(right)
        rv.addWidget(self.error_label)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setCollapsible(1, False)
        splitter.setSizes([240, 800])
        self.splitter = splitter
        outer.addWidget(splitter, 1)

        bottom = QHBoxLayout()
        self.storage = StorageBar(self)
        self.storage_bar = self.storage.bar
        self.storage_label = self.storage.label
        self.missing_label = QLabel(self)
        set_semantic_foreground(self.missing_label, "muted")
        bottom.addWidget(self.storage, 1)
        bottom.addStretch(1)
        bottom.addWidget(self.missing_label)
        outer.addLayout(bottom)
        self._update_buttons()

    # ---- loading -----------------------------------------------------------------------------
    def activate(self) -> None:
        self._active = True
        if self._stale:
            self._stale = False
            self.folders.reload()
            self._apply_filters(force=True)
            self.refresh_storage()

    def _data_changed(self, types: set[str]) -> None:
        if types and not types & {"files", "folders"}:
            return
        if not self._active:
            self._stale = True
            return
        if not types or "folders" in types:
            self.folders.reload()
        self.model.reload()
        self.refresh_storage()

    def refresh_storage(self) -> None:
        files = self.ctx.workspace.files

        def read(_op: OpContext) -> tuple[int, int, int]:
            storage = files.storage()
            return storage.used_bytes, storage.limit_bytes, files.count_missing()

        def show(result: tuple[int, int, int]) -> None:
            used, limit, missing = result
            self.storage.show_usage(used, limit)
            self.missing_label.setText(f"{describe_count(missing, 'file')} not on this computer yet" if missing else "")
            self.storage_updated.emit(used, limit)

        self.ctx.ops.read(read).success(show).run()

    def _folders_reloaded(self) -> None:
        for fid in list(self._expanded):
            index = self.folders.index_for_folder(fid)
            if index.isValid():
                self.tree.expand(index)
            else:
                self._expanded.discard(fid)
        self.tree.expand(self.folders.index_of(self.folders.root_node))
        if (
            not self.showing_all
            and self.current_folder is not None
            and not self.folders.folder_name(self.current_folder)
        ):
            self.current_folder = None  # the folder is gone (deleted, or undone)
        node = self.folders.all_node if self.showing_all else None
        target = self.folders.index_of(node) if node else self.folders.index_for_folder(self.current_folder)
        self.tree.selectionModel().setCurrentIndex(target, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self._apply_filters()
        self._update_path()
        self._start_pending_edit()

    def _remember_expanded(self, index: QModelIndex, expanded: bool) -> None:
        node = self.folders.node(index)
        if node is None or node.id is None:
            return
        if expanded:
            self._expanded.add(node.id)
        else:
            self._expanded.discard(node.id)

    def _folder_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        node = self.folders.node(current)
        if node is None:
            return
        self.showing_all = node.kind in (ALL, ROOT)  # "My files": every file
        self.current_folder = node.id
        self._apply_filters()
        self._update_path()

    def _update_path(self) -> None:
        self.path_label.setText(self.folders.path_text(None if self.showing_all else self.current_folder))

    def _apply_filters(self, force: bool = False) -> None:
        filters: dict[str, Any] = {}
        if not self.showing_all:
            filters["folder_id"] = self.current_folder
        category = self.category.currentData()
        if category:
            filters["category"] = category
        if force:
            self.model.query = replace(self.model.query, filters=filters)
            self.model.reload(keep=False)
        else:
            self.model.set_filters(filters)

    def _files_reloaded(self, total: int) -> None:
        filtered = bool(self.model.query.search or self.category.currentData())
        nothing_at_all = total == 0 and self.showing_all and not filtered and not self.folders.root_node.children
        if nothing_at_all:
            self.empty.set_text(
                "Your files",
                "Keep press photos, riders, stage plots, stems and videos together. Drop files here or "
                "import them; make folders to keep them in order.",
            )
        elif total == 0 and not filtered:
            where = "This folder" if not self.showing_all else "Nothing here yet:"
            self.empty.set_text("No files here yet", f"{where} is empty. Drop files here or import them.")
        elif total == 0:
            self.empty.set_text("No files match", "Try another kind of file or clear the search.")
        self.list_stack.setCurrentWidget(self.empty if total == 0 else self.table)
        self.count_label.setText(describe_count(total, "file"))
        self._update_buttons()

    def _update_buttons(self) -> None:
        rows = self.selected_rows()
        one = len(rows) == 1
        self.open_button.setEnabled(one and rows[0].available)
        self.export_button.setEnabled(one and rows[0].available)
        self.kind_button.setEnabled(bool(rows))

    # ---- selection ---------------------------------------------------------------------------
    def selected_file_ids(self) -> list[str]:
        return selected_ids(self.table, self.model)

    def selected_rows(self) -> list[FileRow]:
        rows = []
        for fid in self.selected_file_ids():
            row = self.model.row_of(fid)
            if row is not None:
                rows.append(self.model.record(row))
        return rows

    def select_folder(self, folder_id: str | None) -> None:
        index = self.folders.index_for_folder(folder_id)
        self.tree.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def select_all_files_view(self) -> None:
        index = self.folders.index_of(self.folders.all_node)
        self.tree.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def select_files(self, ids: list[str]) -> bool:
        return select_ids(self.table, self.model, ids, ids[0] if ids else None)

    def target_folder(self) -> str | None:
        """Where new things go: the folder shown (the top level when showing all files)."""
        return None if self.showing_all else self.current_folder

    def _fail_here(self, exc: BaseException) -> bool:
        if isinstance(exc, ValidationFailed):
            self.error_label.set_error(str(exc))
            return True
        return False

    # ---- folders -----------------------------------------------------------------------------
    def new_folder(self, name: str | None = None, edit: bool = True) -> None:
        parent_id = self.target_folder()
        taken = self.folders.child_names(parent_id)
        base = name or "New folder"
        chosen, n = base, 2
        while chosen in taken:
            chosen, n = f"{base} {n}", n + 1
        folders = self.ctx.workspace.folders
        self.error_label.set_error(None)

        def done(folder: Folder) -> None:
            if parent_id is not None:
                self._expanded.add(parent_id)
            self._pending_edit = folder.id if edit else None
            self.message.emit(f"Folder “{folder.name}” created")

        command = CreateCommand(
            self.ctx,
            f"New folder “{chosen}”",
            {"folders"},
            lambda _op: folders.create({"name": chosen, "parent_folder_id": parent_id}),
            service=folders,
        )
        execute(self.ctx, command, on_success=done, on_failure=self._fail_here)

    def _start_pending_edit(self) -> None:
        folder_id = self._pending_edit
        if folder_id:
            self._pending_edit = None
            index = self.folders.index_for_folder(folder_id)
            if index.isValid():
                self.tree.scrollTo(index)
                self.tree.setCurrentIndex(index)
                self.tree.edit(index)

    def rename_folder(self, folder_id: str, name: str) -> None:
        self.error_label.set_error(None)
        old = self.folders.folder_name(folder_id)
        command = UpdateCommand(
            self.ctx,
            self.ctx.workspace.folders,
            folder_id,
            {"name": name.strip()},
            f"Rename folder “{old}”",
            {"folders"},
        )
        execute(self.ctx, command, on_failure=self._fail_here)

    def move_folders(self, folder_ids: list[str], target_id: str | None) -> None:
        folders = self.ctx.workspace.folders
        do, undo, redo = reassign_steps(folder_ids, lambda i: folders.get(i).parent_folder_id, folders.move, target_id)
        self.error_label.set_error(None)
        if target_id is not None:
            self._expanded.add(target_id)
        where = self.folders.folder_name(target_id)
        command = CallCommand(self.ctx, f"Move folder to “{where}”", {"folders"}, do, undo, redo)
        execute(
            self.ctx,
            command,
            on_success=lambda _r: self.message.emit(f"Moved to “{where}”"),
            on_failure=self._fail_here,
        )

    # ---- files -------------------------------------------------------------------------------
    def move_files(self, file_ids: list[str], target_id: str | None) -> None:
        files = self.ctx.workspace.files
        do, undo, redo = reassign_steps(file_ids, lambda i: files.get(i).folder_id, files.move, target_id)
        self.error_label.set_error(None)
        where = self.folders.folder_name(target_id)
        what = describe_count(len(file_ids), "file")
        command = CallCommand(self.ctx, f"Move {what} to “{where}”", {"files"}, do, undo, redo)
        execute(
            self.ctx,
            command,
            on_success=lambda _r: self.message.emit(f"{what} moved to “{where}”"),
            on_failure=self._fail_here,
        )

    def set_kind(self, file_ids: list[str], category: str) -> None:
        """Change the kind (category) of files, as one undoable step."""
        if not file_ids:
            return
        files = self.ctx.workspace.files
        do, undo, redo = reassign_steps(
            file_ids, lambda i: files.get(i).category, lambda i, kind: files.update(i, {"category": kind}), category
        )
        self.error_label.set_error(None)
        label = CATEGORY_LABELS.get(category, category)
        what = describe_count(len(file_ids), "file")
        command = CallCommand(self.ctx, f"Mark {what} as {label}", {"files"}, do, undo, redo)
        execute(
            self.ctx,
            command,
            on_success=lambda _r: self.message.emit(f"{what} marked as {label}"),
            on_failure=self._fail_here,
        )

    def rename_file(self, file_id: str, name: str) -> None:
        self.error_label.set_error(None)
        row = self.model.row_of(file_id)
        old = self.model.record(row).file.filename if row is not None else "file"
        command = UpdateCommand(
            self.ctx, self.ctx.workspace.files, file_id, {"filename": name.strip()}, f"Rename “{old}”", {"files"}
        )
        execute(self.ctx, command, on_failure=self._fail_here)

    def choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Import files", "", "All files (*)")
        if names:
            self.import_paths([Path(n) for n in names], self.target_folder())

    def import_paths(self, paths: list[Path], folder_id: str | None) -> None:
        """Import local files (or folders' contents) into ``folder_id``, as one undoable step."""
        if not paths:
            return
        files, folders = self.ctx.workspace.files, self.ctx.workspace.folders
        self.error_label.set_error(None)
        self.import_label.setText("Importing…")
        self.import_progress.setRange(0, 0)
        self.import_bar.show()

        def progress(done: int, total: int, text: str) -> None:
            if total > 0:
                self.import_progress.setRange(0, 1000)
                self.import_progress.setValue(int(1000 * done / total))
            self.import_label.setText(text)

        def run(op: OpContext) -> ImportOutcome[File]:
            try:
                return import_files(files, paths, folder_id, op, folders=folders)
            except ImportCancelled:
                raise Cancelled() from None

        def success(result: ImportOutcome[File]) -> None:
            note = f"{describe_count(len(result.added), 'file')} imported into “{self.folders.folder_name(folder_id)}”"
            if result.folders:
                note += f" (in {describe_count(len(result.folders), 'new folder')}, as on your computer)"
            if result.cancelled:
                note += " (cancelled)"
            if result.problems:
                note += ". Not imported: " + "; ".join(result.problems)
                self.error_label.set_error("Not imported: " + "; ".join(result.problems))
            self.message.emit(note)
            self.keeper.expect([f.id for f in result.added])

        def finished() -> None:
            self.import_bar.hide()
            self._import_op = None

        command = CreateCommand(
            self.ctx,
            "Import files" if len(paths) > 1 else f"Import “{paths[0].name}”",
            {"files", "folders"},
            run,
            # undo deletes the files, then the folders made for them (the deepest first)
            created=lambda result: (
                [(files, f.id) for f in result.added] + [(folders, d.id) for d in reversed(result.folders)]
            ),
        )
        op = execute(self.ctx, command, on_success=success, on_progress=progress, on_failure=self._fail_here)
        op.finished(finished)
        self._import_op = op

    def cancel_import(self) -> None:
        if self._import_op is not None:
            self._import_op.cancel()

    def open_selected(self) -> None:
        rows = self.selected_rows()
        if len(rows) != 1:
            return
        file = rows[0].file
        files = self.ctx.workspace.files
        folder = self.ctx.workspace.paths.cache / "open" / file.blob_sha256[:16]

        def copy(_op: OpContext) -> Path:
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / Path(file.filename).name
            if not target.exists() or target.stat().st_size != file.file_size_bytes:
                files.export(file.id, target)
            return target

        def show(path: Path) -> None:
            self.opened.emit(str(path))
            if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
                self.error_label.set_error(f"No application on this computer opens “{file.filename}”")

        self.ctx.ops.read(copy).with_label(f"Opening {file.filename}").success(show).run()

    def export_selected(self) -> None:
        rows = self.selected_rows()
        if len(rows) != 1:
            return
        name, _ = QFileDialog.getSaveFileName(self, "Export a copy", rows[0].file.filename)
        if name:
            self.export_to(rows[0].file.id, Path(name))

    def export_to(self, file_id: str, destination: Path) -> None:
        files = self.ctx.workspace.files
        self.ctx.ops.read(lambda _op: files.export(file_id, destination)).with_label("Exporting a copy").success(
            lambda p: self.message.emit(f"Copy saved as {p}")
        ).run()

    # ---- drops anywhere on the section --------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if has_local_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths, self.target_folder())

    # ---- Section shortcuts -------------------------------------------------------------------
    def new_item(self) -> None:
        self.new_folder()

    def delete_selected(self) -> None:
        if self.tree.hasFocus():
            node = self.folders.node(self.tree.currentIndex())
            if node is not None and node.kind == "folder" and node.id is not None:
                self.delete_folder(node.id)
            return
        self.delete_files(self.selected_file_ids())

    def delete_folder(self, folder_id: str) -> None:
        name = self.folders.folder_name(folder_id)
        subfolders = len(self.folders.descendant_ids(folder_id))
        detail = "Everything inside it is deleted too"
        if subfolders:
            detail += f", including {describe_count(subfolders, 'subfolder')}"
        if not confirm_delete(self, f"the folder “{name}”", detail + "."):
            return
        self.error_label.set_error(None)
        execute(
            self.ctx,
            DeleteCommand(
                self.ctx, self.ctx.workspace.folders, [folder_id], f"Delete folder “{name}”", {"folders", "files"}
            ),
            on_success=lambda s: self.message.emit(f"Deleted “{name}” ({describe_count(s.count, 'item')})"),
            on_failure=self._fail_here,
        )

    def delete_files(self, ids: list[str]) -> None:
        if not ids:
            return
        if len(ids) == 1:
            row = self.model.row_of(ids[0])
            what = f"“{self.model.record(row).file.filename}”" if row is not None else "the file"
        else:
            what = describe_count(len(ids), "file")
        if not confirm_delete(self, what):
            return
        self.error_label.set_error(None)
        execute(
            self.ctx,
            DeleteCommand(self.ctx, self.ctx.workspace.files, ids, f"Delete {what}", {"files"}),
            on_success=lambda _s: self.message.emit(f"Deleted {what}"),
            on_failure=self._fail_here,
        )

    def rename_selected(self) -> None:
        if self.tree.hasFocus():
            index = self.tree.currentIndex()
            node = self.folders.node(index)
            if node is not None and node.kind == "folder":
                self.tree.edit(index)
            return
        ids = self.selected_file_ids()
        if len(ids) == 1:
            row = self.model.row_of(ids[0])
            if row is not None:
                self.table.edit(self.model.index(row, 0))

    def focus_search(self) -> None:
        self.search.focus_and_select()
