"""File → Back up… / Restore backup… / Restore automatic backup…, the damaged-database dialog, and one
Gigbag per data folder (a real second process)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QPushButton

from gigbag.app.database_care import DamagedDatabase, keep_daily_backup
from gigbag.app.export_import import export_document
from gigbag.app.paths import resolve_paths
from gigbag.app.workspace import Workspace
from gigbag.ui.damaged_database import Choice, DamagedDatabaseDialog
from gigbag.ui.main_window import MainWindow
from gigbag.ui.single_instance import SingleInstance

SCREENS = Path("/work/screens")


def _seed(ws: Workspace, tmp_path: Path) -> None:
    ws.profile.save({"stage_name": "Orquesta Norte"})
    photo = tmp_path / "press.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 400)
    ws.files.import_file(photo)
    ws.goals.create({"title": "Play 20 gigs", "goal_type": "gigs", "target_value": 20})


def _file_menu_texts(win: MainWindow) -> list[str]:
    menu = win.menuBar().actions()[0].menu()
    return [a.text() for a in menu.actions() if not a.isSeparator()]  # type: ignore[union-attr]


def test_the_file_menu_backs_up_and_restores_into_another_data_folder(
    window: MainWindow,
    window_idle: Callable[[MainWindow], None],
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    assert _file_menu_texts(window)[1:4] == ["Back up…", "Restore backup…", "Restore automatic backup…"]
    _seed(window.workspace, tmp_path)
    archive = tmp_path / "backup.zip"
    op = window.backup_actions.back_up(archive)
    assert op is not None
    window_idle(window)
    assert archive.is_file()
    box = window.backup_actions.last_dialog
    assert isinstance(box, QMessageBox) and "content of 1 files" in box.text()
    box.close()

    other = Workspace.open(tmp_path / "other")
    win2 = MainWindow(other)
    qtbot.addWidget(win2)
    changed: list[object] = []
    win2.events.changed.connect(changed.append)
    op2 = win2.backup_actions.restore(archive)
    assert op2 is not None
    dialog = win2.backup_actions.last_dialog
    window_idle(win2)
    assert changed == [set()]
    result = win2.backup_actions.last_dialog
    assert isinstance(result, QMessageBox) and "Restored 3 new" in result.text(), result.text()
    assert dialog is not None and not dialog.isVisible()
    assert export_document(other.engine)["entities"] == export_document(window.workspace.engine)["entities"]
    assert all(other.blobs.verify(f.blob_sha256) for f in other.files.list())
    result.close()
    win2.close()
    win2.ops.wait_for_done()
    other.close()


def test_a_damaged_archive_is_refused_in_words(window: MainWindow, window_idle, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip" * 20)
    window.backup_actions.restore(broken)
    window_idle(window)
    box = window.backup_actions.last_dialog
    assert isinstance(box, QMessageBox) and box.windowTitle() == "The backup was not restored"
    assert "cannot be restored" in box.text() and "Nothing was changed" in box.text()
    box.close()


def test_a_cancelled_backup_leaves_no_file(window: MainWindow, window_idle, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _seed(window.workspace, tmp_path)
    archive = tmp_path / "cancelled.zip"
    op = window.backup_actions.back_up(archive)
    assert op is not None
    dialog = window.backup_actions.last_dialog
    assert isinstance(dialog, QProgressDialog)
    dialog.findChild(QPushButton).click()  # the progress dialog's Cancel button
    assert op.cancel_event.is_set()
    window_idle(window)
    assert not archive.exists() and not list(tmp_path.glob("*.partial"))


def test_restore_an_automatic_backup_from_the_app(window: MainWindow, window_idle, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ws = window.workspace
    ws.journal.create({"title": "Kept in the backup"})
    snap = keep_daily_backup(ws.paths, datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    assert snap is not None
    ws.journal.create({"title": "Made after the backup"})
    from gigbag.ui import backup_actions

    shown: list[backup_actions.AutomaticBackupsDialog] = []
    monkeypatch.setattr(
        backup_actions.AutomaticBackupsDialog,
        "exec",
        lambda self: (shown.append(self), backup_actions.QDialog.DialogCode.Accepted)[1],
    )
    window.backup_actions.restore_automatic()
    window_idle(window)
    assert shown and shown[0].model.rowCount() == 1 and "2026" in shown[0].model.item(0).text()
    assert {e.title for e in ws.journal.list()} == {"Kept in the backup"}
    assert list(ws.paths.data.glob("gigbag.sqlite3.replaced-*"))


def test_the_damaged_database_dialog_says_what_happened(qtbot, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths = resolve_paths(data_dir)
    with Workspace.open(data_dir) as ws:
        ws.journal.create({"title": "Before"})
    assert keep_daily_backup(paths) is not None
    with paths.database.open("r+b") as fh:
        fh.truncate(paths.database.stat().st_size // 2 + 10)
    with pytest.raises(DamagedDatabase) as caught:
        Workspace.open(data_dir)
    dialog = DamagedDatabaseDialog(caught.value)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    QApplication.processEvents()
    texts = " ".join(w.text() for w in dialog.findChildren(type(dialog.quit_button)))
    assert "Restore the newest automatic backup" in texts and "Start empty" in texts and "Quit" in texts
    reason = dialog.findChild(type(dialog.layout().itemAt(1).widget()), "damage-reason")
    assert reason is not None and "cut short" in reason.text() and "moved aside" in reason.text()
    assert dialog.restore_button.isEnabled()
    SCREENS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(SCREENS / "damaged-db.png"))
    dialog.empty_button.click()
    assert dialog.choice is Choice.START_EMPTY


SECOND = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    from gigbag.ui.single_instance import SingleInstance
    app = QApplication([])
    print("first" if SingleInstance(Path(sys.argv[1])).claim() else "handed over", flush=True)
    """
)


def test_a_second_start_on_the_same_data_folder_brings_the_first_to_the_front(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "device"
    folder.mkdir()
    first = SingleInstance(folder)
    assert first.claim()
    raised: list[bool] = []
    first.activate_requested.connect(lambda: raised.append(True))
    env = {"QT_QPA_PLATFORM": "offscreen", **__import__("os").environ}
    proc = subprocess.Popen([sys.executable, "-c", SECOND, str(folder)], stdout=subprocess.PIPE, text=True, env=env)
    qtbot.waitUntil(lambda: bool(raised), timeout=20_000)
    out, _ = proc.communicate(timeout=30)
    assert out.strip() == "handed over" and proc.returncode == 0
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    other = subprocess.run(
        [sys.executable, "-c", SECOND, str(elsewhere)], capture_output=True, text=True, env=env, timeout=30
    )
    assert other.stdout.strip() == "first"  # another data folder runs beside it
    first.release()


@pytest.mark.parametrize("choice", [Choice.RESTORE, Choice.START_EMPTY, Choice.QUIT])
def test_the_choice_made_in_the_damaged_database_dialog_is_carried_out(
    qtbot,
    data_dir: Path,
    monkeypatch,  # type: ignore[no-untyped-def]
    choice: Choice,
) -> None:
    from gigbag.ui import damaged_database

    paths = resolve_paths(data_dir)
    with Workspace.open(data_dir) as ws:
        ws.journal.create({"title": "In the automatic backup"})
    assert keep_daily_backup(paths) is not None
    paths.database.write_bytes(b"")
    with pytest.raises(DamagedDatabase) as caught:
        Workspace.open(data_dir)

    def answer(dialog: DamagedDatabaseDialog) -> int:
        dialog.choice = choice
        return 0

    monkeypatch.setattr(damaged_database.DamagedDatabaseDialog, "exec", answer)
    reopen = damaged_database.resolve_damage(caught.value, paths)
    assert reopen is (choice is not Choice.QUIT)
    if choice is Choice.QUIT:
        with pytest.raises(DamagedDatabase):
            Workspace.open(data_dir)
        return
    with Workspace.open(data_dir) as ws:
        titles = [e.title for e in ws.journal.list()]
    assert titles == (["In the automatic backup"] if choice is Choice.RESTORE else [])
