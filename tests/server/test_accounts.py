"""Accounts and sessions, black-box against a server process (SQLite and PostgreSQL)."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from gigbag.schema.wire import PROTOCOL_VERSION
from tests.fixtures.server_process import ServerProcess
from tests.server.api_client import PASSWORD, Api, unique_email


def _account(server: ServerProcess, email: str, password: str = PASSWORD, name: str = "Ann") -> httpx.Response:
    return httpx.post(server.url + "/v1/accounts", json={"email": email, "password": password, "display_name": name})


def _session(server: ServerProcess, email: str, password: str = PASSWORD) -> httpx.Response:
    return httpx.post(server.url + "/v1/sessions", json={"email": email, "password": password, "device_name": "laptop"})


def _assert_error(r: httpx.Response, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["error"] == code, body
    assert isinstance(body["message"], str) and body["message"]
    return body


def test_health_needs_no_token(server: ServerProcess) -> None:
    r = httpx.get(server.url + "/v1/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "protocol": PROTOCOL_VERSION}


def test_create_account_then_email_taken_whatever_the_case(server: ServerProcess) -> None:
    email = unique_email()
    r = _account(server, email, name="  Ann Artist ")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["email"] == email and body["display_name"] == "Ann Artist"
    uuid.UUID(body["user_id"])
    _assert_error(_account(server, email.upper()), 409, "email_taken")


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("not-an-email", PASSWORD, "email"),
        ("a@b", PASSWORD, "email"),
        (None, "short7!", "password"),
        (None, "x" * 1025, "password"),
    ],
)
def test_create_account_refuses_bad_input(server: ServerProcess, email: str | None, password: str, field: str) -> None:
    body = _assert_error(_account(server, email or unique_email(), password), 422, "validation_error")
    assert field in body["fields"]


def test_create_account_refuses_missing_fields_and_control_characters(server: ServerProcess) -> None:
    r = httpx.post(server.url + "/v1/accounts", json={"email": unique_email(), "password": PASSWORD})
    assert _assert_error(r, 422, "validation_error")["fields"] == {"display_name": "is required"}
    body = _assert_error(_account(server, unique_email(), name="Ann\x00"), 422, "validation_error")
    assert "display_name" in body["fields"]
    _assert_error(_account(server, unique_email(), name="   "), 422, "validation_error")


def test_sign_in_returns_a_token_per_device(server: ServerProcess) -> None:
    email = unique_email()
    assert _account(server, email).status_code == 201
    first, second = _session(server, email), _session(server, email.upper())
    assert first.status_code == second.status_code == 201
    a, b = first.json(), second.json()
    assert a["user_id"] == b["user_id"]
    assert a["device_id"] != b["device_id"] and a["token"] != b["token"]
    assert len(a["token"]) >= 32
    for token in (a["token"], b["token"]):
        r = httpx.get(server.url + "/v1/sync/status", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
        assert {d["device_id"] for d in r.json()["devices"]} == {a["device_id"], b["device_id"]}


def test_wrong_password_and_unknown_email_get_the_same_401(server: ServerProcess) -> None:
    email = unique_email()
    assert _account(server, email).status_code == 201
    wrong_password = _session(server, email, "wrong password")
    unknown_email = _session(server, unique_email())
    malformed_email = _session(server, "nobody")
    nul_email = _session(server, "a\u0000@example.com")
    for r in (wrong_password, unknown_email, malformed_email, nul_email):
        _assert_error(r, 401, "invalid_credentials")
    assert wrong_password.json() == unknown_email.json() == malformed_email.json() == nul_email.json()


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 500, "Token abc"],
)
def test_routes_need_a_valid_token(server: ServerProcess, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    for method, path in [("GET", "/v1/sync/status"), ("GET", "/v1/sync/pull"), ("DELETE", "/v1/sessions/current")]:
        r = httpx.request(method, server.url + path, headers=headers)
        _assert_error(r, 401, "unauthorized")
        assert r.headers["www-authenticate"] == "Bearer"


def test_revoke_ends_only_the_token_in_hand(server: ServerProcess) -> None:
    api = Api.sign_up(server.url)
    other = api.other_device("phone")
    r = api.http.delete("/v1/sessions/current")
    assert r.status_code == 204 and r.content == b""
    _assert_error(api.http.get("/v1/sync/status"), 401, "unauthorized")
    _assert_error(api.http.delete("/v1/sessions/current"), 401, "unauthorized")
    devices = {d["device_id"]: d for d in other.status()["devices"]}
    assert devices[api.device_id]["revoked"] is True
    assert devices[other.device_id]["revoked"] is False
    api.close()
    other.close()


def test_schema_lists_every_entity_type_with_its_json_schema(server: ServerProcess) -> None:
    from gigbag.schema.entities import ENTITY_TYPES

    r = httpx.get(server.url + "/v1/schema")
    assert r.status_code == 200
    body = r.json()
    assert body["protocol"] == PROTOCOL_VERSION
    assert set(body["entity_types"]) == set(ENTITY_TYPES)
    goals = body["entity_types"]["goals"]
    assert goals["type"] == "object" and "title" in goals["properties"] and "title" in goals["required"]


# --- throttling: its own servers, with a short lock-out -----------------------------------------------------


def test_repeated_failures_are_slowed_down_with_retry_after(server_factory, backend: str) -> None:
    server = server_factory(backend, extra_args=["--login-max-failures", "3", "--login-lockout-seconds", "2"])
    email = unique_email()
    assert _account(server, email).status_code == 201
    for _ in range(3):
        _assert_error(_session(server, email, "wrong password"), 401, "invalid_credentials")
    locked = _session(server, email)  # even the right password waits for the lock-out
    body = _assert_error(locked, 429, "too_many_attempts")
    retry_after = int(locked.headers["retry-after"])
    assert 1 <= retry_after <= 2 and body["retry_after_seconds"] == retry_after
    # an unknown email is throttled the same way (the answers do not reveal which emails exist)
    ghost = unique_email()
    for _ in range(3):
        _assert_error(_session(server, ghost, "wrong password"), 401, "invalid_credentials")
    _assert_error(_session(server, ghost, "wrong password"), 429, "too_many_attempts")
    time.sleep(retry_after + 0.2)
    assert _session(server, email).status_code == 201
    # a success clears the count
    for _ in range(2):
        _assert_error(_session(server, email, "wrong password"), 401, "invalid_credentials")
    assert _session(server, email).status_code == 201


def test_each_failure_after_the_limit_doubles_the_lock_out(server_factory, backend: str) -> None:
    server = server_factory(backend, extra_args=["--login-max-failures", "1", "--login-lockout-seconds", "1"])
    email = unique_email()
    assert _account(server, email).status_code == 201
    _assert_error(_session(server, email, "wrong"), 401, "invalid_credentials")
    first = _assert_error(_session(server, email, "wrong"), 429, "too_many_attempts")
    assert first["retry_after_seconds"] == 1
    time.sleep(1.1)
    _assert_error(_session(server, email, "wrong"), 401, "invalid_credentials")  # lock-out over: checked again
    second = _session(server, email)
    assert _assert_error(second, 429, "too_many_attempts")["retry_after_seconds"] == 2


def test_throttling_is_shared_by_server_processes_on_one_database(server_factory) -> None:
    args = ["--login-max-failures", "2", "--login-lockout-seconds", "30"]
    one = server_factory("postgres", extra_args=args)
    two = server_factory("postgres", database_url=one.database_url, extra_args=args)
    email = unique_email()
    assert _account(one, email).status_code == 201
    _assert_error(_session(one, email, "wrong"), 401, "invalid_credentials")
    _assert_error(_session(two, email, "wrong"), 401, "invalid_credentials")
    _assert_error(_session(one, email), 429, "too_many_attempts")
    _assert_error(_session(two, email), 429, "too_many_attempts")
