"""Gigbag: an offline-first workspace for independent musicians.

The repository root is the ``gigbag`` package; its folders are the subpackages
(``gigbag.local_db``, ``gigbag.sync``, ``gigbag.app``, ``gigbag.ui``, ``gigbag.server``).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gigbag")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
