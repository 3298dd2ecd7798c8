"""Plain GETs of a kept client to an ``http://`` server, over the standard library's http.client.

A sync where nothing changed is one small GET, and httpx spends more Python on it (request and URL
objects, httpcore's pool, h11's state machine: ~0.35 ms) than the server takes to answer. So a kept
client (``sync.client``) of a server at an ``http://`` address, with no proxy configured, sends its
plain GETs (no body, not streamed) through one http.client connection of its own: the request httpx
builds (its URL, its headers, but ``Accept-Encoding: identity``), the client's timeouts, and an
``httpx.Response`` back. TLS, proxies and every other request stay on httpx.

A connection idle for longer than the client's keep-alive is closed before use; one the server has
closed meanwhile is replaced at once, once (a GET is safe to send again). Any other failure is raised
as httpx's error of the same kind, so the client's retries treat it as they treat httpx's. An answer
that is not plain (an encoded body), or a second thread while one request is out, goes to httpx.
"""

from __future__ import annotations

import http.client
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

import httpx

# What a reused connection gives when the server closed it meanwhile (its keep-alive, a restart).
_CLOSED = (http.client.RemoteDisconnected, http.client.BadStatusLine, ConnectionError)
_IDENTITY = (b"accept-encoding", b"identity")


def usable_for(server_url: str) -> bool:
    """Whether this lane may carry GETs to ``server_url``: plain HTTP with a host, and no proxy configured
    (httpx would send through it)."""
    parts = urllib.parse.urlsplit(server_url)
    return parts.scheme == "http" and bool(parts.hostname) and not urllib.request.getproxies()


class PlainGets:
    """One http.client connection carrying a kept httpx client's plain GETs (thread-safe: one at a time)."""

    def __init__(self, client: httpx.Client, timeout: httpx.Timeout, idle_seconds: float) -> None:
        self._http = client
        self._connect_timeout = timeout.connect
        self._read_timeout = timeout.read
        self._idle_seconds = idle_seconds
        url = client.base_url
        self._host = url.host
        self._port = url.port or 80
        self._conn: http.client.HTTPConnection | None = None
        self._last_used = 0.0
        self._lock = threading.Lock()
        self._built: tuple[Any, httpx.Request] | None = None  # the last request built (a no-op sends the same)

    def get(
        self, url: str, params: Mapping[str, Any] | None, headers: Mapping[str, str] | None
    ) -> httpx.Response | None:
        """The answer to ``GET url?params``; None when this lane does not take it (the caller uses httpx)."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            request = self._request(url, params, headers)
            for reuse in (True, False):
                conn, reused = self._connection()
                try:
                    answer = self._exchange(conn, request)
                except _CLOSED as exc:
                    self.close_connection()
                    if reuse and reused:
                        continue  # closed by the server meanwhile: once more, on a new connection
                    raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__, request=request) from exc
                except TimeoutError as exc:
                    self.close_connection()
                    raise httpx.ReadTimeout(str(exc) or "timed out", request=request) from exc
                except (OSError, http.client.HTTPException) as exc:
                    self.close_connection()
                    raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc
                if answer is None:
                    self.close_connection()
                return answer
            raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
        finally:
            self._lock.release()

    def _request(self, url: str, params: Mapping[str, Any] | None, headers: Mapping[str, str] | None) -> httpx.Request:
        key = (url, tuple((params or {}).items()), tuple((headers or {}).items()))
        built = self._built
        if built is not None and built[0] == key:
            return built[1]
        request = self._http.build_request("GET", url, params=params, headers=headers)
        self._built = (key, request)
        return request

    def _connection(self) -> tuple[http.client.HTTPConnection, bool]:
        """The open connection (and True), or a new one (and False)."""
        conn = self._conn
        if conn is not None and time.monotonic() - self._last_used <= self._idle_seconds:
            return conn, True
        self.close_connection()
        conn = http.client.HTTPConnection(self._host, self._port, timeout=self._connect_timeout)
        try:
            conn.connect()
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(str(exc) or "timed out") from exc
        except OSError as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        assert conn.sock is not None
        conn.sock.settimeout(self._read_timeout)
        self._conn = conn
        return conn, False

    def _exchange(self, conn: http.client.HTTPConnection, request: httpx.Request) -> httpx.Response | None:
        conn.putrequest("GET", request.url.raw_path.decode("ascii"), skip_host=True, skip_accept_encoding=True)
        for name, value in request.headers.raw:
            if name.lower() != b"accept-encoding":
                conn.putheader(name, value)
        conn.putheader(*_IDENTITY)
        conn.endheaders()
        answer = conn.getresponse()
        body = answer.read()
        self._last_used = time.monotonic()
        if answer.will_close:
            self.close_connection()
        encoding = (answer.getheader("Content-Encoding") or "identity").strip().lower()
        if encoding != "identity":
            return None  # not plain: httpx decodes it
        return httpx.Response(answer.status, headers=answer.getheaders(), content=body, request=request)

    def close_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def close(self) -> None:
        """Close the connection (with its kept client); a request still out on it fails as a closed one."""
        self.close_connection()
