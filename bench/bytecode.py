"""Gigbag's bytecode, compiled before a bench times whole processes.

The project is an editable install, and these machines set PYTHONDONTWRITEBYTECODE=1: without this,
every ``gigbag`` process a bench starts compiles Gigbag's modules from source again (~0.1 s of CPU on
the engine's path), which no artist's computer does — the packaged app (PyInstaller) ships them
compiled, and a source install writes its ``__pycache__`` on the first start. Python reads an
existing ``__pycache__`` whatever that variable says, so compiling once here is enough.
"""

from __future__ import annotations

import compileall
import re
from pathlib import Path

_SKIP = re.compile(r"[/\\](\.venv|\.git|node_modules)[/\\]")


def compile_package(root: Path) -> None:
    """Compile every module under ``root`` (a checkout) that is not already compiled."""
    compileall.compile_dir(str(root), quiet=1, rx=_SKIP, workers=1)
