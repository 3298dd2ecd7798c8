"""Playing one track's audio with QtMultimedia: play, pause, seek, and why a file cannot play, in words.

The media player is created on first use (loading QtMultimedia costs start-up time); a format the
platform cannot decode is reported through ``failed`` with a sentence for the artist. Stopping waits for the
backend's threads, so it is done with the GIL released (:mod:`.media_calls`), and never inside one of the
media player's own signals: an error is answered by stopping from the event loop.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, QUrl, Signal

from .media_calls import play_player, stop_player


class Player(QObject):
    """Play and pause one track's audio with QtMultimedia (created on first use)."""

    state_changed = Signal()
    position_changed = Signal("qint64", "qint64")  # type: ignore[arg-type]  # ms, duration ms
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._player: Any = None
        self._audio: Any = None
        self.track_id: str | None = None
        self.title = ""
        self.error_text = ""  # why the current track cannot play (empty when it can)
        self._halt_soon = QTimer(self)  # stops the player after its error signal returned
        self._halt_soon.setSingleShot(True)
        self._halt_soon.setInterval(0)
        self._halt_soon.timeout.connect(self._halt_failed)

    def _ensure(self) -> Any:
        if self._player is None:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

            self._player = QMediaPlayer(self)
            self._audio = QAudioOutput(self)
            self._player.setAudioOutput(self._audio)
            self._player.playbackStateChanged.connect(lambda _s: self.state_changed.emit())
            self._player.mediaStatusChanged.connect(self._status)
            self._player.errorOccurred.connect(self._error)
            self._player.positionChanged.connect(lambda pos: self.position_changed.emit(pos, self._player.duration()))
            self._player.durationChanged.connect(lambda d: self.position_changed.emit(self._player.position(), d))
        return self._player

    def play_file(self, track_id: str, title: str, path: Path) -> None:
        player = self._ensure()
        self.track_id = track_id
        self.title = title
        self.error_text = ""
        stop_player(player)  # what plays now, with the GIL released (see media_calls)
        player.setSource(QUrl.fromLocalFile(str(path)))
        play_player(player)
        self.state_changed.emit()

    def _status(self, status: Any) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if status == QMediaPlayer.MediaStatus.InvalidMedia:
            self._error(QMediaPlayer.Error.FormatError, "")
        elif status == QMediaPlayer.MediaStatus.EndOfMedia:
            self.state_changed.emit()

    def _error(self, error: Any, text: str) -> None:
        if self._player is None:
            return
        from PySide6.QtMultimedia import QMediaPlayer

        if error == QMediaPlayer.Error.NoError:
            return
        if self.error_text:
            return  # already reported (an error and an invalid-media status come together)
        detail = f" ({text})" if text else ""
        self.error_text = f"This computer cannot play “{self.title}”: its audio format is not supported here{detail}."
        self._halt_soon.start()
        self.state_changed.emit()
        self.failed.emit(self.error_text)

    @property
    def playing(self) -> bool:
        if self._player is None:
            return False
        from PySide6.QtMultimedia import QMediaPlayer

        return bool(self._player.playbackState() == QMediaPlayer.PlaybackState.PlayingState)

    @property
    def paused(self) -> bool:
        if self._player is None:
            return False
        from PySide6.QtMultimedia import QMediaPlayer

        return bool(self._player.playbackState() == QMediaPlayer.PlaybackState.PausedState)

    def pause(self) -> None:
        if self._player is not None:
            self._player.pause()

    def resume(self) -> None:
        if self._player is not None:
            play_player(self._player)

    def stop(self) -> None:
        if self._player is not None:
            stop_player(self._player)
            self.state_changed.emit()

    def _halt_failed(self) -> None:
        if self.error_text:  # else another track was chosen since, and it plays
            self.stop()

    def seek(self, ms: int) -> None:
        if self._player is not None:
            self._player.setPosition(ms)
