"""Gigbag: an offline-first workspace for independent musicians.

The repository root is the ``gigbag`` package; its folders are the subpackages
(``gigbag.local_db``, ``gigbag.sync``, ``gigbag.app``, ``gigbag.ui``, ``gigbag.server``).

The version has one source, pyproject.toml, read here from the installed distribution's metadata:
``gigbag`` (the desktop app) or, on a server host, ``gigbag-server`` (packaging/server).
It is read when first asked for (``__version__``), not on import: scanning the installed metadata
costs a command such as ``gigbag --help`` a noticeable part of its start.
"""

def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    for distribution in ("gigbag", "gigbag-server"):
        try:
            return version(distribution)
        except PackageNotFoundError:
            continue
    return "0.0.0+unknown"  # running from a source tree that was never installed


def __getattr__(name: str) -> str:
    if name == "__version__":
        globals()["__version__"] = value = _installed_version()
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
