"""The storage bar under the file list: how much of the storage limit the files use, told truthfully.

Under the limit: a bar and "1.2 MB of 3.4 MB used". Over it (the limit was lowered, or the
account's server limit is smaller than what this computer holds): a full bar in the warning
colour, "3.8 MB of 3.4 MB used — 0.4 MB over", and what to do — never the empty bar a
QProgressBar shows for a value past its maximum.
"""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from ...app.formatting import format_bytes, format_bytes_like
from .theme import semantic_color, set_semantic_foreground

BAR_STEPS = 1000
OVER_ADVICE = (
    "No new file can be added until your files fit again: delete files you no longer need "
    "(or make large ones cloud-only when you sync)."
)


def usage_text(used: int, limit: int) -> str:
    """ "1.2 MB of 3.4 MB used", "3.8 MB of 3.4 MB used — 0.4 MB over", or "12 KB used" without a limit."""
    if not limit:
        return f"{format_bytes(used)} used"
    text = f"{format_bytes(used)} of {format_bytes(limit)} used"
    if used > limit:
        text += f" — {format_bytes_like(used - limit, limit)} over"
    return text


class StorageBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        layout = QHBoxLayout()
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("storage-bar")
        self.bar.setAccessibleName("Storage used")
        self.bar.setRange(0, BAR_STEPS)
        self.bar.setTextVisible(False)
        self.bar.setMinimumWidth(160)
        self.bar.setMaximumWidth(260)
        self.bar.setMaximumHeight(12)
        self.label = QLabel(self)
        self.label.setObjectName("storage-label")
        self.advice_label = QLabel(OVER_ADVICE, self)
        self.advice_label.setObjectName("storage-over")
        self.advice_label.setWordWrap(True)
        set_semantic_foreground(self.advice_label, "warning")
        self.advice_label.hide()
        layout.addWidget(QLabel("Storage", self))
        layout.addWidget(self.bar)
        layout.addWidget(self.label)
        layout.addStretch(1)
        outer.addLayout(layout)
        outer.addWidget(self.advice_label)
        self.over = False

    def show_usage(self, used: int, limit: int) -> None:
        self.over = limit > 0 and used > limit
        self.bar.setValue(min(BAR_STEPS, int(BAR_STEPS * used / limit)) if limit else 0)
        text = usage_text(used, limit)
        self.label.setText(text)
        self.advice_label.setVisible(self.over)
        bar_palette = QPalette(self.palette())
        if self.over:
            bar_palette.setColor(QPalette.ColorRole.Highlight, semantic_color("warning"))
            set_semantic_foreground(self.label, "warning")
        else:
            self.label.setPalette(QPalette())
            self.label.setProperty("semanticColor", "")
        self.bar.setPalette(bar_palette)
        words = f"{text}. {OVER_ADVICE}" if self.over else text
        self.bar.setToolTip(words)
        self.bar.setAccessibleDescription(words)
