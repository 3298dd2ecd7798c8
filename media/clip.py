"""Cutting a preview: a range of a track, with short fades in and out, encoded small (MP3) to a file.

The clip keeps the track's sample rate (MP3 holds 8 to 48 kHz; a 88.2/96/192 kHz master is brought to
44.1/48 kHz) and its channels (more than two are mixed to stereo). Why MP3 and not Ogg: the FFmpeg
build inside PyAV has no libvorbis, and its own Vorbis encoder is experimental (stereo only, wrong
lengths); Opus encodes at 48 kHz only, so a 44.1 kHz track would change rate. LAME is exact in length
(its header carries the encoder delay and padding) and every player, Qt's and browsers', plays it.

The clip is written to a temporary file beside the destination and renamed when complete, so a
failure (damaged audio, a cancel, a full disk) leaves nothing behind and never a half file.
"""

from __future__ import annotations

import math
import os
import uuid
from array import array
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.error

from .audio import Cancelled, Progress, decode_float, probe
from .errors import DamagedAudio, PreviewLengthOutOfBounds, RangeOutsideTrack, seconds_text

MIN_PREVIEW_SECONDS = 5.0
MAX_PREVIEW_SECONDS = 90.0
FADE_SECONDS = 0.05
PREVIEW_FORMAT = "mp3"
PREVIEW_MIME_TYPE = "audio/mpeg"
PREVIEW_SUFFIX = ".mp3"
MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
# The decoded audio may end this much before the declared duration (rounding of headers) unnoticed.
END_TOLERANCE_SECONDS = 0.05


@dataclass(frozen=True)
class ClipInfo:
    path: Path
    start_seconds: float
    duration_seconds: float
    sample_rate: int
    channels: int
    codec: str
    size_bytes: int


def clip_sample_rate(source_rate: int) -> int:
    """The track's rate when MP3 can hold it, else the nearest rate of the same family it can."""
    if source_rate in MP3_RATES:
        return source_rate
    if source_rate > 48000:
        return 44100 if source_rate % 11025 == 0 else 48000
    return min((r for r in MP3_RATES if r >= source_rate), default=48000)


def check_range(start: float, length: float, duration: float) -> None:
    """Refuse, in words, a length outside 5–90 s or a range that is not inside the track."""
    if not (isinstance(length, int | float) and math.isfinite(length)) or not (
        MIN_PREVIEW_SECONDS <= length <= MAX_PREVIEW_SECONDS
    ):
        raise PreviewLengthOutOfBounds(
            f"A preview lasts {MIN_PREVIEW_SECONDS:g} to {MAX_PREVIEW_SECONDS:g} seconds; {length:g} s was asked."
        )
    if duration < MIN_PREVIEW_SECONDS:
        raise RangeOutsideTrack(
            f"The track lasts {duration:.1f} s, shorter than the shortest preview ({MIN_PREVIEW_SECONDS:g} s)."
        )
    if not math.isfinite(start) or start < 0 or start + length > duration + END_TOLERANCE_SECONDS:
        raise RangeOutsideTrack(
            f"The range {seconds_text(start)}–{seconds_text(start + length)} is not inside the track, "
            f"which lasts {seconds_text(duration)}; choose a start between 0:00.0 and "
            f"{seconds_text(max(0.0, duration - length))}."
        )


def _fade(samples: array, channels: int, offset: int, frames: int, fade: int, clip_frames: int) -> None:
    """Scale, in place, the part of a block that lies in the fade-in or fade-out (linear ramps)."""
    for i in range(frames):
        at = offset + i
        if at < fade:
            gain = (at + 0.5) / fade
        elif at >= clip_frames - fade:
            gain = (clip_frames - at - 0.5) / fade
        else:
            continue
        base = i * channels
        for c in range(channels):
            samples[base + c] *= gain


def _frame(samples: array, channels: int, layout: str, rate: int, pts: int) -> Any:
    frame = av.AudioFrame(format="flt", layout=layout, samples=len(samples) // channels)
    frame.planes[0].update(samples.tobytes())
    frame.sample_rate = rate
    frame.pts = pts
    frame.time_base = Fraction(1, rate)
    return frame


def cut_clip(
    source: str | os.PathLike[str],
    destination: str | os.PathLike[str],
    start: float,
    length: float,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    name: str | None = None,
) -> ClipInfo:
    """Write ``length`` seconds of ``source`` from ``start`` on to ``destination`` as an MP3 preview.

    Raises PreviewLengthOutOfBounds, RangeOutsideTrack, UndecodableAudio, DamagedAudio or
    AudioCancelled, each with a sentence (calling the file ``name``, default its file name); on any
    failure ``destination`` is left as it was.
    """
    source, destination = Path(source), Path(destination)
    info = probe(source, name=name)
    check_range(start, length, info.duration_seconds)
    src_rate = info.sample_rate
    layout = "mono" if info.channels == 1 else "stereo"
    channels = 1 if layout == "mono" else 2
    first_frame = round(start * src_rate)
    clip_frames = min(round(length * src_rate), max(0, round(info.duration_seconds * src_rate) - first_frame))
    fade = min(round(FADE_SECONDS * src_rate), clip_frames // 4)
    out_rate = clip_sample_rate(src_rate)
    total_ms = round(clip_frames / src_rate * 1000)

    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.{uuid.uuid4().hex[:8]}.part")
    written = 0
    try:
        with av.open(str(partial), mode="w", format=PREVIEW_FORMAT) as out:
            stream: Any = out.add_stream("libmp3lame", rate=out_rate, layout=layout)
            stream.bit_rate = 128_000 if channels == 2 else 96_000
            encoder = stream.codec_context
            feed = av.AudioResampler(
                format=encoder.format.name, layout=layout, rate=out_rate, frame_size=encoder.frame_size or None
            )

            def encode(frame: Any) -> None:
                for ready in feed.resample(frame):
                    for packet in stream.encode(ready):
                        out.mux(packet)

            for block in decode_float(source, start=start, layout=layout, cancelled=cancelled, name=name):
                block_first = round(block.start * src_rate)
                skip = max(0, first_frame + written - block_first)
                take = min(block.frames - skip, clip_frames - written)
                if take <= 0:
                    if block_first >= first_frame + clip_frames:
                        break
                    continue
                part = block.samples[skip * channels : (skip + take) * channels]
                _fade(part, channels, written, take, fade, clip_frames)
                encode(_frame(part, channels, layout, src_rate, written))
                written += take
                if progress is not None:
                    progress(round(written / src_rate * 1000), total_ms)
                if written >= clip_frames:
                    break
            shortfall = (clip_frames - written) / src_rate
            if shortfall > END_TOLERANCE_SECONDS:
                raise DamagedAudio(
                    f"“{name or source.name}” is damaged or incomplete: its audio stops at "
                    f"{seconds_text(start + written / src_rate)}, though the file says it lasts "
                    f"{seconds_text(info.duration_seconds)}."
                )
            encode(None)
            for packet in stream.encode(None):
                out.mux(packet)
        os.replace(partial, destination)
    except av.error.FFmpegError as exc:
        partial.unlink(missing_ok=True)
        raise DamagedAudio(f"The preview could not be encoded ({exc}); nothing was written.") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return ClipInfo(
        path=destination,
        start_seconds=start,
        duration_seconds=written / src_rate,
        sample_rate=out_rate,
        channels=channels,
        codec="mp3",
        size_bytes=destination.stat().st_size,
    )
