"""A big download's body read straight from the connection's socket into the part writer's blocks.

httpx hands a response body over in the pieces its HTTP/1.1 parser (h11, pure Python) extracts
from 64 KiB reads: every piece is received, appended to the parser's buffer, cut out of it and
gathered again, all under the interpreter lock. Once the headers are parsed, the body of a
``Content-Length`` answer is just the next bytes on the socket, so they are received with
``recv_into`` into the block the part writer hashes and writes next: one copy, in big pieces.

Only for a connection whose socket carries the answer itself (plain TCP, or TLS that the socket
itself speaks); an answer through anything else (a proxy tunnel, a test transport, a compressed or
chunked body) is read through httpx. The connection is not reused afterwards (httpx's parser did
not see the body), and every byte still goes through the SHA-256 check of the download.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Iterator

from .errors import NetworkError
from .http_import import httpx
from .part_writer import PartWriter

RECV_BYTES = 1024 * 1024  # at most this much per read: progress and cancelling stay as fine-grained


def body_socket(response: httpx.Response) -> socket.socket | None:
    """The socket the rest of ``response``'s body arrives on as is, or None (read it through httpx)."""
    if response.headers.get("content-encoding", "identity").strip().lower() != "identity":
        return None
    if "chunked" in response.headers.get("transfer-encoding", "").lower():
        return None
    stream = response.extensions.get("network_stream")
    get = getattr(stream, "get_extra_info", None)
    if get is None:
        return None
    sock, tls = get("socket"), get("ssl_object")
    if isinstance(sock, ssl.SSLSocket):
        # TLS spoken by the socket itself, not a tunnel's inner TLS over it
        return sock if tls is not None and getattr(sock, "_sslobj", None) is tls else None
    return sock if type(sock) is socket.socket and tls is None else None


def receive_body(
    chunks: Iterator[bytes],
    sock: socket.socket,
    length: int,
    writer: PartWriter,
    received: Callable[[int], None],
    timeout: float | None,
) -> None:
    """Receive the ``length`` bytes of the body into ``writer``'s blocks; ``received(n)`` after each read
    (it may raise, e.g. on cancel: what was received is handed over first).

    ``chunks`` is the response's ``iter_raw()``: its first piece holds what the parser had already
    buffered past the headers (it reads from the socket only when it had nothing), so the rest of
    the body is exactly the next ``length - len(first)`` bytes of the socket."""
    first = next(chunks, b"") if length else b""
    if len(first) > length:
        raise NetworkError("The server sent more bytes than it announced for a file.")
    block = writer.block()
    block[: len(first)] = first
    filled, left = len(first), length - len(first)
    sock.settimeout(timeout)
    try:
        if first:
            received(len(first))
        while left:
            if filled == len(block):
                writer.hand_over_block(filled)
                block, filled = writer.block(), 0
            try:
                n = sock.recv_into(block[filled : filled + min(left, RECV_BYTES)])
            except TimeoutError as exc:
                raise NetworkError("The server stopped sending a file (timed out); sync again to resume.") from exc
            except OSError as exc:
                raise NetworkError(f"The connection broke while a file came down ({exc}); sync again.") from exc
            if not n:
                raise NetworkError("The server closed the connection before the end of a file; sync again to resume.")
            filled += n
            left -= n
            received(n)
    finally:
        writer.hand_over_block(filled)
