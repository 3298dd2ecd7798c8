"""The Goals section driven through its widgets on a real workspace: forms, progress, status, undo."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from gigbag.app.workspace import Workspace
from gigbag.ui.context import UiContext
from gigbag.ui.sections.goals import PERCENT_ROLE, GoalsSection
from gigbag.ui.widgets import confirm
from tests.ui.widget_actions import click, type_into


@pytest.fixture
def section(qtbot, ctx: UiContext, idle: Callable[..., None]) -> GoalsSection:  # type: ignore[no-untyped-def]
    s = GoalsSection(ctx)
    qtbot.addWidget(s)
    s.resize(1280, 860)
    s.show()
    idle()
    return s


def select_title(section: GoalsSection, title: str) -> None:
    rows = [i for i, g in enumerate(section.model.records()) if g.title == title]
    assert rows, f"{title!r} is not in the list"
    section.view.selectRow(rows[0])


def test_create_a_goal_through_the_form_then_undo_and_redo(
    qtbot, section: GoalsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    assert section.browser.list_stack.currentWidget() is section.browser.empty  # a friendly first start
    notes: list[str] = []
    section.message.connect(notes.append)
    section.new_item()
    form = section.form
    assert form.title_edit.hasFocus()
    type_into(qtbot, form.title_edit, "Earn 1,500 from gigs")
    form.type_combo.setCurrentIndex(form.type_combo.findData("earnings"))
    type_into(qtbot, form.target_edit, "1,500")
    form.target_date.check.setChecked(True)
    form.target_date.date.setDate(QDate(2031, 6, 30))
    type_into(qtbot, form.description_edit, "Summer season")
    click(qtbot, form.save_button)
    idle()

    goals = workspace.goals.list()
    assert [(g.title, g.goal_type, g.target_value, g.target_date, g.description) for g in goals] == [
        ("Earn 1,500 from gigs", "earnings", 1500.0, "2031-06-30", "Summer season")
    ]
    assert section.model.rowCount() == 1
    assert section.model.index(0, 0).data() == "Earn 1,500 from gigs"
    assert section.browser.list_stack.currentWidget() is section.view
    assert form.record is not None and form.record.id == goals[0].id and not form.dirty
    assert section.progress_panel.isVisible()
    assert notes == ["Added the goal “Earn 1,500 from gigs”"]  # for the window's status bar

    ctx.undo.undo()
    idle()
    assert workspace.goals.count() == 0
    assert section.model.rowCount() == 0
    ctx.undo.redo()
    idle()
    assert [g.id for g in workspace.goals.list()] == [goals[0].id]
    assert section.model.rowCount() == 1


def test_invalid_input_shows_the_message_next_to_the_field_and_saves_nothing(
    qtbot, section: GoalsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    section.new_item()
    form = section.form
    type_into(qtbot, form.target_edit, "lots")
    click(qtbot, form.save_button)
    idle()
    target_error = form.errors.label("target_value")
    assert target_error is not None and not target_error.isHidden()
    assert "must be a number" in target_error.text()

    type_into(qtbot, form.target_edit, "-5")
    click(qtbot, form.save_button)
    idle()
    title_error = form.errors.label("title")
    assert title_error is not None and not title_error.isHidden()
    assert "Title must not be empty" in title_error.text()
    assert "at least 0" in form.errors.label("target_value").text()  # type: ignore[union-attr]
    assert workspace.goals.count() == 0
    assert ctx.undo.count() == 0


def test_edit_a_goal_and_undo_the_edit(
    qtbot, section: GoalsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    goal = workspace.goals.create({"title": "Play 20 gigs", "goal_type": "gigs", "target_value": 20})
    ctx.events.emit_changed("goals")
    idle()
    select_title(section, "Play 20 gigs")
    idle()
    form = section.form
    assert form.title_edit.text() == "Play 20 gigs"
    assert not form.save_button.isEnabled()
    type_into(qtbot, form.title_edit, "Play 25 gigs")
    type_into(qtbot, form.target_edit, "25")
    assert form.dirty and form.save_button.isEnabled()
    qtbot.keyClick(form.title_edit, Qt.Key.Key_Return)  # Enter saves too
    idle()
    stored = workspace.goals.get(goal.id)
    assert (stored.title, stored.target_value) == ("Play 25 gigs", 25.0)
    assert section.model.index(0, 0).data() == "Play 25 gigs"
    assert not form.dirty

    ctx.undo.undo()
    idle()
    stored = workspace.goals.get(goal.id)
    assert (stored.title, stored.target_value) == ("Play 20 gigs", 20.0)
    assert form.title_edit.text() == "Play 20 gigs"  # the form follows an undo when it has no changes


def test_moving_away_from_a_form_with_a_wrong_value_stays_and_explains(
    qtbot, section: GoalsSection, workspace: Workspace, ctx: UiContext, idle
) -> None:
    workspace.goals.create({"title": "First", "target_date": "2030-01-01"})
    workspace.goals.create({"title": "Second", "target_date": "2031-01-01"})
    ctx.events.emit_changed("goals")
    idle()
    select_title(section, "First")
    idle()
    type_into(qtbot, section.form.title_edit, "")
    select_title(section, "Second")
    idle()
    qtbot.wait(20)
    assert section.form.record.title == "First"
    assert "Title must not be empty" in section.form.errors.label("title").text()  # type: ignore[union-attr]
    assert section.model.record(section.view.currentIndex().row()).title == "First"

    type_into(qtbot, section.form.title_edit, "First, renamed")
    select_title(section, "Second")  # the change is saved on the way out
    idle()
    assert section.form.record.title == "Second"
    assert sorted(g.title for g in workspace.goals.list()) == ["First, renamed", "Second"]


def test_record_progress_see_it_in_the_chart_and_history_then_undo(
    qtbot, section: GoalsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    goal = workspace.goals.create({"title": "Earn 1000", "goal_type": "earnings", "target_value": 1000})
    workspace.progress.record(goal.id, 100, "first gig", recorded_at="2024-01-05T20:00:00Z")
    ctx.events.emit_changed("goals")
    idle()
    select_title(section, "Earn 1000")
    idle()
    panel = section.progress_panel
    assert panel.chart.showing_chart
    assert [t for _w, t in panel.chart.totals] == [100.0]

    type_into(qtbot, panel.value_edit, "250")
    type_into(qtbot, panel.note_edit, "Wedding at Villa Sol")
    click(qtbot, panel.record_button)
    idle()
    assert workspace.goals.get(goal.id).current_value == 350.0
    assert [t for _w, t in panel.chart.totals] == [100.0, 350.0]
    assert panel.history_model.rowCount() == 2
    assert panel.history_model.index(0, 2).data() == "Wedding at Villa Sol"  # newest first
    assert panel.history_model.index(0, 1).data() == "+250"
    assert panel.value_edit.text() == ""
    assert section.model.index(0, 2).data(PERCENT_ROLE) == pytest.approx(35.0)
    assert "35%" in panel.standing_bar.text()

    ctx.undo.undo()
    idle()
    assert workspace.goals.get(goal.id).current_value == 100.0
    assert [t for _w, t in panel.chart.totals] == [100.0]
    assert panel.history_model.rowCount() == 1


def test_progress_that_is_not_a_number_is_refused(
    qtbot, section: GoalsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    goal = workspace.goals.create({"title": "Followers", "goal_type": "followers", "target_value": 500})
    ctx.events.emit_changed("goals")
    idle()
    select_title(section, "Followers")
    idle()
    panel = section.progress_panel
    type_into(qtbot, panel.value_edit, "many")
    click(qtbot, panel.record_button)
    idle()
    label = panel.record_errors.label("value")
    assert label is not None and not label.isHidden() and "must be a number" in label.text()
    assert workspace.progress.count() == 0
    assert workspace.goals.get(goal.id).current_value == 0


def test_remove_a_progress_entry_and_undo(
    qtbot, section: GoalsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    goal = workspace.goals.create({"title": "Tracks", "goal_type": "tracks", "target_value": 6})
    workspace.progress.record(goal.id, 2, "mixes")
    ctx.events.emit_changed("goals")
    idle()
    select_title(section, "Tracks")
    idle()
    panel = section.progress_panel
    panel.history_view.selectRow(0)
    assert panel.remove_entry_button.isEnabled()
    assert panel.remove_entry_button.accessibleName()
    click(qtbot, panel.remove_entry_button)
    idle()
    assert workspace.goals.get(goal.id).current_value == 0
    assert panel.history_model.rowCount() == 0
    ctx.undo.undo()
    idle()
    assert workspace.goals.get(goal.id).current_value == 2
    assert panel.history_model.rowCount() == 1


def test_mark_completed_abandon_and_reopen(
    qtbot, section: GoalsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    goal = workspace.goals.create({"title": "EP", "goal_type": "tracks"})
    ctx.events.emit_changed("goals")
    idle()
    select_title(section, "EP")
    idle()
    panel = section.progress_panel
    assert panel.complete_button.isVisible() and panel.abandon_button.isVisible()
    assert not panel.reopen_button.isVisible()
    click(qtbot, panel.complete_button)
    idle()
    stored = workspace.goals.get(goal.id)
    assert (stored.status, stored.completed) == ("completed", True)
    assert section.model.index(0, 3).data() == "Completed"
    assert panel.reopen_button.isVisible() and not panel.complete_button.isVisible()
    click(qtbot, panel.reopen_button)
    idle()
    assert workspace.goals.get(goal.id).status == "active"
    click(qtbot, panel.abandon_button)
    idle()
    assert workspace.goals.get(goal.id).status == "abandoned"
    ctx.undo.undo()
    idle()
    assert workspace.goals.get(goal.id).status == "active"


def test_delete_asks_once_and_undo_brings_back_the_goal_with_its_history(
    qtbot, section: GoalsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    goal = workspace.goals.create({"title": "Gigs", "goal_type": "gigs", "target_value": 10})
    workspace.progress.record(goal.id, 3)
    ctx.events.emit_changed("goals")
    idle()
    select_title(section, "Gigs")
    idle()
    confirm.set_auto_answer(False)
    section.delete_selected()
    idle()
    assert workspace.goals.count() == 1  # "no" keeps it
    confirm.set_auto_answer(True)
    assert section.browser.delete_button.accessibleName() == "Delete the selected goals"
    click(qtbot, section.browser.delete_button)
    idle()
    assert workspace.goals.count() == 0
    assert section.model.rowCount() == 0
    assert section.browser.form_stack.currentWidget() is section.browser.placeholder
    ctx.undo.undo()
    idle()
    restored = workspace.goals.get(goal.id)
    assert restored.current_value == 3
    assert [p.value for p in workspace.progress.history(goal.id)] == [3]
    assert section.model.rowCount() == 1


def test_list_order_overdue_marking_days_left_and_filters(
    qtbot, section: GoalsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    today = dt.date.today()
    later = workspace.goals.create({"title": "Later", "target_date": (today + dt.timedelta(days=30)).isoformat()})
    workspace.goals.create({"title": "No deadline"})
    workspace.goals.create({"title": "Late", "target_date": (today - dt.timedelta(days=3)).isoformat()})
    done = workspace.goals.create({"title": "Done"})
    workspace.goals.set_status(done.id, "completed")
    dropped = workspace.goals.create({"title": "Dropped", "target_date": (today - dt.timedelta(days=9)).isoformat()})
    workspace.goals.set_status(dropped.id, "abandoned")
    ctx.events.emit_changed("goals")
    idle()
    model = section.model
    # active first (nearest deadline first, no deadline last), then abandoned, then completed
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [
        "Late",
        "Later",
        "No deadline",
        "Dropped",
        "Done",
    ]
    assert model.index(0, 3).data() == "Overdue by 3 days"
    assert model.index(0, 3).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(1, 3).data() == "30 days left"
    assert model.index(1, 3).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(2, 3).data() == "No deadline"
    assert model.index(3, 3).data() == "Abandoned"  # an abandoned goal is not overdue

    section.status_filter.setCurrentIndex(section.status_filter.findData("completed"))
    idle()
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["Done"]
    section.status_filter.setCurrentIndex(0)
    idle()
    section.focus_search()
    qtbot.keyClicks(section.browser.search, "late")
    section.browser.search.flush()
    idle()
    assert [model.record(r).id for r in range(model.rowCount())] == [r.id for r in workspace.goals.list(search="late")]
    assert later.id in [model.record(r).id for r in range(model.rowCount())]


def test_models_pass_the_model_tester(
    qtbot, qtmodeltester, section: GoalsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    goal = workspace.goals.create(
        {"title": "Earn", "goal_type": "earnings", "target_value": 100, "target_date": "2020-01-01"}
    )
    workspace.goals.create({"title": "Open"})
    workspace.progress.record(goal.id, 40, "gig")
    ctx.events.emit_changed("goals")
    idle()
    qtmodeltester.check(section.model)
    select_title(section, "Earn")
    idle()
    qtmodeltester.check(section.progress_panel.history_model)


def test_shortcuts_new_rename_and_search_focus(
    qtbot, section: GoalsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    workspace.goals.create({"title": "Goal A"})
    ctx.events.emit_changed("goals")
    idle()
    select_title(section, "Goal A")
    idle()
    section.rename_selected()
    assert section.form.title_edit.hasFocus()
    assert section.form.title_edit.selectedText() == "Goal A"
    section.focus_search()
    assert section.browser.search.hasFocus()
    section.new_item()
    assert section.form.is_new and section.form.title_edit.text() == ""
    assert section.form.heading.text() == "New goal"
    assert not section.progress_panel.isVisible()


def test_closing_saves_a_pending_edit_and_a_restart_shows_the_same_goal(
    qtbot, ctx: UiContext, workspace: Workspace, idle
) -> None:
    workspace.goals.create({"title": "First"})
    second = workspace.goals.create({"title": "Second"})
    first = GoalsSection(ctx)
    qtbot.addWidget(first)
    first.show()
    idle()
    select_title(first, "Second")
    idle()
    type_into(qtbot, first.form.title_edit, "Second, edited")
    first.shutdown()  # what the window does when it closes, then it waits for the writer
    idle()
    first.close()
    assert workspace.goals.get(second.id).title == "Second, edited"

    again = GoalsSection(ctx)  # the next start
    qtbot.addWidget(again)
    again.show()
    idle()
    assert again.form.record is not None and again.form.record.id == second.id
    assert again.browser.selected_ids() == [second.id]


def test_the_chart_takes_the_theme_colors_even_when_the_theme_changed_while_it_was_disabled(
    qtbot, section: GoalsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    goal = workspace.goals.create({"title": "Gigs", "target_value": 4})
    workspace.progress.record(goal.id, 1)
    ctx.events.emit_changed("goals")
    idle()
    assert not section.progress_panel.isEnabled()  # nothing selected yet
    app = QApplication.instance()
    before = app.palette()
    dark = QPalette(before)
    dark.setColor(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight, QColor("#3d7ed6"))
    dark.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Highlight, QColor("#4a4d55"))
    dark.setColor(QPalette.ColorGroup.Inactive, QPalette.ColorRole.Highlight, QColor("#3d7ed6"))
    try:
        app.setPalette(dark)
        idle()
        select_title(section, "Gigs")
        idle()
        chart = section.progress_panel.chart
        assert chart.showing_chart
        line = chart.chart().series()[0]
        assert line.pen().color() == QColor("#3d7ed6")
    finally:
        app.setPalette(before)
