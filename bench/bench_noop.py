"""Benchmark (not a test): the in-process no-op sync at several sizes, against a real server process.

One server process on 127.0.0.1 (SQLite); one computer per size, seeded with that many timeline entries,
and one per ``--files`` count, holding that many small files imported through the app's services, each
signed in and synced twice (so everything is on both sides). Then ``--rounds`` rounds, each timing
``--noops`` no-op syncs of every computer in turn (interleaved, so the machine's load hits every size
alike); printed: median and minimum per size, and the ratio of each size's median to the smallest's.
The token lives in an in-memory keyring (as on a desktop) unless ``--token-file``.

    .venv/bin/python bench/bench_noop.py --sizes 1000,20000 --noops 30 --rounds 3
    .venv/bin/python bench/bench_noop.py --sizes 1000 --files 1000,5000   # computers full of files too
    .venv/bin/python bench/bench_noop.py --sizes 1000 --profile /tmp/noop.prof   # cProfile of the no-ops
    .venv/bin/python bench/bench_noop.py --sizes 1000 --spy /tmp/noop-server.txt  # py-spy of the server meanwhile
"""

from __future__ import annotations

import argparse
import cProfile
import json
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import keyring
from keyring.backend import KeyringBackend

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.fixtures.server_process
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_sync import Computer, seed, yes  # noqa: E402

from tests.fixtures.server_process import start_server  # noqa: E402


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


def seed_files(computer: Computer, count: int) -> None:
    """``count`` small files of distinct contents, imported through the app's file service."""
    source = computer.folder.parent / f"{computer.folder.name}-sources"
    source.mkdir()
    for i in range(count):
        path = source / f"stem-{i:05d}.txt"
        path.write_bytes(f"stem {i} of {computer.folder.name} {uuid.uuid4()}\n".encode())
        computer.ws.files.import_file(path)


def start_spy(pid: int, out: Path) -> subprocess.Popen[bytes]:
    if not shutil.which("py-spy"):
        raise SystemExit("--spy needs py-spy on PATH (the bench extra)")
    spy = subprocess.Popen(
        ["py-spy", "record", "--pid", str(pid), "--format", "raw", "--rate", "500", "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)  # py-spy attaches
    return spy


def stop_spy(spy: subprocess.Popen[bytes]) -> None:
    spy.send_signal(signal.SIGINT)
    try:
        spy.wait(timeout=30)
    except subprocess.TimeoutExpired:
        spy.kill()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,20000")
    ap.add_argument("--noops", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--files", default="", help="file counts: a computer holding that many small files each")
    ap.add_argument("--token-file", action="store_true", help="keep the token in a file, not the keyring")
    ap.add_argument("--profile", type=Path, help="write a cProfile of the timed no-ops here")
    ap.add_argument("--spy", type=Path, help="write py-spy's folded stacks of the server during the no-ops here")
    ap.add_argument("--json", type=Path, help="write the samples here")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",") if x]
    files = [int(x) for x in args.files.split(",") if x]
    labels = [f"@{n:>7,}" for n in sizes] + [f"@{n:>7,} files" for n in files]
    keyring.set_keyring(MemoryKeyring())
    with tempfile.TemporaryDirectory(prefix="bench-noop-") as tmp:
        work = Path(tmp)
        server = start_server(work / "server")
        computers = []
        try:
            for count, label in zip(sizes + files, labels, strict=True):
                started = time.perf_counter()
                c = Computer(work / f"noop-{label.strip('@ ').replace(',', '').replace(' ', '-')}")
                if "files" in label:
                    seed_files(c, count)
                else:
                    seed(c, count)
                c.service.sign_in(
                    server.url,
                    f"noop-{count}-{uuid.uuid4().hex[:8]}@example.org",
                    "correct horse battery staple",
                    create_account=True,
                    display_name="Bench",
                    device_name=c.folder.name,
                    token_file=c.folder / "token" if args.token_file else None,
                )
                c.sync()
                c.sync()
                computers.append(c)
                print(f"set up {label.strip()} in {time.perf_counter() - started:.1f} s", flush=True)
            samples: dict[str, list[float]] = {label: [] for label in labels}
            prof = cProfile.Profile() if args.profile else None
            spy = start_spy(server.pid, args.spy) if args.spy else None
            for _ in range(args.rounds):
                for label, c in zip(labels, computers, strict=True):
                    service = c.service
                    for _ in range(args.noops):
                        if prof is not None:
                            prof.enable()
                        t0 = time.perf_counter()
                        summary = service.sync(confirm_mass_delete=yes)
                        samples[label].append(time.perf_counter() - t0)
                        if prof is not None:
                            prof.disable()
                        assert summary.pulled == 0 and summary.pushed == 0, summary
            if spy is not None:
                stop_spy(spy)
            if prof is not None:
                prof.dump_stats(args.profile)
        finally:
            for c in computers:
                c.close()
            server.stop()
    base = statistics.median(samples[labels[0]])
    for label in labels:
        med = statistics.median(samples[label])
        print(
            f"noop {label}: median {med * 1000:7.2f} ms  min {min(samples[label]) * 1000:7.2f} ms  "
            f"({len(samples[label])} samples; {med / base:.2f}x the {labels[0].strip()} one)"
        )
    if args.json:
        args.json.write_text(json.dumps({k.strip(): v for k, v in samples.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
