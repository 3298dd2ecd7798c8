"""Each version is kept as the JSON text it was pushed as, and a pull page serves exactly that text.

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

from gigbag.schema.canonical import checksum
from gigbag.schema.wire import MAX_PUSH_CHANGES
from gigbag.server.tables import entities, user_counters
from tests.fixtures.server_process import ServerProcess
from tests.server.api_client import Api, contact_list, upsert
from tests.server.server_db import server_engine


def _as_sent(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def test_the_stored_text_is_the_data_as_pushed_and_is_what_a_pull_serves(api: Api, server: ServerProcess) -> None:
    # keys out of canonical order and non-ASCII text: kept as sent, checksum verified
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
    assert row.data is None and row.data_text == _as_sent(data)
    r = api.http.get("/v1/sync/pull", params={"since": 0})
    assert r.status_code == 200
    assert f'"data":{_as_sent(data)},'.encode() in r.content  # spliced in byte for byte
    pulled = r.json()["changes"][0]
    assert pulled["data"] == data and list(pulled["data"]) == list(data)
    assert checksum(pulled["data"]) == pulled["checksum"] == change["checksum"]


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
