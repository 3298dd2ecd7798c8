"""Benchmark (not a test): do the Tracks and Files lists stay smooth with 50,000 rows?

It seeds one data folder with 50,000 tracks and 50,000 files (bulk inserts, seconds), opens the
real main window on it and on an empty data folder (the baseline, same run, same machine), shows
each section and scrolls it the way a person flicks through a long list: jumps to the bottom (the
view asks for the next page) and page-downs. A 16 ms heartbeat timer runs on the UI thread the
whole time; the gap between two beats is how long the UI thread was busy. The figures printed are
the longest gap, the 99th percentile and the mean, for the big lists against the baseline, plus
the time until the first rows showed and how many rows were fetched while scrolling.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_ui_lists.py [--rows 50000] [--seconds 6]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from fractional_indexing import generate_n_keys_between  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QTimer  # noqa: E402
from PySide6.QtWidgets import QAbstractItemView, QApplication  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from gigbag.app.workspace import Workspace  # noqa: E402
from gigbag.local_db.models import File, Track  # noqa: E402
from gigbag.schema.fields import utc_now  # noqa: E402
from gigbag.ui.main import make_application, settle_garbage_collector  # noqa: E402
from gigbag.ui.main_window import MainWindow  # noqa: E402

HEARTBEAT_MS = 16


def seed(ws: Workspace, rows: int) -> float:
    """Insert ``rows`` files and ``rows`` tracks (one per file) in one transaction; seconds taken."""
    started = time.perf_counter()
    now = utc_now()
    sha = "5" * 64  # one blob for every row: the lists never open the content
    kinds = ("music", "press_photo", "document", "video", "other")
    file_rows = [
        {
            "id": str(uuid.uuid4()),
            "created_at": now,
            "updated_at": now,
            "filename": f"Take {i:05d} - montuno.wav",
            "file_size_bytes": 1_000_000 + i,
            "mime_type": "audio/x-wav",
            "blob_sha256": sha,
            "category": kinds[i % len(kinds)],
            "folder_id": None,
            "duration_seconds": 180.0 + i % 120,
        }
        for i in range(rows)
    ]
    keys = generate_n_keys_between(None, None, rows)
    track_rows = [
        {
            "id": str(uuid.uuid4()),
            "created_at": now,
            "updated_at": now,
            "title": f"Descarga número {i:05d}",
            "duration_seconds": 180.0 + i % 120,
            "audio_file_id": file_rows[i]["id"],
            "genre": ("Salsa", "Son", "Timba", "Bolero")[i % 4],
            "release_year": 1990 + i % 35,
            "display_order": keys[i],
            "plays": 0,
        }
        for i in range(rows)
    ]
    with ws.engine.begin() as conn:
        for start in range(0, rows, 5000):
            conn.execute(insert(File.__table__), file_rows[start : start + 5000])  # type: ignore[attr-defined]
        for start in range(0, rows, 5000):
            conn.execute(insert(Track.__table__), track_rows[start : start + 5000])  # type: ignore[attr-defined]
    return time.perf_counter() - started


@dataclass
class Figures:
    label: str
    first_rows_ms: float
    rows_loaded: int
    total_rows: int
    max_gap_ms: float
    p99_gap_ms: float
    mean_gap_ms: float


class Heartbeat:
    """A 16 ms timer on the UI thread; records the gaps between its beats."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(HEARTBEAT_MS)
        self.clock = QElapsedTimer()
        self.gaps: list[float] = []
        self._last = 0.0
        self.timer.timeout.connect(self._beat)

    def start(self) -> None:
        self.gaps = []
        self.clock.start()
        self._last = self.clock.nsecsElapsed() / 1e6
        self.timer.start()

    def _beat(self) -> None:
        now = self.clock.nsecsElapsed() / 1e6
        self.gaps.append(now - self._last)
        self._last = now

    def stop(self) -> list[float]:
        self.timer.stop()
        return self.gaps


def run_until(app: QApplication, seconds: float, done: object = None) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        if callable(done) and done():
            return
        time.sleep(0.001)


def measure(app: QApplication, win: MainWindow, title: str, label: str, seconds: float) -> Figures:
    """Open the section, wait for its first rows, then scroll for ``seconds``; heartbeat throughout."""
    beat = Heartbeat()
    section = win.find_section(title)
    assert section is not None
    view: QAbstractItemView = section.table  # type: ignore[attr-defined]
    model = section.model  # type: ignore[attr-defined]
    beat.start()
    opened = time.perf_counter()
    win.show_section(title)
    run_until(app, 30, lambda: model.loaded_once)
    first_rows_ms = (time.perf_counter() - opened) * 1000
    bar = view.verticalScrollBar()
    step = 0

    def flick() -> None:
        nonlocal step
        step += 1
        if step % 3 == 0:
            bar.setValue(bar.maximum())  # to the bottom: the view asks for the next page
        else:
            bar.triggerAction(bar.SliderAction.SliderPageStepAdd)

    flicker = QTimer()
    flicker.setInterval(25)
    flicker.timeout.connect(flick)
    flicker.start()
    run_until(app, seconds)
    flicker.stop()
    gaps = sorted(beat.stop())
    return Figures(
        label=label,
        first_rows_ms=first_rows_ms,
        rows_loaded=model.rowCount(),
        total_rows=model.count(),
        max_gap_ms=gaps[-1] if gaps else 0.0,
        p99_gap_ms=gaps[int(len(gaps) * 0.99) - 1] if gaps else 0.0,
        mean_gap_ms=statistics.fmean(gaps) if gaps else 0.0,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=6.0, help="scrolling time per list")
    args = parser.parse_args(argv)
    app = make_application([sys.argv[0]])
    results: list[Figures] = []
    with tempfile.TemporaryDirectory(prefix="gigbag-bench-") as tmp:
        empty_dir, big_dir = Path(tmp) / "empty", Path(tmp) / "big"
        with Workspace.open(big_dir) as ws:
            seconds = seed(ws, args.rows)
            print(f"seeded {args.rows:,} tracks and {args.rows:,} files in {seconds:.1f} s")
        for label, data_dir in (("baseline (empty)", empty_dir), (f"{args.rows:,} rows", big_dir)):
            ws = Workspace.open(data_dir)
            win = MainWindow(ws)
            win.resize(1280, 800)
            win.show()
            settle_garbage_collector()  # as ui.main.run() does after the window opened
            run_until(app, 0.5)
            for title in ("Tracks", "Files"):
                results.append(measure(app, win, title, f"{title}: {label}", args.seconds))
            win.close()
            ws.close()
    print()
    print(f"UI-thread heartbeat every {HEARTBEAT_MS} ms; a gap above {HEARTBEAT_MS} ms is time the UI thread was busy")
    header = f"{'list':<28}{'first rows':>12}{'rows loaded':>16}{'max gap':>10}{'p99 gap':>10}{'mean gap':>10}"
    print(header)
    print("-" * len(header))
    for f in results:
        loaded = f"{f.rows_loaded:,}/{f.total_rows:,}"
        print(
            f"{f.label:<28}{f.first_rows_ms:>10.0f}ms{loaded:>16}{f.max_gap_ms:>8.1f}ms{f.p99_gap_ms:>8.1f}ms"
            f"{f.mean_gap_ms:>8.1f}ms"
        )
    baseline = {f.label.split(":")[0]: f for f in results if "baseline" in f.label}
    print()
    for f in results:
        if "baseline" in f.label:
            continue
        base = baseline[f.label.split(":")[0]]
        extra = f.max_gap_ms - base.max_gap_ms
        frames = f.max_gap_ms / HEARTBEAT_MS
        print(
            f"{f.label}: longest stall {f.max_gap_ms:.1f} ms ({frames:.1f} frames), "
            f"{extra:+.1f} ms against the empty list"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
