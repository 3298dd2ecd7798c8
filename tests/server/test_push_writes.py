"""A push's rows are written and read by plain SQL through the driver (one statement per batch on PostgreSQL):
what it stores, byte for byte, and what it answers are what SQLAlchemy Core's per-row statements stored and
answered. Both run the same pushes for two users of one database, and the rows are compared as the driver
reads them (SQLite's timestamp text, PostgreSQL's values) — on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from gigbag.schema.canonical import checksum
from gigbag.server import sync_store
from gigbag.server.config import ServerConfig
from gigbag.server.database import Database, migrate, open_database
from gigbag.server.push_body import IncomingChange
from gigbag.server.tables import entities, user_counters, users

NOW = dt.datetime(2026, 12, 2, 10, 11, 12, 345678, tzinfo=dt.UTC)
DEVICE = "00000000-0000-4000-8000-0000000000d1"


def _core_load(conn: Connection, user_id: str, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """What ``_load`` read, through Core."""
    out = {}
    for entity_type, entity_id in keys:
        r = conn.execute(
            select(entities).where(
                entities.c.user_id == user_id, entities.c.entity_type == entity_type, entities.c.entity_id == entity_id
            )
        ).first()
        if r is not None:
            out[(entity_type, entity_id)] = sync_store._Row(
                r.data_text, r.checksum, bool(r.deleted), int(r.seq), r.data
            )
    return out


def _core_write(conn: Connection, user_id: str, device_id: str, dirty: dict, now: dt.datetime) -> None:
    """What ``_write`` stored with Core: one parameter dictionary per row, each value through its column's type."""
    insert_ = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert_(entities)
    stmt = stmt.on_conflict_do_update(
        index_elements=[entities.c.user_id, entities.c.entity_type, entities.c.entity_id],
        set_={c: stmt.excluded[c] for c in sync_store._WRITTEN},
    )
    rows = sorted(dirty.items(), key=lambda item: item[1].seq)
    conn.execute(
        stmt,
        [
            {
                "user_id": user_id,
                "entity_type": entity_type,
                "entity_id": entity_id,
                "data": None,
                "data_text": row.text,
                "checksum": row.checksum,
                "deleted": row.deleted,
                "last_device_id": device_id,
                "seq": row.seq,
                "updated_at": now,
            }
            for (entity_type, entity_id), row in rows
        ],
    )


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    url = request.getfixturevalue("pg_database_url") if request.param == "postgres" else None
    config = ServerConfig(data_dir=tmp_path, database_url=url)
    database = open_database(config)
    migrate(database, tmp_path)
    yield database
    database.dispose()


def _user(db: Database) -> str:
    user_id = str(uuid.uuid4())
    with db.write() as conn:
        conn.execute(
            insert(users).values(
                id=user_id, email=f"{user_id}@example.org", display_name="A", password_hash="x", created_at=NOW
            )
        )
        conn.execute(insert(user_counters).values(user_id=user_id, last_seq=0))
    return user_id


def _push(db: Database, user_id: str, changes: list[dict[str, Any]]) -> str:
    prepared = [sync_store.prepare(IncomingChange(**c)) for c in changes]
    with db.write() as conn:
        last = sync_store.lock_counter(conn, user_id)
        return sync_store.apply_push(conn, user_id, DEVICE, prepared, last, NOW).render()


def _up(entity_type: str, entity_id: str, data: dict[str, Any], base: str | None = None) -> dict[str, Any]:
    return {
        "entity_type": entity_type,
        "entity_id": entity_id,
        "op": "upsert",
        "data": data,
        "checksum": checksum(data),
        "base_checksum": base,
    }


def _del(entity_type: str, entity_id: str, base: str | None) -> dict[str, Any]:
    return {
        "entity_type": entity_type,
        "entity_id": entity_id,
        "op": "delete",
        "data": None,
        "checksum": None,
        "base_checksum": base,
    }


def _pushes() -> list[list[dict[str, Any]]]:
    ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(12)]
    stamp = {"created_at": "2026-01-02T03:04:05Z", "updated_at": "2026-01-02T03:04:05Z"}
    press = {**stamp, "name": "Presse — Köln ✓"}
    gig = {"title": 'Gig "one"\n', **stamp, "date": "2026-03-04", "entry_type": "gig", "description": None}
    gig2 = {**gig, "title": "Gig two"}
    wrong = "sha256:" + "0" * 64
    return [
        [
            _up("contact_lists", ids[0], press),
            _up("timeline_entries", ids[1], gig),
            _up("timeline_entries", ids[2], gig2),
            _del("contact_lists", ids[3], None),  # a tombstone of something never seen
            {**_up("contact_lists", ids[4], press), "checksum": wrong},  # invalid: checksum mismatch
            _up("old_type", ids[5], press),  # invalid: unknown type
        ],
        [
            _up("timeline_entries", ids[1], {**gig, "title": "Gig one, moved"}, base=checksum(gig)),
            _up("timeline_entries", ids[2], gig2),  # conflict: the base is not null
            _up("contact_lists", ids[0], press, base=checksum(press)),  # unchanged
            _del("contact_lists", ids[3], None),  # a tombstone again: unchanged
            _del("timeline_entries", ids[2], checksum(gig2)),
            _up("timeline_entries", ids[6], {**gig, "description": "x" * 3000 + " ünïcode"}),
        ],
        [
            _up("timeline_entries", ids[2], gig2),  # back from its tombstone (which counts as null)
            _up("contact_lists", ids[7], press, base=wrong),  # conflict with nothing
            _up("contact_lists", ids[8], press),  # an old row's entity: conflict, its data decoded from `data`
            _up("contact_lists", ids[9], {**press, "name": "new"}, base=checksum({**press, "name": "old"})),
        ],
    ]


def _old_rows(db: Database, user_id: str) -> None:
    """Rows as written before migration 0005: ``data`` set, ``data_text`` NULL."""
    stamp = {"created_at": "2026-01-02T03:04:05Z", "updated_at": "2026-01-02T03:04:05Z"}
    with db.write() as conn:
        for i, name in ((8, "older"), (9, "old")):
            data = {**stamp, "name": name}
            conn.execute(
                insert(entities).values(
                    user_id=user_id,
                    entity_type="contact_lists",
                    entity_id=f"00000000-0000-4000-8000-{i:012d}",
                    data=data,
                    data_text=None,
                    checksum=checksum(data),
                    deleted=False,
                    last_device_id=DEVICE,
                    seq=1000 + i,
                    updated_at=NOW - dt.timedelta(days=1),
                )
            )


def _stored(db: Database, user_id: str) -> list[tuple[Any, ...]]:
    with db.read() as conn:
        marks = "%s" if db.is_postgres else "?"
        return [
            tuple(row)
            for row in conn.exec_driver_sql(
                "SELECT entity_type, entity_id, data, data_text, checksum, deleted, last_device_id, seq, updated_at "
                f"FROM entities WHERE user_id = {marks} ORDER BY entity_type, entity_id",
                (user_id,),
            ).fetchall()
        ]


def _dumped_applied(change: IncomingChange, digest: str | None, seq: int) -> str:
    """An applied result as json.dumps wrote it, from its dict of every field."""
    return sync_store._written(sync_store._result(change, "applied", digest, seq))


@pytest.mark.parametrize("entity_type", ["goals", 'a "quoted" \\ type', "t\u00e9l\u00e9 \u2028 \U0001f3b8 \x01"])
@pytest.mark.parametrize("digest", [None, "sha256:" + "0" * 64])
def test_an_applied_result_is_written_as_json_dumps_writes_its_dict(entity_type: str, digest: str | None) -> None:
    change = IncomingChange(entity_type, str(uuid.uuid4()), "upsert", {}, digest, None)
    assert sync_store._applied(change, digest, 2**62) == _dumped_applied(change, digest, 2**62)


def test_a_push_stores_and_answers_what_core_stored_and_answered(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    core, driver = _user(db), _user(db)
    _old_rows(db, core)
    _old_rows(db, driver)
    answers: dict[str, list[str]] = {core: [], driver: []}
    for changes in _pushes():
        with monkeypatch.context() as m:
            m.setattr(sync_store, "_load", _core_load)
            m.setattr(sync_store, "_write", _core_write)
            m.setattr(sync_store, "_applied", _dumped_applied)
            answers[core].append(_push(db, core, changes))
        answers[driver].append(_push(db, driver, changes))
    assert answers[driver] == answers[core]
    assert '"conflict"' in answers[core][1] and '"invalid"' in answers[core][0] and '"older"' in answers[core][2]
    stored = _stored(db, driver)
    assert stored == _stored(db, core)
    assert len(stored) == 7
    with db.read() as conn:
        assert sync_store.latest_seq(conn, driver) == sync_store.latest_seq(conn, core) == 9
