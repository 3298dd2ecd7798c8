"""Blobs, black-box: PUT with digest check, HEAD, GET with ranges, ownership per user, quotas."""

from __future__ import annotations

import hashlib
import os

import httpx
import pytest

from tests.fixtures.server_process import ServerProcess
from tests.server.api_client import Api


def _blob(size: int = 300_000) -> tuple[bytes, str]:
    data = os.urandom(size)
    return data, hashlib.sha256(data).hexdigest()


def _put(api: Api, sha: str, data: bytes, **kwargs) -> httpx.Response:
    return api.http.put(
        f"/v1/blobs/{sha}", content=data, headers={"Content-Type": "application/octet-stream"}, **kwargs
    )


def test_put_head_get_round_trip(api: Api) -> None:
    data, sha = _blob(3 * 1024 * 1024 + 17)
    assert api.http.head(f"/v1/blobs/{sha}").status_code == 404
    r = _put(api, sha, data)
    assert r.status_code == 201, r.text
    assert r.json() == {"sha256": sha, "size": len(data)}
    head = api.http.head(f"/v1/blobs/{sha}")
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(data)
    assert head.headers["accept-ranges"] == "bytes"
    got = api.http.get(f"/v1/blobs/{sha}")
    assert got.status_code == 200 and got.content == data
    assert got.headers["content-type"] == "application/octet-stream"
    # already stored: 200, nothing changes
    again = _put(api, sha, data)
    assert again.status_code == 200 and again.json() == {"sha256": sha, "size": len(data)}
    assert api.status()["storage"]["used_bytes"] == len(data)


def test_put_streams_a_chunked_body(api: Api) -> None:
    data, sha = _blob(2_500_000)

    def chunks():
        for i in range(0, len(data), 100_000):
            yield data[i : i + 100_000]

    r = api.http.put(f"/v1/blobs/{sha}", content=chunks())  # no Content-Length: chunked
    assert r.status_code == 201, r.text
    assert api.http.get(f"/v1/blobs/{sha}").content == data


def test_put_refuses_content_whose_digest_differs(api: Api, server: ServerProcess) -> None:
    data, sha = _blob()
    r = _put(api, sha, data + b"!")
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "digest_mismatch"
    assert body["actual_sha256"] == hashlib.sha256(data + b"!").hexdigest()
    assert api.http.head(f"/v1/blobs/{sha}").status_code == 404
    assert api.http.get(f"/v1/blobs/{sha}").status_code == 404
    assert not any(p.is_file() for p in (server.data_dir / "blobs" / ".tmp").iterdir())


@pytest.mark.parametrize("bad", ["abc", "A" * 64, "g" * 64, "0" * 63, "0" * 65])
def test_malformed_digests_are_refused(api: Api, bad: str) -> None:
    r = _put(api, bad, b"x")
    assert r.status_code == 422 and r.json()["error"] == "validation_error"
    assert api.http.get(f"/v1/blobs/{bad}").status_code == 422
    assert api.http.head(f"/v1/blobs/{bad}").status_code == 422


@pytest.mark.parametrize(
    ("header", "status", "start", "end"),
    [
        ("bytes=0-99", 206, 0, 99),
        ("bytes=100-", 206, 100, 999),
        ("bytes=-10", 206, 990, 999),
        ("bytes=990-5000", 206, 990, 999),
        ("bytes=-5000", 206, 0, 999),
        ("bytes=5-4", 200, 0, 999),  # invalid: ignored
        ("bytes=0-1,5-6", 200, 0, 999),  # several ranges: the whole file
        ("items=0-1", 200, 0, 999),
    ],
)
def test_get_honours_a_byte_range(api: Api, header: str, status: int, start: int, end: int) -> None:
    data, sha = _blob(1000)
    assert _put(api, sha, data).status_code == 201
    r = api.http.get(f"/v1/blobs/{sha}", headers={"Range": header})
    assert r.status_code == status
    assert r.content == data[start : end + 1]
    if status == 206:
        assert r.headers["content-range"] == f"bytes {start}-{end}/1000"


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_unsatisfiable_ranges_get_416(api: Api, header: str) -> None:
    data, sha = _blob(1000)
    assert _put(api, sha, data).status_code == 201
    r = api.http.get(f"/v1/blobs/{sha}", headers={"Range": header})
    assert r.status_code == 416
    assert r.headers["content-range"] == "bytes */1000"
    assert r.json()["error"] == "range_not_satisfiable"


def test_empty_blob(api: Api) -> None:
    sha = hashlib.sha256(b"").hexdigest()
    assert _put(api, sha, b"").status_code == 201
    r = api.http.get(f"/v1/blobs/{sha}")
    assert r.status_code == 200 and r.content == b""


def test_users_cannot_read_or_probe_each_others_blobs(new_api) -> None:
    alice, bob = new_api(), new_api()
    data, sha = _blob()
    assert _put(alice, sha, data).status_code == 201
    assert bob.http.head(f"/v1/blobs/{sha}").status_code == 404
    r = bob.http.get(f"/v1/blobs/{sha}")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    assert bob.http.get(f"/v1/blobs/{sha}", headers={"Range": "bytes=0-10"}).status_code == 404
    # knowing the hash is not enough: bob must send the content, which is then checked
    assert _put(bob, sha, b"not the content").status_code == 422
    assert bob.http.head(f"/v1/blobs/{sha}").status_code == 404
    r = _put(bob, sha, data)
    assert r.status_code == 201  # stored for bob (the file on disk is shared)
    assert bob.http.get(f"/v1/blobs/{sha}").content == data
    assert bob.status()["storage"]["used_bytes"] == alice.status()["storage"]["used_bytes"] == len(data)


def test_blobs_need_a_token(server: ServerProcess, api: Api) -> None:
    data, sha = _blob(10)
    assert _put(api, sha, data).status_code == 201
    for method in ("HEAD", "GET", "PUT"):
        r = httpx.request(method, f"{server.url}/v1/blobs/{sha}", content=data if method == "PUT" else None)
        assert r.status_code == 401


# --- quotas: their own servers ---------------------------------------------------------------------------


def test_storage_quota_refuses_with_a_clear_body(server_factory, backend: str) -> None:
    server = server_factory(backend, extra_args=["--storage-quota", "1MB", "--daily-upload-limit", "off"])
    api = Api.sign_up(server.url)
    first, sha1 = _blob(600_000)
    assert _put(api, sha1, first).status_code == 201
    second, sha2 = _blob(500_000)
    r = _put(api, sha2, second)
    assert r.status_code == 413
    body = r.json()
    assert body["error"] == "storage_quota_exceeded" and body["limit"] == "storage_quota"
    assert body["limit_bytes"] == 1_000_000 and body["used_bytes"] == 600_000
    assert body["remaining_bytes"] == 400_000
    assert "400.0 kB left" in body["message"]
    # without Content-Length, the refusal comes while streaming
    r = api.http.put(f"/v1/blobs/{sha2}", content=iter([second[:250_000], second[250_000:]]))
    assert r.status_code == 413 and r.json()["limit"] == "storage_quota"
    assert api.http.head(f"/v1/blobs/{sha2}").status_code == 404
    fits, sha3 = _blob(400_000)
    assert _put(api, sha3, fits).status_code == 201
    storage = api.status()["storage"]
    assert storage == {
        "used_bytes": 1_000_000,
        "quota_bytes": 1_000_000,
        "remaining_bytes": 0,
        "daily_upload_limit_bytes": None,
        "uploaded_today_bytes": 1_000_000,
        "daily_remaining_bytes": None,
    }
    # the tus creation is refused up front too
    r = api.http.post(
        "/v1/uploads/",
        headers={"Tus-Resumable": "1.0.0", "Upload-Length": "10", "Upload-Metadata": _meta(sha2)},
    )
    assert r.status_code == 413 and r.json()["remaining_bytes"] == 0
    api.close()


def _meta(sha: str) -> str:
    import base64

    return "sha256 " + base64.b64encode(sha.encode()).decode()


def test_daily_upload_limit_refuses_with_retry_after(server_factory, backend: str) -> None:
    server = server_factory(backend, extra_args=["--daily-upload-limit", "1MB"])
    api = Api.sign_up(server.url)
    first, sha1 = _blob(700_000)
    assert _put(api, sha1, first).status_code == 201
    second, sha2 = _blob(400_000)
    r = _put(api, sha2, second)
    assert r.status_code == 429
    body = r.json()
    assert body["error"] == "daily_upload_limit_exceeded" and body["limit"] == "daily_upload_limit"
    assert body["limit_bytes"] == 1_000_000 and body["used_bytes"] == 700_000 and body["remaining_bytes"] == 300_000
    assert 1 <= int(r.headers["retry-after"]) <= 86_400
    # an upload in progress counts against the day as well
    small, sha3 = _blob(200_000)
    r = api.http.post(
        "/v1/uploads/",
        headers={"Tus-Resumable": "1.0.0", "Upload-Length": str(len(small)), "Upload-Metadata": _meta(sha3)},
    )
    assert r.status_code == 201
    r = api.http.post(
        "/v1/uploads/",
        headers={"Tus-Resumable": "1.0.0", "Upload-Length": "200000", "Upload-Metadata": _meta(sha2)},
    )
    assert r.status_code == 429 and r.json()["remaining_bytes"] == 100_000
    status = api.status()["storage"]
    assert status["daily_upload_limit_bytes"] == 1_000_000
    assert status["uploaded_today_bytes"] == 700_000 and status["daily_remaining_bytes"] == 300_000
    api.close()


def test_max_upload_size(server_factory, backend: str) -> None:
    server = server_factory(backend, extra_args=["--max-upload-size", "100kB"])
    api = Api.sign_up(server.url)
    data, sha = _blob(100_001)
    r = _put(api, sha, data)
    assert r.status_code == 413
    assert r.json()["limit"] == "max_upload_size" and r.json()["limit_bytes"] == 100_000
    options = httpx.options(server.url + "/v1/uploads/")
    assert options.headers["tus-max-size"] == "100000"
    api.close()
