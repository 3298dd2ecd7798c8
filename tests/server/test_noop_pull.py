"""A pull with nothing newer than its cursor: the same answer whether or not the server takes its short way.

The server answers such a pull from what it read with the token (the user's latest seq, the device's
last recorded sync) when the device's sync was recorded within the minute; otherwise it reads the page
and records the sync. Both ways must give the same bytes and the same headers, and a change pushed in
between must never be skipped.
"""

from __future__ import annotations

import httpx

from gigbag.schema.wire import ACCOUNT_TERMS_HEADER, PROTOCOL_HEADER, PROTOCOL_VERSION
from tests.fixtures.server_process import ServerProcess
from tests.server.api_client import Api, contact_list, upsert


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
    mine = [line for line in server.log_text().splitlines() if f"user={api.user_id}" in line]
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
        (f"since={cursor}&limit=1001", 422),
        ("since=-1&limit=5", 422),
        (f"since={cursor}&skip=1-2", 200),
    ):
        r = api.http.get(f"/v1/sync/pull?{query}")
        assert r.status_code == status, (query, r.text)
