"""Benchmark (not a test): a big file up and down through Gigbag vs a raw loopback socket copy to disk.

One real ``gigbag-server`` on 127.0.0.1; two computers (data folders) signed in to one account with the
documented token-file fallback; every transfer is a whole ``gigbag sync --yes --json`` process (as an artist
runs it), its peak RSS read with wait4. Per round, interleaved: the raw copy (a sender process reads the
file and ``sendfile``s it over a loopback TCP socket to a receiver that writes it to disk and fsyncs: the
machine's line rate to disk), the upload and the download. Printed: MiB/s of each (over the whole process,
and net of a no-op sync process measured in the same round), the ratio to the raw copy, the peak RSS a
transfer adds over a no-op sync for the client and for the server, and a resumed upload: the client killed
part-way, then synced again; the bytes that run sent against the bytes the server was missing.

    .venv/bin/python bench/bench_files.py --size 256MiB --rounds 2      # quick
    .venv/bin/python bench/bench_files.py                               # 1 GiB, 3 rounds
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bytecode import compile_package  # noqa: E402

from gigbag.app.workspace import Workspace  # noqa: E402
from tests.fixtures.server_process import ServerProcess, start_server  # noqa: E402

PASSWORD = "correct horse battery staple"
ENV = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
MIB = 1024 * 1024
BLOCK = 8 * MIB


def parse_size(text: str) -> int:
    units = {"gib": 1024**3, "gb": 1024**3, "mib": MIB, "mb": MIB, "kib": 1024, "": 1}
    t = text.strip().lower()
    num = t.rstrip("abcdefghijklmnopqrstuvwxyz")
    return int(float(num) * units[t[len(num) :]])


def write_big_file(path: Path, size: int) -> None:
    """Incompressible content, quickly: one random block with a counter in front."""
    base = os.urandom(BLOCK)
    with path.open("wb") as fh:
        written = counter = 0
        while written < size:
            block = (counter.to_bytes(8, "big") + base[8:])[: size - written]
            fh.write(block)
            written += len(block)
            counter += 1


# ---- the raw copy ------------------------------------------------------------------------------
RECEIVER = """
import os, socket, sys
srv = socket.create_server(("127.0.0.1", 0))
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
buf = bytearray(1 << 20)
view = memoryview(buf)
with open(sys.argv[1], "wb", buffering=0) as out:
    while (n := conn.recv_into(buf)):
        out.write(view[:n])
    os.fsync(out.fileno())
conn.sendall(b"k")
conn.close()
"""


def raw_copy(source: Path, target: Path) -> float:
    """Seconds to carry ``source`` over a loopback socket into ``target`` (fsynced), receiver in its own process."""
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER, str(target)], stdout=subprocess.PIPE, text=True)
    assert receiver.stdout is not None
    port = int(receiver.stdout.readline())
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as sock, source.open("rb") as fh:
        sock.sendfile(fh)
        sock.shutdown(socket.SHUT_WR)
        sock.recv(1)
    elapsed = time.perf_counter() - started
    receiver.wait(timeout=30)
    target.unlink()
    return elapsed


# ---- Gigbag processes --------------------------------------------------------------------------
def gigbag(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gigbag", *args, "--data-dir", str(data_dir)],
        input=stdin,
        capture_output=True,
        text=True,
        env=ENV,
        check=True,
    )


# wait4's ru_maxrss of a child counts the memory of the process it was forked from (Linux keeps the
# high-water mark across exec), so a small launcher process forks the measured one and reports its peak.
LAUNCHER = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status) if os.waitstatus_to_exitcode(status) >= 0 else 99)
"""


def sync_measured(data_dir: Path, kill_when: Any = None) -> tuple[float, int, dict[str, Any] | None]:
    """One ``gigbag sync`` process: (seconds, peak RSS KiB, its JSON summary or None if killed)."""
    out_path = data_dir.parent / f"{data_dir.name}-sync.json"
    rss_path = data_dir.parent / f"{data_dir.name}-rss.txt"
    command = [sys.executable, "-m", "gigbag", "sync", "--yes", "--json", "--data-dir", str(data_dir)]
    with out_path.open("w") as out:
        started = time.perf_counter()
        if kill_when is not None:
            proc = subprocess.Popen(command, env=ENV, stdout=out, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 600
            while not kill_when() and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return time.perf_counter() - started, 0, None
        done = subprocess.run(
            [sys.executable, "-c", LAUNCHER, str(rss_path), *command],
            env=ENV,
            stdout=out,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"gigbag sync failed: {out_path.read_text()}")
    return elapsed, int(rss_path.read_text()), json.loads(out_path.read_text())


def reset_peak(server: ServerProcess) -> None:
    """Reset the server's VmHWM (Linux: writing 5 to clear_refs), so each transfer's peak is its own."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{server.pid}/clear_refs").write_text("5")


def login(data_dir: Path, server: ServerProcess, email: str, create: bool) -> None:
    args = [
        "login",
        "--server",
        server.url,
        "--email",
        email,
        "--password-stdin",
        "--insecure-token-file",
        str(data_dir.parent / f"{data_dir.name}.token"),
    ]
    if create:
        args += ["--create-account", "--display-name", "Bench"]
    gigbag(data_dir, *args, stdin=PASSWORD + "\n")


def server_args() -> list[str]:
    help_text = subprocess.run(
        [sys.executable, "-m", "gigbag.server", "--help"], capture_output=True, text=True, check=False
    ).stdout
    args = ["--storage-quota", "1000GiB", "--daily-upload-limit", "off"]
    return args + (["--signup", "open"] if re.search(r"--signup(?![-\w])", help_text) else [])


def mib_s(size: int, seconds: float) -> float:
    return size / MIB / seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="1GiB", help="file size, e.g. 1GiB, 256MiB (default 1GiB)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = ap.parse_args()
    compile_package(ROOT)
    size = parse_size(args.size)
    work = Path(tempfile.mkdtemp(prefix="gigbag-bench-files-"))
    print(f"bench_files: {size / MIB:,.0f} MiB, {args.rounds} rounds, in {work}; cores: {os.cpu_count()}", flush=True)
    server = start_server(work / "server", extra_args=server_args())
    samples: dict[str, list[float]] = defaultdict(list)
    try:
        source = work / "source.bin"
        for r in range(args.rounds):
            write_big_file(source, size)  # new content each round: the server never already has it
            email = f"files-{r}-{os.getpid()}@example.org"
            up, down = work / f"up-{r}", work / f"down-{r}"
            login(up, server, email, create=True)
            login(down, server, email, create=False)
            with Workspace.open(up) as ws:
                ws.files.import_file(source)
            # the no-op baselines of the round: client RSS and time of a sync process that moves nothing
            noop_s, noop_rss, _ = sync_measured(down)
            server_noop = server.memory_peak_kib()
            samples["noop process s"].append(noop_s)
            samples["noop client peak RSS MiB"].append(noop_rss / 1024)
            order = ["raw", "up", "down"] if r % 2 == 0 else ["up", "down", "raw"]  # up before down
            for step in order:
                if step == "raw":
                    samples["raw MiB/s"].append(mib_s(size, raw_copy(source, work / "raw-target.bin")))
                    continue
                reset_peak(server)
                before = server.memory_rss_kib()
                seconds, rss, summary = sync_measured(up if step == "up" else down)
                assert summary is not None
                moved = summary["bytes_up"] if step == "up" else summary["bytes_down"]
                if moved != size:
                    raise RuntimeError(f"{step}: moved {moved} bytes of {size}: {summary}")
                samples[f"{step} MiB/s"].append(mib_s(size, seconds))
                samples[f"{step} net MiB/s"].append(mib_s(size, max(seconds - noop_s, 1e-6)))
                samples[f"{step} client peak RSS MiB"].append(rss / 1024)
                samples[f"{step} client +RSS MiB"].append((rss - noop_rss) / 1024)
                samples[f"{step} server +RSS MiB"].append((server.memory_peak_kib() - max(before, server_noop)) / 1024)
            shutil.rmtree(down, ignore_errors=True)
            shutil.rmtree(up, ignore_errors=True)
            last = {k: v[-1] for k, v in samples.items()}
            print(
                f"  round {r + 1}/{args.rounds}: raw {last['raw MiB/s']:.0f}, up {last['up MiB/s']:.0f}, "
                f"down {samples['down MiB/s'][-1]:.0f} MiB/s",
                flush=True,
            )

        # a resumed upload: kill the client once the server holds about 40%, then sync again
        write_big_file(source, size)
        up = work / "resume"
        login(up, server, f"files-resume-{os.getpid()}@example.org", create=True)
        with Workspace.open(up) as ws:
            ws.files.import_file(source)
        uploads = server.data_dir / "blobs" / ".uploads"

        def held() -> int:
            return sum(p.stat().st_size for p in uploads.glob("*") if p.is_file()) if uploads.exists() else 0

        sync_measured(up, kill_when=lambda: held() >= size * 0.4)
        settled = -1
        while settled != held():  # the server finishes writing what it had received
            settled = held()
            time.sleep(0.5)
        missing = size - settled
        _, _, summary = sync_measured(up)
        assert summary is not None
        resumed_sent = summary["bytes_up"]
        if summary["files_up"] != 1:
            raise RuntimeError(f"the resumed upload did not finish: {summary}")
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)

    raw = statistics.median(samples["raw MiB/s"])
    print(f"\nbench_files: {size / MIB:,.0f} MiB, {args.rounds} rounds (medians; min/max in brackets)")
    print(f"{'':<26} {'median':>10} {'range':>20} {'÷ raw':>8}")
    for key in (
        "raw MiB/s",
        "up MiB/s",
        "up net MiB/s",
        "down MiB/s",
        "down net MiB/s",
        "noop process s",
        "noop client peak RSS MiB",
        "up client peak RSS MiB",
        "down client peak RSS MiB",
        "up client +RSS MiB",
        "down client +RSS MiB",
        "up server +RSS MiB",
        "down server +RSS MiB",
    ):
        vals = samples[key]
        ratio = f"{statistics.median(vals) / raw:.2f}" if key.endswith("MiB/s") and key != "raw MiB/s" else ""
        print(f"{key:<26} {statistics.median(vals):>10.1f} {f'[{min(vals):.1f}, {max(vals):.1f}]':>20} {ratio:>8}")
    excess = resumed_sent - missing
    print(
        f"resumed upload: server missing {missing / MIB:.1f} MiB after the kill; the resumed sync sent "
        f"{resumed_sent / MIB:.1f} MiB ({excess / MIB:+.1f} MiB)"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {"size": size, "samples": samples, "resume_missing": missing, "resume_sent": resumed_sent}, indent=2
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
