"""Shared by the packaging tests (imported as tests.packaging.helpers): the repository's paths, its version, and the external validators.

A validator that is not installed skips its test on a developer's machine, but fails it in CI
(``CI`` set), where ``.ci/system-deps`` installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
DESKTOP = PACKAGING / "desktop"
APP_ID = "app.gigbag.Gigbag"


def project_version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"])


def require_tool(name: str) -> str:
    """The path of an external program, or skip (fail in CI) when it is missing."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed, but CI must run this check (see .ci/system-deps)")
        pytest.skip(f"{name} is not installed")
    return path


def venv_script(name: str) -> Path:
    """A console script of the environment running the tests."""
    return Path(sys.executable).parent / name


def build_wheel(source: Path, out: Path) -> Path:
    """``pip wheel --no-deps`` of ``source`` into ``out``; the one wheel it made."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
        text=True,
    )
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]
