"""A plain pull page answered before the router is the page the route answers: same status, headers, bytes.

``sync_api.answer_plain_pull`` answers pulls of plain ``since``, ``limit`` and ``skip`` (every page of a
download) without FastAPI's router and dependencies. A query it does not read (here: ``since`` with a
percent-encoded digit, which the route decodes to the same number) goes to the route; which way each
answer took is seen from the route object the request's scope holds afterwards.
"""

from __future__ import annotations

import uuid
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.types import Receive, Scope, Send

from gigbag.schema.wire import (
    MAX_PULL_LIMIT,
    MAX_PULL_SKIP_RANGES,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    PULL_ACCEPT,
    PULL_LINES_MEDIA_TYPE,
)
from gigbag.server import sync_api
from tests.server.api_client import PASSWORD, contact_list, delete, unique_email, upsert

ODD = 'Fans 🎸 ünd\u2028Presse "quoted" back\\slash'


class Observed:
    """The app, recording for each request whether the route (an ``APIRoute``) answered it."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.by_route: list[bool] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            self.by_route.append(isinstance(scope.get("route"), APIRoute))


class Device:
    """A signed-in device of a new account, talking to the app in this process."""

    def __init__(self, client: httpx.AsyncClient, token: str, device_id: str) -> None:
        self.client = client
        self.device_id = device_id
        self.headers = {"Authorization": f"Bearer {token}", PROTOCOL_HEADER: str(PROTOCOL_VERSION)}

    @classmethod
    async def sign_up(cls, client: httpx.AsyncClient) -> Device:
        account = {"email": unique_email(), "password": PASSWORD, "display_name": "A"}
        assert (await client.post("/v1/accounts", json=account)).status_code == 201
        session = {"email": account["email"], "password": PASSWORD, "device_name": "d"}
        r = await client.post("/v1/sessions", json=session)
        assert r.status_code in (200, 201), r.text
        return cls(client, r.json()["token"], r.json()["device_id"])

    async def push(self, changes: list[dict[str, Any]]) -> int:
        r = await self.client.post(
            "/v1/sync/push",
            json={"device_id": self.device_id, "changes": changes},
            headers={**self.headers, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert r.status_code == 200, r.text
        return int(r.json()["cursor"])

    async def get(self, query: str, accept: str | None = None) -> httpx.Response:
        headers = self.headers if accept is None else {**self.headers, "Accept": accept}
        return await self.client.get(f"/v1/sync/pull?{query}", headers=headers)


def _encoded(number: int) -> str:
    """``number`` with its first digit percent-encoded: the same number to the route, not to the short way."""
    text = str(number)
    return f"%{ord(text[0]):02X}{text[1:]}"


def _same(short: httpx.Response, routed: httpx.Response) -> None:
    assert short.status_code == routed.status_code
    assert short.content == routed.content
    assert short.headers.multi_items() == routed.headers.multi_items()


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/json"),
        ("application/json", "application/json"),
        (PULL_ACCEPT, PULL_LINES_MEDIA_TYPE),
        (PULL_LINES_MEDIA_TYPE, PULL_LINES_MEDIA_TYPE),
        (f"text/html, {PULL_LINES_MEDIA_TYPE.upper()} ; q=0.5", PULL_LINES_MEDIA_TYPE),
        (f"{PULL_LINES_MEDIA_TYPE};q=0, application/json", "application/json"),
        (f"{PULL_LINES_MEDIA_TYPE}-v2", "application/json"),
    ],
)
def test_a_plain_page_is_answered_the_short_way_exactly_as_the_route_answers_it(
    in_process_app: FastAPI, accept: str | None, media_type: str
) -> None:
    observed = Observed(in_process_app)

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=observed)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            device = await Device.sign_up(client)
            pushed = [upsert(contact_list(f"{i} {ODD}")) for i in range(9)]
            await device.push(pushed)
            gone = pushed[3]
            latest = await device.push([delete(gone["entity_id"], gone["checksum"])])
            for since in (0, 1, 4, latest - 1, latest, latest + 3):
                for limit in ("", "&limit=1", "&limit=4", "&limit=1000", f"&limit={MAX_PULL_LIMIT}"):
                    for skip in ("", "&skip=2-3", "&skip=1-1%2C5-7", "&skip=0-99", "&skip=2-3%2c8-8", "&skip=1-2,4-5"):
                        tail = f"{limit}{skip}"
                        observed.by_route.clear()
                        short = await device.get(f"since={since}{tail}", accept)
                        routed = await device.get(f"since={_encoded(since)}{tail}", accept)
                        assert observed.by_route == [False, True], (since, tail)
                        assert short.status_code == 200, short.text
                        assert short.headers["content-type"] == media_type
                        _same(short, routed)

    anyio.run(scenario)


def test_a_query_the_short_way_does_not_take_gets_the_routes_answer(in_process_app: FastAPI) -> None:
    observed = Observed(in_process_app)
    too_many = "%2C".join(f"{2 * i}-{2 * i}" for i in range(MAX_PULL_SKIP_RANGES + 1))
    cases = {
        "since=1&skip=": 422,
        "since=1&skip=3-2": 422,
        f"since=1&skip={too_many}": 422,
        "since=1&skip=1-2%2C": 422,
        f"since=1&skip=1-{2**63}": 422,
        "since=1&skip=1-2&skip=3-4": 200,
        "since=1&other=2": 200,
        "limit=5": 200,
    }

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=observed)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            device = await Device.sign_up(client)
            await device.push([upsert(contact_list(f"n{i}")) for i in range(6)])
            for query, status in cases.items():
                observed.by_route.clear()
                r = await device.get(query)
                assert r.status_code == status, (query, r.text)
                assert observed.by_route == [True], query

    anyio.run(scenario)


def test_a_page_that_fails_the_short_way_is_read_again_by_the_route(
    in_process_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    observed = Observed(in_process_app)
    read_page = sync_api._read_page
    failures = [RuntimeError("the first read fails")]

    def failing_once(*args: Any) -> bytes:
        if failures:
            raise failures.pop()
        return read_page(*args)

    monkeypatch.setattr(sync_api, "_read_page", failing_once)

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=observed)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            device = await Device.sign_up(client)
            await device.push([upsert(contact_list(f"n{i}")) for i in range(3)])
            observed.by_route.clear()
            r = await device.get("since=0")
            assert r.status_code == 200 and [c["seq"] for c in r.json()["changes"]] == [1, 2, 3]
            assert observed.by_route == [True] and not failures

    anyio.run(scenario)
