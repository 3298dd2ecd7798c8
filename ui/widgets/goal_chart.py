"""A goal's progress over time, as a line chart (QtCharts) drawn in the window's palette colors.

Progress entries are amounts added, so the chart plots their running total against the time each
was recorded, with the goal's target as a dashed line reaching to its target date. Colors come
from the palette (text, base, highlight, mid) and are re-applied when the palette changes, so the
chart reads as well in dark mode as in light.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QScatterSeries, QValueAxis
from PySide6.QtCore import QDateTime, QEvent, QMargins, Qt, QTimeZone
from PySide6.QtGui import QBrush, QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QLabel, QStackedLayout, QWidget

EMPTY_TEXT = "No progress recorded yet.\nRecord progress to see it grow over time."


@dataclass(frozen=True)
class ProgressPoint:
    when: dt.datetime
    value: float  # the amount added at that time


def parse_timestamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def running_totals(points: Sequence[ProgressPoint]) -> list[tuple[dt.datetime, float]]:
    """(time, total so far) for each entry, oldest first."""
    total = 0.0
    out = []
    for p in sorted(points, key=lambda p: p.when):
        total += p.value
        out.append((p.when, total))
    return out


def _msecs(when: dt.datetime) -> float:
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp() * 1000.0


class GoalChart(QWidget):
    """Shows the running total of a goal's progress; a friendly sentence when there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Progress over time")
        self._totals: list[tuple[dt.datetime, float]] = []
        self._target: float | None = None
        self._target_date: dt.date | None = None

        self._chart = QChart()
        self._chart.legend().setVisible(False)
        self._chart.setMargins(QMargins(4, 4, 4, 4))
        self._chart.setBackgroundRoundness(0)
        self._series = QLineSeries()
        self._series.setName("Progress")
        self._dots = QScatterSeries()
        self._dots.setMarkerSize(7.0)
        self._target_line = QLineSeries()
        self._target_line.setName("Target")
        for s in (self._series, self._dots, self._target_line):
            self._chart.addSeries(s)
        self._x = QDateTimeAxis()
        self._x.setFormat("d MMM yy")
        self._x.setTickCount(5)
        self._y = QValueAxis()
        self._y.setLabelFormat("%.0f")
        self._y.setTickCount(5)
        self._chart.addAxis(self._x, Qt.AlignmentFlag.AlignBottom)
        self._chart.addAxis(self._y, Qt.AlignmentFlag.AlignLeft)
        for s in (self._series, self._dots, self._target_line):
            s.attachAxis(self._x)
            s.attachAxis(self._y)

        self._view = QChartView(self._chart)
        self._view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._view.setMinimumHeight(160)
        self._empty = QLabel(EMPTY_TEXT)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._stack = QStackedLayout(self)
        self._stack.setContentsMargins(0, 0, 0, 0)
        self._stack.addWidget(self._empty)
        self._stack.addWidget(self._view)
        self._apply_palette()

    # ---- data ------------------------------------------------------------------------------
    def set_progress(
        self,
        points: Sequence[ProgressPoint],
        target: float | None = None,
        target_date: dt.date | None = None,
    ) -> None:
        self._totals = running_totals(points)
        self._target = target
        self._target_date = target_date
        self._series.clear()
        self._dots.clear()
        self._target_line.clear()
        if not self._totals:
            self._stack.setCurrentWidget(self._empty)
            return
        for when, total in self._totals:
            self._series.append(_msecs(when), total)
            self._dots.append(_msecs(when), total)
        first = self._totals[0][0]
        last = self._totals[-1][0]
        end = last
        if target_date is not None:
            deadline = dt.datetime.combine(target_date, dt.time(23, 59), tzinfo=dt.UTC)
            end = max(end, deadline)
        if end - first < dt.timedelta(days=4):
            # a short history still gets a few days of axis, so no two ticks show the same date
            middle = first + (end - first) / 2
            start, end = middle - dt.timedelta(days=2), middle + dt.timedelta(days=2)
        else:
            pad = (end - first) * 0.04
            start, end = first - pad, end + pad
        if target is not None:
            self._target_line.append(_msecs(start), target)
            self._target_line.append(_msecs(end), target)
        values = [t for _, t in self._totals] + ([target] if target is not None else [])
        low = min(0.0, *values)
        high = max(values) if max(values) > low else low + 1
        self._x.setRange(self._qdt(start), self._qdt(end))
        self._x.setFormat("d MMM" if (end - start).days < 300 else "MMM yyyy")
        self._y.setRange(low, high * 1.1 if high > 0 else high + 1)
        self._y.applyNiceNumbers()
        self._stack.setCurrentWidget(self._view)

    @property
    def totals(self) -> list[tuple[dt.datetime, float]]:
        return list(self._totals)

    @property
    def showing_chart(self) -> bool:
        return self._stack.currentWidget() is self._view

    def chart(self) -> QChart:
        return self._chart

    @staticmethod
    def _qdt(when: dt.datetime) -> QDateTime:
        return QDateTime.fromMSecsSinceEpoch(int(_msecs(when)), QTimeZone.systemTimeZone())

    # ---- palette ---------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_palette()
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        # the active group's colors, whatever the widget's state when the theme changed (a disabled
        # parent would otherwise leave the chart grey after it is enabled again)
        pal = self.palette()
        group = QPalette.ColorGroup.Active

        def color(role: QPalette.ColorRole) -> QColor:
            return pal.color(group, role)

        text = color(QPalette.ColorRole.Text)
        faint = color(QPalette.ColorRole.PlaceholderText)
        grid = color(QPalette.ColorRole.Mid)
        accent = color(QPalette.ColorRole.Highlight)
        base = color(QPalette.ColorRole.Base)
        self._chart.setBackgroundBrush(QBrush(base))
        self._chart.setBackgroundPen(QPen(Qt.PenStyle.NoPen))
        self._chart.setTitleBrush(QBrush(text))
        for axis in (self._x, self._y):
            axis.setLabelsBrush(QBrush(text))
            axis.setLinePen(QPen(faint))
            axis.setGridLinePen(QPen(grid, 0.5))
        line = QPen(accent, 2.5)
        self._series.setPen(line)
        self._dots.setColor(accent)
        self._dots.setBorderColor(base)
        target = QPen(faint, 1.5, Qt.PenStyle.DashLine)
        self._target_line.setPen(target)
        self._view.setBackgroundBrush(QBrush(base))
