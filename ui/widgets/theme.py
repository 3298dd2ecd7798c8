"""Light, dark or follow-the-system: the one place that decides the app's colors.

Widgets never hard-code colors; they use palette roles, and the few semantic colors the palette has
no role for (an error, a warning, a success) come from :func:`semantic_color`, which picks a shade
that reads on the current window color. The theme itself is requested from the platform through
``QStyleHints.setColorScheme`` (Qt 6.8+); where the platform cannot switch (X11 without a desktop
portal, Xvfb, offscreen), the Fusion style's palette is set here instead, built from a handful of
base tones, so the result is the same everywhere.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

THEMES = ("auto", "light", "dark")
THEME_LABELS = {"auto": "Follow the system", "light": "Light", "dark": "Dark"}

_SCHEMES = {"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark, "auto": Qt.ColorScheme.Unknown}


def _dark_palette() -> QPalette:
    """A dark Fusion palette (used only where the platform cannot switch to dark itself)."""
    window = QColor(0x2B, 0x2D, 0x31)
    base = QColor(0x1E, 0x1F, 0x22)
    alt = QColor(0x26, 0x28, 0x2C)
    text = QColor(0xE8, 0xE8, 0xEA)
    dim = QColor(0x9A, 0x9C, 0xA3)
    button = QColor(0x36, 0x39, 0x3F)
    highlight = QColor(0x3D, 0x7E, 0xD6)
    link = QColor(0x7A, 0xB4, 0xFF)
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: alt,
        QPalette.ColorRole.ToolTipBase: button,
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: dim,
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: button,
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: QColor(0xFF, 0xFF, 0xFF),
        QPalette.ColorRole.Light: QColor(0x4A, 0x4D, 0x55),
        QPalette.ColorRole.Midlight: QColor(0x40, 0x43, 0x4A),
        QPalette.ColorRole.Mid: QColor(0x30, 0x32, 0x37),
        QPalette.ColorRole.Dark: QColor(0x18, 0x19, 0x1C),
        QPalette.ColorRole.Shadow: QColor(0x0A, 0x0A, 0x0C),
        QPalette.ColorRole.Highlight: highlight,
        QPalette.ColorRole.HighlightedText: QColor(0xFF, 0xFF, 0xFF),
        QPalette.ColorRole.Link: link,
        QPalette.ColorRole.LinkVisited: QColor(0xB9, 0x9C, 0xFF),
        QPalette.ColorRole.Accent: highlight,
    }
    for role, color in roles.items():
        p.setColor(QPalette.ColorGroup.All, role, color)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, dim.darker(130))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Highlight, QColor(0x4A, 0x4D, 0x55))
    return p


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether the current (or given) palette is a dark one."""
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def apply_theme(theme: str) -> None:
    """Switch the running app to ``theme`` ("light", "dark" or "auto" = follow the system)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    wanted = _SCHEMES.get(theme, Qt.ColorScheme.Unknown)
    hints = app.styleHints()
    hints.setColorScheme(wanted)
    dark = wanted == Qt.ColorScheme.Dark or (
        wanted == Qt.ColorScheme.Unknown and hints.colorScheme() == Qt.ColorScheme.Dark
    )
    palette = app.style().standardPalette()
    if dark and not is_dark(palette):
        palette = _dark_palette()  # the platform could not switch: do it here
    elif not dark and is_dark(palette):
        light = QColor(0xEF, 0xEF, 0xEF)
        palette = QPalette(light, light)
    app.setPalette(palette)


def semantic_color(kind: str, palette: QPalette | None = None) -> QColor:
    """A color for ``kind`` ("error", "warning", "success", "muted") that reads on the window color."""
    if kind == "muted":
        return (palette or QGuiApplication.palette()).color(QPalette.ColorRole.PlaceholderText)
    hue = {"error": 4, "warning": 35, "success": 130}.get(kind, 210)
    if is_dark(palette):
        return QColor.fromHsl(hue, 200, 170)
    return QColor.fromHsl(hue, 190, 85)


def set_semantic_foreground(widget: QWidget, kind: str) -> None:
    """Color a widget's text for ``kind`` through its palette (re-applied when the theme changes)."""
    p = widget.palette()
    color = semantic_color(kind)
    p.setColor(QPalette.ColorRole.WindowText, color)
    p.setColor(QPalette.ColorRole.Text, color)
    widget.setPalette(p)
    widget.setProperty("semanticColor", kind)


def refresh_semantic_colors(root: QWidget) -> None:
    """After a theme change: recompute every semantic color below ``root``."""
    for w in [root, *root.findChildren(QWidget)]:
        kind = w.property("semanticColor")
        if isinstance(kind, str) and kind:
            w.setPalette(QPalette())
            set_semantic_foreground(w, kind)


def muted_color(palette: QPalette | None = None) -> QColor:
    """Secondary text: the placeholder role (dimmer than Text, still readable)."""
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.PlaceholderText)
