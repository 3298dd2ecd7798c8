"""The PostgreSQL fixture never skips silently in CI, and the server-process helper cleans up after itself."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx

from tests.fixtures.server_process import start_server

REPO = Path(__file__).resolve().parents[2]

_NO_POSTGRES = textwrap.dedent(
    """
    import pytest
    import tests.fixtures.postgres as pg

    pg.find_pg_bin = lambda: None  # as on a machine without PostgreSQL

    def test_needs_postgres(postgres_server):
        pass
    """
)


def _run_without_postgres(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_pg.py").write_text(_NO_POSTGRES)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GIGBAG_TEST_PG_URL")}
    if ci is not None:
        env["CI"] = ci
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "tests.fixtures.server_fixtures",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            str(tmp_path / "test_pg.py"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_postgres_a_local_run_skips_with_the_reason(tmp_path: Path) -> None:
    done = _run_without_postgres(tmp_path, None)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 skipped" in done.stdout and "PostgreSQL not available" in done.stdout
    assert "apt-get install postgresql" in done.stdout


def test_without_postgres_ci_fails(tmp_path: Path) -> None:
    done = _run_without_postgres(tmp_path, "true")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "PostgreSQL is required in CI" in done.stdout
    assert "skipped" not in done.stdout


def test_a_killed_server_restarts_on_the_same_data(tmp_path: Path) -> None:
    server = start_server(tmp_path / "s")
    try:
        r = httpx.post(
            server.url + "/v1/accounts",
            json={"email": "keep@example.com", "password": "password1", "display_name": "K"},
        )
        assert r.status_code == 201
        server.kill()
        assert not server.alive
        server = server.restart()
        r = httpx.post(
            server.url + "/v1/sessions", json={"email": "keep@example.com", "password": "password1", "device_name": "d"}
        )
        assert r.status_code == 201
        assert server.log_text().count("=====") == 2  # both processes logged to one file
    finally:
        server.stop()
    assert server.process.returncode is not None
