"""Hearing a beat pattern: render its cycle off the UI thread and loop it through QtMultimedia.

The pattern synthesiser (``app.pattern_audio``) is pure Python and takes a noticeable moment for a
cycle, so rendering runs as a read operation (``ctx.ops.read``) and never on the UI thread. The
rendered cycle (16-bit mono PCM) is handed to a :class:`LoopDevice` that a ``QAudioSink`` pulls
from, endlessly. When the tempo, key or an instrument setting changes while the pattern plays, the
cycle is rendered again (debounced) and swapped in at the same point of the bar, so the groove
does not restart. Machines without a sound device get a clear message instead of silence.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QIODevice, QObject, QTimer, Signal
from PySide6.QtMultimedia import QAudioFormat, QAudioSink, QMediaDevices, QtAudio

from ..operations import OperationRunner

SAMPLE_RATE = 44100

#: renders one loop of a pattern: (flavor, bpm, key_note, configuration, sample_rate=...) -> 16-bit PCM
Renderer = Callable[..., array]

NO_DEVICE_MESSAGE = (
    "No audio output device was found, so the pattern cannot be heard here. "
    "Connect speakers or headphones (or start the sound system) and press Play again."
)


def default_renderer() -> Renderer:
    from ...app.pattern_audio import render_cycle

    return render_cycle


@dataclass(frozen=True)
class PatternSound:
    """Everything that decides how a pattern sounds."""

    flavor: str
    bpm: int
    key_note: int
    configuration: dict[str, Any]


class LoopDevice(QIODevice):
    """A read-only device that plays a block of PCM over and over; the block can be swapped live."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__()
        if parent is not None:
            self.setParent(parent)
        self._lock = threading.Lock()
        self._data = b""
        self._pos = 0

    def set_pcm(self, data: bytes) -> None:
        """Replace the loop, keeping the same point of the cycle (so a tempo change does not jump)."""
        with self._lock:
            if self._data and data:
                fraction = self._pos / len(self._data)
                self._pos = int(fraction * len(data)) & ~1
            else:
                self._pos = 0
            self._data = bytes(data)
            if self._pos >= len(self._data):
                self._pos = 0

    @property
    def loop_bytes(self) -> int:
        return len(self._data)

    def position(self) -> int:
        with self._lock:
            return self._pos

    def isSequential(self) -> bool:  # noqa: N802 - Qt override
        return True

    def bytesAvailable(self) -> int:  # noqa: N802 - Qt override
        with self._lock:
            endless = 1 << 30 if self._data else 0
        return endless + super().bytesAvailable()

    def readData(self, maxlen: int) -> bytes:  # noqa: N802 - Qt override
        with self._lock:
            data = self._data
            if not data or maxlen <= 0:
                return b""
            want = maxlen & ~1
            out = bytearray()
            pos = self._pos
            while len(out) < want:
                chunk = data[pos : pos + (want - len(out))]
                out += chunk
                pos = (pos + len(chunk)) % len(data)
            self._pos = pos
            return bytes(out)

    def writeData(self, data: bytes | bytearray | memoryview, len: int, /) -> int:  # noqa: N802, A002
        return -1  # read-only


def pcm_bytes(samples: array) -> bytes:
    """16-bit samples as little-endian bytes (what QAudioFormat.Int16 expects)."""
    if samples.itemsize != 2:
        raise ValueError("the renderer must return 16-bit samples (array('h'))")
    return samples.tobytes()


class PatternPlayer(QObject):
    """Start/stop playback of a pattern; re-renders when the pattern's sound changes.

    ``state_changed`` carries "stopped", "rendering" or "playing"; ``message_changed`` carries
    words for the artist (empty when all is well); ``rendered`` carries the seconds of one cycle.
    """

    state_changed = Signal(str)
    message_changed = Signal(str)
    rendered = Signal(float)

    RERENDER_DELAY_MS = 150

    def __init__(
        self,
        ops: OperationRunner,
        renderer: Renderer | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ops = ops
        self._renderer = renderer
        self._sound: PatternSound | None = None
        self._state = "stopped"
        self._message = ""
        self._generation = 0
        self._want_playing = False
        self._device = LoopDevice(self)
        self._sink: QAudioSink | None = None
        self._rerender = QTimer(self)
        self._rerender.setSingleShot(True)
        self._rerender.setInterval(self.RERENDER_DELAY_MS)
        self._rerender.timeout.connect(self._render)
        self._watchdog = QTimer(self)
        self._watchdog.setInterval(500)
        self._watchdog.timeout.connect(self._watch_sink)
        self.last_cycle_seconds = 0.0

    # ---- public ----------------------------------------------------------------------------
    @property
    def state(self) -> str:
        return self._state

    @property
    def message(self) -> str:
        return self._message

    @property
    def device(self) -> LoopDevice:
        return self._device

    def set_sound(self, sound: PatternSound | None) -> None:
        """What to play; while playing, a change is heard after a short pause for more edits."""
        if sound == self._sound:
            return
        self._sound = sound
        if sound is None:
            self.stop()
        elif self._want_playing:
            self._rerender.start()

    def start(self) -> None:
        if self._sound is None:
            self._set_message("Choose a pattern to play.")
            return
        self._want_playing = True
        self._set_message("")
        self._render()

    def stop(self) -> None:
        self._want_playing = False
        self._rerender.stop()
        self._generation += 1  # a render still running is ignored when it lands
        self._close_sink()
        self._set_state("stopped")

    def toggle(self) -> None:
        if self._want_playing:
            self.stop()
        else:
            self.start()

    # ---- rendering -------------------------------------------------------------------------
    def _render(self) -> None:
        sound = self._sound
        if sound is None or not self._want_playing:
            return
        self._generation += 1
        generation = self._generation
        renderer = self._renderer
        if self._state != "playing":
            self._set_state("rendering")

        def work(_op: Any) -> bytes:
            render = renderer or default_renderer()
            samples = render(sound.flavor, sound.bpm, sound.key_note, sound.configuration, sample_rate=SAMPLE_RATE)
            return pcm_bytes(samples)

        def done(data: bytes) -> None:
            if generation != self._generation or not self._want_playing:
                return
            self._play(data)

        def failed(exc: BaseException) -> bool:
            if generation == self._generation:
                self._want_playing = False
                self._close_sink()
                self._set_state("stopped")
                self._set_message(f"The pattern could not be rendered: {exc}")
            return True

        self._ops.read(work).success(done).failure(failed).with_label("Rendering the pattern").run()

    # ---- output ----------------------------------------------------------------------------
    def _play(self, data: bytes) -> None:
        self.last_cycle_seconds = len(data) / 2 / SAMPLE_RATE
        self.rendered.emit(self.last_cycle_seconds)
        if not data:
            self._want_playing = False
            self._set_state("stopped")
            self._set_message("Every instrument is switched off: enable one to hear the pattern.")
            return
        self._device.set_pcm(data)
        if self._sink is not None and self._sink.state() == QtAudio.State.ActiveState:
            return  # the new cycle is swapped in while it plays
        self._open_sink()

    def _open_sink(self) -> None:
        output = QMediaDevices.defaultAudioOutput()
        if output.isNull() or not QMediaDevices.audioOutputs():
            self._fail(NO_DEVICE_MESSAGE)
            return
        fmt = QAudioFormat()
        fmt.setSampleRate(SAMPLE_RATE)
        fmt.setChannelCount(1)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        if not output.isFormatSupported(fmt):
            self._fail(f"The audio device “{output.description()}” cannot play 16-bit mono sound.")
            return
        self._close_sink()
        sink = QAudioSink(output, fmt, self)
        self._sink = sink
        if not self._device.isOpen():
            self._device.open(QIODevice.OpenModeFlag.ReadOnly)
        sink.start(self._device)
        if sink.error() != QtAudio.Error.NoError:
            self._fail(f"The audio device “{output.description()}” could not be opened. {NO_DEVICE_MESSAGE}")
            return
        self._watchdog.start()
        self._set_state("playing")

    def _watch_sink(self) -> None:
        # PySide6 6.11 cannot deliver QAudioSink.stateChanged (QAudio::State does not convert),
        # so the sink is looked at twice a second while it should be playing.
        sink = self._sink
        if sink is None or not self._want_playing:
            self._watchdog.stop()
            return
        if sink.state() == QtAudio.State.StoppedState and sink.error() != QtAudio.Error.NoError:
            self._fail("Playback stopped because the audio device reported an error. Press Play to try again.")

    def _fail(self, message: str) -> None:
        self._want_playing = False
        self._close_sink()
        self._set_state("stopped")
        self._set_message(message)

    def _close_sink(self) -> None:
        self._watchdog.stop()
        sink, self._sink = self._sink, None
        if sink is not None:
            sink.stop()
            sink.deleteLater()
        if self._device.isOpen():
            self._device.close()

    # ---- state -----------------------------------------------------------------------------
    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)

    def _set_message(self, message: str) -> None:
        if message != self._message:
            self._message = message
            self.message_changed.emit(message)
