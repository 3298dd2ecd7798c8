"""The Patterns section: SalsaNor beat patterns listed, edited instrument by instrument, and heard.

The editor shows a pattern's flavor, tempo (80 to 250 bpm) and key (as a note name), and one row
per instrument of its configuration: on/off, the program chosen by its name in the beat catalog,
volume and pitch offset. Play renders what the editor shows (saved or not) off the UI thread and
loops it; changing the tempo, key or an instrument while it plays is heard after a moment. A
pattern can be duplicated as a fork (which remembers its original), and its configuration can be
imported from and exported to SalsaNor's JSON; a file that is not JSON, or does not fit the
flavor's instruments, is refused with the reason and nothing changes.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QGuiApplication, QHideEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...app.records import Pattern
from ...app.salsanor import ConfigurationFileError, configuration_text, read_configuration, write_configuration
from ...schema.beat_catalog import NOTE_NAMES, PITCH_OFFSET_RANGE, catalog, note_name
from ..context import UiContext
from ..widgets.field_errors import FieldErrorLabel
from ..widgets.icons import icon
from ..widgets.paged_model import Column, PagedTableModel
from ..widgets.pattern_player import PatternPlayer, PatternSound, Renderer
from ..widgets.record_browser import BrowserSection, RecordBrowser, stretch_columns
from ..widgets.record_form import RecordForm
from ..widgets.theme import set_semantic_foreground
from ..widgets.undo_commands import CreateCommand, execute

BPM_RANGE = (80, 250)
Index = QModelIndex | QPersistentModelIndex


class PatternsModel(PagedTableModel):
    def __init__(self, ctx: UiContext) -> None:
        columns = [
            Column(
                "title", "Pattern", tooltip=lambda p: "A fork of another pattern" if p.original_pattern_id else None
            ),
            Column("flavor", "Flavor"),
            Column(
                "bpm",
                "Tempo",
                display=lambda p: f"{p.bpm} bpm",
                align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            ),
            Column("key_note", "Key", display=lambda p: note_name(p.key_note)),
        ]
        super().__init__(ctx, ctx.workspace.patterns, columns)


# ---- the instruments of the configuration -------------------------------------------------------
COL_INSTRUMENT, COL_PROGRAM, COL_VOLUME, COL_PITCH = range(4)


class InstrumentsModel(QAbstractTableModel):
    """The configuration's instruments as rows: enabled (check box), program by name, volume, pitch offset."""

    configuration_changed = Signal()

    HEADERS = ("Instrument", "Program", "Volume", "Pitch")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.flavor = "Salsa"
        self._items: list[dict[str, Any]] = []

    def set_configuration(self, flavor: str, configuration: dict[str, Any]) -> None:
        self.beginResetModel()
        self.flavor = flavor
        items = configuration.get("instruments") if isinstance(configuration, dict) else None
        self._items = [dict(i) for i in items] if isinstance(items, list) else []
        self.endResetModel()

    def configuration(self) -> dict[str, Any]:
        return {"instruments": copy.deepcopy(self._items)}

    def instrument(self, row: int) -> Any:
        cat = catalog().get(self.flavor)
        return cat.instrument(self._items[row].get("id", "")) if cat is not None else None

    def program_names(self, row: int) -> list[str]:
        inst = self.instrument(row)
        return [p.name for p in inst.programs] if inst is not None else []

    # ---- Qt model ------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 4:
            return self.HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == COL_INSTRUMENT:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._items):
            return None
        item = self._items[index.row()]
        col = index.column()
        if col == COL_INSTRUMENT:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                inst = self.instrument(index.row())
                name = inst.name if inst is not None else str(item.get("id"))
                return name if item.get("enabled") else f"{name} (off)"
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if item.get("enabled") else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.ToolTipRole:
                return "Switch this instrument on or off"
            if role == Qt.ItemDataRole.ForegroundRole and not item.get("enabled"):
                return QGuiApplication.palette().brush(QPalette.ColorRole.PlaceholderText)
        elif col == COL_PROGRAM:
            program = item.get("activeProgram", 0)
            if role == Qt.ItemDataRole.EditRole:
                return program
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                names = self.program_names(index.row())
                return names[program] if isinstance(program, int) and 0 <= program < len(names) else str(program)
        elif col == COL_VOLUME:
            volume = item.get("volume", 1.0)
            if role == Qt.ItemDataRole.EditRole:
                return int(round(float(volume) * 100))
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return f"{round(float(volume) * 100)}%"
        elif col == COL_PITCH:
            offset = item.get("pitchOffset", 0)
            if role == Qt.ItemDataRole.EditRole:
                return offset
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return f"{offset:+d}" if offset else "0"
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_VOLUME, COL_PITCH):
            return int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.row() >= len(self._items):
            return False
        item = self._items[index.row()]
        col = index.column()
        if col == COL_INSTRUMENT and role == Qt.ItemDataRole.CheckStateRole:
            state = value.value if isinstance(value, Qt.CheckState) else int(value)
            new: dict[str, Any] = {"enabled": state == Qt.CheckState.Checked.value}
        elif col == COL_PROGRAM and role == Qt.ItemDataRole.EditRole:
            names = self.program_names(index.row())
            if not isinstance(value, int) or not 0 <= value < len(names):
                return False
            new = {"activeProgram": value}
        elif col == COL_VOLUME and role == Qt.ItemDataRole.EditRole:
            new = {"volume": max(0, min(100, int(value))) / 100}
        elif col == COL_PITCH and role == Qt.ItemDataRole.EditRole:
            low, high = PITCH_OFFSET_RANGE
            new = {"pitchOffset": max(low, min(high, int(value)))}
        else:
            return False
        if all(item.get(k) == v for k, v in new.items()):
            return True
        item.update(new)
        self.dataChanged.emit(index, index)
        self.configuration_changed.emit()
        return True


class InstrumentDelegate(QStyledItemDelegate):
    """Editors for the instrument rows: programs by name, volume in percent, pitch in semitones."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:  # noqa: N802
        model = index.model()
        col = index.column()
        inst = model.instrument(index.row()) if isinstance(model, InstrumentsModel) else None
        name = inst.name if inst is not None else "the instrument"
        if col == COL_PROGRAM and isinstance(model, InstrumentsModel):
            combo = QComboBox(parent)
            combo.addItems(model.program_names(index.row()))
            combo.setAccessibleName(f"Program of {name}")
            combo.activated.connect(lambda _i, c=combo: self.commitData.emit(c))
            return combo
        if col in (COL_VOLUME, COL_PITCH):
            spin = QSpinBox(parent)
            if col == COL_VOLUME:
                spin.setRange(0, 100)
                spin.setSuffix(" %")
                spin.setSingleStep(5)
                spin.setAccessibleName(f"Volume of {name}")
            else:
                spin.setRange(*PITCH_OFFSET_RANGE)
                spin.setAccessibleName(f"Pitch offset of {name} in semitones")
            spin.setAlignment(Qt.AlignmentFlag.AlignRight)
            spin.valueChanged.connect(lambda _v, s=spin: self.commitData.emit(s))
            return spin
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            if editor.currentIndex() != value:
                editor.setCurrentIndex(int(value))
        elif isinstance(editor, QSpinBox):
            if editor.value() != value:
                editor.blockSignals(True)
                editor.setValue(int(value))
                editor.blockSignals(False)
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentIndex(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QSpinBox):
            model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)


class InstrumentsView(QTableView):
    """The mixer: every program, volume and pitch editor is open, like the controls of a beat machine."""

    def __init__(self, model: InstrumentsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setItemDelegate(InstrumentDelegate(self))
        self.setAccessibleName("Instruments")
        self.verticalHeader().hide()
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        row_height = max(self.fontMetrics().height() + 16, QSpinBox().sizeHint().height() + 6)
        self.verticalHeader().setDefaultSectionSize(row_height)
        header = self.horizontalHeader()
        char = self.fontMetrics().averageCharWidth()
        header.setSectionResizeMode(COL_INSTRUMENT, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(COL_INSTRUMENT, 14 * char + 36)
        header.setSectionResizeMode(COL_PROGRAM, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_VOLUME, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(COL_VOLUME, 8 * char + 36)
        header.setSectionResizeMode(COL_PITCH, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(COL_PITCH, 5 * char + 36)
        model.modelReset.connect(self._open_editors)

    def _open_editors(self) -> None:
        model = self.model()
        for row in range(model.rowCount()):
            for col in (COL_PROGRAM, COL_VOLUME, COL_PITCH):
                index = model.index(row, col)
                self.openPersistentEditor(index)
                editor = self.indexWidget(index)
                if isinstance(editor, QSpinBox):
                    editor.lineEdit().deselect()
        height = self.horizontalHeader().height() + self.verticalHeader().length() + 2 * self.frameWidth()
        self.setFixedHeight(max(height, self.verticalHeader().defaultSectionSize() * 3))


# ---- the editor ---------------------------------------------------------------------------------
class PatternForm(RecordForm):
    """Title, description, flavor, tempo, key and the instruments of one pattern."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("pattern", parent)
        self.title_edit = QLineEdit(self)
        self.title_edit.setPlaceholderText("e.g. Son montuno in C")
        self.description_edit = QPlainTextEdit(self)
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setPlaceholderText("What this groove is for")
        self.description_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.flavor_combo = QComboBox(self)
        for name in catalog():
            self.flavor_combo.addItem(name, name)
        self.bpm_spin = QSpinBox(self)
        # wider than the allowed range on purpose: a tempo outside it is explained, not silently clamped
        self.bpm_spin.setRange(1, 999)
        self.bpm_spin.setSuffix(" bpm")
        self.key_combo = QComboBox(self)
        for number, name in enumerate(NOTE_NAMES):
            self.key_combo.addItem(name, number)
        self.origin_label = QLabel(self)
        self.origin_label.setWordWrap(True)
        self.origin_label.setTextFormat(Qt.TextFormat.PlainText)
        self.instruments = InstrumentsModel(self)
        self.instruments_view = InstrumentsView(self.instruments, self)

        self.add_row("title", "Title", self.title_edit)
        self.add_row(
            "flavor",
            "Flavor",
            self.flavor_combo,
            hint="Changing the flavor changes the instruments: they start from its defaults.",
        )
        self.add_row("bpm", "Tempo", self.bpm_spin, hint=f"{BPM_RANGE[0]} to {BPM_RANGE[1]} beats per minute")
        self.add_row("key_note", "Key", self.key_combo)
        self.add_row("description", "Description", self.description_edit)
        self.origin_caption = QLabel("Forked from", self)
        self.form.addRow(self.origin_caption, self.origin_label)
        self.add_wide_row("configuration", "Instruments", self.instruments_view)
        self.instruments.configuration_changed.connect(self.refresh_dirty)
        self.flavor_combo.currentIndexChanged.connect(self._flavor_chosen)
        self._origin_id: str | None = None
        self._set_origin(None)

    def _flavor_chosen(self, _index: int) -> None:
        flavor = self.flavor_combo.currentData()
        if not self._loading and flavor != self.instruments.flavor:
            cat = catalog()[flavor]
            self.instruments.set_configuration(flavor, cat.default_configuration())
            self.refresh_dirty()

    def _set_origin(self, text: str | None) -> None:
        self.origin_caption.setVisible(text is not None)
        self.origin_label.setVisible(text is not None)
        self.origin_label.setText(text or "")

    def set_origin_title(self, original_id: str, title: str | None) -> None:
        if self._origin_id == original_id:
            self._set_origin(f"“{title}”" if title else "a pattern that has since been deleted")

    def fill(self, record: Pattern | None) -> None:
        flavor = record.flavor if record else "Salsa"
        cat = catalog()[flavor]
        self.title_edit.setText(record.title if record else "")
        self.description_edit.setPlainText((record.description or "") if record else "")
        self.flavor_combo.setCurrentIndex(max(0, self.flavor_combo.findData(flavor)))
        self.bpm_spin.setValue(record.bpm if record else cat.default_bpm)
        self.key_combo.setCurrentIndex(record.key_note if record else cat.default_key_note)
        self.instruments.set_configuration(flavor, record.configuration if record else cat.default_configuration())
        self._origin_id = record.original_pattern_id if record else None
        self._set_origin("…" if self._origin_id else None)

    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        values = {
            "title": self.title_edit.text().strip(),
            "description": self.description_edit.toPlainText().strip() or None,
            "flavor": self.flavor_combo.currentData(),
            "bpm": self.bpm_spin.value(),
            "key_note": self.key_combo.currentData(),
            "configuration": self.instruments.configuration(),
        }
        return values, {}

    def title_widget(self) -> QWidget:
        return self.title_edit

    def sound(self) -> PatternSound | None:
        """What the editor would sound like, or None while its tempo is outside the allowed range."""
        values, _ = self.collect()
        if not BPM_RANGE[0] <= values["bpm"] <= BPM_RANGE[1]:
            return None
        return PatternSound(values["flavor"], values["bpm"], values["key_note"], values["configuration"])

    def set_configuration(self, configuration: dict[str, Any]) -> None:
        """Put an imported configuration in the editor (the flavor stays)."""
        self.instruments.set_configuration(self.flavor_combo.currentData(), configuration)
        self.refresh_dirty()


class PatternsSection(BrowserSection):
    title = "Patterns"
    icon_name = "patterns"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None, renderer: Renderer | None = None) -> None:
        super().__init__(ctx, parent)
        self.model = PatternsModel(ctx)
        self.form = PatternForm()
        ws = ctx.workspace
        self.browser = RecordBrowser(
            ctx,
            ws.patterns,
            self.model,
            self.form,
            noun="pattern",
            plural="patterns",
            entity_types=("patterns",),
            empty_title="Build your first beat",
            empty_text="A pattern is a Salsa or Merengue groove: choose the instruments, their rhythms, "
            "tempo and key, and play it to practise or to sketch a song.",
            icon_name="patterns",
            search_placeholder="Search patterns",
            parent=self,
        )
        self.browser.add_filter(
            "Show patterns of this flavor", "flavor", [("All flavors", None), *[(f, f) for f in catalog()]]
        )
        self.view = self.browser.view
        stretch_columns(self.view, {1: 10, 2: 9, 3: 5}, 0)
        self.browser.splitter.setSizes([420, 620])

        self.player = PatternPlayer(ctx.ops, renderer, self)
        self.play_button = QPushButton(icon("media-playback-start"), "Play", self.form)
        self.play_button.setToolTip("Hear the pattern as the editor shows it (saved or not)")
        self.play_button.clicked.connect(self.toggle_playback)
        self.player_label = QLabel(self.form)
        self.player_label.setWordWrap(True)
        self.fork_button = QPushButton("Duplicate as fork", self.form)
        self.fork_button.setToolTip("Make a copy of this pattern that remembers where it came from")
        self.fork_button.clicked.connect(self.fork)
        self.import_button = QPushButton(icon("document-open"), "Import JSON…", self.form)
        self.import_button.setToolTip("Replace the instruments with a SalsaNor configuration file")
        self.import_button.clicked.connect(self.import_configuration)
        self.export_button = QPushButton(icon("document-export"), "Export JSON…", self.form)
        self.export_button.setToolTip("Save the instruments as a SalsaNor configuration file")
        self.export_button.clicked.connect(self.export_configuration)
        self.io_message = FieldErrorLabel(self.form)
        self.io_message.setAccessibleName("Import and export")
        self.info_message = QLabel(self.form)
        self.info_message.setWordWrap(True)
        self.info_message.hide()
        play_row = QHBoxLayout()
        play_row.addWidget(self.play_button)
        play_row.addWidget(self.player_label, 1)
        file_row = QHBoxLayout()
        file_row.addWidget(self.fork_button)
        file_row.addStretch(1)
        file_row.addWidget(self.import_button)
        file_row.addWidget(self.export_button)
        panel = QWidget(self.form)
        panel_box = QVBoxLayout(panel)
        panel_box.setContentsMargins(0, 4, 0, 0)
        panel_box.addLayout(play_row)
        panel_box.addLayout(file_row)
        panel_box.addWidget(self.io_message)
        panel_box.addWidget(self.info_message)
        self.form.outer.insertWidget(1, panel)
        self.actions_panel = panel

        self.player.state_changed.connect(self._player_state)
        self.player.message_changed.connect(self._player_state)
        self.player.rendered.connect(self._player_state)
        self.form.dirty_changed.connect(self._sound_may_have_changed)
        self.form.instruments.configuration_changed.connect(self._sound_may_have_changed)
        self.form.bpm_spin.valueChanged.connect(self._sound_may_have_changed)
        self.form.key_combo.currentIndexChanged.connect(self._sound_may_have_changed)
        self.form.flavor_combo.currentIndexChanged.connect(self._sound_may_have_changed)
        self.browser.current_changed.connect(self._current_changed)
        self.connect_browser(self.browser)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.browser)
        self._current_changed(None)

    # ---- the current pattern ---------------------------------------------------------------------
    def _current_changed(self, pattern: Pattern | None) -> None:
        shown = self.form.record is not None or self.form.is_new
        self.actions_panel.setEnabled(shown)
        saved = pattern is not None
        self.fork_button.setEnabled(saved)
        same = pattern is not None and self._shown_id == pattern.id
        if not same:
            self.player.stop()
            self.io_message.set_error(None)
            self.info_message.hide()
        self._shown_id = pattern.id if pattern is not None else None
        self.player.set_sound(self.form.sound() if shown else None)
        self._player_state()
        if pattern is not None and pattern.original_pattern_id:
            original_id = pattern.original_pattern_id
            patterns = self.ctx.workspace.patterns
            self.ctx.ops.read(lambda op: patterns.find(original_id)).success(
                lambda found: self.form.set_origin_title(original_id, found.title if found else None)
            ).run()

    _shown_id: str | None = None

    def _sound_may_have_changed(self, *_args: object) -> None:
        sound = self.form.sound()
        if sound is not None:
            self.player.set_sound(sound)
        self._player_state()

    # ---- playback -------------------------------------------------------------------------------
    def toggle_playback(self) -> None:
        if self.player.state == "stopped":
            sound = self.form.sound()
            if sound is None:
                self._show_player_text(
                    f"Set the tempo between {BPM_RANGE[0]} and {BPM_RANGE[1]} bpm to play the pattern.", "error"
                )
                return
            self.player.set_sound(sound)
            self.player.start()
        else:
            self.player.stop()

    def _player_state(self, *_args: object) -> None:
        state = self.player.state
        playing = state != "stopped"
        self.play_button.setText("Stop" if playing else "Play")
        self.play_button.setIcon(icon("media-playback-stop" if playing else "media-playback-start"))
        self.play_button.setAccessibleName("Stop playing the pattern" if playing else "Play the pattern")
        if self.player.message:
            self._show_player_text(self.player.message, "error")
        elif state == "rendering":
            self._show_player_text("Preparing the sound…", "")
        elif state == "playing":
            self._show_player_text(
                f"Playing a {self.player.last_cycle_seconds:.1f} s loop. "
                "Changes to tempo, key and instruments are heard as you make them.",
                "",
            )
        else:
            self._show_player_text("", "")

    def _show_player_text(self, text: str, kind: str) -> None:
        self.player_label.setText(text)
        if kind:
            set_semantic_foreground(self.player_label, kind)
        else:
            self.player_label.setPalette(self.palette())
            self.player_label.setProperty("semanticColor", "")

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        self.player.stop()
        super().hideEvent(event)

    def shutdown(self) -> None:
        self.player.stop()
        super().shutdown()

    # ---- fork ----------------------------------------------------------------------------------
    def fork(self) -> None:
        pattern = self.browser.current_record()
        if pattern is None:
            return
        patterns = self.ctx.workspace.patterns
        original_id = pattern.id
        command = CreateCommand(
            self.ctx,
            f"Fork pattern “{pattern.title}”",
            {"patterns"},
            create=lambda op: patterns.fork(original_id),
            service=patterns,
        )

        def forked(row: Pattern) -> None:
            self.browser.keeper.expect([row.id])
            self.browser.form.load(row)
            self.browser.current_changed.emit(row)

        execute(self.ctx, command, on_success=forked)

    # ---- SalsaNor JSON -------------------------------------------------------------------------
    def ask_import_path(self) -> str:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import a SalsaNor configuration", "", "SalsaNor configuration (*.json);;All files (*)"
        )
        return path

    def ask_export_path(self, suggested: str) -> str:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the SalsaNor configuration", suggested, "SalsaNor configuration (*.json)"
        )
        return path

    def import_configuration(self) -> None:
        if self.form.record is None and not self.form.is_new:
            return
        path = self.ask_import_path()
        if not path:
            return
        flavor = self.form.flavor_combo.currentData()
        name = Path(path).name

        def read(_op: Any) -> dict[str, Any]:
            return read_configuration(Path(path), flavor)

        def loaded(configuration: dict[str, Any]) -> None:
            self.io_message.set_error(None)
            self.form.set_configuration(configuration)
            self._show_info(f"Imported the instruments from {name}.")
            self.browser.save()

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, ConfigurationFileError):
                self.info_message.hide()
                self.io_message.set_error(f"The file {name} was not imported: {exc} Nothing was changed.")
                return True
            return False

        self.ctx.ops.read(read).success(loaded).failure(failed).with_label(f"Importing {name}").run()

    def export_configuration(self) -> None:
        if self.form.record is None and not self.form.is_new:
            return
        title = self.form.title_edit.text().strip() or "pattern"
        safe = "".join(c if c.isalnum() or c in " -_" else "_" for c in title).strip() or "pattern"
        path = self.ask_export_path(f"{safe}.json")
        if not path:
            return
        text = configuration_text(self.form.instruments.configuration())
        name = Path(path).name

        def write(_op: Any) -> None:
            write_configuration(Path(path), text)

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, ConfigurationFileError):
                self.io_message.set_error(f"The file {name} was not exported: {exc}")
                return True
            return False

        self.ctx.ops.read(write).success(lambda _r: self._show_info(f"Exported the instruments to {name}.")).failure(
            failed
        ).with_label(f"Exporting {name}").run()

    def _show_info(self, text: str) -> None:
        self.io_message.set_error(None)
        self.info_message.setText(text)
        self.info_message.show()
