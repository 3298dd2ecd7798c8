"""The Timeline section: the artist's career as a dated list of milestones (gigs, releases, milestones).

Newest first, searchable and filterable by kind; each entry has a date, a title, a kind and an
optional description, edited beside the list. Adding, editing and deleting are steps on the shared
undo stack.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox, QDateEdit, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from ...app.records import TimelineEntry
from ..context import UiContext
from ..widgets.paged_model import Column, PagedTableModel
from ..widgets.record_browser import BrowserSection, RecordBrowser, stretch_columns
from ..widgets.record_form import RecordForm

ENTRY_TYPES = {"gig": "Gig", "release": "Release", "milestone": "Milestone", "other": "Other"}


def format_date(iso: str) -> str:
    """ "Sat 14 Jun 2025"."""
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    return day.strftime("%a %-d %b %Y")


class TimelineModel(PagedTableModel):
    def __init__(self, ctx: UiContext) -> None:
        columns = [
            Column("date", "Date", display=lambda e: format_date(e.date), sort_by="date"),
            Column("entry_type", "Kind", display=lambda e: ENTRY_TYPES.get(e.entry_type, e.entry_type)),
            Column("title", "Title", tooltip=lambda e: e.description or None),
        ]
        super().__init__(ctx, ctx.workspace.timeline, columns)

    def extra_data(self, record: Any, column: Column, role: int) -> Any:
        if column.key == "date" and role == Qt.ItemDataRole.ToolTipRole:
            days = (dt.date.fromisoformat(record.date) - dt.date.today()).days
            if days > 0:
                return f"In {days} day{'s' if days != 1 else ''}"
            if days == 0:
                return "Today"
            return f"{-days} day{'s' if days != -1 else ''} ago"
        return None


class TimelineForm(RecordForm):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("timeline entry", parent)
        self.date_edit = QDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.title_edit = QLineEdit(self)
        self.title_edit.setPlaceholderText("e.g. Headlined the Salsa Summer Festival")
        self.type_combo = QComboBox(self)
        for value, text in ENTRY_TYPES.items():
            self.type_combo.addItem(text, value)
        self.description_edit = QPlainTextEdit(self)
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setPlaceholderText("What happened, who was there, what you learned")
        self.description_edit.setMinimumHeight(self.fontMetrics().lineSpacing() * 6 + 12)
        self.add_row("date", "Date", self.date_edit)
        self.add_row("title", "Title", self.title_edit)
        self.add_row("entry_type", "Kind", self.type_combo)
        self.add_row("description", "Description", self.description_edit)

    def fill(self, record: TimelineEntry | None) -> None:
        self.date_edit.setDate(QDate.fromString(record.date, "yyyy-MM-dd") if record else QDate.currentDate())
        self.title_edit.setText(record.title if record else "")
        kind = record.entry_type if record else "milestone"
        self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(kind)))
        self.description_edit.setPlainText((record.description or "") if record else "")

    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        return {
            "date": self.date_edit.date().toString("yyyy-MM-dd"),
            "title": self.title_edit.text().strip(),
            "entry_type": self.type_combo.currentData(),
            "description": self.description_edit.toPlainText().strip() or None,
        }, {}

    def title_widget(self) -> QWidget:
        return self.title_edit


class TimelineSection(BrowserSection):
    title = "Timeline"
    icon_name = "x-office-calendar"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.model = TimelineModel(ctx)
        self.form = TimelineForm()
        self.browser = RecordBrowser(
            ctx,
            ctx.workspace.timeline,
            self.model,
            self.form,
            noun="timeline entry",
            plural="timeline entries",
            entity_types=("timeline_entries",),
            empty_title="Your story, date by date",
            empty_text="Note the gigs you played, the releases you put out and the milestones you reached. "
            "Looking back at them helps with bios, press kits and grant applications.",
            icon_name="x-office-calendar",
            search_placeholder="Search the timeline",
            parent=self,
        )
        self.browser.new_button.setText("New entry")
        self.browser.add_filter(
            "Show entries of this kind", "entry_type", [("All kinds", None), *[(t, v) for v, t in ENTRY_TYPES.items()]]
        )
        self.view = self.browser.view
        stretch_columns(self.view, {0: 17, 1: 10}, 2)
        self.connect_browser(self.browser)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.browser)
