"""Test-wide set-up: Qt offscreen before any QApplication, and an in-memory keyring.

The machines that run the tests have no display and no D-Bus session, so Qt renders offscreen and
the system keyring is replaced by an in-memory backend (keyring's fail backend would refuse).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import keyring  # noqa: E402
import pytest  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402


class MemoryKeyring(KeyringBackend):
    """In-memory keyring (tests only): the real Secret Service needs a D-Bus session."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring() -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A fresh Gigbag data folder (one "device")."""
    d = tmp_path / "device"
    d.mkdir()
    return d


# Real server processes and a throwaway PostgreSQL (live_server, pg_live_server, server_factory, ...).
pytest_plugins = ["tests.fixtures.server_fixtures", "tests.fixtures.s3"]


@pytest.fixture(scope="session")
def demo_entities(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """The demo artist's entities as an export holds them ({type: [{"id", "data", …}]}); read, never changed."""
    from gigbag.app.demo_data import seed_demo
    from gigbag.app.export_import import export_document
    from gigbag.app.workspace import Workspace

    root: Path = tmp_path_factory.mktemp("demo-artist")
    with Workspace.open(root / "device") as ws:
        seed_demo(ws)
        entities: dict[str, list[dict[str, Any]]] = export_document(ws.engine)["entities"]
    return entities
