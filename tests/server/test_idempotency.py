"""Idempotency keys by Stripe's rules, black-box: replay, reuse, concurrency, expiry, several processes."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator

import httpx
from sqlalchemy import text

from gigbag.schema.canonical import checksum
from gigbag.server.config import SQLITE_FILE_NAME
from tests.fixtures.server_process import ServerProcess
from tests.server.api_client import PROTOCOL, Api, contact_list, upsert
from tests.server.server_db import server_engine


def test_replay_returns_the_same_response_and_changes_nothing(api: Api) -> None:
    key = str(uuid.uuid4())
    base = contact_list("base")
    first_change = upsert(base)
    api.push([first_change])
    changes = [
        upsert(contact_list("new")),
        upsert(contact_list("edit"), entity_id=first_change["entity_id"], base=checksum(base)),
    ]
    first = api.push_raw(changes, key)
    assert first.status_code == 200 and "idempotent-replayed" not in first.headers
    assert [r["status"] for r in first.json()["results"]] == ["applied", "applied"]
    status_before = api.status()
    pulled_before = api.pull_all()
    # the same body again, even re-serialized with other key order (of the data too) and spacing
    body = {
        "changes": [
            {**dict(reversed(list(c.items()))), "data": dict(reversed(list(c["data"].items())))} for c in changes
        ],
        "device_id": api.device_id,
    }

    replay = api.http.post(
        "/v1/sync/push",
        content=json.dumps(body, indent=2),
        headers={"Idempotency-Key": key, "Content-Type": "application/json"},
    )
    assert replay.status_code == 200
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.content == first.content
    assert api.pull_all() == pulled_before
    assert api.status()["cursor"] == status_before["cursor"] == 3


def test_same_key_with_another_body_is_refused(api: Api) -> None:
    key = str(uuid.uuid4())
    assert api.push_raw([upsert(contact_list("one"))], key).status_code == 200
    r = api.push_raw([upsert(contact_list("two"))], key)
    assert r.status_code == 422
    assert r.json()["error"] == "idempotency_key_reused"
    assert api.status()["cursor"] == 1


def test_a_key_belongs_to_its_user(new_api) -> None:
    alice, bob = new_api(), new_api()
    key = str(uuid.uuid4())
    assert alice.push_raw([upsert(contact_list("alice"))], key).status_code == 200
    r = bob.push_raw([upsert(contact_list("bob"))], key)
    assert r.status_code == 200 and "idempotent-replayed" not in r.headers
    assert bob.pull_all()[0][0]["data"]["name"] == "bob"


def test_a_refused_push_does_not_burn_its_key(api: Api) -> None:
    key = str(uuid.uuid4())
    other = api.other_device()
    r = httpx.post(
        api.base_url + "/v1/sync/push",
        json={"device_id": other.device_id, "changes": []},
        headers={"Idempotency-Key": key, "Authorization": f"Bearer {api.token}", **PROTOCOL},
    )
    assert r.status_code == 422
    ok = api.push_raw([upsert(contact_list())], key)
    assert ok.status_code == 200 and "idempotent-replayed" not in ok.headers
    other.close()


def _race(urls: list[str], api: Api, key: str, changes: list[dict], n: int) -> list[httpx.Response]:
    barrier = threading.Barrier(n)
    responses: list[httpx.Response] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        with httpx.Client(timeout=60) as client:
            barrier.wait()
            r = client.post(
                urls[i % len(urls)] + "/v1/sync/push",
                json={"device_id": api.device_id, "changes": changes},
                headers={"Idempotency-Key": key, "Authorization": f"Bearer {api.token}", **PROTOCOL},
            )
        with lock:
            responses.append(r)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return responses


def _check_applied_once(api: Api, responses: list[httpx.Response], n_changes: int) -> None:
    kinds = Counter(
        "replayed" if r.headers.get("idempotent-replayed") == "true" else str(r.status_code) for r in responses
    )
    assert kinds["200"] == 1, kinds  # exactly one request applied the push
    assert set(kinds) <= {"200", "replayed", "409"}, kinds
    for r in responses:
        if r.status_code == 409:
            assert r.json()["error"] == "idempotency_key_in_flight"
    applied = next(r for r in responses if r.status_code == 200 and "idempotent-replayed" not in r.headers)
    for r in responses:
        if r.headers.get("idempotent-replayed") == "true":
            assert r.content == applied.content
    assert api.status()["cursor"] == n_changes
    assert len(api.pull_all()[0]) == n_changes


def test_concurrent_pushes_with_one_key_apply_once(api: Api, server: ServerProcess) -> None:
    changes = [upsert(contact_list(f"c{i}")) for i in range(200)]
    responses = _race([server.url], api, str(uuid.uuid4()), changes, 8)
    _check_applied_once(api, responses, 200)


def test_concurrent_pushes_with_one_key_across_server_processes_apply_once(server_factory, backend: str) -> None:
    one = server_factory(backend)
    two = server_factory(backend, database_url=one.database_url, data_dir=one.data_dir)
    api = Api.sign_up(one.url)
    changes = [upsert(contact_list(f"c{i}")) for i in range(200)]
    responses = _race([one.url, two.url], api, str(uuid.uuid4()), changes, 8)
    _check_applied_once(api, responses, 200)
    api.close()


def test_keys_expire_on_a_real_timestamp(api: Api, server: ServerProcess) -> None:
    key = str(uuid.uuid4())
    assert api.push_raw([upsert(contact_list("one"))], key).status_code == 200
    engine = server_engine(server)
    now = dt.datetime.now(dt.UTC)
    try:
        with engine.begin() as conn:
            row = conn.execute(
                text("SELECT created_at, expires_at FROM idempotency_keys WHERE user_id = :u AND key = :k"),
                {"u": api.user_id, "k": key},
            ).one()
        created, expires = (v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(v) for v in row)
        if created.tzinfo is None:
            created, expires = created.replace(tzinfo=dt.UTC), expires.replace(tzinfo=dt.UTC)
        assert dt.timedelta(hours=24) <= expires - created <= dt.timedelta(hours=24, seconds=1)
        assert abs(created - now) < dt.timedelta(minutes=5)
        # 23 hours later the key still replays
        _age(engine, api.user_id, key, dt.timedelta(hours=23))
        assert api.push_raw([upsert(contact_list("two"))], key).status_code == 422
        # past 24 hours it is free again, and a new body applies under it
        _age(engine, api.user_id, key, dt.timedelta(hours=1, minutes=1))
        r = api.push_raw([upsert(contact_list("two"))], key)
        assert r.status_code == 200 and "idempotent-replayed" not in r.headers
        assert r.json()["results"][0]["status"] == "applied"
    finally:
        engine.dispose()


def _age(engine, user_id: str, key: str, by: dt.timedelta) -> None:
    with engine.begin() as conn:
        row = conn.execute(
            text("SELECT created_at, expires_at FROM idempotency_keys WHERE user_id = :u AND key = :k"),
            {"u": user_id, "k": key},
        ).one()
        values = []
        for v in row:
            if isinstance(v, str):
                v = dt.datetime.fromisoformat(v)
            values.append(v - by)
        conn.execute(
            text("UPDATE idempotency_keys SET created_at = :c, expires_at = :e WHERE user_id = :u AND key = :k"),
            {"c": values[0], "e": values[1], "u": user_id, "k": key},
        )


def test_a_key_in_flight_is_409_until_its_holder_is_presumed_dead(api: Api, server: ServerProcess) -> None:
    """Another process holds the key mid-push (its reservation row is in flight): 409 with Retry-After;
    a reservation older than the stale limit (its process died) is taken over and the push applies."""
    from gigbag.server.idempotency import STALE_RESERVATION, request_hash

    key = str(uuid.uuid4())
    changes = [upsert(contact_list("held"))]
    body = json.dumps({"device_id": api.device_id, "changes": changes}).encode()
    now = dt.datetime.now(dt.UTC)
    engine = server_engine(server)

    def ts(value: dt.datetime) -> object:
        return value if server.database_url else value.replace(tzinfo=None)

    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO idempotency_keys (user_id, key, request_hash, state, lock_token, locked_at,"
                    " created_at, expires_at) VALUES (:u, :k, :h, 'in_flight', 'someone-else', :now, :now, :exp)"
                ),
                {
                    "u": api.user_id,
                    "k": key,
                    "h": request_hash(body),
                    "now": ts(now),
                    "exp": ts(now + dt.timedelta(hours=24)),
                },
            )
        r = api.push_raw(changes, key)
        assert r.status_code == 409
        assert r.json()["error"] == "idempotency_key_in_flight" and r.headers["retry-after"] == "1"
        assert api.push_raw([upsert(contact_list("other"))], key).status_code == 422  # another body: reused
        assert api.status()["cursor"] == 0
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE idempotency_keys SET locked_at = :t WHERE user_id = :u AND key = :k"),
                {"t": ts(now - STALE_RESERVATION - dt.timedelta(seconds=5)), "u": api.user_id, "k": key},
            )
        r = api.push_raw(changes, key)
        assert r.status_code == 200 and "idempotent-replayed" not in r.headers
        assert r.json()["results"][0]["status"] == "applied"
        assert api.push_raw(changes, key).headers["idempotent-replayed"] == "true"
    finally:
        engine.dispose()


@contextlib.contextmanager
def _counter_held(server: ServerProcess, user_id: str) -> Iterator[Callable[[int], None]]:
    """Hold the user's counter lock (every push's first step) from outside the server; yields a wait for
    ``n`` requests blocked behind it (seen on PostgreSQL; on SQLite, whose writer waits on a busy
    timeout, a short pause)."""
    if server.database_url is None:
        conn = sqlite3.connect(server.data_dir / SQLITE_FILE_NAME, isolation_level=None, timeout=30)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield lambda n: time.sleep(1.0)
        finally:
            conn.rollback()
            conn.close()
        return
    engine = server_engine(server)
    try:
        with engine.connect() as conn, conn.begin():
            conn.execute(text("SELECT last_seq FROM user_counters WHERE user_id = :u FOR UPDATE"), {"u": user_id})

            def blocked(n: int) -> None:
                with engine.connect() as watch:
                    for _ in range(600):
                        waiting = watch.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar()
                        if waiting >= n:
                            return
                        time.sleep(0.05)
                raise AssertionError(f"{n} pushes never waited for the counter lock")

            yield blocked
    finally:
        engine.dispose()


def test_a_retry_while_the_first_push_runs_gets_its_answer(api: Api, server: ServerProcess) -> None:
    """The key is claimed in the push's own transaction: a retry that comes while the first is still
    applying waits for it and replays its answer (no 409, nothing applied twice)."""
    key = str(uuid.uuid4())
    changes = [upsert(contact_list(f"c{i}")) for i in range(20)]
    responses: list[httpx.Response] = []

    def send() -> None:
        responses.append(api.push_raw(changes, key))

    with _counter_held(server, api.user_id) as blocked:
        first = threading.Thread(target=send)
        first.start()
        blocked(1)
        retry = threading.Thread(target=send)
        retry.start()
        blocked(2)
    first.join()
    retry.join()
    assert sorted(r.headers.get("idempotent-replayed", "no") for r in responses) == ["no", "true"]
    assert [r.status_code for r in responses] == [200, 200]
    assert responses[0].content == responses[1].content
    assert api.status()["cursor"] == 20


def test_a_push_whose_server_died_before_it_applied_leaves_its_key_free(server_factory, backend: str) -> None:
    """The server is killed while the push waits inside its transaction: nothing of it was committed, the
    key included, so the retry (to a new process) applies at once instead of waiting out a stale reservation."""
    server = server_factory(backend)
    api = Api.sign_up(server.url)
    key = str(uuid.uuid4())
    changes = [upsert(contact_list("after the crash"))]
    with _counter_held(server, api.user_id) as blocked:
        push = threading.Thread(target=lambda: _ignore_errors(lambda: api.push_raw(changes, key)))
        push.start()
        blocked(1)
        server.kill()
    push.join()
    restarted = server.restart()
    server_factory.track(restarted)  # type: ignore[attr-defined]
    again = Api(restarted.url, api.token, api.user_id, api.device_id, api.email)
    try:
        r = again.push_raw(changes, key)
        assert r.status_code == 200 and "idempotent-replayed" not in r.headers
        assert r.json()["results"][0]["status"] == "applied"
        assert again.status()["cursor"] == 1
    finally:
        again.close()
        api.close()


def _ignore_errors(call: Callable[[], object]) -> None:
    with contextlib.suppress(httpx.HTTPError):
        call()
