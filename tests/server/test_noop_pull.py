"""A pull with nothing newer than its cursor: the same answer whether or not the server takes its short way.

The server answers such a pull from what it read with the token (the user's latest seq, the device's
last recorded sync) when the device's sync was recorded within the minute; otherwise it reads the page
and records the sync. Both ways must give the same bytes and the same headers, and a change pushed in
between must never be skipped.
"""

from __future__ import annotations

import datetime as dt

import anyio
import anyio.to_thread
import httpx
from fastapi import FastAPI
from sqlalchemy import select, update

from gigbag.schema.wire import ACCOUNT_TERMS_HEADER, MAX_PULL_LIMIT, PROTOCOL_HEADER, PROTOCOL_VERSION
from gigbag.server.auth import DeviceRow, LoopReader, read_device, token_hash
from gigbag.server.tables import devices, user_counters, users
from tests.fixtures.server_process import ServerProcess
from tests.server.api_client import PASSWORD, Api, contact_list, unique_email, upsert
from tests.server.server_db import server_engine


def _pull(api: Api, since: int) -> httpx.Response:
    r = api.http.get("/v1/sync/pull", params={"since": since})
    assert r.status_code == 200, r.text
    return r


def test_a_pull_with_nothing_newer_answers_the_same_both_ways(api: Api) -> None:
    cursor = api.push([upsert(contact_list())])["cursor"]
    fresh = api.other_device()  # never synced: its first pull reads the page and records the sync
    try:
        for since in (cursor, cursor + 5):
            first = _pull(fresh, since)
            again = _pull(fresh, since)  # recorded within the minute: the short way
            assert first.content == again.content == b'{"changes":[],"cursor":%d,"has_more":false}' % since
            for r in (first, again):
                assert r.headers[PROTOCOL_HEADER] == str(PROTOCOL_VERSION)
                assert r.headers[ACCOUNT_TERMS_HEADER] == first.headers[ACCOUNT_TERMS_HEADER] != ""
                assert r.headers["content-type"] == "application/json"
        assert [
            d["last_sync_at"] is not None for d in fresh.status()["devices"] if d["device_id"] == fresh.device_id
        ] == [True]
    finally:
        fresh.close()


def test_a_change_pushed_after_a_short_answer_comes_with_the_next_pull(api: Api) -> None:
    cursor = api.push([upsert(contact_list("First"))])["cursor"]
    assert api.pull(0)["cursor"] == cursor  # records the sync
    assert api.pull(cursor)["changes"] == []  # the short way
    other = api.other_device()
    try:
        pushed = other.push([upsert(contact_list("Second"))])["cursor"]
    finally:
        other.close()
    page = api.pull(cursor)
    assert [c["data"]["name"] for c in page["changes"]] == ["Second"] and page["cursor"] == pushed
    assert api.pull(pushed) == {"changes": [], "cursor": pushed, "has_more": False}


def test_every_pull_needs_the_token_and_the_protocol(api: Api) -> None:
    cursor = api.push([upsert(contact_list())])["cursor"]
    api.pull(cursor)
    api.pull(cursor)
    r = httpx.get(
        f"{api.base_url}/v1/sync/pull", params={"since": cursor}, headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
    )
    assert r.status_code == 401
    r = httpx.get(
        f"{api.base_url}/v1/sync/pull", params={"since": cursor}, headers={"Authorization": f"Bearer {api.token}"}
    )
    assert r.status_code == 400 and r.json()["error"] == "protocol_outdated"


def test_the_short_answer_is_logged_and_counted_as_the_pull_route(server: ServerProcess, api: Api) -> None:
    cursor = api.push([upsert(contact_list())])["cursor"]
    api.pull(cursor)
    api.pull(cursor)  # the short way (answered before the router)
    log = server.log_once(lambda text: text.count(f'"GET /v1/sync/pull?since={cursor}') >= 2)
    mine = [line for line in log.splitlines() if f"user={api.user_id}" in line]
    assert f'"GET /v1/sync/pull?since={cursor}' in mine[-1] and "route=/v1/sync/pull " in mine[-1] + " "
    assert " 200 " in mine[-1]


def test_a_revoked_token_is_refused_on_the_short_way_too(api: Api) -> None:
    cursor = api.push([upsert(contact_list())])["cursor"]
    api.pull(cursor)
    api.pull(cursor)
    assert api.http.delete("/v1/sessions/current").status_code in (200, 204)
    r = api.http.get("/v1/sync/pull", params={"since": cursor})
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"


def test_a_pull_query_the_short_way_does_not_read_goes_to_the_route(api: Api) -> None:
    cursor = api.push([upsert(contact_list())])["cursor"]
    api.pull(cursor)
    for query, status in (
        (f"since={cursor}&since={cursor}", 200),  # the route's own reading of a repeated parameter
        (f"since={cursor}&limit=0", 422),
        (f"since={cursor}&limit={MAX_PULL_LIMIT + 1}", 422),
        ("since=-1&limit=5", 422),
        (f"since={cursor}&skip=1-2", 200),
    ):
        r = api.http.get(f"/v1/sync/pull?{query}")
        assert r.status_code == status, (query, r.text)


def _age_device(server: ServerProcess, api: Api, **values: object) -> None:
    engine = server_engine(server)
    try:
        with engine.begin() as conn:
            conn.execute(update(devices).where(devices.c.id == api.device_id).values(**values))
    finally:
        engine.dispose()


def _last_used(server: ServerProcess, api: Api) -> dt.datetime:
    engine = server_engine(server)
    try:
        with engine.connect() as conn:
            value = conn.execute(select(devices.c.last_used_at).where(devices.c.id == api.device_id)).scalar_one()
    finally:
        engine.dispose()
    assert value is not None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def test_a_disabled_account_and_an_expired_token_are_refused_on_the_short_way_too(
    server: ServerProcess, api: Api
) -> None:
    cursor = api.push([upsert(contact_list())])["cursor"]
    api.pull(cursor)
    api.pull(cursor)  # the sync is recorded: the next pull from the cursor may take the short way
    _age_device(server, api, last_used_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=91))
    r = api.http.get("/v1/sync/pull", params={"since": cursor})
    assert r.status_code == 401 and r.json()["error"] == "token_expired"
    _age_device(server, api, last_used_at=dt.datetime.now(dt.UTC))
    api.pull(cursor)
    engine = server_engine(server)
    try:
        with engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == api.user_id).values(disabled_at=dt.datetime.now(dt.UTC)))
    finally:
        engine.dispose()
    r = api.http.get("/v1/sync/pull", params={"since": cursor})
    assert r.status_code == 401 and r.json()["error"] == "account_disabled"


def test_the_short_way_records_a_use_once_a_minute_as_the_routes_do(server: ServerProcess, api: Api) -> None:
    cursor = api.push([upsert(contact_list())])["cursor"]
    api.pull(cursor)
    now = dt.datetime.now(dt.UTC)
    _age_device(server, api, last_used_at=now - dt.timedelta(seconds=30))
    recorded = _last_used(server, api)
    for _ in range(3):
        api.pull(cursor)
    assert _last_used(server, api) == recorded  # used within the minute: nothing written
    _age_device(server, api, last_used_at=now - dt.timedelta(minutes=2))
    api.pull(cursor)
    assert _last_used(server, api) > now - dt.timedelta(seconds=30)


# ---- in-process: the token read of the short way, on the event loop ------------------------------------
async def _signed_in(client: httpx.AsyncClient) -> dict[str, str]:
    account = {"email": unique_email(), "password": PASSWORD, "display_name": "A"}
    assert (await client.post("/v1/accounts", json=account)).status_code == 201
    r = await client.post("/v1/sessions", json={"email": account["email"], "password": PASSWORD, "device_name": "d"})
    assert r.status_code in (200, 201), r.text
    return {"Authorization": f"Bearer {r.json()['token']}", PROTOCOL_HEADER: str(PROTOCOL_VERSION)}


def test_a_short_answer_needs_no_worker_thread(in_process_app: FastAPI) -> None:
    """Every worker thread busy (a slow push, say): a pull with nothing newer is still answered at once."""

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=in_process_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            headers = await _signed_in(client)
            assert (await client.get("/v1/sync/pull", params={"since": 0}, headers=headers)).status_code == 200
            limiter = anyio.to_thread.current_default_thread_limiter()
            holders = [object() for _ in range(int(limiter.total_tokens))]
            for holder in holders:
                limiter.acquire_on_behalf_of_nowait(holder)
            try:
                with anyio.fail_after(10):
                    r = await client.get("/v1/sync/pull", params={"since": 0}, headers=headers)
                assert r.status_code == 200 and r.content == b'{"changes":[],"cursor":0,"has_more":false}'
            finally:
                for holder in holders:
                    limiter.release_on_behalf_of(holder)

    anyio.run(scenario)


def test_the_loop_read_of_a_token_is_the_routes_read(in_process_app: FastAPI) -> None:
    state = in_process_app.state.gigbag
    reader = LoopReader.of(state.db)
    assert reader is not None

    async def sign_in() -> str:
        transport = httpx.ASGITransport(app=in_process_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return (await _signed_in(client))["Authorization"].removeprefix("Bearer ")

    def loop_read(hashed: str) -> DeviceRow | None:
        return anyio.run(reader.fetch, hashed)

    try:
        hashed = token_hash(anyio.run(sign_in))
        with state.db.read() as conn:
            fresh = read_device(conn, hashed)
        assert fresh is not None and fresh.last_seq == 0 and fresh.last_sync_at is None
        assert loop_read(hashed) == fresh
        with state.db.write() as conn:  # every column set, the datetimes to a moment with microseconds
            at = dt.datetime(2026, 11, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)
            conn.execute(update(devices).values(last_sync_at=at, last_used_at=at))
            conn.execute(update(users).values(disabled_at=at, storage_quota_bytes=5, max_file_bytes=7))
            conn.execute(update(user_counters).values(last_seq=42))
        with state.db.read() as conn:
            full = read_device(conn, hashed)
        assert full is not None and full.last_seq == 42 and full.disabled_at == at
        assert loop_read(hashed) == full
        assert all(type(a) is type(b) for a, b in zip(loop_read(hashed) or (), full, strict=True))
        assert loop_read(token_hash("not a token")) is None
        with state.db.write() as conn:
            conn.execute(update(devices).values(revoked_at=at))
        assert loop_read(hashed) is None  # revoked: read afresh, refused at once
    finally:
        anyio.run(reader.aclose)
