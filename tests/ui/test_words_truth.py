"""Words on screen: the progress strip's first frame is not cut ("Uploadir"), the status bar's data
folder gives way to messages, and a first sync does not count its own changes as received."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from gigbag.ui.sync.controller import ProgressView
from gigbag.ui.sync.progress_panel import SyncProgressPanel
from tests.ui.sync_helpers import press_sync, sign_in_through_dialog, write


def test_the_first_frame_of_a_new_phase_shows_its_whole_title(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = SyncProgressPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 40)
    panel.show()
    panel.start()
    QApplication.processEvents()
    assert panel.phase_label.text() == "Starting sync"
    panel.show_progress(ProgressView("upload", "Uploading files", "“demo.wav” — 3.2 MB of 10 MB", 1, 10))
    # no event processed: this is what the very next paint shows
    assert panel.phase_label.width() >= panel.phase_label.sizeHint().width()
    assert panel.detail_label.geometry().left() >= panel.phase_label.geometry().right()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    deep = tmp_path / "Users" / "ana-maria-de-los-angeles" / "Library" / "Application Support" / "Gigbag"
    deep = deep / "a folder with a very long name for the sake of the test" / "data"
    deep.mkdir(parents=True)
    return deep


def test_status_messages_do_not_run_into_the_data_folder(window, qtbot, data_dir) -> None:  # type: ignore[no-untyped-def]
    window.resize(1000, 700)
    QApplication.processEvents()
    place = window.place_label
    assert place.text() == f"Offline · {data_dir}"  # the whole path is kept (and in the tooltip)
    assert str(data_dir) in place.toolTip()
    window.show_message("3 files imported into “My files” (in 2 new folders, as on your computer)")
    QApplication.processEvents()
    assert place.width() <= 340
    assert "…" in place.shown_text() and place.shown_text() != place.text()
    assert place.contentsMargins().left() >= 12  # a gap between a message and the folder
    assert place.geometry().left() > window.statusBar().width() // 2  # the message keeps most of the bar


def test_a_first_sync_says_sent_not_received(window, qtbot, live_server) -> None:  # type: ignore[no-untyped-def]
    sign_in_through_dialog(qtbot, window, live_server.url)
    ws = window.workspace
    for i in range(3):
        write(window, qtbot, lambda i=i: ws.journal.create({"title": f"Idea {i}"}), "journal_entries")
    outcome = press_sync(qtbot, window)
    assert outcome.ok and outcome.received == 0
    assert outcome.text == "Sync finished: 3 sent"
