"""``gigbag-server user …`` run by the operator while the server process runs, on SQLite and PostgreSQL:
the list (JSON), password reset, sessions and revocation, and deleting an account with its files
(those no other account has).
"""

from __future__ import annotations

import hashlib
import os

import httpx

from tests.fixtures.server_process import ServerProcess
from tests.server.admin_cli import admin, admin_json, admin_ok
from tests.server.api_client import PASSWORD, Api, contact_list, upsert


def _put(api: Api, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    r = api.http.put(f"/v1/blobs/{sha}", content=data, headers={"Content-Type": "application/octet-stream"})
    assert r.status_code in (200, 201), r.text
    return sha


def _blob_file(server: ServerProcess, sha: str):
    return server.data_dir / "blobs" / sha[:2] / sha[2:4] / sha


def test_user_list_json_reports_tier_storage_devices_and_last_sync(server_factory, backend: str) -> None:
    server = server_factory(backend, extra_args=["--tier-limit", "pro.quota=20GB"])
    one = Api.sign_up(server.url)
    one_b = one.other_device()
    two = Api.sign_up(server.url)
    _put(one, os.urandom(123_456))
    one.push([upsert(contact_list())])
    admin_ok(server, "user", "set-tier", two.email, "pro")
    admin_ok(server, "user", "disable", two.email)
    # the operator gives the same tier options as the server, so the limits shown are those in force
    listed = {u["email"]: u for u in admin_json(server, "user", "list", extra=["--tier-limit", "pro.quota=20GB"])}
    assert set(listed) == {one.email, two.email}
    first = listed[one.email]
    assert first["tier"] == "free" and first["disabled"] is False
    assert first["storage_used_bytes"] == 123_456 and first["storage_quota_bytes"] == 50 * 1024**3
    assert first["daily_upload_limit_bytes"] == 100_000_000
    assert first["devices"] == 2 and first["last_sync_at"] is not None and first["last_sync_at"].endswith("Z")
    second = listed[two.email]
    assert second["tier"] == "pro" and second["disabled"] is True
    assert second["storage_used_bytes"] == 0 and second["storage_quota_bytes"] == 20_000_000_000
    assert second["daily_upload_limit_bytes"] is None and second["last_sync_at"] is None
    # the table for people names the same
    text = admin_ok(server, "user", "list")
    assert one.email in text and "disabled" in text
    for api in (one, one_b, two):
        api.close()


def test_reset_password_sessions_and_revoke(server_factory, backend: str) -> None:
    server = server_factory(backend)
    api = Api.sign_up(server.url, device_name="laptop")
    desk = api.other_device("desktop")
    sessions = admin_json(server, "user", "sessions", api.email)
    assert [(s["name"], s["state"]) for s in sessions] == [("laptop", "active"), ("desktop", "active")]
    # revoke one device
    admin_ok(server, "user", "revoke", api.email, "--device", desk.device_id)
    assert desk.http.get("/v1/sync/status").status_code == 401
    assert api.http.get("/v1/sync/status").status_code == 200
    assert admin(server, "user", "revoke", api.email, "--device", "no-such-device").returncode == 1
    # a new password (printed), every token revoked, the old password refused
    password = admin_ok(server, "user", "reset-password", api.email).strip()
    assert api.http.get("/v1/sync/status").json()["error"] == "unauthorized"
    r = httpx.post(server.url + "/v1/sessions", json={"email": api.email, "password": PASSWORD, "device_name": "x"})
    assert r.status_code == 401
    r = httpx.post(server.url + "/v1/sessions", json={"email": api.email, "password": password, "device_name": "x"})
    assert r.status_code == 201
    # or one read from stdin
    admin_ok(server, "user", "reset-password", api.email, "--password-stdin", stdin="a brand new password\n")
    r = httpx.post(
        server.url + "/v1/sessions", json={"email": api.email, "password": "a brand new password", "device_name": "y"}
    )
    assert r.status_code == 201
    states = [s["state"] for s in admin_json(server, "user", "sessions", api.email)]
    assert states == ["revoked", "revoked", "revoked", "active"]
    admin_ok(server, "user", "revoke", api.email)
    assert {s["state"] for s in admin_json(server, "user", "sessions", api.email)} == {"revoked"}
    assert admin(server, "user", "reset-password", api.email, "--password-stdin", stdin="short\n").returncode == 1
    api.close()
    desk.close()


def test_unknown_accounts_and_tiers_are_clear_errors(server_factory, backend: str) -> None:
    server = server_factory(backend)
    done = admin(server, "user", "disable", "nobody@example.com")
    assert done.returncode == 1 and "no account with the email nobody@example.com" in done.stderr
    done = admin(server, "user", "set-tier", "nobody@example.com", "gold")
    assert done.returncode == 2 and "invalid choice" in done.stderr
    done = admin(server, "user", "set-quota", "nobody@example.com", "lots")
    assert done.returncode == 2 and "not a size" in done.stderr


def test_delete_removes_the_account_and_its_own_files_but_keeps_shared_ones(server_factory, backend: str) -> None:
    server = server_factory(backend)
    leaving = Api.sign_up(server.url)
    staying = Api.sign_up(server.url)
    shared = os.urandom(200_000)
    own = os.urandom(150_000)
    shared_sha = _put(leaving, shared)
    assert _put(staying, shared) == shared_sha
    own_sha = _put(leaving, own)
    leaving.push([upsert(contact_list("Leaving's list"))])
    staying.push([upsert(contact_list("Staying's list"))])
    assert _blob_file(server, own_sha).is_file() and _blob_file(server, shared_sha).is_file()

    refused = admin(server, "user", "delete", leaving.email)  # no terminal to confirm on
    assert refused.returncode == 1 and "--yes" in refused.stderr
    done = admin(server, "user", "delete", leaving.email, "--yes")
    assert done.returncode == 0, done.stderr
    assert "1 file(s) removed, 1 kept" in done.stderr
    assert not _blob_file(server, own_sha).exists()
    assert _blob_file(server, shared_sha).is_file()
    assert staying.http.get(f"/v1/blobs/{shared_sha}").content == shared
    changes, _ = staying.pull_all()
    assert [c["data"]["name"] for c in changes] == ["Staying's list"]
    assert leaving.http.get("/v1/sync/status").status_code == 401
    r = httpx.post(server.url + "/v1/sessions", json={"email": leaving.email, "password": PASSWORD, "device_name": "x"})
    assert r.status_code == 401
    assert [u["email"] for u in admin_json(server, "user", "list")] == [staying.email]
    # the email is free again, and the new account starts empty
    again = Api.sign_up(server.url, email=leaving.email)
    assert again.pull()["changes"] == [] and again.http.head(f"/v1/blobs/{own_sha}").status_code == 404
    # the last holder of the shared file leaves: it goes too
    admin_ok(server, "user", "delete", staying.email, "--yes")
    assert not _blob_file(server, shared_sha).exists()
    for api in (leaving, staying, again):
        api.close()
