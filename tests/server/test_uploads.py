"""Resumable uploads (tus 1.0 core + creation + termination), black-box, including a standard client."""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import time
from pathlib import Path

import httpx
import pytest
from tusclient.client import TusClient

from tests.fixtures.server_process import ServerProcess
from tests.server.api_client import Api

TUS = {"Tus-Resumable": "1.0.0"}


def _meta(sha: str) -> str:
    return "sha256 " + base64.b64encode(sha.encode()).decode() + ",filename " + base64.b64encode(b"a.wav").decode()


def _create(api: Api, size: int, sha: str, path: str = "/v1/uploads/") -> httpx.Response:
    return api.http.post(path, headers={**TUS, "Upload-Length": str(size), "Upload-Metadata": _meta(sha)})


def _patch(api: Api, url: str, offset: int, data: bytes, **headers: str) -> httpx.Response:
    return api.http.patch(
        url,
        content=data,
        headers={**TUS, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream", **headers},
    )


def _offset(api: Api, url: str) -> int:
    r = api.http.head(url, headers=TUS)
    assert r.status_code == 200, r.status_code
    assert r.headers["cache-control"] == "no-store" and r.headers["tus-resumable"] == "1.0.0"
    return int(r.headers["upload-offset"])


def _data(size: int) -> tuple[bytes, str]:
    data = os.urandom(size)
    return data, hashlib.sha256(data).hexdigest()


def test_options_describes_the_server(server: ServerProcess) -> None:
    r = httpx.options(server.url + "/v1/uploads/")
    assert r.status_code == 204
    assert r.headers["tus-version"] == "1.0.0"
    assert r.headers["tus-resumable"] == "1.0.0"
    assert set(r.headers["tus-extension"].split(",")) == {"creation", "termination"}
    assert int(r.headers["tus-max-size"]) > 0


def test_upload_in_pieces_then_served_as_a_blob(api: Api) -> None:
    data, sha = _data(2_000_000)
    created = _create(api, len(data), sha)
    assert created.status_code == 201, created.text
    assert created.headers["tus-resumable"] == "1.0.0"
    url = created.headers["location"]
    assert url.startswith("/v1/uploads/")
    assert _offset(api, url) == 0
    head = api.http.head(url, headers=TUS)
    assert head.headers["upload-length"] == str(len(data))
    offset = 0
    for piece in (700_000, 700_000, 600_000):
        r = _patch(api, url, offset, data[offset : offset + piece])
        assert r.status_code == 204, r.text
        offset += piece
        assert r.headers["upload-offset"] == str(offset) and r.headers["tus-resumable"] == "1.0.0"
        assert _offset(api, url) == offset
    got = api.http.get(f"/v1/blobs/{sha}")
    assert got.status_code == 200 and got.content == data
    # a late retry of the last piece is harmless
    assert _patch(api, url, len(data), b"").status_code == 204
    assert _patch(api, url, 1_400_000, data[1_400_000:]).status_code == 409


def test_offset_content_type_and_version_are_checked(api: Api) -> None:
    data, sha = _data(1000)
    url = _create(api, len(data), sha).headers["location"]
    assert _patch(api, url, 0, data[:100]).status_code == 204
    wrong = _patch(api, url, 50, data[50:])
    assert wrong.status_code == 409 and wrong.headers["upload-offset"] == "100"
    assert wrong.json()["error"] == "offset_mismatch" and wrong.json()["offset"] == 100
    r = api.http.patch(
        url, content=data[100:], headers={**TUS, "Upload-Offset": "100", "Content-Type": "application/octet-stream"}
    )
    assert r.status_code == 415 and r.json()["error"] == "unsupported_media_type"
    r = api.http.patch(
        url, content=data[100:], headers={"Upload-Offset": "100", "Content-Type": "application/offset+octet-stream"}
    )
    assert r.status_code == 412 and r.headers["tus-version"] == "1.0.0" and r.headers["tus-resumable"] == "1.0.0"
    assert api.http.head(url).status_code == 412
    assert _patch(api, url, 100, data[100:], **{"Upload-Offset": "x"}).status_code == 400
    too_long = _patch(api, url, 100, data[100:] + b"extra")
    assert too_long.status_code == 400 and too_long.json()["error"] == "upload_exceeds_length"
    assert _offset(api, url) == 1000  # the bytes up to the length were kept and completed the upload
    assert api.http.get(f"/v1/blobs/{sha}").content == data


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({"Upload-Metadata": "sha256 " + base64.b64encode(b"0" * 64).decode()}, "invalid_upload_length"),
        (
            {"Upload-Length": "-1", "Upload-Metadata": "sha256 " + base64.b64encode(b"0" * 64).decode()},
            "invalid_upload_length",
        ),
        ({"Upload-Length": "10"}, "invalid_upload_metadata"),
        ({"Upload-Length": "10", "Upload-Metadata": "sha256 !!!"}, "invalid_upload_metadata"),
        (
            {"Upload-Length": "10", "Upload-Metadata": "sha256 " + base64.b64encode(b"abc").decode()},
            "invalid_upload_metadata",
        ),
        (
            {"Upload-Defer-Length": "1", "Upload-Metadata": "sha256 " + base64.b64encode(b"0" * 64).decode()},
            "invalid_upload_length",
        ),
    ],
)
def test_creation_refuses_bad_headers(api: Api, headers: dict, code: str) -> None:
    r = api.http.post("/v1/uploads/", headers={**TUS, **headers})
    assert r.status_code == 400 and r.json()["error"] == code
    assert r.headers["tus-resumable"] == "1.0.0"


def test_creation_without_tus_resumable_is_412(api: Api) -> None:
    r = api.http.post("/v1/uploads/", headers={"Upload-Length": "1", "Upload-Metadata": _meta("0" * 64)})
    assert r.status_code == 412 and r.json()["error"] == "tus_version_unsupported"


def test_digest_is_checked_at_the_last_byte(api: Api) -> None:
    data, _ = _data(300_000)
    wrong_sha = hashlib.sha256(b"something else").hexdigest()
    url = _create(api, len(data), wrong_sha).headers["location"]
    assert _patch(api, url, 0, data[:100_000]).status_code == 204
    r = _patch(api, url, 100_000, data[100_000:])
    assert r.status_code == 422
    assert r.json()["error"] == "digest_mismatch" and r.json()["actual_sha256"] == hashlib.sha256(data).hexdigest()
    assert api.http.head(url, headers=TUS).status_code == 404
    assert api.http.head(f"/v1/blobs/{wrong_sha}").status_code == 404


def test_an_owned_blob_needs_no_upload_and_an_empty_one_completes_at_once(api: Api) -> None:
    data, sha = _data(5000)
    assert api.http.put(f"/v1/blobs/{sha}", content=data).status_code == 201
    r = _create(api, len(data), sha)
    assert r.status_code == 201 and r.headers["upload-offset"] == "5000"
    assert _offset(api, r.headers["location"]) == 5000
    empty_sha = hashlib.sha256(b"").hexdigest()
    r = _create(api, 0, empty_sha, path="/v1/uploads")  # without the trailing slash too
    assert r.status_code == 201 and _offset(api, r.headers["location"]) == 0
    assert api.http.get(f"/v1/blobs/{empty_sha}").status_code == 200


def test_termination(api: Api) -> None:
    data, sha = _data(1000)
    url = _create(api, len(data), sha).headers["location"]
    _patch(api, url, 0, data[:10])
    assert api.http.delete(url, headers=TUS).status_code == 204
    assert api.http.head(url, headers=TUS).status_code == 404
    assert _patch(api, url, 10, data[10:]).status_code == 404


def test_users_cannot_touch_each_others_uploads(new_api) -> None:
    alice, bob = new_api(), new_api()
    data, sha = _data(1000)
    url = _create(alice, len(data), sha).headers["location"]
    assert _patch(alice, url, 0, data[:10]).status_code == 204
    assert bob.http.head(url, headers=TUS).status_code == 404
    assert _patch(bob, url, 10, data[10:]).status_code == 404
    assert bob.http.delete(url, headers=TUS).status_code == 404
    assert _offset(alice, url) == 10
    for bad in ("/v1/uploads/../blobs", "/v1/uploads/" + "z" * 32, "/v1/uploads/abc"):
        assert bob.http.head(bad, headers=TUS).status_code == 404


def test_a_standard_tus_client_uploads(api: Api, tmp_path: Path) -> None:
    data, sha = _data(3 * 1024 * 1024 + 123)
    path = tmp_path / "song.wav"
    path.write_bytes(data)
    client = TusClient(api.base_url + "/v1/uploads/", headers={"Authorization": f"Bearer {api.token}"})
    uploader = client.uploader(str(path), chunk_size=1024 * 1024, metadata={"sha256": sha, "filename": "song.wav"})
    uploader.upload()
    assert uploader.offset == len(data)
    assert api.http.get(f"/v1/blobs/{sha}").content == data


def _send_cut(url: str, token: str, path: str, offset: int, declared: int, body: bytes) -> None:
    """A PATCH that announces ``declared`` bytes, sends ``body`` and then drops the connection."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        head = (
            f"PATCH {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
            f"Tus-Resumable: 1.0.0\r\nUpload-Offset: {offset}\r\n"
            f"Content-Type: application/offset+octet-stream\r\nContent-Length: {declared}\r\n\r\n"
        )
        sock.sendall(head.encode() + body)
        time.sleep(0.3)
        sock.shutdown(socket.SHUT_RDWR)


def test_a_cut_patch_keeps_every_byte_received(api: Api) -> None:
    data, sha = _data(6_000_000)
    url = _create(api, len(data), sha).headers["location"]
    _send_cut(api.base_url, api.token, url, 0, len(data), data[:2_345_678])
    deadline = time.monotonic() + 10
    while _offset(api, url) != 2_345_678 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _offset(api, url) == 2_345_678
    _send_cut(api.base_url, api.token, url, 2_345_678, len(data) - 2_345_678, data[2_345_678:4_000_000])
    deadline = time.monotonic() + 10
    while _offset(api, url) != 4_000_000 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _offset(api, url) == 4_000_000
    r = _patch(api, url, 4_000_000, data[4_000_000:])
    assert r.status_code == 204 and r.headers["upload-offset"] == str(len(data))
    assert api.http.get(f"/v1/blobs/{sha}").content == data


def test_another_server_process_continues_an_upload(server_factory, backend: str) -> None:
    one = server_factory(backend)
    two = server_factory(backend, database_url=one.database_url, data_dir=one.data_dir)
    data, sha = _data(3_000_000)
    api_one = Api.sign_up(one.url)
    api_two = Api(two.url, api_one.token, api_one.user_id, api_one.device_id, api_one.email)
    url = _create(api_one, len(data), sha).headers["location"]
    assert _patch(api_one, url, 0, data[:1_000_000]).status_code == 204
    one.kill()
    assert _offset(api_two, url) == 1_000_000
    assert _patch(api_two, url, 1_000_000, data[1_000_000:]).status_code == 204
    assert api_two.http.get(f"/v1/blobs/{sha}").content == data
    api_one.close()
    api_two.close()


def test_expired_uploads_are_forgotten_and_their_bytes_deleted(api: Api, server: ServerProcess) -> None:
    import datetime as dt

    from sqlalchemy import text

    from tests.server.server_db import server_engine

    data, sha = _data(100_000)
    url = _create(api, len(data), sha).headers["location"]
    assert _patch(api, url, 0, data[:50_000]).status_code == 204
    upload_id = url.rsplit("/", 1)[1]
    partial = server.data_dir / "blobs" / ".uploads" / f"{upload_id}.part"
    assert partial.stat().st_size == 50_000
    engine = server_engine(server)
    try:
        with engine.begin() as conn:
            past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
            conn.execute(
                text("UPDATE uploads SET expires_at = :t WHERE id = :i"),
                {"t": past if server.database_url else past.replace(tzinfo=None), "i": upload_id},
            )
    finally:
        engine.dispose()
    assert api.http.head(url, headers=TUS).status_code == 404
    assert _patch(api, url, 50_000, data[50_000:]).status_code == 404
    other, other_sha = _data(10)
    assert _create(api, len(other), other_sha).status_code == 201  # creating an upload purges expired ones
    assert not partial.exists()


def _partial(server: ServerProcess, url: str) -> Path:
    return server.data_dir / "blobs" / ".uploads" / f"{url.rsplit('/', 1)[1]}.part"


def _flip_byte(path: Path, at: int) -> bytes:
    """Change one stored byte in place (the file keeps its size); returns the file's new bytes."""
    with path.open("r+b") as f:
        f.seek(at)
        old = f.read(1)
        f.seek(at)
        f.write(bytes([old[0] ^ 0xFF]))
    return path.read_bytes()


def test_bytes_changed_on_disk_between_patches_are_caught_by_the_final_check(api: Api, server: ServerProcess) -> None:
    # the server keeps a running hash across PATCHes; it must not trust it once the stored bytes changed
    data, sha = _data(3_000_000)
    url = _create(api, len(data), sha).headers["location"]
    assert _patch(api, url, 0, data[:1_000_000]).status_code == 204
    assert _patch(api, url, 1_000_000, data[1_000_000:2_000_000]).status_code == 204
    stored = _flip_byte(_partial(server, url), 123_456)
    r = _patch(api, url, 2_000_000, data[2_000_000:])
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "digest_mismatch"
    assert r.json()["actual_sha256"] == hashlib.sha256(stored + data[2_000_000:]).hexdigest()
    assert api.http.head(f"/v1/blobs/{sha}").status_code == 404


def test_an_upload_continued_by_another_process_is_verified_from_the_stored_bytes(server_factory, backend: str) -> None:
    # process two never saw the first bytes: its check reads them back, so a change made meanwhile is caught,
    # and an unchanged upload completes
    one = server_factory(backend)
    two = server_factory(backend, database_url=one.database_url, data_dir=one.data_dir)
    api_one = Api.sign_up(one.url)
    api_two = Api(two.url, api_one.token, api_one.user_id, api_one.device_id, api_one.email)
    good, good_sha = _data(2_000_000)
    bad, bad_sha = _data(2_000_000)
    good_url = _create(api_one, len(good), good_sha).headers["location"]
    bad_url = _create(api_one, len(bad), bad_sha).headers["location"]
    for url, data in ((good_url, good), (bad_url, bad)):
        assert _patch(api_one, url, 0, data[:1_500_000]).status_code == 204
    one.kill()
    stored = _flip_byte(_partial(two, bad_url), 7)
    assert _offset(api_two, bad_url) == 1_500_000
    r = _patch(api_two, bad_url, 1_500_000, bad[1_500_000:])
    assert r.status_code == 422 and r.json()["actual_sha256"] == hashlib.sha256(stored + bad[1_500_000:]).hexdigest()
    assert _patch(api_two, good_url, 1_500_000, good[1_500_000:]).status_code == 204
    assert api_two.http.get(f"/v1/blobs/{good_sha}").content == good
    api_one.close()
    api_two.close()
