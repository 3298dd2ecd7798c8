"""The house rules of imports: Qt only in ui/, doors open downward, the server shares only the schema and media rooms.

```
cli/       entry points                     may import ui, app (and what they import)
ui/        PySide6 only here                imports app, schema and itself; never local_db, sync, server
app/       use cases, no Qt                 never ui, never the top-level cli
local_db/  tables, change capture            schema only (never sync)
sync/      engine, HTTP client               local_db, schema
schema/    the ground floor                  nothing of gigbag
media/     audio (probe, waveform, clips)   nothing of gigbag above it
server/    gigbag-server                     server, schema (and the shared media room) only
```
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ("app", "sync", "local_db", "server", "migrations", "schema", "media")
# The entry points (cli/) sit above ui/: they may import it, lazily, and so reach Qt only when run.


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
    return sorted((ROOT / folder).rglob("*.py")) if (ROOT / folder).is_dir() else []


def _within(module: str, rooms: tuple[str, ...]) -> bool:
    return any(module == room or module.startswith(room + ".") for room in rooms)


def _offenders(folder: str, forbidden: tuple[str, ...], skip: tuple[str, ...] = ()) -> list[str]:
    found = []
    for path in _py_files(folder):
        if path.relative_to(ROOT).as_posix() in skip:
            continue
        for module in sorted(_imports(path)):
            if _within(module, forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {module}")
    return found


def test_no_qt_outside_ui() -> None:
    offenders = []
    for folder in CORE:
        offenders += _offenders(folder, ("PySide6", "shiboken6"))
    assert offenders == []


def test_ui_talks_to_app_and_schema_only() -> None:
    """ui/ imports gigbag.app, gigbag.schema and itself (and Qt): never local_db, sync or the server."""
    offenders = []
    for path in _py_files("ui"):
        for module in sorted(_imports(path)):
            if module == "gigbag" or not module.startswith("gigbag."):
                continue
            if not _within(module, ("gigbag.app", "gigbag.schema", "gigbag.ui")):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_core_does_not_import_ui_or_the_entry_points() -> None:
    offenders = []
    for folder in CORE:
        offenders += _offenders(folder, ("gigbag.ui", "gigbag.cli"))
    assert offenders == []


def test_lower_layers_do_not_import_upper_ones() -> None:
    rules = {
        "schema": ("gigbag.app", "gigbag.ui", "gigbag.cli", "gigbag.server", "gigbag.local_db", "gigbag.sync"),
        "media": ("gigbag.app", "gigbag.ui", "gigbag.cli", "gigbag.server", "gigbag.local_db", "gigbag.sync"),
        "local_db": ("gigbag.app", "gigbag.ui", "gigbag.cli", "gigbag.server", "gigbag.sync"),
        "sync": ("gigbag.app", "gigbag.ui", "gigbag.cli", "gigbag.server"),
        "app": ("gigbag.ui", "gigbag.cli", "gigbag.server"),
    }
    offenders = []
    for folder, forbidden in rules.items():
        offenders += _offenders(folder, forbidden)
    assert offenders == []


def test_schema_imports_nothing_of_gigbag() -> None:
    offenders = []
    for path in _py_files("schema"):
        for module in sorted(_imports(path)):
            if (module == "gigbag" or module.startswith("gigbag.")) and not _within(module, ("gigbag.schema",)):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_server_uses_only_the_schema_and_media_rooms_of_the_client() -> None:
    offenders = []
    for path in _py_files("server"):
        for module in sorted(_imports(path)):
            allowed = ("gigbag.server", "gigbag.schema", "gigbag.media")
            if module.startswith("gigbag.") and not _within(module, allowed):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_the_entry_points_import_only_the_rooms_below_them() -> None:
    """The top-level cli/ room may open the desktop (ui) and use app; it is the only room above ui."""
    offenders = []
    for path in _py_files("cli"):
        for module in sorted(_imports(path)):
            if module.startswith("gigbag.") and _within(module, ("gigbag.server",)):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_ui_never_holds_the_database_handle() -> None:
    """The UI reaches the data through app/'s services: no ``….engine`` (the SQLAlchemy engine) in ui/."""
    offenders = []
    for path in _py_files("ui"):
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "engine":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize(
    ("folder", "source", "rule"),
    [
        ("ui", "from ..sync.engine import SyncSummary\n", test_ui_talks_to_app_and_schema_only),
        ("ui", "from ..local_db.models import File\n", test_ui_talks_to_app_and_schema_only),
        ("local_db", "from ..sync import engine\n", test_lower_layers_do_not_import_upper_ones),
        ("app", "from ..ui import main_window\n", test_core_does_not_import_ui_or_the_entry_points),
        ("schema", "from ..local_db import models\n", test_schema_imports_nothing_of_gigbag),
        ("media", "from ..app import workspace\n", test_lower_layers_do_not_import_upper_ones),
        ("server", "from ..sync import client\n", test_server_uses_only_the_schema_and_media_rooms_of_the_client),
        ("sync", "import PySide6.QtCore\n", test_no_qt_outside_ui),
        ("ui", "def f(ws):\n    return ws.engine\n", test_ui_never_holds_the_database_handle),
    ],
)
def test_each_rule_catches_a_forbidden_import(folder: str, source: str, rule: object) -> None:
    """The rules above are not vacuous: a file with a forbidden import makes each one fail."""
    planted = ROOT / folder / "_planted_forbidden_import.py"
    planted.write_text(source, "utf-8")
    try:
        with pytest.raises(AssertionError):
            rule()  # type: ignore[operator]
    finally:
        planted.unlink()


def test_headless_modules_load_without_qt() -> None:
    code = (
        "import sys, gigbag.app.workspace, gigbag.cli.main, gigbag.local_db.models, gigbag.schema.wire, gigbag.media\n"
        "import gigbag.app.sync_service, gigbag.app.sync_words, gigbag.app.logging_setup\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
