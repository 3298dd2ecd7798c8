"""Screenshots of the sync UI in its five moments, for people to look at (saved under ``screenshots/``).

Signed out; signing in with an error; a sync in progress; a finished sync; the conflicts view with
one conflict open (light and dark). Each shot is taken from the real window against a real server,
after checking that the window shows what the shot is meant to show. Run offscreen (the default) or
under Xvfb with ``QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python -m
pytest tests/ui/test_sync_screenshots.py``. ``GIGBAG_SCREENSHOTS`` chooses another folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from gigbag.app.sync_service import SyncService
from gigbag.ui.sync.controller import ProgressView
from gigbag.ui.widgets.theme import apply_theme
from tests.ui.sync_helpers import (
    EMAIL,
    PASSWORD,
    OtherComputer,
    controller_of,
    fill_sign_in,
    press_sync,
    sign_in_through_dialog,
    use_fast_retries,
    wait_refreshed,
    write,
)

SHOTS = Path(os.environ.get("GIGBAG_SCREENSHOTS") or Path(__file__).resolve().parents[2] / "screenshots")


def save(pixmap: QPixmap, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    assert pixmap.save(str(path)), path
    assert path.stat().st_size > 5000  # a real picture, not an empty one
    return path


def shot_with_dialog(window: QWidget, dialog: QWidget) -> QPixmap:
    """The window with the dialog over its middle (with a title bar, as a window manager draws it)."""
    QApplication.processEvents()
    picture = window.grab()
    over = dialog.grab()
    palette = dialog.palette()
    title_height = 30
    x = (picture.width() - over.width()) // 2
    y = max(title_height + 20, (picture.height() - over.height()) // 3)
    painter = QPainter(picture)
    painter.fillRect(
        QRect(x - 1, y - title_height - 1, over.width() + 2, over.height() + title_height + 2),
        palette.color(QPalette.ColorRole.Shadow),
    )
    title = QRect(x, y - title_height, over.width(), title_height)
    painter.fillRect(title, palette.color(QPalette.ColorRole.Button))
    painter.setPen(palette.color(QPalette.ColorRole.ButtonText))
    font = painter.font()
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(title, Qt.AlignmentFlag.AlignCenter, dialog.windowTitle())
    painter.drawPixmap(QPoint(x, y), over)
    painter.end()
    return picture


def seed(window) -> None:  # type: ignore[no-untyped-def]
    ws = window.workspace
    for title, target in (("Release the EP", 5), ("Play 20 gigs this year", 20), ("Reach 1,000 listeners", 1000)):
        ws.goals.create({"title": title, "target_value": target, "goal_type": "custom"})
    for i in range(1200):
        ws.timeline.create({"date": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}", "title": f"Rehearsal {i + 1}"})


def test_screenshots_of_the_sync_ui(window, qtbot, live_server, tmp_path):  # type: ignore[no-untyped-def]
    window.resize(1200, 760)
    seed(window)
    window.show_section("Goals")
    wait_refreshed(qtbot, window)
    window.events.emit_changed()
    wait_refreshed(qtbot, window)
    ui = window.sync_ui

    # 1. signed out
    assert ui.toolbar.sync_button.text() == "Sign in to sync"
    assert ui.status_label.text() == "Not syncing"
    save(window.grab(), "sync-1-signed-out.png")

    # 2. signing in, with an error (the account exists; the password is wrong)
    helper = SyncService(window.workspace)
    helper.sign_in(live_server.url, EMAIL, PASSWORD, create_account=True)
    helper.sign_out()
    wait_refreshed(qtbot, window)
    dialog = ui.show_sign_in()
    fill_sign_in(qtbot, dialog, live_server.url, EMAIL, "wrong password")
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    assert "email or password is wrong" in dialog.error_text()
    save(shot_with_dialog(window, dialog), "sync-2-signing-in-error.png")
    dialog.reject()

    # 3. a sync in progress
    sign_in_through_dialog(qtbot, window, live_server.url, create=False)
    c = controller_of(window)
    taken: list[str] = []

    def during(view: ProgressView) -> None:
        if not taken and view.phase == "push" and view.done:
            QApplication.processEvents()
            assert ui.progress_panel.isVisible() and "Sending changes" in ui.progress_panel.text()
            assert ui.toolbar.sync_button.text() == "Syncing…"
            taken.append(str(save(window.grab(), "sync-3-syncing.png")))

    c.progress.connect(during)
    outcome = press_sync(qtbot, window)
    c.progress.disconnect(during)
    assert taken and outcome.ok

    # 4. a finished sync (with what it did in the status bar)
    assert window.statusBar().currentMessage() == outcome.text
    assert ui.status_label.text() == "Last synced just now"
    save(window.grab(), "sync-4-finished.png")

    # 5. the conflicts view with one conflict open
    ws = window.workspace
    goal = next(g for g in ws.goals.list() if g.title == "Release the EP")
    other = OtherComputer(tmp_path / "laptop", live_server.url)
    try:
        other.sync()
        other.workspace.goals.update(goal.id, {"title": "Release the LP", "target_value": 10})
        other.sync()
    finally:
        other.close()
    write(
        window,
        qtbot,
        lambda: ws.goals.update(goal.id, {"title": "Release the EP in May", "description": "Five songs"}),
        "goals",
    )
    outcome = press_sync(qtbot, window)
    assert "1 conflict" in outcome.text and ui.banner.isVisible()
    save(window.grab(), "sync-5a-conflict-banner.png")
    conflicts = ui.show_conflicts()
    qtbot.waitUntil(lambda: conflicts.loaded and conflicts.conflict_count == 1, timeout=10_000)
    conflicts.resize(980, 520)
    QApplication.processEvents()
    assert conflicts.detail_view.title_label.text() == "Goal “Release the EP in May”"
    save(shot_with_dialog(window, conflicts), "sync-5-conflicts-view.png")
    apply_theme("dark")
    QApplication.processEvents()
    save(shot_with_dialog(window, conflicts), "sync-5-conflicts-view-dark.png")
    apply_theme("light")
    conflicts.close()

    # and a failed sync: the server is gone
    use_fast_retries(window)
    live_server.stop()
    outcome = press_sync(qtbot, window)
    assert outcome.offline and ui.failure_banner.isVisible()
    assert ui.toolbar.sync_button.text().startswith("Offline")
    save(window.grab(), "sync-6-failed-offline.png")
