"""The picture of a track: for each of N equal slices of its time, the lowest and highest sample.

Computed while decoding, one frame at a time: memory holds the N pairs and one frame, never the track.
Every channel counts (the pairs are the extremes across channels), so a hard-panned part still shows.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .audio import Cancelled, Progress, decode_float, probe

MAX_BUCKETS = 100_000


@dataclass(frozen=True)
class Waveform:
    duration_seconds: float
    sample_rate: int
    peaks: tuple[tuple[float, float], ...]  # (min, max) per bucket, in -1.0 … 1.0

    @property
    def buckets(self) -> int:
        return len(self.peaks)


def waveform_peaks(
    path: str | os.PathLike[str],
    buckets: int,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    name: str | None = None,
) -> Waveform:
    """``buckets`` (min, max) pairs over the whole track. Raises the audio room's errors in words."""
    if not 1 <= buckets <= MAX_BUCKETS:
        raise ValueError(f"a waveform has 1 to {MAX_BUCKETS} buckets, not {buckets}")
    path = Path(path)
    info = probe(path, name=name)
    rate = info.sample_rate
    total = max(1, round(info.duration_seconds * rate))  # frames the file declares
    total_ms = round(info.duration_seconds * 1000)
    lows = [0.0] * buckets
    highs = [0.0] * buckets
    seen = [False] * buckets
    reported = -1
    for block in decode_float(path, cancelled=cancelled, name=name):
        ch = block.channels
        first = round(block.start * rate)
        n = block.frames
        done = 0
        while done < n:
            index = max(0, min(buckets - 1, (first + done) * buckets // total))
            # the frame at which the next bucket begins (past the end: the last bucket takes the rest)
            bucket_end = -(-(index + 1) * total // buckets) if index < buckets - 1 else first + n
            take = max(1, min(n - done, bucket_end - (first + done)))
            part = block.samples[done * ch : (done + take) * ch]
            low, high = min(part), max(part)
            if seen[index]:
                lows[index] = min(lows[index], low)
                highs[index] = max(highs[index], high)
            else:
                lows[index], highs[index], seen[index] = low, high, True
            done += take
        if progress is not None:
            now = round((block.start + n / rate) * 1000)
            if now - reported >= 250:
                progress(min(now, total_ms), total_ms)
                reported = now
    if progress is not None:
        progress(total_ms, total_ms)
    peaks = tuple((max(-1.0, lo), min(1.0, hi)) for lo, hi in zip(lows, highs, strict=True))
    return Waveform(info.duration_seconds, rate, peaks)
