"""The ``gigbag`` command parses its arguments before it loads anything heavy (the speed goal is in bench/)."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

HEAVY = (
    "PySide6",
    "shiboken6",
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "httpx",
    "gigbag.app",
    "gigbag.local_db",
    "gigbag.sync",
    "gigbag.ui",
)


def _modules_after(argv: list[str]) -> tuple[str, list[str]]:
    code = (
        "import contextlib, io, sys\n"
        "from gigbag.cli.main import main\n"
        "out = io.StringIO()\n"
        f"with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):\n    main({argv!r})\n"
        f"print(out.getvalue().strip()); print(sorted(m for m in sys.modules if m.startswith({HEAVY!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    printed, modules = result.stdout.strip().rsplit("\n", 1)
    return printed, eval(modules)


def test_version_answers_without_loading_the_services_the_database_or_qt() -> None:
    printed, heavy = _modules_after(["--version"])
    assert printed == f"gigbag {importlib.metadata.version('gigbag')}"
    assert heavy == []


def test_the_version_is_read_from_the_installed_metadata_without_importlib_metadata() -> None:
    import gigbag

    assert gigbag._version_on_path() == importlib.metadata.version("gigbag")
    code = "import sys, gigbag; gigbag.__version__; print('importlib.metadata' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_help_of_a_headless_command_loads_no_database_and_no_qt() -> None:
    printed, heavy = _modules_after(["sync", "--help"])
    assert "usage: gigbag sync" in printed
    # The command groups' argparse parts live in app/, but nothing below them is loaded.
    assert [m for m in heavy if not m.startswith("gigbag.app")] == []
    assert set(heavy) <= {
        "gigbag.app",
        "gigbag.app.formatting",
        "gigbag.app.demo_command",
        "gigbag.app.sync_commands",
        "gigbag.app.backup_commands",
        "gigbag.app.preview_command",
    }
