"""Opening an audio file and decoding it piece by piece, with FFmpeg's failures said in sentences.

``probe`` tells what a file holds (duration, sample rate, channels, codec). ``decode_float`` walks the
audio as interleaved 32-bit float blocks with their position in the track, one decoded frame at a time,
so a two-hour recording never sits in memory as PCM. Both are used by the waveform and the clip cutter.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import av.error

from .errors import AudioCancelled, DamagedAudio, UndecodableAudio, seconds_text

Progress = Callable[[int, int], None]  # milliseconds of audio done, milliseconds in all (0: unknown)
Cancelled = Callable[[], bool]

SUPPORTED_TYPES = "WAV, AIFF, FLAC, MP3, Ogg or M4A"


@dataclass(frozen=True)
class AudioInfo:
    duration_seconds: float
    sample_rate: int
    channels: int
    codec: str  # FFmpeg's name of the codec: pcm_s16le, flac, mp3, vorbis, opus, aac, ...
    container: str  # FFmpeg's name of the container format: wav, aiff, flac, mp3, ogg, mov,mp4,m4a,...


@dataclass(frozen=True)
class Block:
    """Decoded audio: ``samples`` interleaved floats of ``channels`` channels starting at ``start`` (s)."""

    start: float
    samples: array
    channels: int

    @property
    def frames(self) -> int:
        return len(self.samples) // self.channels


def _name(path: Path, name: str | None) -> str:
    return f"“{name or path.name}”"


@contextmanager
def open_audio(path: str | os.PathLike[str], name: str | None = None) -> Iterator[tuple[Any, Any]]:
    """The container and its first audio stream; UndecodableAudio in words when there is none.

    ``name`` is how the sentences call the file (default: its file name), e.g. the name the artist gave it.
    """
    path = Path(path)
    if not path.is_file():
        raise UndecodableAudio(f"{_name(path, name)} cannot be read: there is no such file.")
    try:
        container = av.open(str(path), mode="r")
    except av.error.FFmpegError as exc:
        raise UndecodableAudio(
            f"{_name(path, name)} cannot be read as audio ({_reason(exc)}): "
            f"it is damaged, or not a {SUPPORTED_TYPES} file."
        ) from None
    try:
        if not container.streams.audio:
            raise UndecodableAudio(f"{_name(path, name)} holds no audio; use a {SUPPORTED_TYPES} file.")
        stream = container.streams.audio[0]
        if stream.codec_context is None or not stream.codec_context.sample_rate:
            raise UndecodableAudio(f"{_name(path, name)} holds audio in a form Gigbag cannot decode.")
        yield container, stream
    finally:
        container.close()


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text).rstrip(".").lower() or type(exc).__name__


def _declared_duration(container: Any, stream: Any) -> float | None:
    if stream.duration is not None and stream.time_base is not None and stream.duration > 0:
        return float(stream.duration * stream.time_base)
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base
    return None


def probe(path: str | os.PathLike[str], *, name: str | None = None) -> AudioInfo:
    """What the file holds. Its first audio is decoded, so a file that cannot be decoded is refused here."""
    path = Path(path)
    with open_audio(path, name) as (container, stream):
        ctx = stream.codec_context
        duration = _declared_duration(container, stream)
        channels = ctx.channels
        try:
            first = next(iter(container.decode(stream)), None)
        except av.error.FFmpegError as exc:
            raise DamagedAudio(
                f"{_name(path, name)} is damaged: its audio cannot be decoded ({_reason(exc)})."
            ) from None
        if first is None:
            raise DamagedAudio(f"{_name(path, name)} is damaged or empty: it holds no decodable audio.")
        channels = channels or first.layout.nb_channels
        info = AudioInfo(
            duration_seconds=duration or 0.0,
            sample_rate=int(ctx.sample_rate),
            channels=int(channels),
            codec=str(ctx.name),
            container=str(container.format.name),
        )
    if duration is None:  # e.g. raw ADTS AAC: count what decodes
        counted = 0.0
        for block in decode_float(path, name=name):
            counted = block.start + block.frames / info.sample_rate
        info = AudioInfo(counted, info.sample_rate, info.channels, info.codec, info.container)
    return info


def _to_array(frame: Any) -> array:
    samples = array("f")
    samples.frombytes(bytes(frame.planes[0])[: frame.samples * frame.layout.nb_channels * 4])
    return samples


def _frames_from(container: Any, stream: Any, start: float, origin: float) -> Iterator[Any]:
    """Decoded frames from a little before ``start``: by seeking when the file allows it, else from the top."""
    if start > 1.0:
        try:  # land a second early: decoders need a little audio before the asked point to settle
            container.seek(int((start - 1.0 + origin) / stream.time_base), stream=stream, backward=True)
        except av.error.FFmpegError:
            container.seek(0, stream=stream)
        else:
            frames = container.decode(stream)
            first = next(frames, None)
            if first is not None and first.time is not None and float(first.time) - origin <= start:
                yield first
                yield from frames
                return
            # The seek landed past the start (an inexact index) or without timestamps: read from the top.
            container.seek(0, stream=stream)
    yield from container.decode(stream)


def decode_float(
    path: str | os.PathLike[str],
    *,
    start: float = 0.0,
    layout: str | None = None,
    cancelled: Cancelled | None = None,
    name: str | None = None,
) -> Iterator[Block]:
    """The audio from about ``start`` seconds on (the first block may begin a little earlier).

    ``layout`` ("mono", "stereo") mixes the channels to that layout; by default they are kept.
    Raises DamagedAudio when decoding fails part-way, naming where.
    """
    path = Path(path)
    with open_audio(path, name) as (container, stream):
        rate = int(stream.codec_context.sample_rate)
        resampler: Any = None
        position: float | None = None
        # The track begins at the stream's start time (after an MP3's encoder delay, an Opus pre-skip).
        origin = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
        try:
            for frame in _frames_from(container, stream, start, origin):
                if cancelled is not None and cancelled():
                    raise AudioCancelled()
                if resampler is None:
                    resampler = av.AudioResampler(format="flt", layout=layout or frame.layout.name, rate=rate)
                if frame.time is not None:
                    position = float(frame.time) - origin
                elif position is None:
                    position = 0.0
                for converted in resampler.resample(frame):
                    samples = _to_array(converted)
                    block = Block(position, samples, converted.layout.nb_channels)
                    position += block.frames / rate
                    yield block
        except av.error.FFmpegError as exc:
            where = seconds_text(position or 0.0)
            raise DamagedAudio(
                f"{_name(path, name)} is damaged: decoding failed at {where} ({_reason(exc)})."
            ) from None
