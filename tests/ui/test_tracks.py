"""The Tracks section driven through its widgets: add, edit, reorder by drag and drop, delete, undo, play."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QModelIndex, Qt, QUrl
from PySide6.QtGui import QColor, QImage

from gigbag.ui.sections.tracks import TracksSection
from gigbag.ui.widgets import confirm
from gigbag.ui.widgets.track_list import TrackModel


def write_wav(path: Path, seconds: float, freq: float = 440.0, rate: int = 8000) -> Path:
    frames = int(seconds * rate)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(
            b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * freq * i / rate))) for i in range(frames))
        )
    return path


def write_png(path: Path, color: str = "#c0392b") -> Path:
    img = QImage(64, 64, QImage.Format.Format_RGB32)
    img.fill(QColor(color))
    assert img.save(str(path))
    return path


@pytest.fixture
def section(ctx, qtbot, idle) -> TracksSection:
    s = TracksSection(ctx)
    qtbot.addWidget(s)
    s.resize(1100, 700)
    s.show()
    s.activate()
    idle()
    return s


def titles(section: TracksSection) -> list[str]:
    return [section.model.record(r).title for r in range(section.model.rowCount())]


def add(section: TracksSection, idle, paths: list[Path]) -> None:
    section.add_files(paths)
    idle()


def test_empty_section_invites_to_add_tracks(section):
    assert section.stack.currentWidget() is section.empty
    assert "Add the songs" in section.empty.text_label.text()


def test_add_tracks_reads_durations_and_undo_removes_them(section, ctx, idle, tmp_path):
    a = write_wav(tmp_path / "Azucar_Negra.wav", 2.0)
    b = write_wav(tmp_path / "Son de la Loma.wav", 3.5)
    add(section, idle, [a, b])
    assert titles(section) == ["Azucar Negra", "Son de la Loma"]
    assert section.stack.currentWidget() is section.splitter
    durations = [section.model.index(r, 1).data() for r in range(2)]
    assert durations == ["0:02", "0:04"]
    assert ctx.workspace.files.count() == 2
    ctx.undo.undo()
    idle()
    assert section.model.rowCount() == 0
    assert ctx.workspace.tracks.count() == 0 and ctx.workspace.files.count() == 0
    assert section.stack.currentWidget() is section.empty
    ctx.undo.redo()
    idle()
    assert titles(section) == ["Azucar Negra", "Son de la Loma"]
    assert ctx.workspace.files.count() == 2


def test_a_file_that_is_not_audio_is_refused_with_its_name(section, ctx, idle, tmp_path, ui_errors):
    notes = tmp_path / "notes.txt"
    notes.write_text("not music")
    add(section, idle, [notes])
    assert ctx.workspace.tracks.count() == 0
    assert ctx.workspace.files.count() == 0
    assert ctx.undo.count() == 0
    assert len(ui_errors) == 1 and "notes.txt is not an audio file" in str(ui_errors[0])


def test_edit_details_validation_and_undo(section, ctx, idle, tmp_path, qtbot):
    add(section, idle, [write_wav(tmp_path / "tumbao.wav", 1.0)])
    section.table.selectRow(0)
    idle()
    assert section.edits["title"].text() == "tumbao"
    section.edits["title"].clear()
    qtbot.keyClicks(section.edits["title"], "Tumbao Sabroso")
    section.edits["genre"].setText("Salsa dura")
    section.edits["release_year"].setText("1800")
    section.save_button.click()
    idle()
    label = section.errors.label("release_year")
    assert label is not None and label.text() == "⚠ Year must be between 1900 and 2200"
    assert ctx.workspace.tracks.list()[0].title == "tumbao"  # nothing saved
    assert ctx.undo.count() == 1  # only the import
    section.edits["release_year"].setText("2024")
    section.edits["spotify_url"].setText("https://open.spotify.com/track/abc")
    section.save_button.click()
    idle()
    track = ctx.workspace.tracks.list()[0]
    assert (track.title, track.genre, track.release_year) == ("Tumbao Sabroso", "Salsa dura", 2024)
    assert track.spotify_url == "https://open.spotify.com/track/abc"
    assert not section.errors.has_errors()
    assert titles(section) == ["Tumbao Sabroso"]
    assert section.model.index(0, 3).data() == "2024"
    ctx.undo.undo()
    idle()
    assert ctx.workspace.tracks.list()[0].title == "tumbao"
    assert section.edits["title"].text() == "tumbao"


def test_empty_title_is_refused_next_to_the_field(section, ctx, idle, tmp_path):
    add(section, idle, [write_wav(tmp_path / "guajira.wav", 1.0)])
    section.table.selectRow(0)
    idle()
    section.edits["title"].setText("   ")
    section.save_button.click()
    idle()
    assert section.errors.label("title").text() == "⚠ Title must not be empty"
    assert ctx.workspace.tracks.list()[0].title == "guajira"


def test_reorder_by_drag_and_drop_changes_one_row_and_undoes(section, ctx, idle, tmp_path):
    paths = [write_wav(tmp_path / f"{n}.wav", 0.5) for n in ("uno", "dos", "tres", "cuatro")]
    add(section, idle, paths)
    assert titles(section) == ["uno", "dos", "tres", "cuatro"]
    before = {t.id: t.display_order for t in ctx.workspace.tracks.list()}
    model = section.model
    data = model.mimeData([model.index(3, 0)])
    assert model.canDropMimeData(data, Qt.DropAction.MoveAction, 1, 0, QModelIndex())
    model.dropMimeData(data, Qt.DropAction.MoveAction, 1, 0, QModelIndex())  # "cuatro" between uno and dos
    idle()
    assert titles(section) == ["uno", "cuatro", "dos", "tres"]
    after = {t.id: t.display_order for t in ctx.workspace.tracks.list()}
    changed = [i for i in before if before[i] != after[i]]
    assert len(changed) == 1
    assert section.selected_ids() == changed
    # drop "uno" on the last row's place (downwards)
    data = model.mimeData([model.index(0, 0)])
    model.dropMimeData(data, Qt.DropAction.MoveAction, 4, 0, QModelIndex())
    idle()
    assert titles(section) == ["cuatro", "dos", "tres", "uno"]
    ctx.undo.undo()
    idle()
    assert titles(section) == ["uno", "cuatro", "dos", "tres"]
    ctx.undo.undo()
    idle()
    assert titles(section) == ["uno", "dos", "tres", "cuatro"]


def test_reorder_is_refused_while_searching(section, idle, tmp_path):
    add(section, idle, [write_wav(tmp_path / f"{n}.wav", 0.5) for n in ("mambo", "mambo 2", "bolero")])
    section.search.setText("mambo")
    section.search.flush()
    idle()
    assert titles(section) == ["mambo", "mambo 2"]
    assert section.count_label.text() == "2 tracks found"
    data = section.model.mimeData([section.model.index(1, 0)])
    assert not section.model.canDropMimeData(data, Qt.DropAction.MoveAction, 0, 0, QModelIndex())


def test_delete_asks_once_and_undo_restores(section, ctx, idle, tmp_path):
    add(section, idle, [write_wav(tmp_path / f"{n}.wav", 0.5) for n in ("a", "b", "c")])
    section.table.selectRow(1)
    confirm.set_auto_answer(False)
    section.delete_selected()
    idle()
    assert titles(section) == ["a", "b", "c"]
    confirm.set_auto_answer(True)
    section.delete_selected()
    idle()
    assert titles(section) == ["a", "c"]
    assert ctx.workspace.files.count() == 3  # the audio stays in Files
    ctx.undo.undo()
    idle()
    assert titles(section) == ["a", "b", "c"]


def test_files_dropped_from_the_desktop_become_tracks(section, ctx, idle, tmp_path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(write_wav(tmp_path / "descarga.wav", 1.0)))])
    assert section.model.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, QModelIndex())
    section.model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, QModelIndex())
    idle()
    assert titles(section) == ["descarga"]


def test_cover_art_is_imported_shown_and_undoable(section, ctx, idle, tmp_path):
    add(section, idle, [write_wav(tmp_path / "pregon.wav", 0.5)])
    section.table.selectRow(0)
    idle()
    assert not section.cover.has_image()
    section.set_cover(write_png(tmp_path / "cover.png"))
    idle()
    track = ctx.workspace.tracks.list()[0]
    assert track.cover_file_id is not None
    assert section.cover.has_image()
    ctx.undo.undo()
    idle()
    assert ctx.workspace.tracks.list()[0].cover_file_id is None
    assert not section.cover.has_image()


def test_cover_that_is_not_an_image_shows_the_reason(section, ctx, idle, tmp_path):
    add(section, idle, [write_wav(tmp_path / "rumba.wav", 0.5)])
    section.table.selectRow(0)
    idle()
    bad = tmp_path / "cover.txt"
    bad.write_text("no")
    section.set_cover(bad)
    idle()
    assert section.errors.label("cover_file_id").text() == "⚠ Cover.txt is not an image"
    assert ctx.workspace.tracks.list()[0].cover_file_id is None


def test_play_and_pause(section, idle, tmp_path, qtbot):
    add(section, idle, [write_wav(tmp_path / "clave.wav", 3.0)])
    section.table.selectRow(0)
    section.toggle_play()
    qtbot.waitUntil(lambda: section.player.playing, timeout=10_000)
    assert section.play_button.accessibleName() == "Pause"
    assert section.now_playing.text() == "Playing: clave"
    section.toggle_play()
    qtbot.waitUntil(lambda: section.player.paused, timeout=5_000)
    assert section.play_button.accessibleName() == "Play"
    section.player.stop()


def test_a_format_that_cannot_be_played_is_reported(section, idle, tmp_path, qtbot):
    bogus = tmp_path / "broken.mp3"
    bogus.write_bytes(b"\x00\x01 this is not an mp3 at all " * 200)
    add(section, idle, [bogus])
    section.table.selectRow(0)
    with qtbot.waitSignal(section.playback_failed, timeout=10_000) as blocker:
        section.play_selected()
    assert "cannot play “broken”" in blocker.args[0]
    assert "cannot play" in section.now_playing.text()


def test_track_model_passes_the_model_tester(ctx, idle, tmp_path, qtmodeltester):
    for n in range(5):
        ctx.workspace.tracks.add_from_file(write_wav(tmp_path / f"t{n}.wav", 0.2, 300 + n))
    model = TrackModel(ctx)
    model.reload()
    idle()
    assert model.rowCount() == 5
    qtmodeltester.check(model)
    idle()
