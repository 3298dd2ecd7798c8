"""The audio room: read, measure and cut audio files, for the desktop app and the server alike.

Decoding and encoding go through PyAV (FFmpeg), which reads WAV, AIFF, FLAC, MP3, Ogg and M4A/AAC the
same way. This is the ground floor beside ``schema``: no Qt, nothing of the app, the database or the
sync engine, so the server can cut its library's previews with the same code as the app.
"""

from .audio import AudioInfo, probe
from .clip import MAX_PREVIEW_SECONDS, MIN_PREVIEW_SECONDS, PREVIEW_FORMAT, ClipInfo, cut_clip
from .errors import (
    AudioCancelled,
    AudioError,
    DamagedAudio,
    PreviewLengthOutOfBounds,
    RangeOutsideTrack,
    UndecodableAudio,
)
from .waveform import Waveform, waveform_peaks

__all__ = [
    "MAX_PREVIEW_SECONDS",
    "MIN_PREVIEW_SECONDS",
    "PREVIEW_FORMAT",
    "AudioCancelled",
    "AudioError",
    "AudioInfo",
    "ClipInfo",
    "DamagedAudio",
    "PreviewLengthOutOfBounds",
    "RangeOutsideTrack",
    "UndecodableAudio",
    "Waveform",
    "cut_clip",
    "probe",
    "waveform_peaks",
]
