"""Benchmark (not a test): how fast one beat-machine cycle renders, against the time it lasts when played.

The pattern player renders a cycle before it can loop it, so a render must stay well under the cycle's own
length. Printed per round (interleaved cold and warm renders): CPU seconds of a cold render (every instrument's
sounds synthesised) and of a warm one (sounds cached), and their ratio to the cycle's playing time.

    .venv/bin/python bench/bench_pattern_audio.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

from gigbag.app.pattern_audio import cycle_steps, one_shot, render_cycle, step_seconds
from gigbag.schema.beat_catalog import catalog


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    conf = copy.deepcopy(catalog()["Salsa"].default_configuration())
    for item in conf["instruments"]:
        if item["id"] == "piano":
            item["activeProgram"] = 12  # a 32-step guajira
    playing = cycle_steps("Salsa", conf) * step_seconds("Salsa", 180)
    cold: list[float] = []
    warm: list[float] = []
    for _ in range(args.rounds):
        one_shot.cache_clear()
        started = time.process_time()
        render_cycle("Salsa", 180, 0, conf)
        cold.append(time.process_time() - started)
        started = time.process_time()
        render_cycle("Salsa", 180, 0, conf)
        warm.append(time.process_time() - started)
    print(f"one Salsa cycle plays {playing:.2f} s ({args.rounds} rounds, CPU seconds)")
    for name, xs in (("cold render", cold), ("warm render", warm)):
        med = statistics.median(xs)
        print(f"{name:12} median {med:.3f} s  min {min(xs):.3f} s  = {med / playing:.2f}x its playing time")


if __name__ == "__main__":
    main()
