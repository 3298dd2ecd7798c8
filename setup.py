"""Maps the repository's folders to subpackages of ``gigbag`` (pyproject holds everything else).

The repository root is the ``gigbag`` package; every folder below it with an ``__init__.py``
(but tests and tooling) becomes ``gigbag.<folder>``, so nothing lands bare in site-packages.
"""

from setuptools import find_packages, setup

EXCLUDE = ["tests", "tests.*", "bench", "bench.*", "packaging", "packaging.*", "build", "build.*", "docs"]

setup(
    package_dir={"gigbag": "."},
    packages=["gigbag"] + [f"gigbag.{p}" for p in find_packages(".", exclude=EXCLUDE)],
)
