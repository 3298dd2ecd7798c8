"""A push whose answer is lost after the server committed is retried with the same key and applies once.

Between the client and a real server sits a small TCP proxy on 127.0.0.1. Armed, it forwards the
next push request to the server and, as soon as the server starts answering (so the push has
committed), closes the client's connection instead of passing the answer on.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from pathlib import Path
from typing import Any

import httpx

from gigbag.app.sync_service import SyncService
from gigbag.app.workspace import Workspace
from gigbag.sync.client import RetryPolicy, SyncClient

from .conftest import PASSWORD, server_entities


class ResponseDroppingProxy:
    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.armed = threading.Event()
        self.pushes_seen = 0
        self.responses_dropped = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream = socket.create_connection(self.target)
        drop = threading.Event()

        def close_both() -> None:
            for sock in (client, upstream):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

        def to_server() -> None:
            try:
                while data := client.recv(65536):
                    if data.startswith(b"POST /v1/sync/push"):
                        with self._lock:
                            self.pushes_seen += 1
                            if self.armed.is_set():
                                self.armed.clear()
                                drop.set()
                    upstream.sendall(data)
            except OSError:
                pass

        def to_client() -> None:
            try:
                while data := upstream.recv(65536):
                    if drop.is_set():
                        with self._lock:
                            self.responses_dropped += 1
                        close_both()  # committed on the server; the client never hears of it
                        return
                    client.sendall(data)
            except OSError:
                pass
            close_both()

        threading.Thread(target=to_server, daemon=True).start()
        to_client()


def test_a_lost_push_answer_is_retried_with_the_same_key_and_applies_once(
    server: Any, email: str, tmp_path: Path
) -> None:
    proxy = ResponseDroppingProxy(server.host, server.port)
    keys: list[str] = []

    def client(url: str, token: str | None = None, **kwargs: Any) -> SyncClient:
        def record(request: httpx.Request) -> None:
            if request.url.path == "/v1/sync/push":
                keys.append(request.headers["Idempotency-Key"])

        return SyncClient(
            url, token, retry=RetryPolicy(attempts=4, base_delay=0.05), event_hooks={"request": [record]}, **kwargs
        )

    try:
        with Workspace.open(tmp_path / "a") as ws:
            service = SyncService(ws, client_factory=client)
            service.sign_in(proxy.url, email, PASSWORD, create_account=True, display_name="A")
            for i in range(40):
                ws.journal.create({"title": f"Idea {i}"})
            ws.profile.save({"stage_name": "Orquesta Norte"})
            proxy.armed.set()
            summary = service.sync()
            assert proxy.responses_dropped == 1 and proxy.pushes_seen == 2
            assert len(keys) == 2 and keys[0] == keys[1]  # the retry carried the same key
            assert summary.replayed_batches == 1 and summary.pushed == 41
            assert summary.open_conflicts == 0 and service.pending_count() == 0
            local = {"journal_entries": len(ws.journal.list())}
    finally:
        proxy.close()
    held = server_entities(server.url, email)
    assert len(held["journal_entries"]) == local["journal_entries"] == 40
    with httpx.Client(base_url=server.url) as http:
        token = http.post("/v1/sessions", json={"email": email, "password": PASSWORD, "device_name": "x"}).json()[
            "token"
        ]
        status = http.get("/v1/sync/status", headers={"Authorization": f"Bearer {token}"}).json()
    assert status["cursor"] == 41  # one sequence number per entity: the push was applied exactly once
