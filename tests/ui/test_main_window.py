"""The main window: first start, sections, shortcuts routed to the section, undo, theme, errors, restart."""

from __future__ import annotations

import math
import struct
import threading
import wave
from pathlib import Path

from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QMessageBox

from gigbag.app.errors import ValidationFailed
from gigbag.local_db.migrate import MigrationError
from gigbag.ui import main as ui_main
from gigbag.ui.main_window import SECTION_CLASSES, MainWindow, SectionListModel, WelcomePage, window_settings
from gigbag.ui.sections.files import FilesSection
from gigbag.ui.sections.portfolio import PortfolioSection
from gigbag.ui.sections.tracks import TracksSection
from gigbag.ui.widgets.theme import is_dark


def write_wav(path: Path, seconds: float = 0.5) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"".join(struct.pack("<h", int(5000 * math.sin(i / 7))) for i in range(int(8000 * seconds))))
    return path


def press(qtbot, win: MainWindow, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier):
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=3000)
    target = QApplication.focusWidget() or win
    qtbot.keyClick(target, key, modifier)


def test_first_start_opens_on_a_friendly_empty_workspace(window):
    assert window.stack.currentWidget() is window.welcome
    assert isinstance(window.welcome, WelcomePage)
    assert window.welcome.title_label.text() == "Welcome to Gigbag"
    assert "Start by adding your profile, a track or a goal." in window.welcome.text_label.text()
    assert window.welcome.profile_button.text() == "Add your profile"
    assert window.welcome.track_button.text() == "Add a track"
    assert not window.sidebar.selectionModel().hasSelection()
    assert [s.title for s in window.sections][:3] == ["Portfolio", "Tracks", "Files"]
    assert len(window.sections) + len(window.missing_sections) == len(SECTION_CLASSES)


def test_welcome_buttons_lead_to_the_first_steps(window):
    window.welcome.profile_button.click()
    assert isinstance(window.current_section(), PortfolioSection)
    assert window.sidebar.selectionModel().selectedRows()[0].row() == 0


def test_sidebar_switches_sections_and_its_model_passes_the_tester(window, qtmodeltester):
    window.sidebar.setCurrentIndex(window.sidebar_model.index(2))
    assert isinstance(window.current_section(), FilesSection)
    assert window.windowTitle() == "Files — Gigbag"
    qtmodeltester.check(SectionListModel(window.sections))


def test_shortcuts_are_routed_to_the_current_section(window, qtbot, window_idle, tmp_path):
    tracks = window.show_section("Tracks")
    assert isinstance(tracks, TracksSection)
    window_idle(window)
    tracks.add_files([write_wav(tmp_path / "uno.wav"), write_wav(tmp_path / "dos.wav")])
    window_idle(window)
    tracks.table.setFocus()
    tracks.table.selectRow(0)
    window_idle(window)
    press(qtbot, window, Qt.Key.Key_Delete)
    window_idle(window)
    assert [t.title for t in window.workspace.tracks.list()] == ["dos"]
    press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    window_idle(window)
    assert [t.title for t in window.workspace.tracks.list()] == ["uno", "dos"]
    press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    window_idle(window)
    assert [t.title for t in window.workspace.tracks.list()] == ["dos"]
    tracks.table.setFocus()
    tracks.select(tracks.model.id_at(0))
    window_idle(window)
    press(qtbot, window, Qt.Key.Key_F2)
    assert QApplication.focusWidget() is tracks.edits["title"]
    press(qtbot, window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is tracks.search
    files = window.show_section("Files")
    assert isinstance(files, FilesSection)
    window_idle(window)
    files.table.setFocus()
    press(qtbot, window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    window_idle(window)
    assert [f.name for f in window.workspace.folders.list()] == ["New folder"]
    assert window.undo_action.text() == "Undo New folder “New folder”"


def test_toolbar_has_a_reserved_sync_slot_and_named_buttons(window):
    assert window.sync_slot.objectName() == "sync-slot"
    assert window.sync_slot.layout().count() == 1  # the sync and account buttons (ui/sync)
    label = QLabel("Synced")
    window.add_toolbar_widget(label)
    assert label.parent() is window.sync_slot
    toolbar_right = window.sync_slot.mapTo(window, QPoint(0, 0)).x()
    new_button = window.toolbar.widgetForAction(window.new_action)
    assert toolbar_right > new_button.mapTo(window, QPoint(0, 0)).x()
    for section in [window.find_section(t) for t in ("Portfolio", "Tracks", "Files")] + [window.toolbar]:
        for button in section.findChildren(QAbstractButton):
            if button.objectName() == "qt_tableview_cornerbutton":
                assert not button.isEnabled()  # switched off: nothing to name
            elif not button.text().strip():
                assert button.accessibleName(), f"icon-only button without a name in {section.objectName()}"


def test_one_place_shows_unhandled_errors_with_the_service_words(window, qtbot):
    def fail(_op):
        raise ValidationFailed({"__root__": "the folder does not exist"})

    window.ops.write(fail).run()
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "error-box") is not None, timeout=5000)
    box = window.findChild(QMessageBox, "error-box")
    assert box.text() == "the folder does not exist"
    assert window.statusBar().currentMessage() == "the folder does not exist"
    box.close()


def test_keyboard_shortcuts_dialog(window, qtmodeltester):
    dialog = window.show_shortcuts()
    model = dialog.table.model()
    qtmodeltester.check(model)
    rows = {model.index(r, 0).data(): model.index(r, 1).data() for r in range(model.rowCount())}
    assert rows["Ctrl+N"].startswith("New item")
    assert rows["Ctrl+Z"] == "Undo"
    assert rows["F2"] == "Rename the selection"
    dialog.close()


def test_theme_follows_the_preference_and_survives_a_restart(open_window, window_idle):
    win = open_window()
    assert win.theme == "auto"
    win.set_theme("dark")
    window_idle(win)
    assert is_dark()
    assert win.workspace.preferences.current().theme == "dark"
    win.close()
    win2 = open_window()
    assert win2.theme == "dark" and is_dark()
    assert win2._theme_actions["dark"].isChecked()
    win2.set_theme("light")
    window_idle(win2)
    assert not is_dark()


def test_the_stored_theme_wins_over_the_folders_ini_unless_the_artist_picks_one_first(
    open_window, window_idle, data_dir
):
    win = open_window()
    win.set_theme("dark")
    window_idle(win)
    win.close()
    ini = window_settings(data_dir)
    ini.setValue("theme", "light")  # the INI lags behind the preference (changed on another computer, synced)
    ini.sync()
    win2 = open_window()
    window_idle(win2)
    assert win2.theme == "dark" and is_dark() and win2._theme_actions["dark"].isChecked()
    assert window_settings(data_dir).value("theme") == "dark"  # the next frame opens in it
    win2.set_theme("light")
    win2._stored_theme_read("dark")  # a read that answers after the artist picked: their pick stays
    assert win2.theme == "light" and not is_dark()
    window_idle(win2)


def test_the_status_bar_names_the_work_that_still_runs(window, qtbot, window_idle):
    window_idle(window)
    first, second = threading.Event(), threading.Event()
    window.ops.write(lambda _op: first.wait(10)).with_label("Opening your data").run()
    window.ops.read(lambda _op: second.wait(10)).run()
    qtbot.waitUntil(lambda: window.busy_label.text() == "Opening your data…", timeout=5000)
    first.set()  # that one is done; an unnamed read still runs: the bar stays, the finished work's name goes
    qtbot.waitUntil(lambda: window.busy_label.text() == "", timeout=5000)
    assert window.ops.busy and not window.busy_bar.isHidden()
    second.set()
    window_idle(window)
    assert window.busy_bar.isHidden()


def test_window_state_and_last_section_survive_a_restart(open_window, window_idle):
    win = open_window()
    win.resize(760, 540)  # the offscreen screen is 800x600
    win.show_section("Files")
    window_idle(win)
    win.close()
    again = open_window()
    window_idle(again)
    assert isinstance(again.current_section(), FilesSection)
    assert again.size() == QSize(760, 540)
    assert again.sidebar.selectionModel().selectedRows()[0].row() == 2


def test_a_workspace_with_data_opens_on_portfolio(open_window, window_idle, data_dir):
    from gigbag.app.workspace import Workspace

    with Workspace.open(data_dir) as ws:
        ws.profile.save({"stage_name": "Ya Llegó"})
    win = open_window()
    window_idle(win)
    assert isinstance(win.current_section(), PortfolioSection)
    assert win.current_section().widget_for("stage_name").text() == "Ya Llegó"


def test_run_starts_the_app_on_a_fresh_data_folder(qapp, tmp_path, when_ready):
    seen: dict[str, object] = {}

    def look(win: MainWindow) -> None:
        seen["page"] = win.stack.currentWidget().objectName()
        seen["settings"] = Path(win.settings.fileName())
        win.close()

    when_ready(look)
    assert ui_main.run(data_dir=tmp_path / "fresh") == 0
    assert seen["page"] == "welcome-page"
    assert seen["settings"] == (tmp_path / "fresh" / "window.ini").resolve()
    assert (tmp_path / "fresh" / "window.ini").exists()


def test_a_failed_upgrade_names_the_backup():
    text = ui_main.migration_message(MigrationError("column xyz is missing", Path("/data/gigbag.sqlite3.backup-1")))
    assert "column xyz is missing" in text
    assert "/data/gigbag.sqlite3.backup-1" in text


def test_search_box_and_status_bar_exist(window):
    assert window.statusBar().isVisible()
    assert "Offline" in window.place_label.text()
    assert isinstance(window.find_section("Tracks").search, QLineEdit)


def test_the_desktop_writes_its_log_and_help_opens_the_log_folder(qapp, tmp_path, when_ready):
    from PySide6.QtCore import QObject, QUrl, Slot
    from PySide6.QtGui import QDesktopServices

    from gigbag.app.logging_setup import stop_file_log

    class Opened(QObject):
        urls: list[str] = []

        @Slot(QUrl)
        def open(self, url: QUrl) -> None:
            self.urls.append(url.toLocalFile())

    opened = Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    seen: dict[str, object] = {}

    def look(win: MainWindow) -> None:
        help_menu = next(a.menu() for a in win.menuBar().actions() if a.text().replace("&", "") == "Help")
        seen["help"] = [a.text() for a in help_menu.actions()]
        win.log_folder_action.trigger()
        win.close()

    when_ready(look)
    try:
        assert ui_main.run(data_dir=tmp_path / "fresh") == 0
    finally:
        stop_file_log()
        QDesktopServices.unsetUrlHandler("file")
    logs = (tmp_path / "fresh" / "logs").resolve()
    assert "Open log folder" in seen["help"]
    assert opened.urls == [str(logs)]
    assert "creating the database" in (logs / "gigbag.log").read_text("utf-8")
