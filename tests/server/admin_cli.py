"""Run ``gigbag-server user …`` / ``invite …`` against a test server's database, as an operator would.

The command is a separate process started while the server runs, pointed at the same data folder
(and PostgreSQL database), exactly as ``docs/sync-protocol.md`` tells an operator to run it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

from tests.fixtures.server_process import ServerProcess


def admin(
    server: ServerProcess, *args: str, stdin: str | None = None, extra: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    where = ["--data-dir", str(server.data_dir)]
    if server.database_url:
        where += ["--database-url", server.database_url]
    cmd = [sys.executable, "-m", "gigbag.server", *args, *where, *extra]
    return subprocess.run(cmd, input=stdin if stdin is not None else "", capture_output=True, text=True, timeout=120)


def admin_ok(server: ServerProcess, *args: str, stdin: str | None = None, extra: Sequence[str] = ()) -> str:
    done = admin(server, *args, stdin=stdin, extra=extra)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def admin_json(server: ServerProcess, *args: str, extra: Sequence[str] = ()) -> Any:
    return json.loads(admin_ok(server, *args, "--json", extra=extra))
