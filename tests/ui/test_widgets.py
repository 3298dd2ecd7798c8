"""The shared widgets: paged model (pages, search, sort, qtmodeltester), undo commands, field errors."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QTableView, QWidget

from gigbag.app.errors import ValidationFailed
from gigbag.app.formatting import format_bytes, format_duration
from gigbag.ui.widgets.field_errors import FieldErrorLabel, FieldErrors
from gigbag.ui.widgets.icons import icon
from gigbag.ui.widgets.paged_model import Column, PagedTableModel, SelectionKeeper, select_ids, selected_ids
from gigbag.ui.widgets.search_box import SearchBox
from gigbag.ui.widgets.undo_commands import CreateCommand, DeleteCommand, UpdateCommand, execute


def _timeline_model(ctx):
    return PagedTableModel(
        ctx,
        ctx.workspace.timeline,
        [Column("date", "Date", sort_by="date"), Column("title", "Title", sort_by="title")],
        page_size=10,
    )


def _seed_timeline(ctx, n: int) -> None:
    for i in range(n):
        ctx.workspace.timeline.create({"date": f"2024-01-{1 + i % 28:02d}", "title": f"Entry {i:03d}"})


def test_paged_model_loads_pages_and_passes_the_model_tester(ctx, idle, qtmodeltester):
    _seed_timeline(ctx, 35)
    model = _timeline_model(ctx)
    model.reload()
    idle()
    assert model.count() == 35
    assert model.rowCount() == 10
    assert model.canFetchMore()
    model.fetchMore()
    idle()
    assert model.rowCount() == 20
    qtmodeltester.check(model)
    idle()  # the tester asks for more rows too
    while model.canFetchMore():
        model.fetchMore()
        idle()
    assert model.rowCount() == 35
    assert not model.canFetchMore()


def test_paged_model_search_and_sort(ctx, idle):
    _seed_timeline(ctx, 12)
    model = _timeline_model(ctx)
    model.reload()
    idle()
    model.set_search("Entry 01")
    idle()
    assert model.count() == 2
    assert {model.record(r).title for r in range(model.rowCount())} == {"Entry 010", "Entry 011"}
    model.set_search("")
    model.sort(1, Qt.SortOrder.DescendingOrder)
    idle()
    assert model.record(0).title == "Entry 011"


def test_selection_survives_a_reload_that_changes_rows(ctx, idle, qtbot):
    _seed_timeline(ctx, 5)
    model = _timeline_model(ctx)
    model.set_order(["title"])
    idle()
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    SelectionKeeper(view, model)
    target = model.id_at(3)
    select_ids(view, model, [target], target)
    ctx.workspace.timeline.create({"date": "2024-02-01", "title": "Entry 000 first"})
    model.reload()
    idle()
    assert model.rowCount() == 6
    assert selected_ids(view, model) == [target]


def test_update_create_delete_commands_undo_and_redo(ctx, idle):
    tl = ctx.workspace.timeline
    created: list = []
    execute(
        ctx,
        CreateCommand(
            ctx,
            "Add entry",
            {"timeline_entries"},
            lambda op: tl.create({"date": "2024-03-01", "title": "Gig"}),
            service=tl,
        ),
        on_success=created.append,
    )
    idle()
    entry_id = created[0].id
    execute(ctx, UpdateCommand(ctx, tl, entry_id, {"title": "Big gig"}))
    idle()
    assert tl.get(entry_id).title == "Big gig"
    execute(ctx, DeleteCommand(ctx, tl, [entry_id]))
    idle()
    assert tl.find(entry_id) is None
    assert ctx.undo.count() == 3
    ctx.undo.undo()
    idle()
    assert tl.get(entry_id).title == "Big gig"
    ctx.undo.undo()
    idle()
    assert tl.get(entry_id).title == "Gig"
    ctx.undo.undo()
    idle()
    assert tl.find(entry_id) is None
    ctx.undo.redo()
    ctx.undo.redo()
    idle()
    assert tl.get(entry_id).title == "Big gig"


def test_a_refused_change_is_not_pushed_and_reports_the_field(ctx, idle):
    tl = ctx.workspace.timeline
    entry = tl.create({"date": "2024-03-01", "title": "Gig"})
    errors: list[BaseException] = []
    execute(ctx, UpdateCommand(ctx, tl, entry.id, {"date": "2024-13-40"}), on_failure=errors.append)
    idle()
    assert ctx.undo.count() == 0
    assert isinstance(errors[0], ValidationFailed)
    assert "date" in errors[0].errors
    assert tl.get(entry.id).date == "2024-03-01"


def test_field_errors_show_next_to_fields(qtbot):
    form = QWidget()
    qtbot.addWidget(form)
    edit = QLineEdit(form)
    general = FieldErrorLabel(form)
    errors = FieldErrors(general)
    label = errors.add("title", edit)
    errors.show({"title": "title must not be empty", "__root__": "something else"})
    assert label.text() == "⚠ Title must not be empty"
    assert not label.isHidden()
    assert general.text() == "⚠ Something else"
    assert edit.accessibleDescription() == "Error: title must not be empty"
    errors.clear()
    assert label.isHidden() and not errors.has_errors()
    rate = QLineEdit(form)
    rate_label = errors.add("base_rate_flat", rate, title="Flat rate per show")
    errors.show({"base_rate_flat": "base rate flat must be at least 0"})
    assert rate_label.text() == "⚠ Flat rate per show must be at least 0"


def test_search_box_emits_once_after_typing(qtbot):
    box = SearchBox("Search tracks", delay_ms=20)
    qtbot.addWidget(box)
    seen: list[str] = []
    box.search_changed.connect(seen.append)
    qtbot.keyClicks(box, "salsa")
    qtbot.waitUntil(lambda: seen == ["salsa"])
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert seen == ["salsa", ""]


def test_formatting_and_icons(qapp):
    assert format_duration(187.4) == "3:07"
    assert format_duration(3723) == "1:02:03"
    assert format_duration(None) == ""
    assert format_bytes(1_572_864) == "1.5 MB"
    assert format_bytes(53_687_091_200) == "50 GB"
    assert format_bytes(1) == "1 byte"
    pm = icon("no-such-theme-icon-here", "Tracks").pixmap(24, 24)
    assert not pm.isNull()
    img = pm.toImage()
    assert any(img.pixelColor(x, y).alpha() > 0 for x in range(24) for y in range(24))


def test_progress_of_files_over_2_gb_reaches_the_ui(ctx, idle):
    seen: list[tuple[int, int, str]] = []
    big = 5 * 1024**3
    ctx.ops.write(lambda op: op.progress(big, big * 2, "Importing take.wav")).progress(
        lambda d, t, text: seen.append((d, t, text))
    ).run()
    idle()
    assert seen == [(big, big * 2, "Importing take.wav")]
