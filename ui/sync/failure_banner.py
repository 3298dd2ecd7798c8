"""The strip that says why the last sync failed and what to do, in full, until the next sync or a dismissal."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ...app.sync_words import Explanation
from ..widgets.icons import icon
from ..widgets.theme import set_semantic_foreground


class SyncFailureBanner(QFrame):
    retry_requested = Signal()
    sign_in_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sync-failure")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.setAccessibleName("Sync failed")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(10)
        self.icon_label = QLabel(self)
        self.icon_label.setPixmap(icon("dialog-warning").pixmap(20, 20))
        self.icon_label.setAccessibleName("Error")
        self.icon_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        self.headline = QLabel(self)
        self.headline.setObjectName("sync-failure-headline")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bold = QFont(self.headline.font())
        bold.setBold(True)
        self.headline.setFont(bold)
        set_semantic_foreground(self.headline, "error")
        self.advice = QLabel(self)
        self.advice.setObjectName("sync-failure-advice")
        self.advice.setWordWrap(True)
        self.advice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        texts.addWidget(self.headline)
        texts.addWidget(self.advice)
        self.action_button = QPushButton(self)
        self.action_button.setObjectName("sync-failure-action")
        self.action_button.clicked.connect(self._act)
        self.close_button = QPushButton("Dismiss", self)
        self.close_button.setObjectName("sync-failure-dismiss")
        self.close_button.setAccessibleName("Dismiss the sync error")
        self.close_button.clicked.connect(self.hide)
        for b in (self.action_button, self.close_button):
            b.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        layout.addWidget(self.icon_label)
        layout.addLayout(texts, 1)
        layout.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.explanation: Explanation | None = None
        self.hide()

    def show_failure(self, explanation: Explanation) -> None:
        self.explanation = explanation
        self.headline.setText(explanation.headline)
        self.advice.setText(explanation.advice)
        self.advice.setVisible(bool(explanation.advice))
        if explanation.kind == "sign_in":
            self.action_button.setText("Sign in…")
        else:
            self.action_button.setText("Sync again")
        self.action_button.setVisible(explanation.kind not in ("account", "keyring", "not_signed_in"))
        self.show()

    def _act(self) -> None:
        kind = self.explanation.kind if self.explanation is not None else ""
        self.hide()
        if kind == "sign_in":
            self.sign_in_requested.emit()
        else:
            self.retry_requested.emit()

    def text(self) -> str:
        return f"{self.headline.text()} {self.advice.text()}".strip()
