"""Tiers: each tier's limits as the operator configured them, enforced by the server on blob PUT and
tus; an account's own limits win; ``GET /v1/account`` reports what is in force. Real server processes.
"""

from __future__ import annotations

import base64
import hashlib
import os

import httpx

from gigbag.schema.tiers import tier_opens_pro_only
from gigbag.schema.wire import ACCOUNT_TERMS_HEADER, PROTOCOL_HEADER, PROTOCOL_VERSION
from tests.server.admin_cli import admin_ok
from tests.server.api_client import Api

# free: 1 MB stored, 600 kB a day, 300 kB a file; pro: 2 MB stored, no daily limit (the default for pro).
LIMITS = [
    "--tier-limit",
    "free.quota=1MB",
    "--tier-limit",
    "free.daily=600kB",
    "--tier-limit",
    "free.max-file=300kB",
    "--tier-limit",
    "pro.quota=2MB",
]


def _blob(size: int) -> tuple[bytes, str]:
    data = os.urandom(size)
    return data, hashlib.sha256(data).hexdigest()


def _put(api: Api, size: int) -> httpx.Response:
    data, sha = _blob(size)
    return api.http.put(f"/v1/blobs/{sha}", content=data, headers={"Content-Type": "application/octet-stream"})


def _tus_create(api: Api, size: int) -> httpx.Response:
    _data, sha = _blob(size)
    meta = "sha256 " + base64.b64encode(sha.encode()).decode()
    return api.http.post(
        "/v1/uploads/", headers={"Tus-Resumable": "1.0.0", "Upload-Length": str(size), "Upload-Metadata": meta}
    )


def test_the_seed_tier_check() -> None:
    assert [tier_opens_pro_only(t) for t in ("free", "pro", "enterprise", "gold")] == [False, True, True, False]


def test_built_in_tier_defaults_are_reported_by_the_account_route(server_factory, backend: str) -> None:
    server = server_factory(backend)
    api = Api.sign_up(server.url)
    info = api.http.get("/v1/account").json()
    assert info["tier"] == "free" and info["overridden"] == []
    # the uploads seed's 100 MB a day for free; 50 GiB storage and largest file (server-wide defaults)
    assert info["limits"] == {
        "storage_quota_bytes": 50 * 1024**3,
        "daily_upload_limit_bytes": 100_000_000,
        "max_file_bytes": 50 * 1024**3,
    }
    assert info["storage"]["daily_upload_limit_bytes"] == 100_000_000
    admin_ok(server, "user", "set-tier", api.email, "pro")
    info = api.http.get("/v1/account").json()
    assert info["tier"] == "pro" and info["limits"]["daily_upload_limit_bytes"] is None
    api.close()


def test_tier_limits_are_enforced_and_an_accounts_own_limits_win(server_factory, backend: str) -> None:
    server = server_factory(backend, extra_args=LIMITS)
    api = Api.sign_up(server.url)
    # largest file (PUT and tus creation)
    r = _put(api, 300_001)
    assert r.status_code == 413 and r.json()["error"] == "upload_too_large" and r.json()["tier"] == "free"
    assert r.json()["limit_bytes"] == 300_000
    assert _tus_create(api, 300_001).json()["error"] == "upload_too_large"
    # daily limit
    assert _put(api, 250_000).status_code == 201
    assert _put(api, 250_000).status_code == 201
    r = _put(api, 250_000)
    assert r.status_code == 429 and r.json()["error"] == "daily_upload_limit_exceeded"
    assert r.json()["limit_bytes"] == 600_000 and r.json()["remaining_bytes"] == 100_000
    assert _tus_create(api, 250_000).status_code == 429
    # pro: no daily limit, the global largest file, 2 MB stored
    admin_ok(server, "user", "set-tier", api.email, "pro")
    assert _put(api, 250_000).status_code == 201
    assert _put(api, 400_000).status_code == 201
    r = _put(api, 900_000)  # 1150 kB used + 900 kB > 2 MB
    assert r.status_code == 413 and r.json()["error"] == "storage_quota_exceeded" and r.json()["tier"] == "pro"
    assert r.json()["limit_bytes"] == 2_000_000 and r.json()["used_bytes"] == 1_150_000
    # the account's own quota wins over its tier's
    admin_ok(server, "user", "set-quota", api.email, "3MB")
    info = api.http.get("/v1/account").json()
    assert info["limits"]["storage_quota_bytes"] == 3_000_000 and info["overridden"] == ["storage_quota"]
    assert _put(api, 900_000).status_code == 201
    assert api.status()["storage"]["quota_bytes"] == 3_000_000
    # back to the tier's
    admin_ok(server, "user", "set-quota", api.email, "tier")
    info = api.http.get("/v1/account").json()
    assert info["limits"]["storage_quota_bytes"] == 2_000_000 and info["overridden"] == []
    assert info["storage"]["used_bytes"] == 2_050_000 and info["storage"]["remaining_bytes"] == 0
    api.close()


def test_an_accounts_own_daily_limit_and_largest_file_win_over_its_tier(server_factory, backend: str) -> None:
    server = server_factory(backend, extra_args=LIMITS)
    api = Api.sign_up(server.url)
    assert _put(api, 300_000).status_code == 201
    assert _put(api, 300_000).status_code == 201
    assert _put(api, 100_000).status_code == 429
    admin_ok(server, "user", "set-quota", api.email, "tier", "--daily", "2MB", "--max-file", "500kB")
    info = api.http.get("/v1/account").json()
    assert info["limits"] == {
        "storage_quota_bytes": 1_000_000,
        "daily_upload_limit_bytes": 2_000_000,
        "max_file_bytes": 500_000,
    }
    assert info["overridden"] == ["daily_upload_limit", "max_file_size"]
    assert _put(api, 350_000).status_code == 201  # over the tier's 300 kB a file, within its own 500 kB
    assert _put(api, 50_000).status_code == 201  # 1 MB stored: the tier's storage quota still holds
    assert _put(api, 1000).json()["error"] == "storage_quota_exceeded"
    api.close()


def test_a_bad_tier_limit_is_a_clear_start_up_error(tmp_path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "gigbag.server", "--data-dir", str(tmp_path), "--tier-limit", "gold.quota=1GB"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "unknown tier 'gold'" in done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "gigbag.server", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "GIGBAG_TIER_LIMITS": "free.quota=lots"},
    )
    assert done.returncode == 2 and "not a size" in done.stderr


def test_pulls_and_the_account_route_carry_a_fingerprint_that_changes_with_the_terms(
    server_factory, backend: str
) -> None:
    server = server_factory(backend)
    api = Api.sign_up(server.url)

    def tags() -> tuple[str, str]:
        pulled = api.http.get("/v1/sync/pull", headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION)})
        account = api.http.get("/v1/account")
        assert pulled.status_code == 200 and account.status_code == 200
        return pulled.headers[ACCOUNT_TERMS_HEADER], account.headers[ACCOUNT_TERMS_HEADER]

    first = tags()
    assert first[0] == first[1] and len(first[0]) == 16
    assert tags() == first  # nothing changed: the same fingerprint
    admin_ok(server, "user", "set-quota", api.email, "3MB")
    quota = tags()
    assert quota[0] == quota[1] != first[0]
    admin_ok(server, "user", "set-tier", api.email, "pro")
    assert tags()[0] not in (first[0], quota[0])
    admin_ok(server, "user", "set-tier", api.email, "free")
    admin_ok(server, "user", "set-quota", api.email, "tier")
    assert tags() == first  # the same terms again: the same fingerprint
    api.close()
