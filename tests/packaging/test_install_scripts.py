"""install.sh / uninstall.sh, run on a small stand-in for the bundle in a throwaway HOME.

The stand-in has the bundle's layout (the program, share/ with the real desktop files and icons)
with a shell script as the program, so the scripts are tested without a one-minute PyInstaller build;
CI's release check runs them on the real bundle's archive too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.helpers import APP_ID, DESKTOP, PACKAGING, project_version, require_tool


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    root = tmp_path / "unpacked" / "gigbag-x-linux"
    (root / "share" / "applications").mkdir(parents=True)
    (root / "share" / "metainfo").mkdir(parents=True)
    shutil.copy(DESKTOP / f"{APP_ID}.desktop", root / "share" / "applications")
    shutil.copy(DESKTOP / f"{APP_ID}.metainfo.xml", root / "share" / "metainfo")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    subprocess.run(
        [
            sys.executable,
            str(PACKAGING / "render_icons.py"),
            str(DESKTOP / f"{APP_ID}.svg"),
            str(root / "share" / "icons" / "hicolor"),
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    program = root / "gigbag"
    program.write_text(f'#!/bin/sh\necho "gigbag {project_version()}"\n')
    program.chmod(0o755)
    (root / "_internal").mkdir()
    (root / "_internal" / "libpython.so").write_bytes(b"\x7fELF stand-in")
    for script in ("install.sh", "uninstall.sh"):
        shutil.copy(DESKTOP / script, root / script)
        (root / script).chmod(0o755)
    return root


def _run(cmd: list[str | Path], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {"HOME": str(home), "PATH": "/usr/bin:/bin", **env}
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=environment)


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() or p.is_symlink()}


def test_install_then_uninstall_leaves_only_the_artists_data(bundle: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    data = home / ".local" / "share" / "Gigbag"
    data.mkdir(parents=True)
    (data / "gigbag.sqlite3").write_bytes(b"the artist's data")
    before = _files(home)

    result = _run(["sh", bundle / "install.sh"], home)
    assert result.returncode == 0, result.stdout + result.stderr
    app = home / ".local" / "lib" / "gigbag"
    link = home / ".local" / "bin" / "gigbag"
    desktop = home / ".local" / "share" / "applications" / f"{APP_ID}.desktop"
    assert (app / "gigbag").is_file() and (app / "_internal" / "libpython.so").is_file()
    assert link.is_symlink() and os.readlink(link) == str(app / "gigbag")
    assert subprocess.run([link], capture_output=True, text=True).stdout.strip() == f"gigbag {project_version()}"
    text = desktop.read_text()
    assert f'Exec="{app / "gigbag"}"' in text and f"TryExec={app / 'gigbag'}" in text
    for size in ("16x16", "48x48", "256x256", "512x512"):
        assert (home / ".local/share/icons/hicolor" / size / "apps" / f"{APP_ID}.png").is_file()
    assert (home / ".local/share/icons/hicolor/scalable/apps" / f"{APP_ID}.svg").is_file()
    assert (home / ".local/share/metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    if shutil.which("desktop-file-validate") or os.environ.get("CI"):
        check = subprocess.run([require_tool("desktop-file-validate"), str(desktop)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr

    again = _run(["sh", bundle / "install.sh"], home)  # installing again replaces the installation
    assert again.returncode == 0, again.stdout + again.stderr

    result = _run([app / "uninstall.sh"], home)
    assert result.returncode == 0, result.stdout + result.stderr
    caches = {"applications/mimeinfo.cache", "icons/hicolor/icon-theme.cache"}
    left = {f for f in _files(home) - before if f.removeprefix(".local/share/") not in caches}
    assert left == set(), left
    assert (data / "gigbag.sqlite3").read_bytes() == b"the artist's data"

    missing = _run(["sh", bundle / "uninstall.sh"], home)
    assert missing.returncode == 1 and "not installed" in missing.stderr


def test_prefix_and_foreign_command_are_respected(bundle: Path, tmp_path: Path) -> None:
    home, prefix = tmp_path / "home", tmp_path / "opt"
    (prefix / "bin").mkdir(parents=True)
    foreign = prefix / "bin" / "gigbag"
    foreign.write_text("#!/bin/sh\necho another gigbag\n")  # e.g. from pip install --user

    result = _run(["sh", bundle / "install.sh", "--prefix", prefix], home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "left as it is" in result.stdout
    assert foreign.read_text().endswith("another gigbag\n") and not foreign.is_symlink()
    assert (prefix / "share" / "applications" / f"{APP_ID}.desktop").is_file()
    assert not (home / ".local").exists()

    result = _run([prefix / "lib" / "gigbag" / "uninstall.sh"], home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert foreign.is_file()
    assert not (prefix / "lib" / "gigbag").exists()
    assert not (prefix / "share" / "applications" / f"{APP_ID}.desktop").exists()


def test_uninstall_removes_nothing_but_gigbags_files(bundle: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert _run(["sh", bundle / "install.sh"], home).returncode == 0
    precious = home / "Documents" / "setlist.txt"
    precious.parent.mkdir(parents=True)
    precious.write_text("opening song")
    manifest = home / ".local" / "lib" / "gigbag" / "install-manifest.txt"
    with manifest.open("a") as f:
        f.write(f"{precious}\n{home / 'Documents'}\n")  # a damaged manifest

    result = _run([home / ".local" / "lib" / "gigbag" / "uninstall.sh"], home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "left alone" in result.stderr
    assert precious.read_text() == "opening song"


def test_install_refuses_to_run_outside_a_bundle(tmp_path: Path) -> None:
    lone = tmp_path / "lone"
    lone.mkdir()
    shutil.copy(DESKTOP / "install.sh", lone / "install.sh")
    result = _run(["sh", lone / "install.sh"], tmp_path / "home")
    assert result.returncode == 1 and "unpacked Gigbag folder" in result.stderr
    assert not (tmp_path / "home").exists()


def _leftovers(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PACKAGING / "home-leftovers"), *map(str, args)], capture_output=True, text=True)


def test_release_check_counts_only_what_install_added_and_uninstall_left(bundle: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    # What a desktop session (the self-test under Xvfb) leaves in HOME before the install starts.
    session = home / ".dbus" / "session-bus" / "0123456789abcdef-99"
    session.parent.mkdir(parents=True)
    session.write_text("DBUS_SESSION_BUS_ADDRESS=unix:abstract=/tmp/dbus-x\n")
    (home / ".cache" / "fontconfig").mkdir(parents=True)
    (home / ".cache" / "fontconfig" / "a.cache-8").write_bytes(b"fonts")
    before = tmp_path / "before.txt"
    snapshot = _leftovers("snapshot", home)
    assert snapshot.returncode == 0, snapshot.stderr
    before.write_text(snapshot.stdout)
    assert ".dbus/session-bus/0123456789abcdef-99" in snapshot.stdout.splitlines()

    assert _run(["sh", bundle / "install.sh"], home).returncode == 0
    assert _run([home / ".local" / "lib" / "gigbag" / "uninstall.sh"], home).returncode == 0
    (home / ".local" / "share" / "applications").mkdir(parents=True, exist_ok=True)
    (home / ".local" / "share" / "applications" / "mimeinfo.cache").write_text("[MIME Cache]\n")
    clean = _leftovers("since", before, home)
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout == ""

    stray = home / ".local" / "share" / "icons" / "hicolor" / "48x48" / "apps" / f"{APP_ID}.png"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"left behind")
    assert _leftovers("since", before, home).stdout.splitlines() == [
        f".local/share/icons/hicolor/48x48/apps/{APP_ID}.png"
    ]
