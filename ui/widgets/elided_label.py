"""A label that gives way: a long text (a data folder's path) is shortened in the middle with "…" to
the room it gets, never pushing the status bar's messages into it. ``text()`` stays the whole text,
and the tooltip says it in full."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None, most: int = 320, gap: int = 0) -> None:
        super().__init__(text, parent)
        self.most = most  # the widest it asks to be (px)
        self.setContentsMargins(gap, 0, 4 if gap else 0, 0)  # ``gap``: room before it (after a message)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(min(hint.width(), self.most), hint.height())

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), 60), hint.height())

    def shown_text(self) -> str:
        """The text as painted now (shortened in the middle when there is no room for all of it)."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideMiddle, self.contentsRect().width())

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(
            self.contentsRect(), int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), self.shown_text()
        )
