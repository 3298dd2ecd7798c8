"""``gigbag self-test``, the release smoke test, run as a command (as CI runs it in the bundle)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from PySide6.QtGui import QImage

from tests.packaging.helpers import venv_script


def _self_test(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("GIGBAG_DATA_DIR", None)
    return subprocess.run(
        [venv_script("gigbag"), "self-test", *map(str, args)], capture_output=True, text=True, env=env, timeout=300
    )


def test_self_test_opens_the_window_creates_a_goal_and_quits(tmp_path: Path) -> None:
    data, shot = tmp_path / "device", tmp_path / "window.png"
    result = _self_test("--data-dir", data, "--screenshot", shot)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "main window shown" in out and "Goals" in out
    assert "created and read back" in out and "Goals section lists the goal" in out
    assert "main window closed" in out and "self-test passed" in out
    assert (data / "gigbag.sqlite3").is_file()  # the given folder was used, and kept
    image = QImage(str(shot))
    assert image.width() >= 900 and image.height() >= 560


def test_self_test_without_data_dir_leaves_no_data_behind(tmp_path: Path) -> None:
    result = _self_test()
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("self-test: data folder "))
    folder = Path(line.removeprefix("self-test: data folder "))
    assert folder.name.startswith("gigbag-self-test-") and not folder.exists()


def test_self_test_fails_in_words_when_the_data_folder_is_unusable(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("a file where the data folder should be")
    result = _self_test("--data-dir", not_a_folder, "--timeout", "20")
    assert result.returncode == 1
    assert "self-test FAILED" in result.stderr
    assert "self-test passed" not in result.stdout
