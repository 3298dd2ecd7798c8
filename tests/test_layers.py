"""The house rules of imports: Qt only in ui/, doors open downward, the server shares only the schema and audio rooms."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = ("app", "sync", "local_db", "server", "migrations", "schema", "media")
# The doors from the headless core to the desktop: they load gigbag.ui (and so Qt) lazily, when run.
DESKTOP_DOORS = ("app/cli.py", "app/selftest_command.py")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: resolve against the file's package
                pkg = path.relative_to(ROOT).parent.parts
                base = pkg[: len(pkg) - node.level + 1]
                module = ".".join(("gigbag", *base, module)).rstrip(".")
            found.add(module)
    return found


def _py_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_no_qt_outside_ui() -> None:
    offenders = []
    for folder in CORE:
        for path in _py_files(folder):
            # No exception: the desktop doors reach Qt only through a lazy import of gigbag.ui.
            bad = {m for m in _imports(path) if m.split(".")[0] in ("PySide6", "shiboken6")}
            if bad:
                offenders.append(f"{path.relative_to(ROOT)}: {sorted(bad)}")
    assert offenders == []


def test_core_does_not_import_ui_except_the_desktop_launcher() -> None:
    offenders = []
    for folder in CORE:
        for path in _py_files(folder):
            if path.relative_to(ROOT).as_posix() in DESKTOP_DOORS:
                continue
            if any(m == "gigbag.ui" or m.startswith("gigbag.ui.") for m in _imports(path)):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_lower_layers_do_not_import_upper_ones() -> None:
    rules = {
        "schema": ("gigbag.app", "gigbag.ui", "gigbag.server", "gigbag.local_db", "gigbag.sync", "gigbag.media"),
        "media": ("gigbag.app", "gigbag.ui", "gigbag.server", "gigbag.local_db", "gigbag.sync"),
        "local_db": ("gigbag.app", "gigbag.ui", "gigbag.server", "gigbag.sync"),
        "sync": ("gigbag.app", "gigbag.ui", "gigbag.server"),
        "server": ("gigbag.app", "gigbag.ui", "gigbag.local_db", "gigbag.sync"),
    }
    offenders = []
    for folder, forbidden in rules.items():
        for path in _py_files(folder):
            for module in _imports(path):
                if any(module == f or module.startswith(f + ".") for f in forbidden):
                    offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_server_uses_only_the_schema_and_audio_rooms_of_the_client() -> None:
    offenders = []
    for path in _py_files("server"):
        for module in _imports(path):
            allowed = ("gigbag.server", "gigbag.schema", "gigbag.media")
            if module.startswith("gigbag.") and not module.startswith(allowed):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_headless_modules_load_without_qt() -> None:
    code = (
        "import sys, gigbag.app.workspace, gigbag.app.cli, gigbag.local_db.models, gigbag.schema.wire, gigbag.media\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
