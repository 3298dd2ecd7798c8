"""The beat machine's instrument catalog: per flavor, its instruments and their named programs.

Facts from SalsaNor Beat Machine (see shared/seeds/README.md): which instruments each flavor has,
how many programs each instrument offers, which are keyed and which start disabled. A program is
one looping rhythm: a length in steps (one step is half a beat) and notes {index, pitch, velocity}.
The rhythm data itself lives in ``beat_catalog.json`` beside this module (authored for Gigbag) and is
checked when it is loaded, so a bad edit fails loudly instead of playing wrong.
Pattern configurations are checked against this catalog on the desktop and on the server.

What the numbers mean (also written in the JSON's "about"):

* A step is ``beats_per_step`` beats: an eighth note in Salsa (16 steps = two bars = one clave
  cycle, clave in 2-3 direction) and a sixteenth in Merengue, whose beat time is halved.
* Keyed instruments (piano, bass): ``pitch`` is a MIDI note in the key of C (60 = middle C; the
  piano's right hand around 60-84, its left hand 48-59; the bass around 36). The pattern's
  key_note and the instrument's pitchOffset are added when the note is played.
* Other instruments: ``pitch`` is a stroke number, named in the instrument's ``strokes`` (e.g.
  congas 0 = open tone on the tumba, 2 = slap; instructor 1..8 = the spoken count, 0 = "and").
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
PITCH_OFFSET_RANGE = (-12, 12)
KEYED_PITCH_RANGE = (24, 108)  # MIDI notes a keyed program may use (C1..C8)
MAX_PROGRAM_LENGTH = 64


@dataclass(frozen=True)
class Note:
    index: int
    pitch: int
    velocity: float


@dataclass(frozen=True)
class Program:
    name: str
    length: int
    notes: tuple[Note, ...]
    description: str = ""


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    keyed: bool
    enabled_by_default: bool
    programs: tuple[Program, ...]
    # unpitched instruments: (stroke number, what it is), e.g. (2, "slap"); empty for keyed ones
    strokes: tuple[tuple[int, str], ...] = ()

    def stroke_name(self, pitch: int) -> str | None:
        """What an unpitched instrument's note ``pitch`` is (None for keyed instruments)."""
        return next((name for number, name in self.strokes if number == pitch), None)


@dataclass(frozen=True)
class FlavorCatalog:
    name: str
    default_bpm: int
    default_key_note: int
    instruments: tuple[Instrument, ...]
    beats_per_step: float = 0.5  # Salsa: a step is an eighth note; Merengue (beat time halved): a sixteenth

    def step_seconds(self, bpm: float) -> float:
        """How long one step lasts at ``bpm``."""
        return 60.0 / bpm * self.beats_per_step

    def instrument(self, instrument_id: str) -> Instrument | None:
        return next((i for i in self.instruments if i.id == instrument_id), None)

    def default_configuration(self) -> dict[str, Any]:
        """The configuration a new pattern of this flavor starts with."""
        return {
            "instruments": [
                {
                    "id": inst.id,
                    "enabled": inst.enabled_by_default,
                    "activeProgram": 0,
                    "volume": 1.0,
                    "pitchOffset": 0,
                }
                for inst in self.instruments
            ]
        }


@cache
def catalog() -> dict[str, FlavorCatalog]:
    """Every flavor's instruments and programs, from ``beat_catalog.json`` (checked on load)."""
    raw = json.loads(resources.files(__package__).joinpath("beat_catalog.json").read_text("utf-8"))
    out: dict[str, FlavorCatalog] = {}
    for flavor in raw["flavors"]:
        instruments = tuple(
            Instrument(
                id=inst["id"],
                name=inst["name"],
                keyed=inst.get("keyed", False),
                enabled_by_default=inst.get("enabled_by_default", True),
                programs=tuple(
                    Program(
                        name=p["name"],
                        length=p["length"],
                        notes=tuple(Note(n["index"], n["pitch"], n["velocity"]) for n in p["notes"]),
                        description=p.get("description", ""),
                    )
                    for p in inst["programs"]
                ),
                strokes=tuple(sorted((int(k), v) for k, v in inst.get("strokes", {}).items())),
            )
            for inst in flavor["instruments"]
        )
        out[flavor["name"]] = FlavorCatalog(
            flavor["name"],
            flavor["default_bpm"],
            flavor["default_key_note"],
            instruments,
            beats_per_step=flavor.get("beats_per_step", 0.5),
        )
    for cat in out.values():
        check_flavor_catalog(cat)
    return out


def check_flavor_catalog(cat: FlavorCatalog) -> None:
    """Raise ValueError, in words, when the rhythm data of one flavor is inconsistent."""
    where = f"beat catalog, {cat.name}"
    if not 0 < cat.beats_per_step <= 1:
        raise ValueError(f"{where}: beats_per_step must be above 0 and at most 1")
    ids = [inst.id for inst in cat.instruments]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{where}: instrument ids repeat")
    for inst in cat.instruments:
        if not inst.programs:
            raise ValueError(f"{where} {inst.id}: has no programs")
        names = [p.name for p in inst.programs]
        if len(set(names)) != len(names):
            raise ValueError(f"{where} {inst.id}: program names repeat")
        if inst.keyed == bool(inst.strokes):
            raise ValueError(f"{where} {inst.id}: unpitched instruments name their strokes, keyed ones don't")
        for program in inst.programs:
            at = f"{where} {inst.id} {program.name!r}"
            if not 1 <= program.length <= MAX_PROGRAM_LENGTH:
                raise ValueError(f"{at}: length must be 1 to {MAX_PROGRAM_LENGTH} steps")
            seen: set[tuple[int, int]] = set()
            for note in program.notes:
                if not 0 <= note.index < program.length:
                    raise ValueError(f"{at}: note index {note.index} is outside 0..{program.length - 1}")
                if not 0 <= note.velocity <= 1:
                    raise ValueError(f"{at}: velocity {note.velocity} is outside 0..1")
                if inst.keyed:
                    low, high = KEYED_PITCH_RANGE
                    if not low <= note.pitch <= high:
                        raise ValueError(f"{at}: pitch {note.pitch} is outside MIDI {low}..{high}")
                elif inst.stroke_name(note.pitch) is None:
                    raise ValueError(f"{at}: stroke {note.pitch} is not among the instrument's strokes")
                if (note.index, note.pitch) in seen:
                    raise ValueError(f"{at}: note {note.pitch} at step {note.index} appears twice")
                seen.add((note.index, note.pitch))


def note_name(key_note: int) -> str:
    return NOTE_NAMES[key_note % 12]


def check_configuration(flavor: str, configuration: Any) -> None:
    """Raise ValueError, in words, when ``configuration`` does not fit the flavor's instruments."""
    cat = catalog().get(flavor)
    if cat is None:
        raise ValueError(f"flavor must be one of {', '.join(catalog())}")
    if not isinstance(configuration, dict) or not isinstance(configuration.get("instruments"), list):
        raise ValueError('configuration must be an object with an "instruments" list')
    extra = set(configuration) - {"instruments"}
    if extra:
        raise ValueError(f"configuration has unknown keys: {', '.join(sorted(extra))}")
    seen: set[str] = set()
    for pos, item in enumerate(configuration["instruments"], start=1):
        if not isinstance(item, dict):
            raise ValueError(f"instrument {pos} must be an object")
        inst_id = item.get("id")
        inst = cat.instrument(inst_id) if isinstance(inst_id, str) else None
        if inst is None:
            known = ", ".join(i.id for i in cat.instruments)
            raise ValueError(f"{flavor} has no instrument {inst_id!r} (it has {known})")
        if inst_id in seen:
            raise ValueError(f"instrument {inst_id!r} appears twice")
        seen.add(inst.id)
        unknown = set(item) - {"id", "enabled", "activeProgram", "volume", "pitchOffset"}
        if unknown:
            raise ValueError(f"instrument {inst.id!r} has unknown keys: {', '.join(sorted(unknown))}")
        if not isinstance(item.get("enabled"), bool):
            raise ValueError(f"instrument {inst.id!r}: enabled must be true or false")
        program = item.get("activeProgram")
        if isinstance(program, bool) or not isinstance(program, int) or not 0 <= program < len(inst.programs):
            raise ValueError(
                f"instrument {inst.id!r}: activeProgram must be a whole number from 0 to "
                f"{len(inst.programs) - 1} ({flavor} {inst.id} has {len(inst.programs)} programs)"
            )
        volume = item.get("volume")
        if (
            isinstance(volume, bool)
            or not isinstance(volume, int | float)
            or not math.isfinite(volume)
            or not 0 <= volume <= 1
        ):
            raise ValueError(f"instrument {inst.id!r}: volume must be between 0 and 1")
        offset = item.get("pitchOffset")
        low, high = PITCH_OFFSET_RANGE
        if isinstance(offset, bool) or not isinstance(offset, int) or not low <= offset <= high:
            raise ValueError(f"instrument {inst.id!r}: pitchOffset must be a whole number from {low} to {high}")
