"""The Tracks section: the portfolio's tracks in the artist's order, with cover art, links and playback.

Tracks come from audio files (chosen or dropped from the desktop), imported on the writer thread
with progress; the duration is read from the file. The list is a paged model, so 50,000 tracks
open without loading them all. Dragging a row moves that one track between its new neighbours
(a fractional ``display_order`` key: no other row is rewritten), and every change can be undone.
Playback uses QtMultimedia; a format the platform cannot decode is reported in words. The list model,
the player and the track's preview panel are in ui/widgets/ (track_list, audio_player,
track_preview_panel); the import is the app's use case (app/importing.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...app.errors import ValidationFailed
from ...app.importing import ImportCancelled, ImportOutcome, import_tracks
from ...app.records import Track
from ..context import UiContext
from ..operations import Cancelled, OpContext
from ..section import Section
from ..widgets.audio_player import Player
from ..widgets.confirm import confirm_delete, describe_count
from ..widgets.drops import dropped_paths, has_local_files
from ..widgets.empty_state import EmptyState
from ..widgets.field_errors import FieldErrorLabel, FieldErrors
from ..widgets.icons import icon
from ..widgets.images import IMAGE_FILTER, PictureView, load_image
from ..widgets.loading_state import LoadingState
from ..widgets.paged_model import SelectionKeeper, select_ids, selected_ids
from ..widgets.player_bar import PlayerBar
from ..widgets.search_box import SearchBox
from ..widgets.theme import set_semantic_foreground
from ..widgets.track_list import TrackModel
from ..widgets.track_preview_panel import TrackPreviewPanel
from ..widgets.undo_commands import CallCommand, CreateCommand, DeleteCommand, UpdateCommand, execute

AUDIO_FILTER = "Audio (*.wav *.mp3 *.flac *.ogg *.oga *.m4a *.aac *.aif *.aiff *.opus *.wma);;All files (*)"
LINK_FIELDS = (("spotify_url", "Spotify"), ("apple_music_url", "Apple Music"), ("soundcloud_url", "SoundCloud"))


class TracksSection(Section):
    title = "Tracks"
    icon_name = "audio-x-generic"

    #: the details of the selected track were (re)loaded
    details_loaded = Signal()
    #: a playback problem was shown (its words)
    playback_failed = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.model = TrackModel(ctx, self)
        self.current: Track | None = None
        self._import_op: Any = None
        self._active = False
        self._stale = True
        self.player = Player(self)
        self._build()
        self.setAcceptDrops(True)
        ctx.events.changed.connect(self._data_changed)
        self.model.reloaded.connect(self._reloaded)
        self.model.move_requested.connect(self.move_track)
        self.model.files_dropped.connect(self.add_files)
        self.player.state_changed.connect(self._player_state)
        self.player.position_changed.connect(self._player_position)
        self.player.failed.connect(self._playback_failed)
        self.preview_panel.playback_started.connect(self.player.stop)
        self.preview_panel.message.connect(self.message.emit)

    # ---- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 8)
        outer.setSpacing(8)
        top = QHBoxLayout()
        heading = QLabel("Tracks", self)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        top.addWidget(heading)
        self.count_label = QLabel(self)
        top.addWidget(self.count_label)
        top.addStretch(1)
        self.search = SearchBox("Search tracks by title or genre", self)
        self.search.setMinimumWidth(260)
        self.search.search_changed.connect(self.model.set_search)
        top.addWidget(self.search)
        self.add_button = QPushButton(icon("list-add"), "Add tracks…", self)
        self.add_button.clicked.connect(self.choose_files)
        top.addWidget(self.add_button)
        outer.addLayout(top)

        self.import_bar = QWidget(self)
        ib = QHBoxLayout(self.import_bar)
        ib.setContentsMargins(0, 0, 0, 0)
        self.import_label = QLabel(self.import_bar)
        self.import_progress = QProgressBar(self.import_bar)
        self.import_progress.setAccessibleName("Import progress")
        self.import_cancel = QPushButton("Cancel", self.import_bar)
        self.import_cancel.clicked.connect(self.cancel_import)
        ib.addWidget(self.import_label)
        ib.addWidget(self.import_progress, 1)
        ib.addWidget(self.import_cancel)
        self.import_bar.hide()
        outer.addWidget(self.import_bar)

        self.stack = QStackedWidget(self)
        self.empty = EmptyState(
            "Your tracks",
            "Add the songs you want bookers and fans to hear: choose audio files or drop them here. "
            "Gigbag reads each track's length and keeps a copy in your files.",
            "audio-x-generic",
            self.stack,
        )
        self.empty.add_button("Add tracks…", self.choose_files, icon("list-add"))
        self.stack.addWidget(self.empty)

        splitter = QSplitter(Qt.Orientation.Horizontal, self.stack)
        self.table = QTableView(splitter)
        self.table.setObjectName("tracks-table")
        self.table.setAccessibleName("Tracks")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.setCornerButtonEnabled(False)
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setDragEnabled(True)
        self.table.setAcceptDrops(True)
        self.table.setDropIndicatorShown(True)
        self.table.setDragDropOverwriteMode(False)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.table.setDefaultDropAction(Qt.DropAction.MoveAction)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((1, 90), (2, 150), (3, 70)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        header.setHighlightSections(False)
        self.table.doubleClicked.connect(lambda _i: self.play_selected())
        self.keeper = SelectionKeeper(self.table, self.model)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        QShortcut(
            QKeySequence(Qt.Key.Key_Space), self.table, self.toggle_play, context=Qt.ShortcutContext.WidgetShortcut
        )

        splitter.addWidget(self.table)
        splitter.addWidget(self._build_details(splitter))
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setCollapsible(0, False)
        splitter.setSizes([640, 380])
        self.splitter = splitter
        self.stack.addWidget(splitter)
        self.loading = LoadingState("Reading your tracks…", self.stack)
        self.loading.fail_with(self.model.reload_failed, "Your tracks")
        self.stack.addWidget(self.loading)
        self.stack.setCurrentWidget(self.loading)  # until the first read answers
        outer.addWidget(self.stack, 1)

        self.hint_label = QLabel(self)
        self.hint_label.setWordWrap(True)
        set_semantic_foreground(self.hint_label, "muted")
        outer.addWidget(self.hint_label)
        self.player_bar = self._build_player_bar()
        outer.addWidget(self.player_bar)
        for below_the_list in (self.hint_label, self.player_bar):
            below_the_list.hide()  # shown with the first rows

    def _build_details(self, parent: QWidget) -> QWidget:
        scroll = QScrollArea(parent)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumWidth(300)
        panel = QWidget(scroll)
        panel.setObjectName("track-details")
        scroll.setWidget(panel)
        v = QVBoxLayout(panel)
        v.setContentsMargins(12, 0, 4, 0)
        v.setSpacing(8)
        cover_row = QHBoxLayout()
        self.cover = PictureView("No cover art", parent=panel)
        self.cover.setFixedSize(140, 140)
        self.cover.setAccessibleName("Cover art")
        cover_row.addWidget(self.cover)
        cover_buttons = QVBoxLayout()
        self.cover_button = QPushButton(icon("image-x-generic"), "Choose cover…", panel)
        self.cover_button.clicked.connect(self.choose_cover)
        self.remove_cover_button = QPushButton("Remove cover", panel)
        self.remove_cover_button.clicked.connect(self.remove_cover)
        cover_buttons.addWidget(self.cover_button)
        cover_buttons.addWidget(self.remove_cover_button)
        cover_buttons.addStretch(1)
        cover_row.addLayout(cover_buttons)
        cover_row.addStretch(1)
        v.addLayout(cover_row)
        self.general_error = FieldErrorLabel(panel)
        self.errors = FieldErrors(self.general_error)
        self.cover_error = self.errors.add("cover_file_id", self.cover_button, FieldErrorLabel(panel))
        v.addWidget(self.cover_error)
        v.addWidget(self.general_error)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.edits: dict[str, QLineEdit] = {}

        def add(name: str, label: str, placeholder: str = "") -> None:
            edit = QLineEdit(panel)
            edit.setObjectName(f"track-{name}")
            edit.setPlaceholderText(placeholder)
            edit.setAccessibleName(label)
            edit.textChanged.connect(self._details_edited)
            edit.returnPressed.connect(self.save_details)
            self.edits[name] = edit
            cell = QWidget(panel)
            cv = QVBoxLayout(cell)
            cv.setContentsMargins(0, 0, 0, 0)
            cv.setSpacing(2)
            cv.addWidget(edit)
            cv.addWidget(self.errors.add(name, edit, FieldErrorLabel(cell), label))
            form.addRow(label, cell)

        add("title", "Title")
        add("genre", "Genre", "e.g. Salsa")
        add("release_year", "Year", "e.g. 2024")
        for name, label in LINK_FIELDS:
            add(name, label, "https://")
        v.addLayout(form)
        self.facts_label = QLabel(panel)
        self.facts_label.setWordWrap(True)
        self.facts_label.setObjectName("track-facts")
        v.addWidget(self.facts_label)
        row = QHBoxLayout()
        row.addStretch(1)
        self.revert_button = QPushButton("Discard", panel)
        self.revert_button.clicked.connect(self._show_details_of_current)
        self.save_button = QPushButton("Save changes", panel)
        self.save_button.clicked.connect(self.save_details)
        row.addWidget(self.revert_button)
        row.addWidget(self.save_button)
        v.addLayout(row)
        self.preview_panel = TrackPreviewPanel(self.ctx, panel)
        v.addWidget(self.preview_panel)
        v.addStretch(1)
        self.details_panel = panel
        self._set_details_enabled(False)
        return scroll

    def _build_player_bar(self) -> PlayerBar:
        bar = PlayerBar(self)
        self.play_button, self.stop_button, self.now_playing = bar.play_button, bar.stop_button, bar.now_playing
        self.position, self.time_label = bar.position, bar.time_label
        self.play_button.clicked.connect(self.toggle_play)
        self.stop_button.clicked.connect(self.player.stop)
        self.position.sliderMoved.connect(self.player.seek)
        return bar

    # ---- loading -----------------------------------------------------------------------------
    def activate(self) -> None:
        self._active = True
        if self._stale:
            self._stale = False
            self.model.reload()

    def _data_changed(self, types: set[str]) -> None:
        if types and not types & {"tracks", "files"}:
            return
        if self._active:
            self.model.reload()
            self._show_details_of_current()
        else:
            self._stale = True

    def _reloaded(self, total: int) -> None:
        searching = bool(self.model.query.search)
        empty = total == 0 and not searching
        self.stack.setCurrentIndex(0 if empty else 1)
        self.player_bar.setVisible(not empty)
        self.hint_label.setVisible(not empty)
        shown = describe_count(total, "track")
        self.count_label.setText(f"{shown} found" if searching else shown)
        if searching:
            self.hint_label.setText(
                f"No tracks match “{self.model.query.search}”."
                if total == 0
                else "Clear the search to reorder tracks by dragging them."
            )
        else:
            self.hint_label.setText("Drag a track to change its place in your portfolio. Drop audio files to add them.")
        if self.model.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)

    # ---- selection and details ---------------------------------------------------------------
    def selected_ids(self) -> list[str]:
        return selected_ids(self.table, self.model)

    def select(self, track_id: str) -> bool:
        return select_ids(self.table, self.model, [track_id], track_id)

    def _selection_changed(self) -> None:
        self._show_details_of_current()

    def _set_details_enabled(self, enabled: bool) -> None:
        for w in (*self.edits.values(), self.cover_button, self.save_button, self.revert_button):
            w.setEnabled(enabled)
        self.remove_cover_button.setEnabled(enabled and self.current is not None and bool(self.current.cover_file_id))

    def _show_details_of_current(self) -> None:
        ids = self.selected_ids()
        if len(ids) != 1:
            self.current = None
            self._fill_details(None)
            self.cover.set_image(None)
            self.preview_panel.show_track(None)
            return
        tracks = self.ctx.workspace.tracks
        files = self.ctx.workspace.files
        track_id = ids[0]

        def read(_op: OpContext) -> tuple[Track | None, QImage, str]:
            track = tracks.find(track_id)
            if track is None:
                return None, QImage(), ""
            image = QImage()
            if track.cover_file_id:
                cover = files.find(track.cover_file_id)
                if cover is not None and files.is_available(cover):
                    image = load_image(files.content_path(cover), QSize(400, 400))
            audio = files.find(track.audio_file_id)
            facts = ""
            if audio is not None:
                where = "" if files.is_available(audio) else " · audio not on this computer"
                facts = f"Audio file: {audio.filename} ({audio.mime_type}){where}"
            return track, image, facts

        def show(result: tuple[Track | None, QImage, str]) -> None:
            if self.selected_ids() != [track_id]:
                return
            track, image, facts = result
            self.current = track
            self._fill_details(track)
            self.preview_panel.show_track(track)
            self.cover.set_image(image)
            has_cover = bool(track and track.cover_file_id)
            self.cover.set_empty_text("Cover not on this computer" if has_cover else "No cover art")
            plays = f"{track.plays:,} plays" if track is not None else ""
            self.facts_label.setText("\n".join(p for p in (facts, plays) if p))
            self.details_loaded.emit()

        self.ctx.ops.read(read).success(show).run()

    def _fill_details(self, track: Track | None) -> None:
        for name, edit in self.edits.items():
            value = getattr(track, name) if track is not None else None
            edit.blockSignals(True)
            edit.setText("" if value is None else str(value))
            edit.setCursorPosition(0)  # show a long link from its start
            edit.blockSignals(False)
        self.errors.clear()
        if track is None:
            self.facts_label.setText("Select one track to edit its details." if self.model.rowCount() else "")
        self._set_details_enabled(track is not None)
        self._details_edited()

    def detail_changes(self) -> dict[str, Any]:
        track = self.current
        if track is None:
            return {}
        out: dict[str, Any] = {}
        for name, edit in self.edits.items():
            text = edit.text().strip()
            value: Any = text if name == "title" else (text or None)  # a title is never None: "" is refused in words
            if name == "release_year" and text:
                value = int(text) if text.isdigit() else text
            if value != getattr(track, name):
                out[name] = value
        return out

    def _details_edited(self) -> None:
        dirty = bool(self.detail_changes())
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)

    def save_details(self) -> None:
        track = self.current
        changes = self.detail_changes()
        if track is None or not changes:
            return
        self.errors.clear()

        def refused(exc: BaseException) -> bool:
            if isinstance(exc, ValidationFailed):
                self.errors.show(exc.errors)
                return True
            return False

        text = f"Rename track “{changes['title']}”" if list(changes) == ["title"] else f"Edit track “{track.title}”"
        execute(
            self.ctx,
            UpdateCommand(self.ctx, self.ctx.workspace.tracks, track.id, changes, text),
            on_success=lambda _t: self.message.emit("Track saved"),
            on_failure=refused,
        )

    # ---- adding ------------------------------------------------------------------------------
    def choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Add tracks", "", AUDIO_FILTER)
        if names:
            self.add_files([Path(n) for n in names])

    def add_files(self, paths: list[Path]) -> None:
        """Import audio files as tracks at the end of the portfolio (one undoable step)."""
        if not paths:
            return
        tracks = self.ctx.workspace.tracks
        files = self.ctx.workspace.files
        self.import_label.setText("Importing…")
        self.import_progress.setRange(0, 0)
        self.import_bar.show()

        def run(op: OpContext) -> ImportOutcome[Track]:
            try:
                return import_tracks(tracks, paths, op)
            except ImportCancelled:
                raise Cancelled() from None

        def created(result: ImportOutcome[Track]) -> list[tuple[Any, str]]:
            pairs: list[tuple[Any, str]] = []
            for t in result.added:
                pairs += [(tracks, t.id), (files, t.audio_file_id)]
            return pairs

        n = len(paths)
        command = CreateCommand(
            self.ctx,
            "Add track" if n == 1 else "Add tracks",
            {"tracks", "files"},
            run,
            created=created,
        )

        def progress(done: int, total: int, text: str) -> None:
            if total > 0:
                self.import_progress.setRange(0, 1000)
                self.import_progress.setValue(int(1000 * done / total))
            self.import_label.setText(text)

        def finished() -> None:
            self.import_bar.hide()
            self._import_op = None

        def success(result: ImportOutcome[Track]) -> None:
            added = describe_count(len(result.added), "track")
            note = f"{added} added" + (" (import cancelled)" if result.cancelled else "")
            if result.problems:
                note += ". Not added: " + "; ".join(result.problems)
            self.message.emit(note)
            if result.added:
                self.keeper.expect([result.added[-1].id])

        op = execute(self.ctx, command, on_success=success, on_progress=progress)
        op.finished(finished)
        self._import_op = op

    def cancel_import(self) -> None:
        if self._import_op is not None:
            self._import_op.cancel()

    # ---- cover art ---------------------------------------------------------------------------
    def choose_cover(self) -> None:
        if self.current is None:
            return
        name, _ = QFileDialog.getOpenFileName(self, "Choose cover art", "", IMAGE_FILTER)
        if name:
            self.set_cover(Path(name))

    def set_cover(self, image: Path) -> None:
        track = self.current
        if track is None:
            return
        tracks = self.ctx.workspace.tracks
        old = track.cover_file_id
        state: dict[str, str | None] = {}

        def do() -> Track:
            row = tracks.set_cover(track.id, image)
            state["new"] = row.cover_file_id
            return row

        def refused(exc: BaseException) -> bool:
            if isinstance(exc, ValidationFailed):
                self.errors.show(exc.errors)
                return True
            return False

        command = CallCommand(
            self.ctx,
            f"Cover of “{track.title}”",
            {"tracks", "files"},
            do,
            undo=lambda: tracks.update(track.id, {"cover_file_id": old}),
            redo=lambda: tracks.update(track.id, {"cover_file_id": state["new"]}),
        )
        execute(self.ctx, command, on_success=lambda _t: self.message.emit("Cover art set"), on_failure=refused)

    def remove_cover(self) -> None:
        track = self.current
        if track is None or not track.cover_file_id:
            return
        execute(
            self.ctx,
            UpdateCommand(
                self.ctx,
                self.ctx.workspace.tracks,
                track.id,
                {"cover_file_id": None},
                f"Remove cover of “{track.title}”",
            ),
        )

    # ---- reordering --------------------------------------------------------------------------
    def move_track(self, track_id: str, target_row: int) -> None:
        """Move one track so that it ends at ``target_row`` (one row's order key changes)."""
        if not self.model.reorderable:
            self.message.emit("Clear the search to reorder tracks")
            return
        source = self.model.row_of(track_id)
        loaded = [self.model.id_at(r) for r in range(self.model.rowCount()) if self.model.id_at(r) != track_id]
        target_row = max(0, min(target_row, self.model.count() - 1))
        if source == target_row:
            return
        tracks = self.ctx.workspace.tracks
        # The neighbours are known when the target lies within the loaded rows (or all are loaded);
        # otherwise the service finds them.
        use_neighbours = target_row < len(loaded) or self.model.rowCount() >= self.model.count()
        after_id = loaded[target_row - 1] if 0 < target_row <= len(loaded) else None
        before_id = loaded[target_row] if target_row < len(loaded) else None
        state: dict[str, str] = {}

        def do() -> Track:
            state["old"] = tracks.get(track_id).display_order
            if use_neighbours:
                row = tracks.move(track_id, after_id=after_id, before_id=before_id)
            else:
                row = tracks.move_to_row(track_id, target_row)
            state["new"] = row.display_order
            return row

        title = self.model.record(source).title if source is not None else "track"
        command = CallCommand(
            self.ctx,
            f"Move “{title}”",
            {"tracks"},
            do,
            undo=lambda: tracks.update(track_id, {"display_order": state["old"]}),
            redo=lambda: tracks.update(track_id, {"display_order": state["new"]}),
        )
        self.keeper.expect([track_id])
        execute(self.ctx, command)

    # ---- playback ----------------------------------------------------------------------------
    def toggle_play(self) -> None:
        ids = self.selected_ids()
        if self.player.playing and (not ids or ids[0] == self.player.track_id):
            self.player.pause()
        elif self.player.paused and (not ids or ids[0] == self.player.track_id):
            self.player.resume()
        else:
            self.play_selected()

    def play_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            self.message.emit("Select a track to play")
            return
        tracks = self.ctx.workspace.tracks
        files = self.ctx.workspace.files
        track_id = ids[0]

        def read(_op: OpContext) -> tuple[str, Path]:
            track = tracks.get(track_id)
            audio = files.get(track.audio_file_id)
            return track.title, files.content_path(audio)

        def failed(exc: BaseException) -> bool:
            self._playback_failed(str(exc))
            return True

        self.ctx.ops.read(read).success(lambda r: self.player.play_file(track_id, r[0], r[1])).failure(failed).run()

    def _player_state(self) -> None:
        playing = self.player.playing
        if playing:
            self.preview_panel.stop()
        self.player_bar.show_playing(playing)
        if self.player.error_text:
            self.now_playing.setText(self.player.error_text)
        elif self.player.track_id:
            state = "Playing" if playing else ("Paused" if self.player.paused else "Stopped")
            self.now_playing.setText(f"{state}: {self.player.title}")
        self.model.playing_id = self.player.track_id if (playing or self.player.paused) else None
        row = self.model.row_of(self.player.track_id) if self.player.track_id else None
        if row is not None:
            self.model.dataChanged.emit(self.model.index(row, 0), self.model.index(row, 0))

    def _player_position(self, ms: int, duration: int) -> None:
        self.player_bar.show_position(ms, duration)

    def _playback_failed(self, text: str) -> None:
        self.now_playing.setText(text)
        self.now_playing.setToolTip(text)
        self.message.emit(text)
        self.playback_failed.emit(text)

    # ---- drops on the empty state ------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if has_local_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.add_files(paths)

    # ---- Section shortcuts -------------------------------------------------------------------
    def new_item(self) -> None:
        self.choose_files()

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        if len(ids) == 1:
            row = self.model.row_of(ids[0])
            name = self.model.record(row).title if row is not None else ""
            what = f"the track “{name}”"
        else:
            what = describe_count(len(ids), "track")
        if not confirm_delete(self, what, "The audio stays in Files."):
            return
        if self.player.track_id in ids:
            self.player.stop()
        execute(
            self.ctx,
            DeleteCommand(self.ctx, self.ctx.workspace.tracks, ids, f"Delete {what}"),
            on_success=lambda _s: self.message.emit("Deleted"),
        )

    def rename_selected(self) -> None:
        if self.current is not None:
            self.edits["title"].setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.edits["title"].selectAll()

    def focus_search(self) -> None:
        self.search.focus_and_select()

    def shutdown(self) -> None:
        self.player.stop()
        self.preview_panel.shutdown()
