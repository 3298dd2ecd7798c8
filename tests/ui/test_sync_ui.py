"""The sync UI against a real server process: sign-in, the Sync button, progress, failures, conflicts.

Each test opens the real main window on a fresh data folder and a real ``gigbag-server`` process on
127.0.0.1 (``live_server``); a second device, where one is needed, is another data folder synced
headlessly through ``app.sync_service``.
"""

from __future__ import annotations

import socket
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from gigbag.app.sync_service import SyncService
from gigbag.local_db.database import read_session
from gigbag.local_db.sync_tables import SyncAccount
from gigbag.schema.wire import MAX_PUSH_CHANGES
from gigbag.sync.account import KEYRING_SERVICE
from gigbag.sync.client import SyncClient
from gigbag.ui.sync.controller import ProgressView
from tests.ui.sync_helpers import (
    EMAIL,
    PASSWORD,
    OtherComputer,
    closed,
    controller_of,
    data_of,
    fake_health_server,
    fill_sign_in,
    press_sync,
    sign_in_through_dialog,
    use_fast_retries,
    wait_refreshed,
    write,
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def submit_and_wait(qtbot, dialog) -> str:  # type: ignore[no-untyped-def]
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
    return dialog.error_text()


# ---- account ---------------------------------------------------------------------------------


def test_sign_in_dialog_says_precisely_what_is_wrong_then_signs_in(
    window, qtbot, live_server, memory_keyring, data_dir
):  # type: ignore[no-untyped-def]
    SyncService(window.workspace).sign_in(live_server.url, EMAIL, PASSWORD, create_account=True)
    SyncService(window.workspace).sign_out()  # the account exists; this computer is signed out again
    ui = window.sync_ui
    wait_refreshed(qtbot, window)
    assert ui.toolbar.sync_button.text() == "Sign in to sync"
    assert not ui.toolbar.account_button.isVisible()
    dialog = ui.show_sign_in()

    # nothing listens at that address
    fill_sign_in(qtbot, dialog, f"http://127.0.0.1:{free_port()}", EMAIL, PASSWORD)
    error = submit_and_wait(qtbot, dialog)
    assert "No server answers at" in dialog.errors.message("server"), error

    # something answers, but it is not a Gigbag server
    fill_sign_in(qtbot, dialog, live_server.url + "/docs", EMAIL, PASSWORD)
    submit_and_wait(qtbot, dialog)
    assert "not a Gigbag sync server" in dialog.errors.message("server")

    # a Gigbag server of a newer protocol
    with fake_health_server({"status": "ok", "protocol": 99}) as newer:
        fill_sign_in(qtbot, dialog, newer, EMAIL, PASSWORD)
        submit_and_wait(qtbot, dialog)
    assert "newer sync protocol (version 99)" in dialog.errors.message("server")
    assert "Update Gigbag" in dialog.errors.message("server")

    # the right server, the wrong password
    fill_sign_in(qtbot, dialog, live_server.url, EMAIL, "not the password")
    submit_and_wait(qtbot, dialog)
    assert "email or password is wrong" in dialog.errors.message("password")
    assert dialog.errors.message("server") == ""
    assert dialog.isVisible() and not controller_of(window).state.signed_in

    # creating an account that exists
    fill_sign_in(qtbot, dialog, live_server.url, EMAIL, PASSWORD, create=True)
    submit_and_wait(qtbot, dialog)
    assert "already exists" in dialog.errors.message("email")

    # and right at last
    fill_sign_in(qtbot, dialog, live_server.url, EMAIL, PASSWORD, create=False)
    dialog.submit()
    qtbot.waitUntil(lambda: controller_of(window).state.signed_in, timeout=20_000)
    wait_refreshed(qtbot, window)
    assert closed(dialog)
    host = live_server.url.split("://")[1]
    assert ui.toolbar.account_button.isVisible()
    assert EMAIL in ui.toolbar.account_button.text() and host in ui.toolbar.account_button.text()
    assert ui.toolbar.sync_button.text() == "Sync"
    # the token is in the keyring, and only there
    assert [service for service, _user in memory_keyring.secrets] == [KEYRING_SERVICE]
    with read_session(window.workspace.engine) as s:
        account = s.get(SyncAccount, 1)
    assert account is not None and account.token_file is None
    token = next(iter(memory_keyring.secrets.values())).encode()
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert files and not [p for p in files if token in p.read_bytes()]


def test_create_account_from_the_dialog_checks_the_form_first(window, qtbot, live_server):  # type: ignore[no-untyped-def]
    ui = window.sync_ui
    wait_refreshed(qtbot, window)
    dialog = ui.show_sign_in()
    fill_sign_in(qtbot, dialog, live_server.url, "ana@example.com", "short", create=True)
    dialog.repeat_edit.setText("different")
    dialog.submit()
    assert not dialog.busy  # refused before asking the server
    assert "at least 8 characters" in dialog.errors.message("password")
    assert "passwords differ" in dialog.errors.message("repeat")
    fill_sign_in(qtbot, dialog, live_server.url, "ana@example.com", PASSWORD, create=True)
    assert dialog.submit_button.text() == "Create account and sign in"
    dialog.submit()
    qtbot.waitUntil(lambda: controller_of(window).state.signed_in, timeout=20_000)
    assert controller_of(window).state.email == "ana@example.com"


def test_without_a_keyring_the_dialog_offers_the_token_file_explicitly(window, qtbot, live_server, data_dir):  # type: ignore[no-untyped-def]
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    wait_refreshed(qtbot, window)
    dialog = window.sync_ui.show_sign_in()
    fill_sign_in(qtbot, dialog, live_server.url, EMAIL, PASSWORD, create=True)
    submit_and_wait(qtbot, dialog)
    assert "No system keyring" in dialog.error_text()
    assert dialog.keyring_box.isVisible() and not dialog.keyring_check.isChecked()
    assert not controller_of(window).state.signed_in  # never falls back silently
    dialog.keyring_check.setChecked(True)
    token_file = data_dir / "my-token"
    dialog.token_file_edit.setText(str(token_file))
    dialog.submit()  # the keyring was checked before anything reached the server: the account is created now
    qtbot.waitUntil(lambda: controller_of(window).state.signed_in, timeout=20_000)
    assert token_file.is_file() and (token_file.stat().st_mode & 0o077) == 0


def test_sign_out_keeps_the_local_data_unless_asked(window, qtbot, live_server):  # type: ignore[no-untyped-def]
    sign_in_through_dialog(qtbot, window, live_server.url)
    ws = window.workspace
    write(window, qtbot, lambda: ws.goals.create({"title": "Tour Spain"}), "goals")
    press_sync(qtbot, window)
    dialog = window.sync_ui.sign_out()
    assert dialog is not None
    assert dialog.keep_radio.isChecked()  # the default keeps the data
    dialog.accept()
    qtbot.waitUntil(lambda: not controller_of(window).state.signed_in, timeout=20_000)
    wait_refreshed(qtbot, window)
    assert [g.title for g in ws.goals.list()] == ["Tour Spain"]
    assert window.sync_ui.toolbar.sync_button.text() == "Sign in to sync"

    sign_in_through_dialog(qtbot, window, live_server.url, create=False)
    write(window, qtbot, lambda: ws.goals.create({"title": "Not synced yet"}), "goals")
    wait_refreshed(qtbot, window)
    dialog = window.sync_ui.sign_out()
    assert dialog is not None
    dialog.remove_radio.setChecked(True)
    assert "1 change made on this computer has not been synced yet" in dialog.warning.text()
    dialog.accept()
    qtbot.waitUntil(lambda: not controller_of(window).state.signed_in, timeout=20_000)
    wait_refreshed(qtbot, window)
    assert ws.goals.count() == 0
    # the server kept what was synced: signing in again brings it back
    sign_in_through_dialog(qtbot, window, live_server.url, create=False)
    outcome = press_sync(qtbot, window)
    assert outcome.ok, outcome.text
    assert [g.title for g in ws.goals.list()] == ["Tour Spain"]


# ---- the Sync button -------------------------------------------------------------------------


def test_sync_button_counts_pending_changes_and_the_status_bar_says_what_happened(window, qtbot, live_server, tmp_path):  # type: ignore[no-untyped-def]
    sign_in_through_dialog(qtbot, window, live_server.url)
    ws = window.workspace
    button = window.sync_ui.toolbar.sync_button
    for title in ("Release the EP", "Play 20 gigs", "Reach 1000 fans"):
        write(window, qtbot, lambda t=title: ws.goals.create({"title": t}), "goals")
    qtbot.waitUntil(lambda: button.text() == "Sync · 3 to send", timeout=10_000)
    assert "3 changes to send" in button.toolTip()

    outcome = press_sync(qtbot, window)
    assert outcome.ok and outcome.summary is not None
    assert outcome.summary.pushed == 3
    assert outcome.text == "Sync finished: 3 sent"  # this computer's own changes coming back are not "received"
    # protocol 2: this sync's own versions are not sent back (pull ``skip``), so nothing is pulled either
    assert outcome.summary.pushed == 3 and outcome.summary.pulled == 0 and outcome.received == 0
    assert window.statusBar().currentMessage() == outcome.text
    assert button.text() == "Sync"
    assert window.sync_ui.status_label.text() == "Last synced just now"
    assert not window.sync_ui.progress_panel.isVisible()

    other = OtherComputer(tmp_path / "laptop", live_server.url)
    try:
        assert other.sync().pulled >= 3
        goals = {g.title: g for g in other.workspace.goals.list()}
        other.workspace.goals.update(goals["Play 20 gigs"].id, {"title": "Play 25 gigs"})
        other.workspace.goals.delete(goals["Reach 1000 fans"].id)
        other.workspace.timeline.create({"date": "2026-05-01", "title": "First festival"})
        other.sync()
    finally:
        other.close()
    outcome = press_sync(qtbot, window)
    assert outcome.ok
    assert outcome.text == "Sync finished: 3 received", outcome.text
    assert window.statusBar().currentMessage() == "Sync finished: 3 received"
    assert sorted(g.title for g in ws.goals.list()) == ["Play 25 gigs", "Release the EP"]
    assert [e.title for e in ws.timeline.list()] == ["First festival"]

    outcome = press_sync(qtbot, window)
    assert outcome.text == "Sync finished: everything was already up to date"


def test_the_shortcut_syncs_and_is_listed_under_help(window, qtbot, live_server):  # type: ignore[no-untyped-def]
    sign_in_through_dialog(qtbot, window, live_server.url)
    assert ("Ctrl+Shift+S / F5", "Sync now") in [(s.keys, s.action) for s in window.shortcut_list()]
    c = controller_of(window)
    with qtbot.waitSignal(c.sync_finished, timeout=60_000) as blocker:
        window.sync_ui.sync_action.trigger()
    assert blocker.args[0].ok


def test_the_window_stays_usable_during_a_long_sync_and_edits_made_meanwhile_are_kept(
    window, qtbot, live_server, tmp_path
):  # type: ignore[no-untyped-def]
    ws = window.workspace
    # Long enough (eight push batches) for the heartbeat to say whether the window kept up.
    count = 8 * MAX_PUSH_CHANGES
    ws.timeline.create_many([{"date": "2025-01-01", "title": f"Rehearsal {i}"} for i in range(count)])
    sign_in_through_dialog(qtbot, window, live_server.url)
    c = controller_of(window)
    ticks: list[float] = []
    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(lambda: ticks.append(time.monotonic()))
    views: list[ProgressView] = []
    c.progress.connect(views.append)
    edited_while_syncing: list[bool] = []

    def edit_once(view: ProgressView) -> None:
        if view.phase == "push" and not edited_while_syncing:
            edited_while_syncing.append(False)
            op = window.ctx.ops.write(lambda _op: ws.goals.create({"title": "Written during the sync"}))
            op.success(lambda _g: edited_while_syncing.__setitem__(0, c.running)).run()

    c.progress.connect(edit_once)
    heartbeat.start()
    started = time.monotonic()
    outcome = press_sync(qtbot, window)
    took = time.monotonic() - started
    heartbeat.stop()
    assert outcome.ok, outcome.text
    assert edited_while_syncing == [True]  # the edit was saved while the sync still ran
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    assert took > 0.5 and len(ticks) > took / 0.05, (took, len(ticks))
    assert max(gaps) < 0.5, f"the UI thread froze for {max(gaps):.2f} s"
    phases = {v.title for v in views}
    assert {"Sending changes", "Receiving changes"} <= phases
    pushes = [v for v in views if v.phase == "push" and v.total]
    assert pushes and pushes[-1].total >= count
    assert pushes[-1].detail == f"{pushes[-1].done} of {pushes[-1].total} changes"

    # nothing made during the sync is lost: now or with the next sync it reaches the other computer
    press_sync(qtbot, window)
    assert c.state.pending == 0
    other = OtherComputer(tmp_path / "laptop", live_server.url)
    try:
        other.sync()
        assert other.workspace.timeline.count() == count
        assert [g.title for g in other.workspace.goals.list()] == ["Written during the sync"]
    finally:
        other.close()


def test_cancel_stops_the_sync_and_a_later_sync_completes(window, qtbot, live_server, tmp_path):  # type: ignore[no-untyped-def]
    ws = window.workspace
    for i in range(5000):
        ws.timeline.create({"date": "2025-02-02", "title": f"Gig {i}"})
    sign_in_through_dialog(qtbot, window, live_server.url)
    c = controller_of(window)
    panel = window.sync_ui.progress_panel

    def cancel_at_first_batch(view: ProgressView) -> None:
        if view.phase == "push" and view.done and panel.cancel_button.isEnabled():
            panel.cancel_button.click()

    c.progress.connect(cancel_at_first_batch)
    outcome = press_sync(qtbot, window)
    c.progress.disconnect(cancel_at_first_batch)
    assert not outcome.ok and outcome.cancelled
    assert window.statusBar().currentMessage().startswith("Sync cancelled.")
    assert " sent" not in window.statusBar().currentMessage().split(".")[0]
    assert 0 < c.state.pending < 5000  # some batches went, the rest waits
    with read_session(ws.engine) as s:
        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"

    outcome = press_sync(qtbot, window)
    assert outcome.ok, outcome.text
    assert c.state.pending == 0
    other = OtherComputer(tmp_path / "laptop", live_server.url)
    try:
        other.sync()
        assert other.workspace.timeline.count() == 5000
        assert data_of(other.workspace) == data_of(ws)
    finally:
        other.close()


def test_a_server_that_is_down_gives_the_failure_not_success(window, qtbot, live_server):  # type: ignore[no-untyped-def]
    sign_in_through_dialog(qtbot, window, live_server.url)
    use_fast_retries(window)
    ws = window.workspace
    for title in ("One", "Two"):
        write(window, qtbot, lambda t=title: ws.goals.create({"title": t}), "goals")
    wait_refreshed(qtbot, window)
    live_server.stop()
    outcome = press_sync(qtbot, window)
    assert not outcome.ok and outcome.offline
    message = window.statusBar().currentMessage()
    assert message.startswith("Could not reach the sync server at")
    assert "Nothing was lost" in message and " sent," not in message and "up to date" not in message
    banner = window.sync_ui.failure_banner
    assert banner.isVisible() and banner.headline.text().startswith("Could not reach the sync server at")
    assert "press Sync again" in banner.advice.text() and banner.action_button.text() == "Sync again"
    button = window.sync_ui.toolbar.sync_button
    assert button.text() == "Offline · 2 to send"
    assert window.sync_ui.status_label.text().startswith("Last sync failed")
    # the app keeps working offline: an edit is saved and counted
    write(window, qtbot, lambda: ws.goals.create({"title": "Three"}), "goals")
    qtbot.waitUntil(lambda: button.text() == "Offline · 3 to send", timeout=10_000)
    assert controller_of(window).state.pending == 3


def test_when_the_server_is_back_the_offline_button_recovers(window, qtbot, live_server):  # type: ignore[no-untyped-def]
    sign_in_through_dialog(qtbot, window, live_server.url)
    use_fast_retries(window)
    server = live_server
    port = server.port
    server.stop()
    outcome = press_sync(qtbot, window)
    assert outcome.offline and window.sync_ui.failure_banner.isVisible()
    restarted = server.restart(same_port=True)
    try:
        assert restarted.port == port
        controller_of(window).check_connection()
        qtbot.waitUntil(lambda: not controller_of(window).state.offline, timeout=20_000)
        assert window.sync_ui.toolbar.sync_button.text() == "Sync"
        with qtbot.waitSignal(controller_of(window).sync_finished, timeout=60_000) as finished:
            window.sync_ui.failure_banner.action_button.click()  # "Sync again"
        assert finished.args[0].ok
        assert not window.sync_ui.failure_banner.isVisible()
    finally:
        restarted.stop()


# ---- conflicts -------------------------------------------------------------------------------


def test_a_conflict_from_another_computer_is_shown_resolved_in_the_dialog_undone_and_converges(
    window, qtbot, live_server, tmp_path
):  # type: ignore[no-untyped-def]
    sign_in_through_dialog(qtbot, window, live_server.url)
    ws = window.workspace
    goal = write(
        window, qtbot, lambda: ws.goals.create({"title": "Release the EP", "description": "Five songs"}), "goals"
    )
    entry = write(
        window, qtbot, lambda: ws.timeline.create({"date": "2026-03-01", "title": "Studio day"}), "timeline_entries"
    )
    assert press_sync(qtbot, window).ok
    other = OtherComputer(tmp_path / "laptop", live_server.url)
    try:
        other.sync()
        other.workspace.goals.update(goal.id, {"title": "Release the LP", "target_value": 10})
        other.workspace.timeline.delete(entry.id)
        other.sync()
        write(
            window,
            qtbot,
            lambda: ws.goals.update(goal.id, {"title": "Release the EP in May", "description": "Five songs, one live"}),
            "goals",
        )
        write(window, qtbot, lambda: ws.timeline.update(entry.id, {"title": "Studio day (booked)"}), "timeline_entries")
        outcome = press_sync(qtbot, window)
        assert outcome.ok and "2 conflicts" in outcome.text
        banner = window.sync_ui.banner
        assert banner.isVisible()
        assert banner.text_label.text().startswith("2 items were changed on two computers")

        dialog = window.sync_ui.show_conflicts()
        qtbot.waitUntil(lambda: dialog.loaded and dialog.conflict_count == 2, timeout=10_000)
        titles = [dialog.list_model.detail(r).view.kind for r in range(2)]
        assert sorted(titles) == ["deleted_there", "edited_both"]

        # the goal: both versions side by side, the field changed on both marked, picked per field
        row = next(r for r in range(2) if dialog.list_model.detail(r).view.kind == "edited_both")
        dialog.list_view.setCurrentIndex(dialog.list_model.index(row))
        view = dialog.detail_view
        fields = view.model
        names = [fields.row(r).name for r in range(fields.rowCount())]
        assert names[0] == "title" and fields.row(0).conflicting
        assert fields.data(fields.index(0, 1)) == "Release the EP in May"
        assert fields.data(fields.index(0, 2)) == "Release the LP"
        assert fields.data(fields.index(0, 3)) == "Changed on both — choose"
        description = names.index("description")
        assert fields.data(fields.index(description, 3)) == "Changed here only — kept"
        assert fields.data(fields.index(description, 2)) == "Five songs"
        assert "target_value" not in names  # changed there only: already merged, the same on both sides
        view.show_same_check.setChecked(True)
        names = [fields.row(r).name for r in range(fields.rowCount())]
        assert fields.data(fields.index(names.index("target_value"), 1)) == "10"
        assert fields.data(fields.index(names.index("target_value"), 3)) == "Same"
        assert not view.picks_button.isEnabled()
        mine_cell = view.table.visualRect(fields.index(0, 1)).center()
        qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=mine_cell)  # a click picks
        assert fields.picks == {"title": "mine"}
        assert fields.data(fields.index(0, 3)) == "Keeping this computer's value"
        assert fields.data(fields.index(0, 1), Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
        assert fields.setData(fields.index(0, 2), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
        assert fields.data(fields.index(0, 1), Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
        assert fields.data(fields.index(0, 3)) == "Keeping the other computer's value"
        assert view.picks_button.isEnabled()
        view.picks_button.click()
        qtbot.waitUntil(lambda: dialog.conflict_count == 1, timeout=10_000)
        assert ws.goals.get(goal.id).title == "Release the LP"
        wait_refreshed(qtbot, window)
        assert banner.text_label.text().startswith("1 item was changed on two computers")

        # the timeline entry: deleted there, changed here — explained in words, kept as a whole
        detail = dialog.detail_view.detail
        assert detail is not None and detail.view.kind == "deleted_there"
        assert "was deleted on another computer, but you changed it here" in view.explain_label.text()
        assert view.theirs_button.text() == "Delete it" and view.mine_button.text() == "Keep my version"
        view.theirs_button.click()
        qtbot.waitUntil(lambda: dialog.conflict_count == 0, timeout=10_000)
        wait_refreshed(qtbot, window)
        assert ws.timeline.count() == 0
        assert not banner.isVisible()
        assert dialog.none_label.isVisible()

        # undo brings the conflict back (until the next sync), redo resolves it again
        window.undo_stack.undo()
        qtbot.waitUntil(lambda: dialog.conflict_count == 1, timeout=10_000)
        wait_refreshed(qtbot, window)
        assert ws.timeline.get(entry.id).title == "Studio day (booked)"
        assert banner.isVisible()
        window.undo_stack.undo()
        qtbot.waitUntil(lambda: dialog.conflict_count == 2, timeout=10_000)
        assert ws.goals.get(goal.id).title == "Release the EP in May"
        window.undo_stack.redo()
        window.undo_stack.redo()
        qtbot.waitUntil(lambda: dialog.conflict_count == 0, timeout=10_000)
        wait_refreshed(qtbot, window)
        assert ws.goals.get(goal.id).title == "Release the LP" and ws.timeline.count() == 0

        outcome = press_sync(qtbot, window)
        assert outcome.ok and not banner.isVisible()
        assert "cannot be undone" in window.undo_stack.undoText()  # the sync sent the resolution
        window.undo_stack.undo()  # takes the spent step off the stack, changes nothing
        wait_refreshed(qtbot, window)
        assert ws.goals.get(goal.id).title == "Release the LP" and controller_of(window).state.conflicts == 0
        other.sync()
        assert data_of(other.workspace) == data_of(ws)
        assert other.workspace.goals.get(goal.id).title == "Release the LP"
        assert other.workspace.goals.get(goal.id).target_value == 10
        assert other.workspace.goals.get(goal.id).description == "Five songs, one live"
    finally:
        other.close()


def test_edit_against_delete_here_is_explained_and_can_bring_the_item_back(window, qtbot, live_server, tmp_path):  # type: ignore[no-untyped-def]
    sign_in_through_dialog(qtbot, window, live_server.url)
    ws = window.workspace
    goal = write(window, qtbot, lambda: ws.goals.create({"title": "Learn the timbales"}), "goals")
    assert press_sync(qtbot, window).ok
    other = OtherComputer(tmp_path / "laptop", live_server.url)
    try:
        other.sync()
        other.workspace.goals.update(goal.id, {"title": "Learn the timbales and congas"})
        other.sync()
        write(window, qtbot, lambda: ws.goals.delete(goal.id), "goals")
        assert press_sync(qtbot, window).ok
        dialog = window.sync_ui.show_conflicts()
        qtbot.waitUntil(lambda: dialog.loaded and dialog.conflict_count == 1, timeout=10_000)
        view = dialog.detail_view
        assert "You deleted this goal on this computer, but meanwhile it was changed on another" in (
            view.explain_label.text()
        )
        assert view.model.headerData(1, Qt.Orientation.Horizontal) == "On this computer (deleted)"
        assert view.mine_button.text() == "Keep it deleted"
        view.theirs_button.click()  # bring it back
        qtbot.waitUntil(lambda: dialog.conflict_count == 0, timeout=10_000)
        assert ws.goals.get(goal.id).title == "Learn the timbales and congas"
        assert press_sync(qtbot, window).ok
        other.sync()
        assert data_of(other.workspace) == data_of(ws)
    finally:
        other.close()


def test_conflict_models_pass_the_model_tester(window, qtbot, live_server, tmp_path, qtmodeltester):  # type: ignore[no-untyped-def]
    sign_in_through_dialog(qtbot, window, live_server.url)
    ws = window.workspace
    goal = write(window, qtbot, lambda: ws.goals.create({"title": "A"}), "goals")
    press_sync(qtbot, window)
    other = OtherComputer(tmp_path / "laptop", live_server.url)
    try:
        other.sync()
        other.workspace.goals.update(goal.id, {"title": "B"})
        other.sync()
    finally:
        other.close()
    write(window, qtbot, lambda: ws.goals.update(goal.id, {"title": "C"}), "goals")
    press_sync(qtbot, window)
    dialog = window.sync_ui.show_conflicts()
    qtbot.waitUntil(lambda: dialog.loaded and dialog.conflict_count == 1, timeout=10_000)
    qtmodeltester.check(dialog.list_model)
    qtmodeltester.check(dialog.detail_view.model)
    dialog.detail_view.show_same_check.setChecked(True)
    qtmodeltester.check(dialog.detail_view.model)


# ---- big deletions ---------------------------------------------------------------------------


def test_a_sync_that_would_delete_most_data_asks_first_and_shows_what_would_go(window, qtbot, live_server, tmp_path):  # type: ignore[no-untyped-def]
    sign_in_through_dialog(qtbot, window, live_server.url)
    ws = window.workspace
    for title in ("Keep me", "Gone 1", "Gone 2", "Gone 3"):
        write(window, qtbot, lambda t=title: ws.goals.create({"title": t}), "goals")
    assert press_sync(qtbot, window).ok
    other = OtherComputer(tmp_path / "laptop", live_server.url)
    try:
        other.sync()
        for g in other.workspace.goals.list():
            if g.title.startswith("Gone"):
                other.workspace.goals.delete(g.id)
        other.sync()
    finally:
        other.close()

    def answer(go_ahead: bool):  # type: ignore[no-untyped-def]
        def on_dialog(_request) -> None:  # type: ignore[no-untyped-def]
            dialog = window.sync_ui.delete_dialog
            assert dialog is not None and dialog.isVisible()
            tree = dialog.tree
            group = tree.topLevelItem(0)
            shown.append((group.text(0), [group.child(i).text(0) for i in range(group.childCount())]))
            (dialog.delete_button if go_ahead else dialog.keep_button).click()

        return on_dialog

    shown: list = []
    c = controller_of(window)
    c.delete_confirmation.connect(handler := answer(False))
    outcome = press_sync(qtbot, window)
    c.delete_confirmation.disconnect(handler)
    assert shown == [("3 goals", ["Gone 1", "Gone 2", "Gone 3"])]
    assert not outcome.ok and "stopped before deleting 3 of the 4 items" in outcome.text
    assert "Nothing was deleted" in window.sync_ui.failure_banner.text()
    assert ws.goals.count() == 4

    shown.clear()
    c.delete_confirmation.connect(handler := answer(True))
    outcome = press_sync(qtbot, window)
    c.delete_confirmation.disconnect(handler)
    assert len(shown) == 1
    assert outcome.ok, outcome.text
    assert [g.title for g in ws.goals.list()] == ["Keep me"]


def test_cancel_while_the_big_deletion_question_is_open_stops_the_sync(window, qtbot, live_server, tmp_path):  # type: ignore[no-untyped-def]
    sign_in_through_dialog(qtbot, window, live_server.url)
    ws = window.workspace
    for title in ("A", "B", "C"):
        write(window, qtbot, lambda t=title: ws.goals.create({"title": t}), "goals")
    assert press_sync(qtbot, window).ok
    other = OtherComputer(tmp_path / "laptop", live_server.url)
    try:
        other.sync()
        for g in other.workspace.goals.list():
            other.workspace.goals.delete(g.id)
        other.sync()
    finally:
        other.close()
    c = controller_of(window)
    c.delete_confirmation.connect(lambda _r: window.sync_ui.progress_panel.cancel_button.click())
    outcome = press_sync(qtbot, window)
    assert outcome.cancelled
    qtbot.waitUntil(lambda: window.sync_ui.delete_dialog is None or not window.sync_ui.delete_dialog.isVisible())
    assert ws.goals.count() == 3


# ---- files -----------------------------------------------------------------------------------


def test_files_upload_are_counted_and_a_file_kept_on_the_server_is_fetched_on_demand(
    window, qtbot, live_server, tmp_path, qtmodeltester
):  # type: ignore[no-untyped-def]
    sign_in_through_dialog(qtbot, window, live_server.url)
    ws = window.workspace
    source = tmp_path / "rider.pdf"
    source.write_bytes(b"%PDF-1.4 stage plot and rider " * 4000)
    f = write(window, qtbot, lambda: ws.files.import_file(source), "files")
    views: list[ProgressView] = []
    controller_of(window).progress.connect(views.append)
    outcome = press_sync(qtbot, window)
    assert outcome.ok and "1 file uploaded" in outcome.text
    assert any(v.phase == "upload" and v.file_name == "rider.pdf" for v in views)

    controller_of(window).service.make_cloud_only(f.id)
    assert not ws.blobs.has(f.blob_sha256)
    ui = window.sync_ui
    dialog = ui.show_files()
    qtbot.waitUntil(lambda: dialog.loaded and dialog.model.rowCount() == 1, timeout=10_000)
    qtmodeltester.check(dialog.model)
    assert dialog.model.data(dialog.model.index(0, 0)) == "rider.pdf"
    assert dialog.model.data(dialog.model.index(0, 2)).startswith("On the server only")
    dialog.select_row(0)
    assert dialog.fetch_button.isEnabled()
    dialog.fetch_button.click()
    assert dialog.model.data(dialog.model.index(0, 2)) == "Downloading now…"
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 0, timeout=20_000)
    assert ws.blobs.has(f.blob_sha256)
    assert dialog.intro.text() == "Every file's content is on this computer."


def test_a_quota_refusal_says_which_limit_and_how_much_room_is_left(window, qtbot, server_factory, tmp_path):  # type: ignore[no-untyped-def]
    server = server_factory("sqlite", extra_args=["--storage-quota", "50kB"])
    ws = window.workspace
    big = tmp_path / "master.wav"
    big.write_bytes(b"RIFF" + b"\x01" * 120_000)
    # imported before signing in: once signed in, the account's 50 kB is this computer's limit too and
    # such an import would be refused here already (tests/ui/test_storage_truth.py)
    write(window, qtbot, lambda: ws.files.import_file(big), "files")
    sign_in_through_dialog(qtbot, window, server.url)
    outcome = press_sync(qtbot, window)
    assert outcome.summary is not None and outcome.summary.refused
    assert "not accepted by the server" in outcome.text
    assert "does not fit in your storage" in outcome.text and "left" in outcome.text
    assert controller_of(window).state.pending >= 1  # still waiting, nothing lost
    QApplication.processEvents()


def test_sign_out_is_refused_while_a_sync_runs(window, qtbot, live_server):  # type: ignore[no-untyped-def]
    ws = window.workspace
    for i in range(2000):
        ws.timeline.create({"date": "2025-01-01", "title": f"Show {i}"})
    sign_in_through_dialog(qtbot, window, live_server.url)
    c = controller_of(window)
    with qtbot.waitSignal(c.sync_finished, timeout=120_000):
        assert c.start_sync()
        assert not c.start_sync()  # one at a time
        assert window.sync_ui.sign_out() is None
        assert not window.sync_ui.toolbar.account_button.sign_out_action.isEnabled()
        assert window.sync_ui.progress_panel.isVisible()
    wait_refreshed(qtbot, window)
    assert window.sync_ui.toolbar.account_button.sign_out_action.isEnabled()


def test_a_sign_in_revoked_elsewhere_is_said_and_the_sign_in_dialog_opens(window, qtbot, live_server, memory_keyring):  # type: ignore[no-untyped-def]
    sign_in_through_dialog(qtbot, window, live_server.url)
    ws = window.workspace
    write(window, qtbot, lambda: ws.goals.create({"title": "Still here"}), "goals")
    token = next(iter(memory_keyring.secrets.values()))
    with SyncClient(live_server.url, token) as client:  # e.g. this computer was removed from another device
        client.delete_session()
    outcome = press_sync(qtbot, window)
    assert not outcome.ok and outcome.explanation is not None and outcome.explanation.kind == "sign_in"
    assert "no longer accepts this computer's sign-in" in window.statusBar().currentMessage()
    assert "Sign in again" in window.statusBar().currentMessage()
    banner = window.sync_ui.failure_banner
    assert banner.isVisible() and banner.action_button.text() == "Sign in…"
    banner.action_button.click()
    dialog = window.sync_ui.sign_in_dialog
    assert dialog is not None and dialog.isVisible() and not banner.isVisible()
    assert dialog.server_edit.text() == live_server.url and dialog.email_edit.text() == EMAIL
    fill_sign_in(qtbot, dialog, live_server.url, EMAIL, PASSWORD)
    dialog.submit()
    qtbot.waitUntil(lambda: closed(dialog), timeout=20_000)
    outcome = press_sync(qtbot, window)
    assert outcome.ok and outcome.text == "Sync finished: 1 sent", outcome.text


def test_closing_the_window_mid_sync_stops_it_cleanly_and_the_next_start_syncs_the_rest(
    open_window, qtbot, live_server, tmp_path
):  # type: ignore[no-untyped-def]
    window = open_window()
    ws = window.workspace
    # Five batches: the push sends batch n+1 while batch n is on the server, so the window must close
    # with more than one batch still to go for something to be left for the restart.
    count = 5 * MAX_PUSH_CHANGES
    ws.timeline.create_many([{"date": "2025-03-03", "title": f"Session {i}"} for i in range(count)])
    sign_in_through_dialog(qtbot, window, live_server.url)
    c = controller_of(window)
    closed_at: list[float] = []

    def close_at_first_batch(view: ProgressView) -> None:
        if view.phase == "push" and view.done and not closed_at:
            closed_at.append(time.monotonic())
            window.close()

    c.progress.connect(close_at_first_batch)
    assert c.start_sync()
    qtbot.waitUntil(lambda: bool(closed_at) and not window.isVisible(), timeout=60_000)
    assert c.net.wait_for_done(0)  # no network thread is left running
    assert time.monotonic() - closed_at[0] < 10  # the sync stopped at its next step, not at its end
    with read_session(ws.engine) as s:
        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"

    again = open_window()  # the same data folder: a restart
    qtbot.waitUntil(lambda: controller_of(again).state.loaded, timeout=10_000)
    assert controller_of(again).state.signed_in and controller_of(again).state.pending > 0
    outcome = press_sync(qtbot, again)
    assert outcome.ok, outcome.text
    other = OtherComputer(tmp_path / "laptop", live_server.url)
    try:
        other.sync()
        assert other.workspace.timeline.count() == count
    finally:
        other.close()


def test_data_synced_with_one_account_never_goes_to_another(window, qtbot, live_server):  # type: ignore[no-untyped-def]
    sign_in_through_dialog(qtbot, window, live_server.url)
    ws = window.workspace
    write(window, qtbot, lambda: ws.goals.create({"title": "Ana's goal"}), "goals")
    assert press_sync(qtbot, window).ok
    SyncService(ws).sign_out()
    controller_of(window).refresh()
    wait_refreshed(qtbot, window)
    dialog = window.sync_ui.show_sign_in()
    fill_sign_in(qtbot, dialog, live_server.url, "bob@example.com", PASSWORD, create=True)
    error = submit_and_wait(qtbot, dialog)
    assert "belongs to another sync account" in error and "bob@example.com" in error
    assert not controller_of(window).state.signed_in


def test_files_coming_from_another_computer_are_shown_while_they_download(window, qtbot, live_server, tmp_path):  # type: ignore[no-untyped-def]
    sign_in_through_dialog(qtbot, window, live_server.url)
    other = OtherComputer(tmp_path / "laptop", live_server.url)
    try:
        loop = tmp_path / "salsa-loop.wav"
        loop.write_bytes(b"RIFF" + bytes(range(256)) * 3000)
        f = other.workspace.files.import_file(loop)
        other.sync()
    finally:
        other.close()
    c = controller_of(window)
    views: list[ProgressView] = []
    moving: list[dict] = []
    c.progress.connect(views.append)
    c.transfers_changed.connect(moving.append)
    outcome = press_sync(qtbot, window)
    assert outcome.ok and outcome.text == "Sync finished: 1 received, 1 file downloaded", outcome.text
    downloads = [v for v in views if v.phase == "download"]
    assert downloads and all(v.file_name == "salsa-loop.wav" for v in downloads)
    assert downloads[0].detail == "“salsa-loop.wav” (file 1 of 1)"
    assert {f.blob_sha256: "down"} in moving and moving[-1] == {}  # marked while it moved, then cleared
    assert window.workspace.blobs.has(f.blob_sha256)
