"""The Preview panel of a track's detail, driven through its widgets on real audio files and a real workspace.

The waveform is read off the UI thread (and cached), the range is played with QtMultimedia to its end,
making and removing the preview are steps of the undo stack, and audio that is damaged or not on this
computer is said in a sentence, with nothing offered that cannot work.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from gigbag.ui.sections.tracks import TracksSection
from gigbag.ui.widgets.track_preview_panel import WAVEFORM_BUCKETS, TrackPreviewPanel
from tests.fixtures.audio_files import decode_mono, rms, write_tone

SCREENS = Path(os.environ.get("GIGBAG_SCREENSHOTS") or "/work/screens")


@pytest.fixture
def section(ctx, qtbot, idle) -> TracksSection:
    s = TracksSection(ctx)
    qtbot.addWidget(s)
    s.resize(1200, 800)
    s.show()
    qtbot.waitExposed(s)
    s.activate()
    idle()
    return s


def open_track(section: TracksSection, idle, qtbot, path: Path, row: int = 0) -> TrackPreviewPanel:
    section.add_files([path])
    idle()
    section.select(section.model.id_at(row))  # not selectRow: it follows the keys held down
    idle()
    panel = section.preview_panel
    qtbot.waitUntil(lambda: panel.track is not None and panel.track.title == path.stem and not panel._busy())
    return panel


def inked_columns(panel: TrackPreviewPanel) -> int:
    """How many pixel columns of the waveform's picture hold something above its middle line."""
    view = panel.waveform
    image = view.grab().toImage()
    area = view._area()
    mid = round(area.center().y())
    base = QImage.pixel(image, 2, round(area.top()) + 2)
    return sum(
        1
        for x in range(2, int(area.width()) - 2, 4)
        if any(QImage.pixel(image, x, y) != base for y in range(mid - 25, mid - 4))
    )


def test_the_panel_shows_the_tracks_waveform_with_the_default_range(section, ctx, idle, qtbot, tmp_path):
    song = write_tone(tmp_path / "Noche Larga.wav", 40.0, rate=22050)
    progress: list[tuple[int, int]] = []
    bar = section.preview_panel.progress
    bar.valueChanged.connect(lambda v: progress.append((v, bar.maximum())))
    panel = open_track(section, idle, qtbot, song)
    assert panel.isVisible() and panel.waveform.isVisible()
    assert panel.waveform.duration() == pytest.approx(40.0, abs=0.05)
    assert panel.waveform.selectedRange() == (10.0, 30.0)  # 30 s from a quarter in
    assert (panel.start_value.text(), panel.length_value.text()) == ("0:10.0", "0:30.0")
    assert panel.make_button.isVisible() and panel.make_button.text() == "Make preview"
    assert panel.play_range_button.isEnabled() and not panel.play_preview_button.isVisible()
    assert not panel.remove_button.isVisible() and not panel.progress_row.isVisible()
    assert panel.status.text().startswith("No preview yet.")
    assert inked_columns(panel) > 50  # the tone is drawn across the whole width
    sha = ctx.workspace.files.get(panel.track.audio_file_id).blob_sha256
    assert (ctx.workspace.paths.cache / "waveforms" / f"{sha}-{WAVEFORM_BUCKETS}.json").is_file()
    assert progress and progress[-1] == (1000, 1000)  # the first time, computed with progress to the end

    # the range is moved; a second visit reads the cached waveform (no progress), a new range starts at default
    panel.waveform.setRange(2.0, 7.5)
    assert (panel.start_value.text(), panel.length_value.text()) == ("0:02.0", "0:07.5")
    section.table.clearSelection()
    idle()
    assert not panel.isVisible()
    progress.clear()
    section.select(section.model.id_at(0))
    idle()
    qtbot.waitUntil(lambda: panel.waveform.duration() > 0)
    assert progress == [] and panel.waveform.selectedRange() == (10.0, 30.0)


def test_make_preview_sets_the_tracks_preview_and_undo_removes_it(section, ctx, idle, qtbot, tmp_path):
    ws = ctx.workspace
    panel = open_track(section, idle, qtbot, write_tone(tmp_path / "Sol de Enero.flac", 30.0, rate=22050))
    track_id = panel.track.id
    panel.waveform.setRange(12.0, 6.0)
    panel.make_button.click()
    assert not panel.make_button.isEnabled()  # while it is cut
    idle()
    qtbot.waitUntil(lambda: panel.make_button.text() == "Remake preview")
    made = ws.tracks.get(track_id).preview_file_id
    clip = ws.files.get(made)
    assert clip.duration_seconds == pytest.approx(6.0, abs=0.05) and clip.filename == "Sol de Enero (preview).mp3"
    rate, samples = decode_mono(ws.previews.preview_path(track_id))
    assert rms(samples) > 0.1 and len(samples) / rate == pytest.approx(6.0, abs=0.06)
    assert panel.play_preview_button.isVisible() and panel.remove_button.isVisible()
    assert panel.status.text().startswith("The preview lasts 0:06.")
    assert panel.waveform.selectedRange() == (12.0, 6.0)  # the range stays where it was chosen
    assert ctx.undo.undoText() == "Make preview"

    ctx.undo.undo()
    idle()
    qtbot.waitUntil(lambda: panel.make_button.text() == "Make preview")
    assert ws.tracks.get(track_id).preview_file_id is None and ws.files.find(made) is None
    assert not panel.play_preview_button.isVisible() and not panel.remove_button.isVisible()
    ctx.undo.redo()
    idle()
    qtbot.waitUntil(lambda: panel.remove_button.isVisible())
    assert ws.tracks.get(track_id).preview_file_id == made

    panel.remove_button.click()
    idle()
    qtbot.waitUntil(lambda: not panel.remove_button.isVisible())
    assert ws.tracks.get(track_id).preview_file_id is None
    assert ctx.undo.undoText() == "Remove preview"
    ctx.undo.undo()
    idle()
    qtbot.waitUntil(lambda: panel.remove_button.isVisible())
    assert ws.tracks.get(track_id).preview_file_id == made


def test_play_range_plays_from_the_start_to_the_end_of_the_range(section, idle, qtbot, tmp_path):
    panel = open_track(section, idle, qtbot, write_tone(tmp_path / "Clave.wav", 20.0, rate=22050))
    panel.waveform.setRange(11.0, 5.0)
    positions: list[float] = []
    panel.player.position.connect(positions.append)
    with qtbot.waitSignal(panel.player.finished, timeout=30_000):
        panel.play_range_button.click()
        assert panel.play_range_button.text() == "Stop"
    assert positions and min(positions) >= 10.95 and max(positions) >= 15.9
    assert max(positions) < 17.0  # it stopped at the end of the range, not at the end of the track
    assert panel.waveform._playhead is None and panel.play_range_button.text() == "Play range"
    assert not panel.player.playing


def test_starting_one_player_stops_the_other(section, idle, qtbot, tmp_path):
    panel = open_track(section, idle, qtbot, write_tone(tmp_path / "Montuno.wav", 30.0, rate=22050))
    panel.play_range_button.click()
    qtbot.waitUntil(lambda: panel.waveform._playhead is not None and panel.waveform._playhead > 0.3)
    section.play_selected()
    qtbot.waitUntil(lambda: section.player.playing, timeout=10_000)
    assert not panel.player.playing and panel.play_range_button.text() == "Play range"
    panel.play_range_button.click()
    qtbot.waitUntil(lambda: not section.player.playing, timeout=10_000)
    assert panel.player.playing
    panel.stop()


def test_cancel_stops_the_waveform_and_it_can_be_drawn_again(section, ctx, idle, qtbot, tmp_path):
    panel = open_track(section, idle, qtbot, write_tone(tmp_path / "Larga.wav", 90.0, rate=22050))
    track = panel.track
    for cached in (ctx.workspace.paths.cache / "waveforms").iterdir():
        cached.unlink()
    panel.show_track(None)
    panel.show_track(track)
    drawing = panel._reading
    panel.show_track(track)  # the section refreshes (another edit, a sync): the drawing goes on, not again
    assert drawing is not None and panel._reading is drawing
    assert not panel.waveform.isVisibleTo(panel)
    panel.cancel_button.click()  # long before 90 s of audio are decoded
    idle()
    assert panel.status.text() == "The waveform was not drawn: it was stopped before the end."
    assert panel.retry_button.isVisibleTo(panel) and not panel.make_button.isVisibleTo(panel)
    assert not any((ctx.workspace.paths.cache / "waveforms").iterdir())
    panel.retry_button.click()
    idle()
    assert panel.waveform.isVisibleTo(panel) and panel.waveform.duration() == pytest.approx(90.0, abs=0.05)
    assert not panel.retry_button.isVisibleTo(panel) and panel.make_button.isVisibleTo(panel)


def test_a_track_that_went_while_it_was_read_is_no_error(section, ctx, idle, qtbot, tmp_path):
    panel = open_track(section, idle, qtbot, write_tone(tmp_path / "Ida.wav", 12.0, rate=22050))
    track = panel.track
    ctx.workspace.tracks.delete(track.id)  # as a sync from another computer would
    panel.show_track(None)
    panel.show_track(track)
    idle()  # the ctx fixture fails the test if the error reached the window's handler
    assert not panel._busy() and not panel.make_button.isVisibleTo(panel)


def test_damaged_audio_is_said_in_a_sentence_and_nothing_is_offered(section, ctx, idle, qtbot, tmp_path):
    song = write_tone(tmp_path / "song.flac", 40.0, rate=22050)
    damaged = tmp_path / "Roto.flac"
    damaged.write_bytes(song.read_bytes()[: song.stat().st_size // 3])
    panel = open_track(section, idle, qtbot, damaged)
    text = panel.status.text()
    assert "“Roto.flac” is damaged" in text and "Traceback" not in text
    assert text.endswith("To make a preview, add the track again from an intact copy of the file.")
    assert panel.isVisible() and panel.status.isVisible()
    for button in (
        panel.make_button,
        panel.play_range_button,
        panel.play_preview_button,
        panel.remove_button,
        panel.retry_button,
    ):
        assert not button.isVisibleTo(panel), button.text()
    assert not panel.waveform.isVisibleTo(panel)
    assert ctx.workspace.tracks.list()[0].preview_file_id is None


def test_audio_not_on_this_computer_offers_only_the_existing_preview(section, ctx, idle, qtbot, tmp_path):
    ws = ctx.workspace
    panel = open_track(section, idle, qtbot, write_tone(tmp_path / "Lejos.wav", 24.0, rate=22050))
    panel.waveform.setRange(3.0, 5.0)
    panel.make_button.click()
    idle()
    qtbot.waitUntil(lambda: panel.remove_button.isVisible())
    track = ws.tracks.list()[0]
    ws.blobs.remove(ws.files.get(track.audio_file_id).blob_sha256)  # as if it came from another computer
    section.table.clearSelection()
    idle()
    section.select(section.model.id_at(0))
    idle()
    qtbot.waitUntil(lambda: "not on this computer yet" in panel.status.text())
    assert "sync to bring it here" in panel.status.text()
    assert not panel.waveform.isVisibleTo(panel) and not panel.make_button.isVisibleTo(panel)
    assert not panel.play_range_button.isVisibleTo(panel)
    assert panel.play_preview_button.isVisibleTo(panel) and panel.remove_button.isVisibleTo(panel)
    with qtbot.waitSignal(panel.player.finished, timeout=60_000):
        panel.play_preview_button.click()


# A song-like take: a fade-in, verses, a louder chorus, a bridge, the last chorus and a fade-out, in phrases.
SONG = (
    "if(lt(t\\,12)\\,0.045*t\\,if(lt(t\\,55)\\,0.5\\,if(lt(t\\,85)\\,0.85\\,if(lt(t\\,120)\\,0.4"
    "\\,if(lt(t\\,175)\\,0.9\\,0.9*(195-t)/20)))))"
    "*(0.65+0.35*sin(2*PI*t/4)*sin(2*PI*t/11))*(0.6*sin(2*PI*110*t)+0.3*sin(2*PI*330*t))"
)


def test_screenshot_of_the_preview_editor_in_the_track_detail(data_dir, open_window, window_idle, qtbot, tmp_path):
    from gigbag.app.demo_data import seed_demo
    from gigbag.app.workspace import Workspace

    song = write_tone(tmp_path / "Mi Ritmo Caliente.wav", 195.0, rate=22050, expression=SONG)
    with Workspace.open(data_dir) as ws:
        seed_demo(ws)
        track = ws.tracks.add_from_file(
            song, values={"title": "Mi Ritmo Caliente", "genre": "Salsa", "release_year": 2025}
        )
    win = open_window()
    win.resize(1440, 900)
    section = win.show_section("Tracks")
    assert isinstance(section, TracksSection)
    window_idle(win)
    assert section.select(track.id)
    window_idle(win)
    panel = section.preview_panel
    qtbot.waitUntil(
        lambda: panel.track is not None and panel.track.id == track.id and panel.waveform.duration() > 0, timeout=30_000
    )
    assert panel.waveform.selectedRange() == (48.75, 30.0)  # a quarter into 3:15
    panel.make_button.click()
    window_idle(win, timeout=30_000)
    qtbot.waitUntil(lambda: panel.remove_button.isVisible())
    assert win.undo_action.text() == "Undo Make preview"
    win.undo_action.trigger()
    window_idle(win)
    qtbot.waitUntil(lambda: not panel.remove_button.isVisible())
    assert win.ctx.workspace.tracks.get(track.id).preview_file_id is None
    win.redo_action.trigger()
    window_idle(win)
    qtbot.waitUntil(lambda: panel.remove_button.isVisible())
    panel.play_range_button.click()
    qtbot.waitUntil(lambda: (panel.waveform._playhead or 0) > 56.0, timeout=15_000)
    section.details_panel.parentWidget().parentWidget().ensureWidgetVisible(panel.waveform)  # type: ignore[attr-defined]
    QApplication.processEvents()
    SCREENS.mkdir(parents=True, exist_ok=True)
    shot = SCREENS / "preview-editor.png"
    assert win.grab().save(str(shot)) and shot.stat().st_size > 20_000
    panel.stop()
