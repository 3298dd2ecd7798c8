"""The Journal section: song ideas, set plans and notes, each written as a list of text blocks.

An entry's content is a list of blocks (``{"type": "text", "text": ...}``), the shape the web
product stores. The editor shows one box per block that can be added, removed and moved; blocks of
other kinds (made elsewhere, e.g. a video) are kept in place and shown as such, never dropped.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...app.records import JournalEntry
from ..context import UiContext
from ..widgets.goal_chart import parse_timestamp
from ..widgets.icons import icon
from ..widgets.paged_model import Column, PagedTableModel
from ..widgets.record_browser import BrowserSection, RecordBrowser, stretch_columns
from ..widgets.record_form import RecordForm

ENTRY_TYPES = {"song_idea": "Song idea", "set_plan": "Set plan", "general_note": "Note"}


def preview(blocks: list[dict[str, Any]], limit: int = 160) -> str:
    text = " ".join(str(b.get("text", "")).replace("\n", " ") for b in blocks if b.get("type") == "text").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


class JournalModel(PagedTableModel):
    def __init__(self, ctx: UiContext) -> None:
        columns = [
            Column("title", "Title", tooltip=lambda e: preview(e.content) or None),
            Column("entry_type", "Kind", display=lambda e: ENTRY_TYPES.get(e.entry_type, e.entry_type)),
            Column(
                "updated_at",
                "Changed",
                display=lambda e: parse_timestamp(e.updated_at).astimezone().strftime("%-d %b %Y"),
            ),
        ]
        super().__init__(ctx, ctx.workspace.journal, columns)


class _AutoHeightEdit(QPlainTextEdit):
    """A text box that grows with its text (the page scrolls, not each box)."""

    MIN_LINES = 3

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.document().documentLayout().documentSizeChanged.connect(lambda _s: self._fit())
        self._fit()

    def _fit(self) -> None:
        lines = max(self.MIN_LINES, int(self.document().documentLayout().documentSize().height()))
        margins = self.contentsMargins()
        height = lines * self.fontMetrics().lineSpacing() + int(2 * self.document().documentMargin())
        self.setFixedHeight(height + margins.top() + margins.bottom() + 4)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit()


class BlockRow(QFrame):
    """One block: a growing text box (or a note for a block of another kind) and its move/remove buttons."""

    def __init__(self, editor: BlocksEditor, block: dict[str, Any]) -> None:
        super().__init__(editor)
        self.block = dict(block)
        self.setFrameShape(QFrame.Shape.NoFrame)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.text_edit: _AutoHeightEdit | None = None
        if block.get("type") == "text":
            self.text_edit = _AutoHeightEdit(self)
            self.text_edit.setPlainText(str(block.get("text", "")))
            self.text_edit.setPlaceholderText("Write here: a verse, a chord idea, the order of a set…")
            self.text_edit.textChanged.connect(editor.changed.emit)
            row.addWidget(self.text_edit, 1)
        else:
            kind = str(block.get("type", "other"))
            note = QLabel(f"A {kind} block made elsewhere: it is kept as it is.", self)
            note.setWordWrap(True)
            note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            note.setFrameShape(QFrame.Shape.StyledPanel)
            note.setMargin(8)
            row.addWidget(note, 1)
        buttons = QVBoxLayout()
        buttons.setSpacing(2)
        self.up = self._button("go-up", "↑", "Move this block up", lambda: editor.move_block(self, -1))
        self.down = self._button("go-down", "↓", "Move this block down", lambda: editor.move_block(self, 1))
        self.remove = self._button("edit-delete", "", "Remove this block", lambda: editor.remove(self))
        for b in (self.up, self.down, self.remove):
            buttons.addWidget(b)
        buttons.addStretch(1)
        row.addLayout(buttons)

    def _button(self, icon_name: str, text: str, name: str, slot: Any) -> QToolButton:
        button = QToolButton(self)
        if text:
            button.setText(text)
        else:
            button.setIcon(icon(icon_name))
        button.setAccessibleName(name)
        button.setToolTip(name)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    def value(self) -> dict[str, Any]:
        if self.text_edit is not None:
            return {**self.block, "text": self.text_edit.toPlainText()}
        return dict(self.block)


class BlocksEditor(QWidget):
    """The entry's blocks, top to bottom, with a button to add a text block."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[BlockRow] = []
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.setSpacing(8)
        self.add_button = QPushButton(icon("list-add"), "Add a text block", self)
        self.add_button.clicked.connect(lambda: self.add_block(focus=True))
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_button)
        add_row.addStretch(1)
        self._box.addLayout(add_row)

    def set_blocks(self, blocks: list[dict[str, Any]]) -> None:
        for row in self.rows:
            row.setParent(None)
            row.deleteLater()
        self.rows = []
        for block in blocks or [{"type": "text", "text": ""}]:
            self._insert(len(self.rows), block)
        self._update_buttons()

    def blocks(self) -> list[dict[str, Any]]:
        """The blocks, without text blocks left empty."""
        out = []
        for row in self.rows:
            value = row.value()
            if value.get("type") == "text":
                text = str(value.get("text", "")).strip()
                if not text:
                    continue
                value["text"] = text
            out.append(value)
        return out

    def _insert(self, position: int, block: dict[str, Any]) -> BlockRow:
        row = BlockRow(self, block)
        self.rows.insert(position, row)
        self._box.insertWidget(position, row)
        return row

    def add_block(self, focus: bool = False) -> BlockRow:
        row = self._insert(len(self.rows), {"type": "text", "text": ""})
        self._update_buttons()
        if focus and row.text_edit is not None:
            row.text_edit.setFocus()
        self.changed.emit()
        return row

    def remove(self, row: BlockRow) -> None:
        self.rows.remove(row)
        self._box.removeWidget(row)
        row.setParent(None)
        row.deleteLater()
        if not self.rows:
            self._insert(0, {"type": "text", "text": ""})
        self._update_buttons()
        self.changed.emit()

    def move_block(self, row: BlockRow, step: int) -> None:
        i = self.rows.index(row)
        j = i + step
        if not 0 <= j < len(self.rows):
            return
        self.rows.pop(i)
        self.rows.insert(j, row)
        self._box.removeWidget(row)
        self._box.insertWidget(j, row)
        self._update_buttons()
        if row.text_edit is not None:
            row.text_edit.setFocus()
        self.changed.emit()

    def _update_buttons(self) -> None:
        for i, row in enumerate(self.rows):
            row.up.setEnabled(i > 0)
            row.down.setEnabled(i < len(self.rows) - 1)


class JournalForm(RecordForm):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("journal entry", parent)
        self.title_edit = QLineEdit(self)
        self.title_edit.setPlaceholderText("e.g. Chorus idea for “Noche de Luna”")
        self.type_combo = QComboBox(self)
        for value, text in ENTRY_TYPES.items():
            self.type_combo.addItem(text, value)
        self.blocks = BlocksEditor(self)
        self.add_row("title", "Title", self.title_edit)
        self.add_row("entry_type", "Kind", self.type_combo)
        self.add_wide_row("content", "Text", self.blocks)

    def fill(self, record: JournalEntry | None) -> None:
        self.title_edit.setText(record.title if record else "")
        kind = record.entry_type if record else "song_idea"
        self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(kind)))
        self.blocks.set_blocks(list(record.content) if record else [])

    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        return {
            "title": self.title_edit.text().strip(),
            "entry_type": self.type_combo.currentData(),
            "content": self.blocks.blocks(),
        }, {}

    def title_widget(self) -> QWidget:
        return self.title_edit


class JournalSection(BrowserSection):
    title = "Journal"
    icon_name = "journal"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.model = JournalModel(ctx)
        self.form = JournalForm()
        self.browser = RecordBrowser(
            ctx,
            ctx.workspace.journal,
            self.model,
            self.form,
            noun="journal entry",
            plural="journal entries",
            entity_types=("journal_entries",),
            empty_title="Catch ideas before they fly away",
            empty_text="Write down song ideas, plan your sets and keep notes from rehearsals and gigs. "
            "Each entry is a list of text blocks you can reorder.",
            icon_name="journal",
            search_placeholder="Search the journal",
            parent=self,
        )
        self.browser.new_button.setText("New entry")
        self.browser.add_filter(
            "Show entries of this kind", "entry_type", [("All kinds", None), *[(t, v) for v, t in ENTRY_TYPES.items()]]
        )
        self.view = self.browser.view
        stretch_columns(self.view, {1: 10, 2: 12}, 0)
        self.connect_browser(self.browser)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.browser)
