"""The strip that stays above the sections while conflicts are open: "2 items changed on two computers — review"."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from ..widgets.icons import icon
from ..widgets.theme import set_semantic_foreground


def banner_text(count: int) -> str:
    if count == 1:
        return "1 item was changed on two computers — review it to choose which version to keep."
    return f"{count} items were changed on two computers — review them to choose which versions to keep."


class ConflictBanner(QFrame):
    """Visible exactly while conflicts are open; its button opens the conflicts view."""

    review_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflict-banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.setAccessibleName("Sync conflicts")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(10)
        self.icon_label = QLabel(self)
        self.icon_label.setPixmap(icon("dialog-warning").pixmap(20, 20))
        self.icon_label.setAccessibleName("Warning")
        self.text_label = QLabel(self)
        self.text_label.setObjectName("conflict-banner-text")
        self.text_label.setWordWrap(True)
        self.text_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bold = QFont(self.text_label.font())
        bold.setBold(True)
        self.text_label.setFont(bold)
        set_semantic_foreground(self.text_label, "warning")
        self.review_button = QPushButton("Review…", self)
        self.review_button.setObjectName("conflict-review")
        self.review_button.setAccessibleName("Review conflicts")
        self.review_button.clicked.connect(self.review_requested.emit)
        layout.addWidget(self.icon_label)
        layout.addWidget(self.text_label, 1)
        layout.addWidget(self.review_button)
        self.count = 0
        self.hide()

    def set_count(self, count: int) -> None:
        self.count = count
        self.text_label.setText(banner_text(count) if count else "")
        self.setVisible(count > 0)
