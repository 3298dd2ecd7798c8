"""The beat machine's rhythm data: the seed's instruments and program counts, musically sane
programs, documented stroke numbers, and configuration checks that refuse bad input in words."""

from __future__ import annotations

import copy
import json
import math
import re
import statistics
from dataclasses import replace
from importlib import resources

import pytest

from gigbag.schema.beat_catalog import (
    FlavorCatalog,
    Instrument,
    Note,
    Program,
    catalog,
    check_configuration,
    check_flavor_catalog,
    note_name,
)

# From shared/seeds/README.md, "SalsaNor Beat Machine (002)".
SEED_PROGRAM_COUNTS = {
    "Salsa": {
        "clave": 2,
        "cowbell": 5,
        "congas": 12,
        "piano": 21,
        "instructor": 10,
        "bass": 21,
        "timbales": 4,
        "guiro": 3,
        "bongos": 4,
        "maracas": 4,
    },
    "Merengue": {
        "cowbell": 2,
        "congas": 1,
        "piano": 3,
        "instructor": 2,
        "bass": 1,
        "guira": 5,
        "tambora": 1,
        "kickdrum": 1,
    },
}


def every_program() -> list[tuple[str, Instrument, Program]]:
    return [
        (flavor.name, inst, program)
        for flavor in catalog().values()
        for inst in flavor.instruments
        for program in inst.programs
    ]


def program_named(flavor: str, instrument: str, name: str) -> Program:
    inst = catalog()[flavor].instrument(instrument)
    assert inst is not None
    return next(p for p in inst.programs if p.name == name)


def raw_json() -> dict:
    text = resources.files("gigbag.schema").joinpath("beat_catalog.json").read_text("utf-8")
    return json.loads(text)


# ---- shape: what the seed says


def test_flavors_have_exactly_the_seed_instruments_and_program_counts() -> None:
    assert set(catalog()) == set(SEED_PROGRAM_COUNTS)
    for flavor, counts in SEED_PROGRAM_COUNTS.items():
        cat = catalog()[flavor]
        assert [i.id for i in cat.instruments] == list(counts), flavor
        assert {i.id: len(i.programs) for i in cat.instruments} == counts, flavor


def test_flavor_defaults_keyed_instruments_and_disabled_ones() -> None:
    salsa, merengue = catalog()["Salsa"], catalog()["Merengue"]
    assert (salsa.default_bpm, salsa.default_key_note) == (180, 0)
    assert (merengue.default_bpm, merengue.default_key_note) == (160, 8)
    assert note_name(merengue.default_key_note) == "G#"
    for cat in (salsa, merengue):
        assert {i.id for i in cat.instruments if i.keyed} == {"piano", "bass"}
    assert {i.id for i in salsa.instruments if not i.enabled_by_default} == {"bongos", "maracas"}
    assert all(i.enabled_by_default for i in merengue.instruments)


def test_step_is_half_a_beat_in_salsa_and_a_quarter_in_merengue() -> None:
    salsa, merengue = catalog()["Salsa"], catalog()["Merengue"]
    assert salsa.step_seconds(180) == pytest.approx(1 / 6)
    assert merengue.step_seconds(160) == pytest.approx(60 / 160 / 4)  # Merengue halves the beat time
    # a 16-step Salsa program is one two-bar clave cycle: 8 beats
    assert 16 * salsa.step_seconds(120) == pytest.approx(8 * 60 / 120)


# ---- every program: real data, not placeholders


def test_every_note_index_is_inside_its_program_and_velocities_are_0_to_1() -> None:
    for flavor, inst, program in every_program():
        where = f"{flavor} {inst.id} {program.name}"
        assert program.length in (2, 4, 8, 16, 32, 64), where
        assert program.notes, where
        for note in program.notes:
            assert 0 <= note.index < program.length, where
            assert 0 < note.velocity <= 1, where
        pairs = [(n.index, n.pitch) for n in program.notes]
        assert len(pairs) == len(set(pairs)), f"{where}: a note repeats"


def test_program_names_are_unique_per_instrument_and_not_placeholders() -> None:
    for flavor in catalog().values():
        for inst in flavor.instruments:
            names = [p.name for p in inst.programs]
            assert len(names) == len(set(names)), f"{flavor.name} {inst.id}"
            for name in names:
                assert not re.fullmatch(rf"({re.escape(inst.name)}|{inst.id}) ?\d+", name, re.I), name
                assert len(name) >= 5, name


def test_programs_of_one_instrument_differ() -> None:
    for flavor in catalog().values():
        for inst in flavor.instruments:
            rhythms = [
                (p.length, tuple(sorted((n.index, n.pitch, n.velocity) for n in p.notes))) for p in inst.programs
            ]
            assert len(rhythms) == len(set(rhythms)), f"{flavor.name} {inst.id} has two identical programs"


def test_piano_plays_both_hands_around_60_and_48() -> None:
    for flavor in catalog().values():
        piano = flavor.instrument("piano")
        assert piano is not None
        for program in piano.programs:
            pitches = [n.pitch for n in program.notes]
            assert all(36 <= p <= 96 for p in pitches), program.name
            right = [p for p in pitches if p >= 60]
            left = [p for p in pitches if p < 60]
            assert right and left, f"{program.name}: both hands"
            assert 60 <= statistics.median(right) <= 84, program.name
            assert 43 <= statistics.median(left) <= 59, program.name


def test_bass_plays_around_36() -> None:
    for flavor in catalog().values():
        bass = flavor.instrument("bass")
        assert bass is not None
        for program in bass.programs:
            pitches = [n.pitch for n in program.notes]
            assert all(24 <= p <= 60 for p in pitches), program.name
            assert 29 <= statistics.median(pitches) <= 44, program.name


def test_unpitched_instruments_document_every_stroke_they_use() -> None:
    raw = raw_json()
    assert "pitch" in raw["about"] and "step" in raw["about"]
    for flavor in raw["flavors"]:
        for inst in flavor["instruments"]:
            if inst["keyed"]:
                assert "strokes" not in inst
                continue
            strokes = inst["strokes"]
            assert all(isinstance(v, str) and v for v in strokes.values()), inst["id"]
            used = {n["pitch"] for p in inst["programs"] for n in p["notes"]}
            assert used <= {int(k) for k in strokes}, f"{flavor['name']} {inst['id']} uses undocumented strokes"


def test_stroke_names() -> None:
    salsa = catalog()["Salsa"]
    congas, instructor, piano = salsa.instrument("congas"), salsa.instrument("instructor"), salsa.instrument("piano")
    assert congas is not None and instructor is not None and piano is not None
    assert congas.stroke_name(2) == "slap"
    assert "tumba" in (congas.stroke_name(0) or "")
    assert congas.stroke_name(99) is None
    assert [instructor.stroke_name(n) for n in range(1, 9)] == [f'"{n}"' for n in range(1, 9)]
    assert instructor.stroke_name(0) == '"and"'
    assert piano.stroke_name(60) is None


# ---- rhythms a salsa player recognises


def steps_of(program: Program, pitch: int | None = None) -> list[int]:
    return sorted({n.index for n in program.notes if pitch is None or n.pitch == pitch})


def test_clave_is_son_and_rumba_in_2_3() -> None:
    clave = catalog()["Salsa"].instrument("clave")
    assert clave is not None
    son, rumba = clave.programs
    assert son.name == "Son Clave 2-3" and rumba.name == "Rumba Clave 2-3"
    assert (son.length, steps_of(son)) == (16, [2, 4, 8, 11, 14])  # 2, 3 | 5, 6&, 8
    assert (rumba.length, steps_of(rumba)) == (16, [2, 4, 8, 11, 15])  # 2, 3 | 5, 6&, 8&


def test_conga_tumbao_has_the_slap_on_2_and_open_tones_on_4() -> None:
    tumbao = program_named("Salsa", "congas", "Tumbao")
    assert tumbao.length == 8
    assert steps_of(tumbao, 2) == [2]  # slap on beat 2
    assert steps_of(tumbao, 1) == [6, 7]  # open tones on 4 and 4&
    two = program_named("Salsa", "congas", "Tumbao, two congas (tumba on 8 and 8&)")
    assert steps_of(two, 0) == [14, 15]


def test_cowbell_campana_is_on_the_beat_with_the_mouth_on_1_and_3() -> None:
    campana = catalog()["Salsa"].instrument("cowbell").programs[0]  # type: ignore[union-attr]
    assert campana.name.startswith("Campana")
    assert steps_of(campana, 0) == [0, 4, 8, 12]
    assert steps_of(campana, 1) == [2, 6, 10, 14]


def test_cascara_2_3() -> None:
    cascara = program_named("Salsa", "timbales", "Cáscara 2-3")
    assert steps_of(cascara, 0) == [0, 2, 4, 5, 7, 8, 10, 11, 13, 15]


def test_bass_tumbao_anticipates_on_2_and_and_4() -> None:
    tumbao = catalog()["Salsa"].instrument("bass").programs[0]  # type: ignore[union-attr]
    assert "anticipated" in tumbao.name
    assert steps_of(tumbao) == [3, 6, 11, 14]
    # I-IV-V-IV in C: each note is the root of the chord that follows it
    assert [n.pitch % 12 for n in sorted(tumbao.notes, key=lambda n: n.index)] == [5, 7, 5, 0]


def test_montuno_i_iv_v_iv_plays_the_chords_in_c() -> None:
    montuno = catalog()["Salsa"].instrument("piano").programs[0]  # type: ignore[union-attr]
    assert montuno.name.startswith("Montuno I-IV-V-IV")
    pitch_classes = {n.pitch % 12 for n in montuno.notes}
    assert pitch_classes == {0, 2, 4, 5, 7, 9, 11}  # C, F and G major triads: the C major scale
    by_step: dict[int, set[int]] = {}
    for n in montuno.notes:
        by_step.setdefault(n.index, set()).add(n.pitch % 12)
    assert by_step[3] == {5}  # F in octaves anticipates the IV on 2&
    assert by_step[6] <= {5, 9, 0}  # F major on beat 4


def test_instructor_counts_one_to_eight_on_the_beats() -> None:
    count = catalog()["Salsa"].instrument("instructor").programs[0]  # type: ignore[union-attr]
    assert count.name == "Count 1-8"
    assert [(n.index, n.pitch) for n in sorted(count.notes, key=lambda n: n.index)] == [
        (2 * k, k + 1) for k in range(8)
    ]
    basic = program_named("Salsa", "instructor", "Count 1 2 3 - 5 6 7")
    assert sorted(n.pitch for n in basic.notes) == [1, 2, 3, 5, 6, 7]


def test_merengue_kick_is_on_every_beat_and_the_guira_on_sixteenths() -> None:
    kick = catalog()["Merengue"].instrument("kickdrum").programs[0]  # type: ignore[union-attr]
    assert (kick.length, steps_of(kick)) == (16, [0, 4, 8, 12])  # a step is a sixteenth
    basico = catalog()["Merengue"].instrument("guira").programs[0]  # type: ignore[union-attr]
    assert [(n.index, n.pitch) for n in basico.notes] == [(0, 0), (2, 1), (3, 1)]  # long-short-short


# ---- configurations


@pytest.mark.parametrize("flavor", ["Salsa", "Merengue"])
def test_default_configuration_validates(flavor: str) -> None:
    cat = catalog()[flavor]
    conf = cat.default_configuration()
    check_configuration(flavor, conf)
    assert [i["id"] for i in conf["instruments"]] == [i.id for i in cat.instruments]
    assert all(i["activeProgram"] == 0 and i["volume"] == 1.0 and i["pitchOffset"] == 0 for i in conf["instruments"])


def bad(flavor: str = "Salsa", **changes: object) -> dict:
    conf = copy.deepcopy(catalog()[flavor].default_configuration())
    next(i for i in conf["instruments"] if i["id"] == "piano").update(changes)
    return conf


@pytest.mark.parametrize(
    ("flavor", "configuration", "message"),
    [
        ("Rumba", {"instruments": []}, "flavor must be one of Salsa, Merengue"),
        ("Salsa", [], 'an "instruments" list'),
        ("Salsa", {"instruments": {}}, 'an "instruments" list'),
        ("Salsa", {"instruments": [], "tempo": 3}, "unknown keys: tempo"),
        ("Salsa", {"instruments": ["clave"]}, "instrument 1 must be an object"),
        ("Salsa", {"instruments": [{"id": "guira"}]}, "Salsa has no instrument 'guira'"),
        ("Merengue", {"instruments": [{"id": "clave"}]}, "Merengue has no instrument 'clave'"),
        ("Salsa", bad(colour="red"), "'piano' has unknown keys: colour"),
        ("Salsa", bad(enabled="yes"), "'piano': enabled must be true or false"),
        ("Salsa", bad(activeProgram=21), "activeProgram must be a whole number from 0 to 20"),
        ("Salsa", bad(activeProgram=-1), "(Salsa piano has 21 programs)"),
        ("Salsa", bad(activeProgram=True), "activeProgram must be a whole number"),
        ("Merengue", bad("Merengue", activeProgram=3), "from 0 to 2 (Merengue piano has 3 programs)"),
        ("Salsa", bad(volume=1.5), "'piano': volume must be between 0 and 1"),
        ("Salsa", bad(volume=math.nan), "volume must be between 0 and 1"),
        ("Salsa", bad(volume="1"), "volume must be between 0 and 1"),
        ("Salsa", bad(pitchOffset=13), "pitchOffset must be a whole number from -12 to 12"),
        ("Salsa", bad(pitchOffset=1.5), "pitchOffset must be a whole number"),
    ],
)
def test_check_configuration_refuses_bad_input_in_words(flavor: str, configuration: object, message: str) -> None:
    with pytest.raises(ValueError) as err:
        check_configuration(flavor, configuration)
    assert message in str(err.value)


def test_check_configuration_refuses_an_instrument_twice() -> None:
    conf = catalog()["Salsa"].default_configuration()
    conf["instruments"].append(dict(conf["instruments"][0]))
    with pytest.raises(ValueError, match="instrument 'clave' appears twice"):
        check_configuration("Salsa", conf)


def test_a_configuration_may_list_some_instruments_only() -> None:
    check_configuration(
        "Salsa",
        {"instruments": [{"id": "bass", "enabled": True, "activeProgram": 20, "volume": 0, "pitchOffset": -12}]},
    )


# ---- the loader refuses inconsistent rhythm data


def salsa_with(instrument_id: str, **program_changes: object) -> FlavorCatalog:
    cat = catalog()["Salsa"]
    instruments = []
    for inst in cat.instruments:
        if inst.id == instrument_id:
            first = replace(inst.programs[0], **program_changes)  # type: ignore[arg-type]
            inst = replace(inst, programs=(first, *inst.programs[1:]))
        instruments.append(inst)
    return replace(cat, instruments=tuple(instruments))


@pytest.mark.parametrize(
    ("instrument", "changes", "message"),
    [
        ("clave", {"notes": (Note(16, 0, 1.0),)}, "note index 16 is outside 0..15"),
        ("clave", {"notes": (Note(0, 0, 1.5),)}, "velocity 1.5 is outside 0..1"),
        ("clave", {"notes": (Note(0, 1, 1.0),)}, "stroke 1 is not among the instrument's strokes"),
        ("piano", {"notes": (Note(0, 130, 1.0),)}, "pitch 130 is outside MIDI 24..108"),
        ("piano", {"notes": (Note(0, 60, 1.0), Note(0, 60, 0.5))}, "note 60 at step 0 appears twice"),
        ("bass", {"length": 0}, "length must be 1 to 64 steps"),
        ("congas", {"name": "Tumbao with slaps"}, "program names repeat"),
    ],
)
def test_catalog_check_refuses_inconsistent_data(instrument: str, changes: dict, message: str) -> None:
    with pytest.raises(ValueError) as err:
        check_flavor_catalog(salsa_with(instrument, **changes))
    assert message in str(err.value)


def test_catalog_check_passes_the_shipped_data_and_wants_strokes_for_unpitched_instruments() -> None:
    for cat in catalog().values():
        check_flavor_catalog(cat)
    cat = catalog()["Salsa"]
    clave = replace(cat.instruments[0], strokes=())
    with pytest.raises(ValueError, match="unpitched instruments name their strokes"):
        check_flavor_catalog(replace(cat, instruments=(clave, *cat.instruments[1:])))


def test_salsa_piano_and_bass_programs_pair_up_by_number() -> None:
    salsa = catalog()["Salsa"]
    piano, bass = salsa.instrument("piano"), salsa.instrument("bass")
    assert piano is not None and bass is not None
    assert "harmony" in raw_json()["about"]
    for p, b in zip(piano.programs, bass.programs, strict=True):
        piano_classes = {n.pitch % 12 for n in p.notes}
        bass_classes = {n.pitch % 12 for n in b.notes}
        assert bass_classes <= piano_classes, f"{b.name} plays notes outside {p.name}"
