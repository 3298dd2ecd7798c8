"""The audio room on real files: probe, waveform peaks and preview clips of WAV, AIFF, FLAC, MP3, Ogg, M4A."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import pytest

from gigbag.media import (
    AudioCancelled,
    DamagedAudio,
    PreviewLengthOutOfBounds,
    RangeOutsideTrack,
    UndecodableAudio,
    cut_clip,
    probe,
    waveform_peaks,
)
from gigbag.media.clip import clip_sample_rate
from tests.fixtures.audio_files import decode_mono, rms, write_tone

SUFFIXES = (".wav", ".aiff", ".flac", ".mp3", ".ogg", ".m4a")
CODECS = {".wav": "pcm_s16le", ".aiff": "pcm_s16be", ".flac": "flac", ".mp3": "mp3", ".ogg": "opus", ".m4a": "aac"}


@pytest.fixture(scope="module")
def tones(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tones")
    return {suffix: write_tone(folder / f"tone{suffix}", 40.0) for suffix in SUFFIXES}


@pytest.fixture(scope="module")
def long_track(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tone(tmp_path_factory.mktemp("long") / "two-minutes.flac", 125.0, channels=1, rate=22050)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part") or p.name.startswith("clip"))


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_probe_tells_duration_rate_channels_and_codec(tones: dict[str, Path], suffix: str) -> None:
    info = probe(tones[suffix])
    assert info.duration_seconds == pytest.approx(40.0, abs=0.05)
    assert info.sample_rate == (48000 if suffix == ".ogg" else 44100)
    assert info.channels == 2
    assert info.codec.startswith(CODECS[suffix])  # FFmpeg names its MP3 decoder "mp3float"


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_preview_has_the_asked_length_fades_and_sound(tones: dict[str, Path], suffix: str, tmp_path: Path) -> None:
    source_rate = probe(tones[suffix]).sample_rate
    clip = cut_clip(tones[suffix], tmp_path / "preview.mp3", 12.5, 10.0)
    assert clip.path == tmp_path / "preview.mp3" and clip.size_bytes == clip.path.stat().st_size
    info = probe(clip.path)
    assert (info.codec, info.sample_rate, info.channels) == ("mp3float", source_rate, 2)
    rate, samples = decode_mono(clip.path)
    assert len(samples) / rate == pytest.approx(10.0, abs=0.05)
    five_ms = rate // 200
    middle = samples[len(samples) // 2 - rate // 10 : len(samples) // 2 + rate // 10]
    assert rms(middle) > 0.2  # the tone is there (about 0.3 for the mixed 0.5/0.4 sines)
    assert rms(samples[:five_ms]) < 0.15 * rms(middle)
    assert rms(samples[-five_ms:]) < 0.15 * rms(middle)
    assert leftovers(tmp_path) == []


def test_a_preview_starts_where_asked(tmp_path: Path) -> None:
    # Silence, then a tone from 32 s on: a clip from 30 s hears it begin 2 s in, whatever the format.
    for suffix in (".wav", ".mp3", ".ogg"):
        track = write_tone(
            tmp_path / f"onset{suffix}", 45.0, channels=1, expression="if(gte(t\\,32)\\,0.5*sin(2*PI*440*t)\\,0)"
        )
        clip = cut_clip(track, tmp_path / f"onset{suffix}.mp3", 30.0, 8.0)
        rate, samples = decode_mono(clip.path)
        onset = next(i for i, x in enumerate(samples) if abs(x) > 0.05)
        assert onset / rate == pytest.approx(2.0, abs=0.005), suffix


def test_a_long_track_gives_a_ninety_second_preview_and_a_waveform_without_holding_its_audio(
    long_track: Path, tmp_path: Path
) -> None:
    tracemalloc.start()
    try:
        waveform = waveform_peaks(long_track, 800)
        _, peak_bytes = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The whole track as float PCM would be 125 s × 22050 × 4 B = 11 MB.
    assert peak_bytes < 3_000_000, peak_bytes
    assert waveform.buckets == 800 and waveform.duration_seconds == pytest.approx(125.0, abs=0.05)
    assert all(lo == pytest.approx(-0.5, abs=0.02) and hi == pytest.approx(0.5, abs=0.02) for lo, hi in waveform.peaks)

    clip = cut_clip(long_track, tmp_path / "long.mp3", 30.0, 90.0)
    rate, samples = decode_mono(clip.path)
    assert rate == 22050 and len(samples) / rate == pytest.approx(90.0, abs=0.05)


def test_the_waveform_follows_the_sound(tmp_path: Path) -> None:
    # 10 s of silence, then 10 s of a 0.8 tone on the right channel only: the peaks show both halves.
    track = write_tone(tmp_path / "half.wav", 20.0, expression="if(gte(t\\,10)\\,0.8*sin(2*PI*220*t)\\,0)")
    waveform = waveform_peaks(track, 100)
    assert waveform.buckets == 100
    assert all(lo == 0.0 and hi == 0.0 for lo, hi in waveform.peaks[:49])
    assert all(
        lo == pytest.approx(-0.8, abs=0.01) and hi == pytest.approx(0.8, abs=0.01) for lo, hi in waveform.peaks[51:]
    )
    progress: list[tuple[int, int]] = []
    waveform_peaks(track, 10, progress=lambda done, total: progress.append((done, total)))
    assert progress[-1] == (20000, 20000)
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)


@pytest.mark.parametrize("length", [4.99, 90.01, 0, -3, float("nan")])
def test_a_length_outside_five_to_ninety_seconds_is_refused(
    tones: dict[str, Path], tmp_path: Path, length: float
) -> None:
    with pytest.raises(PreviewLengthOutOfBounds, match="A preview lasts 5 to 90 seconds"):
        cut_clip(tones[".wav"], tmp_path / "clip.mp3", 1.0, length)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("start", [-1.0, 30.1, 400.0])
def test_a_range_outside_the_track_is_refused(tones: dict[str, Path], tmp_path: Path, start: float) -> None:
    with pytest.raises(RangeOutsideTrack, match=r"is not inside the track, which lasts 0:40\.0; choose a start"):
        cut_clip(tones[".flac"], tmp_path / "clip.mp3", start, 10.0)
    assert leftovers(tmp_path) == []


def test_a_track_shorter_than_a_preview_is_refused(tmp_path: Path) -> None:
    short = write_tone(tmp_path / "short.wav", 3.0)
    with pytest.raises(RangeOutsideTrack, match=r"The track lasts 3\.0 s, shorter than the shortest preview"):
        cut_clip(short, tmp_path / "clip.mp3", 0.0, 5.0)


@pytest.mark.parametrize("suffix", [".flac", ".mp3", ".m4a"])
def test_a_truncated_file_is_refused_in_words_and_nothing_is_written(
    tones: dict[str, Path], tmp_path: Path, suffix: str
) -> None:
    damaged = tmp_path / f"damaged{suffix}"
    data = tones[suffix].read_bytes()
    damaged.write_bytes(data[: len(data) // 3])  # the header still says 40 s
    with pytest.raises((DamagedAudio, UndecodableAudio)) as caught:
        cut_clip(damaged, tmp_path / "clip.mp3", 25.0, 10.0)
    assert "“damaged" in str(caught.value) and "damaged" in str(caught.value).split("”", 1)[1]
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("suffix", [".wav", ".mp3", ".ogg", ".m4a", ".flac"])
def test_garbage_is_refused_in_words_everywhere(tmp_path: Path, suffix: str) -> None:
    garbage = tmp_path / f"noise{suffix}"
    garbage.write_bytes(os.urandom(40_000))
    for attempt in (
        lambda: probe(garbage),
        lambda: waveform_peaks(garbage, 10),
        lambda: cut_clip(garbage, tmp_path / "clip.mp3", 0.0, 5.0),
    ):
        with pytest.raises(UndecodableAudio, match="“noise"):
            attempt()
    assert leftovers(tmp_path) == []
    with pytest.raises(UndecodableAudio, match="there is no such file"):
        probe(tmp_path / "missing.wav")


def test_a_failed_remake_leaves_the_previous_preview_as_it_was(tones: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "clip.mp3"
    cut_clip(tones[".wav"], target, 0.0, 6.0)
    before = target.read_bytes()
    with pytest.raises(AudioCancelled, match="nothing was written"):
        cut_clip(tones[".wav"], target, 10.0, 20.0, cancelled=lambda: True)
    with pytest.raises(RangeOutsideTrack):
        cut_clip(tones[".wav"], target, 35.0, 20.0)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp3"]


def test_progress_reaches_the_clip_length(tones: dict[str, Path], tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    cut_clip(tones[".ogg"], tmp_path / "clip.mp3", 5.0, 7.5, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (7500, 7500) and len(seen) > 3


def test_mp3_keeps_the_sample_rate_it_can_hold() -> None:
    assert [clip_sample_rate(r) for r in (22050, 44100, 48000, 88200, 96000, 192000, 7000)] == [
        22050,
        44100,
        48000,
        44100,
        48000,
        48000,
        8000,
    ]
