"""The strip under the toolbar while a sync runs: the phase, counts and bytes, and a Cancel that stops it.

It shows only what the engine reported (a bar that fills only when the total is known, a moving
bar otherwise) and disappears when the sync ends; the status bar then says what happened.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QSizePolicy, QWidget

from ..widgets.icons import icon
from .controller import ProgressView

BAR_STEPS = 1000


class SyncProgressPanel(QFrame):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sync-progress")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.setAccessibleName("Sync progress")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(10)
        self.icon_label = QLabel(self)
        self.icon_label.setPixmap(icon("emblem-synchronizing").pixmap(20, 20))
        self.icon_label.setAccessibleName("Syncing")
        self.phase_label = QLabel(self)
        self.phase_label.setObjectName("sync-phase")
        bold = QFont(self.phase_label.font())
        bold.setBold(True)
        self.phase_label.setFont(bold)
        self.detail_label = QLabel(self)
        self.detail_label.setObjectName("sync-detail")
        self.detail_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.detail_label.setMinimumWidth(120)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("sync-bar")
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(180)
        self.bar.setMaximumHeight(14)
        self.bar.setAccessibleName("Sync progress")
        self.cancel_button = QPushButton(icon("media-playback-stop"), "Cancel", self)
        self.cancel_button.setObjectName("sync-cancel")
        self.cancel_button.setToolTip("Stop the sync. Nothing is lost; the next sync continues where this one stopped.")
        self.cancel_button.setAccessibleName("Cancel sync")
        self.cancel_button.clicked.connect(self._cancel)
        layout.addWidget(self.icon_label)
        layout.addWidget(self.phase_label)
        layout.addWidget(self.detail_label, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.current: ProgressView | None = None
        self.hide()

    def start(self) -> None:
        self.current = None
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")
        self.phase_label.setText("Starting sync")
        self.detail_label.setText("")
        self.bar.setRange(0, 0)
        self.show()

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Cancelling…")
        self.cancel_requested.emit()

    def show_progress(self, view: ProgressView) -> None:
        self.current = view
        self.phase_label.setText(view.title)
        self.detail_label.setText(view.detail)
        self.detail_label.setToolTip(view.detail)
        if view.total:
            self.bar.setRange(0, BAR_STEPS)
            self.bar.setValue(int(BAR_STEPS * min(1.0, max(0.0, view.done / view.total))))
        else:
            self.bar.setRange(0, 0)  # not known: a moving bar, never a bar that pretends
        self.bar.setAccessibleDescription(f"{view.title}: {view.detail}")
        self.setToolTip(f"{view.title}: {view.detail}")
        if view.phase == "cancelling":
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText("Cancelling…")

    def finish(self) -> None:
        self.hide()
        self.current = None

    def text(self) -> str:
        return f"{self.phase_label.text()} {self.detail_label.text()}".strip()
