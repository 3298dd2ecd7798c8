"""Maps the repository's folders to subpackages of ``gigbag`` (pyproject holds everything else).

The repository root is the ``gigbag`` package; every folder below it with an ``__init__.py``
(but tests and tooling) becomes ``gigbag.<folder>``, so nothing lands bare in site-packages.
This file lives in the package's folder too, so ``build_py`` leaves it out of the wheel.
"""

import shutil

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

EXCLUDE = ["tests", "tests.*", "bench", "bench.*", "packaging", "packaging.*", "build", "build.*", "docs"]


class BuildPyWithoutSetup(build_py):
    """``build_py`` that does not ship this setup script as the module ``gigbag.setup``."""

    def run(self) -> None:
        # setuptools packs whatever build/lib holds: modules left there by an earlier build (since deleted, or
        # filtered out) would slip into the wheel. Start from an empty folder.
        if not getattr(self, "editable_mode", False):
            shutil.rmtree(self.build_lib, ignore_errors=True)
        super().run()

    def find_package_modules(self, package: str, package_dir: str) -> list[tuple[str, str, str]]:
        modules = super().find_package_modules(package, package_dir)
        return [m for m in modules if not (package == "gigbag" and m[1] == "setup")]


setup(
    package_dir={"gigbag": "."},
    packages=["gigbag"] + [f"gigbag.{p}" for p in find_packages(".", exclude=EXCLUDE)],
    cmdclass={"build_py": BuildPyWithoutSetup},
)
