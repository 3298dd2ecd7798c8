"""Builds ``gigbag-server`` from the repository's sources: the server, the protocol and the audio room, no Qt.

The packages come from the repository root (two folders up), mapped under ``gigbag`` as in the
desktop distribution. The version and the dependencies are taken from the root pyproject.toml:
the ``server`` extra plus the few core libraries the protocol and audio modules need, never PySide6.
Build wheels directly (``pip install`` / ``pip wheel`` of this folder); an sdist cannot hold
sources that live outside its folder.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ROOT_FROM_HERE = "../.."  # setuptools wants package_dir relative to this folder

PACKAGES = [
    "gigbag",
    "gigbag.server",
    "gigbag.server.migrations",
    "gigbag.server.migrations.versions",
    "gigbag.schema",
    "gigbag.media",
]
# The base dependencies of the root project that gigbag.schema and gigbag.media import (the rest is the desktop's).
PROTOCOL_DEPENDENCIES = ("sqlmodel", "sqlalchemy", "pydantic", "alembic", "rfc8785", "av")
QT_DISTRIBUTIONS = ("pyside6", "pyside6-essentials", "pyside6-addons", "shiboken6")


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def server_dependencies(project: dict) -> list[str]:
    by_name = {_name(r): r for r in project["dependencies"]}
    missing = [n for n in PROTOCOL_DEPENDENCIES if n not in by_name]
    if missing:
        raise SystemExit(f"gigbag-server: {missing} are no longer dependencies of the root pyproject.toml")
    deps = [by_name[n] for n in PROTOCOL_DEPENDENCIES] + list(project["optional-dependencies"]["server"])
    qt = [d for d in deps if _name(d) in QT_DISTRIBUTIONS]
    if qt:
        raise SystemExit(f"gigbag-server must not depend on Qt: {qt}")
    return deps


# Packages of which only the ``__init__`` ships: the root folder (not the desktop's ``__main__`` or setup.py).
INIT_ONLY = ("gigbag",)


class BuildServerPy(build_py):
    """``build_py`` that leaves the desktop's modules out of the packages the server shares with it."""

    def run(self) -> None:
        # setuptools packs whatever build/lib holds: modules left there by an earlier build (since deleted, or
        # filtered out) would slip into the wheel. Start from an empty folder.
        if not getattr(self, "editable_mode", False):
            shutil.rmtree(self.build_lib, ignore_errors=True)
        super().run()

    def find_package_modules(self, package: str, package_dir: str) -> list[tuple[str, str, str]]:
        modules = super().find_package_modules(package, package_dir)
        if package in INIT_ONLY:
            return [m for m in modules if m[1] == "__init__"]
        return modules


project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]

setup(
    version=project["version"],
    install_requires=server_dependencies(project),
    package_dir={p: "/".join([ROOT_FROM_HERE, *p.split(".")[1:]]) for p in PACKAGES},
    packages=PACKAGES,
    cmdclass={"build_py": BuildServerPy},
)
