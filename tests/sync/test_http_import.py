"""Loading the engine's HTTP side does not load httpx's command-line client (click, rich, pygments)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_the_engine_loads_httpx_without_its_command_line_client() -> None:
    for extra in ("click", "rich", "pygments"):  # without them httpx skips its client by itself
        pytest.importorskip(extra)
    code = (
        "import sys\n"
        "import gigbag.sync.engine, gigbag.app.server_check\n"
        "import httpx\n"
        "loaded = [m for m in ('httpx._main', 'click', 'rich') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
        "assert callable(httpx.main)\n"
        "import httpx._main\n"  # still there for whoever asks for it
        "assert httpx._main.main is not None\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
