"""Benchmark (not a test): canonical JSON bytes by ``canonical_json`` (fast path) against ``rfc8785.dumps``.

Typical entity documents (a timeline entry, a track, a pattern with its instrument configuration, a
goal, a journal entry) one at a time, and a 20,000-entity batch: the issue's timeline entries of two
short fields, and a mix of every kind. Each round times both encoders on the same documents, in
alternating order; it prints medians and minimums per document (µs) and the ratio rfc8785 ÷ new, and
the cost of the fast path's type walk alone. Every document's bytes are checked equal first.

    .venv/bin/python bench/bench_canonical.py [--rounds 7] [--entities 20000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import rfc8785  # noqa: E402

from gigbag.schema.beat_catalog import catalog  # noqa: E402
from gigbag.schema.canonical import _plain, canonical_json  # noqa: E402

NOW = "2026-12-02T00:04:52.448797Z"


def documents(i: int) -> dict[str, dict[str, Any]]:
    """One document of each typical kind, as read back from the database (a JSON round trip)."""
    config = catalog()["Salsa"].default_configuration()
    for n, inst in enumerate(config["instruments"]):
        inst["volume"] = (1.0, 0.8, 0.5)[n % 3]
    docs: dict[str, dict[str, Any]] = {
        "timeline entry": {
            "created_at": NOW,
            "updated_at": NOW,
            "date": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "title": f"Gig {i:06d}",
            "description": None,
            "entry_type": "other",
        },
        "track": {
            "created_at": NOW,
            "updated_at": NOW,
            "title": f"Quimbara (live) {i}",
            "duration_seconds": 183.52 + i,
            "audio_file_id": "00000000-0000-4000-8000-00000000a001",
            "cover_file_id": None,
            "preview_file_id": None,
            "genre": "Salsa",
            "release_year": 2024,
            "spotify_url": "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
            "apple_music_url": None,
            "soundcloud_url": None,
            "display_order": "a0",
            "plays": 1200 + i,
        },
        "pattern": {
            "created_at": NOW,
            "updated_at": NOW,
            "title": f"Tumbao con piano {i}",
            "description": "Clave 2-3, piano montuno, congas on the tumbao.",
            "flavor": "Salsa",
            "bpm": 180,
            "key_note": 0,
            "is_public": True,
            "configuration": config,
            "thumbnail_url": None,
            "original_pattern_id": None,
            "published_at": None,
        },
        "goal": {
            "created_at": NOW,
            "updated_at": NOW,
            "title": "Play 40 gigs this year",
            "description": "Weddings count; rehearsals do not.",
            "target_value": 40.0,
            "goal_type": "gigs",
            "target_date": "2027-12-31",
            "completed": False,
            "status": "active",
        },
        "journal entry": {
            "created_at": NOW,
            "updated_at": NOW,
            "title": "Set plan — Café Tropical",
            "content": [
                {"type": "text", "text": f"Open with Quimbara, then El Cantante ({k}). ¡Wepa!"} for k in range(4)
            ],
            "entry_type": "set_plan",
        },
    }
    return json.loads(json.dumps(docs))  # type: ignore[no-any-return]


def batches(entities: int) -> dict[str, list[dict[str, Any]]]:
    kinds = list(documents(0))
    issue = [
        {
            "created_at": NOW,
            "updated_at": NOW,
            "date": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "title": f"Gig a {i:06d}",
        }
        for i in range(entities)
    ]
    weights = {"timeline entry": 8, "track": 4, "goal": 3, "journal entry": 3, "pattern": 2}
    cycle = [k for k in kinds for _ in range(weights[k])]
    mix = [documents(i)[cycle[i % len(cycle)]] for i in range(entities)]
    return {f"{entities:,} timeline entries (issue)": issue, f"{entities:,} mixed": mix}


def timed(fn: Callable[[Any], Any], docs: list[Any]) -> float:
    start = time.perf_counter()
    for doc in docs:
        fn(doc)
    return (time.perf_counter() - start) / len(docs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--entities", type=int, default=20_000)
    args = parser.parse_args()
    workloads: dict[str, list[Any]] = {name: [doc] * 2000 for name, doc in documents(1).items()}
    workloads.update(batches(args.entities))
    for name, docs in workloads.items():
        for doc in docs[:5000]:
            assert canonical_json(doc) == rfc8785.dumps(doc), name
    print(f"{'workload':34} {'rfc8785 med/min µs':>20} {'new med/min µs':>16} {'walk med µs':>12} {'ratio (med)':>12}")
    for name, docs in workloads.items():
        old: list[float] = []
        new: list[float] = []
        walk: list[float] = []
        for r in range(args.rounds):
            pair = [(old, rfc8785.dumps), (new, canonical_json)]
            for samples, fn in pair if r % 2 == 0 else pair[::-1]:
                samples.append(timed(fn, docs))
            walk.append(timed(_plain, docs))
        mo, mn, mw = statistics.median(old), statistics.median(new), statistics.median(walk)
        print(
            f"{name:34} {mo * 1e6:9.1f}/{min(old) * 1e6:<9.1f} {mn * 1e6:7.1f}/{min(new) * 1e6:<7.1f} "
            f"{mw * 1e6:11.1f} {mo / mn:11.1f}×"
        )


if __name__ == "__main__":
    main()
