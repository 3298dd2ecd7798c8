"""The editor of one record, as the shared record browser shows it beside its list.

:class:`RecordForm` lays out fields, each with its error line, and Save/Revert; it knows whether it
holds unsaved changes and checks its values against the entity's schema at once, without touching
the database. The small editors that forms share (an optional date, a number typed in words) live
here too.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from .field_errors import FieldErrorLabel, FieldErrors
from .icons import icon


def heading_font(base: QFont, scale: float = 1.25) -> QFont:
    font = QFont(base)
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    return font


def _screen_name(caption: str) -> str:
    """The caption a field has on screen ("&Tempo:" -> "Tempo"), the name its error messages use."""
    return caption.replace("&", "").strip().rstrip(":")


class RecordForm(QWidget):
    """The editor of one record: its fields, each with an error line below it, Save and Revert.

    Subclasses build their fields with :meth:`add_row` and implement :meth:`fill` (show a record,
    or defaults for a new one) and :meth:`collect` (the values as the service takes them, plus
    errors for input that cannot even be read, such as "abc" in a number field).
    """

    dirty_changed = Signal(bool)
    save_requested = Signal()

    def __init__(self, noun: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.noun = noun
        self.record: Any | None = None
        self.is_new = False
        self._baseline: dict[str, Any] = {}
        self._loading = False
        self._dirty = False

        self.heading = QLabel(self)
        self.heading.setFont(heading_font(self.font()))
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.general_error = FieldErrorLabel(self)
        self.errors = FieldErrors(self.general_error)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)

        self.save_button = QPushButton(icon("emblem-ok"), "Save", self)
        self.save_button.setToolTip("Save the changes (Enter in a field also saves)")
        self.save_button.clicked.connect(lambda: self.save_requested.emit())
        self.revert_button = QPushButton(icon("edit-undo"), "Revert", self)
        self.revert_button.setToolTip("Throw away the changes not saved yet")
        self.revert_button.clicked.connect(self.revert)
        self.status_label = QLabel(self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(12, 12, 12, 12)
        self.outer.setSpacing(8)
        self.outer.addWidget(self.heading)
        self.outer.addWidget(self.general_error)
        self.outer.addLayout(self.form)
        self.outer.addLayout(buttons)
        #: subclasses add panels (progress, history, instruments) below the buttons
        self.extra = QVBoxLayout()
        self.extra.setSpacing(8)
        self.outer.addLayout(self.extra)
        self.outer.addStretch(1)
        self._update_buttons()

    # ---- building ----------------------------------------------------------------------------
    def add_row(self, name: str, label: str, widget: QWidget, hint: str = "") -> QWidget:
        """A labelled field registered under the service's field ``name`` (for its errors)."""
        cell = QWidget(self)
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        if hint:
            hint_label = QLabel(hint, cell)
            hint_label.setWordWrap(True)
            hint_label.setProperty("hint", True)
            font = QFont(hint_label.font())
            font.setPointSizeF(font.pointSizeF() * 0.9)
            hint_label.setFont(font)
            muted(hint_label)
            box.addWidget(hint_label)
        error = self.errors.add(name, widget, FieldErrorLabel(cell), _screen_name(label))
        box.addWidget(error)
        caption = QLabel(label, self)
        caption.setBuddy(widget)
        if not widget.accessibleName():
            widget.setAccessibleName(label.replace("&", "").rstrip(":"))
        self.form.addRow(caption, cell)
        self.watch(widget)
        return widget

    def add_wide_row(self, name: str, label: str, widget: QWidget) -> QWidget:
        """A field as wide as the form, its caption above it (for tables and long text)."""
        cell = QWidget(self)
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 4, 0, 0)
        box.setSpacing(4)
        caption = QLabel(label, cell)
        caption.setBuddy(widget)
        font = QFont(caption.font())
        font.setBold(True)
        caption.setFont(font)
        box.addWidget(caption)
        box.addWidget(widget)
        box.addWidget(self.errors.add(name, widget, FieldErrorLabel(cell), _screen_name(label)))
        if not widget.accessibleName():
            widget.setAccessibleName(label)
        self.form.addRow(cell)
        self.watch(widget)
        return widget

    def watch(self, *widgets: QWidget) -> None:
        """Mark the form changed when any of ``widgets`` is edited."""
        for w in widgets:
            if isinstance(w, QLineEdit):
                w.textChanged.connect(self._edited)
                w.returnPressed.connect(lambda: self.save_requested.emit())
            elif isinstance(w, QPlainTextEdit):
                w.textChanged.connect(self._edited)
            elif isinstance(w, QComboBox):
                w.currentIndexChanged.connect(self._edited)
            elif isinstance(w, QSpinBox | QDoubleSpinBox):
                w.valueChanged.connect(self._edited)
            elif isinstance(w, QCheckBox):
                w.toggled.connect(self._edited)
            elif isinstance(w, QDateEdit):
                w.dateChanged.connect(self._edited)
            elif hasattr(w, "changed"):
                w.changed.connect(self._edited)

    # ---- what subclasses implement -------------------------------------------------------------
    def fill(self, record: Any | None) -> None:
        """Show ``record`` in the fields (None: the defaults of a new one)."""
        raise NotImplementedError

    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The fields' values as the service takes them, and errors of input that cannot be read."""
        raise NotImplementedError

    def title_widget(self) -> QWidget:
        """The field F2 (rename) and a new record focus."""
        raise NotImplementedError

    def describe(self, record: Any | None) -> str:
        """The heading for ``record``."""
        if record is None:
            return f"New {self.noun}"
        return str(getattr(record, "title", None) or getattr(record, "name", None) or self.noun.capitalize())

    # ---- state -------------------------------------------------------------------------------
    def load(self, record: Any | None, new: bool = False) -> None:
        self._loading = True
        try:
            self.record = record
            self.is_new = new
            self.fill(record)
            self.errors.clear()
            self._baseline = self.collect()[0]
        finally:
            self._loading = False
        self.heading.setText(self.describe(record))
        self._set_dirty(False)

    def start_new(self) -> None:
        self.load(None, new=True)
        self.focus_title()

    def revert(self) -> None:
        self.load(self.record, new=self.is_new)

    def focus_title(self) -> None:
        widget = self.title_widget()
        widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if isinstance(widget, QLineEdit):
            widget.selectAll()

    def changes(self, values: dict[str, Any]) -> dict[str, Any]:
        if self.is_new:
            return dict(values)
        return {k: v for k, v in values.items() if self._baseline.get(k) != v}

    @property
    def dirty(self) -> bool:
        return self._dirty

    def _edited(self, *_args: object) -> None:
        if self._loading:
            return
        values, problems = self.collect()
        self._set_dirty(bool(problems) or values != self._baseline)

    def refresh_dirty(self) -> None:
        """For fields edited outside :meth:`watch` (e.g. a table model of instruments)."""
        self._edited()

    def _set_dirty(self, dirty: bool) -> None:
        changed = dirty != self._dirty
        self._dirty = dirty
        self._update_buttons()
        if changed:
            self.dirty_changed.emit(dirty)

    def _update_buttons(self) -> None:
        self.save_button.setEnabled(self._dirty or self.is_new)
        self.revert_button.setEnabled(self._dirty)
        if self.is_new:
            self.status_label.setText(f"Not saved yet: Save adds the {self.noun}.")
        else:
            self.status_label.setText("Unsaved changes" if self._dirty else "")
        muted(self.status_label)


def muted(label: QLabel) -> None:
    """Secondary text in the palette's placeholder color (follows light and dark)."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)


class OptionalDateEdit(QWidget):
    """A date that may be left out: a check box ("By") switches the calendar date on or off."""

    changed = Signal()

    def __init__(self, check_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox(check_text, self)
        self.date = QDateEdit(self)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("d MMM yyyy")
        self.date.setEnabled(False)
        box = QHBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.check)
        box.addWidget(self.date, 1)
        self.check.toggled.connect(self.date.setEnabled)
        self.check.toggled.connect(lambda _on: self.changed.emit())
        self.date.dateChanged.connect(lambda _d: self.changed.emit())
        self.setFocusProxy(self.check)

    def value(self) -> str | None:
        """ISO date (YYYY-MM-DD) or None."""
        return self.date.date().toString("yyyy-MM-dd") if self.check.isChecked() else None

    def set_value(self, iso: str | None, default: QDate | None = None) -> None:
        if iso:
            self.date.setDate(QDate.fromString(iso, "yyyy-MM-dd"))
            self.check.setChecked(True)
        else:
            self.date.setDate(default or QDate.currentDate())
            self.check.setChecked(False)


def parse_number(text: str) -> float | None:
    """A number typed by a person ("1,500", "2.5", " 300 "); None when the text is empty.

    Raises ValueError when the text is not a number.
    """
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    value, ok = QLocale().toDouble(text)
    if not ok:
        value = float(text.replace(",", ""))
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a number")
    return value


def format_number(value: float | None) -> str:
    """1,500 / 2.5 (no trailing zeros)."""
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")
