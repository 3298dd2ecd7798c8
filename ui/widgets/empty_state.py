"""What a list shows when it has nothing yet: a sentence on what goes here and buttons to begin.

An empty grid tells a new artist nothing; this panel says what the section is for and offers the
first step. Sections put it in a stacked widget above their list and switch on the row count.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QIcon, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from .icons import icon as named_icon


class IconView(QWidget):
    """An icon painted at paint time, so a drawn icon follows a theme switch (a QLabel's pixmap would not)."""

    def __init__(self, icon: QIcon, side: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._icon = icon
        self.setFixedSize(side, side)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self._icon.paint(painter, self.rect())
        painter.end()


class EmptyState(QWidget):
    def __init__(
        self,
        title: str,
        text: str,
        icon_name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("empty-state")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 24, 24, 24)
        outer.addStretch(2)
        if icon_name:
            outer.addWidget(IconView(named_icon(icon_name, icon_name), 56, self), 0, Qt.AlignmentFlag.AlignHCenter)
        self.title_label = QLabel(title, self)
        font = QFont(self.title_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.title_label.setWordWrap(True)
        outer.addWidget(self.title_label)
        self.text_label = QLabel(text, self)
        self.text_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.text_label.setWordWrap(True)
        self.text_label.setMinimumWidth(280)
        self.text_label.setMaximumWidth(560)
        self.text_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.text_label, 8)
        row.addStretch(1)
        outer.addLayout(row)
        self._buttons = QHBoxLayout()
        self._buttons.setSpacing(12)
        self._buttons.addStretch(1)
        self._buttons.addStretch(1)
        outer.addSpacing(8)
        outer.addLayout(self._buttons)
        outer.addStretch(3)

    def add_button(self, text: str, slot: Callable[[], object], icon: QIcon | None = None) -> QPushButton:
        button = QPushButton(text, self)
        if icon is not None:
            button.setIcon(icon)
        button.clicked.connect(lambda _checked=False: slot())
        self.add_widget(button)
        return button

    def add_widget(self, widget: QWidget) -> None:
        """Put ``widget`` in the centred row under the text, where the buttons go."""
        self._buttons.insertWidget(self._buttons.count() - 1, widget)

    def set_text(self, title: str, text: str) -> None:
        self.title_label.setText(title)
        self.text_label.setText(text)
