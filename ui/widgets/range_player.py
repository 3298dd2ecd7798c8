"""Playing a stretch of an audio file with QtMultimedia: from a start to an end, then stop, with the position.

The preview panel plays the chosen range of a track (``play(path, start, end)``) or a whole preview clip
(``end=None``). The media player is made on first use (loading QtMultimedia costs start-up time). It seeks
once the file is loaded (a seek before that is ignored), reports where it is through ``position``, stops
itself when it reaches the end and says so with ``finished``; a file the platform cannot play is reported
through ``failed`` with a sentence.

The media player is never started or stopped inside one of its own signals: the end of the range is seen in a
``positionChanged`` slot, and stopping there would take the backend's playback engine apart under the code
that is emitting. There ``playing``, ``stopped`` and ``finished`` say it at once and the media player is
halted from the event loop a moment later (a position arriving in between is ignored). Stopping waits for
the backend's threads, so it is done with the GIL released (:mod:`.media_calls`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, QUrl, Signal

from .media_calls import play_player, stop_player

log = logging.getLogger(__name__)


def _media_signal(slot: Callable[..., None]) -> Callable[..., None]:
    """A slot of the media player's signals: a stop asked for while it runs waits for the event loop."""

    @functools.wraps(slot)
    def run(self: RangePlayer, *args: Any) -> None:
        self._in_media_signal += 1
        try:
            slot(self, *args)
        finally:
            self._in_media_signal -= 1

    return run


class RangePlayer(QObject):
    position = Signal(float)  # seconds into the file
    started = Signal()
    finished = Signal()  # reached the end of the range (or of the file)
    stopped = Signal()  # no longer playing, for whatever reason
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._player: Any = None
        self._audio: Any = None
        self._start_ms = 0
        self._end_ms: int | None = None
        self._pending = False  # loading: seek and play once the file is loaded
        self._active = False
        self._in_media_signal = 0
        self.name = ""
        self._start_soon = self._soon(self._start_now)
        self._halt_soon = self._soon(self._halt_now)

    def _soon(self, slot: Callable[[], None]) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(0)
        timer.timeout.connect(slot)
        return timer

    def _ensure(self) -> Any:
        if self._player is None:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

            self._player = QMediaPlayer(self)
            self._audio = QAudioOutput(self)
            self._player.setAudioOutput(self._audio)
            self._player.mediaStatusChanged.connect(self._status)
            self._player.positionChanged.connect(self._moved)
            self._player.errorOccurred.connect(self._error)
        return self._player

    @property
    def playing(self) -> bool:
        return self._active

    def play(self, path: Path, start: float = 0.0, end: float | None = None, name: str = "") -> None:
        """Play ``path`` from ``start`` to ``end`` seconds (None: to the end of the file).

        Not from a slot of ``position``, ``finished`` or ``stopped`` (they are emitted inside the media player's
        signals, and loading a file there would take its engine apart under them): queue it to the event loop.
        """
        player = self._ensure()
        self.stop()
        # Unloaded before this range is set up, so that what the player says as it stops (an earlier range may
        # not be halted yet) is not taken for this range; setSource() stops it with the GIL released. And the
        # same file again must load again, or the seek is lost.
        self._halt_soon.stop()
        player.setSource(QUrl())
        self.name = name or path.name
        self._start_ms = max(0, round(start * 1000))
        self._end_ms = None if end is None else round(end * 1000)
        self._pending = True
        self._active = True
        player.setSource(QUrl.fromLocalFile(str(path)))
        self.started.emit()

    def stop(self) -> None:
        """Stop playing: at once, or from the event loop when asked inside a signal of the media player."""
        if self._player is None or not self._active:
            return
        self._active = False
        self._pending = False
        self._start_soon.stop()
        if self._in_media_signal:
            self._halt_soon.start()
        else:
            self._halt_soon.stop()
            stop_player(self._player)
        self.stopped.emit()

    def _halt_now(self) -> None:
        if not self._active:
            stop_player(self._player)

    def _start_now(self) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if not self._active or not self._pending:
            return
        if self._player.mediaStatus() != QMediaPlayer.MediaStatus.LoadedMedia:
            return  # a seek before the file is loaded is ignored: wait for its LoadedMedia
        self._pending = False
        if self._start_ms:
            self._player.setPosition(self._start_ms)  # the range may end where it starts
        if self._active:
            play_player(self._player)

    @_media_signal
    def _status(self, status: Any) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if not self._active:
            return
        if status == QMediaPlayer.MediaStatus.LoadedMedia and self._pending:
            self._start_soon.start()
        elif status == QMediaPlayer.MediaStatus.EndOfMedia:
            self._end()
        elif status == QMediaPlayer.MediaStatus.InvalidMedia:
            self._error(QMediaPlayer.Error.FormatError, "")

    @_media_signal
    def _moved(self, ms: int) -> None:
        if not self._active or self._pending:
            return
        self.position.emit(ms / 1000)
        if self._end_ms is not None and ms >= self._end_ms:
            self._end()

    def _end(self) -> None:
        self.stop()
        self.finished.emit()

    @_media_signal
    def _error(self, error: Any, text: str) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if error == QMediaPlayer.Error.NoError or not self._active:
            return
        log.warning("cannot play %s: %s %s", self.name, error, text)
        self.stop()
        self.failed.emit(f"This computer cannot play “{self.name}”: its audio format is not supported here.")
