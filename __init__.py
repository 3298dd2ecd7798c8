"""Gigbag: an offline-first workspace for independent musicians.

The repository root is the ``gigbag`` package; its folders are the subpackages
(``gigbag.local_db``, ``gigbag.sync``, ``gigbag.app``, ``gigbag.ui``, ``gigbag.server``).

The version has one source, pyproject.toml, read here from the installed distribution's metadata:
``gigbag`` (the desktop app) or, on a server host, ``gigbag-server`` (packaging/server).
It is read when first asked for (``__version__``), not on import: scanning the installed metadata
costs a command such as ``gigbag --help`` a noticeable part of its start.
"""

_DISTRIBUTIONS = ("gigbag", "gigbag_server")  # as their .dist-info folders spell them


def _version_on_path() -> str | None:
    """The version in the first gigbag .dist-info folder on ``sys.path``, read without importlib.metadata.

    ``gigbag --version`` asks for nothing else; importing importlib.metadata (email, zipfile, csv…)
    would be most of its start-up time.
    """
    import os
    import sys

    listings: list[tuple[str, list[str]]] = []
    for entry in sys.path:
        try:
            listings.append((entry or ".", sorted(n for n in os.listdir(entry or ".") if n.endswith(".dist-info"))))
        except OSError:  # a zip archive, or gone
            continue
    for distribution in _DISTRIBUTIONS:
        for folder, names in listings:
            for name in names:
                if name.split("-", 1)[0] != distribution:
                    continue
                try:
                    with open(os.path.join(folder, name, "METADATA"), encoding="utf-8") as metadata:
                        for line in metadata:
                            if line.startswith("Version:"):
                                return line.split(":", 1)[1].strip()
                            if not line.strip():
                                break  # the headers end here
                except OSError:
                    continue
    return None


def _installed_version() -> str:
    found = _version_on_path()
    if found:
        return found
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
