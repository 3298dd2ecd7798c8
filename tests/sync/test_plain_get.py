"""A kept client's plain GETs to an ``http://`` server go over http.client: the request httpx would send (but
``Accept-Encoding: identity``), the same answers, the same retries; anything the lane does not take goes to httpx.

Against a scripted HTTP/1.1 server on 127.0.0.1 that records every request and the connection it came on.
"""

from __future__ import annotations

import gzip
import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from gigbag.schema.wire import PROTOCOL_HEADER, PROTOCOL_VERSION
from gigbag.sync import client as sync_client
from gigbag.sync import plain_get
from gigbag.sync.errors import AuthenticationError
from gigbag.sync.progress import CancelToken

EMPTY_PAGE = {"changes": [], "cursor": 7, "has_more": False}


@dataclass
class Script:
    """What the server answers next (statuses, then 200s), and what it saw."""

    statuses: list[int] = field(default_factory=list)
    gzip_always: bool = False  # encode the body whatever the request accepts
    close_silently: bool = False  # close the connection after each answer without saying so
    seen: list[tuple[str, dict[str, str], int]] = field(default_factory=list)  # path, headers, client port


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        script: Script = self.server.script  # type: ignore[attr-defined]
        script.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}, self.client_address[1]))
        status = script.statuses.pop(0) if script.statuses else 200
        body = json.dumps(EMPTY_PAGE if status == 200 else {"error": "nope", "message": "Not now."}).encode()
        encoded = script.gzip_always or "gzip" in self.headers.get("Accept-Encoding", "")
        if encoded:
            body = gzip.compress(body)
        self.send_response(status)
        self.send_header(PROTOCOL_HEADER, str(PROTOCOL_VERSION))
        self.send_header("Content-Type", "application/json")
        if encoded:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if script.close_silently:
            self.close_connection = True

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def server_url(script: Script) -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.script = script  # type: ignore[attr-defined]
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield url
    sync_client.close_connections(url)
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def back_offs(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waited: list[float] = []
    monkeypatch.setattr(CancelToken, "sleep", lambda _self, seconds: waited.append(seconds))
    return waited


def kept(server_url: str) -> sync_client.SyncClient:
    client = sync_client.SyncClient(server_url, "secret-token")
    assert client._plain is not None  # the kept client of an http:// server has its lane
    return client


def test_the_lane_sends_what_httpx_sends_and_keeps_its_connection(script: Script, server_url: str) -> None:
    with sync_client.SyncClient(server_url, "secret-token", timeout=httpx.Timeout(10.0)) as own:
        assert own._plain is None  # a client of its own timeout is not kept: httpx
        by_httpx = own.pull(7, 1000)
    for _ in range(3):
        with kept(server_url) as client:
            assert client.pull(7, 1000) == by_httpx
    (httpx_path, httpx_headers, _), *lane = script.seen
    assert httpx_path == "/v1/sync/pull?since=7&limit=1000"
    assert [path for path, _, _ in lane] == [httpx_path] * 3
    for _, headers, _ in lane:
        assert headers.pop("accept-encoding") == "identity"
        assert headers == {k: v for k, v in httpx_headers.items() if k != "accept-encoding"}
        assert headers["authorization"] == "Bearer secret-token"
    assert len({port for _, _, port in lane}) == 1  # one connection carried the three


def test_the_lanes_error_answers_meet_the_clients_retries(
    script: Script, server_url: str, back_offs: list[float]
) -> None:
    script.statuses = [503, 503]
    with kept(server_url) as client:
        assert client.pull(7, 1000).cursor == 7
    assert len(back_offs) == 2 and len(script.seen) == 3
    script.statuses = [401]
    with kept(server_url) as client, pytest.raises(AuthenticationError, match="Not now"):
        client.pull(7, 1000)


def test_a_connection_the_server_closed_is_replaced_at_once(
    script: Script, server_url: str, back_offs: list[float]
) -> None:
    script.close_silently = True
    for _ in range(3):
        with kept(server_url) as client:
            assert client.pull(7, 1000).cursor == 7
    assert back_offs == []
    assert len(script.seen) == 3 and len({port for _, _, port in script.seen}) == 3


def test_an_encoded_answer_and_a_busy_lane_go_to_httpx(script: Script, server_url: str) -> None:
    script.gzip_always = True
    with kept(server_url) as client:
        assert client.pull(7, 1000).cursor == 7  # httpx decodes what the lane would not
    assert [headers["accept-encoding"] != "identity" for _, headers, _ in script.seen] == [False, True]
    script.gzip_always = False
    with kept(server_url) as client:
        lane = client._plain
        assert lane is not None
        with lane._lock:  # another thread's request is out on the lane
            assert client.pull(7, 1000).cursor == 7
    assert script.seen[-1][1]["accept-encoding"] != "identity"


def test_the_lane_is_for_plain_http_without_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    assert plain_get.usable_for("http://127.0.0.1:8080")
    assert not plain_get.usable_for("https://sync.example.org")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example.org:3128")
    assert not plain_get.usable_for("http://127.0.0.1:8080")
