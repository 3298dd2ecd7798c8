"""Benchmark (not a test): how fast Gigbag's processes start, against a bare interpreter and a bare Qt window.

Three measures, each sample a new process, rounds interleaved so the machine's load hits every contender:

- **first paint**: from just before the process is spawned until it reports the first Paint event of its
  top-level main window (then it exits at once). Gigbag runs its real entry point (``gigbag --data-dir DIR``,
  the desktop app) on a data folder that already exists (the everyday start; the very first start, which
  creates and migrates the database, is printed too). The baseline imports PySide6, makes a QApplication and
  shows an empty QMainWindow. The paint is observed without touching product code: the driver wraps
  ``QWidget.show`` so that the first QMainWindow shown gets an event filter.
- **usable window**: from the same spawn until that window is usable: the workspace open and the section it
  shows first built (the window's public ``ready`` signal; the other sections are built when first shown; a
  window without the signal, as before the two-step start, is usable when it paints). First paint is not
  ready: both are printed. The bench's data folder is a first start's (it opens on the welcome page).
- **version**: ``gigbag --version`` as a whole process, against ``python -c pass``.
- **sync no-op**: ``gigbag sync --yes`` as a whole process on a computer signed in to a real ``gigbag-server``
  on 127.0.0.1 (token in a file) with nothing to send or receive.

Printed: median and minimum of each, and the ratios of the medians. ``--base DIR`` adds, interleaved, the
same processes run from another copy of the package (``git archive REV | tar -x -C DIR/gigbag``, put first on
``PYTHONPATH``): a before/after in one run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_start.py [--rounds 7] [--no-sync] [--base DIR]
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
from collections.abc import Callable
from pathlib import Path

from bytecode import compile_package

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "correct horse battery staple"

DRIVER = r"""
import os, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

def ready():
    os.write(1, b"ready\n")
    os._exit(0)

class FirstPaint(QObject):
    usable = True

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and not getattr(self, "painted", False):
            self.painted = True
            os.write(1, b"painted\n")
            if self.usable:
                ready()
        return False

_filter = FirstPaint()
_show = QWidget.show

def show(self):
    if isinstance(self, QMainWindow) and self.isWindow() and not getattr(_filter, "watching", False):
        _filter.watching = True
        if hasattr(self, "ready") and not getattr(self, "is_ready", True):
            _filter.usable = False
            self.ready.connect(ready)
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
    from gigbag.cli.main import main
    sys.exit(main(["--data-dir", sys.argv[2]]))
"""


def first_paint(kind: str, data_dir: Path, env: dict[str, str], timeout: float = 120) -> tuple[float, float]:
    """(seconds to the first paint, seconds to a usable window) of one new process."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, kind, str(data_dir)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert proc.stdout is not None
    painted = proc.stdout.readline()
    paint = time.perf_counter() - started
    usable = proc.stdout.readline()
    ready = time.perf_counter() - started
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if painted.strip() != b"painted" or usable.strip() != b"ready":
        raise RuntimeError(f"{kind}: the window never painted or never became usable (exit {proc.returncode})")
    return paint, ready


def process_seconds(args: list[str], env: dict[str, str], timeout: float = 120) -> float:
    started = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
    return time.perf_counter() - started


def signed_in_computer(work: Path, env: dict[str, str]) -> tuple[Path, Callable[[], None]]:
    """A data folder signed in to a fresh server on 127.0.0.1 and synced once; and how to stop the server."""
    sys.path.insert(0, str(ROOT))  # tests.fixtures.server_process
    from tests.fixtures.server_process import start_server

    server = start_server(work / "server")
    folder = work / "synced"
    login = [str(BIN / "gigbag"), "--data-dir", str(folder), "login", "--server", server.url]
    login += ["--email", "bench-start@example.org", "--password-stdin", "--create-account"]
    login += ["--insecure-token-file", str(folder / "token")]
    try:
        subprocess.run(login, env=env, input=PASSWORD + "\n", text=True, check=True, capture_output=True)
        subprocess.run([str(BIN / "gigbag"), "--data-dir", str(folder), "sync", "--yes"], env=env, check=True)
    except BaseException:
        server.stop()
        raise
    return folder, server.stop


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--no-sync", action="store_true", help="skip the `gigbag sync` no-op (no server started)")
    ap.add_argument("--no-window", action="store_true", help="skip the first paint (no Qt)")
    ap.add_argument("--base", type=Path, help="also run the package found in this folder (on PYTHONPATH)")
    args = ap.parse_args()
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    variants = {"": env}
    compile_package(ROOT)
    if args.base:
        compile_package(args.base.resolve())
        variants[" (base)"] = {**env, "PYTHONPATH": str(args.base.resolve())}
    work = Path(tempfile.mkdtemp(prefix="gigbag-bench-start-"))
    print(
        f"bench_start: {args.rounds} rounds, platform {env.get('QT_QPA_PLATFORM', 'default (DISPLAY)')}; "
        f"cores: {os.cpu_count()}; load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    gigbag = str(BIN / "gigbag")
    stops: list[Callable[[], None]] = []
    try:
        data = work / "data"
        contenders: dict[str, Callable[[], float | tuple[float, float]]] = {
            "python -c pass": lambda: process_seconds([sys.executable, "-c", "pass"], env)
        }
        firsts: dict[str, float] = {}
        for tag, venv in variants.items():
            contenders[f"gigbag --version{tag}"] = lambda venv=venv: process_seconds([gigbag, "--version"], venv)
        if not args.no_window:
            contenders["bare PySide6 QMainWindow"] = lambda: first_paint("bare", data, env)[0]
            for tag, venv in variants.items():
                folder = work / f"data{tag.strip(' ()')}"
                firsts[tag] = first_paint("gigbag", folder, venv)[0]  # creates and migrates the database
                contenders[f"Gigbag main window{tag}"] = lambda venv=venv, folder=folder: first_paint(
                    "gigbag", folder, venv
                )
        if not args.no_sync:
            synced, stop = signed_in_computer(work, env)
            stops.append(stop)
            for tag, venv in variants.items():
                command = [gigbag, "--data-dir", str(synced), "sync", "--yes"]
                contenders[f"gigbag sync (no-op){tag}"] = lambda venv=venv, command=command: process_seconds(
                    command, venv
                )
        samples: dict[str, list[float]] = {}
        for name in contenders:
            samples[name] = []
            if name.startswith("Gigbag main window"):  # its usable time comes from the same process
                samples[name.replace("main window", "usable window")] = []
        names = list(contenders)
        for r in range(args.rounds):
            for name in names if r % 2 == 0 else reversed(names):
                result = contenders[name]()
                if isinstance(result, tuple):
                    samples[name].append(result[0])
                    samples[name.replace("main window", "usable window")].append(result[1])
                else:
                    samples[name].append(result)
            print(f"  round {r + 1}/{args.rounds}, load average {os.getloadavg()[0]:.2f}", flush=True)
    finally:
        for stop in stops:
            stop()
        shutil.rmtree(work, ignore_errors=True)
    med = {name: statistics.median(s) for name, s in samples.items()}
    print(f"\n{'process':<40} {'median':>8} {'min':>8}")
    for name, s in samples.items():
        print(f"{name:<40} {fmt(med[name]):>8} {fmt(min(s)):>8}")
    print()
    for tag in variants:
        print(f"gigbag --version{tag} / python -c pass: {med[f'gigbag --version{tag}'] / med['python -c pass']:.2f}×")
        if not args.no_window:
            ratio = med[f"Gigbag main window{tag}"] / med["bare PySide6 QMainWindow"]
            print(
                f"first paint{tag}: {ratio:.1f}× a bare window (very first start, new data folder: {fmt(firsts[tag])})"
            )
            usable = med[f"Gigbag usable window{tag}"] / med["bare PySide6 QMainWindow"]
            print(f"usable window{tag}: {usable:.1f}× a bare window's first paint")
    return 0


if __name__ == "__main__":
    sys.exit(main())
