"""A big download's body is received straight from the socket: exactly the announced bytes, the
parser's buffered first piece first, a cut kept as a prefix; anything else goes through httpx."""

from __future__ import annotations

import hashlib
import io
import os
import socket
import threading

import httpx
import pytest

from gigbag.sync.errors import NetworkError
from gigbag.sync.part_writer import PartWriter
from gigbag.sync.socket_body import body_socket, receive_body


class _Digest:
    def __init__(self) -> None:
        self.hasher = hashlib.sha256()

    def update(self, chunk: memoryview) -> None:
        self.hasher.update(chunk)


def _send_then_close(sock: socket.socket, data: bytes) -> threading.Thread:
    def run() -> None:
        sock.sendall(data)
        sock.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_the_body_is_the_buffered_piece_then_exactly_the_rest_of_the_socket() -> None:
    body = os.urandom(3 * 65536 + 11)
    after = b"NEXT RESPONSE"  # bytes past the body are not read
    ours, theirs = socket.socketpair()
    sender = _send_then_close(theirs, body[1000:] + after)
    out, digest, counted = io.BytesIO(), _Digest(), []
    with PartWriter(out, digest, block_bytes=50_000) as writer:
        receive_body(iter([body[:1000]]), ours, len(body), writer, counted.append, timeout=5)
    sender.join()
    assert out.getvalue() == body
    assert digest.hasher.hexdigest() == hashlib.sha256(body).hexdigest()
    assert sum(counted) == len(body)
    assert ours.recv(100) == after
    ours.close()


def test_a_body_cut_before_its_end_is_a_network_error_and_what_came_is_kept() -> None:
    ours, theirs = socket.socketpair()
    sender = _send_then_close(theirs, b"x" * 70_000)
    out = io.BytesIO()
    with pytest.raises(NetworkError, match="before the end"), PartWriter(out, _Digest(), block_bytes=32_768) as writer:
        receive_body(iter([b"y" * 10]), ours, 200_000, writer, lambda n: None, timeout=5)
    sender.join()
    ours.close()
    assert out.getvalue() == b"y" * 10 + b"x" * 70_000


def test_a_cancel_while_receiving_keeps_what_was_received() -> None:
    ours, theirs = socket.socketpair()
    sender = _send_then_close(theirs, b"z" * 100_000)
    out = io.BytesIO()

    class Cancelled(Exception):
        pass

    def received(n: int) -> None:
        raise Cancelled

    with pytest.raises(Cancelled), PartWriter(out, _Digest(), block_bytes=1 << 20) as writer:
        receive_body(iter([]), ours, 100_000, writer, received, timeout=5)
    sender.join()
    ours.close()
    assert 0 < len(out.getvalue()) <= 100_000 and set(out.getvalue()) == {ord("z")}


def test_an_answer_without_a_plain_socket_is_read_through_httpx() -> None:
    plain = httpx.Response(200, content=b"abc")  # a test transport's answer: no network stream
    assert body_socket(plain) is None

    class Stream:
        def __init__(self, sock: object, tls: object) -> None:
            self.info = {"socket": sock, "ssl_object": tls}

        def get_extra_info(self, name: str) -> object:
            return self.info.get(name)

    ours, theirs = socket.socketpair()
    try:
        direct = httpx.Response(200, extensions={"network_stream": Stream(ours, None)})
        assert body_socket(direct) is ours
        tunnel = httpx.Response(200, extensions={"network_stream": Stream(ours, object())})  # TLS over it
        assert body_socket(tunnel) is None
        gzipped = httpx.Response(
            200, headers={"Content-Encoding": "gzip"}, extensions={"network_stream": Stream(ours, None)}
        )
        assert body_socket(gzipped) is None
    finally:
        ours.close()
        theirs.close()
