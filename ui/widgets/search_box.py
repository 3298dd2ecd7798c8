"""The search field every list shares: a clear button, a short pause before searching, Escape clears.

Searching on every keystroke would query the database for "s", "sa", "sal"...; the box waits until
typing pauses (``delay_ms``) and then emits :attr:`SearchBox.search_changed` once.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QToolButton, QWidget

from .icons import icon


class SearchBox(QLineEdit):
    #: the text to search for (stripped), after typing pauses
    search_changed = Signal(str)

    def __init__(self, placeholder: str = "Search", parent: QWidget | None = None, delay_ms: int = 250) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self.setAccessibleName(placeholder)
        self.addAction(icon("edit-find"), QLineEdit.ActionPosition.LeadingPosition)
        # the line edit's own icon buttons (search glass, clear) get names for screen readers
        for button in self.findChildren(QToolButton):
            action = button.defaultAction()
            clearing = action is not None and action.objectName() == "_q_qlineeditclearaction"
            button.setAccessibleName("Clear search" if clearing else "Search")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._emit)
        self._last = ""
        self.textChanged.connect(lambda _t: self._timer.start())

    def _emit(self) -> None:
        text = self.text().strip()
        if text != self._last:
            self._last = text
            self.search_changed.emit(text)

    def flush(self) -> None:
        """Search now (without waiting for the pause)."""
        self._timer.stop()
        self._emit()

    @property
    def query(self) -> str:
        return self._last

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            self.flush()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.flush()
        super().keyPressEvent(event)

    def focus_and_select(self) -> None:
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.selectAll()
