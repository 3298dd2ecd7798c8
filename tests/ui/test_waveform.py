"""The preview range editor (a real track's waveform, driven with the mouse and keys) and the preview's undo steps."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from gigbag.app.previews import PreviewFailed, default_range
from gigbag.media import waveform_peaks
from gigbag.ui.widgets.preview_commands import PreviewCommand
from gigbag.ui.widgets.undo_commands import execute
from gigbag.ui.widgets.waveform import WaveformRangeView
from tests.fixtures.audio_files import write_tone

DURATION = 120.0


@pytest.fixture(scope="module")
def peaks(tmp_path_factory: pytest.TempPathFactory) -> tuple[tuple[float, float], ...]:
    # Two minutes: silence for the first 30 s, a tone after, so the picture has two halves.
    track = write_tone(
        tmp_path_factory.mktemp("wave") / "song.flac",
        DURATION,
        channels=1,
        rate=8000,
        expression="if(gte(t\\,30)\\,0.7*sin(2*PI*220*t)\\,0)",
    )
    return waveform_peaks(track, 600).peaks


@pytest.fixture
def view(qtbot, peaks) -> WaveformRangeView:
    w = WaveformRangeView()
    qtbot.addWidget(w)
    w.resize(602, 120)  # 600 px of waveform: one pixel is 0.2 s
    w.show()
    qtbot.waitExposed(w)
    w.setWaveform(peaks, DURATION)
    rng = default_range(DURATION)
    w.setRange(rng.start, rng.length)
    return w


def x_of(view: WaveformRangeView, seconds: float) -> int:
    return round(view._x(seconds))


def drag(view: WaveformRangeView, from_s: float, to_s: float) -> None:
    start, end = QPoint(x_of(view, from_s), 50), QPoint(x_of(view, to_s), 50)
    QTest.mousePress(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(view, QPoint((start.x() + end.x()) // 2, 50))
    QTest.mouseMove(view, end)
    QTest.mouseRelease(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def test_default_range_and_the_picture(view: WaveformRangeView, tmp_path: Path) -> None:
    assert view.selectedRange() == (30.0, 30.0)
    image = view.grab().toImage()
    image.save(str(tmp_path / "waveform.png"))  # the preview range editor, to look at
    assert not image.isNull()
    # silence paints nothing above the middle line, the tone does (sampled outside the selection)
    mid = round(view._area().center().y())

    def inked(seconds: float) -> bool:
        x = x_of(view, seconds)
        base = QImage.pixel(image, x, 3)
        return any(QImage.pixel(image, x, y) != base for y in range(mid - 30, mid - 5))

    assert not inked(10.0) and inked(100.0)


def test_dragging_inside_moves_the_range_and_it_stays_in_the_track(view: WaveformRangeView, qtbot) -> None:
    changes: list[tuple[float, float]] = []
    view.rangeChanged.connect(lambda s, n: changes.append((s, n)))
    with qtbot.waitSignal(view.rangeEdited) as edited:
        drag(view, 45.0, 65.0)
    start, length = view.selectedRange()
    assert start == pytest.approx(50.0, abs=0.5) and length == 30.0
    assert edited.args == [start, length] and changes and changes[-1] == (start, length)
    drag(view, 65.0, 119.5)  # past the end: the range stops at the end of the track
    assert view.selectedRange() == (90.0, 30.0)


def test_handles_resize_within_five_to_ninety_seconds(view: WaveformRangeView) -> None:
    drag(view, 60.0, 119.8)  # the end handle, far right: the track ends first
    assert view.selectedRange() == pytest.approx((30.0, 89.8), abs=0.3)
    drag(view, view.selectedRange()[0] + view.selectedRange()[1], 31.0)  # the end handle almost onto the start
    assert view.selectedRange() == (30.0, 5.0)
    drag(view, 30.0, 0.0)  # the start handle left: the end stays, the length grows up to 35 s
    assert view.selectedRange() == pytest.approx((0.0, 35.0), abs=0.3)
    view.setRange(10.0, 200.0)
    assert view.selectedRange() == (10.0, 90.0)
    view.setRange(-5.0, 2.0)
    assert view.selectedRange() == (0.0, 5.0)


def test_a_press_outside_starts_a_new_range_and_dragging_sets_its_end(view: WaveformRangeView) -> None:
    drag(view, 80.0, 100.0)
    assert view.selectedRange() == pytest.approx((80.0, 20.0), abs=0.3)


def test_space_and_double_click_ask_to_play_the_range_and_the_playhead_is_drawn(view: WaveformRangeView, qtbot) -> None:
    view.setFocus()
    with qtbot.waitSignal(view.playRequested) as asked:
        QTest.keyClick(view, Qt.Key.Key_Space)
    assert asked.args == [30.0, 30.0]
    with qtbot.waitSignal(view.playRequested):
        QTest.mouseDClick(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(x_of(view, 40.0), 50))
    before = view.grab().toImage()
    view.setPlayhead(45.0)
    assert view.grab().toImage() != before
    assert view.selectedRange() == (30.0, 30.0)  # a double-click plays, it does not move the range
    QTest.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClick(view, Qt.Key.Key_Left)
    assert view.selectedRange() == (34.0, 30.0)


def test_a_track_shorter_than_five_seconds_is_the_whole_range(qtbot) -> None:
    w = WaveformRangeView()
    qtbot.addWidget(w)
    w.setWaveform([(-0.1, 0.1)] * 10, 3.0)
    w.setRange(1.0, 30.0)
    assert w.selectedRange() == (0.0, 3.0) and w.lengthBounds() == (3.0, 3.0)


def test_make_and_remove_preview_are_steps_of_the_undo_stack(ctx, idle, tmp_path: Path) -> None:
    ws = ctx.workspace
    track = ws.tracks.add_from_file(write_tone(tmp_path / "Song.wav", 24.0, rate=22050))
    progress: list[tuple[int, int, str]] = []
    execute(ctx, PreviewCommand(ctx, track.id), on_progress=lambda d, t, s: progress.append((d, t, s)))
    idle()
    made = ws.tracks.get(track.id).preview_file_id
    assert made is not None and ws.files.get(made).duration_seconds == pytest.approx(24.0, abs=0.05)  # all of it
    assert progress and progress[-1][2] == "Cutting the preview…"
    execute(ctx, PreviewCommand(ctx, track.id, remove=True))
    idle()
    assert ws.tracks.get(track.id).preview_file_id is None and ws.files.find(made) is None
    assert [ctx.undo.text(i) for i in range(ctx.undo.count())] == ["Make preview", "Remove preview"]
    ctx.undo.undo()
    idle()
    assert ws.tracks.get(track.id).preview_file_id == made
    ctx.undo.undo()
    idle()
    assert ws.tracks.get(track.id).preview_file_id is None and ws.files.find(made) is None
    ctx.undo.redo()
    idle()
    assert ws.tracks.get(track.id).preview_file_id == made and ws.files.get(made) is not None


def test_a_refused_preview_is_no_step_of_the_undo_stack(ctx, idle, tmp_path: Path) -> None:
    track = ctx.workspace.tracks.add_from_file(write_tone(tmp_path / "Short.wav", 3.0, rate=8000))
    errors: list[BaseException] = []
    execute(ctx, PreviewCommand(ctx, track.id), on_failure=errors.append)
    idle()
    assert ctx.undo.count() == 0
    assert isinstance(errors[0], PreviewFailed)
    assert str(errors[0]).startswith("The track lasts 3.0 s, shorter than the shortest preview (5 s).")
