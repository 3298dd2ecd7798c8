"""One version everywhere, and desktop files that the freedesktop validators accept."""

from __future__ import annotations

import configparser
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

import gigbag
from tests.packaging.helpers import APP_ID, DESKTOP, project_version, require_tool, venv_script

DESKTOP_FILE = DESKTOP / f"{APP_ID}.desktop"
METAINFO = DESKTOP / f"{APP_ID}.metainfo.xml"


def test_gigbag_version_prints_the_pyproject_version() -> None:
    out = subprocess.run([venv_script("gigbag"), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"gigbag {project_version()}"
    assert gigbag.__version__ == project_version()


def test_python_m_gigbag_version() -> None:
    out = subprocess.run([sys.executable, "-m", "gigbag", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"gigbag {project_version()}"


def test_newest_appstream_release_is_the_pyproject_version() -> None:
    releases = ET.parse(METAINFO).getroot().findall("./releases/release")
    assert releases, "the metainfo lists no release"
    assert releases[0].get("version") == project_version(), "add a <release> for the new version (newest first)"


def test_desktop_file_validates() -> None:
    tool = require_tool("desktop-file-validate")
    result = subprocess.run([tool, str(DESKTOP_FILE)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_metainfo_validates() -> None:
    tool = require_tool("appstreamcli")
    result = subprocess.run([tool, "validate", "--no-net", str(METAINFO)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "W:" not in result.stdout and "E:" not in result.stdout, result.stdout


def test_desktop_file_metainfo_and_icon_name_the_same_app() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(DESKTOP_FILE, encoding="utf-8")
    desktop = entry["Desktop Entry"]
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("./launchable[@type='desktop-id']") == DESKTOP_FILE.name
    assert desktop["Icon"] == APP_ID and (DESKTOP / f"{APP_ID}.svg").is_file()
    # The command the entry and AppStream name is the console script (install.sh makes Exec absolute).
    assert desktop["Exec"] == "gigbag" == root.findtext("./provides/binary")
    assert desktop["Name"] == root.findtext("name") == "Gigbag"


@pytest.mark.parametrize("size", [16, 48, 256, 512])
def test_icon_renders_at_the_sizes_a_desktop_asks_for(tmp_path, size: int) -> None:
    sys.path.insert(0, str(DESKTOP.parent))
    try:
        from render_icons import SIZES, render
    finally:
        sys.path.remove(str(DESKTOP.parent))
    from PySide6.QtGui import QImage

    assert {16, 24, 32, 48, 64, 128, 256, 512} <= set(SIZES)
    written = render(DESKTOP / f"{APP_ID}.svg", tmp_path, (size,))
    png = tmp_path / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    assert png in written and (tmp_path / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    image = QImage(str(png))
    assert (image.width(), image.height()) == (size, size)
    # Transparent corners (a rounded tile) and an opaque middle: the SVG really drew something.
    assert image.pixelColor(0, 0).alpha() == 0
    assert image.pixelColor(size // 2, size // 2).alpha() == 255
