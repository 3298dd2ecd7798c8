"""What a page shows while its data is read: a sentence and a busy bar, never an empty list.

A list that has not been read yet is not empty: until the first read answers, a section shows this
instead of its empty state ("Your tracks: add the songs…") or an empty table, and says so if the read
failed instead of spinning on.
"""

from __future__ import annotations

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QProgressBar, QStackedWidget, QWidget

from .empty_state import EmptyState


class LoadingState(EmptyState):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, "", "", parent)
        self.setObjectName("loading-state")
        self.text_label.hide()
        self.busy = QProgressBar(self)
        self.busy.setObjectName("loading-busy")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setFixedSize(180, 6)
        self.busy.setAccessibleName(title.rstrip("…"))
        self.add_widget(self.busy)

    def fail_with(self, failed: SignalInstance, what: str) -> None:
        """When ``failed`` reports an error while this page is still the one shown, say ``what`` could not be read."""

        def show(exc: object) -> None:
            stack = self.parentWidget()
            if isinstance(stack, QStackedWidget) and stack.currentWidget() is self:
                self.show_failure(f"{what} could not be read", str(exc) or type(exc).__name__)

        failed.connect(show)

    def show_failure(self, title: str, text: str) -> None:
        """The read failed: say so (the window's error box has the details), no busy bar."""
        self.busy.hide()
        self.set_text(title, text)
        self.text_label.show()
