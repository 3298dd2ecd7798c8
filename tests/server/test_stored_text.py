"""Each version is kept as its canonical JSON text (since protocol 4; as it was pushed before), and a pull
page serves exactly that text, in either form.

Also: a bad change anywhere in a full batch is refused with pydantic's own error and nothing is written,
and rows written before migration 0005 (``data`` set, ``data_text`` NULL) are served and conflict as before.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from gigbag.schema.canonical import canonical_text, checksum, checksum_of_canonical
from gigbag.schema.protocol import PULL_LINES_MEDIA_TYPE
from gigbag.schema.wire import MAX_PUSH_CHANGES
from gigbag.server.tables import entities, user_counters
from tests.fixtures.server_process import ServerProcess
from tests.server.api_client import Api, contact_list, upsert
from tests.server.server_db import server_engine

STAMP = "2026-01-02T03:04:05Z"


def _as_sent(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def test_the_stored_text_is_the_canonical_text_and_is_what_a_pull_serves(api: Api, server: ServerProcess) -> None:
    # keys out of canonical order and non-ASCII text: stored as the canonical text its checksum is of
    data = {
        "updated_at": "2026-01-02T03:04:05Z",
        "name": "Fans 🎸 ünd\u2028Presse",
        "created_at": "2026-01-02T03:04:05Z",
    }
    change = upsert(data)
    assert api.push([change])["results"][0]["status"] == "applied"
    engine = server_engine(server)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                select(entities.c.data, entities.c.data_text).where(entities.c.entity_id == change["entity_id"])
            ).one()
    finally:
        engine.dispose()
    stored = canonical_text(data)
    assert _as_sent(data) != stored  # what it was sent as is not what is stored
    assert row.data is None and row.data_text == stored
    assert checksum_of_canonical(stored.encode()) == change["checksum"]
    r = api.http.get("/v1/sync/pull", params={"since": 0})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert f'"data":{stored},'.encode() in r.content  # spliced in byte for byte
    pulled = r.json()["changes"][0]
    assert pulled["data"] == data and list(pulled["data"]) == sorted(data)
    assert checksum(pulled["data"]) == pulled["checksum"] == change["checksum"]
    framed = api.http.get("/v1/sync/pull", params={"since": 0}, headers={"Accept": PULL_LINES_MEDIA_TYPE})
    assert framed.status_code == 200 and framed.headers["content-type"] == PULL_LINES_MEDIA_TYPE
    assert framed.content.split(b"\n")[1:] == [stored.encode()]  # its line: the bytes its checksum is of


def test_a_text_stored_as_sent_before_protocol_4_is_served_as_it_is(api: Api, server: ServerProcess) -> None:
    data = {"updated_at": STAMP, "name": "Written by a protocol 3 server ü", "created_at": STAMP}
    change = upsert(data)
    assert api.push([change])["results"][0]["status"] == "applied"
    as_sent = _as_sent(data)
    engine = server_engine(server)
    try:
        with engine.begin() as conn:
            conn.execute(update(entities).where(entities.c.entity_id == change["entity_id"]).values(data_text=as_sent))
    finally:
        engine.dispose()
    r = api.http.get("/v1/sync/pull", params={"since": 0})
    assert f'"data":{as_sent},'.encode() in r.content
    assert list(r.json()["changes"][0]["data"]) == list(data)
    framed = api.http.get("/v1/sync/pull", params={"since": 0}, headers={"Accept": PULL_LINES_MEDIA_TYPE})
    assert framed.content.split(b"\n")[1:] == [as_sent.encode()]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"op": "merge"}, "changes.317.op"),
        ({"checksum": 7}, "changes.317.checksum"),
        ({"colour": "red"}, "changes.317.colour"),
        ({"data": ["not", "an", "object"]}, "changes.317.data"),
    ],
)
def test_one_malformed_change_in_a_full_batch_is_refused_whole_with_its_field(
    api: Api, bad: dict[str, object], field: str
) -> None:
    changes = [upsert(contact_list(f"n{i}")) for i in range(MAX_PUSH_CHANGES)]
    changes[317] = {**changes[317], **bad}
    key = str(uuid.uuid4())
    r = api.push_raw(changes, key=key)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "validation_error" and list(body["fields"]) == [field], body
    assert api.status()["cursor"] == 0 and api.pull(0)["changes"] == []  # nothing written
    fixed = api.push(changes[:317] + changes[318:], key=key)  # the key was not reserved by the refusal
    assert fixed["cursor"] == MAX_PUSH_CHANGES - 1


def test_rows_written_before_the_stored_text_are_served_and_conflict_as_before(api: Api, server: ServerProcess) -> None:
    old = contact_list("Written by an older server")
    entity_id = str(uuid.uuid4())
    engine = server_engine(server)
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(entities).values(
                    user_id=api.user_id,
                    entity_type="contact_lists",
                    entity_id=entity_id,
                    data=old,
                    data_text=None,
                    checksum=checksum(old),
                    deleted=False,
                    last_device_id=api.device_id,
                    seq=1,
                    updated_at=dt.datetime.now(dt.UTC),
                )
            )
            conn.execute(update(user_counters).where(user_counters.c.user_id == api.user_id).values(last_seq=1))
    finally:
        engine.dispose()
    page = api.pull(0)
    assert page["changes"] == [
        {
            "entity_type": "contact_lists",
            "entity_id": entity_id,
            "data": old,
            "checksum": checksum(old),
            "deleted": False,
            "seq": 1,
        }
    ]
    stale = upsert(contact_list("edited elsewhere"), entity_id=entity_id)  # base null: a conflict
    result = api.push([stale])["results"][0]
    assert result["status"] == "conflict"
    assert result["server"] == {"data": old, "checksum": checksum(old), "deleted": False}
    edit = upsert(contact_list("edited here"), entity_id=entity_id, base=checksum(old))
    assert api.push([edit])["results"][0]["status"] == "applied"
    assert api.pull(1)["changes"][0]["data"] == edit["data"]


def test_migration_0005_keeps_old_rows_and_its_downgrade_writes_the_text_back(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import create_engine, text

    from gigbag.server.database import _alembic_config

    engine = create_engine(f"sqlite:///{tmp_path / 'server.sqlite'}")
    old, new = contact_list("old"), contact_list("new ü")
    try:
        with engine.begin() as conn:
            command.upgrade(_alembic_config(conn), "0004_library")
            conn.execute(
                text(
                    "INSERT INTO users (id, email, display_name, password_hash, created_at) "
                    "VALUES ('u', 'e', 'n', 'h', '2026-01-01 00:00:00')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO entities (user_id, entity_type, entity_id, data, checksum, deleted, seq, updated_at) "
                    "VALUES ('u', 'contact_lists', 'a', :d, 'c', 0, 1, '2026-01-01 00:00:00')"
                ),
                {"d": json.dumps(old)},
            )
            command.upgrade(_alembic_config(conn), "head")
            conn.execute(
                text(
                    "INSERT INTO entities (user_id, entity_type, entity_id, data_text, checksum, deleted, seq, updated_at) "
                    "VALUES ('u', 'contact_lists', 'b', :t, 'c', 0, 2, '2026-01-01 00:00:00')"
                ),
                {"t": _as_sent(new)},
            )
            assert conn.execute(text("SELECT data_text FROM entities WHERE entity_id = 'a'")).scalar() is None
            command.downgrade(_alembic_config(conn), "0004_library")
            rows = dict(conn.execute(text("SELECT entity_id, data FROM entities")).all())
    finally:
        engine.dispose()
    assert {k: json.loads(v) for k, v in rows.items()} == {"a": old, "b": new}


@pytest.mark.parametrize("breaks", ["\n", "\r\n", "\r"])
def test_a_stored_text_with_a_line_break_goes_on_one_line_of_a_framed_page(
    api: Api, server: ServerProcess, breaks: str
) -> None:
    # This server's encoders never write one (a raw LF or CR can only be whitespace between tokens): a text
    # written otherwise is re-encoded on one line, the same value, and its neighbours stay as they are.
    data = {"created_at": STAMP, "name": "Line\nbreaks\r\nescaped ü", "updated_at": STAMP}
    pushed = [upsert(contact_list("before")), upsert(data), upsert(contact_list("after"))]
    assert [r["status"] for r in api.push(pushed)["results"]] == ["applied"] * 3
    spread = json.dumps(data, indent=1, ensure_ascii=False).replace("\n", breaks)
    engine = server_engine(server)
    try:
        with engine.begin() as conn:
            conn.execute(
                update(entities).where(entities.c.entity_id == pushed[1]["entity_id"]).values(data_text=spread)
            )
    finally:
        engine.dispose()
    plain = api.http.get("/v1/sync/pull", params={"since": 0})
    assert f'"data":{spread},'.encode() in plain.content  # the JSON form splices it as it is
    framed = api.http.get("/v1/sync/pull", params={"since": 0}, headers={"Accept": PULL_LINES_MEDIA_TYPE})
    lines = framed.content.split(b"\n")
    assert b"\r" not in framed.content and len(lines) == 4
    assert lines[2] == json.dumps(data, separators=(",", ":")).encode()
    assert [json.loads(line) for line in lines[1:]] == [c["data"] for c in plain.json()["changes"]]
    assert (
        lines[1] == canonical_text(pushed[0]["data"]).encode()
        and lines[3] == canonical_text(pushed[2]["data"]).encode()
    )
