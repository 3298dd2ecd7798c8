"""Benchmark (not a test): process start to the first paint of Gigbag's main window vs a bare PySide6 window.

Each sample is a new process, timed from just before it is spawned until it reports the first Paint event
of its top-level main window (then it exits at once). Gigbag's process runs the real entry point
(``gigbag --data-dir DIR``, the desktop app) on a data folder that already exists (the everyday start; the
very first start, which creates and migrates the database, is printed too). The baseline is a process that
imports PySide6, makes a QApplication and shows an empty QMainWindow. Rounds interleave the two so the
machine's load hits both. Printed: median and minimum of each, and the ratio of the medians.

The paint is observed without touching product code: the driver wraps ``QWidget.show`` so that the first
QMainWindow shown gets an event filter.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_start.py [--rounds 7]
    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python bench/bench_start.py   # a real X server
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DRIVER = r"""
import os, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            os.write(1, b"painted\n")
            os._exit(0)
        return False

_filter = FirstPaint()
_show = QWidget.show

def show(self):
    if isinstance(self, QMainWindow) and self.isWindow():
        self.installEventFilter(_filter)
    return _show(self)

QWidget.show = show

if sys.argv[1] == "bare":
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1280, 800)
    window.show()
    sys.exit(app.exec())
else:
    from gigbag.app.cli import main
    sys.exit(main(["--data-dir", sys.argv[2]]))
"""


def first_paint(kind: str, data_dir: Path, env: dict[str, str], timeout: float = 120) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, kind, str(data_dir)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - started
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if line.strip() != b"painted":
        raise RuntimeError(f"{kind}: the window never painted (exit {proc.returncode})")
    return elapsed


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(tempfile.mkdtemp(prefix="gigbag-bench-start-"))
    print(
        f"bench_start: {args.rounds} rounds, platform {env.get('QT_QPA_PLATFORM', 'default (DISPLAY)')}; "
        f"cores: {os.cpu_count()}",
        flush=True,
    )
    try:
        data = work / "data"
        first = first_paint("gigbag", data, env)  # creates and migrates the database
        samples: dict[str, list[float]] = {"gigbag": [], "bare": []}
        for r in range(args.rounds):
            for kind in ("gigbag", "bare") if r % 2 == 0 else ("bare", "gigbag"):
                samples[kind].append(first_paint(kind, data, env))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    g, b = statistics.median(samples["gigbag"]), statistics.median(samples["bare"])
    print(f"\n{'start to first paint':<34} {'median':>8} {'min':>8}")
    print(f"{'Gigbag main window (existing data)':<34} {fmt(g):>8} {fmt(min(samples['gigbag'])):>8}")
    print(f"{'bare PySide6 QMainWindow':<34} {fmt(b):>8} {fmt(min(samples['bare'])):>8}")
    print(f"ratio of medians: {g / b:.1f}×   (very first start, new data folder: {fmt(first)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
