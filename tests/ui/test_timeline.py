"""The Timeline section driven through its widgets: dated milestones created, edited, filtered, deleted, undone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QDate

from gigbag.app.workspace import Workspace
from gigbag.ui.context import UiContext
from gigbag.ui.sections.timeline import TimelineSection
from tests.ui.widget_actions import click, type_into


@pytest.fixture
def section(qtbot, ctx: UiContext, idle: Callable[..., None]) -> TimelineSection:  # type: ignore[no-untyped-def]
    s = TimelineSection(ctx)
    qtbot.addWidget(s)
    s.resize(1200, 800)
    s.show()
    idle()
    return s


def titles(section: TimelineSection) -> list[str]:
    return [section.model.index(r, 2).data() for r in range(section.model.rowCount())]


def seed(ctx: UiContext, idle: Callable[..., None]) -> None:
    ws = ctx.workspace
    ws.timeline.create({"date": "2024-09-07", "title": "Wedding gig at Villa Sol", "entry_type": "gig"})
    ws.timeline.create({"date": "2025-03-01", "title": "Released the EP", "entry_type": "release"})
    ws.timeline.create(
        {"date": "2024-11-20", "title": "First radio play", "entry_type": "milestone", "description": "NRK P1"}
    )
    ctx.events.emit_changed("timeline_entries")
    idle()


def test_create_an_entry_newest_first_then_undo_and_redo(
    qtbot, section: TimelineSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    seed(ctx, idle)
    assert titles(section) == ["Released the EP", "First radio play", "Wedding gig at Villa Sol"]
    assert section.model.index(0, 0).data() == "Sat 1 Mar 2025"
    section.new_item()
    form = section.form
    assert form.title_edit.hasFocus()
    form.date_edit.setDate(QDate(2024, 12, 31))
    type_into(qtbot, form.title_edit, "New Year's Eve at Rockefeller")
    form.type_combo.setCurrentIndex(form.type_combo.findData("gig"))
    type_into(qtbot, form.description_edit, "Support act")
    click(qtbot, form.save_button)
    idle()
    assert titles(section) == [
        "Released the EP",
        "New Year's Eve at Rockefeller",
        "First radio play",
        "Wedding gig at Villa Sol",
    ]
    [entry] = workspace.timeline.list(search="Rockefeller")
    assert (entry.date, entry.entry_type, entry.description) == ("2024-12-31", "gig", "Support act")
    ctx.undo.undo()
    idle()
    assert workspace.timeline.count() == 3
    ctx.undo.redo()
    idle()
    assert workspace.timeline.count() == 4
    assert "New Year's Eve at Rockefeller" in titles(section)


def test_a_title_is_required(qtbot, section: TimelineSection, ctx: UiContext, workspace: Workspace, idle) -> None:
    section.new_item()
    click(qtbot, section.form.save_button)
    idle()
    label = section.form.errors.label("title")
    assert label is not None and not label.isHidden() and "Title must not be empty" in label.text()
    assert workspace.timeline.count() == 0
    assert ctx.undo.count() == 0


def test_edit_moves_the_entry_by_its_new_date_and_undo_moves_it_back(
    qtbot, section: TimelineSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    seed(ctx, idle)
    section.view.selectRow(2)  # the wedding, oldest
    idle()
    form = section.form
    assert form.title_edit.text() == "Wedding gig at Villa Sol"
    form.date_edit.setDate(QDate(2026, 5, 1))
    click(qtbot, form.save_button)
    idle()
    assert titles(section)[0] == "Wedding gig at Villa Sol"
    assert section.model.record(section.view.currentIndex().row()).title == "Wedding gig at Villa Sol"
    ctx.undo.undo()
    idle()
    assert titles(section)[-1] == "Wedding gig at Villa Sol"
    assert form.date_edit.date() == QDate(2024, 9, 7)


def test_filter_by_kind_and_search(qtbot, section: TimelineSection, ctx: UiContext, idle) -> None:
    seed(ctx, idle)
    combo = section.browser.toolbar.itemAt(1).widget()
    combo.setCurrentIndex(combo.findData("gig"))
    idle()
    assert titles(section) == ["Wedding gig at Villa Sol"]
    combo.setCurrentIndex(0)
    idle()
    section.focus_search()
    qtbot.keyClicks(section.browser.search, "NRK")  # the description is searched too
    section.browser.search.flush()
    idle()
    assert titles(section) == ["First radio play"]
    assert section.browser.list_stack.currentWidget() is section.view


def test_delete_two_entries_at_once_and_undo(
    qtbot, section: TimelineSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    seed(ctx, idle)
    section.view.selectRow(0)
    section.view.selectionModel().select(
        section.model.index(1, 0),
        section.view.selectionModel().SelectionFlag.Select | section.view.selectionModel().SelectionFlag.Rows,
    )
    assert len(section.browser.selected_ids()) == 2
    section.delete_selected()
    idle()
    assert titles(section) == ["Wedding gig at Villa Sol"]
    ctx.undo.undo()
    idle()
    assert workspace.timeline.count() == 3
    assert len(titles(section)) == 3


def test_model_passes_the_model_tester(qtmodeltester, section: TimelineSection, ctx: UiContext, idle) -> None:
    seed(ctx, idle)
    qtmodeltester.check(section.model)
