"""Files on an S3-compatible store (a real moto_server on 127.0.0.1): PUT, HEAD, GET with Range, tus.

The big test: a 200 MB file uploaded with tus through process A (the request cut by the client at
an odd offset), continued through process B (another process on the same PostgreSQL database and
bucket), then read back with Range requests through A: the same SHA-256, and neither process held
the file in memory. The content is generated in 1 MiB blocks stamped with their index, so bytes
stored at a wrong offset change the digest.
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.fixtures.s3 import S3Server, start_moto
from tests.fixtures.server_process import ServerProcess, ServerStartError, start_server
from tests.server.api_client import Api

MIB = 1024 * 1024
TUS = {"Tus-Resumable": "1.0.0"}
PATCH_HEADERS = {**TUS, "Content-Type": "application/offset+octet-stream"}


def _block(i: int) -> bytes:
    return struct.pack(">Q", i + 1) * (MIB // 8)


def _content(size: int, start: int = 0, end: int | None = None) -> Iterator[bytes]:
    """Bytes ``start..end`` (exclusive) of the generated file of ``size`` bytes, in blocks."""
    end = size if end is None else end
    pos = start
    while pos < end:
        index, skip = divmod(pos, MIB)
        block = _block(index)[skip : skip + (end - pos)]
        yield block
        pos += len(block)


def _digest(chunks: Iterator[bytes]) -> str:
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(chunk)
    return h.hexdigest()


def _meta(sha: str) -> str:
    return "sha256 " + base64.b64encode(sha.encode()).decode()


def s3_server_process(
    s3: S3Server, bucket: str, data_dir: Path, database_url: str | None = None, extra: tuple[str, ...] = ()
) -> ServerProcess:
    return start_server(
        data_dir, database_url, extra_args=("--blob-store", f"s3://{bucket}/gigbag", *extra), env=s3.env
    )


def _objects(s3: S3Server, bucket: str) -> list[str]:
    return sorted(o["Key"] for o in s3.client().list_objects_v2(Bucket=bucket).get("Contents", []))


def _multipart_uploads(s3: S3Server, bucket: str) -> list[str]:
    return [u["Key"] for u in s3.client().list_multipart_uploads(Bucket=bucket).get("Uploads", [])]


def _send_cut(url: str, token: str, path: str, offset: int, declared: int, body: Iterator[bytes]) -> None:
    """A PATCH that announces ``declared`` bytes, sends ``body`` and then closes: a cut connection."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=120) as sock:
        head = (
            f"PATCH {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n"
            f"Tus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\n"
            f"Upload-Offset: {offset}\r\nContent-Length: {declared}\r\n\r\n"
        )
        sock.sendall(head.encode())
        for chunk in body:
            sock.sendall(chunk)
        time.sleep(0.5)
        sock.shutdown(socket.SHUT_RDWR)


def _wait_offset(api: Api, path: str, expected: int, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while True:
        r = api.http.head(path, headers=TUS)
        assert r.status_code == 200, r.text
        offset = int(r.headers["upload-offset"])
        if offset == expected or time.monotonic() > deadline:
            return offset
        time.sleep(0.2)


def test_put_head_get_range_on_s3_and_a_wrong_digest_stores_nothing(s3_server: S3Server, tmp_path: Path) -> None:
    bucket = s3_server.new_bucket()
    server = s3_server_process(s3_server, bucket, tmp_path / "srv")
    try:
        api = Api.sign_up(server.url)
        small = os.urandom(1000)
        small_sha = hashlib.sha256(small).hexdigest()
        assert api.http.put(f"/v1/blobs/{small_sha}", content=small).status_code == 201
        size = 21 * MIB + 123  # three multipart parts of 8 MiB, the last one short
        sha = _digest(_content(size))
        r = api.http.put(f"/v1/blobs/{sha}", content=_content(size), headers={"Content-Length": str(size)})
        assert r.status_code == 201, r.text
        assert api.http.put(f"/v1/blobs/{sha}", content=b"").status_code == 200  # owned: nothing read
        head = api.http.head(f"/v1/blobs/{sha}")
        assert head.status_code == 200 and head.headers["content-length"] == str(size)
        assert api.http.get(f"/v1/blobs/{small_sha}").content == small
        for start, end in ((0, 0), (8 * MIB - 10, 8 * MIB + 10), (size - 500, size - 1)):
            got = api.http.get(f"/v1/blobs/{sha}", headers={"Range": f"bytes={start}-{end}"})
            assert got.status_code == 206 and got.headers["content-range"] == f"bytes {start}-{end}/{size}"
            assert got.content == b"".join(_content(size, start, end + 1))
        with api.http.stream("GET", f"/v1/blobs/{sha}") as whole:
            assert _digest(whole.iter_bytes()) == sha
        # content whose digest is not the one named: 422, and no object, no multipart upload left behind
        wrong = "0" * 64
        bad = api.http.put(f"/v1/blobs/{wrong}", content=_content(9 * MIB), headers={"Content-Length": str(9 * MIB)})
        assert bad.status_code == 422 and bad.json()["error"] == "digest_mismatch"
        assert api.http.head(f"/v1/blobs/{wrong}").status_code == 404
        keys = _objects(s3_server, bucket)
        assert keys == sorted(f"gigbag/blobs/{h[:2]}/{h[2:4]}/{h}" for h in (sha, small_sha)), keys
        assert _multipart_uploads(s3_server, bucket) == []
        other = Api.sign_up(server.url)  # the content is in the bucket, but not this user's
        assert other.http.get(f"/v1/blobs/{sha}").status_code == 404
        api.close()
        other.close()
    finally:
        server.stop()


def test_tus_on_s3_in_small_pieces_with_a_wrong_digest_discarded(s3_server: S3Server, tmp_path: Path) -> None:
    bucket = s3_server.new_bucket()
    server = s3_server_process(s3_server, bucket, tmp_path / "srv")
    try:
        api = Api.sign_up(server.url)
        size = 17 * MIB + 5
        sha = _digest(_content(size))
        created = api.http.post(
            "/v1/uploads/", headers={**TUS, "Upload-Length": str(size), "Upload-Metadata": _meta(sha)}
        )
        assert created.status_code == 201
        path = created.headers["location"]
        offset = 0
        for piece in (
            3 * MIB + 1,
            2 * MIB,
            4 * MIB + 7,
            5 * MIB,
            size,
        ):  # tails smaller than a part, parts across PATCHes
            end = min(size, offset + piece)
            r = api.http.patch(
                path,
                content=b"".join(_content(size, offset, end)),
                headers={**PATCH_HEADERS, "Upload-Offset": str(offset)},
            )
            assert r.status_code == 204, r.text
            assert int(r.headers["upload-offset"]) == end
            offset = end
            if offset == size:
                break
            assert _wait_offset(api, path, offset) == offset
        with api.http.stream("GET", f"/v1/blobs/{sha}") as whole:
            assert _digest(whole.iter_bytes()) == sha
        assert _multipart_uploads(s3_server, bucket) == []
        assert _objects(s3_server, bucket) == [f"gigbag/blobs/{sha[:2]}/{sha[2:4]}/{sha}"]
        # an empty file completes at once, and is served
        empty_sha = hashlib.sha256(b"").hexdigest()
        created = api.http.post(
            "/v1/uploads/", headers={**TUS, "Upload-Length": "0", "Upload-Metadata": _meta(empty_sha)}
        )
        assert created.status_code == 201 and created.headers["upload-offset"] == "0"
        empty = api.http.get(f"/v1/blobs/{empty_sha}")
        assert empty.status_code == 200 and empty.content == b""
        # a tus upload whose bytes are not the announced digest is discarded with its parts
        lie = "1" * 64
        created = api.http.post(
            "/v1/uploads/", headers={**TUS, "Upload-Length": str(9 * MIB), "Upload-Metadata": _meta(lie)}
        )
        r = api.http.patch(
            created.headers["location"],
            content=b"".join(_content(9 * MIB)),
            headers={**PATCH_HEADERS, "Upload-Offset": "0"},
        )
        assert r.status_code == 422 and r.json()["error"] == "digest_mismatch"
        assert _multipart_uploads(s3_server, bucket) == []
        assert _objects(s3_server, bucket) == sorted(f"gigbag/blobs/{h[:2]}/{h[2:4]}/{h}" for h in (sha, empty_sha))
        api.close()
    finally:
        server.stop()


def test_a_200_mb_upload_through_a_continued_through_b_read_with_range_through_a(
    s3_server: S3Server, tmp_path: Path, pg_database_url: str
) -> None:
    size = 200 * MIB + 4321
    cut_at = 100 * MIB + 12345  # not a part boundary: the bytes after the last part go to the tail object
    sha = _digest(_content(size))
    bucket = s3_server.new_bucket()
    started = time.monotonic()
    unlimited = ("--daily-upload-limit", "off")  # 200 MB is over the free tier's 100 MB a day
    a = s3_server_process(s3_server, bucket, tmp_path / "a", pg_database_url, unlimited)
    b = s3_server_process(s3_server, bucket, tmp_path / "b", pg_database_url, unlimited)
    try:
        api_a = Api.sign_up(a.url)
        api_b = Api(b.url, api_a.token, api_a.user_id, api_a.device_id, api_a.email)
        created = api_a.http.post(
            "/v1/uploads/", headers={**TUS, "Upload-Length": str(size), "Upload-Metadata": _meta(sha)}
        )
        assert created.status_code == 201, created.text
        path = created.headers["location"]
        base_a, base_b = a.memory_peak_kib(), b.memory_peak_kib()
        _send_cut(a.url, api_a.token, path, 0, size, _content(size, 0, cut_at))
        assert _wait_offset(api_a, path, cut_at) == cut_at  # every byte that arrived was kept
        assert _wait_offset(api_b, path, cut_at) == cut_at  # and process B sees the same state
        r = api_b.http.patch(
            path,
            content=_content(size, cut_at),
            timeout=600,
            headers={**PATCH_HEADERS, "Upload-Offset": str(cut_at), "Content-Length": str(size - cut_at)},
        )
        assert r.status_code == 204, r.text
        assert r.headers["upload-offset"] == str(size)
        head = api_a.http.head(f"/v1/blobs/{sha}")
        assert head.status_code == 200 and head.headers["content-length"] == str(size)
        digest = hashlib.sha256()
        step = 64 * MIB + 3
        for start in range(0, size, step):
            end = min(size, start + step) - 1
            with api_a.http.stream("GET", f"/v1/blobs/{sha}", headers={"Range": f"bytes={start}-{end}"}) as part:
                assert part.status_code == 206
                assert part.headers["content-range"] == f"bytes {start}-{end}/{size}"
                for chunk in part.iter_bytes():
                    digest.update(chunk)
        assert digest.hexdigest() == sha
        # neither process held the file: well under its size in extra resident memory
        assert a.memory_peak_kib() - base_a < 120 * 1024, (base_a, a.memory_peak_kib())
        assert b.memory_peak_kib() - base_b < 120 * 1024, (base_b, b.memory_peak_kib())
        assert _multipart_uploads(s3_server, bucket) == []
        assert _objects(s3_server, bucket) == [f"gigbag/blobs/{sha[:2]}/{sha[2:4]}/{sha}"]
        print(f"200 MB tus upload A→B and Range download through A on S3: {time.monotonic() - started:.1f} s")
        api_a.close()
        api_b.close()
    finally:
        a.stop()
        b.stop()


def test_a_process_killed_mid_upload_leaves_whole_parts_that_another_continues(
    s3_server: S3Server, tmp_path: Path
) -> None:
    size = 40 * MIB
    sha = _digest(_content(size))
    bucket = s3_server.new_bucket()
    one = s3_server_process(s3_server, bucket, tmp_path / "srv")
    api = Api.sign_up(one.url)
    created = api.http.post("/v1/uploads/", headers={**TUS, "Upload-Length": str(size), "Upload-Metadata": _meta(sha)})
    path = created.headers["location"]
    sent = 0

    def killed_halfway() -> Iterator[bytes]:
        nonlocal sent
        for chunk in _content(size):
            if sent == 20 * MIB + MIB:
                time.sleep(1.0)  # let the server send the parts it has
                one.kill()
            sent += len(chunk)
            yield chunk

    with pytest.raises(httpx.TransportError):
        httpx.patch(
            one.url + path,
            content=killed_halfway(),
            timeout=60,
            headers={
                "Authorization": f"Bearer {api.token}",
                **PATCH_HEADERS,
                "Upload-Offset": "0",
                "Content-Length": str(size),
            },
        )
    two = one.restart()  # same data folder (SQLite) and bucket
    try:
        api_two = Api(two.url, api.token, api.user_id, api.device_id, api.email)
        offset = int(api_two.http.head(path, headers=TUS).headers["upload-offset"])
        assert offset % (8 * MIB) == 0 and 0 < offset <= 21 * MIB, offset  # whole parts survive a kill
        r = api_two.http.patch(
            path, content=_content(size, offset), timeout=120, headers={**PATCH_HEADERS, "Upload-Offset": str(offset)}
        )
        assert r.status_code == 204, r.text
        with api_two.http.stream("GET", f"/v1/blobs/{sha}") as whole:
            assert _digest(whole.iter_bytes()) == sha
        api_two.close()
    finally:
        two.stop()
    api.close()


def test_a_missing_bucket_or_refused_credentials_stop_the_start_with_a_clear_error(
    s3_server: S3Server, tmp_path: Path
) -> None:
    with pytest.raises(ServerStartError) as missing:
        s3_server_process(s3_server, "no-such-bucket", tmp_path / "one")
    assert "server exited with 2" in str(missing.value)
    assert "the bucket 'no-such-bucket' does not exist" in str(missing.value)
    strict = start_moto(authenticate=True, free_actions=1)  # moto then checks every key against its IAM
    try:
        bucket = strict.new_bucket()
        with pytest.raises(ServerStartError) as refused:
            s3_server_process(strict, bucket, tmp_path / "two")
        assert "server exited with 2" in str(refused.value)
        assert "refused the credentials" in str(refused.value) and "AWS_ACCESS_KEY_ID" in str(refused.value)
    finally:
        strict.stop()
    no_endpoint = S3Server(endpoint="http://127.0.0.1:9", process=s3_server.process)  # nothing listens there
    with pytest.raises(ServerStartError) as unreachable:
        s3_server_process(no_endpoint, "bucket", tmp_path / "three")
    assert "cannot reach the S3 endpoint http://127.0.0.1:9" in str(unreachable.value)


def test_a_stored_part_or_tail_changed_between_patches_is_caught_by_the_final_check(
    s3_server: S3Server, tmp_path: Path
) -> None:
    # the server keeps a running hash across PATCHes; a part or tail replaced in the bucket meanwhile
    # (another ETag) makes it read the assembled object back, which then fails the digest check
    bucket = s3_server.new_bucket()
    server = s3_server_process(s3_server, bucket, tmp_path / "srv")
    s3 = s3_server.client()
    try:
        api = Api.sign_up(server.url)
        size = 18 * MIB + 11
        sha = _digest(_content(size))
        for target in ("part", "tail", None):
            created = api.http.post(
                "/v1/uploads/", headers={**TUS, "Upload-Length": str(size), "Upload-Metadata": _meta(sha)}
            )
            path = created.headers["location"]
            upload_id = path.rsplit("/", 1)[1]
            key = f"gigbag/uploads/{upload_id}"
            first = 9 * MIB + 3  # one whole part, the rest in the tail object
            r = api.http.patch(
                path, content=b"".join(_content(size, 0, first)), headers={**PATCH_HEADERS, "Upload-Offset": "0"}
            )
            assert r.status_code == 204, r.text
            if target == "part":
                multipart_id = next(u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"])
                changed = bytearray(b"".join(_content(size, 0, 8 * MIB)))
                changed[100] ^= 0xFF
                s3.upload_part(Bucket=bucket, Key=key, UploadId=multipart_id, PartNumber=1, Body=bytes(changed))
            elif target == "tail":
                tail = bytearray(b"".join(_content(size, 8 * MIB, first)))
                tail[5] ^= 0xFF
                s3.put_object(Bucket=bucket, Key=f"{key}.tail-00001", Body=bytes(tail))
            r = api.http.patch(
                path,
                content=b"".join(_content(size, first)),
                headers={**PATCH_HEADERS, "Upload-Offset": str(first)},
            )
            if target is None:
                assert r.status_code == 204, r.text
                with api.http.stream("GET", f"/v1/blobs/{sha}") as whole:
                    assert _digest(whole.iter_bytes()) == sha
            else:
                assert r.status_code == 422, (target, r.text)
                assert r.json()["error"] == "digest_mismatch"
                assert api.http.head(f"/v1/blobs/{sha}").status_code == 404
        api.close()
    finally:
        server.stop()
