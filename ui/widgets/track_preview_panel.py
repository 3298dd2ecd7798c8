"""The "Preview" panel of a track's detail: its waveform, the range to cut, playing it, making the preview.

The waveform is read off the UI thread (``workspace.previews.waveform``, through ``ctx.ops.read``): a
progress bar with Cancel while it is computed the first time, at once from the cache afterwards. The
range starts as the app's default (30 s from a quarter in) and is chosen on the waveform
(:class:`WaveformRangeView`). "Play range" plays that stretch of the track's audio file with the playhead
moving and stops at its end; "Make preview" / "Remake preview" and "Remove preview" are
:class:`PreviewCommand` steps on the window's undo stack, run on the writer thread with progress and
Cancel. Audio that is damaged, undecodable or not on this computer yet is said in a sentence, and the
panel then offers only what can still work (playing or removing an existing preview).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...app.errors import NotFound
from ...app.formatting import format_duration
from ...app.previews import PreviewCancelled, PreviewFailed, default_range
from ...app.records import Track
from ..context import UiContext
from ..operations import OpContext, Operation
from .icons import icon
from .preview_commands import PreviewCommand
from .range_player import RangePlayer
from .theme import set_semantic_foreground
from .undo_commands import execute
from .waveform import WaveformRangeView

log = logging.getLogger(__name__)

WAVEFORM_BUCKETS = 1000
NOT_CHANGED = " The track's preview was not changed."  # the service's ending, said of a cut, not of a waveform
DAMAGED_HINT = "To make a preview, add the track again from an intact copy of the file."


@dataclass(frozen=True)
class _Loaded:
    """What the panel read about one track, off the UI thread."""

    audio: Path | None  # the track's audio on this computer (None: it cannot be used, see ``problem``)
    problem: str  # why the audio cannot be used, in a sentence (empty when it can)
    retry: bool  # the problem goes away by trying again (the person stopped the waveform)
    waveform: Any  # the track's waveform (None: not read this time, or it cannot be)
    preview: Path | None  # the preview clip on this computer
    preview_seconds: float | None


def _mss(seconds: float) -> str:
    return format_duration(seconds) or "0:00"


def _clock(seconds: float) -> str:
    """``48.75`` → ``"0:48.8"``: a time in the track as the waveform's own scale says it."""
    minutes, rest = divmod(max(0.0, seconds), 60)
    return f"{int(minutes)}:{rest:04.1f}"


class TrackPreviewPanel(QGroupBox):
    #: a sentence for the window's status line
    message = Signal(str)
    #: this panel began to play (the section stops its own player)
    playback_started = Signal()
    #: the panel shows what it read about the current track (waveform, preview, or the problem)
    loaded = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__("Preview", parent)
        self.setObjectName("track-preview")
        self.ctx = ctx
        self.track: Track | None = None
        self._audio_id: str | None = None  # the audio of the track shown (its waveform, once drawn)
        self._audio: Path | None = None
        self._problem = ""
        self._retry = False
        self._note = ""  # what became of the last make (a refusal, a stop), said until the next action
        self._preview: Path | None = None
        self._preview_seconds: float | None = None
        self._reading: Operation[Any] | None = None
        self._making: Operation[Any] | None = None
        self._generation = 0  # answers of an earlier read are dropped
        self._drawing = False  # the current read draws the waveform (not only the preview's state)
        self._read_again = False  # the track changed while its waveform was drawn
        self._playing = ""  # "range" or "preview" while the player plays
        self.player = RangePlayer(self)
        self._build()
        self.player.position.connect(self._player_moved)
        self.player.stopped.connect(self._player_stopped)
        self.player.failed.connect(self._player_failed)
        self.setVisible(False)

    # ---- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        v = QVBoxLayout(self)
        v.setSpacing(6)
        self.status = QLabel(self)
        self.status.setObjectName("preview-status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        v.addWidget(self.status)

        self.progress_row = QWidget(self)
        pr = QHBoxLayout(self.progress_row)
        pr.setContentsMargins(0, 0, 0, 0)
        self.progress = QProgressBar(self.progress_row)
        self.progress.setAccessibleName("Preview progress")
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel", self.progress_row)
        self.cancel_button.clicked.connect(self.cancel)
        pr.addWidget(self.progress, 1)
        pr.addWidget(self.cancel_button)
        self.progress_row.hide()
        v.addWidget(self.progress_row)

        self.waveform = WaveformRangeView(self)
        self.waveform.setToolTip(
            "Drag across the waveform to choose the preview; pull its edges to resize it. "
            "Space or a double-click plays it."
        )
        self.waveform.rangeChanged.connect(self._range_changed)
        self.waveform.playRequested.connect(lambda _s, _n: self.toggle_range())
        v.addWidget(self.waveform)

        self.range_row = QWidget(self)
        rr = QHBoxLayout(self.range_row)
        rr.setContentsMargins(0, 0, 0, 0)
        self.start_value = QLabel(self.range_row)
        self.start_value.setObjectName("preview-start")
        self.start_value.setAccessibleName("Preview start")
        self.length_value = QLabel(self.range_row)
        self.length_value.setObjectName("preview-length")
        self.length_value.setAccessibleName("Preview length")
        for caption, value in (("Start", self.start_value), ("Length", self.length_value)):
            label = QLabel(caption, self.range_row)
            set_semantic_foreground(label, "muted")
            rr.addWidget(label)
            rr.addWidget(value)
            rr.addSpacing(12)
        rr.addStretch(1)
        v.addWidget(self.range_row)

        # one row acts on the range, the other on the preview made from it (two rows fit a narrow detail pane)
        range_buttons, preview_buttons = QHBoxLayout(), QHBoxLayout()
        self.play_range_button = QPushButton(icon("media-playback-start"), "Play range", self)
        self.play_range_button.setToolTip("Play the chosen range of the track (Space on the waveform)")
        self.play_range_button.clicked.connect(self.toggle_range)
        self.make_button = QPushButton("Make preview", self)
        self.make_button.setToolTip("Cut the chosen range into the track's preview (it syncs like any file)")
        self.make_button.clicked.connect(self.make_preview)
        self.retry_button = QPushButton("Draw waveform", self)
        self.retry_button.clicked.connect(self.reload)
        self.play_preview_button = QPushButton(icon("media-playback-start"), "Play preview", self)
        self.play_preview_button.clicked.connect(self.toggle_preview)
        self.remove_button = QPushButton("Remove preview", self)
        self.remove_button.clicked.connect(self.remove_preview)
        for row, row_buttons in (
            (range_buttons, (self.play_range_button, self.make_button, self.retry_button)),
            (preview_buttons, (self.play_preview_button, self.remove_button)),
        ):
            for button in row_buttons:
                row.addWidget(button)
            row.addStretch(1)
            v.addLayout(row)
        for button in (self.play_range_button, self.play_preview_button):  # "Stop" in their place keeps the row still
            button.setMinimumWidth(button.sizeHint().width())
        self._render()

    # ---- which track -------------------------------------------------------------------------
    def show_track(self, track: Track | None) -> None:
        """Show the preview of ``track`` (None: no single track is selected; the panel hides)."""
        if track is None:
            self._leave()
            self.track = None
            self.setVisible(False)
            return
        same = self.track is not None and self.track.id == track.id and self._audio_id == track.audio_file_id
        if not same:
            self._leave()
            self._note = ""
            self._audio_id = track.audio_file_id
        self.track = track
        self.setVisible(True)
        if same and self._drawing:  # a refresh while the waveform is drawn: read the rest once it is done
            self._read_again = True
            return
        self._load(read_waveform=not (same and self.waveform.duration() > 0))

    def reload(self) -> None:
        """Read the current track's waveform again (after it was stopped)."""
        if self.track is not None:
            self._load(read_waveform=True)

    def _leave(self) -> None:
        self.player.stop()
        if self._reading is not None:
            self._reading.cancel()
            self._reading = None
        self._drawing = self._read_again = False
        self._audio_id = None
        self._audio = None
        self.waveform.setWaveform((), 0.0)

    def _load(self, read_waveform: bool) -> None:
        track = self.track
        assert track is not None
        previews = self.ctx.workspace.previews
        files = self.ctx.workspace.files
        self._generation += 1
        generation = self._generation
        self._drawing = read_waveform

        def read(op: OpContext) -> _Loaded:
            preview, preview_seconds = None, None
            if track.preview_file_id:
                preview = previews.preview_path(track.id)
                clip = files.find(track.preview_file_id)
                preview_seconds = clip.duration_seconds if clip is not None else None
            try:
                audio = previews.audio_path(track.id)
            except PreviewFailed as exc:  # not on this computer yet
                return _Loaded(None, str(exc), False, None, preview, preview_seconds)
            waveform = None
            try:
                if read_waveform:
                    waveform = previews.waveform(
                        track.id,
                        WAVEFORM_BUCKETS,
                        cancelled=lambda: op.cancelled,
                        progress=lambda done, total: op.progress(done, total, "Drawing the waveform…"),
                    )
            except PreviewCancelled:
                return _Loaded(
                    None,
                    "The waveform was not drawn: it was stopped before the end.",
                    True,
                    None,
                    preview,
                    preview_seconds,
                )
            except PreviewFailed as exc:  # damaged or not audio Gigbag can decode
                return _Loaded(
                    None, f"{str(exc).removesuffix(NOT_CHANGED)} {DAMAGED_HINT}", False, None, preview, preview_seconds
                )
            return _Loaded(audio, "", False, waveform, preview, preview_seconds)

        def progress(done: int, total: int, text: str) -> None:
            if generation == self._generation:
                self._show_progress(done, total, text)

        def show(result: _Loaded) -> None:
            if generation == self._generation:
                self._loaded(track, result, read_waveform)

        def finished() -> None:
            if generation == self._generation:
                self._reading = None
                self._drawing = False
                self._render()
                if self._read_again and self.track is not None:
                    self._read_again = False
                    self._load(read_waveform=False)

        if read_waveform:
            self.status.setText(f"Reading the audio of “{track.title}”…")

        def failed(exc: BaseException) -> bool:
            # the track went while it was read (deleted here or by a sync): the section shows another one
            return generation != self._generation or isinstance(exc, NotFound)

        op = self.ctx.ops.read(read).with_label("Waveform").progress(progress).success(show).failure(failed)
        self._reading = op.finished(finished)
        self._reading.run()
        self._render()

    def _loaded(self, track: Track, result: _Loaded, read_waveform: bool) -> None:
        self._audio = result.audio
        if read_waveform or result.problem or self.waveform.duration() > 0:  # else the waveform's words stay
            self._problem, self._retry = result.problem, result.retry
        self._preview, self._preview_seconds = result.preview, result.preview_seconds
        if result.problem:
            log.info("preview panel of track %s: %s", track.id, result.problem)
            self.player.stop()
            self.waveform.setWaveform((), 0.0)
        elif read_waveform and result.waveform is not None:
            wave = result.waveform
            self.waveform.setWaveform(wave.peaks, wave.duration_seconds)
            chosen = default_range(wave.duration_seconds)
            self.waveform.setRange(chosen.start, chosen.length)
            self._range_changed(*self.waveform.selectedRange())
        self._reading = None
        self._render()
        self.loaded.emit()

    # ---- what it shows -----------------------------------------------------------------------
    def _busy(self) -> bool:
        return self._reading is not None or self._making is not None

    def _render(self) -> None:
        track = self.track
        ready = track is not None and not self._problem and self.waveform.duration() > 0
        has_preview = track is not None and bool(track.preview_file_id)
        making = self._making is not None
        if not self._busy():
            self.progress_row.hide()
        self.waveform.setVisible(ready)
        self.range_row.setVisible(ready)
        self.make_button.setVisible(ready)
        self.make_button.setText("Remake preview" if has_preview else "Make preview")
        self.make_button.setEnabled(ready and not making)
        self.retry_button.setVisible(self._retry and self._reading is None)
        self.play_range_button.setVisible(ready)
        self.play_range_button.setEnabled(ready and self._audio is not None)
        self.play_preview_button.setVisible(self._preview is not None and has_preview)
        self.remove_button.setVisible(has_preview)
        self.remove_button.setEnabled(not making)
        self.play_range_button.setText("Stop" if self._playing == "range" else "Play range")
        self.play_range_button.setIcon(
            icon("media-playback-stop" if self._playing == "range" else "media-playback-start")
        )
        self.play_preview_button.setText("Stop" if self._playing == "preview" else "Play preview")
        self.play_preview_button.setIcon(
            icon("media-playback-stop" if self._playing == "preview" else "media-playback-start")
        )
        if track is None or self._busy():
            return
        self.status.setText(self._sentence(track, ready, has_preview))

    def _sentence(self, track: Track, ready: bool, has_preview: bool) -> str:
        parts = [text for text in (self._note, self._problem) if text]
        if has_preview:
            length = f" lasts {_mss(self._preview_seconds)}" if self._preview_seconds else " is made"
            parts.append(
                f"The preview{length}"
                + (
                    "."
                    if self._preview is not None
                    else ", but its file is not on this computer yet: sync to bring it."
                )
            )
            if ready:
                parts.append("Choose another range and press Remake preview to replace it.")
        elif ready:
            parts.append("No preview yet. Choose up to 90 seconds on the waveform, play them, then press Make preview.")
        return " ".join(parts)

    def _show_progress(self, done: int, total: int, text: str) -> None:
        self.progress_row.show()
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total))
        else:
            self.progress.setRange(0, 0)
        if text:
            self.status.setText(text)

    def _range_changed(self, start: float, length: float) -> None:
        self.start_value.setText(_clock(start))
        self.length_value.setText(_clock(length))
        self.start_value.setToolTip(f"{start:.1f} s")
        self.length_value.setToolTip(f"{length:.1f} s")

    def cancel(self) -> None:
        for op in (self._reading, self._making):
            if op is not None:
                op.cancel()

    # ---- making and removing -----------------------------------------------------------------
    def make_preview(self) -> None:
        track = self.track
        if track is None or self._making is not None or self.waveform.duration() <= 0:
            return
        start, length = self.waveform.selectedRange()
        self._note = ""
        self._show_progress(0, 0, f"Cutting {_mss(length)} from {_mss(start)}…")

        def made(_change: Any) -> None:
            self.message.emit(f"Preview of “{track.title}” made: {_mss(length)} from {_mss(start)}")

        def refused(exc: BaseException) -> bool:
            if not isinstance(exc, PreviewFailed):
                return False  # the window's handler says it
            log.info("preview of track %s not made: %s", track.id, exc)
            if self.track is not None and self.track.id == track.id:
                self._note = str(exc)
            self.message.emit(str(exc))
            return True

        def finished() -> None:
            self._making = None
            self._render()

        op = execute(
            self.ctx,
            PreviewCommand(self.ctx, track.id, start, length),
            on_success=made,
            on_failure=refused,
            on_progress=self._show_progress,
        )
        self._making = op.finished(finished)
        self._render()

    def remove_preview(self) -> None:
        track = self.track
        if track is None or not track.preview_file_id or self._making is not None:
            return
        if self._playing == "preview":
            self.player.stop()
        execute(
            self.ctx,
            PreviewCommand(self.ctx, track.id, remove=True),
            on_success=lambda _c: self.message.emit(f"Preview of “{track.title}” removed"),
        )

    # ---- playing -----------------------------------------------------------------------------
    def toggle_range(self) -> None:
        if self._playing == "range":
            self.player.stop()
            return
        if self._audio is None or self.track is None or self.waveform.duration() <= 0:
            return
        start, length = self.waveform.selectedRange()
        self._play("range", self._audio, start, start + length, self.track.title)

    def toggle_preview(self) -> None:
        if self._playing == "preview":
            self.player.stop()
            return
        if self._preview is not None and self.track is not None:
            self._play("preview", self._preview, 0.0, None, f"preview of {self.track.title}")

    def _play(self, what: str, path: Path, start: float, end: float | None, name: str) -> None:
        self.playback_started.emit()
        self.player.play(path, start, end, name)
        self._playing = what
        if what == "range":
            self.waveform.setPlayhead(start)
        self._render()

    def stop(self) -> None:
        self.player.stop()

    def shutdown(self) -> None:
        """The window closes: stop playing and reading (a preview being cut is finished first)."""
        self.player.stop()
        if self._reading is not None:
            self._reading.cancel()

    def _player_moved(self, seconds: float) -> None:
        if self._playing == "range":
            self.waveform.setPlayhead(seconds)

    def _player_stopped(self) -> None:
        self._playing = ""
        self.waveform.setPlayhead(None)
        self._render()

    def _player_failed(self, text: str) -> None:
        self.status.setText(text)
        self.message.emit(text)
