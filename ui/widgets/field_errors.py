"""Showing a service's validation errors next to the fields they are about, in words.

A form registers each input widget under the service's field name; :meth:`FieldErrors.show` puts
each message from ``ValidationFailed.errors`` in a label right below its field (and anything without
a field in a general label at the top), marks the field for screen readers and focuses the first.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from .theme import set_semantic_foreground


class FieldErrorLabel(QLabel):
    """A small error line under one field: hidden while there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_semantic_foreground(self, "error")
        self.setAccessibleName("Error")
        self.hide()

    def set_error(self, message: str | None) -> None:
        if message:
            self.setText(f"⚠ {message[:1].upper()}{message[1:]}")
            self.show()
        else:
            self.clear()
            self.hide()


class FieldErrors:
    """The error labels of one form, by field name."""

    def __init__(self, general: FieldErrorLabel | None = None) -> None:
        self.general = general
        self._fields: dict[str, tuple[QWidget, FieldErrorLabel]] = {}
        self._titles: dict[str, str] = {}

    def add(
        self, name: str, widget: QWidget, label: FieldErrorLabel | None = None, title: str | None = None
    ) -> FieldErrorLabel:
        """Register ``widget`` as field ``name``; returns the label to place right below it.

        ``title`` is the field's name on screen: a message that starts with the stored name
        ("base rate flat must be at least 0") is shown with it ("Flat rate per show must be ...").
        """
        label = label or FieldErrorLabel(widget.parentWidget())
        self._fields[name] = (widget, label)
        if title:
            self._titles[name] = title
        return label

    def _worded(self, name: str, message: str) -> str:
        stored = name.replace("_", " ")
        title = self._titles.get(name)
        if title and message.lower().startswith(stored):
            return title + message[len(stored) :]
        return message

    def label(self, name: str) -> FieldErrorLabel | None:
        entry = self._fields.get(name)
        return entry[1] if entry else None

    def message(self, name: str) -> str:
        label = self.label(name)
        if label is None:
            return self.general.text() if self.general is not None and name == "__root__" else ""
        return label.text() if label.isVisible() or label.text() else ""

    def clear(self) -> None:
        for widget, label in self._fields.values():
            label.set_error(None)
            widget.setAccessibleDescription("")
        if self.general is not None:
            self.general.set_error(None)

    def show(self, errors: dict[str, str]) -> None:
        """Show ``errors`` (field -> message); unknown fields go to the general label."""
        self.clear()
        leftovers: list[str] = []
        first: QWidget | None = None
        for name, message in errors.items():
            entry = self._fields.get(name)
            if entry is None:
                leftovers.append(message if name == "__root__" else f"{name.replace('_', ' ')}: {message}")
                continue
            widget, label = entry
            message = self._worded(name, message)
            label.set_error(message)
            widget.setAccessibleDescription(f"Error: {message}")
            if first is None:
                first = widget
        if leftovers and self.general is not None:
            self.general.set_error("; ".join(leftovers))
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def has_errors(self) -> bool:
        return any(label.text() for _w, label in self._fields.values()) or bool(
            self.general is not None and self.general.text()
        )
