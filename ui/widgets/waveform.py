"""The waveform of a track with the range of its preview: drag to select or move it, pull its handles to resize.

It paints the (min, max) peaks it is given (``app.previews.PreviewService.waveform`` computes them off the
UI thread) and keeps the range inside the track and between the preview's bounds (5–90 s, or the whole
track when it is shorter). ``rangeChanged`` follows every move; ``rangeEdited`` says where the person
let go. "Play the range" is left to the owner: ``playRequested(start, length)`` (Space, or double-click),
and ``setPlayhead`` draws where the player is.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ...app.formatting import format_duration
from ...app.previews import MAX_PREVIEW_SECONDS, MIN_PREVIEW_SECONDS

HANDLE_GRAB_PX = 6  # how near an edge of the range a press takes hold of it


def _time(seconds: float) -> str:
    minutes, rest = divmod(max(0.0, seconds), 60)
    return f"{int(minutes)}:{rest:04.1f}"


class _Drag(Enum):
    MOVE = "move"
    START = "start"
    END = "end"
    NEW = "new"


class WaveformRangeView(QWidget):
    rangeChanged = Signal(float, float)  # start, length (s), while the range changes
    rangeEdited = Signal(float, float)  # start, length (s), when the person let go of it
    playRequested = Signal(float, float)  # start, length (s)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.setAccessibleName("Preview range")
        self._peaks: tuple[tuple[float, float], ...] = ()
        self._duration = 0.0
        self._start = 0.0
        self._length = 0.0
        self._playhead: float | None = None
        self._drag: _Drag | None = None
        self._anchor = 0.0  # seconds under the pointer when the drag began
        self._anchor_start = 0.0
        self._anchor_length = 0.0

    def sizeHint(self) -> QSize:
        return QSize(640, 120)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 80)

    # ---- what it shows -------------------------------------------------------------------
    def setWaveform(self, peaks: Sequence[tuple[float, float]], duration: float) -> None:
        self._peaks = tuple((float(lo), float(hi)) for lo, hi in peaks)
        self._duration = max(0.0, float(duration))
        self._set(self._start, self._length or MIN_PREVIEW_SECONDS, emit=False)
        self.update()

    def duration(self) -> float:
        return self._duration

    def lengthBounds(self) -> tuple[float, float]:
        """The shortest and longest range the track allows."""
        longest = min(MAX_PREVIEW_SECONDS, self._duration)
        return min(MIN_PREVIEW_SECONDS, longest), longest

    def setRange(self, start: float, length: float) -> None:
        self._set(start, length, emit=True)

    def selectedRange(self) -> tuple[float, float]:
        return self._start, self._length

    def setPlayhead(self, seconds: float | None) -> None:
        """Where the player is (None: not playing)."""
        self._playhead = None if seconds is None else max(0.0, min(float(seconds), self._duration))
        self.update()

    def requestPlay(self) -> None:
        if self._duration > 0:
            self.playRequested.emit(self._start, self._length)

    # ---- geometry ------------------------------------------------------------------------
    def _area(self) -> QRectF:
        return QRectF(self.rect()).adjusted(1, 1, -1, -18)  # the bottom strip holds the times

    def _x(self, seconds: float) -> float:
        area = self._area()
        return area.left() + (seconds / self._duration * area.width() if self._duration else 0.0)

    def _seconds(self, x: float) -> float:
        area = self._area()
        if not self._duration or area.width() <= 0:
            return 0.0
        return max(0.0, min(self._duration, (x - area.left()) / area.width() * self._duration))

    def _set(self, start: float, length: float, *, emit: bool, keep_end: bool = False) -> None:
        shortest, longest = self.lengthBounds()
        length = max(shortest, min(longest, length))
        if keep_end:
            start = self._anchor_start + self._anchor_length - length
        start = max(0.0, min(start, self._duration - length))
        changed = (round(start, 3), round(length, 3)) != (round(self._start, 3), round(self._length, 3))
        self._start, self._length = round(start, 3), round(length, 3)
        if changed:
            self.update()
            if emit:
                self.rangeChanged.emit(self._start, self._length)

    def _hit(self, x: float) -> _Drag:
        left, right = self._x(self._start), self._x(self._start + self._length)
        if abs(x - left) <= HANDLE_GRAB_PX:
            return _Drag.START
        if abs(x - right) <= HANDLE_GRAB_PX:
            return _Drag.END
        return _Drag.MOVE if left < x < right else _Drag.NEW

    # ---- mouse and keys ------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or not self._duration:
            return super().mousePressEvent(event)
        x = event.position().x()
        self._drag = self._hit(x)
        self._anchor = self._seconds(x)
        self._anchor_start, self._anchor_length = self._start, self._length
        if self._drag is _Drag.NEW:  # a new range begins where the press was
            self._set(self._anchor, self.lengthBounds()[0], emit=True)
            self._anchor_start = self._start
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        x = event.position().x()
        if self._drag is None:
            over = self._hit(x) if self._duration else _Drag.NEW
            shapes = {
                _Drag.START: Qt.CursorShape.SizeHorCursor,
                _Drag.END: Qt.CursorShape.SizeHorCursor,
                _Drag.MOVE: Qt.CursorShape.OpenHandCursor,
                _Drag.NEW: Qt.CursorShape.IBeamCursor,
            }
            self.setCursor(shapes[over])
            return
        at = self._seconds(x)
        if self._drag is _Drag.MOVE:
            self._set(self._anchor_start + at - self._anchor, self._anchor_length, emit=True)
        elif self._drag is _Drag.START:
            self._set(at, self._anchor_start + self._anchor_length - at, emit=True, keep_end=True)
        else:  # END or NEW: the start stays, the end follows the pointer
            self._set(self._anchor_start, at - self._anchor_start, emit=True)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None and event.button() == Qt.MouseButton.LeftButton:
            self._drag = None
            self.rangeEdited.emit(self._start, self._length)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.requestPlay()
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = 5.0 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1.0
        key = event.key()
        if key == Qt.Key.Key_Space:
            self.requestPlay()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            self._set(self._start + (step if key == Qt.Key.Key_Right else -step), self._length, emit=True)
            self.rangeEdited.emit(self._start, self._length)
        else:
            return super().keyPressEvent(event)
        event.accept()

    # ---- painting ------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        pal = self.palette()
        area = self._area()
        p.fillRect(area, pal.color(QPalette.ColorRole.Base))
        wave = pal.color(QPalette.ColorRole.Text)
        wave.setAlpha(150)
        mid = area.center().y()
        half = area.height() / 2 - 2
        columns = max(1, int(area.width()))
        if self._peaks:
            p.setPen(QPen(wave, 1))
            n = len(self._peaks)
            for col in range(columns):
                first = col * n // columns
                last = max(first + 1, (col + 1) * n // columns)
                lo = min(pk[0] for pk in self._peaks[first:last])
                hi = max(pk[1] for pk in self._peaks[first:last])
                x = area.left() + col + 0.5
                p.drawLine(QPointF(x, mid - hi * half), QPointF(x, mid - lo * half))
        if self._duration:
            left, right = self._x(self._start), self._x(self._start + self._length)
            shade = QColor(pal.color(QPalette.ColorRole.Highlight))
            shade.setAlpha(70)
            p.fillRect(QRectF(left, area.top(), right - left, area.height()), shade)
            edge = QPen(pal.color(QPalette.ColorRole.Highlight), 2)
            p.setPen(edge)
            for x in (left, right):
                p.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()))
                p.fillRect(QRectF(x - 3, mid - 9, 6, 18), pal.color(QPalette.ColorRole.Highlight))
            if self._playhead is not None:
                p.setPen(QPen(pal.color(QPalette.ColorRole.BrightText), 1))
                px = self._x(self._playhead)
                p.drawLine(QPointF(px, area.top()), QPointF(px, area.bottom()))
            p.setPen(pal.color(QPalette.ColorRole.WindowText))
            text = (
                f"{_time(self._start)} – {_time(self._start + self._length)}"
                f"  ({self._length:.1f} s of {format_duration(self._duration)})"
            )
            p.drawText(QRectF(0, area.bottom() + 2, self.width(), 16), Qt.AlignmentFlag.AlignCenter, text)
        else:
            p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            p.drawText(area, Qt.AlignmentFlag.AlignCenter, "No waveform yet")
        if self.hasFocus():
            p.setPen(QPen(pal.color(QPalette.ColorRole.Highlight), 1, Qt.PenStyle.DotLine))
            p.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        p.end()
