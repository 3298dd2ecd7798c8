"""Benchmark (not a test): every sync workload of issue 11, against its floor and Anki, in one run.

Against a real ``gigbag-server`` process on 127.0.0.1 (SQLite; PostgreSQL too with ``--pg-url``), round by
round, it times: the first sync of a computer holding N timeline entries of two short fields (upload); the
first sync of a new computer (download N); a push of M edits; the pull of those on the other computer; a
no-op sync in-process (at N, and on computers holding the ``--noop-sizes`` counts); ``gigbag sync`` no-op as
a whole process; ``gigbag --version`` as a process; and creating N entities through the app's services, one
by one (``create``, ``--create-each`` of them) and all at once with the bulk path of imports (``create many``,
``create_many``).

Each workload also gets its floor, measured in the same round (loopback_floor.py: the same rows written
with one executemany into SQLite on each side plus one HTTP POST of their bytes; for processes, a bare
``python -c pass``), and — when ``anki`` is importable — Anki 26.9.3's time for the equivalent workload
(anki_peer.py), its rounds interleaved with Gigbag's so the machine's noise hits both. Printed per workload:
Gigbag's median and minimum over the rounds, the floor's median, Gigbag / floor, Anki's median and
Gigbag / Anki.

    .venv/bin/python bench/bench_sync.py --quick            # about a minute
    .venv/bin/python bench/bench_sync.py                     # the issue's sizes: 20,000 / 5,000, 5 rounds
    .venv/bin/python bench/bench_sync.py --pg-url postgresql://postgres@127.0.0.1:54329/postgres
    .venv/bin/python bench/bench_sync.py --quick --pg      # PostgreSQL too, on a throwaway durable cluster
    .venv/bin/python bench/bench_sync.py --quick --profile /tmp/prof   # cProfile (client) + py-spy (server)
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.fixtures.server_process
sys.path.insert(0, str(Path(__file__).resolve().parent))

import anki_peer  # noqa: E402
from bytecode import compile_package  # noqa: E402
from loopback_floor import Floor, Row, write_rows  # noqa: E402
from sqlalchemy import text  # noqa: E402

from gigbag.app.sync_service import SyncService  # noqa: E402
from gigbag.app.workspace import Workspace  # noqa: E402
from gigbag.schema.fields import utc_now  # noqa: E402
from tests.fixtures.server_process import ServerProcess, start_server  # noqa: E402

PASSWORD = "correct horse battery staple"
BIN = Path(sys.executable).parent


def yes(deletions: int, total: int) -> bool:
    return True


# ---- Gigbag computers ----------------------------------------------------------------------------
@dataclass
class Computer:
    folder: Path
    ws: Workspace = field(init=False)

    def __post_init__(self) -> None:
        self.ws = Workspace.open(self.folder)

    @property
    def service(self) -> SyncService:
        return SyncService(self.ws)

    def sign_in(self, server: ServerProcess, email: str, create: bool) -> None:
        self.service.sign_in(
            server.url,
            email,
            PASSWORD,
            create_account=create,
            display_name="Bench",
            device_name=self.folder.name,
            token_file=self.folder / "token",
        )

    def sync(self) -> float:
        started = time.perf_counter()
        self.service.sync(confirm_mass_delete=yes)
        return time.perf_counter() - started

    def close(self) -> None:
        self.ws.close()


def entity_rows(count: int, tag: str) -> list[dict[str, str]]:
    now = utc_now()
    return [
        {
            "id": str(uuid.uuid4()),
            "created_at": now,
            "updated_at": now,
            "date": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "title": f"Gig {tag} {i:06d}",
            "entry_type": "gig",
        }
        for i in range(count)
    ]


def seed(computer: Computer, count: int) -> None:
    """Insert ``count`` timeline entries with plain SQL: the capture triggers log them as local edits."""
    rows = entity_rows(count, computer.folder.name)
    with computer.ws.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO timeline_entries (id, created_at, updated_at, date, title, entry_type) "
                "VALUES (:id, :created_at, :updated_at, :date, :title, :entry_type)"
            ),
            rows,
        )


def edit(computer: Computer, count: int, tag: str) -> None:
    with computer.ws.engine.begin() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM timeline_entries ORDER BY id LIMIT :n"), {"n": count})]
        conn.execute(
            text("UPDATE timeline_entries SET title = title || :tag, updated_at = :now WHERE id = :id"),
            [{"tag": f" {tag}", "now": utc_now(), "id": i} for i in ids],
        )


def floor_rows(count: int) -> list[Row]:
    return [(r["id"], r["title"], r["date"], r["created_at"], r["updated_at"]) for r in entity_rows(count, "floor")]


def process_seconds(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


# ---- profiling ---------------------------------------------------------------------------------
class Profiler:
    """cProfile around the client's call; py-spy (raw, folded stacks) on the server process meanwhile."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        if folder:
            folder.mkdir(parents=True, exist_ok=True)

    def run(self, name: str, server: ServerProcess | None, action: Callable[[], float]) -> float:
        if self.folder is None:
            return action()
        spy = None
        if server is not None and shutil.which("py-spy"):
            spy = subprocess.Popen(
                [
                    "py-spy",
                    "record",
                    "--pid",
                    str(server.pid),
                    "--format",
                    "raw",
                    "--rate",
                    "200",
                    "-o",
                    str(self.folder / f"server-{name}.txt"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(1.0)  # py-spy attaches
        profile = cProfile.Profile()
        profile.enable()
        try:
            return action()
        finally:
            profile.disable()
            profile.dump_stats(str(self.folder / f"client-{name}.pstats"))
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                try:
                    spy.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    spy.kill()


# ---- one round of each contender -----------------------------------------------------------------
Samples = dict[str, list[float]]


@dataclass
class Sizes:
    entities: int
    edits: int
    noops: int  # no-op syncs per round (each a sample)
    create: int  # created at once through the services' bulk path ("create many")
    create_each: int  # created one by one through the services ("create")


def gigbag_round(server: ServerProcess, work: Path, sizes: Sizes, prof: Profiler) -> Samples:
    out: Samples = defaultdict(list)
    email = f"bench-{uuid.uuid4().hex[:10]}@example.org"
    a, b = Computer(work / "gigbag-a"), Computer(work / "gigbag-b")
    try:
        seed(a, sizes.entities)
        a.sign_in(server, email, create=True)
        out["upload"].append(prof.run("upload", server, a.sync))
        b.sign_in(server, email, create=False)
        out["download"].append(prof.run("download", server, b.sync))
        edit(a, sizes.edits, "edited")
        out["push"].append(prof.run("push", server, a.sync))
        out["pull"].append(prof.run("pull", server, b.sync))
        b.sync()
        out["noop"].append(prof.run("noop", server, b.sync))
        out["noop"] += [b.sync() for _ in range(sizes.noops - 1)]
        b.close()
        out["noop process"].append(process_seconds([str(BIN / "gigbag"), "--data-dir", str(b.folder), "sync", "--yes"]))
        out["version process"].append(process_seconds([str(BIN / "gigbag"), "--version"]))
        if sizes.create_each:
            c = Computer(work / "gigbag-c")
            try:
                started = time.perf_counter()
                for i in range(sizes.create_each):
                    c.ws.timeline.create({"date": "2026-12-01", "title": f"Gig {i:06d}", "entry_type": "gig"})
                out["create"].append(time.perf_counter() - started)
            finally:
                c.close()
        if sizes.create:
            d = Computer(work / "gigbag-d")
            try:
                items = [
                    {"date": "2026-12-01", "title": f"Gig {i:06d}", "entry_type": "gig"} for i in range(sizes.create)
                ]
                started = time.perf_counter()
                d.ws.timeline.create_many(items)
                out["create many"].append(time.perf_counter() - started)
            finally:
                d.close()
    finally:
        a.close()
        b.close()
    return out


def anki_round(server: anki_peer.AnkiServer, work: Path, sizes: Sizes) -> Samples:
    out: Samples = defaultdict(list)
    a = anki_peer.AnkiComputer(work / "anki-a", server)
    b = anki_peer.AnkiComputer(work / "anki-b", server)
    try:
        out["create many"].append(a.add_notes(sizes.create))  # its import path; Gigbag's "create many" peer
        if sizes.create_each == sizes.create:
            out["create"] = list(out["create many"])
        if sizes.entities > sizes.create:
            a.add_notes(sizes.entities - sizes.create)
        a.login()
        b.login()
        for name, computer in (("upload", a), ("download", b)):
            started = time.perf_counter()
            computer.sync()
            out[name].append(time.perf_counter() - started)
        a.edit_notes(sizes.edits, "edited")
        for name, computer in (("push", a), ("pull", b)):
            started = time.perf_counter()
            computer.sync()
            out[name].append(time.perf_counter() - started)
        b.sync()
        for _ in range(sizes.noops):
            started = time.perf_counter()
            b.sync()
            out["noop"].append(time.perf_counter() - started)
        out["noop process"].append(anki_peer.noop_process(b))
        out["version process"].append(process_seconds([sys.executable, "-c", "import anki.collection"]))
    finally:
        a.close()
        b.close()
    return out


def floor_round(floor: Floor, sizes: Sizes) -> Samples:
    out: Samples = defaultdict(list)
    out["upload"].append(floor.measure(floor_rows(sizes.entities)))
    out["download"].append(floor.measure(floor_rows(sizes.entities)))
    out["push"].append(floor.measure(floor_rows(sizes.edits)))
    out["pull"].append(floor.measure(floor_rows(sizes.edits)))
    out["noop"] += [floor.measure([]) for _ in range(sizes.noops)]
    bare = process_seconds([sys.executable, "-c", "pass"])
    out["noop process"].append(bare + floor.measure([]))
    out["version process"].append(bare)
    for name, count in (("create", sizes.create_each), ("create many", sizes.create)):
        rows = floor_rows(count)
        started = time.perf_counter()
        write_rows(floor.client_db, rows)
        out[name].append(time.perf_counter() - started)
    return out


# ---- no-op at other sizes: computers set up once ---------------------------------------------------
@dataclass
class NoopFixture:
    label: str
    gigbag: Computer
    anki: anki_peer.AnkiComputer | None


def noop_fixtures(
    server: ServerProcess, anki_server: anki_peer.AnkiServer | None, work: Path, counts: list[int]
) -> list[NoopFixture]:
    fixtures = []
    for count in counts:
        started = time.perf_counter()
        g = Computer(work / f"noop-{count}")
        seed(g, count)
        g.sign_in(server, f"noop-{count}-{uuid.uuid4().hex[:8]}@example.org", create=True)
        g.sync()
        g.sync()
        k = None
        if anki_server is not None:
            k = anki_peer.AnkiComputer(work / f"anki-noop-{count}", anki_server)
            k.add_notes(count)
            k.login()
            k.sync()
            k.sync()
        print(f"  set up no-op computers with {count:,} entities in {time.perf_counter() - started:.1f} s", flush=True)
        fixtures.append(NoopFixture(f"noop @{count:,}", g, k))
    return fixtures


def noop_round(fixtures: list[NoopFixture], noops: int, anki: bool) -> Samples:
    """``noops`` no-op syncs of each fixture's Gigbag computer, or (``anki``) of its Anki collection."""
    out: Samples = defaultdict(list)
    for f in fixtures:
        if not anki:
            out[f.label] += [f.gigbag.sync() for _ in range(noops)]
        elif f.anki is not None:
            for _ in range(noops):
                started = time.perf_counter()
                f.anki.sync()
                out[f.label].append(time.perf_counter() - started)
    return out


def add(into: Samples, samples: Samples) -> None:
    for k, v in samples.items():
        into[k] += v


def run_gigbag(server: ServerProcess, fixtures: list[NoopFixture], folder: Path, sizes: Sizes, into: Samples) -> None:
    add(into, gigbag_round(server, folder, sizes, Profiler(None)))
    shutil.rmtree(folder, ignore_errors=True)
    add(into, noop_round(fixtures, sizes.noops, anki=False))


def run_anki(
    server: anki_peer.AnkiServer, fixtures: list[NoopFixture], folder: Path, sizes: Sizes, into: Samples
) -> None:
    add(into, anki_round(server, folder, sizes))
    shutil.rmtree(folder, ignore_errors=True)
    add(into, noop_round(fixtures, sizes.noops, anki=True))


def run_floor(floor: Floor, fixtures: list[NoopFixture], sizes: Sizes, into: Samples) -> None:
    add(into, floor_round(floor, sizes))
    for f in fixtures:
        into[f.label] += [floor.measure([]) for _ in range(sizes.noops)]


# ---- report ------------------------------------------------------------------------------------
def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def report(title: str, order: list[str], gig: Samples, floor: Samples, anki: Samples) -> list[dict[str, Any]]:
    print(f"\n{title}")
    head = f"{'workload':<22} {'median':>10} {'min':>10} {'floor':>10} {'×floor':>8} {'Anki':>10} {'×Anki':>8}"
    print(head)
    print("-" * len(head))
    lines = []
    for name in order:
        if not gig.get(name):
            continue
        med, low = statistics.median(gig[name]), min(gig[name])
        fl = statistics.median(floor[name]) if floor.get(name) else None
        an = statistics.median(anki[name]) if anki.get(name) else None
        ratio_f = f"{med / fl:.1f}×" if fl else "—"
        ratio_a = f"{med / an:.1f}×" if an else "—"
        print(f"{name:<22} {fmt(med):>10} {fmt(low):>10} {fmt(fl):>10} {ratio_f:>8} {fmt(an):>10} {ratio_a:>8}")
        lines.append(
            {
                "workload": name,
                "median": med,
                "min": low,
                "floor": fl,
                "anki": an,
                "samples": gig[name],
                "anki_samples": anki.get(name, []),
            }
        )
    return lines


def server_args() -> list[str]:
    """``--signup open`` if this server has the flag (sign-up may become closed by default)."""
    help_text = subprocess.run(
        [sys.executable, "-m", "gigbag.server", "--help"], capture_output=True, text=True, check=False
    ).stdout
    return ["--signup", "open"] if re.search(r"--signup(?![-\w])", help_text) else []


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="2,000 entities, 500 edits, 3 rounds, no-op at 1k/10k")
    ap.add_argument("--rounds", type=int)
    ap.add_argument("--entities", type=int)
    ap.add_argument("--edits", type=int)
    ap.add_argument("--create", type=int, help="entities created through the services (default: --entities)")
    ap.add_argument("--create-each", type=int, help="of those, created one by one (default: --create; 0: skip)")
    ap.add_argument("--noops", type=int, default=5, help="no-op syncs per round")
    ap.add_argument("--noop-sizes", help="comma-separated entity counts of the extra no-op computers")
    ap.add_argument("--pg-url", help="also run against a server on this PostgreSQL database")
    ap.add_argument("--pg", action="store_true", help="also run against PostgreSQL: a throwaway durable cluster")
    ap.add_argument("--no-anki", action="store_true", help="skip Anki even if it is installed")
    ap.add_argument("--profile", type=Path, help="profile one extra round into this folder (cProfile + py-spy)")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = ap.parse_args()
    compile_package(ROOT)
    q = args.quick
    rounds = args.rounds or (3 if q else 5)
    entities = args.entities or (2000 if q else 20000)
    create = args.create or entities
    create_each = create if args.create_each is None else args.create_each
    sizes = Sizes(entities, args.edits or (500 if q else 5000), args.noops, create, create_each)
    noop_sizes = [int(x) for x in (args.noop_sizes or ("1000,10000" if q else "1000,100000")).split(",") if x]
    with_anki = anki_peer.available() and not args.no_anki

    print(
        f"bench_sync: {entities:,} entities, {sizes.edits:,} edits, {rounds} rounds, no-op at {noop_sizes}; "
        f"Anki: {'yes' if with_anki else 'no (pip install -e .[bench])'}; cores: {os.cpu_count()}",
        flush=True,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped: the servers still get stopped
    work = Path(tempfile.mkdtemp(prefix="gigbag-bench-sync-"))
    extra = server_args()
    servers = {"SQLite": start_server(work / "server-sqlite", extra_args=extra)}
    cluster = None
    if args.pg and not args.pg_url:
        from pg_cluster import start_durable_cluster

        cluster = start_durable_cluster()
        args.pg_url = cluster.create_database("gigbag_bench")
    if args.pg_url:
        servers["PostgreSQL"] = start_server(work / "server-pg", args.pg_url, extra_args=extra)
    anki_server = anki_peer.start_server(work / "anki-server") if with_anki else None
    floor = Floor(work / "floor")
    order = ["upload", "download", "push", "pull", "noop"]
    results: dict[str, Any] = {"sizes": sizes.__dict__, "rounds": rounds}
    try:
        fixtures = {
            name: noop_fixtures(s, anki_server if name == "SQLite" else None, work / name, noop_sizes)
            for name, s in servers.items()
        }
        order += [f.label for f in fixtures["SQLite"]] + ["noop process", "version process", "create", "create many"]
        gig: dict[str, Samples] = {name: defaultdict(list) for name in servers}
        fl: Samples = defaultdict(list)
        ank: Samples = defaultdict(list)
        for r in range(rounds):
            started = time.perf_counter()
            contenders: list[Callable[[], None]] = [
                partial(run_gigbag, servers[name], fixtures[name], work / f"round-{r}-{name}", sizes, gig[name])
                for name in servers
            ]
            if anki_server is not None:
                contenders.append(
                    partial(run_anki, anki_server, fixtures["SQLite"], work / f"round-{r}-anki", sizes, ank)
                )
            contenders.append(partial(run_floor, floor, fixtures["SQLite"], sizes, fl))
            if r % 2:
                contenders.reverse()  # neither side always goes first
            for run in contenders:
                run()
            print(f"  round {r + 1}/{rounds} in {time.perf_counter() - started:.1f} s", flush=True)
            if args.json:  # the samples so far, in case a long run is stopped
                args.json.write_text(json.dumps({"gigbag": gig, "floor": fl, "anki": ank}, indent=1))
        for name in servers:
            results[name] = report(f"Gigbag ({name} server) — {rounds} rounds", order, gig[name], fl, ank)
        if args.profile:
            print(f"\nprofiling one more round into {args.profile} …", flush=True)
            gigbag_round(
                servers["SQLite"],
                work / "profile-round",
                replace(sizes, create=0, create_each=0),
                Profiler(args.profile),
            )
            print("  client: python -m pstats FILE; server: folded stacks (bench/folded_top.py FILE)")
    finally:
        for s in servers.values():
            s.stop()
        if anki_server is not None:
            anki_server.stop()
        floor.stop()
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
