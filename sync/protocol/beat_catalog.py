"""The beat machine's instrument catalog: per flavor, its instruments and their named programs.

Facts from SalsaNor Beat Machine (see shared/seeds/README.md): which instruments each flavor has,
how many programs each instrument offers, which are keyed and which start disabled. A program is
one looping rhythm: a length in steps (one step is half a beat) and notes {index, pitch, velocity}.
The rhythm data itself lives in ``beat_catalog.json`` beside this module (authored for Gigbag).
Pattern configurations are checked against this catalog on the desktop and on the server.
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


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    keyed: bool
    enabled_by_default: bool
    programs: tuple[Program, ...]


@dataclass(frozen=True)
class FlavorCatalog:
    name: str
    default_bpm: int
    default_key_note: int
    instruments: tuple[Instrument, ...]

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
                    )
                    for p in inst["programs"]
                ),
            )
            for inst in flavor["instruments"]
        )
        out[flavor["name"]] = FlavorCatalog(
            flavor["name"], flavor["default_bpm"], flavor["default_key_note"], instruments
        )
    return out


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
