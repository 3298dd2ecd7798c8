"""The pure-Python pattern synthesizer: lengths, silence, loudness, pitch, onsets, looping, WAV output.

The checks listen by numbers: RMS for loudness, a small DFT for the bass's pitch, autocorrelation for
the instructor's counts, and short-window energy at step boundaries for where notes start.
"""

from __future__ import annotations

import cmath
import copy
import math
import wave
from array import array
from pathlib import Path
from typing import Any

import pytest

from gigbag.app.pattern_audio import (
    cycle_steps,
    levels,
    one_shot,
    render_cycle,
    render_pattern,
    schedule,
    step_seconds,
    write_wav,
)
from gigbag.schema.beat_catalog import catalog

SR = 44100


def config(flavor: str, **per_instrument: dict[str, Any]) -> dict[str, Any]:
    """The flavor's default configuration with some instruments' fields changed."""
    conf = copy.deepcopy(catalog()[flavor].default_configuration())
    for item in conf["instruments"]:
        item.update(per_instrument.get(item["id"], {}))
    return conf


def solo(flavor: str, instrument: str, **fields: Any) -> dict[str, Any]:
    """Only ``instrument`` enabled (with ``fields``), everything else muted."""
    conf = copy.deepcopy(catalog()[flavor].default_configuration())
    for item in conf["instruments"]:
        item["enabled"] = item["id"] == instrument
        if item["id"] == instrument:
            item.update(fields)
    return conf


def rms(samples: Any) -> float:
    return math.sqrt(sum(v * v for v in samples) / len(samples))


def dominant_hz(samples: Any, sr: int, low: float, high: float, decimate: int = 8) -> float:
    """The strongest frequency between ``low`` and ``high`` (0.5 Hz grid) of a decimated DFT."""
    x = [sum(samples[i : i + decimate]) / decimate for i in range(0, len(samples) - decimate + 1, decimate)]
    rate = sr / decimate
    best, best_hz = -1.0, 0.0
    f = low
    while f <= high:
        w = cmath.exp(-2j * math.pi * f / rate)
        z, acc = 1 + 0j, 0j
        for v in x:
            acc += v * z
            z *= w
        if abs(acc) > best:
            best, best_hz = abs(acc), f
        f += 0.5
    return best_hz


def autocorrelation_hz(samples: Any, sr: int, low: float, high: float) -> float:
    """Pitch by autocorrelation: the shortest-lag peak whose correlation is within 10% of the best."""
    lags = range(int(sr / high) - 1, int(sr / low) + 2)
    n = len(samples) - lags[-1]
    scores = {lag: sum(samples[i] * samples[i + lag] for i in range(n)) for lag in lags}
    top = max(scores.values())
    peaks = [
        lag
        for lag in lags[1:-1]
        if scores[lag] >= scores[lag - 1] and scores[lag] >= scores[lag + 1] and scores[lag] >= 0.9 * top
    ]
    return sr / min(peaks)


def onset_steps(samples: Any, seconds_per_step: float, sr: int, steps: int) -> list[int]:
    """Steps where the energy of the 6 ms after the step boundary clearly exceeds the 6 ms before."""
    w = int(0.006 * sr)
    found = []
    for s in range(steps):
        at = round(s * seconds_per_step * sr)
        after = sum(v * v for v in samples[at : at + w]) / w
        before = sum(v * v for v in samples[max(0, at - w) : at]) / w if at else 0.0
        if after > 1000 and after > 3 * before:
            found.append(s)
    return found


# ---- timing and length


def test_step_seconds_halves_the_beat_and_merengue_halves_it_again() -> None:
    assert step_seconds("Salsa", 180) == pytest.approx(1 / 6)
    assert step_seconds("Salsa", 120) == pytest.approx(0.25)
    assert step_seconds("Merengue", 160) == pytest.approx(0.09375)


@pytest.mark.parametrize(
    ("flavor", "bpm", "loops", "expected"),
    [
        ("Salsa", 180, 1, 117600),  # 16 steps * 1/6 s
        ("Salsa", 180, 3, 3 * 117600),
        ("Salsa", 120, 2, 2 * 176400),  # 16 steps * 1/4 s
        ("Merengue", 160, 1, 132300),  # 32 steps (piano, instructor) * 0.09375 s
        ("Merengue", 240, 2, 2 * 88200),
    ],
)
def test_render_pattern_has_loops_times_the_cycle_of_samples(flavor: str, bpm: int, loops: int, expected: int) -> None:
    pcm = render_pattern(flavor, bpm, 0, catalog()[flavor].default_configuration(), loops=loops)
    assert isinstance(pcm, array) and pcm.typecode == "h"
    assert len(pcm) == expected


def test_render_cycle_is_one_loop_long() -> None:
    conf = catalog()["Salsa"].default_configuration()
    assert len(render_cycle("Salsa", 180, 0, conf)) == 117600
    assert len(render_cycle("Salsa", 180, 0, conf, sample_rate=22050)) == 58800


def test_cycle_is_the_lcm_of_all_active_programs_enabled_or_not() -> None:
    assert cycle_steps("Salsa", catalog()["Salsa"].default_configuration()) == 16
    piano_4_bars = config("Salsa", piano={"activeProgram": 4})  # a 32-step montuno
    assert cycle_steps("Salsa", piano_4_bars) == 32
    muted = config("Salsa", piano={"activeProgram": 4, "enabled": False})
    assert cycle_steps("Salsa", muted) == 32  # muting does not change the loop under the player
    short = {"instruments": [{"id": "guiro", "enabled": True, "activeProgram": 0, "volume": 1, "pitchOffset": 0}]}
    assert cycle_steps("Salsa", short) == 4
    short["instruments"].append({"id": "congas", "enabled": True, "activeProgram": 0, "volume": 1, "pitchOffset": 0})
    assert cycle_steps("Salsa", short) == 8
    assert cycle_steps("Salsa", {"instruments": []}) == 16
    assert len(render_pattern("Salsa", 180, 0, short)) == round(8 / 6 * SR)


def test_shorter_programs_repeat_inside_the_cycle() -> None:
    conf = solo("Salsa", "congas")  # an 8-step tumbao
    conf["instruments"][3]["activeProgram"] = 4  # piano: 32 steps, muted but sets the cycle
    steps, hits = schedule("Salsa", 0, conf)
    assert steps == 32
    slaps = [h.step for h in hits if h.pitch == 2]
    assert slaps == [2, 10, 18, 26]


# ---- silence and loudness


def test_silence_when_everything_is_disabled_or_at_zero_volume() -> None:
    off = config("Salsa", **{i.id: {"enabled": False} for i in catalog()["Salsa"].instruments})
    pcm = render_pattern("Salsa", 180, 0, off, loops=2)
    assert len(pcm) == 2 * 117600 and not any(pcm)
    quiet = config("Merengue", **{i.id: {"volume": 0} for i in catalog()["Merengue"].instruments})
    assert not any(render_cycle("Merengue", 160, 8, quiet))


def test_louder_when_the_volume_goes_up() -> None:
    soft = render_cycle("Salsa", 180, 0, solo("Salsa", "congas", volume=0.3))
    loud = render_cycle("Salsa", 180, 0, solo("Salsa", "congas", volume=0.9))
    assert rms(loud) / rms(soft) == pytest.approx(3.0, rel=0.05)
    full = render_cycle("Salsa", 180, 0, config("Salsa"))
    half = render_cycle("Salsa", 180, 0, config("Salsa", **{i: {"volume": 0.5} for i in ("piano", "bass")}))
    assert rms(half) < rms(full)


def test_velocity_shapes_the_hits() -> None:
    steps, hits = schedule("Salsa", 0, solo("Salsa", "congas"))
    slap = next(h for h in hits if h.step == 2)
    toe = next(h for h in hits if h.step == 1)
    assert slap.gain > 2 * toe.gain  # slap at velocity 1.0, toe at 0.35


def test_everything_at_full_volume_does_not_clip() -> None:
    loudest = config("Salsa", **{i.id: {"enabled": True, "volume": 1.0} for i in catalog()["Salsa"].instruments})
    pcm = render_cycle("Salsa", 250, 0, loudest)
    peak, level = levels(pcm)
    assert peak < 0.999
    assert level > 0.05
    assert max(pcm) < 32767 and min(pcm) > -32768


# ---- pitch


def bass_window(pcm: Any, flavor: str, bpm: int, step: int) -> Any:
    at = round(step * step_seconds(flavor, bpm) * SR)
    return pcm[at + 200 : at + 200 + 4096]


def test_key_note_and_pitch_offset_move_the_bass() -> None:
    # The bass's first note is on step 3: F2 (MIDI 41, 87.3 Hz) in C.
    in_c = render_pattern("Salsa", 180, 0, solo("Salsa", "bass"))
    in_g = render_pattern("Salsa", 180, 7, solo("Salsa", "bass"))
    octave_up = render_pattern("Salsa", 180, 0, solo("Salsa", "bass", pitchOffset=12))
    f_c = dominant_hz(bass_window(in_c, "Salsa", 180, 3), SR, 40, 250)
    f_g = dominant_hz(bass_window(in_g, "Salsa", 180, 3), SR, 40, 250)
    f_up = dominant_hz(bass_window(octave_up, "Salsa", 180, 3), SR, 40, 250)
    assert f_c == pytest.approx(87.3, rel=0.02)
    assert f_g == pytest.approx(87.3 * 2 ** (7 / 12), rel=0.02)  # C2 of the key of G
    assert f_up == pytest.approx(2 * 87.3, rel=0.02)


def test_merengue_default_key_is_applied_to_the_piano() -> None:
    in_c = render_cycle("Merengue", 160, 0, solo("Merengue", "piano"))
    in_ab = render_cycle("Merengue", 160, 8, solo("Merengue", "piano"))
    assert in_c != in_ab


def test_key_note_leaves_the_drums_alone_but_their_pitch_offset_retunes_them() -> None:
    congas = solo("Salsa", "congas")
    assert render_cycle("Salsa", 180, 0, congas) == render_cycle("Salsa", 180, 5, congas)
    tuned = render_cycle("Salsa", 180, 0, solo("Salsa", "congas", pitchOffset=7))
    assert tuned != render_cycle("Salsa", 180, 0, congas)
    open_tone = one_shot("congas", 1)
    higher = one_shot("congas", 1, 7)
    f0 = autocorrelation_hz(open_tone[2000:6000], SR, 120, 500)
    f7 = autocorrelation_hz(higher[2000:6000], SR, 120, 500)
    assert f7 / f0 == pytest.approx(2 ** (7 / 12), rel=0.03)


def test_each_instructor_count_has_its_own_pitch() -> None:
    pitches = [autocorrelation_hz(one_shot("instructor", n)[1500:4500], SR, 300, 1000) for n in range(1, 9)]
    assert all(a < b for a, b in zip(pitches, pitches[1:], strict=False)), pitches
    assert pitches[0] == pytest.approx(440, rel=0.02) and pitches[-1] == pytest.approx(880, rel=0.02)


# ---- onsets at the program's note indices


@pytest.mark.parametrize(
    ("flavor", "instrument", "program"),
    [
        ("Salsa", "clave", 0),  # son clave 2-3
        ("Salsa", "clave", 1),  # rumba clave 2-3
        ("Salsa", "instructor", 1),  # 1 2 3 - 5 6 7
        ("Salsa", "cowbell", 3),  # downbeats
        ("Salsa", "timbales", 0),  # cáscara
        ("Merengue", "kickdrum", 0),  # every beat, at Merengue's halved step
        ("Merengue", "cowbell", 1),
    ],
)
def test_an_instrument_alone_starts_notes_exactly_at_its_programs_steps(
    flavor: str, instrument: str, program: int
) -> None:
    bpm = catalog()[flavor].default_bpm
    conf = solo(flavor, instrument, activeProgram=program)
    inst = catalog()[flavor].instrument(instrument)
    assert inst is not None
    prog = inst.programs[program]
    steps = cycle_steps(flavor, conf)
    expected = sorted({start + n.index for start in range(0, steps, prog.length) for n in prog.notes})
    pcm = render_pattern(flavor, bpm, 0, conf)
    assert onset_steps(pcm, step_seconds(flavor, bpm), SR, steps) == expected


def test_onsets_follow_the_tempo() -> None:
    conf = solo("Salsa", "clave")
    slow = render_pattern("Salsa", 90, 0, conf)
    assert len(slow) == 2 * 117600
    assert onset_steps(slow, step_seconds("Salsa", 90), SR, 16) == [2, 4, 8, 11, 14]
    assert onset_steps(slow, step_seconds("Salsa", 180), SR, 32) != [2, 4, 8, 11, 14]


def test_every_program_of_every_instrument_sounds() -> None:
    for cat in catalog().values():
        for inst in cat.instruments:
            for k, program in enumerate(inst.programs):
                alone = {
                    "instruments": [
                        {"id": inst.id, "enabled": True, "activeProgram": k, "volume": 1.0, "pitchOffset": 0}
                    ]
                }
                pcm = render_pattern(cat.name, cat.default_bpm, cat.default_key_note, alone, sample_rate=8000)
                assert len(pcm) == round(program.length * cat.step_seconds(cat.default_bpm) * 8000)
                assert levels(pcm)[0] > 0.05, f"{cat.name} {inst.id} {program.name} is silent"


# ---- looping


def test_render_cycle_is_the_steady_loop_with_tails_wrapped_in() -> None:
    conf = solo("Salsa", "piano")  # the montuno's last chord (step 15) rings past the loop's end
    cycle = render_cycle("Salsa", 180, 0, conf)
    three = render_pattern("Salsa", 180, 0, conf, loops=3)
    n = len(cycle)
    assert three[n : 2 * n] == cycle
    assert three[:n] != cycle  # the first pass starts from silence
    assert not any(three[:2000]) and any(cycle[:2000])


def test_rendering_is_deterministic() -> None:
    conf = config("Merengue")
    assert render_cycle("Merengue", 160, 8, conf) == render_cycle("Merengue", 160, 8, conf)


# ---- WAV and errors


def test_write_wav_round_trips(tmp_path: Path) -> None:
    pcm = render_pattern("Salsa", 180, 0, config("Salsa"), loops=2)
    path = tmp_path / "salsa.wav"
    write_wav(path, pcm, SR)
    with wave.open(str(path), "rb") as fh:
        assert (fh.getnchannels(), fh.getsampwidth(), fh.getframerate()) == (1, 2, SR)
        assert fh.getnframes() == len(pcm)
        back = array("h", fh.readframes(fh.getnframes()))
    assert back == pcm
    peak, level = levels(pcm)
    assert 0.2 < peak < 1.0 and 0.02 < level < 0.5


def test_write_wav_wants_16_bit_samples(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="array\\('h'\\)"):
        write_wav(tmp_path / "x.wav", array("d", [0.0]), SR)


GOOD = catalog()["Salsa"].default_configuration()


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("Tango", 180, 0, GOOD), {}, "flavor must be one of Salsa, Merengue"),
        (("Salsa", 0, 0, GOOD), {}, "bpm must be from 20 to 400"),
        (("Salsa", 1000, 0, GOOD), {}, "bpm must be from 20 to 400"),
        (("Salsa", math.nan, 0, GOOD), {}, "bpm must be a number"),
        (("Salsa", True, 0, GOOD), {}, "bpm must be a number"),
        (("Salsa", 180, 12, GOOD), {}, "key_note must be a whole number from 0 (C) to 11 (B)"),
        (("Salsa", 180, -1, GOOD), {}, "key_note must be"),
        (("Salsa", 180, 0, GOOD), {"loops": 0}, "loops must be a whole number of at least 1"),
        (("Salsa", 180, 0, GOOD), {"sample_rate": 100}, "sample_rate must be a whole number from 8000"),
        (("Salsa", 180, 0, {"instruments": [{"id": "tambora"}]}), {}, "Salsa has no instrument 'tambora'"),
        (("Merengue", 160, 8, GOOD), {}, "Merengue has no instrument 'clave'"),
    ],
)
def test_bad_input_is_refused_in_words(args: tuple, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError) as err:
        render_pattern(*args, **kwargs)
    assert message in str(err.value)
