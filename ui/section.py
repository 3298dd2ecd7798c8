"""The base of every sidebar section (Portfolio, Tracks, Files, ...): the actions the window routes.

The main window owns the shortcuts (Ctrl+N, Delete, F2, Ctrl+F) and calls the current section's
methods; a section lays out its widgets and calls services through ``ctx.ops`` only.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from .context import UiContext


class Section(QWidget):
    #: the sidebar's name for the section
    title: str = ""
    #: a freedesktop icon theme name, with a built-in fallback chosen by the window
    icon_name: str = ""

    #: a short note for the window's status bar ("Track added", "3 files imported")
    message = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName(f"section-{self.title.lower()}")

    def activate(self) -> None:
        """Called when the section is shown."""

    def new_item(self) -> None:
        """Ctrl+N."""

    def delete_selected(self) -> None:
        """Delete key: asks once, and the delete can be undone."""

    def rename_selected(self) -> None:
        """F2."""

    def focus_search(self) -> None:
        """Ctrl+F."""

    def shutdown(self) -> None:
        """Called when the window closes: stop playback, timers and the like."""
