"""The Library section: the server's shared library, browsed, searched, previewed and added to Files.

The list comes from ``app.shared_library``: the cached copy shows at once (also offline, with the
time it was last brought up to date), then an update fetches what changed. Search by title, artist
or genre, a bpm range and a key narrow it; pro-only tracks carry a Pro badge. A preview plays in the
app (QMediaPlayer), downloaded on the first play and cached. "Add to my files" downloads the full
track into the Files folder "Library" on the writer thread, with progress and Cancel; for a
pro-only track on a free account the button is closed and the sentence under it says why.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDateTime,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...app.formatting import format_bytes, format_duration
from ...app.shared_library import LibraryEntry, LibraryFilter, LibraryListing, SharedLibraryService, filter_entries
from ..context import UiContext
from ..operations import OpContext, Operation
from ..section import Section
from ..widgets.empty_state import EmptyState
from ..widgets.loading_state import LoadingState
from ..widgets.media_calls import play_player, stop_player
from ..widgets.search_box import SearchBox

Index = QModelIndex | QPersistentModelIndex
ANY_KEY = "Any key"


class LibraryModel(QAbstractTableModel):
    HEADERS = ("Title", "", "Artist", "Genre", "BPM", "Key", "Length")
    BADGE_COLUMN = 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.entries: list[LibraryEntry] = []

    def set_entries(self, entries: list[LibraryEntry]) -> None:
        self.beginResetModel()
        self.entries = list(entries)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.entries):
            return None
        e = self.entries[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                e.title,
                "Pro" if e.is_pro_only else "",
                e.artist or "",
                e.genre or "",
                f"{e.bpm:g}" if e.bpm else "",
                e.key or "",
                format_duration(e.duration_seconds),
            )[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            access = (
                "Pro-only: the full track opens to the tiers pro and enterprise"
                if e.is_pro_only
                else "Open to every account"
            )
            return f"{e.title} — {format_bytes(e.size_bytes)}. {access}."
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (4, 6):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return e.id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 7:
            return self.HEADERS[section]
        return None


class BadgeDelegate(QStyledItemDelegate):
    """Draws "Pro" as a small rounded badge instead of plain text."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        text = index.data(Qt.ItemDataRole.DisplayRole)
        super().paint(painter, option, index)  # the row's background and selection, without the text
        if not text:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(option.rect).adjusted(6, 5, -6, -5)  # type: ignore[attr-defined]
        rect.setWidth(min(rect.width(), 40))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#b7791f"))
        painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
        font = QFont(option.font)  # type: ignore[attr-defined]
        font.setBold(True)
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.8))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), "PRO")
        painter.restore()

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        super().initStyleOption(option, index)
        option.text = ""  # type: ignore[attr-defined]


def _as_of_text(iso: str | None) -> str:
    if not iso:
        return "never updated"
    when = QDateTime.fromString(iso.replace("Z", ""), Qt.DateFormat.ISODateWithMs)
    if not when.isValid():
        return iso
    when.setTimeZone(QDateTime.currentDateTimeUtc().timeZone())
    local = when.toLocalTime()
    today = QDateTime.currentDateTime().date()
    return local.toString("HH:mm") if local.date() == today else local.toString("d MMM yyyy, HH:mm")


class LibrarySection(Section):
    title = "Library"
    icon_name = "media-playlist-audio"

    #: the preview player's media status changed (for tests and the play button)
    preview_status = Signal(object)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.service = SharedLibraryService(ctx.workspace)
        self.listing = LibraryListing([], True)
        self._refreshing = False
        self._add_op: Operation[Any] | None = None
        self._player: Any = None
        self._playing_id: str | None = None
        self._notes: dict[str, str] = {}  # the last outcome of an add, per track, until another one

        self.search = SearchBox("Search title, artist or genre", self)
        self.search.search_changed.connect(lambda _t: self.apply_filter())
        self.bpm_min = self._bpm_box("BPM from")
        self.bpm_max = self._bpm_box("BPM to")
        self.key_box = QComboBox(self)
        self.key_box.setAccessibleName("Key")
        self.key_box.addItem(ANY_KEY)
        self.key_box.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.refresh_button = QPushButton("Update list", self)
        self.refresh_button.clicked.connect(lambda _c=False: self.refresh())
        self.filter_bar = QWidget(self)
        filters = QHBoxLayout(self.filter_bar)
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.search, 3)
        filters.addWidget(QLabel("BPM", self))
        filters.addWidget(self.bpm_min)
        filters.addWidget(QLabel("to", self))
        filters.addWidget(self.bpm_max)
        filters.addWidget(self.key_box)
        filters.addWidget(self.refresh_button)

        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.status_label.setObjectName("library-status")

        self.model = LibraryModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(LibraryModel.BADGE_COLUMN, BadgeDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAccessibleName("Library tracks")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(2, 7):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(LibraryModel.BADGE_COLUMN, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(LibraryModel.BADGE_COLUMN, 56)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._selection_changed())
        self.table.doubleClicked.connect(lambda _i: self.play_preview())

        self.empty = EmptyState("The shared library", "", "media-playlist-audio", self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        self.loading = LoadingState("Reading the shared library…", self.stack)
        self.stack.addWidget(self.loading)
        self.stack.setCurrentWidget(self.loading)  # until the first listing (kept or fresh) arrives

        self.selected_label = QLabel("Choose a track to hear its preview or add it to your files.", self)
        self.selected_label.setWordWrap(True)
        self.play_button = QPushButton("Play preview", self)
        self.play_button.clicked.connect(lambda _c=False: self.toggle_preview())
        self.add_button = QPushButton("Add to my files", self)
        self.add_button.clicked.connect(lambda _c=False: self.add_selected())
        self.progress = QProgressBar(self)
        self.progress.setVisible(False)
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(lambda _c=False: self.cancel_add())
        self.reason_label = QLabel(self)
        self.reason_label.setWordWrap(True)
        self.reason_label.setObjectName("library-reason")
        self.reason_label.setMinimumHeight(self.reason_label.fontMetrics().lineSpacing() * 2 + 6)
        self.reason_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        pal = self.reason_label.palette()
        pal.setColor(QPalette.ColorRole.WindowText, pal.color(QPalette.ColorRole.PlaceholderText))
        self.reason_label.setPalette(pal)
        self.action_bar = QWidget(self)
        actions = QHBoxLayout(self.action_bar)
        actions.setContentsMargins(0, 0, 0, 0)
        actions.addWidget(self.selected_label, 3)
        actions.addWidget(self.play_button)
        actions.addWidget(self.add_button)
        actions.addWidget(self.progress, 1)
        actions.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.status_label)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.action_bar)
        layout.addWidget(self.reason_label)
        self._selection_changed()
        # After a sign-in (or a sync) elsewhere in the window, a signed-out list tries again.
        ctx.events.changed.connect(lambda _types: None if self.listing.signed_in else self.refresh())

    def _bpm_box(self, name: str) -> QSpinBox:
        box = QSpinBox(self)
        box.setRange(0, 300)
        box.setSpecialValueText("any")
        box.setAccessibleName(name)
        box.valueChanged.connect(lambda _v: self.apply_filter())
        return box

    # ---- the list ---------------------------------------------------------------------------
    def activate(self) -> None:
        self.ctx.ops.read(lambda _op: self.service.cached()).success(self._show).run()
        self.refresh()

    def focus_search(self) -> None:
        self.search.focus_and_select()

    def refresh(self) -> None:
        if self._refreshing:
            return
        self._refreshing = True
        self.refresh_button.setEnabled(False)
        self.status_label.setText("Updating the library list…")

        def done() -> None:
            self._refreshing = False
            self.refresh_button.setEnabled(True)

        self.ctx.ops.read(lambda _op: self.service.refresh()).success(self._show).finished(done).run()

    def _show(self, listing: LibraryListing) -> None:
        self.listing = listing
        current = self.key_box.currentText()
        self.key_box.blockSignals(True)
        self.key_box.clear()
        self.key_box.addItems([ANY_KEY, *listing.keys])
        self.key_box.setCurrentIndex(max(0, self.key_box.findText(current)))
        self.key_box.blockSignals(False)
        self.apply_filter()

    def current_filter(self) -> LibraryFilter:
        key = self.key_box.currentText()
        return LibraryFilter(
            text=self.search.text().strip(),
            bpm_min=float(self.bpm_min.value()) or None,
            bpm_max=float(self.bpm_max.value()) or None,
            key=None if key == ANY_KEY else key,
        )

    def apply_filter(self) -> None:
        selected = self.selected_entry()
        shown = filter_entries(self.listing.entries, self.current_filter())
        self.model.set_entries(shown)
        if selected is not None:
            for row, e in enumerate(shown):
                if e.id == selected.id:
                    self.table.selectRow(row)
        self._update_status(len(shown))
        self._selection_changed()

    def _update_status(self, shown: int) -> None:
        listing = self.listing
        for bar in (self.filter_bar, self.action_bar, self.reason_label):
            bar.setVisible(listing.signed_in)
        if not listing.signed_in:
            self.empty.set_text("Sign in to see the shared library", listing.problem or "")
            self.stack.setCurrentWidget(self.empty)
            self.status_label.setText("")
            return
        total = len(listing.entries)
        if total == 0:
            if listing.as_of is None and listing.problem:
                self.empty.set_text("The library could not be read", listing.problem)
            else:
                self.empty.set_text("The library is empty", "The server's operator has not published any tracks yet.")
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentWidget(self.table)
        count = f"{total} track" + ("" if total == 1 else "s")
        if shown != total:
            count = f"{shown} of {total} tracks"
        tier = f" · your tier: {listing.tier}" if listing.tier else ""
        text = f"{count} · as of {_as_of_text(listing.as_of)}{tier}"
        if listing.problem:
            text = f"{listing.problem}  ({text})"
        self.status_label.setText(text)

    # ---- the selected track -----------------------------------------------------------------
    def selected_entry(self) -> LibraryEntry | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or not 0 <= rows[0].row() < len(self.model.entries):
            return None
        return self.model.entries[rows[0].row()]

    def select_track(self, track_id: str) -> None:
        for row, e in enumerate(self.model.entries):
            if e.id == track_id:
                self.table.selectRow(row)
                return

    def _selection_changed(self) -> None:
        entry = self.selected_entry()
        busy = self._add_op is not None
        self.play_button.setEnabled(entry is not None and entry.has_preview)
        self.play_button.setText("Stop" if entry is not None and self._playing_id == entry.id else "Play preview")
        reason = self.service.closed_reason(entry, self.listing.tier) if entry is not None else None
        self.add_button.setEnabled(entry is not None and reason is None and not busy)
        self.add_button.setText("Pro only" if reason else "Add to my files")
        if entry is None:
            self.selected_label.setText("Choose a track to hear its preview or add it to your files.")
            self.reason_label.setText("")
            return
        who = f" — {entry.artist}" if entry.artist else ""
        self.selected_label.setText(f"{entry.title}{who} · {format_bytes(entry.size_bytes)}")
        if reason:
            self.reason_label.setText(reason)
        elif entry.id in self._notes:
            self.reason_label.setText(self._notes[entry.id])
        elif not entry.has_preview:
            self.reason_label.setText("This track has no preview (it is shorter than five seconds).")
        else:
            self.reason_label.setText("")

    # ---- previews ---------------------------------------------------------------------------
    def _ensure_player(self) -> Any:
        if self._player is None:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

            self._player = QMediaPlayer(self)
            self._audio = QAudioOutput(self)
            self._player.setAudioOutput(self._audio)
            self._player.mediaStatusChanged.connect(self._media_status)
            self._player.errorOccurred.connect(self._media_error)
        return self._player

    def toggle_preview(self) -> None:
        entry = self.selected_entry()
        if entry is not None and self._playing_id == entry.id:
            self.stop_preview()
        else:
            self.play_preview()

    def play_preview(self) -> None:
        entry = self.selected_entry()
        if entry is None or not entry.has_preview:
            return
        self.reason_label.setText(f"Fetching the preview of “{entry.title}”…")

        def failed(exc: BaseException) -> bool:
            self.reason_label.setText(str(exc))
            return True

        self.ctx.ops.read(lambda op: self.service.preview_file(entry.id, cancelled=lambda: op.cancelled)).success(
            lambda path: self._play(entry, path)
        ).failure(failed).run()

    def _play(self, entry: LibraryEntry, path: Any) -> None:
        player = self._ensure_player()
        self._playing_id = entry.id
        stop_player(player)  # the preview playing now, with the GIL released (see media_calls)
        player.setSource(QUrl.fromLocalFile(str(path)))
        play_player(player)
        self.reason_label.setText(f"Playing the preview of “{entry.title}”.")
        self._selection_changed()
        self.message.emit(f"Playing the preview of “{entry.title}”")

    def stop_preview(self) -> None:
        if self._player is not None:
            stop_player(self._player)  # it waits for the media threads: see media_calls
        self._playing_id = None
        self._selection_changed()

    def _media_status(self, status: Any) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if status == QMediaPlayer.MediaStatus.EndOfMedia:
            self._playing_id = None
            self._selection_changed()
        self.preview_status.emit(status)

    def _media_error(self, error: Any, text: str) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if error != QMediaPlayer.Error.NoError:
            self._playing_id = None
            self._selection_changed()
            self.reason_label.setText(f"The preview cannot be played here ({text or 'unknown error'}).")

    # ---- add to my files --------------------------------------------------------------------
    def add_selected(self) -> None:
        entry = self.selected_entry()
        if entry is None or self._add_op is not None:
            return
        reason = self.service.closed_reason(entry, self.listing.tier)
        if reason:
            self.reason_label.setText(reason)
            return

        def work(op: OpContext) -> Any:
            return self.service.add_to_files(
                entry.id, progress=lambda d, t: op.progress(d, t), cancelled=lambda: op.cancelled
            )

        def progress(done: int, total: int, _text: str) -> None:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total) if total else 0)
            self.progress.setFormat(f"{format_bytes(done)} of {format_bytes(total)}")

        def succeeded(file: Any) -> None:
            self._notes[entry.id] = (
                f"“{entry.title}” is in your files, in the folder “Library”; "
                "it syncs to your other computers like any file."
            )
            self.ctx.events.emit_changed("files", "folders")
            self.message.emit(f"Added “{entry.title}” to Files ▸ Library")

        def failed(exc: BaseException) -> bool:
            self._notes[entry.id] = str(exc)
            return True

        def finished() -> None:
            self._add_op = None
            self.progress.setVisible(False)
            self.cancel_button.setVisible(False)
            self._selection_changed()

        self.progress.setRange(0, 0)
        self.progress.setFormat("Starting…")
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self._notes.pop(entry.id, None)
        self.reason_label.setText(f"Downloading “{entry.title}”…")
        self._add_op = (
            self.ctx.ops.write(work)
            .progress(progress)
            .success(succeeded)
            .failure(failed)
            .finished(finished)
            .with_label(f"Adding {entry.title}")
        )
        self._selection_changed()
        self._add_op.run()

    def cancel_add(self) -> None:
        if self._add_op is not None:
            self._add_op.cancel()

    def shutdown(self) -> None:
        self.stop_preview()
        self.cancel_add()
