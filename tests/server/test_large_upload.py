"""A 1 GB upload over tus whose server process is killed halfway resumes and completes, in bounded memory.

The content is generated on the fly (1 MiB blocks, each stamped with its index, so bytes written at
a wrong offset would change the digest) and never held whole in memory, by the test or the server.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Iterator

import httpx
import pytest

from tests.server.api_client import Api

MIB = 1024 * 1024
SIZE = 1024 * MIB
KILL_AT = SIZE // 2
CHECKPOINT = 16 * MIB  # the server records its offset at least this often


def _block(i: int) -> bytes:
    return struct.pack(">Q", i + 1) * (MIB // 8)


def _content(start: int = 0) -> Iterator[bytes]:
    first, skip = divmod(start, MIB)
    yield _block(first)[skip:]
    for i in range(first + 1, SIZE // MIB):
        yield _block(i)


def _digest() -> str:
    h = hashlib.sha256()
    for chunk in _content():
        h.update(chunk)
    return h.hexdigest()


@pytest.mark.slow
def test_one_gigabyte_upload_killed_halfway_resumes_from_the_servers_offset(server_factory, backend: str) -> None:
    sha = _digest()
    server = server_factory(
        backend, extra_args=["--daily-upload-limit", "off"]
    )  # 1 GB: over the free tier's 100 MB a day
    api = Api.sign_up(server.url)
    headers = {"Authorization": f"Bearer {api.token}", "Tus-Resumable": "1.0.0"}
    created = httpx.post(
        server.url + "/v1/uploads/",
        headers={
            **headers,
            "Upload-Length": str(SIZE),
            "Upload-Metadata": "sha256 " + base64.b64encode(sha.encode()).decode(),
        },
    )
    assert created.status_code == 201, created.text
    path = created.headers["location"]
    baseline_kib = server.memory_peak_kib()
    sent = 0
    peak_before_kill = 0

    def first_half() -> Iterator[bytes]:
        nonlocal sent, peak_before_kill
        for chunk in _content():
            if sent == KILL_AT:
                peak_before_kill = server.memory_peak_kib()
                server.kill()  # mid-request, as a crash would; the next writes fail
            sent += len(chunk)
            yield chunk

    patch_headers = {**headers, "Content-Type": "application/offset+octet-stream"}
    with pytest.raises(httpx.TransportError):
        httpx.patch(
            server.url + path,
            content=first_half(),
            headers={**patch_headers, "Upload-Offset": "0", "Content-Length": str(SIZE)},
            timeout=120,
        )
    assert not server.alive
    # the server held no more than a few chunks while receiving half a gigabyte
    assert peak_before_kill - baseline_kib < 100 * 1024, (baseline_kib, peak_before_kill)

    server = server.restart()
    server_factory.track(server)
    head = httpx.head(server.url + path, headers=headers)
    assert head.status_code == 200
    offset = int(head.headers["upload-offset"])
    # everything up to the last checkpoint before the kill survived (the rest was in flight)
    assert KILL_AT - 4 * CHECKPOINT <= offset <= KILL_AT, offset
    baseline_kib = server.memory_peak_kib()
    done = httpx.patch(
        server.url + path,
        content=_content(offset),
        headers={**patch_headers, "Upload-Offset": str(offset), "Content-Length": str(SIZE - offset)},
        timeout=300,
    )
    assert done.status_code == 204, done.text
    assert done.headers["upload-offset"] == str(SIZE)
    assert server.memory_peak_kib() - baseline_kib < 100 * 1024
    blob = httpx.head(f"{server.url}/v1/blobs/{sha}", headers=headers)
    assert blob.status_code == 200 and int(blob.headers["content-length"]) == SIZE
    for start in (0, offset - 5, KILL_AT, SIZE - 100):
        r = httpx.get(f"{server.url}/v1/blobs/{sha}", headers={**headers, "Range": f"bytes={start}-{start + 99}"})
        assert r.status_code == 206
        expected = _block(start // MIB)[start % MIB :] + _block(start // MIB + 1)
        assert r.content == expected[: len(r.content)] and len(r.content) == min(100, SIZE - start)
    # the partial file became the blob: no leftovers in the upload folder
    assert not list((server.data_dir / "blobs" / ".uploads").glob("*.part"))
    (server.data_dir / "blobs" / sha[:2] / sha[2:4] / sha).unlink()
    api.close()
