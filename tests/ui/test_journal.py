"""The Journal section driven through its widgets: entries written as text blocks, reordered, kept, undone."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gigbag.app.journal import text_blocks
from gigbag.app.workspace import Workspace
from gigbag.ui.context import UiContext
from gigbag.ui.sections.journal import JournalSection
from tests.ui.widget_actions import click, type_into


@pytest.fixture
def section(qtbot, ctx: UiContext, idle: Callable[..., None]) -> JournalSection:  # type: ignore[no-untyped-def]
    s = JournalSection(ctx)
    qtbot.addWidget(s)
    s.resize(1200, 800)
    s.show()
    idle()
    return s


def test_write_an_entry_in_blocks_then_undo(
    qtbot, section: JournalSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    section.new_item()
    form = section.form
    type_into(qtbot, form.title_edit, "Chorus idea")
    form.type_combo.setCurrentIndex(form.type_combo.findData("song_idea"))
    blocks = form.blocks
    assert len(blocks.rows) == 1  # a new entry starts with one empty block
    type_into(qtbot, blocks.rows[0].text_edit, "Montuno in G minor")
    click(qtbot, blocks.add_button)
    assert len(blocks.rows) == 2 and blocks.rows[1].text_edit.hasFocus()
    qtbot.keyClicks(blocks.rows[1].text_edit, "Coro: noche de luna")
    click(qtbot, blocks.add_button)  # an empty block is not saved
    click(qtbot, form.save_button)
    idle()
    [entry] = workspace.journal.list()
    assert (entry.title, entry.entry_type) == ("Chorus idea", "song_idea")
    assert entry.content == [
        {"type": "text", "text": "Montuno in G minor"},
        {"type": "text", "text": "Coro: noche de luna"},
    ]
    assert section.model.index(0, 1).data() == "Song idea"
    ctx.undo.undo()
    idle()
    assert workspace.journal.count() == 0


def test_reorder_and_remove_blocks_keeping_blocks_of_other_kinds(
    qtbot, section: JournalSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    video = {"type": "video", "url": "https://example.com/v.mp4"}
    entry = workspace.journal.create(
        {"title": "Rehearsal", "entry_type": "general_note", "content": [*text_blocks("One\n\nTwo"), video]}
    )
    ctx.events.emit_changed("journal_entries")
    idle()
    section.view.selectRow(0)
    idle()
    blocks = section.form.blocks
    assert [r.text_edit.toPlainText() if r.text_edit else None for r in blocks.rows] == ["One", "Two", None]
    assert not blocks.rows[0].up.isEnabled() and not blocks.rows[2].down.isEnabled()
    assert blocks.rows[1].up.accessibleName() == "Move this block up"
    click(qtbot, blocks.rows[1].up)  # Two before One
    click(qtbot, blocks.rows[1].remove)  # remove One
    assert section.form.dirty
    click(qtbot, section.form.save_button)
    idle()
    assert workspace.journal.get(entry.id).content == [{"type": "text", "text": "Two"}, video]
    ctx.undo.undo()
    idle()
    assert workspace.journal.get(entry.id).content == [*text_blocks("One\n\nTwo"), video]
    assert len(section.form.blocks.rows) == 3  # the form follows the undo


def test_title_required_search_and_delete_with_undo(
    qtbot, section: JournalSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    section.new_item()
    type_into(qtbot, section.form.blocks.rows[0].text_edit, "An idea without a title")
    click(qtbot, section.form.save_button)
    idle()
    assert "Title must not be empty" in section.form.errors.label("title").text()  # type: ignore[union-attr]
    assert workspace.journal.count() == 0

    workspace.journal.create({"title": "Set plan", "entry_type": "set_plan", "content": text_blocks("Guajira")})
    workspace.journal.create({"title": "Notes", "content": text_blocks("Timbales too loud")})
    ctx.events.emit_changed("journal_entries")
    section.browser.form.revert()
    idle()
    section.focus_search()
    qtbot.keyClicks(section.browser.search, "timbales")  # the text of the blocks is searched
    section.browser.search.flush()
    idle()
    assert [section.model.index(r, 0).data() for r in range(section.model.rowCount())] == ["Notes"]
    section.view.selectRow(0)
    section.delete_selected()
    idle()
    assert [e.title for e in workspace.journal.list()] == ["Set plan"]
    ctx.undo.undo()
    idle()
    assert workspace.journal.count() == 2


def test_model_passes_the_model_tester(qtmodeltester, section: JournalSection, ctx: UiContext, idle) -> None:
    ctx.workspace.journal.create({"title": "One", "content": text_blocks("a")})
    ctx.workspace.journal.create({"title": "Two", "entry_type": "set_plan"})
    ctx.events.emit_changed("journal_entries")
    idle()
    qtmodeltester.check(section.model)


def test_search_finds_words_with_accents_in_the_blocks(qtbot, section: JournalSection, ctx: UiContext, idle) -> None:
    ctx.workspace.journal.create({"title": "Idea", "content": text_blocks("Una canción para Jürgen")})
    ctx.workspace.journal.create({"title": "Other", "content": text_blocks("Cancion without the accent")})
    ctx.events.emit_changed("journal_entries")
    idle()
    section.focus_search()
    section.browser.search.setText("canción")  # QTest can only type ASCII keys
    section.browser.search.flush()
    idle()
    assert [section.model.index(r, 0).data() for r in range(section.model.rowCount())] == ["Idea"]
