"""Icons: the desktop's icon theme where it has one, else simple line icons drawn in the palette's colors.

Many Linux setups (and every headless one) have no freedesktop icon theme, and an icon-only button
without an icon is a blank square. The fallbacks here are drawn with QPainter at paint time from
the current palette, so they follow light and dark mode and stay crisp at any size.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
)

Draw = Callable[[QPainter, QColor], None]


def _person(p: QPainter, c: QColor, dx: float = 0, scale: float = 1.0) -> None:
    p.drawEllipse(QPointF(12 + dx, 8.5), 3.6 * scale, 3.6 * scale)
    path = QPainterPath()
    path.moveTo(5 + dx, 20)
    path.cubicTo(5 + dx, 14.5, 8.5 + dx, 13.5, 12 + dx, 13.5)
    path.cubicTo(15.5 + dx, 13.5, 19 + dx, 14.5, 19 + dx, 20)
    p.drawPath(path)


def _people(p: QPainter, c: QColor) -> None:
    p.drawEllipse(QPointF(9, 8.5), 3.2, 3.2)
    path = QPainterPath()
    path.moveTo(3, 20)
    path.cubicTo(3, 15, 6, 13.5, 9, 13.5)
    path.cubicTo(12, 13.5, 15, 15, 15, 20)
    p.drawPath(path)
    p.drawEllipse(QPointF(16.5, 7.5), 2.6, 2.6)
    q = QPainterPath()
    q.moveTo(16, 12.3)
    q.cubicTo(19, 12.3, 21, 13.8, 21, 18)
    p.drawPath(q)


def _note(p: QPainter, c: QColor) -> None:
    p.drawLine(QPointF(9, 17), QPointF(9, 5))
    p.drawLine(QPointF(9, 5), QPointF(19, 3))
    p.drawLine(QPointF(19, 3), QPointF(19, 15))
    p.setBrush(c)
    p.drawEllipse(QPointF(6.5, 17.5), 2.6, 2.1)
    p.drawEllipse(QPointF(16.5, 15.5), 2.6, 2.1)


def _folder(p: QPainter, c: QColor) -> None:
    path = QPainterPath()
    path.moveTo(3, 6)
    path.lineTo(9, 6)
    path.lineTo(11, 8.5)
    path.lineTo(21, 8.5)
    path.lineTo(21, 19)
    path.lineTo(3, 19)
    path.closeSubpath()
    p.drawPath(path)


def _folder_new(p: QPainter, c: QColor) -> None:
    _folder(p, c)
    p.drawLine(QPointF(12, 11), QPointF(12, 17))
    p.drawLine(QPointF(9, 14), QPointF(15, 14))


def _target(p: QPainter, c: QColor) -> None:
    p.drawEllipse(QPointF(12, 12), 8.5, 8.5)
    p.drawEllipse(QPointF(12, 12), 5, 5)
    p.setBrush(c)
    p.drawEllipse(QPointF(12, 12), 1.6, 1.6)


def _grid(p: QPainter, c: QColor) -> None:
    p.setBrush(c)
    for row in range(3):
        for col in range(4):
            r = 1.9 if (row + col) % 2 == 0 else 1.1
            p.drawEllipse(QPointF(5 + col * 4.7, 6.5 + row * 5.5), r, r)


def _calendar(p: QPainter, c: QColor) -> None:
    p.drawRoundedRect(QRectF(3.5, 5, 17, 15), 2, 2)
    p.drawLine(QPointF(3.5, 9.5), QPointF(20.5, 9.5))
    p.drawLine(QPointF(8, 3), QPointF(8, 6.5))
    p.drawLine(QPointF(16, 3), QPointF(16, 6.5))
    p.setBrush(c)
    for x in (8, 12, 16):
        p.drawEllipse(QPointF(x, 13.5), 0.9, 0.9)
        p.drawEllipse(QPointF(x, 17), 0.9, 0.9)


def _book(p: QPainter, c: QColor) -> None:
    p.drawRoundedRect(QRectF(5, 3, 14, 18), 1.5, 1.5)
    p.drawLine(QPointF(8, 3), QPointF(8, 21))
    for y in (8, 11.5):
        p.drawLine(QPointF(10.5, y), QPointF(16.5, y))


def _plus(p: QPainter, c: QColor) -> None:
    p.drawLine(QPointF(12, 4.5), QPointF(12, 19.5))
    p.drawLine(QPointF(4.5, 12), QPointF(19.5, 12))


def _trash(p: QPainter, c: QColor) -> None:
    p.drawLine(QPointF(4, 6.5), QPointF(20, 6.5))
    p.drawLine(QPointF(9.5, 6.5), QPointF(10, 3.5))
    p.drawLine(QPointF(10, 3.5), QPointF(14, 3.5))
    p.drawLine(QPointF(14, 3.5), QPointF(14.5, 6.5))
    path = QPainterPath()
    path.moveTo(6, 6.5)
    path.lineTo(7.2, 20.5)
    path.lineTo(16.8, 20.5)
    path.lineTo(18, 6.5)
    p.drawPath(path)
    p.drawLine(QPointF(10.5, 10), QPointF(10.7, 17))
    p.drawLine(QPointF(13.5, 10), QPointF(13.3, 17))


def _arrow_turn(p: QPainter, c: QColor, mirror: bool) -> None:
    p.save()
    if mirror:
        p.translate(24, 0)
        p.scale(-1, 1)
    path = QPainterPath()
    path.moveTo(5, 9)
    path.lineTo(15, 9)
    path.cubicTo(18.5, 9, 20, 11.5, 20, 14)
    path.cubicTo(20, 16.5, 18.5, 19, 15, 19)
    path.lineTo(10, 19)
    p.drawPath(path)
    p.drawLine(QPointF(5, 9), QPointF(9, 5))
    p.drawLine(QPointF(5, 9), QPointF(9, 13))
    p.restore()


def _undo(p: QPainter, c: QColor) -> None:
    _arrow_turn(p, c, False)


def _redo(p: QPainter, c: QColor) -> None:
    _arrow_turn(p, c, True)


def _search(p: QPainter, c: QColor) -> None:
    p.drawEllipse(QPointF(10, 10), 5.5, 5.5)
    p.drawLine(QPointF(14, 14), QPointF(20, 20))


def _play(p: QPainter, c: QColor) -> None:
    path = QPainterPath()
    path.moveTo(7, 4.5)
    path.lineTo(19, 12)
    path.lineTo(7, 19.5)
    path.closeSubpath()
    p.setBrush(c)
    p.drawPath(path)


def _pause(p: QPainter, c: QColor) -> None:
    p.setBrush(c)
    p.drawRoundedRect(QRectF(6, 5, 4, 14), 1, 1)
    p.drawRoundedRect(QRectF(14, 5, 4, 14), 1, 1)


def _stop(p: QPainter, c: QColor) -> None:
    p.setBrush(c)
    p.drawRoundedRect(QRectF(6, 6, 12, 12), 1.5, 1.5)


def _pencil(p: QPainter, c: QColor) -> None:
    path = QPainterPath()
    path.moveTo(4, 20)
    path.lineTo(5, 15.5)
    path.lineTo(15.5, 5)
    path.lineTo(19, 8.5)
    path.lineTo(8.5, 19)
    path.closeSubpath()
    p.drawPath(path)
    p.drawLine(QPointF(13.5, 7), QPointF(17, 10.5))


def _open(p: QPainter, c: QColor) -> None:
    path = QPainterPath()
    path.moveTo(11, 4.5)
    path.lineTo(4.5, 4.5)
    path.lineTo(4.5, 19.5)
    path.lineTo(19.5, 19.5)
    path.lineTo(19.5, 13)
    p.drawPath(path)
    p.drawLine(QPointF(11, 13), QPointF(19.5, 4.5))
    p.drawLine(QPointF(14, 4.5), QPointF(19.5, 4.5))
    p.drawLine(QPointF(19.5, 4.5), QPointF(19.5, 10))


def _export(p: QPainter, c: QColor) -> None:
    p.drawLine(QPointF(12, 3.5), QPointF(12, 15))
    p.drawLine(QPointF(12, 15), QPointF(7.5, 10.5))
    p.drawLine(QPointF(12, 15), QPointF(16.5, 10.5))
    path = QPainterPath()
    path.moveTo(4, 15)
    path.lineTo(4, 20)
    path.lineTo(20, 20)
    path.lineTo(20, 15)
    p.drawPath(path)


def _image(p: QPainter, c: QColor) -> None:
    p.drawRoundedRect(QRectF(3.5, 4.5, 17, 15), 2, 2)
    path = QPainterPath()
    path.moveTo(3.5, 17)
    path.lineTo(9, 11)
    path.lineTo(13, 15)
    path.lineTo(15.5, 12.5)
    path.lineTo(20.5, 17.5)
    p.drawPath(path)
    p.drawEllipse(QPointF(15.5, 8.5), 1.5, 1.5)


def _document(p: QPainter, c: QColor) -> None:
    path = QPainterPath()
    path.moveTo(6, 3.5)
    path.lineTo(14, 3.5)
    path.lineTo(19, 8.5)
    path.lineTo(19, 20.5)
    path.lineTo(6, 20.5)
    path.closeSubpath()
    p.drawPath(path)
    p.drawLine(QPointF(14, 3.5), QPointF(14, 8.5))
    p.drawLine(QPointF(14, 8.5), QPointF(19, 8.5))
    for y in (12.5, 16):
        p.drawLine(QPointF(9, y), QPointF(16, y))


def _film(p: QPainter, c: QColor) -> None:
    p.drawRoundedRect(QRectF(3.5, 5, 17, 14), 2, 2)
    path = QPainterPath()
    path.moveTo(10, 9)
    path.lineTo(15, 12)
    path.lineTo(10, 15)
    path.closeSubpath()
    p.setBrush(c)
    p.drawPath(path)


def _cloud(p: QPainter, c: QColor) -> None:
    path = QPainterPath()
    path.moveTo(7, 18)
    path.cubicTo(3, 18, 3, 12.5, 6.5, 12)
    path.cubicTo(6.5, 7.5, 12.5, 6, 14.5, 9.5)
    path.cubicTo(17.5, 8, 20.5, 10.5, 19.5, 13)
    path.cubicTo(22, 13.5, 21.5, 18, 18.5, 18)
    path.closeSubpath()
    p.drawPath(path)


def _warning(p: QPainter, c: QColor) -> None:
    path = QPainterPath()
    path.moveTo(12, 3.5)
    path.lineTo(21, 19.5)
    path.lineTo(3, 19.5)
    path.closeSubpath()
    p.drawPath(path)
    p.drawLine(QPointF(12, 9), QPointF(12, 14))
    p.setBrush(c)
    p.drawEllipse(QPointF(12, 16.8), 0.8, 0.8)


def _help(p: QPainter, c: QColor) -> None:
    p.drawEllipse(QPointF(12, 12), 8.5, 8.5)
    path = QPainterPath()
    path.moveTo(9.2, 9.8)
    path.cubicTo(9.2, 6.5, 14.8, 6.5, 14.8, 9.8)
    path.cubicTo(14.8, 12, 12, 12, 12, 14.2)
    p.drawPath(path)
    p.setBrush(c)
    p.drawEllipse(QPointF(12, 17), 0.8, 0.8)


def _link(p: QPainter, c: QColor) -> None:
    p.save()
    p.translate(12, 12)
    p.rotate(-45)
    p.drawRoundedRect(QRectF(-9, -3.2, 9.5, 6.4), 3.2, 3.2)
    p.drawRoundedRect(QRectF(-0.5, -3.2, 9.5, 6.4), 3.2, 3.2)
    p.restore()


def _check(p: QPainter, c: QColor) -> None:
    p.drawLine(QPointF(5, 12.5), QPointF(10, 17.5))
    p.drawLine(QPointF(10, 17.5), QPointF(19, 6.5))


def _sync(p: QPainter, c: QColor) -> None:
    p.drawArc(QRectF(5, 5, 14, 14), 30 * 16, 150 * 16)
    p.drawArc(QRectF(5, 5, 14, 14), 210 * 16, 150 * 16)
    a = math.radians(30)
    tip = QPointF(12 + 7 * math.cos(a), 12 - 7 * math.sin(a))
    p.drawLine(tip, tip + QPointF(-3.5, -0.5))
    p.drawLine(tip, tip + QPointF(0.5, -3.5))


def _keyboard(p: QPainter, c: QColor) -> None:
    p.drawRoundedRect(QRectF(2.5, 6, 19, 12), 2, 2)
    p.setBrush(c)
    for x in (6, 9.5, 13, 16.5):
        p.drawEllipse(QPointF(x, 10), 0.8, 0.8)
    p.drawLine(QPointF(7, 14.5), QPointF(17, 14.5))


def _gear(p: QPainter, c: QColor) -> None:
    p.drawEllipse(QPointF(12, 12), 3, 3)
    for i in range(8):
        a = math.radians(i * 45)
        p.drawLine(
            QPointF(12 + 5.5 * math.cos(a), 12 + 5.5 * math.sin(a)),
            QPointF(12 + 8.5 * math.cos(a), 12 + 8.5 * math.sin(a)),
        )
    p.drawEllipse(QPointF(12, 12), 5.5, 5.5)


def _star(p: QPainter, c: QColor) -> None:
    path = QPainterPath()
    for i in range(10):
        r = 8.5 if i % 2 == 0 else 3.8
        a = math.radians(-90 + i * 36)
        pt = QPointF(12 + r * math.cos(a), 12.5 + r * math.sin(a))
        if i == 0:
            path.moveTo(pt)
        else:
            path.lineTo(pt)
    path.closeSubpath()
    p.drawPath(path)


# freedesktop icon names (and a few of Gigbag's own) -> their fallback drawing
_DRAWINGS: dict[str, Draw] = {
    "user-identity": _person,
    "avatar-default": _person,
    "audio-x-generic": _note,
    "media-playlist-audio": _note,
    "folder": _folder,
    "folder-new": _folder_new,
    "folder-documents": _folder,
    "goals": _target,
    "emblem-important": _target,
    "patterns": _grid,
    "media-playlist-repeat": _grid,
    "x-office-calendar": _calendar,
    "appointment-new": _calendar,
    "accessories-text-editor": _book,
    "journal": _book,
    "x-office-address-book": _people,
    "contact-new": _people,
    "system-users": _people,
    "list-add": _plus,
    "document-new": _plus,
    "edit-delete": _trash,
    "user-trash": _trash,
    "edit-undo": _undo,
    "edit-redo": _redo,
    "edit-find": _search,
    "system-search": _search,
    "media-playback-start": _play,
    "media-playback-pause": _pause,
    "media-playback-stop": _stop,
    "edit-rename": _pencil,
    "document-edit": _pencil,
    "document-open": _open,
    "document-save-as": _export,
    "document-export": _export,
    "image-x-generic": _image,
    "x-office-document": _document,
    "text-x-generic": _document,
    "video-x-generic": _film,
    "network-offline": _cloud,
    "cloud": _cloud,
    "dialog-warning": _warning,
    "help-contents": _help,
    "help-about": _help,
    "insert-link": _link,
    "emblem-ok": _check,
    "view-refresh": _sync,
    "emblem-synchronizing": _sync,
    "input-keyboard": _keyboard,
    "preferences-system": _gear,
    "starred": _star,
}

# a section's title -> drawing, for sections whose icon_name has no drawing of its own
_BY_TITLE: dict[str, Draw] = {
    "portfolio": _person,
    "tracks": _note,
    "files": _folder,
    "goals": _target,
    "patterns": _grid,
    "timeline": _calendar,
    "journal": _book,
    "contacts": _people,
}


class _DrawnIconEngine(QIconEngine):
    """Paints one drawing in the palette's text color for the icon's mode (follows the theme live).

    Rendered pixmaps are cached by size, mode and color: list views paint the same icon on every
    row of every repaint, and drawing paths in Python each time would cost the UI thread dearly.
    """

    def __init__(self, draw: Draw) -> None:
        super().__init__()
        self._draw = draw
        self._cache: dict[tuple[int, int, int, int, float], QPixmap] = {}

    def clone(self) -> QIconEngine:
        return _DrawnIconEngine(self._draw)

    def _color(self, mode: QIcon.Mode) -> QColor:
        palette = QGuiApplication.palette()
        if mode == QIcon.Mode.Disabled:
            return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
        if mode == QIcon.Mode.Selected:
            return palette.color(QPalette.ColorRole.HighlightedText)
        return palette.color(QPalette.ColorRole.WindowText)

    def _render(self, painter: QPainter, rect: QRect, color: QColor) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        side = min(rect.width(), rect.height())
        painter.translate(rect.x() + (rect.width() - side) / 2, rect.y() + (rect.height() - side) / 2)
        painter.scale(side / 24.0, side / 24.0)
        pen = QPen(color, 1.7)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        self._draw(painter, color)
        painter.restore()

    def _pixmap(self, width: int, height: int, mode: QIcon.Mode, ratio: float) -> QPixmap:
        color = self._color(mode)
        key = (width, height, int(mode.value), color.rgba(), ratio)
        cached = self._cache.get(key)
        if cached is None:
            if len(self._cache) > 64:
                self._cache.clear()
            cached = QPixmap(max(1, round(width * ratio)), max(1, round(height * ratio)))
            cached.setDevicePixelRatio(ratio)
            cached.fill(Qt.GlobalColor.transparent)
            painter = QPainter(cached)
            self._render(painter, QRect(0, 0, width, height), color)
            painter.end()
            self._cache[key] = cached
        return cached

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        painter.drawPixmap(rect.topLeft(), self._pixmap(rect.width(), rect.height(), mode, ratio))

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self._pixmap(size.width(), size.height(), mode, 1.0)


_ICONS: dict[tuple[str, str], QIcon] = {}


def icon(name: str, fallback_title: str = "") -> QIcon:
    """The theme's icon ``name`` if the desktop has it, else Gigbag's drawing of it (never a blank icon)."""
    key = (name, fallback_title.lower())
    found = _ICONS.get(key)
    if found is not None:
        return found
    if QIcon.hasThemeIcon(name):
        found = QIcon.fromTheme(name)
    else:
        draw = _DRAWINGS.get(name) or _BY_TITLE.get(fallback_title.lower()) or _DRAWINGS.get(fallback_title.lower())
        found = QIcon(_DrawnIconEngine(draw or _star))
    _ICONS[key] = found
    return found


def has_drawing(name: str) -> bool:
    return name in _DRAWINGS or name.lower() in _BY_TITLE
