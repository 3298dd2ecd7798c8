"""Delete-vs-edit conflicts in words: the rows say what happened on the side that deleted, fields
have their names on screen and values their labels (never ``general_note``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from tests.ui.sync_helpers import OtherComputer, press_sync, sign_in_through_dialog, write

SCREENS = Path("/work/screens")


def rows_of(view) -> dict[str, tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    m = view.model
    return {
        m.data(m.index(r, 0)): (m.data(m.index(r, 1)), m.data(m.index(r, 2)), m.data(m.index(r, 3)))
        for r in range(m.rowCount())
    }


def test_deleted_there_edited_here_says_deleted_on_the_other_computer_with_labels(window, qtbot, live_server, tmp_path):  # type: ignore[no-untyped-def]
    sign_in_through_dialog(qtbot, window, live_server.url)
    ws = window.workspace
    entry = write(
        window,
        qtbot,
        lambda: ws.journal.create({"title": "Set for Friday", "entry_type": "general_note"}),
        "journal_entries",
    )
    assert press_sync(qtbot, window).ok
    other = OtherComputer(tmp_path / "laptop", live_server.url)
    try:
        other.sync()
        other.workspace.journal.delete(entry.id)
        other.sync()
        write(
            window,
            qtbot,
            lambda: ws.journal.update(entry.id, {"title": "Set for Friday (final)", "entry_type": "set_plan"}),
            "journal_entries",
        )
        assert press_sync(qtbot, window).ok
        dialog = window.sync_ui.show_conflicts()
        qtbot.waitUntil(lambda: dialog.loaded and dialog.conflict_count == 1, timeout=10_000)
        dialog.resize(980, 520)
        view = dialog.detail_view
        assert view.detail is not None and view.detail.view.kind == "deleted_there"
        rows = rows_of(view)
        assert rows["Title"] == ("Set for Friday (final)", "—", "Deleted on the other computer")
        assert rows["Kind"] == ("Set plan", "—", "Deleted on the other computer")  # labels, not set_plan
        assert all(status == "Deleted on the other computer" for _m, _t, status in rows.values())
        assert not any("Changed here only" in status for _m, _t, status in rows.values())
        assert view.model.headerData(2, Qt.Orientation.Horizontal) == "On the other computer (deleted)"
        qtbot.wait(50)
        SCREENS.mkdir(parents=True, exist_ok=True)
        assert dialog.grab().save(str(SCREENS / "delete-edit-conflict.png"))
        view.mine_button.click()  # keep my version
        qtbot.waitUntil(lambda: dialog.conflict_count == 0, timeout=10_000)
        dialog.close()
    finally:
        other.close()


def test_deleted_here_edited_there_says_deleted_here(window, qtbot, live_server, tmp_path):  # type: ignore[no-untyped-def]
    sign_in_through_dialog(qtbot, window, live_server.url)
    ws = window.workspace
    pattern = write(window, qtbot, lambda: ws.patterns.new("Montuno", bpm=180), "patterns")
    assert press_sync(qtbot, window).ok
    other = OtherComputer(tmp_path / "laptop", live_server.url)
    try:
        other.sync()
        other.workspace.patterns.update(pattern.id, {"bpm": 200, "key_note": 9})
        other.sync()
        write(window, qtbot, lambda: ws.patterns.delete(pattern.id), "patterns")
        assert press_sync(qtbot, window).ok
        dialog = window.sync_ui.show_conflicts()
        qtbot.waitUntil(lambda: dialog.loaded and dialog.conflict_count == 1, timeout=10_000)
        rows = rows_of(dialog.detail_view)
        assert rows["Tempo"] == ("—", "200", "Deleted here")  # the field's name on screen, not "Bpm"
        assert rows["Key"] == ("—", "A", "Deleted here")  # the note's name, not 9
        assert all(status == "Deleted here" for _m, _t, status in rows.values())
        summary = dialog.list_model.data(dialog.list_model.index(0))
        assert "Deleted here, changed on the other computer" in summary
        dialog.close()
    finally:
        other.close()


def test_only_the_last_reload_of_the_conflicts_is_shown(window, qtbot, monkeypatch):  # type: ignore[no-untyped-def]
    """Two reloads in quick succession (an undo then a redo) may finish out of order: the older answer
    must not replace the newer one."""
    dialog = window.sync_ui.show_conflicts()
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10_000)
    answers: list = []
    monkeypatch.setattr(dialog.controller, "load_conflicts", answers.append)
    shown: list = []
    monkeypatch.setattr(dialog.list_model, "set_conflicts", shown.append)
    dialog.reload()
    dialog.reload()
    older, newer = answers
    newer(["newer"])
    older(["older"])  # arrives last, but was asked first
    assert shown == [["newer"]]
    dialog.close()
