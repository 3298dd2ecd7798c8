"""The strip that says a sync did not send (or receive) everything: which files and items, why, what to do.

Shown after a sync that ran but left something behind (the daily upload limit, a full quota,
changes the server refused, files not downloaded); it stays until the next sync or a dismissal.
The status bar alone is not enough: a clipped "Sync finished" beside "Last synced just now" is
how an artist would believe everything reached the server.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ...app.sync_outcome import Incomplete
from ..widgets.icons import icon
from ..widgets.theme import set_semantic_foreground
from .words import when_text

#: lines shown before "Show all" (the rest is one click away)
SHOWN_LINES = 5


def unfinished_status(cancelled: bool, last_complete: str | None) -> tuple[str, str]:
    """The status-bar line (and its colour role) after a cancelled or incomplete sync: never "Last synced
    just now", since "Last synced" is the last sync that sent and received everything."""
    first = "Sync cancelled" if cancelled else "Sync incomplete"
    since = f"last complete sync {when_text(last_complete)}" if last_complete else "no complete sync yet"
    return f"{first} · {since}", "muted" if cancelled else "warning"


class IncompleteSyncBanner(QFrame):
    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sync-incomplete")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.setAccessibleName("Sync incomplete")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(10)
        self.icon_label = QLabel(self)
        self.icon_label.setPixmap(icon("dialog-warning").pixmap(20, 20))
        self.icon_label.setAccessibleName("Warning")
        self.icon_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        texts = QVBoxLayout()
        texts.setSpacing(3)
        self.headline = QLabel(self)
        self.headline.setObjectName("sync-incomplete-headline")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bold = QFont(self.headline.font())
        bold.setBold(True)
        self.headline.setFont(bold)
        set_semantic_foreground(self.headline, "warning")
        self.items = QLabel(self)
        self.items.setObjectName("sync-incomplete-items")
        self.items.setWordWrap(True)
        self.items.setTextFormat(Qt.TextFormat.PlainText)
        self.items.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.items.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.advice = QLabel(self)
        self.advice.setObjectName("sync-incomplete-advice")
        self.advice.setWordWrap(True)
        self.advice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        texts.addWidget(self.headline)
        texts.addWidget(self.items)
        texts.addWidget(self.advice)
        buttons = QVBoxLayout()
        buttons.setSpacing(4)
        self.retry_button = QPushButton("Sync again", self)
        self.retry_button.setObjectName("sync-incomplete-retry")
        self.retry_button.clicked.connect(self._retry)
        self.more_button = QPushButton("Show all", self)
        self.more_button.setObjectName("sync-incomplete-more")
        self.more_button.clicked.connect(self._toggle)
        self.close_button = QPushButton("Dismiss", self)
        self.close_button.setObjectName("sync-incomplete-dismiss")
        self.close_button.setAccessibleName("Dismiss the list of what was not synced")
        self.close_button.clicked.connect(self.hide)
        for b in (self.retry_button, self.more_button, self.close_button):
            b.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addWidget(self.icon_label)
        layout.addLayout(texts, 1)
        layout.addLayout(buttons)
        self.incomplete: Incomplete | None = None
        self._expanded = False
        self.hide()

    def show_incomplete(self, incomplete: Incomplete) -> None:
        self.incomplete = incomplete
        self._expanded = False
        self.headline.setText(incomplete.headline)
        self.advice.setText(incomplete.advice)
        self._show_lines()
        self.show()

    def _show_lines(self) -> None:
        lines = self.incomplete.lines if self.incomplete is not None else []
        shown = lines if self._expanded else lines[:SHOWN_LINES]
        rest = len(lines) - len(shown)
        text = "\n".join(f"• {line}" for line in shown)
        if rest:
            text += f"\n… and {rest} more"
        self.items.setText(text)
        self.items.setVisible(bool(lines))
        self.more_button.setVisible(len(lines) > SHOWN_LINES)
        self.more_button.setText("Show fewer" if self._expanded else "Show all")

    def _toggle(self) -> None:
        self._expanded = not self._expanded
        self._show_lines()

    def _retry(self) -> None:
        self.hide()
        self.retry_requested.emit()

    def text(self) -> str:
        return self.incomplete.text() if self.incomplete is not None else ""
