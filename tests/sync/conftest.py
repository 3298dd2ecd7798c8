"""Devices for sync tests: a data folder each, signed in to one real server process, requests counted.

One server process serves a whole test module (starting one takes a second or two); every test
makes its own account, and accounts are isolated from each other by the server.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from gigbag.app.export_import import export_document
from gigbag.app.sync_service import SyncService
from gigbag.app.workspace import Workspace
from gigbag.sync.client import RetryPolicy, SyncClient
from gigbag.sync.engine import SyncSummary
from tests.fixtures.server_contents import server_entities as read_server_entities
from tests.fixtures.server_process import ServerProcess, start_server

PASSWORD = "correct horse battery"
FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.05, max_delay=0.5)


@dataclass
class Device:
    """One computer: its workspace, its sync service, and every HTTP request it made."""

    name: str
    ws: Workspace
    requests: list[tuple[str, str]] = field(default_factory=list)

    def client(self, url: str, token: str | None = None, **kwargs: Any) -> SyncClient:
        def record(request: httpx.Request) -> None:
            self.requests.append((request.method, request.url.path))

        kwargs.setdefault("retry", FAST_RETRY)
        return SyncClient(url, token, event_hooks={"request": [record]}, **kwargs)

    @property
    def service(self) -> SyncService:
        return SyncService(self.ws, client_factory=self.client)

    def login(self, server: ServerProcess, email: str, create: bool = False) -> None:
        self.service.sign_in(server.url, email, PASSWORD, create_account=create, display_name=self.name)

    def sync(self, **kwargs: Any) -> SyncSummary:
        """Sync; scenario tests delete on purpose, so the mass-delete question is answered yes
        unless the test asks it itself."""
        kwargs.setdefault("confirm_mass_delete", lambda _deletion: True)
        return self.service.sync(**kwargs)

    def entities(self) -> dict[str, list[dict[str, Any]]]:
        return export_document(self.ws.engine)["entities"]  # type: ignore[no-any-return]


def server_entities(server: ServerProcess, email: str) -> dict[str, list[dict[str, Any]]]:
    """What the server holds for the account (live entities), in the shape of an export."""
    return read_server_entities(server.url, email, PASSWORD)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = start_server(tmp_path_factory.mktemp("sync-server"))
    yield process
    process.stop()


@pytest.fixture
def email() -> str:
    return f"artist-{uuid.uuid4().hex[:10]}@example.org"


@pytest.fixture
def make_device(tmp_path: Path) -> Iterator[Any]:
    opened: list[Workspace] = []

    def make(name: str) -> Device:
        ws = Workspace.open(tmp_path / name)
        opened.append(ws)
        return Device(name, ws)

    yield make
    for ws in opened:
        ws.close()
