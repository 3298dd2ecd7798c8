"""Stopping a QMediaPlayer without holding Python's GIL, so its media threads can finish their Python.

With Qt's FFmpeg backend ``QMediaPlayer.stop()`` waits for the audio-renderer thread: the playback engine takes
the audio output away from the renderer through a blocking queued call. PySide6 keeps the GIL across ``stop()``
(of QMediaPlayer's slots only ``setSource`` releases it), so if that thread is running Python at that moment (a
Qt message handler called for its "No audio device detected" warning, as pytest-qt and logging bridges install)
it waits for the GIL the GUI thread holds while the GUI thread waits for it: the app freezes for good.
``QMetaObject.invokeMethod`` releases the GIL around the call it makes; ``play()`` goes the same way.

Even so, a player is never stopped inside one of its own signals (the range player defers that to the event
loop): the engine would be torn down under the code that is emitting.
"""

from __future__ import annotations

from PySide6.QtCore import QMetaObject, QObject, Qt


def stop_player(player: QObject) -> None:
    """``player.stop()`` with the GIL released while it waits for the backend's threads."""
    _call_slot(player, "stop")


def play_player(player: QObject) -> None:
    """``player.play()`` with the GIL released: starting a source can wait for the renderer thread as well (a
    track switched while its renderer logs froze once in CI with the GIL held across ``play()``)."""
    _call_slot(player, "play")


def _call_slot(player: QObject, slot: str) -> None:
    if not QMetaObject.invokeMethod(player, slot, Qt.ConnectionType.DirectConnection):
        raise RuntimeError(f"{type(player).__name__} has no {slot}() slot")
