"""The Goals section: goals with progress bars, a form for every goal type, and progress over time.

A goal's current value is the sum of its progress entries (amounts added), so progress is recorded
as entries, never typed over; the history shows as a chart of the running total beside a list of
the entries. The list marks overdue goals and shows days left; a goal can be marked completed or
abandoned and reopened. Every change is one step on the shared undo stack.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QBrush, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...app.entity_service import ListQuery
from ...app.errors import ValidationFailed
from ...app.goals import GoalStanding, standing
from ...app.records import Goal, GoalProgress
from ..context import UiContext
from ..widgets.confirm import confirm_delete, describe_count
from ..widgets.field_errors import FieldErrorLabel, FieldErrors
from ..widgets.goal_chart import GoalChart, ProgressPoint, parse_timestamp
from ..widgets.icons import icon
from ..widgets.paged_model import Column, PagedTableModel, selected_ids
from ..widgets.record_browser import BrowserSection, RecordBrowser, stretch_columns
from ..widgets.record_form import OptionalDateEdit, RecordForm, format_number, parse_number
from ..widgets.theme import semantic_color, set_semantic_foreground
from ..widgets.undo_commands import CreateCommand, DeleteCommand, UpdateCommand, execute

GOAL_TYPES = {
    "earnings": "Earnings",
    "gigs": "Gigs",
    "followers": "Followers",
    "tracks": "Tracks",
    "custom": "Custom",
}
TARGET_HINTS = {
    "earnings": "How much you want to earn in total, e.g. 5000",
    "gigs": "How many gigs you want to play, e.g. 20",
    "followers": "How many new followers you want, e.g. 1000",
    "tracks": "How many tracks you want to release, e.g. 6",
    "custom": "Any number you want to reach (leave empty for a goal without a number)",
}
STATUS_LABELS = {"active": "Active", "completed": "Completed", "abandoned": "Abandoned"}
PERCENT_ROLE = Qt.ItemDataRole.UserRole + 1


def days_text(s: GoalStanding, status: str) -> str:
    """ "12 days left", "Due today", "Overdue by 3 days", "Completed"."""
    if status != "active":
        return STATUS_LABELS[status]
    if s.days_left is None:
        return "No deadline"
    if s.overdue:
        n = -s.days_left
        return f"Overdue by {n} day{'s' if n != 1 else ''}"
    if s.days_left == 0:
        return "Due today"
    return f"{s.days_left} day{'s' if s.days_left != 1 else ''} left"


def progress_text(goal: Goal, s: GoalStanding) -> str:
    if s.percent is None:
        return f"{format_number(goal.current_value)} so far" if goal.current_value else "No target"
    return f"{format_number(goal.current_value)} of {format_number(goal.target_value)}"


class GoalsModel(PagedTableModel):
    """Goals with their standing: percent (for the bar), days left, overdue marked in words and color."""

    def __init__(self, ctx: UiContext) -> None:
        columns = [
            Column("title", "Goal"),
            Column("goal_type", "Type", display=lambda g: GOAL_TYPES.get(g.goal_type, g.goal_type)),
            Column("progress", "Progress", display=lambda g: progress_text(g, standing(g))),
            Column(
                "due",
                "Due",
                display=lambda g: days_text(standing(g), g.status),
                tooltip=lambda g: f"Target date {g.target_date}" if g.target_date else None,
            ),
        ]
        super().__init__(ctx, ctx.workspace.goals, columns)

    def extra_data(self, record: Any, column: Column, role: int) -> Any:
        if column.key == "progress" and role == PERCENT_ROLE:
            return standing(record).percent
        if column.key == "due":
            s = standing(record)
            if s.overdue and role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(semantic_color("error"))
            if s.overdue and role == Qt.ItemDataRole.DecorationRole:
                return icon("dialog-warning")
            if record.status == "completed" and role == Qt.ItemDataRole.DecorationRole:
                return icon("emblem-ok")
        if column.key == "title" and role == Qt.ItemDataRole.FontRole and record.status != "active":
            font = QApplication.font()
            font.setItalic(True)
            return font
        return None


class ProgressBarDelegate(QStyledItemDelegate):
    """Draws the Progress column as a bar with the percent on it, and the amounts beside it."""

    BAR_WIDTH = 64

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        percent = index.data(PERCENT_ROLE)
        if percent is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        rect = option.rect.adjusted(4, 4, -4, -4)
        bar = QStyleOptionProgressBar()
        bar.rect = QRect(rect.x(), rect.y(), min(self.BAR_WIDTH, rect.width()), rect.height())
        bar.minimum = 0
        bar.maximum = 1000
        bar.progress = int(round(percent * 10))
        bar.text = f"{percent:.0f}%"
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        bar.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Horizontal
        bar.palette = option.palette
        bar.fontMetrics = option.fontMetrics
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, opt.widget)
        text_rect = rect.adjusted(self.BAR_WIDTH + 8, 0, 0, 0)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        elided = option.fontMetrics.elidedText(text, Qt.TextElideMode.ElideRight, text_rect.width())
        style.drawItemText(
            painter,
            text_rect,
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
            option.palette,
            True,
            elided,
            role,
        )


class GoalForm(RecordForm):
    """Title, type, target value and date, description."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("goal", parent)
        self.title_edit = QLineEdit(self)
        self.title_edit.setPlaceholderText("e.g. Play 20 gigs this year")
        self.type_combo = QComboBox(self)
        for value, text in GOAL_TYPES.items():
            self.type_combo.addItem(text, value)
        self.target_edit = QLineEdit(self)
        self.target_date = OptionalDateEdit("Reach it by", self)
        self.target_date.setAccessibleName("Target date")
        self.description_edit = QPlainTextEdit(self)
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setPlaceholderText("Why this goal matters, how you will get there")
        self.description_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.add_row("title", "Title", self.title_edit)
        self.add_row("goal_type", "Type", self.type_combo)
        self.add_row("target_value", "Target", self.target_edit)
        self.add_row("target_date", "Deadline", self.target_date)
        self.add_row("description", "Description", self.description_edit)
        self.type_combo.currentIndexChanged.connect(self._type_changed)
        self._type_changed()

    def _type_changed(self, *_args: object) -> None:
        kind = self.type_combo.currentData() or "custom"
        self.target_edit.setPlaceholderText(TARGET_HINTS[kind])
        self.target_edit.setToolTip(TARGET_HINTS[kind])

    def fill(self, record: Goal | None) -> None:
        self.title_edit.setText(record.title if record else "")
        kind = record.goal_type if record else "custom"
        self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(kind)))
        self.target_edit.setText(format_number(record.target_value).replace(",", "") if record else "")
        self.target_date.set_value(record.target_date if record else None)
        self.description_edit.setPlainText((record.description or "") if record else "")

    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        problems: dict[str, str] = {}
        target: float | None = None
        try:
            target = parse_number(self.target_edit.text())
        except ValueError:
            problems["target_value"] = f"target must be a number, like 5000 (not “{self.target_edit.text().strip()}”)"
        values = {
            "title": self.title_edit.text().strip(),
            "goal_type": self.type_combo.currentData(),
            "target_value": target,
            "target_date": self.target_date.value(),
            "description": self.description_edit.toPlainText().strip() or None,
        }
        return values, problems

    def title_widget(self) -> QWidget:
        return self.title_edit


class ProgressHistoryModel(PagedTableModel):
    """One goal's progress entries, newest first."""

    def __init__(self, ctx: UiContext) -> None:
        columns = [
            Column("recorded_at", "Recorded", display=lambda p: _local_time(p.recorded_at)),
            Column(
                "value",
                "Added",
                display=lambda p: _signed(p.value),
                align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            ),
            Column("note", "Note", display=lambda p: p.note or ""),
        ]
        super().__init__(ctx, ctx.workspace.progress, columns, page_size=100)
        self.query = ListQuery(filters={"goal_id": "-"}, order_by=("-recorded_at",))


def _local_time(stamp: str) -> str:
    when = parse_timestamp(stamp).astimezone()
    return when.strftime("%-d %b %Y, %H:%M")


def _signed(value: float) -> str:
    return ("+" if value >= 0 else "−") + format_number(abs(value))


class GoalProgressPanel(QWidget):
    """Where the goal stands, its status buttons, recording progress, and the history as chart and list."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.goal: Goal | None = None

        self.standing_bar = QProgressBar(self)
        self.standing_bar.setRange(0, 1000)
        self.standing_bar.setTextVisible(True)
        self.standing_bar.setAccessibleName("Progress toward the target")
        self.standing_label = QLabel(self)
        self.standing_label.setWordWrap(True)
        self.complete_button = QPushButton(icon("emblem-ok"), "Mark completed", self)
        self.abandon_button = QPushButton("Abandon", self)
        self.abandon_button.setToolTip("Stop working toward this goal (you can reopen it)")
        self.reopen_button = QPushButton("Reopen", self)
        self.reopen_button.setToolTip("Make this goal active again")
        self.complete_button.clicked.connect(lambda: self.set_status("completed"))
        self.abandon_button.clicked.connect(lambda: self.set_status("abandoned"))
        self.reopen_button.clicked.connect(lambda: self.set_status("active"))
        status_row = QHBoxLayout()
        status_row.addWidget(self.standing_label, 1)
        status_row.addWidget(self.reopen_button)
        status_row.addWidget(self.abandon_button)
        status_row.addWidget(self.complete_button)

        record_box = QGroupBox("Record progress", self)
        self.value_edit = QLineEdit(record_box)
        self.value_edit.setPlaceholderText("Amount, e.g. 250")
        self.value_edit.setAccessibleName("Amount added")
        self.note_edit = QLineEdit(record_box)
        self.note_edit.setPlaceholderText("Note (optional)")
        self.note_edit.setAccessibleName("Note")
        self.record_button = QPushButton(icon("list-add"), "Record", record_box)
        self.record_button.clicked.connect(self.record)
        self.value_edit.returnPressed.connect(self.record)
        self.note_edit.returnPressed.connect(self.record)
        self.record_errors = FieldErrors(FieldErrorLabel(record_box))
        value_error = self.record_errors.add("value", self.value_edit, FieldErrorLabel(record_box))
        note_error = self.record_errors.add("note", self.note_edit, FieldErrorLabel(record_box))
        grid = QVBoxLayout(record_box)
        inputs = QHBoxLayout()
        inputs.addWidget(self.value_edit, 3)
        inputs.addWidget(self.note_edit, 5)
        inputs.addWidget(self.record_button)
        grid.addLayout(inputs)
        grid.addWidget(value_error)
        grid.addWidget(note_error)
        grid.addWidget(self.record_errors.general)  # type: ignore[arg-type]

        history_box = QGroupBox("Progress over time", self)
        self.chart = GoalChart(history_box)
        self.chart.setMinimumHeight(200)
        self.history_model = ProgressHistoryModel(ctx)
        self.history_view = QTableView(history_box)
        self.history_view.setModel(self.history_model)
        self.history_view.setAccessibleName("Progress entries")
        self.history_view.verticalHeader().hide()
        self.history_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history_view.setAlternatingRowColors(True)
        self.history_view.setMinimumHeight(140)
        stretch_columns(self.history_view, {0: 18, 1: 9}, 2)
        self.remove_entry_button = QToolButton(history_box)
        self.remove_entry_button.setIcon(icon("edit-delete"))
        self.remove_entry_button.setAccessibleName("Remove the selected progress entries")
        self.remove_entry_button.setToolTip("Remove the selected progress entries (undo brings them back)")
        self.remove_entry_button.clicked.connect(self.remove_entries)
        self.remove_entry_button.setEnabled(False)
        self.history_view.selectionModel().selectionChanged.connect(
            lambda *_: self.remove_entry_button.setEnabled(bool(selected_ids(self.history_view, self.history_model)))
        )
        entries_row = QHBoxLayout()
        entries_label = QLabel("Entries", history_box)
        entries_row.addWidget(entries_label, 1)
        entries_row.addWidget(self.remove_entry_button)
        hist = QVBoxLayout(history_box)
        hist.addWidget(self.chart)
        hist.addLayout(entries_row)
        hist.addWidget(self.history_view)

        box = QVBoxLayout(self)
        box.setContentsMargins(0, 8, 0, 0)
        box.addWidget(self.standing_bar)
        box.addLayout(status_row)
        box.addWidget(record_box)
        box.addWidget(history_box)
        ctx.events.changed.connect(self._data_changed)
        self.show_goal(None)

    # ---- showing -----------------------------------------------------------------------------
    def show_goal(self, goal: Goal | None) -> None:
        previous = self.goal.id if self.goal is not None else None
        self.goal = goal
        self.setEnabled(goal is not None)
        if goal is None:
            self.standing_bar.setValue(0)
            self.standing_label.setText("")
            self.chart.set_progress([])
            return
        s = standing(goal)
        if s.percent is None:
            self.standing_bar.setValue(0)
            self.standing_bar.setFormat("No target: " + format_number(goal.current_value) + " so far")
        else:
            self.standing_bar.setValue(int(round(s.percent * 10)))
            self.standing_bar.setFormat(f"{s.percent:.0f}%")
        words = [progress_text(goal, s) if s.percent is not None else "", days_text(s, goal.status)]
        self.standing_label.setText("  ·  ".join(w for w in words if w))
        if s.overdue:
            set_semantic_foreground(self.standing_label, "error")
        else:
            self.standing_label.setPalette(QPalette())
            self.standing_label.setProperty("semanticColor", "")
        self.complete_button.setVisible(goal.status != "completed")
        self.abandon_button.setVisible(goal.status == "active")
        self.reopen_button.setVisible(goal.status != "active")
        if goal.id != previous:
            self.value_edit.clear()
            self.note_edit.clear()
            self.record_errors.clear()
            self.history_model.set_filters({"goal_id": goal.id})
            self._load_chart()

    def _load_chart(self) -> None:
        goal = self.goal
        if goal is None:
            return
        goal_id = goal.id
        progress = self.ctx.workspace.progress

        def read(_op: Any) -> list[GoalProgress]:
            return progress.history(goal_id)

        def show(entries: list[GoalProgress]) -> None:
            current = self.goal
            if current is None or current.id != goal_id:
                return
            points = [ProgressPoint(parse_timestamp(e.recorded_at), e.value) for e in entries]
            deadline = dt.date.fromisoformat(current.target_date) if current.target_date else None
            self.chart.set_progress(points, current.target_value, deadline)

        self.ctx.ops.read(read).success(show).run()

    def _data_changed(self, types: set[str]) -> None:
        if self.goal is not None and (not types or types & {"goal_progress", "goals"}):
            self.history_model.reload()
            self._load_chart()

    # ---- actions -----------------------------------------------------------------------------
    def set_status(self, status: str) -> None:
        goal = self.goal
        if goal is None:
            return
        verbs = {"completed": "Complete", "abandoned": "Abandon", "active": "Reopen"}
        command = UpdateCommand(
            self.ctx,
            self.ctx.workspace.goals,
            goal.id,
            {"status": status},
            text=f"{verbs[status]} goal “{goal.title}”",
            entity_types={"goals"},
        )
        execute(self.ctx, command)

    def record(self) -> None:
        goal = self.goal
        if goal is None:
            return
        self.record_errors.clear()
        try:
            value = parse_number(self.value_edit.text())
        except ValueError:
            self.record_errors.show(
                {"value": f"the amount must be a number, like 250 (not “{self.value_edit.text().strip()}”)"}
            )
            return
        if value is None:
            self.record_errors.show({"value": "enter the amount you added, like 250"})
            return
        note = self.note_edit.text().strip() or None
        progress = self.ctx.workspace.progress
        goal_id = goal.id
        command = CreateCommand(
            self.ctx,
            f"Record progress on “{goal.title}”",
            {"goal_progress", "goals"},
            create=lambda op: progress.record(goal_id, value, note),
            service=progress,
        )

        def recorded(_entry: Any) -> None:
            if self.goal is not None and self.goal.id == goal_id:
                self.value_edit.clear()
                self.note_edit.clear()

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, ValidationFailed):
                self.record_errors.show(exc.errors)
                return True
            return False

        execute(self.ctx, command, on_success=recorded, on_failure=failed)

    def remove_entries(self) -> None:
        ids = selected_ids(self.history_view, self.history_model)
        if not ids:
            return
        what = (
            "this progress entry" if len(ids) == 1 else describe_count(len(ids), "progress entry", "progress entries")
        )
        if not confirm_delete(self, what, "The goal's current value goes down by what the entries added."):
            return
        command = DeleteCommand(
            self.ctx, self.ctx.workspace.progress, ids, text=f"Remove {what}", entity_types={"goal_progress", "goals"}
        )
        execute(self.ctx, command)


class GoalsSection(BrowserSection):
    title = "Goals"
    icon_name = "goals"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.model = GoalsModel(ctx)
        self.form = GoalForm()
        self.browser = RecordBrowser(
            ctx,
            ctx.workspace.goals,
            self.model,
            self.form,
            noun="goal",
            plural="goals",
            entity_types=("goals",),
            empty_title="Set your first goal",
            empty_text="Goals keep you moving: earnings to reach, gigs to play, followers to win, tracks to "
            "release. Give each a target and a date, then record progress as it comes in.",
            icon_name="goals",
            search_placeholder="Search goals",
            parent=self,
        )
        self.status_filter = self.browser.add_filter(
            "Show goals with this status",
            "status",
            [("All goals", None), ("Active", "active"), ("Completed", "completed"), ("Abandoned", "abandoned")],
        )
        self.type_filter = self.browser.add_filter(
            "Show goals of this type", "goal_type", [("All types", None), *[(t, v) for v, t in GOAL_TYPES.items()]]
        )
        self.view = self.browser.view
        self.view.setItemDelegateForColumn(2, ProgressBarDelegate(self.view))
        stretch_columns(self.view, {1: 9, 2: 29, 3: 20}, 0)
        self.progress_panel = GoalProgressPanel(ctx, self.form)
        self.form.extra.addWidget(self.progress_panel)
        self.progress_panel.hide()
        self.browser.current_changed.connect(self._current_changed)
        self.connect_browser(self.browser)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.browser)

    def _current_changed(self, goal: Goal | None) -> None:
        self.progress_panel.setVisible(goal is not None)
        self.progress_panel.show_goal(goal)
