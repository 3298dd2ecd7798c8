"""A player is stopped while the FFmpeg audio-renderer thread runs Python: it must not freeze (run in a subprocess).

``python -m tests.ui.media_freeze range|track|switch AUDIO`` installs a Qt message handler, as pytest-qt does,
that lingers in the renderer thread (``time.sleep`` gives the GIL up, and it must take it back to return). The
renderer logs when it opens its audio output, a few milliseconds after playback starts; at that moment the GUI
thread stops the player (``range``: the preview panel's RangePlayer; ``track``: the Tracks section's Player;
``switch``: that Player is given another track). QMediaPlayer.stop() waits for the renderer thread, so called
with the GIL held it never returns. Prints ``ok`` and exits 0 after three rounds; a freeze is the caller's
timeout.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from PySide6.QtCore import QThread, QTimer, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

ROUNDS = 3
LINGER_S = 0.3

renderer_in_python = threading.Event()


def handler(_mode: object, _context: object, _message: str) -> None:
    if "AudioRenderer" in QThread.currentThread().objectName():
        renderer_in_python.set()
        time.sleep(LINGER_S)


def main() -> int:
    what, audio = sys.argv[1], Path(sys.argv[2])
    qInstallMessageHandler(handler)
    app = QApplication([])
    from gigbag.ui.widgets.audio_player import Player
    from gigbag.ui.widgets.range_player import RangePlayer

    range_player, track_player = RangePlayer(), Player()
    rounds = 0

    def start() -> None:
        renderer_in_python.clear()
        if what == "range":
            range_player.play(audio, 1.0, 10.0)
        else:
            track_player.play_file("t1", "Clave", audio)
        poll.start()

    def act() -> None:
        nonlocal rounds
        if not renderer_in_python.is_set():
            return
        poll.stop()
        if what == "range":
            range_player.stop()
        elif what == "track":
            track_player.stop()
        else:
            track_player.play_file("t2", "Clave again", audio)
        rounds += 1
        QTimer.singleShot(2 * round(LINGER_S * 1000), start if rounds < ROUNDS else finish)

    def finish() -> None:
        range_player.stop()  # a player that plays when it is deleted waits for its threads, GIL held
        track_player.stop()
        print("ok", flush=True)
        app.quit()

    poll = QTimer()
    poll.setInterval(2)
    poll.timeout.connect(act)
    QTimer.singleShot(0, start)
    QTimer.singleShot(30_000, lambda: (print("the audio renderer never logged: no scenario", flush=True), app.exit(2)))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
