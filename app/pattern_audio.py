"""Renders a beat-machine pattern to 16-bit mono PCM, in pure Python (no Qt, no numpy, no samples).

Why it exists: Gigbag is offline-first and ships no sample library, yet the beat machine must be able
to play and export a pattern on any machine, and tests must be able to *hear* a pattern. So every
instrument is synthesized here from simple generated sounds (decaying sines, a few harmonics, filtered
noise), pre-rendered once per distinct sound (cached) and mixed at the steps where the catalog's
programs place their notes. The player (Qt or anything else) only loops the samples it is given.

Timing
    A step lasts ``60 / bpm * beats_per_step`` seconds. Salsa's step is half a beat (an eighth note):
    ``30 / bpm`` s, 1/6 s at 180 bpm, so a 16-step program (one two-bar clave cycle) lasts 2.67 s.
    Merengue halves the beat time (as SalsaNor does), so its step is a quarter of the written beat:
    ``15 / bpm`` s, 93.75 ms at 160 bpm, and 16 steps are one 4/4 bar of sixteenths.
    Note onsets fall on ``round(step * step_seconds * sample_rate)``, so loops do not drift.

Cycle
    Programs of different lengths loop independently. The pattern's cycle is the least common
    multiple of the lengths of the active programs of *all* configured instruments, enabled or not,
    so muting an instrument never changes the loop length under the player (catalog lengths are
    2, 4, 8, 16, 32 or 64 steps, so in practice the cycle is the longest of them). A configuration
    without instruments has a 16-step cycle.

Pitch
    Keyed instruments (piano, bass) play MIDI ``pitch + key_note + pitchOffset``. For the other
    instruments the note's pitch is a stroke number (see the catalog's ``strokes``) and pitchOffset
    retunes the drum, bell or scraper by that many semitones.

Level
    Each note's gain is ``instrument level * volume * velocity``; the mix gets a fixed master gain and
    a soft limiter (linear up to 0.7 of full scale, then a tanh knee that never reaches 1.0), so there
    is no clipping and no per-pattern normalization: turning an instrument up makes the output louder.

Looping
    A sound that outlasts the end of the cycle continues at the start of the next one.
    ``render_cycle`` returns the steady-state loop (tails of the previous pass wrapped in), which a
    player can repeat seamlessly; ``render_pattern`` renders ``loops`` passes from silence, the
    first pass without tails, and fades out the last 10 ms.
"""

from __future__ import annotations

import cmath
import math
import operator
import random
import sys
import wave
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, repeat
from os import PathLike
from typing import Any

from ..schema.beat_catalog import FlavorCatalog, catalog, check_configuration

SAMPLE_RATE = 44100
BPM_RANGE = (20.0, 400.0)
SAMPLE_RATE_RANGE = (8000, 192000)
DEFAULT_CYCLE_STEPS = 16
MASTER_GAIN = 0.42
LIMIT_THRESHOLD = 0.7
END_FADE_SECONDS = 0.010

# Relative loudness of one note at velocity 1 and volume 1 (the piano plays 3-6 notes at once).
INSTRUMENT_LEVELS: dict[str, float] = {
    "clave": 0.55,
    "cowbell": 0.32,
    "congas": 0.6,
    "bongos": 0.5,
    "piano": 0.2,
    "bass": 0.6,
    "instructor": 0.3,
    "timbales": 0.4,
    "guiro": 0.3,
    "guira": 0.28,
    "maracas": 0.25,
    "tambora": 0.6,
    "kickdrum": 0.8,
}

Sound = array  # array('d') of floats, peak 1.0


@dataclass(frozen=True)
class Hit:
    """One note of one cycle: at ``step``, ``instrument`` plays ``pitch`` with ``gain``.

    ``pitch`` is the MIDI note actually played for keyed instruments (key and offset applied) and the
    stroke number otherwise; ``tune`` is the pitchOffset in semitones applied to unpitched sounds.
    """

    step: int
    instrument: str
    pitch: int
    tune: int
    gain: float


# --------------------------------------------------------------------------------------------
# Timing and scheduling


def _flavor(flavor: str) -> FlavorCatalog:
    cat = catalog().get(flavor)
    if cat is None:
        raise ValueError(f"flavor must be one of {', '.join(catalog())}")
    return cat


def _check_bpm(bpm: Any) -> float:
    low, high = BPM_RANGE
    if isinstance(bpm, bool) or not isinstance(bpm, int | float) or not math.isfinite(bpm):
        raise ValueError("bpm must be a number")
    if not low <= bpm <= high:
        raise ValueError(f"bpm must be from {low:g} to {high:g}")
    return float(bpm)


def _check_key_note(key_note: Any) -> int:
    if isinstance(key_note, bool) or not isinstance(key_note, int) or not 0 <= key_note <= 11:
        raise ValueError("key_note must be a whole number from 0 (C) to 11 (B)")
    return key_note


def _check_sample_rate(sample_rate: Any) -> int:
    low, high = SAMPLE_RATE_RANGE
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int) or not low <= sample_rate <= high:
        raise ValueError(f"sample_rate must be a whole number from {low} to {high}")
    return sample_rate


def step_seconds(flavor: str, bpm: float) -> float:
    """How long one step lasts: half a beat in Salsa, a quarter of a beat in Merengue."""
    return _flavor(flavor).step_seconds(_check_bpm(bpm))


def cycle_steps(flavor: str, configuration: dict[str, Any]) -> int:
    """The loop length in steps: the least common multiple of every configured active program."""
    check_configuration(flavor, configuration)
    cat = _flavor(flavor)
    steps = 1
    items = configuration["instruments"]
    for item in items:
        inst = cat.instrument(item["id"])
        assert inst is not None  # check_configuration saw to it
        steps = math.lcm(steps, inst.programs[item["activeProgram"]].length)
    return steps if items else DEFAULT_CYCLE_STEPS


def schedule(flavor: str, key_note: int, configuration: dict[str, Any]) -> tuple[int, list[Hit]]:
    """Every note of one cycle, in step order, and the cycle's length in steps."""
    key_note = _check_key_note(key_note)
    steps = cycle_steps(flavor, configuration)
    cat = _flavor(flavor)
    hits: list[Hit] = []
    for item in configuration["instruments"]:
        if not item["enabled"] or item["volume"] <= 0:
            continue
        inst = cat.instrument(item["id"])
        assert inst is not None
        program = inst.programs[item["activeProgram"]]
        level = INSTRUMENT_LEVELS.get(inst.id, 0.4) * float(item["volume"])
        offset = item["pitchOffset"]
        for start in range(0, steps, program.length):
            for note in program.notes:
                if note.velocity <= 0:
                    continue
                if inst.keyed:
                    pitch, tune = note.pitch + key_note + offset, 0
                else:
                    pitch, tune = note.pitch, offset
                hits.append(Hit(start + note.index, inst.id, pitch, tune, level * note.velocity))
    hits.sort(key=lambda h: (h.step, h.instrument, h.pitch))
    return steps, hits


# --------------------------------------------------------------------------------------------
# Synthesis building blocks (lists of floats; results are stored as array('d'))

TWO_PI = 2.0 * math.pi
SILENCE_AFTER_TAUS = 6.9  # an exponential decay is below -60 dB after 6.9 time constants


def _n(seconds: float, sr: int) -> int:
    return max(1, int(seconds * sr))


def _partial(freq: float, amp: float, tau: float, seconds: float, sr: int, phase: float = 0.0) -> list[float]:
    """amp * sin(2 pi f t + phase) * exp(-t / tau), cut when it has decayed to silence (or at ``seconds``).

    Computed as the imaginary part of a complex phasor rotated and shrunk once per sample
    (itertools.accumulate runs the recurrence in C: about twice as fast as sin() and pow() per sample).
    """
    if freq >= sr / 2:
        return []
    n = min(_n(seconds, sr), _n(tau * SILENCE_AFTER_TAUS, sr))
    step = cmath.rect(math.exp(-1.0 / (tau * sr)), TWO_PI * freq / sr)
    return [z.imag for z in accumulate(repeat(step, n - 1), operator.mul, initial=cmath.rect(amp, phase))]


def _glide(f_end: float, f_start: float, glide_tau: float, tau: float, seconds: float, sr: int) -> list[float]:
    """A decaying sine whose frequency falls from f_start to f_end (drum heads, kick drum)."""
    n = min(_n(seconds, sr), _n(tau * SILENCE_AFTER_TAUS, sr))
    d = math.exp(-1.0 / (tau * sr))
    g = math.exp(-1.0 / (glide_tau * sr))
    extra = (f_start - f_end) * glide_tau
    sin = math.sin
    # phase = 2 pi (f_end t + (f_start - f_end) glide_tau (1 - exp(-t / glide_tau)))
    return [sin(TWO_PI * (f_end * i / sr + extra * (1.0 - g**i))) * d**i for i in range(n)]


def _mix_into(dst: list[float], src: Sequence[float], gain: float = 1.0, at: int = 0) -> list[float]:
    end = at + len(src)
    if end > len(dst):
        dst.extend([0.0] * (end - len(dst)))
    if gain == 1.0:
        dst[at:end] = list(map(operator.add, dst[at:end], src))
    else:
        dst[at:end] = [a + gain * b for a, b in zip(dst[at:end], src, strict=True)]
    return dst


def _noise(seconds: float, sr: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    r = rng.random
    return [2.0 * r() - 1.0 for _ in range(_n(seconds, sr))]


def _lowpass(x: list[float], cutoff: float, sr: int) -> list[float]:
    a = 1.0 - math.exp(-TWO_PI * min(cutoff, sr * 0.45) / sr)
    y = 0.0
    out: list[float] = []
    append = out.append
    for v in x:
        y += a * (v - y)
        append(y)
    return out


def _highpass(x: list[float], cutoff: float, sr: int) -> list[float]:
    return list(map(operator.sub, x, _lowpass(x, cutoff, sr)))


def _bandpass(x: list[float], low: float, high: float, sr: int) -> list[float]:
    return _lowpass(_highpass(x, low, sr), high, sr)


def _decay(x: list[float], tau: float, sr: int, attack: float = 0.0) -> list[float]:
    """Apply exp(-t / tau), with an optional linear attack of ``attack`` seconds."""
    d = math.exp(-1.0 / (tau * sr))
    out = [v * d**i for i, v in enumerate(x)]
    a = int(attack * sr)
    for i in range(min(a, len(out))):
        out[i] *= i / a
    return out


def _shape(x: list[float], attack: float, release: float, sr: int) -> list[float]:
    """Linear fade-in over ``attack`` and fade-out over ``release`` seconds (no clicks at the edges)."""
    n = len(x)
    a = min(n, int(attack * sr))
    r = min(n, int(release * sr))
    for i in range(a):
        x[i] *= i / a
    for i in range(r):
        x[n - 1 - i] *= i / r
    return x


def _finish(x: list[float], release: float, sr: int) -> Sound:
    """Fade the tail, normalize to peak 1.0 and store compactly."""
    x = _shape(x, 0.0, release, sr)
    peak = max(max(x, default=0.0), -min(x, default=0.0))
    if peak > 0:
        inv = 1.0 / peak
        x = [v * inv for v in x]
    return array("d", x)


def _midi_hz(midi: float) -> float:
    return 440.0 * 2.0 ** ((midi - 69.0) / 12.0)


# --------------------------------------------------------------------------------------------
# Instruments: one function per instrument, (stroke or MIDI pitch, tuning ratio, sample rate) -> sound


def _clave(stroke: int, ratio: float, sr: int) -> Sound:
    f = 2500.0 * ratio
    x = _partial(f, 1.0, 0.018, 0.09, sr)
    _mix_into(x, _partial(f * 2.76, 0.35, 0.008, 0.09, sr))
    _mix_into(x, _decay(_bandpass(_noise(0.01, sr, 11), 1500 * ratio, 6000 * ratio, sr), 0.002, sr), 0.6)
    return _finish(x, 0.005, sr)


def _metal(f1: float, f2: float, tau: float, body_tau: float, seconds: float, sr: int) -> list[float]:
    """Two detuned square-ish partials (odd harmonics), a fast strike decay and a quieter ring."""
    x: list[float] = []
    for f in (f1, f2):
        for k, amp in ((1, 1.0), (3, 0.3), (5, 0.15)):
            _mix_into(x, _partial(f * k, amp * 0.8, tau / k**0.5, seconds, sr))
            _mix_into(x, _partial(f * k, amp * 0.2, body_tau / k, seconds, sr))
    return x


def _cowbell(stroke: int, ratio: float, sr: int) -> Sound:
    if stroke == 0:  # mouth: open, low, longer
        x = _metal(545.0 * ratio, 815.0 * ratio, 0.05, 0.25, 0.4, sr)
    else:  # neck: closed, higher, short
        x = _metal(690.0 * ratio, 1030.0 * ratio, 0.03, 0.09, 0.2, sr)
    return _finish(x, 0.02, sr)


def _drum(
    f: float,
    tau: float,
    sr: int,
    drop: float = 0.15,
    noise: float = 0.15,
    noise_tau: float = 0.006,
    noise_band: tuple[float, float] = (800.0, 6000.0),
    seconds: float = 0.5,
    seed: int = 1,
) -> list[float]:
    """A hand drum: a pitched decaying sine that settles from a slightly higher pitch, an overtone,
    and a noise burst for the skin's slap."""
    x = _glide(f, f * (1.0 + drop), 0.012, tau, seconds, sr)
    _mix_into(x, _partial(f * 1.59, 0.25, tau * 0.5, seconds, sr))
    if noise > 0:
        burst = _bandpass(_noise(min(seconds, noise_tau * SILENCE_AFTER_TAUS), sr, seed), *noise_band, sr)
        peak = max(max(burst), -min(burst)) or 1.0
        _mix_into(x, _decay(burst, noise_tau, sr), noise / peak)
    return x


def _congas(stroke: int, ratio: float, sr: int) -> Sound:
    r = ratio
    if stroke == 0:  # open tone, tumba
        x = _drum(185 * r, 0.22, sr, seconds=0.6, seed=21)
    elif stroke == 1:  # open tone, conga
        x = _drum(255 * r, 0.18, sr, seconds=0.5, seed=22)
    elif stroke == 2:  # slap
        x = _drum(
            340 * r,
            0.05,
            sr,
            drop=0.3,
            noise=1.4,
            noise_tau=0.014,
            noise_band=(1500 * r, 9000 * r),
            seconds=0.25,
            seed=23,
        )
    elif stroke == 3:  # heel
        x = _drum(105 * r, 0.035, sr, drop=0.1, noise=0.08, seconds=0.15, seed=24)
    elif stroke == 4:  # toe
        x = _drum(390 * r, 0.02, sr, drop=0.1, noise=0.5, noise_tau=0.004, seconds=0.1, seed=25)
    else:  # bass tone
        x = _drum(95 * r, 0.12, sr, drop=0.2, noise=0.05, seconds=0.4, seed=26)
    return _finish(x, 0.01, sr)


def _bongos(stroke: int, ratio: float, sr: int) -> Sound:
    r = ratio
    if stroke == 0:  # macho open
        x = _drum(430 * r, 0.1, sr, noise=0.3, seconds=0.35, seed=31)
    elif stroke == 1:  # hembra open
        x = _drum(310 * r, 0.13, sr, noise=0.25, seconds=0.4, seed=32)
    elif stroke == 2:  # finger
        x = _drum(470 * r, 0.03, sr, noise=0.35, noise_tau=0.004, seconds=0.12, seed=33)
    else:  # thumb
        x = _drum(380 * r, 0.02, sr, noise=0.12, seconds=0.08, seed=34)
    return _finish(x, 0.01, sr)


def _tambora(stroke: int, ratio: float, sr: int) -> Sound:
    r = ratio
    if stroke == 0:  # open bass tone with the hand
        x = _drum(120 * r, 0.2, sr, drop=0.2, noise=0.1, seconds=0.5, seed=41)
    elif stroke == 1:  # stick on the rim
        x = _partial(1800 * r, 0.6, 0.01, 0.08, sr)
        click = _bandpass(_noise(0.08, sr, 42), 2000 * r, 7000 * r, sr)
        _mix_into(x, _decay(click, 0.012, sr), 3.0)
    elif stroke == 2:  # stick on the head
        x = _drum(230 * r, 0.08, sr, drop=0.25, noise=0.6, noise_tau=0.008, seconds=0.3, seed=43)
    else:  # muffled hand
        x = _drum(150 * r, 0.03, sr, drop=0.1, noise=0.05, seconds=0.12, seed=44)
    return _finish(x, 0.008, sr)


def _timbales(stroke: int, ratio: float, sr: int) -> Sound:
    r = ratio
    if stroke == 0:  # cáscara: stick on the metal shell
        x = _decay(_highpass(_noise(0.12, sr, 51), 2500 * r, sr), 0.018, sr)
        _mix_into(x, _partial(1150 * r, 0.4, 0.02, 0.12, sr))
        _mix_into(x, _partial(2870 * r, 0.3, 0.015, 0.12, sr))
    elif stroke == 1:  # timbale bell
        x = _metal(800 * r, 1190 * r, 0.04, 0.15, 0.3, sr)
    elif stroke == 2:  # rim shot on the macho: ringing metal drum plus crack
        x = _drum(
            520 * r,
            0.22,
            sr,
            drop=0.05,
            noise=1.2,
            noise_tau=0.01,
            noise_band=(1500 * r, 9000 * r),
            seconds=0.6,
            seed=52,
        )
        _mix_into(x, _partial(520 * r * 2.3, 0.3, 0.15, 0.6, sr))
    elif stroke == 3:  # hembra open
        x = _drum(380 * r, 0.25, sr, drop=0.05, noise=0.3, seconds=0.6, seed=53)
    else:  # jam block
        x = _partial(950 * r, 1.0, 0.03, 0.12, sr)
        _mix_into(x, _partial(950 * r * 2.4, 0.3, 0.01, 0.12, sr))
    return _finish(x, 0.01, sr)


def _scrape(seconds: float, band: tuple[float, float], ridges: float, sr: int, seed: int) -> list[float]:
    """Band-passed noise chopped by the ridges of a scraper passing under the stick."""
    x = _bandpass(_noise(seconds, sr, seed), band[0], band[1], sr)
    w = TWO_PI * ridges / sr
    sin = math.sin
    x = [v * (0.25 + 0.75 * max(0.0, sin(w * i))) for i, v in enumerate(x)]
    return _shape(x, 0.006, min(0.03, seconds / 3), sr)


def _guiro(stroke: int, ratio: float, sr: int) -> Sound:
    if stroke == 0:
        x = _scrape(0.17, (900 * ratio, 4500 * ratio), 60 * ratio, sr, 61)
    else:
        x = _scrape(0.05, (900 * ratio, 4500 * ratio), 60 * ratio, sr, 62)
    return _finish(x, 0.005, sr)


def _guira(stroke: int, ratio: float, sr: int) -> Sound:
    band = (3000 * ratio, 10000 * ratio)
    if stroke == 0:
        x = _scrape(0.11, band, 110 * ratio, sr, 71)
    elif stroke == 1:
        x = _scrape(0.035, band, 110 * ratio, sr, 72)
    else:  # accented hit: short scrape plus a metallic ping
        x = _scrape(0.045, band, 110 * ratio, sr, 73)
        _mix_into(x, _partial(4200 * ratio, 0.5, 0.02, 0.1, sr))
    return _finish(x, 0.005, sr)


def _maracas(stroke: int, ratio: float, sr: int) -> Sound:
    seconds = 0.09 if stroke == 0 else 0.06
    x = _highpass(_noise(seconds, sr, 81 + stroke), 4000 * ratio, sr)
    x = _decay(x, 0.03 if stroke == 0 else 0.018, sr, attack=0.006)
    sound = _finish(x, 0.005, sr)
    if stroke != 0:  # a soft shake stays softer than an accented one
        sound = array("d", (v * 0.6 for v in sound))
    return sound


def _kickdrum(stroke: int, ratio: float, sr: int) -> Sound:
    x = _glide(48 * ratio, 150 * ratio, 0.03, 0.18, 0.45, sr)
    _mix_into(x, _decay(_lowpass(_noise(0.01, sr, 91), 3000, sr), 0.002, sr), 0.5)
    return _finish(x, 0.02, sr)


# The instructor's counts as pitched "syllables": a short voiced blip (harmonics shaped by the
# formants of an open vowel) whose pitch climbs a major scale with the count, 1 = A4 ... 8 = A5;
# "and" (stroke 0) is a lower, shorter blip.
COUNT_SEMITONES = (0, 2, 4, 5, 7, 9, 11, 12)


def _instructor(stroke: int, ratio: float, sr: int) -> Sound:
    if 1 <= stroke <= 8:
        f0 = _midi_hz(69 + COUNT_SEMITONES[stroke - 1]) * ratio
        seconds = 0.16
    else:
        f0 = _midi_hz(64) * ratio
        seconds = 0.08
    x: list[float] = []
    for k in range(1, 9):
        fk = f0 * k
        # harmonics shaped by the formants of an open vowel, around 750 and 1200 Hz
        amp = (math.exp(-(((fk - 750) / 300) ** 2)) + 0.6 * math.exp(-(((fk - 1200) / 350) ** 2)) + 0.15) / k
        _mix_into(x, _partial(fk, amp, seconds * 2.0, seconds, sr))
    return _finish(_shape(x, 0.01, seconds * 0.5, sr), 0.0, sr)


def _piano(midi: int, ratio: float, sr: int) -> Sound:
    """A bright hammer attack (six slightly stretched harmonics, fast decay) over a mellow body
    (fundamental and octave, slow decay); higher notes die away sooner."""
    f = _midi_hz(midi) * ratio
    tau = 0.45 * (261.6 / f) ** 0.35
    x = _partial(f, 1.0, tau, 0.55, sr)
    _mix_into(x, _partial(f * 2.001, 0.35, tau * 0.5, 0.55, sr))
    for k, amp in ((2, 0.25), (3, 0.3), (4, 0.18), (5, 0.1), (6, 0.06)):
        fk = f * k * math.sqrt(1 + 0.0004 * k * k)
        _mix_into(x, _partial(fk, amp, 0.04 + 0.1 / k, 0.55, sr))
    return _finish(_shape(x, 0.003, 0.0, sr), 0.06, sr)


def _bass(midi: int, ratio: float, sr: int) -> Sound:
    f = _midi_hz(midi) * ratio
    x: list[float] = []
    for k, amp in ((1, 1.0), (2, 0.5), (3, 0.22), (4, 0.08)):
        _mix_into(x, _partial(f * k, amp, 0.45 / k, 0.6, sr))
    return _finish(_shape(x, 0.008, 0.0, sr), 0.08, sr)


VOICES: dict[str, Callable[[int, float, int], Sound]] = {
    "clave": _clave,
    "cowbell": _cowbell,
    "congas": _congas,
    "bongos": _bongos,
    "tambora": _tambora,
    "timbales": _timbales,
    "guiro": _guiro,
    "guira": _guira,
    "maracas": _maracas,
    "kickdrum": _kickdrum,
    "instructor": _instructor,
    "piano": _piano,
    "bass": _bass,
}


@lru_cache(maxsize=256)  # about 200 KB a sound at most
def one_shot(instrument: str, pitch: int, tune: int = 0, sample_rate: int = SAMPLE_RATE) -> Sound:
    """The sound of one note, peak 1.0: a stroke number (tuned by ``tune`` semitones) for unpitched
    instruments, a MIDI note for keyed ones. Rendered once and cached."""
    voice = VOICES.get(instrument)
    if voice is None:
        raise ValueError(f"no sound for instrument {instrument!r}")
    return voice(pitch, 2.0 ** (tune / 12.0), sample_rate)


# --------------------------------------------------------------------------------------------
# Mixing and output


def _mix_cycle(hits: list[Hit], steps: int, seconds_per_step: float, sr: int) -> tuple[list[float], int]:
    """The cycle's notes mixed from time 0, tails included (may run past the cycle's end)."""
    step_samples = seconds_per_step * sr
    cycle = round(steps * step_samples)
    buf = [0.0] * cycle
    keys = [(h.instrument, h.pitch, h.tune, round(h.gain * MASTER_GAIN, 4)) for h in hits]
    uses = Counter(keys)
    scaled: dict[tuple[str, int, int, float], Sound] = {}  # sounds that recur at one gain, scaled once
    for hit, key in zip(hits, keys, strict=True):
        instrument, pitch, tune, gain = key
        at = round(hit.step * step_samples)
        if uses[key] == 1:
            _mix_into(buf, one_shot(instrument, pitch, tune, sr), gain, at)
            continue
        src = scaled.get(key)
        if src is None:
            src = scaled[key] = array("d", map(gain.__mul__, one_shot(instrument, pitch, tune, sr)))
        _mix_into(buf, src, 1.0, at)
    return buf, cycle


def _limit(x: Sequence[float]) -> array:
    """Soft limiter to 16-bit: linear below LIMIT_THRESHOLD, a tanh knee above, never clipping."""
    t = LIMIT_THRESHOLD
    room = 1.0 - t
    tanh = math.tanh
    full = 32767.0

    def soft(v: float) -> float:
        if v > t:
            return t + room * tanh((v - t) / room)
        return -t - room * tanh((-v - t) / room)

    return array("h", [round(full * (v if -t <= v <= t else soft(v))) for v in x])


def _passes(
    flavor: str, bpm: float, key_note: int, configuration: dict[str, Any], sample_rate: int
) -> tuple[list[float], list[list[float]]]:
    """The first pass (from silence) and the overflow chunks, one cycle long each, that every
    later pass receives from the passes before it."""
    sr = _check_sample_rate(sample_rate)
    seconds = step_seconds(flavor, bpm)
    steps, hits = schedule(flavor, key_note, configuration)
    buf, cycle = _mix_cycle(hits, steps, seconds, sr)
    tail = buf[cycle:]
    chunks = []
    for start in range(0, len(tail), cycle):
        chunk = tail[start : start + cycle]
        chunks.append(chunk + [0.0] * (cycle - len(chunk)))
    return buf[:cycle], chunks


def render_cycle(
    flavor: str, bpm: float, key_note: int, configuration: dict[str, Any], sample_rate: int = SAMPLE_RATE
) -> array:
    """One loop of the pattern as it sounds while looping (earlier tails wrapped in): array('h')."""
    first, chunks = _passes(flavor, bpm, key_note, configuration, sample_rate)
    for chunk in chunks:
        first = list(map(operator.add, first, chunk))
    return _limit(first)


def render_pattern(
    flavor: str,
    bpm: float,
    key_note: int,
    configuration: dict[str, Any],
    loops: int = 1,
    sample_rate: int = SAMPLE_RATE,
) -> array:
    """``loops`` passes of the pattern from silence as 16-bit mono PCM (array('h')).

    Length: ``loops * round(cycle_steps * step_seconds * sample_rate)`` samples.
    """
    if isinstance(loops, bool) or not isinstance(loops, int) or loops < 1:
        raise ValueError("loops must be a whole number of at least 1")
    current, chunks = _passes(flavor, bpm, key_note, configuration, sample_rate)
    pcm = _limit(current)
    out = array("h", pcm)
    for k in range(1, loops):
        if k <= len(chunks):  # pass k hears the tails of the k passes before it; later passes repeat
            current = list(map(operator.add, current, chunks[k - 1]))
            pcm = _limit(current)
        out.extend(pcm)
    fade = min(len(out), int(END_FADE_SECONDS * sample_rate))
    for i in range(fade):
        j = len(out) - 1 - i
        out[j] = round(out[j] * i / fade)
    return out


def write_wav(path: str | PathLike[str], samples: array, sample_rate: int = SAMPLE_RATE) -> None:
    """Write 16-bit mono PCM samples as a WAV file."""
    if samples.typecode != "h":
        raise ValueError("samples must be an array('h') of 16-bit values")
    _check_sample_rate(sample_rate)
    data = array("h", samples)
    if data.itemsize != 2:
        raise ValueError("this platform's array('h') is not 16-bit")
    if sys.byteorder == "big":  # WAV is little-endian
        data.byteswap()
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(sample_rate)
        fh.writeframes(data.tobytes())


def levels(samples: Sequence[int]) -> tuple[float, float]:
    """(peak, RMS) of 16-bit samples as fractions of full scale: a quick listen-check by numbers."""
    if not samples:
        return 0.0, 0.0
    peak = max(abs(v) for v in samples) / 32768.0
    rms = math.sqrt(sum(v * v for v in samples) / len(samples)) / 32768.0
    return peak, rms
