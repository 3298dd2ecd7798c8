"""The two Python distributions: ``gigbag`` (the desktop app) and ``gigbag-server`` (no Qt).

The server's wheel is installed into a fresh virtual environment, with its dependencies from the
package index (or pip's cache), and must run without PySide6 installed or imported.
"""

from __future__ import annotations

import email
import os
import signal
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.packaging.helpers import PACKAGING, ROOT, build_wheel, project_version

QT_DISTRIBUTIONS = {"pyside6", "pyside6-essentials", "pyside6-addons", "shiboken6"}


def _names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as z:
        return set(z.namelist())


def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        return email.message_from_bytes(z.read(name))


def _requirement_names(meta: email.message.Message) -> set[str]:
    names = set()
    for req in meta.get_all("Requires-Dist") or []:
        if "extra ==" not in req:
            names.add(req.split(";")[0].split("[")[0].split(">")[0].split("<")[0].split("=")[0].strip().lower())
    return names


@pytest.fixture(scope="module")
def desktop_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(ROOT, tmp_path_factory.mktemp("desktop-wheel"))


@pytest.fixture(scope="module")
def server_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(PACKAGING / "server", tmp_path_factory.mktemp("server-wheel"))


def test_desktop_wheel_holds_the_app_its_data_and_both_commands(desktop_wheel: Path) -> None:
    names = _names(desktop_wheel)
    assert desktop_wheel.name == f"gigbag-{project_version()}-py3-none-any.whl"
    assert "gigbag/setup.py" not in names  # the build script of the package folder is no module of it
    assert all(n.startswith(("gigbag/", f"gigbag-{project_version()}.dist-info/")) for n in names), sorted(
        n for n in names if not n.startswith("gigbag")
    )
    assert not any(n.startswith(("gigbag/tests/", "gigbag/packaging/", "gigbag/bench/")) for n in names)
    for data in (
        "gigbag/migrations/script.py.mako",
        "gigbag/migrations/env.py",
        "gigbag/schema/beat_catalog.json",
        "gigbag/server/migrations/script.py.mako",
        "gigbag/ui/main.py",
        "gigbag/cli/self_test.py",
    ):
        assert data in names, data
    assert any(n.startswith("gigbag/migrations/versions/0001") for n in names)
    meta = _metadata(desktop_wheel)
    assert meta["Version"] == project_version()
    assert {"pyside6-essentials", "pyside6-addons"} <= _requirement_names(meta)
    with zipfile.ZipFile(desktop_wheel) as z:
        entry_points = z.read(f"gigbag-{project_version()}.dist-info/entry_points.txt").decode()
    assert "gigbag = gigbag.cli.main:main" in entry_points
    assert "gigbag-server = gigbag.server.cli:main" in entry_points


def test_server_wheel_holds_the_server_and_the_protocol_only(server_wheel: Path) -> None:
    names = {n for n in _names(server_wheel) if not n.startswith("gigbag_server-")}
    assert server_wheel.name == f"gigbag_server-{project_version()}-py3-none-any.whl"
    packages = {n.rsplit("/", 1)[0] for n in names}
    assert packages == {
        "gigbag",
        "gigbag/server",
        "gigbag/server/migrations",
        "gigbag/server/migrations/versions",
        "gigbag/schema",
        "gigbag/media",
    }
    assert "gigbag/media/clip.py" in names  # the server cuts its library's previews with the app's code
    assert {n for n in names if n.count("/") == 1} == {"gigbag/__init__.py"}
    assert not any(n.startswith("gigbag/sync/") for n in names)
    assert "gigbag/schema/beat_catalog.json" in names
    assert "gigbag/server/migrations/script.py.mako" in names
    meta = _metadata(server_wheel)
    assert meta["Name"] == "gigbag-server" and meta["Version"] == project_version()
    requirements = _requirement_names(meta)
    assert not requirements & QT_DISTRIBUTIONS
    assert {"fastapi", "uvicorn", "sqlalchemy", "alembic", "pydantic", "sqlmodel", "rfc8785", "av"} <= requirements


@pytest.fixture(scope="module")
def server_venv(server_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("server-host") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    result = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(server_wheel)], capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return venv


def _host_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "GIGBAG_"))}


def test_server_installs_and_starts_without_qt(server_venv: Path) -> None:
    help_run = subprocess.run(
        [str(server_venv / "bin" / "gigbag-server"), "--help"], capture_output=True, text=True, env=_host_env()
    )
    assert help_run.returncode == 0, help_run.stderr
    assert help_run.stdout.startswith("usage: gigbag-server") and "--database-url" in help_run.stdout
    probe = (
        "import importlib.util, sys\n"
        "from gigbag.server.cli import main\n"
        "from gigbag.server.app import create_app\n"
        "from gigbag.media import cut_clip, probe\n"
        "import gigbag\n"
        "assert importlib.util.find_spec('PySide6') is None, 'PySide6 is installed'\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'gigbag.ui', 'gigbag.app')))\n"
        "assert not loaded, loaded\n"
        "print(gigbag.__version__)\n"
    )
    result = subprocess.run(
        [str(server_venv / "bin" / "python"), "-c", probe],
        capture_output=True,
        text=True,
        env=_host_env(),
        cwd=server_venv,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == project_version()


@pytest.fixture
def running_server(server_venv: Path, tmp_path: Path) -> Iterator[int]:
    port_file = tmp_path / "port"
    proc = subprocess.Popen(
        [
            str(server_venv / "bin" / "gigbag-server"),
            "--port",
            "0",
            "--port-file",
            str(port_file),
            "--data-dir",
            str(tmp_path / "server"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_host_env(),
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 60
        while not port_file.exists():
            assert proc.poll() is None, proc.communicate()[0]
            assert time.monotonic() < deadline, "the server did not start listening"
            time.sleep(0.1)
        yield int(port_file.read_text())
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_installed_server_answers_health(running_server: int) -> None:
    url = f"http://127.0.0.1:{running_server}/v1/health"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                body = response.read().decode()
                break
        except OSError:
            assert time.monotonic() < deadline, f"no answer from {url}"
            time.sleep(0.2)
    assert '"status":"ok"' in body.replace(" ", "")
