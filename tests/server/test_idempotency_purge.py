"""A push's purge of expired idempotency keys, on SQLite and PostgreSQL: its user's expired keys only,
by the (user_id, expires_at) index; a key stored past its expiry is free, one not yet past it replays
(the replay window stays exactly KEY_TTL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select

from gigbag.server.config import ServerConfig
from gigbag.server.database import Database, migrate, open_database
from gigbag.server.idempotency import DONE, KEY_TTL, Replay, Reservation, claim, purge_expired
from gigbag.server.tables import idempotency_keys, users

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    url = request.getfixturevalue("pg_database_url") if request.param == "postgres" else None
    config = ServerConfig(data_dir=tmp_path, database_url=url)
    database = open_database(config)
    migrate(database, config.data_dir)
    with database.engine.begin() as conn:
        for user in ("alice", "bob"):
            conn.execute(
                insert(users).values(
                    id=user, email=f"{user}@example.org", display_name=user, password_hash="x", created_at=NOW
                )
            )
    yield database
    database.dispose()


def _add_keys(database: Database, user: str, count: int, expires_at: dt.datetime, prefix: str) -> None:
    rows = [
        {
            "user_id": user,
            "key": f"{prefix}-{i:04d}",
            "request_hash": "0" * 64,
            "state": DONE,
            "response_status": 200,
            "response_body": "{}",
            "created_at": expires_at - KEY_TTL,
            "expires_at": expires_at,
        }
        for i in range(count)
    ]
    with database.engine.begin() as conn:
        conn.execute(insert(idempotency_keys), rows)


def _keys(database: Database, user: str) -> list[str]:
    with database.engine.connect() as conn:
        t = idempotency_keys
        return list(conn.execute(select(t.c.key).where(t.c.user_id == user).order_by(t.c.key)).scalars())


def test_a_push_deletes_its_own_expired_keys_and_no_others(db: Database) -> None:
    _add_keys(db, "alice", 20, NOW - dt.timedelta(hours=2), "old")
    _add_keys(db, "alice", 3, NOW + dt.timedelta(seconds=1), "live")
    _add_keys(db, "bob", 5, NOW - dt.timedelta(hours=2), "bobs")
    with db.engine.begin() as conn:
        purge_expired(conn, "alice", NOW)
    assert _keys(db, "alice") == [f"live-{i:04d}" for i in range(3)]
    assert len(_keys(db, "bob")) == 5  # another user's keys wait for that user's pushes


def test_an_expired_key_still_stored_is_free_and_a_live_one_replays(db: Database) -> None:
    _add_keys(db, "alice", 1, NOW - dt.timedelta(seconds=1), "late")  # expired one second ago
    _add_keys(db, "alice", 1, NOW + dt.timedelta(seconds=1), "live")  # one second left
    with db.engine.begin() as conn:
        taken = claim(conn, "alice", "late-0000", "1" * 64, NOW)
        replayed = claim(conn, "alice", "live-0000", "0" * 64, NOW)
    assert isinstance(taken, Reservation)  # runs as new, with its new hash
    assert replayed == Replay(200, "{}")
    with db.engine.connect() as conn:
        t = idempotency_keys
        row = conn.execute(select(t).where(t.c.user_id == "alice", t.c.key == "late-0000")).one()
        assert row.request_hash == "1" * 64 and row.state == "in_flight"
        assert conn.execute(select(func.count()).select_from(t).where(t.c.expires_at <= NOW)).scalar() == 0


def test_the_purge_reads_the_users_expired_keys_by_index(tmp_path: Path) -> None:
    database = open_database(ServerConfig(data_dir=tmp_path))
    migrate(database, tmp_path)
    sent: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("DELETE"):
            sent.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        with database.engine.begin() as conn:
            purge_expired(conn, "alice", NOW)
        [(statement, parameters)] = sent
        with database.engine.connect() as conn:
            plan = [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
        # the primary key for the rows, the (user_id, expires_at) range for which: no other key is read
        assert any("ix_idempotency_keys_user_id_expires_at (user_id=? AND expires_at<?)" in step for step in plan), plan
        assert not any(step.startswith("SCAN") for step in plan), plan
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
        database.dispose()
