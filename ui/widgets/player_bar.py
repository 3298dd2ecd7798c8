"""The Tracks section's transport bar: play/pause, stop, what is playing, position and time."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

from ...app.formatting import format_duration
from .icons import icon


class PlayerBar(QFrame):
    """Lays out the controls; the section connects them to its :class:`~.audio_player.Player`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("player-bar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        self.play_button = self._button("media-playback-start", "Play", "Play the selected track (Space)")
        self.stop_button = self._button("media-playback-stop", "Stop", "Stop")
        self.now_playing = QLabel("Select a track and press Play", self)
        self.now_playing.setMinimumWidth(160)
        self.position = QSlider(Qt.Orientation.Horizontal, self)
        self.position.setAccessibleName("Position")
        self.position.setRange(0, 0)
        self.time_label = QLabel("0:00 / 0:00", self)
        row.addWidget(self.play_button)
        row.addWidget(self.stop_button)
        row.addWidget(self.now_playing, 1)
        row.addWidget(self.position, 2)
        row.addWidget(self.time_label)

    def _button(self, icon_name: str, name: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(icon(icon_name))
        button.setIconSize(QSize(22, 22))
        button.setAccessibleName(name)
        button.setToolTip(tip)
        return button

    def show_playing(self, playing: bool) -> None:
        self.play_button.setIcon(icon("media-playback-pause" if playing else "media-playback-start"))
        self.play_button.setAccessibleName("Pause" if playing else "Play")
        self.play_button.setToolTip("Pause (Space)" if playing else "Play the selected track (Space)")

    def show_position(self, ms: int, duration: int) -> None:
        self.position.setRange(0, max(0, duration))
        if not self.position.isSliderDown():
            self.position.setValue(ms)
        self.time_label.setText(f"{format_duration(ms / 1000)} / {format_duration(duration / 1000)}")
