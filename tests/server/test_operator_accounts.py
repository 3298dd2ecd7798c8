"""Accounts belong to the operator: sign-up closed by default, invites used once, open sign-up,
disabled accounts, tokens that expire when unused. Real server processes on SQLite and PostgreSQL,
and the operator's ``gigbag-server user``/``invite`` commands run beside them.
"""

from __future__ import annotations

import datetime as dt
import threading

import httpx
from sqlalchemy import select, update

from gigbag.server.tables import devices
from tests.server.admin_cli import admin, admin_json, admin_ok
from tests.server.api_client import PASSWORD, Api, contact_list, unique_email, upsert
from tests.server.server_db import server_engine


def _sign_up(url: str, email: str, invite: str | None = None) -> httpx.Response:
    body = {"email": email, "password": PASSWORD, "display_name": "New Artist"}
    if invite is not None:
        body["invite"] = invite
    return httpx.post(url + "/v1/accounts", json=body, timeout=60)


def test_sign_up_is_closed_by_default_and_the_operator_adds_users(server_factory, backend: str) -> None:
    server = server_factory(backend, signup=None)
    assert httpx.get(server.url + "/v1/signup").json() == {"signup": "closed"}
    r = _sign_up(server.url, unique_email())
    assert r.status_code == 403
    assert r.json()["error"] == "signup_closed"
    assert "ask its operator" in r.json()["message"]
    # an invite code does not open a closed server
    assert _sign_up(server.url, unique_email(), invite="ABCDE-FGHJK").json()["error"] == "signup_closed"

    email = unique_email("added")
    done = admin(
        server,
        "user",
        "add",
        email,
        "--display-name",
        "Added Artist",
        "--tier",
        "pro",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # the password came from stdin: nothing secret printed
    api = Api.sign_in(server.url, email)
    info = api.http.get("/v1/account").json()
    assert info["email"] == email and info["display_name"] == "Added Artist" and info["tier"] == "pro"
    # without --password-stdin a password is made and printed alone on stdout
    other = unique_email("generated")
    password = admin_ok(server, "user", "add", other).strip()
    assert len(password) >= 16
    r = httpx.post(server.url + "/v1/sessions", json={"email": other, "password": password, "device_name": "x"})
    assert r.status_code == 201
    again = admin(server, "user", "add", other)
    assert again.returncode == 1 and "already exists" in again.stderr
    api.close()


def test_an_invite_makes_one_account_and_carries_its_tier(server_factory, backend: str) -> None:
    server = server_factory(backend, signup="invite")
    assert httpx.get(server.url + "/v1/signup").json() == {"signup": "invite"}
    r = _sign_up(server.url, unique_email())
    assert r.status_code == 403 and r.json()["error"] == "invite_required"
    code = admin_ok(server, "invite", "create", "--tier", "pro", "--note", "for the drummer").strip()
    assert len(code.replace("-", "")) == 20
    assert _sign_up(server.url, unique_email(), invite="WRONG-WRONG-WRONG-WRONG").json()["error"] == "invite_invalid"

    email = unique_email("invited")
    typed = " " + code.lower().replace("-", " ") + " "  # as a person might type it
    r = _sign_up(server.url, email, invite=typed)
    assert r.status_code == 201, r.text
    assert r.json()["tier"] == "pro"
    second = _sign_up(server.url, unique_email(), invite=code)
    assert second.status_code == 403 and second.json()["error"] == "invite_invalid"
    assert "used already" in second.json()["message"]
    api = Api.sign_in(server.url, email)
    assert api.http.get("/v1/account").json()["tier"] == "pro"

    listed = admin_json(server, "invite", "list")
    assert [(i["tier"], i["state"], i["used_by"], i["note"]) for i in listed] == [
        ("pro", "used", email, "for the drummer")
    ]
    # a revoked invite no longer works; revoking it twice is an error
    revoked = admin_ok(server, "invite", "create").strip()
    invite_id = next(i["id"] for i in admin_json(server, "invite", "list") if i["state"] == "usable")
    admin_ok(server, "invite", "revoke", invite_id)
    assert admin(server, "invite", "revoke", invite_id).returncode == 1
    assert _sign_up(server.url, unique_email(), invite=revoked).json()["error"] == "invite_invalid"
    # a taken email does not use the invite up
    fresh = admin_ok(server, "invite", "create").strip()
    assert _sign_up(server.url, email, invite=fresh).status_code == 409
    assert _sign_up(server.url, unique_email(), invite=fresh).status_code == 201
    api.close()


def test_two_sign_ups_racing_with_one_invite_make_one_account(server_factory, backend: str) -> None:
    server = server_factory(backend, signup="invite")
    code = admin_ok(server, "invite", "create").strip()
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def attempt() -> None:
        barrier.wait()
        statuses.append(_sign_up(server.url, unique_email("racer"), invite=code).status_code)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 403, 403, 403]
    assert len(admin_json(server, "user", "list")) == 1


def test_open_sign_up_gives_the_configured_tier(server_factory, backend: str) -> None:
    server = server_factory(backend, extra_args=["--signup-tier", "enterprise"])
    assert httpx.get(server.url + "/v1/signup").json() == {"signup": "open"}
    r = _sign_up(server.url, unique_email())
    assert r.status_code == 201 and r.json()["tier"] == "enterprise"


def test_a_disabled_account_is_refused_with_its_code_and_works_again_when_enabled(server_factory, backend: str) -> None:
    server = server_factory(backend)
    api = Api.sign_up(server.url)
    api.push([upsert(contact_list("Before"))])
    admin_ok(server, "user", "disable", api.email)
    for r in (
        api.push_raw([upsert(contact_list("During"))]),
        api.http.get("/v1/sync/pull"),
        api.http.get("/v1/account"),
    ):
        assert r.status_code == 401
        assert r.json()["error"] == "account_disabled"
        assert "ask the server's operator" in r.json()["message"]
    # signing in: the right password learns why (403); a wrong one learns nothing
    r = httpx.post(server.url + "/v1/sessions", json={"email": api.email, "password": PASSWORD, "device_name": "x"})
    assert r.status_code == 403 and r.json()["error"] == "account_disabled"
    r = httpx.post(
        server.url + "/v1/sessions", json={"email": api.email, "password": "wrong password", "device_name": "x"}
    )
    assert r.status_code == 401 and r.json()["error"] == "invalid_credentials"
    assert [u["disabled"] for u in admin_json(server, "user", "list")] == [True]
    admin_ok(server, "user", "enable", api.email)
    assert api.push_raw([upsert(contact_list("After"))]).status_code == 200
    changes, _ = api.pull_all()
    assert sorted(c["data"]["name"] for c in changes) == ["After", "Before"]
    api.close()


def test_a_token_unused_for_the_expiry_stops_working_and_use_is_recorded_once_a_minute(
    server_factory, backend: str
) -> None:
    server = server_factory(backend, extra_args=["--token-expiry-days", "30"])
    api = Api.sign_up(server.url)
    other = api.other_device()
    engine = server_engine(server)

    def last_used() -> dt.datetime:
        with engine.connect() as conn:
            value = conn.execute(select(devices.c.last_used_at).where(devices.c.id == api.device_id)).scalar_one()
        return value

    def set_last_used(value: dt.datetime) -> None:
        with engine.begin() as conn:
            conn.execute(update(devices).where(devices.c.id == api.device_id).values(last_used_at=value))

    try:
        now = dt.datetime.now(dt.UTC)
        # used 30 s ago: requests within the minute write nothing
        set_last_used(now - dt.timedelta(seconds=30))
        recorded = last_used()
        for _ in range(3):
            assert api.http.get("/v1/sync/status").status_code == 200
        assert last_used() == recorded
        # used 2 minutes ago: the next request records its use
        set_last_used(now - dt.timedelta(minutes=2))
        assert api.http.get("/v1/sync/status").status_code == 200
        assert last_used() > now - dt.timedelta(seconds=30)
        # unused for 31 days: expired, with its own code; the other device still works
        set_last_used(now - dt.timedelta(days=31))
        r = api.http.get("/v1/sync/status")
        assert r.status_code == 401 and r.json()["error"] == "token_expired"
        assert "Sign in again" in r.json()["message"] and r.headers["www-authenticate"] == "Bearer"
        assert api.push_raw([]).json()["error"] == "token_expired"
        assert other.http.get("/v1/sync/status").status_code == 200
        states = {
            s["device_id"]: s["state"]
            for s in admin_json(server, "user", "sessions", api.email, extra=["--token-expiry-days", "30"])
        }
        assert states == {api.device_id: "expired", other.device_id: "active"}
        # signing in again gives a working token
        again = Api.sign_in(server.url, api.email)
        assert again.http.get("/v1/sync/status").status_code == 200
        again.close()
        assert other.http.get("/v1/account").json()["token_idle_expiry_seconds"] == 30 * 24 * 3600
    finally:
        engine.dispose()
        api.close()
        other.close()


def test_tokens_expire_after_90_days_by_default(server_factory, backend: str) -> None:
    server = server_factory(backend)
    api = Api.sign_up(server.url)
    engine = server_engine(server)
    try:
        with engine.begin() as conn:
            conn.execute(
                update(devices)
                .where(devices.c.id == api.device_id)
                .values(last_used_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=89))
            )
        assert api.http.get("/v1/sync/status").status_code == 200
        with engine.begin() as conn:
            conn.execute(
                update(devices)
                .where(devices.c.id == api.device_id)
                .values(last_used_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=91))
            )
        assert api.http.get("/v1/sync/status").json()["error"] == "token_expired"
    finally:
        engine.dispose()
        api.close()
