"""Benchmark (not a test): the first sync of a computer holding many small files, and of a new computer
that downloads them, over a link with latency.

A real ``gigbag-server`` process on 127.0.0.1, reached through a TCP proxy in this process that holds every
chunk it forwards for ``--delay`` seconds each way (a round trip of twice that, like a home connection to a
server in another city; ``--delay 0`` is the bare loopback). Each round, two new computers each import
``--files`` small files (``--size`` bytes, distinct contents) through the app's services and sync them up,
then a second computer of each account signs in and syncs them down: one account with the transfers one at
a time (``UPLOADS_AT_ONCE = DOWNLOADS_AT_ONCE = 1``, the baseline, measured in the same round), one as the
sync moves them, in alternating order. Printed: each mode's median and minimum, per file, and the ratio, for
the upload and for the download.

    .venv/bin/python bench/bench_small_files.py                       # 200 files, 15 ms each way, 3 rounds
    .venv/bin/python bench/bench_small_files.py --files 1000 --delay 0
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.fixtures.server_process
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_sync import Computer  # noqa: E402

from gigbag.sync import blob_sync  # noqa: E402
from tests.fixtures.server_process import start_server  # noqa: E402


def _pipe(src: socket.socket, dst: socket.socket, delay: float) -> None:
    try:
        while data := src.recv(65536):
            if delay:
                time.sleep(delay)
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


def delaying_proxy(port: int, delay: float) -> str:
    """The URL of a proxy to 127.0.0.1:``port`` holding each forwarded chunk ``delay`` seconds."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            client, _ = listener.accept()
            upstream = socket.create_connection(("127.0.0.1", port))
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=_pipe, args=(client, upstream, delay), daemon=True).start()
            threading.Thread(target=_pipe, args=(upstream, client, delay), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}"


class _Via:
    def __init__(self, url: str) -> None:
        self.url = url


def first_syncs(work: Path, url: str, files: int, size: int, at_once: int) -> tuple[float, float]:
    """Seconds of the first sync of a computer with ``files`` new files, then of a new computer's."""
    email = f"small-{uuid.uuid4().hex[:8]}@example.org"
    blob_sync.UPLOADS_AT_ONCE = blob_sync.DOWNLOADS_AT_ONCE = at_once
    computer = Computer(work / f"c-{uuid.uuid4().hex[:8]}")
    try:
        sources = work / f"{computer.folder.name}-sources"
        sources.mkdir()
        for i in range(files):
            path = sources / f"photo-{i:05d}.jpg"
            path.write_bytes(uuid.uuid4().bytes * (size // 16 + 1))
            computer.ws.files.import_file(path)
        computer.sign_in(_Via(url), email, True)  # type: ignore[arg-type]
        up = computer.sync()
        summary = computer.service.sync()
        assert summary.files_up == 0 and summary.complete, summary
    finally:
        computer.close()
    other = Computer(work / f"d-{uuid.uuid4().hex[:8]}")
    try:
        other.sign_in(_Via(url), email, False)  # type: ignore[arg-type]
        before = other.service.sync()  # the sign-in's first sync may already bring some: start from none
        assert before.complete, before
        for sha in list(other.ws.blobs.root.glob("??/??/*")):
            sha.unlink()
        with other.ws.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE blob_looks SET generation = generation + 1")
        down = other.sync()
        summary = other.service.sync()
        assert summary.files_down == 0 and summary.complete, summary
        assert sum(1 for _ in other.ws.blobs.root.glob("??/??/*")) == files
        return up, down
    finally:
        other.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--size", type=int, default=4096, help="bytes per file")
    ap.add_argument("--delay", type=float, default=0.015, help="seconds each way (0: the bare loopback)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    at_once = blob_sync.UPLOADS_AT_ONCE
    modes = {"one at a time": 1, f"{at_once} at once": at_once}
    times: dict[str, list[float]] = {name: [] for name in modes}
    downs: dict[str, list[float]] = {name: [] for name in modes}
    with tempfile.TemporaryDirectory(prefix="bench-small-") as tmp:
        work = Path(tmp)
        server = start_server(work / "server")
        try:
            url = delaying_proxy(int(server.url.rsplit(":", 1)[1]), args.delay)
            for r in range(args.rounds):
                order = list(modes.items()) if r % 2 == 0 else list(reversed(modes.items()))
                for name, n in order:
                    up, down = first_syncs(work, url, args.files, args.size, n)
                    times[name].append(up)
                    downs[name].append(down)
                print(f"  round {r + 1}/{args.rounds}", flush=True)
        finally:
            blob_sync.UPLOADS_AT_ONCE = blob_sync.DOWNLOADS_AT_ONCE = at_once
            server.stop()
    for what, measured in (("up", times), ("down", downs)):
        print(
            f"\nfirst sync of {args.files} files of {args.size} bytes {what}, {args.delay * 1000:.0f} ms each way, "
            f"{args.rounds} rounds"
        )
        for name, samples in measured.items():
            med = statistics.median(samples)
            per_file = med * 1000 / args.files
            print(f"{name:>14}: median {med:6.2f} s  min {min(samples):6.2f} s  ({per_file:5.1f} ms a file)")
        base, now = (statistics.median(v) for v in measured.values())
        print(f"{'ratio':>14}: {now / base:.2f}x the one-at-a-time time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
