"""The players stop without freezing: never inside the media player's own signals, never holding the GIL.

The end of a range is seen in a ``positionChanged`` slot; the media player is halted after that slot returned.
QMediaPlayer.stop() waits for the FFmpeg backend's audio-renderer thread, and a stop made with the GIL held
froze the app when that thread ran Python (a Qt message handler) at that moment: the freeze runs in a
subprocess (``media_freeze``) under a timeout, so that on a regression it fails instead of hanging the run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtMultimedia import QMediaPlayer

from gigbag.ui.widgets.range_player import RangePlayer
from tests.fixtures.audio_files import write_tone

ROOT = Path(__file__).resolve().parents[2]
PLAYING = QMediaPlayer.PlaybackState.PlayingState
STOPPED = QMediaPlayer.PlaybackState.StoppedState


def test_the_end_of_the_range_halts_the_media_player_after_its_signal_returned(qapp, qtbot, tmp_path):
    player = RangePlayer()
    positions: list[float] = []
    at_finish: list[tuple[bool, object, int]] = []
    player.position.connect(positions.append)
    player.finished.connect(lambda: at_finish.append((player.playing, player._player.playbackState(), len(positions))))
    with qtbot.waitSignal(player.finished, timeout=20_000):
        player.play(write_tone(tmp_path / "Clave.wav", 4.0, rate=22050), 1.0, 2.0)
    # said at once, while the media player still plays: it is not stopped inside its positionChanged signal
    assert at_finish == [(False, PLAYING, len(positions))]
    qtbot.waitUntil(lambda: player._player.playbackState() == STOPPED, timeout=5_000)
    assert len(positions) == at_finish[0][2]  # nothing reported after the end
    assert min(positions) >= 0.99 and 1.95 <= max(positions) < 2.5
    assert not player.playing


def test_a_stop_inside_a_position_slot_waits_for_the_event_loop(qapp, qtbot, tmp_path):
    player = RangePlayer()
    inside: list[object] = []

    def stop_at(seconds: float) -> None:
        if seconds >= 1.3 and not inside:
            player.stop()
            inside.append(player._player.playbackState())

    player.position.connect(stop_at)
    with qtbot.waitSignal(player.stopped, timeout=20_000):
        player.play(write_tone(tmp_path / "Montuno.wav", 4.0, rate=22050), 1.0, None)
    assert inside == [PLAYING] and not player.playing
    qtbot.waitUntil(lambda: player._player.playbackState() == STOPPED, timeout=5_000)


def test_a_range_played_before_the_last_one_was_halted_starts_at_its_start(qapp, qtbot, tmp_path):
    player = RangePlayer()
    song = write_tone(tmp_path / "Clave.wav", 5.0, rate=22050)
    with qtbot.waitSignal(player.finished, timeout=20_000):
        player.play(song, 0.5, 0.8)
    assert player._player.playbackState() == PLAYING  # not halted yet: the event loop has not run since
    positions: list[float] = []
    player.position.connect(positions.append)
    with qtbot.waitSignal(player.finished, timeout=20_000):
        player.play(song, 3.0, 3.4)
    assert positions and min(positions) >= 2.99 and max(positions) >= 3.4


@pytest.mark.parametrize("what", ["range", "track", "switch"])
def test_stopping_while_the_audio_thread_runs_python_does_not_freeze(what, tmp_path):
    audio = write_tone(tmp_path / "Clave.wav", 12.0, rate=22050)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        # the renderer logs as it opens its output, whether or not this computer has a sound device
        "QT_LOGGING_RULES": "qt.multimedia.ffmpeg.resampler.debug=true",
    }
    try:
        run = subprocess.run(
            [sys.executable, "-m", "tests.ui.media_freeze", what, str(audio)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the {what} player froze: stop() waited for the audio thread while holding the GIL")
    assert run.returncode == 0 and run.stdout.split() == ["ok"], run.stdout + run.stderr[-2000:]
