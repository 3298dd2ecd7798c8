"""Read a profile of bench_sync.py --profile and print its top functions with their share of the samples.

Server profiles are py-spy's raw output (folded stacks: ``frame;frame;... COUNT``); client profiles are
cProfile ``.pstats`` files. For both: the functions with most time inside them including callees
("inclusive"), and most time in their own code ("self"), as a share of the whole.

    .venv/bin/python bench/folded_top.py /tmp/prof/server-upload.txt [--top 25] [--match gigbag]
    .venv/bin/python bench/folded_top.py /tmp/prof/client-upload.pstats
"""

from __future__ import annotations

import argparse
import pstats
import re
from collections import Counter
from pathlib import Path

_LINE = re.compile(r":\d+\)")
# Leaf frames of a thread that waits (py-spy samples idle threads too): left out unless --idle.
_WAITING = ("EpollSelector.select (", "Condition.wait (", "Event.wait (", "Thread.join (")


def frame_name(frame: str) -> str:
    """``fn (path/file.py:12)`` -> ``fn (path/file.py)``: one entry per function, not per line."""
    return _LINE.sub(")", frame.strip())


def folded(path: Path, top: int, match: str | None, idle: bool = False, rate: int = 200) -> None:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = waiting = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [frame_name(f) for f in stack.split(";")]
        if not idle and frames[-1].startswith(_WAITING):
            waiting += n
            continue
        own[frames[-1]] += n
        total += n
        for f in set(frames):
            inclusive[f] += n
    print(
        f"{path.name}: {total} busy samples (about {total / rate:.1f} s of CPU at {rate} Hz); "
        f"{waiting} samples of waiting threads left out"
    )
    for title, counter in (("inclusive", inclusive), ("self", own)):
        print(f"  -- {title}")
        shown = 0
        for name, n in counter.most_common():
            if match and match not in name:
                continue
            print(f"  {100 * n / total:5.1f}%  {name}")
            shown += 1
            if shown >= top:
                break


def profile(path: Path, top: int, match: str | None) -> None:
    stats = pstats.Stats(str(path))
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"{path.name}: {total:.2f} s")
    rows = stats.stats  # type: ignore[attr-defined]
    for title, index in (("inclusive", 3), ("self", 2)):
        print(f"  -- {title}")
        shown = 0
        for (file, line, fn), values in sorted(rows.items(), key=lambda kv: kv[1][index], reverse=True):
            name = f"{fn} ({file.split('site-packages/')[-1].replace('/work/wt-bench/', '')}:{line})"
            if match and match not in name:
                continue
            print(f"  {100 * values[index] / total:5.1f}%  {values[index]:7.3f} s  {name}")
            shown += 1
            if shown >= top:
                break


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", type=Path)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--match", help="only functions whose name or file contains this")
    ap.add_argument("--idle", action="store_true", help="server: count waiting threads' samples too")
    args = ap.parse_args()
    if args.file.suffix == ".pstats":
        profile(args.file, args.top, args.match)
    else:
        folded(args.file, args.top, args.match, args.idle)


if __name__ == "__main__":
    main()
