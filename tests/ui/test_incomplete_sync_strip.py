"""A sync that did not send everything is not a success: the warning strip names the files and
changes not sent, the reason and what to do; "Last synced" keeps the last complete sync.

Against a real server process whose daily upload limit lets only part of the files through.
The strip after such a sync is saved as /work/screens/partial-sync-strip.png when that folder exists.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QApplication

from tests.ui.sync_helpers import controller_of, press_sync, sign_in_through_dialog, wait_refreshed, write

SCREENS = Path("/work/screens")


def test_a_partly_refused_sync_shows_the_strip_with_the_files_the_reason_and_what_to_do(
    window, qtbot, server_factory, tmp_path
):  # type: ignore[no-untyped-def]
    server = server_factory("sqlite", extra_args=["--daily-upload-limit", "100kB"])
    sign_in_through_dialog(qtbot, window, server.url)
    ws = window.workspace
    names = ["intro.wav", "verse.wav", "chorus.wav"]
    for name in names:
        source = tmp_path / name
        source.write_bytes(b"RIFF" + os.urandom(60_000))
        write(window, qtbot, lambda source=source: ws.files.import_file(source), "files")
    write(window, qtbot, lambda: ws.goals.create({"title": "Finish the EP"}), "goals")
    outcome = press_sync(qtbot, window)
    wait_refreshed(qtbot, window)
    assert outcome.ok and outcome.incomplete is not None and outcome.text.startswith("Sync incomplete")
    strip = window.sync_ui.incomplete_banner
    assert strip.isVisible() and not window.sync_ui.failure_banner.isVisible()
    said = strip.text()
    line = next(x for x in strip.incomplete.lines if x.startswith("Not uploaded: "))
    not_sent = [n for n in names if f"“{n}”" in line]
    assert len(not_sent) == 2, said  # one file fits under the limit, two do not
    assert "upload limit" in said
    assert "sync again tomorrow" in strip.advice.text()
    assert "nothing was lost" in strip.advice.text()
    status = window.sync_ui.status_label.text()
    assert status.startswith("Sync incomplete") and "Last synced" not in status
    assert controller_of(window).state.last_sync_at is None  # no complete sync yet
    if SCREENS.is_dir():
        window.resize(1100, 640)
        QApplication.processEvents()
        window.grab().save(str(SCREENS / "partial-sync-strip.png"))
    strip.close_button.click()
    assert not strip.isVisible()


def test_after_a_cancelled_sync_the_status_does_not_say_last_synced_just_now(window, qtbot, live_server):  # type: ignore[no-untyped-def]
    sign_in_through_dialog(qtbot, window, live_server.url)
    ws = window.workspace
    write(window, qtbot, lambda: ws.goals.create({"title": "Warm up"}), "goals")
    assert press_sync(qtbot, window).ok
    wait_refreshed(qtbot, window)
    assert window.sync_ui.status_label.text() == "Last synced just now"
    for i in range(1500):
        ws.timeline.create({"date": "2025-01-01", "title": f"Show {i}"})
    c = controller_of(window)
    asked: list[bool] = []

    def cancel_once(_view: object) -> None:
        if not asked:
            asked.append(True)
            c.cancel_sync()

    c.progress.connect(cancel_once)
    outcome = press_sync(qtbot, window)
    wait_refreshed(qtbot, window)
    assert outcome.cancelled
    status = window.sync_ui.status_label.text()
    assert status.startswith("Sync cancelled") and "Last synced" not in status
    assert not window.sync_ui.incomplete_banner.isVisible()
