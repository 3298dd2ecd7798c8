"""The sync engine and the headless commands run without Qt (a server or a CI box has none)."""

from __future__ import annotations

import subprocess
import sys


def test_sync_and_its_commands_load_and_run_without_qt() -> None:
    code = (
        "import sys\n"
        "import gigbag.sync.engine, gigbag.sync.conflicts, gigbag.app.sync_service, gigbag.app.export_import\n"
        "from gigbag.cli.main import main\n"
        "try:\n"
        "    main(['sync', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "--yes" in done.stdout
