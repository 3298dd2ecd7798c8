"""End-to-end helpers: the ``gigbag`` command line in subprocesses, devices as data folders, the
server's own view of an account, and a server process per test.

Subprocesses have no keyring (``PYTHON_KEYRING_BACKEND`` forces keyring's fail backend, as on a
headless machine), so devices sign in with the documented ``--insecure-token-file`` fallback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.server_contents import server_entities as read_server_entities
from tests.fixtures.server_process import ServerProcess, start_server

PASSWORD = "correct horse battery"
CLI_ENV = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "PYTHONUNBUFFERED": "1"}


def gigbag_command(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "gigbag", *args, "--data-dir", str(data_dir)]


def cli(data_dir: Path, *args: str, stdin: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``gigbag ARGS --data-dir DATA_DIR`` and return the finished process (never raises on exit code)."""
    return subprocess.run(
        gigbag_command(data_dir, *args),
        input=stdin,
        capture_output=True,
        text=True,
        env=CLI_ENV,
        timeout=timeout,
        check=False,
    )


@dataclass
class CliDevice:
    name: str
    data_dir: Path

    def run(self, *args: str, stdin: str | None = None, expect: int | None = 0) -> subprocess.CompletedProcess[str]:
        done = cli(self.data_dir, *args, stdin=stdin)
        if expect is not None:
            assert done.returncode == expect, (
                f"{self.name}: gigbag {' '.join(args)} -> {done.returncode}\n{done.stdout}\n{done.stderr}"
            )
        return done

    def json(self, *args: str, expect: int | None = 0) -> Any:
        return json.loads(self.run(*args, "--json", expect=expect).stdout)

    def login(self, server: ServerProcess, email: str, create: bool = False) -> None:
        args = [
            "login",
            "--server",
            server.url,
            "--email",
            email,
            "--password-stdin",
            "--insecure-token-file",
            str(self.data_dir.parent / f"{self.name}.token"),
        ]
        if create:
            args += ["--create-account", "--display-name", self.name]
        self.run(*args, stdin=PASSWORD + "\n")

    def sync(self, expect: int | None = 0) -> Any:
        return self.json("sync", "--yes", expect=expect)

    def export(self) -> dict[str, Any]:
        target = self.data_dir.parent / f"{self.name}-export.json"
        self.run("export", str(target))
        return json.loads(target.read_text())["entities"]  # type: ignore[no-any-return]


def server_entities(server_url: str, email: str) -> dict[str, list[dict[str, Any]]]:
    """What the server holds for the account (live entities), in the shape of an export."""
    return read_server_entities(server_url, email, PASSWORD)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    process = start_server(tmp_path / "server")
    yield process
    process.stop()


@pytest.fixture
def email() -> str:
    return f"artist-{uuid.uuid4().hex[:10]}@example.org"


@pytest.fixture
def device(tmp_path: Path) -> Any:
    def make(name: str) -> CliDevice:
        data_dir = tmp_path / "devices" / name
        data_dir.mkdir(parents=True)
        return CliDevice(name, data_dir)

    return make
