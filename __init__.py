"""Gigbag: an offline-first workspace for independent musicians.

The repository root is the ``gigbag`` package; its folders are the subpackages
(``gigbag.local_db``, ``gigbag.sync``, ``gigbag.app``, ``gigbag.ui``, ``gigbag.server``).

The version has one source, pyproject.toml, read here from the installed distribution's metadata:
``gigbag`` (the desktop app) or, on a server host, ``gigbag-server`` (packaging/server).
"""

from importlib.metadata import PackageNotFoundError, version


def _installed_version() -> str:
    for distribution in ("gigbag", "gigbag-server"):
        try:
            return version(distribution)
        except PackageNotFoundError:
            continue
    return "0.0.0+unknown"  # running from a source tree that was never installed


__version__ = _installed_version()
