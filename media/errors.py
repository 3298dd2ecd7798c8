"""What can go wrong with an audio file, each in a sentence the artist (or an operator) can act on."""

from __future__ import annotations


class AudioError(Exception):
    """Base of the audio room's errors. ``str(error)`` is the sentence to show; nothing was written."""


class UndecodableAudio(AudioError):
    """The file is not audio that FFmpeg can read (wrong type, no audio stream, unknown codec)."""


class DamagedAudio(AudioError):
    """The file starts as audio but decoding fails or stops early: truncated or corrupted."""


class RangeOutsideTrack(AudioError):
    """The asked range does not lie inside the track."""


class PreviewLengthOutOfBounds(AudioError):
    """The asked preview length is outside the allowed bounds."""


class AudioCancelled(AudioError):
    """The work was stopped on request before the end."""

    def __init__(self) -> None:
        super().__init__("Stopped before the end; nothing was written.")


def seconds_text(seconds: float) -> str:
    """``83.25`` → ``"1:23.2"``: how a time in a track is said in the sentences."""
    minutes, rest = divmod(max(0.0, seconds), 60)
    return f"{int(minutes)}:{rest:04.1f}"
