"""A pull page read through the driver's cursor is the page the Core statement gives, byte for byte, and
its framed form (protocol 4) holds the very same changes, data text and bounds.

``sync_store.pull_page`` reads a page's rows with plain SQL through the driver (``core=True``: with the
Core statement it used before); both feed the same rendering. Compared here on SQLite and PostgreSQL over
pages of unicode, floats, nested data, tombstones and rows written before migration 0005, at every cursor,
with skip ranges, count bounds and byte bounds that end pages at each row.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import insert, update

from gigbag.schema.canonical import checksum
from gigbag.server import sync_store
from gigbag.server.database import Database
from gigbag.server.tables import entities, user_counters
from tests.fixtures.server_process import ServerProcess
from tests.server.api_client import Api, contact_list, delete, upsert
from tests.server.server_db import server_engine

STAMP = "2026-01-02T03:04:05Z"
ODD_TEXT = 'Fans 🎸 ünd\u2028Presse "quoted" back\\slash\ttab \x01 \U0001f600 e\u0301'


def _journal(title: str) -> dict[str, Any]:
    return {
        "created_at": STAMP,
        "updated_at": STAMP,
        "title": title,
        "content": [
            {"type": "text", "text": ODD_TEXT, "marks": [{"kind": "bold", "range": [0, 4]}]},
            {"type": "list", "items": [{"text": "één"}, {"text": "二", "nested": {"deeper": [1, 2.5, None, True]}}]},
        ],
        "entry_type": "general_note",
    }


def _progress(value: float) -> dict[str, Any]:
    return {
        "updated_at": STAMP,  # keys out of canonical order: stored canonical (sorted)
        "created_at": STAMP,
        "goal_id": str(uuid.uuid4()),
        "value": value,
        "note": f"{value!r} ✓",
        "recorded_at": STAMP,
    }


@pytest.fixture
def database(server: ServerProcess) -> Iterator[Database]:
    db = Database(server_engine(server))
    yield db
    db.dispose()


def _fill(api: Api, db: Database) -> list[dict[str, Any]]:
    """Versions of every kind the server holds for ``api``'s user; returns what was pushed, in seq order."""
    pushed = [
        upsert(contact_list(ODD_TEXT)),
        upsert(_journal("nested ✍"), entity_type="journal_entries"),
        *(upsert(_progress(v), entity_type="goal_progress") for v in (1.5, 1e-7, 12345.678, -3.25, 0.1, 1e300)),
        upsert(contact_list("gone soon")),
        upsert(_journal("also gone"), entity_type="journal_entries"),
        upsert(contact_list("plain")),
    ]
    answers = api.push(pushed)["results"]
    assert [a["status"] for a in answers] == ["applied"] * len(pushed)
    gone = [pushed[8], pushed[9]]
    deletes = [
        delete(c["entity_id"], c["checksum"], entity_type=c["entity_type"]) for c in gone
    ]  # tombstones: data null, checksum null
    assert [a["status"] for a in api.push(deletes)["results"]] == ["applied", "applied"]
    # Rows as a server before migration 0005 wrote them: data in the JSON column, no text.
    old = [contact_list(ODD_TEXT, note="written long ago"), _journal("old ✍"), _progress(2.75)]
    old_types = ["contact_lists", "journal_entries", "goal_progress"]
    with db.write() as conn:
        seq = sync_store.lock_counter(conn, api.user_id)
        for data, entity_type in zip(old, old_types, strict=True):
            seq += 1
            conn.execute(
                insert(entities).values(
                    user_id=api.user_id,
                    entity_type=entity_type,
                    entity_id=str(uuid.uuid4()),
                    data=data,
                    data_text=None,
                    checksum=checksum(data),
                    deleted=False,
                    last_device_id=api.device_id,
                    seq=seq,
                    updated_at=dt.datetime.now(dt.UTC),
                )
            )
        conn.execute(update(user_counters).where(user_counters.c.user_id == api.user_id).values(last_seq=seq))
    api.push([upsert(contact_list("after the old ones"))])
    live = [c for c in pushed if c not in gone]
    return [*live, *deletes, *({"data": d, "entity_type": t} for d, t in zip(old, old_types, strict=True))]


def _both(db: Database, user_id: str, since: int, limit: int, skip: list[tuple[int, int]]) -> bytes:
    """The JSON page, checked against the Core statement's, and against the framed page (both ways): the same
    changes, bounds, cursor and data text."""
    with db.read() as conn:
        driver = sync_store.pull_page(conn, user_id, since, limit, skip)
        core = sync_store.pull_page(conn, user_id, since, limit, skip, core=True)
        framed = sync_store.pull_page(conn, user_id, since, limit, skip, framed=True)
        framed_core = sync_store.pull_page(conn, user_id, since, limit, skip, core=True, framed=True)
    assert driver == core, (since, limit, skip)
    assert framed == framed_core, (since, limit, skip)
    assert framed[1] == driver[1] and _as_json_page(framed[0]) == driver[0], (since, limit, skip)
    return driver[0]


def _as_json_page(framed: bytes) -> bytes:
    """The JSON page a framed page stands for, written as the server writes one (its header line checked to be
    compact JSON, one data line per change)."""
    header, *lines = framed.decode("utf-8").split("\n")
    head = json.loads(header)
    assert list(head) == ["cursor", "has_more", "changes"] and header == json.dumps(head, separators=(",", ":"))
    assert len(lines) == len(head["changes"])
    q = json.dumps
    parts = [
        f'{{"entity_type":{q(t)},"entity_id":{q(i)},"data":{line},"checksum":{q(c)},"deleted":{q(d)},"seq":{s}}}'
        for (t, i, c, d, s), line in zip(head["changes"], lines, strict=True)
    ]
    return f'{{"changes":[{",".join(parts)}],"cursor":{head["cursor"]},"has_more":{q(head["has_more"])}}}'.encode()


def test_the_driver_page_is_the_core_page_at_every_cursor_and_bound(
    api: Api, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _fill(api, database)
    latest = api.status()["cursor"]
    whole = json.loads(_both(database, api.user_id, 0, 1000, []))
    assert not whole["has_more"] and whole["cursor"] == latest
    changes = whole["changes"]
    assert [c["seq"] for c in changes] == sorted(c["seq"] for c in changes) and len(changes) == len(expected) + 1
    for change, sent in zip(changes, expected, strict=False):
        assert change["entity_type"] == sent["entity_type"]
        if sent.get("op") == "delete":
            assert change["deleted"] and change["data"] is None and change["checksum"] is None
        else:
            assert not change["deleted"] and change["data"] == sent["data"]
            assert list(change["data"]) == sorted(sent["data"]) or "op" not in sent  # canonical order (new rows)
            assert change["checksum"] == checksum(sent["data"])
    sizes = [len(json.dumps(c, ensure_ascii=True, separators=(",", ":"))) for c in changes]
    skips: list[list[tuple[int, int]]] = [[], [(2, 4)], [(1, 1), (6, 9), (13, 13)], [(0, latest)], [(5, 2**63 - 1)]]
    for bound in (sync_store.MAX_PULL_PAGE_BYTES, 1, sizes[0], sizes[0] + sizes[1], 2 * max(sizes)):
        monkeypatch.setattr(sync_store, "MAX_PULL_PAGE_BYTES", bound)
        for since in range(latest + 2):
            for limit in (1, 3, 1000):
                for skip in skips:
                    page = json.loads(_both(database, api.user_id, since, limit, skip))
                    assert all(c["seq"] > since for c in page["changes"])
                    assert not any(lo <= c["seq"] <= hi for c in page["changes"] for lo, hi in skip)


def test_a_page_ends_after_the_change_that_reaches_the_byte_bound_both_ways(
    api: Api, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.push([upsert(contact_list(f"{i} {ODD_TEXT}")) for i in range(6)])  # changes of one length each
    wrapper = ('{"changes":[', '],"cursor":1,"has_more":true}')
    first = _both(database, api.user_id, 0, 1, []).decode("utf-8")
    assert first.startswith(wrapper[0]) and first.endswith(wrapper[1])
    size = len(first) - len(wrapper[0]) - len(wrapper[1])  # the bound counts a change's characters
    for bound, count in ((1, 1), (size, 1), (size + 1, 2), (2 * size, 2), (2 * size + 1, 3), (6 * size, 6)):
        monkeypatch.setattr(sync_store, "MAX_PULL_PAGE_BYTES", bound)
        page = json.loads(_both(database, api.user_id, 0, 1000, []))
        assert [c["seq"] for c in page["changes"]] == list(range(1, count + 1)), bound
        assert page["has_more"] == (count < 6) and page["cursor"] == count
