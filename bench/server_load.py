"""Load test (not a unit test): N server processes on PostgreSQL and S3, many devices syncing at once.

It starts, on 127.0.0.1 only, a throwaway PostgreSQL cluster, a moto S3 server and one
``gigbag-server --workers N`` on both, signs up the accounts and signs in their devices, then every
device, for the given time (and at most the given number of operations), pushes (every fifth
batch sent twice at once with the same Idempotency-Key, the second on a new connection, so on any worker),
pulls from its cursor, and uploads files (PUT, or tus in two requests on two connections). At the
end it checks:

- no answer was a 5xx;
- every Idempotency-Key was applied once: all answers to one key are the same, and each account's
  cursor is exactly the number of changes its unique keys applied;
- each account's sequence is strictly increasing with no gap a pull can miss: every page a device
  pulled was in increasing seq order after its cursor, and a full pull from 0 has unique,
  increasing seqs ending at the account's cursor;
- all devices of an account converge: after a last pull, each device holds exactly what the
  server holds (checksum and tombstone of every entity);
- every uploaded file reads back with its SHA-256 (Range request of its last bytes too).

It prints pushes/s, pulls/s, file MB/s and p50/p99 latency per operation.

    .venv/bin/python bench/server_load.py [--workers 4] [--accounts 10] [--devices 50] [--seconds 60]

Accounts are created with ``POST /v1/accounts`` (anonymous sign-up, open on this server).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from gigbag.schema.canonical import checksum  # noqa: E402
from gigbag.schema.wire import PROTOCOL_HEADER, PROTOCOL_VERSION  # noqa: E402

PROTOCOL = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}  # every push and pull carries the protocol's version

PASSWORD = "load test password 1"
TUS = {"Tus-Resumable": "1.0.0"}
PULL_LIMIT = 50


@dataclass
class Account:
    email: str
    user_id: str = ""
    shared_ids: list[str] = field(default_factory=list)
    applied: int = 0  # changes applied by unique idempotency keys


@dataclass
class Device:
    account: Account
    token: str
    device_id: str
    cursor: int = 0
    state: dict[tuple[str, str], tuple[str | None, bool]] = field(default_factory=dict)
    own: dict[str, str] = field(default_factory=dict)  # entity id -> its latest checksum (only this device writes it)
    pushes: int = 0


@dataclass
class Report:
    seconds: float = 0.0
    ops: int = 0
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    pushes: int = 0
    pulls: int = 0
    replays: int = 0
    conflicts: int = 0
    bytes_up: int = 0
    bytes_down: int = 0
    uploads: list[tuple[Device, str, int]] = field(default_factory=list)
    answers: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)

    def fail(self, text: str) -> None:
        if len(self.failures) < 50:
            self.failures.append(text)


def _contact_list(name: str) -> dict[str, Any]:
    return {"created_at": "2026-01-02T03:04:05Z", "updated_at": "2026-01-02T03:04:05Z", "name": name}


def _upsert(entity_id: str, base: str | None) -> dict[str, Any]:
    data = _contact_list(f"list {uuid.uuid4().hex[:12]}")  # always new data: every applied change takes a seq
    return {
        "entity_type": "contact_lists",
        "entity_id": entity_id,
        "op": "upsert",
        "data": data,
        "checksum": checksum(data),
        "base_checksum": base,
    }


class Load:
    def __init__(self, url: str, report: Report, deadline: float, max_ops: int, rng: random.Random) -> None:
        self.url = url
        self.report = report
        self.deadline = deadline
        self.max_ops = max_ops
        self.rng = rng
        self.fresh = httpx.AsyncClient(
            base_url=url, timeout=120, headers=PROTOCOL, limits=httpx.Limits(max_keepalive_connections=0)
        )

    async def request(self, client: httpx.AsyncClient, kind: str, method: str, path: str, **kw: Any) -> httpx.Response:
        started = time.perf_counter()
        r = await client.request(method, path, **kw)
        self.report.latency[kind].append(time.perf_counter() - started)
        self.report.statuses[r.status_code] += 1
        if r.status_code >= 500:
            self.report.fail(f"{method} {path} answered {r.status_code}: {r.text[:200]}")
        return r

    async def push(self, client: httpx.AsyncClient, dev: Device) -> None:
        changes = []
        for _ in range(self.rng.randint(1, 4)):
            roll = self.rng.random()
            if roll < 0.15 and dev.account.shared_ids:
                eid = self.rng.choice(dev.account.shared_ids)  # written by every device: conflicts happen
                known = dev.state.get(("contact_lists", eid))
                changes.append(_upsert(eid, known[0] if known else None))
            elif roll < 0.55 and dev.own:
                eid = self.rng.choice(list(dev.own))
                changes.append(_upsert(eid, dev.own[eid]))
            else:
                changes.append(_upsert(str(uuid.uuid4()), None))
        seen = set()
        changes = [c for c in changes if not (c["entity_id"] in seen or seen.add(c["entity_id"]))]
        key = str(uuid.uuid4())
        body = {"device_id": dev.device_id, "changes": changes}
        headers = {"Authorization": f"Bearer {dev.token}", "Idempotency-Key": key}
        dev.pushes += 1
        sends = [client] + ([self.fresh] if dev.pushes % 5 == 1 else [])  # every fifth push, from the first
        answers = await asyncio.gather(*(self._push_until_answered(c, body, headers) for c in sends))
        first = None
        for text in answers:
            if text is None:
                continue
            self.report.answers[key].append(text)
            first = first or text
        if first is None:
            return
        self.report.pushes += 1
        self.report.replays += len(answers) - 1
        result = json.loads(first)
        for change, res in zip(changes, result["results"], strict=True):
            if res["status"] == "applied":
                dev.account.applied += 1
                if change["entity_id"] not in dev.account.shared_ids:
                    dev.own[change["entity_id"]] = change["checksum"]
            elif res["status"] == "conflict":
                self.report.conflicts += 1
                if change["entity_id"] in dev.own:
                    self.report.fail(f"own entity {change['entity_id']} conflicted: {res}")
            else:
                self.report.fail(f"invalid change: {res}")

    async def _push_until_answered(
        self, client: httpx.AsyncClient, body: dict[str, Any], headers: dict[str, str]
    ) -> str | None:
        for _ in range(100):
            r = await self.request(client, "push", "POST", "/v1/sync/push", json=body, headers=headers)
            if r.status_code == 200:
                return r.text
            if r.status_code == 409 and r.json().get("error") == "idempotency_key_in_flight":
                await asyncio.sleep(0.2)  # the twin request holds the key: its answer is replayed next
                continue
            self.report.fail(f"push answered {r.status_code}: {r.text[:200]}")
            return None
        self.report.fail("push stayed in flight")
        return None

    async def pull(self, client: httpx.AsyncClient, dev: Device, kind: str = "pull") -> None:
        while True:
            r = await self.request(
                client,
                kind,
                "GET",
                "/v1/sync/pull",
                params={"since": dev.cursor, "limit": PULL_LIMIT},
                headers={"Authorization": f"Bearer {dev.token}"},
            )
            if r.status_code != 200:
                self.report.fail(f"pull answered {r.status_code}")
                return
            page = r.json()
            last = dev.cursor
            for change in page["changes"]:
                if change["seq"] <= last:
                    self.report.fail(f"pull after {dev.cursor} gave seq {change['seq']} after {last}")
                last = change["seq"]
                dev.state[(change["entity_type"], change["entity_id"])] = (change["checksum"], change["deleted"])
            if page["changes"] and page["cursor"] != last:
                self.report.fail(f"cursor {page['cursor']} is not the last seq {last}")
            dev.cursor = page["cursor"]
            if kind == "pull":
                self.report.pulls += 1
            if not page["has_more"]:
                return

    async def upload(self, client: httpx.AsyncClient, dev: Device) -> None:
        size = self.rng.randint(32 * 1024, 512 * 1024)
        content = self.rng.randbytes(size)
        sha = hashlib.sha256(content).hexdigest()
        auth = {"Authorization": f"Bearer {dev.token}"}
        if self.rng.random() < 0.7:
            r = await self.request(client, "put", "PUT", f"/v1/blobs/{sha}", content=content, headers=auth)
            ok = r.status_code in (200, 201)
        else:
            meta = "sha256 " + base64.b64encode(sha.encode()).decode()
            r = await self.request(
                client,
                "tus",
                "POST",
                "/v1/uploads/",
                headers={**auth, **TUS, "Upload-Length": str(size), "Upload-Metadata": meta},
            )
            ok = r.status_code == 201
            if ok:
                where = r.headers["location"]
                half = size // 2
                patch = {**auth, **TUS, "Content-Type": "application/offset+octet-stream"}
                r = await self.request(
                    client, "tus", "PATCH", where, content=content[:half], headers={**patch, "Upload-Offset": "0"}
                )
                # the rest on a new connection: whichever worker takes it continues the upload
                head = await self.request(self.fresh, "tus", "HEAD", where, headers={**auth, **TUS})
                offset = int(head.headers.get("upload-offset", "-1"))
                if offset != half:
                    self.report.fail(f"tus offset {offset} after {half} bytes")
                r = await self.request(
                    self.fresh,
                    "tus",
                    "PATCH",
                    where,
                    content=content[offset:],
                    headers={**patch, "Upload-Offset": str(offset)},
                )
                ok = r.status_code == 204
        if not ok:
            self.report.fail(f"upload answered {r.status_code}: {r.text[:200]}")
            return
        self.report.bytes_up += size
        self.report.uploads.append((dev, sha, size))
        tail = await self.request(
            client, "get", "GET", f"/v1/blobs/{sha}", headers={**auth, "Range": f"bytes={size - 1000}-"}
        )
        if tail.status_code != 206 or tail.content != content[-1000:]:
            self.report.fail(f"range read of {sha} answered {tail.status_code}")
        self.report.bytes_down += len(tail.content)

    async def device(self, dev: Device) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=120, headers=PROTOCOL) as client:
            while time.monotonic() < self.deadline and self.report.ops < self.max_ops:
                self.report.ops += 1
                roll = 0.0 if dev.pushes == 0 else self.rng.random()  # each device starts with a push
                try:
                    if roll < 0.45:
                        await self.push(client, dev)
                    elif roll < 0.85:
                        await self.pull(client, dev)
                    else:
                        await self.upload(client, dev)
                except httpx.HTTPError as exc:
                    self.report.fail(f"{type(exc).__name__}: {exc}")


async def _sign_up(url: str, accounts: int, devices: int) -> list[Device]:
    out: list[Device] = []
    async with httpx.AsyncClient(base_url=url, timeout=120, headers=PROTOCOL) as client:
        for i in range(accounts):
            acct = Account(email=f"load-{i}-{uuid.uuid4().hex[:8]}@example.com")
            r = await client.post(
                "/v1/accounts", json={"email": acct.email, "password": PASSWORD, "display_name": f"Band {i}"}
            )
            assert r.status_code == 201, r.text
            acct.user_id = r.json()["user_id"]
            acct.shared_ids = [str(uuid.uuid4()) for _ in range(3)]
            for d in range(devices // accounts + (1 if i < devices % accounts else 0)):
                s = await client.post(
                    "/v1/sessions", json={"email": acct.email, "password": PASSWORD, "device_name": f"device {d}"}
                )
                assert s.status_code == 201, s.text
                out.append(Device(acct, s.json()["token"], s.json()["device_id"]))
    return out


async def _verify(url: str, devices: list[Device], report: Report, load: Load) -> None:
    for key, texts in report.answers.items():
        if len(set(texts)) != 1:
            report.fail(f"idempotency key {key} got different answers")
    async with httpx.AsyncClient(base_url=url, timeout=120, headers=PROTOCOL) as client:
        for dev in devices:
            await load.pull(client, dev, kind="final pull")
        by_account: dict[str, list[Device]] = defaultdict(list)
        for dev in devices:
            by_account[dev.account.user_id].append(dev)
        for account_devices in by_account.values():
            first = account_devices[0]
            truth = Device(first.account, first.token, first.device_id)
            seqs: list[int] = []
            cursor = 0
            while True:
                page = (
                    await client.get(
                        "/v1/sync/pull",
                        params={"since": cursor, "limit": 1000},
                        headers={"Authorization": f"Bearer {first.token}"},
                    )
                ).json()
                seqs += [c["seq"] for c in page["changes"]]
                for c in page["changes"]:
                    truth.state[(c["entity_type"], c["entity_id"])] = (c["checksum"], c["deleted"])
                cursor = page["cursor"]
                if not page["has_more"]:
                    break
            status = (await client.get("/v1/sync/status", headers={"Authorization": f"Bearer {first.token}"})).json()
            if seqs != sorted(set(seqs)):
                report.fail(f"account {first.account.email}: seqs not unique and increasing")
            if status["cursor"] != first.account.applied:
                report.fail(
                    f"account {first.account.email}: cursor {status['cursor']} but "
                    f"{first.account.applied} changes applied by unique keys (a key applied twice?)"
                )
            if seqs and seqs[-1] != status["cursor"]:
                report.fail(f"account {first.account.email}: last seq {seqs[-1]} != cursor {status['cursor']}")
            for dev in account_devices:
                if dev.state != truth.state or dev.cursor != status["cursor"]:
                    report.fail(f"device {dev.device_id} did not converge")
        for dev, sha, _size in report.uploads:
            async with client.stream("GET", f"/v1/blobs/{sha}", headers={"Authorization": f"Bearer {dev.token}"}) as r:
                digest = hashlib.sha256()
                async for chunk in r.aiter_bytes():
                    digest.update(chunk)
            if r.status_code != 200 or digest.hexdigest() != sha:
                report.fail(f"blob {sha} reads back wrong ({r.status_code})")


async def drive(url: str, *, accounts: int, devices: int, seconds: float, max_ops: int, seed: int = 7) -> Report:
    report = Report()
    all_devices = await _sign_up(url, accounts, devices)
    started = time.monotonic()
    load = Load(url, report, started + seconds, max_ops, random.Random(seed))
    try:
        await asyncio.gather(*(load.device(d) for d in all_devices))
        report.seconds = time.monotonic() - started
        await _verify(url, all_devices, report, load)
    finally:
        await load.fresh.aclose()
    return report


def _ms(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def summary(report: Report) -> str:
    s = max(report.seconds, 1e-9)
    lines = [
        f"{report.ops} operations in {report.seconds:.1f} s: {report.pushes / s:.1f} pushes/s, "
        f"{report.pulls / s:.1f} pulls/s, {(report.bytes_up + report.bytes_down) / s / 1e6:.2f} MB/s of files "
        f"({report.bytes_up / 1e6:.1f} MB up, {report.bytes_down / 1e6:.1f} MB down)",
        f"{report.replays} pushes sent twice with one key, {report.conflicts} conflicts, "
        f"{len(report.uploads)} files, statuses {dict(sorted(report.statuses.items()))}",
    ]
    for kind, values in sorted(report.latency.items()):
        lines.append(
            f"  {kind:<10} n={len(values):<6} p50 {_ms(values, 0.5):7.1f} ms  p99 {_ms(values, 0.99):7.1f} ms"
            f"  mean {statistics.fmean(values) * 1000:7.1f} ms"
        )
    lines.append(
        "OK: no 5xx, keys applied once, sequences without gaps, devices converged"
        if not report.failures
        else "FAILED:\n  " + "\n  ".join(report.failures)
    )
    return "\n".join(lines)


def run_on(
    database_url: str,
    s3: Any,
    *,
    workers: int,
    accounts: int,
    devices: int,
    seconds: float,
    max_ops: int,
    work_dir: Path,
) -> Report:
    """Start ``gigbag-server --workers N`` on this database and S3 server, drive the load, stop it."""
    from tests.fixtures.server_process import start_server

    bucket = s3.new_bucket("gigbag-load")
    server = start_server(
        work_dir / "server",
        database_url,
        env=s3.env,
        extra_args=["--workers", str(workers), "--blob-store", f"s3://{bucket}/load", "--log-level", "warning"],
    )
    try:
        return asyncio.run(drive(server.url, accounts=accounts, devices=devices, seconds=seconds, max_ops=max_ops))
    finally:
        server.stop()


def run(workers: int, accounts: int, devices: int, seconds: float, max_ops: int, work_dir: Path) -> Report:
    """Start PostgreSQL and moto (both on 127.0.0.1) too, and stop them at the end."""
    from tests.fixtures.postgres import external_or_cluster
    from tests.fixtures.s3 import start_moto

    pg = external_or_cluster()
    s3 = start_moto(log_path=work_dir / "moto.log")
    try:
        return run_on(
            pg.create_database("gigbag_load"),
            s3,
            workers=workers,
            accounts=accounts,
            devices=devices,
            seconds=seconds,
            max_ops=max_ops,
            work_dir=work_dir,
        )
    finally:
        s3.stop()
        pg.stop()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--accounts", type=int, default=10)
    p.add_argument("--devices", type=int, default=50)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--max-ops", type=int, default=200_000, help="stop after this many operations in all")
    p.add_argument("--work-dir", type=Path, default=None)
    args = p.parse_args()
    import tempfile

    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="gigbag-load-"))
    os.makedirs(work_dir, exist_ok=True)
    print(
        f"{args.workers} workers on PostgreSQL and S3 (moto), {args.devices} devices of {args.accounts} accounts, "
        f"{args.seconds:.0f} s; logs in {work_dir}",
        flush=True,
    )
    report = run(args.workers, args.accounts, args.devices, args.seconds, args.max_ops, work_dir)
    print(summary(report))
    return 1 if report.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
