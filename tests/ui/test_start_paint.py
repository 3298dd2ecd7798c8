"""The start in two steps: the main window's frame paints before the database stack is imported, then
the same window gets its workspace and becomes usable; the ways a start can fail still end as before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from importlib import import_module
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from gigbag.app.database_care import keep_daily_backup
from gigbag.app.errors import MigrationError
from gigbag.app.paths import resolve_paths
from gigbag.app.workspace import Workspace
from gigbag.ui import main as ui_main
from gigbag.ui.main_window import SECTIONS, MainWindow
from gigbag.ui.sections.portfolio import PortfolioSection

HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "httpx", "gigbag.local_db", "gigbag.sync")
HEAVY += ("gigbag.app.workspace", "gigbag.app.backup")

# Runs the real entry point; at the main window's first Paint, reports what is loaded and shown, and exits.
FIRST_PAINT = textwrap.dedent(
    """
    import json, os, sys
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QMainWindow, QWidget

    HEAVY = tuple(sys.argv[2].split(","))

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                loaded = sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in HEAVY))
                rows = obj.sidebar.selectionModel().selectedRows()
                report = {
                    "heavy": loaded,
                    "class": type(obj).__name__,
                    "page": obj.stack.currentWidget().objectName(),
                    "sidebar": obj.sidebar_model.titles(),
                    "selected": obj.sidebar_model.titles()[rows[0].row()] if rows else None,
                    "size": [obj.width(), obj.height()],
                    "ready": obj.is_ready,
                    "toolbar": [a.text() for a in obj.toolbar.actions() if a.text()],
                }
                os.write(1, (json.dumps(report) + "\\n").encode())
                os._exit(0)
            return False

    _filter = FirstPaint()
    _show = QWidget.show

    def show(self):
        if isinstance(self, QMainWindow) and self.isWindow():
            self.installEventFilter(_filter)
        return _show(self)

    QWidget.show = show
    from gigbag.cli.main import main
    sys.exit(main(["--data-dir", sys.argv[1]]))
    """
)


@pytest.fixture(autouse=True)
def no_window_left(qapp):  # type: ignore[no-untyped-def]
    """Each in-process start ends as the process would: no window of it left for the next test.

    (``run()`` freezes the garbage collector after a start, so its closed or hidden window outlives it.)
    """
    yield
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.close()
            widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()


def test_the_section_table_matches_the_section_classes():
    """The frame lists the sections from a static table: it must say what the classes say."""
    for entry in SECTIONS:
        cls = getattr(import_module(f"gigbag.ui.sections.{entry.module}"), entry.class_name)
        assert (cls.title, cls.icon_name) == (entry.title, entry.icon_name)


def test_the_first_paint_comes_before_the_database_stack_is_imported(qapp, tmp_path):
    folder = tmp_path / "device"
    with Workspace.open(folder) as ws:
        ws.profile.save({"stage_name": "Ya Llegó"})
        frame = MainWindow(paths=ws.paths)  # remember a size and a section, as a closed window does
        frame.resize(760, 520)  # within the offscreen screen (800x600)
        frame.show_section("Tracks")
        frame.save_state()
        frame.settings.setValue("last_section", "Tracks")
        frame.settings.sync()
        frame.deleteLater()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    out = subprocess.run(
        [sys.executable, "-c", FIRST_PAINT, str(folder), ",".join(HEAVY)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["heavy"] == []
    assert report["class"] == "MainWindow" and report["ready"] is False
    assert report["page"] == "opening-page"
    assert report["sidebar"] == [e.title for e in SECTIONS]
    assert report["selected"] == "Tracks"
    assert report["size"] == [760, 520]
    assert report["toolbar"][:2] == ["New", "Delete"]


def test_the_same_window_becomes_usable_through_the_real_start(qapp, tmp_path, when_ready, poll):
    folder = tmp_path / "device"
    with Workspace.open(folder) as ws:
        ws.profile.save({"stage_name": "Ya Llegó"})
    seen: dict[str, object] = {}
    shown: list[MainWindow] = []
    original_show = MainWindow.show

    def show(self: MainWindow) -> None:
        shown.append(self)
        seen["opening"] = self.stack.currentWidget().objectName()
        original_show(self)

    def look(win: MainWindow) -> None:
        seen["sections"] = [s.title for s in win.sections]
        seen["file menu"] = [a.text() or "--" for a in win.menuBar().actions()[0].menu().actions()]
        seen["new enabled"] = win.new_action.isEnabled()
        seen["sync button"] = win.sync_ui.toolbar.parent() is win.sync_slot

        def portfolio_filled() -> bool:
            section = win.current_section()
            if isinstance(section, PortfolioSection) and section.widget_for("stage_name").text() == "Ya Llegó":
                seen["portfolio"] = True
                win.close()
                return True
            return False

        poll(portfolio_filled)

    MainWindow.show = show  # type: ignore[method-assign]
    try:
        when_ready(look)
        assert ui_main.run(data_dir=folder) == 0
    finally:
        MainWindow.show = original_show  # type: ignore[method-assign]
    assert len(shown) == 1  # one window, shown once: the frame that became the app
    assert seen["opening"] == "opening-page"
    assert seen["sections"] == [e.title for e in SECTIONS]
    backup = ["Back up…", "Restore backup…", "Restore automatic backup…"]
    assert seen["file menu"] == ["New", "--", *backup, "--", "Sync now", "Sign in to sync…", "--", "Quit"]
    assert seen["new enabled"] is True and seen["sync button"] is True
    assert seen["portfolio"] is True


@pytest.mark.parametrize(
    "choice",
    [
        "restore",
        "quit",
    ],
)
def test_a_damaged_database_is_resolved_over_the_frame(qapp, tmp_path, monkeypatch, caplog, when_ready, choice):
    from gigbag.ui import damaged_database

    folder = tmp_path / "device"
    paths = resolve_paths(folder)
    with Workspace.open(folder) as ws:
        ws.journal.create({"title": "In the automatic backup"})
    assert keep_daily_backup(paths) is not None
    backups = sorted((p.name, p.stat().st_size) for p in (folder / "backups").iterdir())
    paths.database.write_bytes(b"")
    asked: list[bool] = []

    def answer(dialog: damaged_database.DamagedDatabaseDialog) -> int:
        parent = dialog.parentWidget()
        asked.append(isinstance(parent, MainWindow) and parent.isVisible() and not parent.is_ready)
        dialog.choice = damaged_database.Choice(choice if choice == "quit" else "restore")
        return 0

    monkeypatch.setattr(damaged_database.DamagedDatabaseDialog, "exec", answer)
    titles: list[str] = []

    def look(win: MainWindow) -> None:
        titles.extend(e.title for e in win.workspace.journal.list())
        win.close()

    when_ready(look)
    code = ui_main.run(data_dir=folder)
    assert asked == [True]
    assert "damaged database: the database file is empty" in caplog.text
    if choice == "quit":
        assert code == 1 and titles == []
        assert not any(isinstance(w, MainWindow) and w.isVisible() for w in QApplication.topLevelWidgets())
        # nothing decided for the artist: the damaged file is kept aside as it was, no new database, backups untouched
        assert not paths.database.exists()
        moved = [p for p in folder.glob("gigbag.sqlite3.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
        assert [p.stat().st_size for p in moved] == [0]
        assert sorted((p.name, p.stat().st_size) for p in (folder / "backups").iterdir()) == backups
    else:
        assert code == 0 and titles == ["In the automatic backup"]


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (
            MigrationError("column xyz is missing", Path("/data/gigbag.sqlite3.backup-1")),
            "/data/gigbag.sqlite3.backup-1",
        ),
        (PermissionError(13, "Permission denied"), "The data folder cannot be used: [Errno 13] Permission denied"),
    ],
)
def test_a_start_that_cannot_open_the_data_says_why_and_ends_with_1(qapp, tmp_path, monkeypatch, error, words):
    def refuse(_data_dir: object) -> Workspace:
        raise error

    told: list[tuple[str, str]] = []
    monkeypatch.setattr(Workspace, "open", staticmethod(refuse))
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, title, text: told.append((title, text)))
    assert ui_main.run(data_dir=tmp_path / "device") == 1
    assert len(told) == 1
    assert told[0][0] == "Gigbag cannot open your data" and words in told[0][1]
    assert not any(isinstance(w, MainWindow) and w.isVisible() for w in QApplication.topLevelWidgets())


def test_closing_the_window_while_the_data_opens_ends_the_start_cleanly(qapp, tmp_path, poll):
    folder = tmp_path / "device"
    with Workspace.open(folder) as ws:
        ws.journal.create({"title": "Kept"})
    closed: list[bool] = []

    def close_early() -> bool:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not windows:
            return False
        closed.append(windows[0].is_ready)
        windows[0].close()
        return True

    poll(close_early, every_ms=5)
    assert ui_main.run(data_dir=folder) == 0
    assert closed == [False]
    with Workspace.open(folder) as ws:  # a start given up half-way leaves the data as it was
        assert [e.title for e in ws.journal.list()] == ["Kept"]
