"""Per user, seq order is commit order: concurrent pushes from several devices, pulled while they commit,
leave no change behind a cursor (the bug a shared global sequence causes on PostgreSQL).

Several devices push new entities at once (through one or two server processes) while a reader
follows the cursor page by page, as a device syncing at that moment would. Every entity must reach
the reader exactly once, and each page must hold strictly increasing seqs above the cursor.
"""

from __future__ import annotations

import threading

import pytest

from tests.fixtures.server_process import ServerProcess
from tests.server.api_client import Api, contact_list, upsert

DEVICES = 4
PUSHES = 12
PER_PUSH = 8


def _run(urls: list[str], owner: Api) -> None:
    devices = [Api.sign_in(urls[i % len(urls)], owner.email, f"device {i}") for i in range(DEVICES)]
    reader = Api.sign_in(urls[-1], owner.email, "reader")
    pushed: list[str] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    writing = threading.Event()
    writing.set()
    start = threading.Barrier(DEVICES + 1)

    def write(api: Api) -> None:
        try:
            start.wait()
            for n in range(PUSHES):
                changes = [upsert(contact_list(f"{api.device_id[:8]} {n}.{i}")) for i in range(PER_PUSH)]
                result = api.push(changes)
                assert all(r["status"] == "applied" for r in result["results"])
                with lock:
                    pushed.extend(c["entity_id"] for c in changes)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    seen: list[str] = []
    cursor = 0

    def read_page() -> bool:
        nonlocal cursor
        page = reader.pull(cursor, limit=13)
        seqs = [c["seq"] for c in page["changes"]]
        assert all(s > cursor for s in seqs) and seqs == sorted(set(seqs)), (cursor, seqs)
        seen.extend(c["entity_id"] for c in page["changes"])
        cursor = page["cursor"]
        return bool(page["has_more"])

    threads = [threading.Thread(target=write, args=(api,)) for api in devices]
    for t in threads:
        t.start()
    start.wait()
    pages = 0
    while any(t.is_alive() for t in threads):
        read_page()
        pages += 1
    for t in threads:
        t.join()
    while read_page():
        pass
    assert not errors, errors
    total = DEVICES * PUSHES * PER_PUSH
    assert len(pushed) == total
    assert len(seen) == len(set(seen)) == total, "a change was skipped or repeated by the cursor"
    assert set(seen) == set(pushed)
    assert cursor == total and reader.status()["cursor"] == total
    assert pages > 1  # the reader really read while the writers committed
    for api in (*devices, reader):
        api.close()


def test_concurrent_pushes_keep_seq_in_commit_order(server: ServerProcess, api: Api) -> None:
    _run([server.url], api)


@pytest.mark.parametrize("processes", [2])
def test_several_server_processes_on_one_database_keep_seq_in_commit_order(
    server_factory, backend: str, processes: int
) -> None:
    first = server_factory(backend)
    others = [
        server_factory(backend, database_url=first.database_url, data_dir=first.data_dir) for _ in range(processes - 1)
    ]
    owner = Api.sign_up(first.url)
    _run([first.url, *[s.url for s in others]], owner)
    owner.close()
