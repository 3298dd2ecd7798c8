"""A thin HTTP client of the sync protocol for the server tests, plus sample entity data.

It speaks to a real server process with httpx and keeps nothing but the token; the tests assert
on raw status codes and bodies, so this helper never hides an error.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from gigbag.schema.canonical import checksum
from gigbag.schema.wire import PROTOCOL_HEADER, PROTOCOL_VERSION

PASSWORD = "correct horse battery"
PROTOCOL = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}  # what every push and pull of this protocol carries


def unique_email(prefix: str = "artist") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def contact_list(name: str = "Press", **extra: Any) -> dict[str, Any]:
    return {
        "created_at": "2026-01-02T03:04:05Z",
        "updated_at": "2026-01-02T03:04:05Z",
        "name": name,
        **extra,
    }


def upsert(
    data: dict[str, Any],
    *,
    entity_type: str = "contact_lists",
    entity_id: str | None = None,
    base: str | None = None,
) -> dict[str, Any]:
    return {
        "entity_type": entity_type,
        "entity_id": entity_id or str(uuid.uuid4()),
        "op": "upsert",
        "data": data,
        "checksum": checksum(data),
        "base_checksum": base,
    }


def delete(entity_id: str, base: str | None, *, entity_type: str = "contact_lists") -> dict[str, Any]:
    return {
        "entity_type": entity_type,
        "entity_id": entity_id,
        "op": "delete",
        "data": None,
        "checksum": None,
        "base_checksum": base,
    }


class Api:
    def __init__(self, base_url: str, token: str, user_id: str, device_id: str, email: str) -> None:
        self.base_url = base_url
        self.token = token
        self.user_id = user_id
        self.device_id = device_id
        self.email = email
        self.http = httpx.Client(
            base_url=base_url, timeout=60.0, headers={"Authorization": f"Bearer {token}", **PROTOCOL}
        )

    @classmethod
    def sign_up(cls, base_url: str, email: str | None = None, device_name: str = "laptop") -> Api:
        email = email or unique_email()
        r = httpx.post(
            f"{base_url}/v1/accounts",
            json={"email": email, "password": PASSWORD, "display_name": "Test Artist"},
            timeout=60,
        )
        assert r.status_code == 201, r.text
        return cls.sign_in(base_url, email, device_name)

    @classmethod
    def sign_in(cls, base_url: str, email: str, device_name: str = "laptop") -> Api:
        r = httpx.post(
            f"{base_url}/v1/sessions",
            json={"email": email, "password": PASSWORD, "device_name": device_name},
            timeout=60,
        )
        assert r.status_code == 201, r.text
        body = r.json()
        return cls(base_url, body["token"], body["user_id"], body["device_id"], email)

    def other_device(self, device_name: str = "desktop") -> Api:
        return Api.sign_in(self.base_url, self.email, device_name)

    def close(self) -> None:
        self.http.close()

    def push_raw(self, changes: list[dict[str, Any]], key: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = {"Idempotency-Key": key or str(uuid.uuid4())}
        return self.http.post(
            "/v1/sync/push", json={"device_id": self.device_id, "changes": changes}, headers=headers, **kwargs
        )

    def push(self, changes: list[dict[str, Any]], key: str | None = None) -> dict[str, Any]:
        r = self.push_raw(changes, key)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    def pull(self, since: int = 0, limit: int | None = None) -> dict[str, Any]:
        params: dict[str, int] = {"since": since}
        if limit is not None:
            params["limit"] = limit
        r = self.http.get("/v1/sync/pull", params=params)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    def pull_all(self, since: int = 0, limit: int = 1000) -> tuple[list[dict[str, Any]], int]:
        changes: list[dict[str, Any]] = []
        cursor = since
        while True:
            page = self.pull(cursor, limit)
            changes += page["changes"]
            cursor = page["cursor"]
            if not page["has_more"]:
                return changes, cursor

    def status(self) -> dict[str, Any]:
        r = self.http.get("/v1/sync/status")
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body
