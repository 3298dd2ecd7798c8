"""Asking once before deleting: one dialog, worded the same way everywhere, with the undo hint.

Tests (and scripted runs) replace the answer with :func:`set_auto_answer` instead of clicking a
modal dialog.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

_auto_answer: bool | None = None


def set_auto_answer(answer: bool | None) -> None:
    """Answer every confirmation with ``answer`` without showing a dialog (None: ask again)."""
    global _auto_answer
    _auto_answer = answer


def confirm_delete(parent: QWidget | None, what: str, detail: str = "") -> bool:
    """Ask "Delete <what>?"; True when the person agreed. ``what`` is e.g. "the track “Azúcar”"."""
    if _auto_answer is not None:
        return _auto_answer
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Delete")
    box.setText(f"Delete {what}?")
    info = "You can undo this with Edit → Undo (Ctrl+Z)."
    box.setInformativeText(f"{detail}\n\n{info}" if detail else info)
    delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is delete


def describe_count(count: int, singular: str, plural: str | None = None) -> str:
    """ "3 tracks", "1 file"."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"
