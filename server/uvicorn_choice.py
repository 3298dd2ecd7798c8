"""Which HTTP parser and event loop uvicorn runs with: the compiled ones when they are installed.

With big file bodies the server's time goes into parsing and copying 64 KiB pieces of the request
and response; httptools (and uvloop's event loop) do that in C, h11 and asyncio's selector loop in
Python. Both come with ``gigbag[server]``; a server installed without them still runs (h11, asyncio)
and says so once in its log.
"""

from __future__ import annotations

import importlib.util
import logging

log = logging.getLogger("gigbag.server")


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def uvicorn_implementations() -> dict[str, str]:
    """uvicorn's ``http`` and ``loop`` settings: httptools and uvloop when importable, else h11 and asyncio."""
    http = "httptools" if _installed("httptools") else "h11"
    loop = "uvloop" if _installed("uvloop") else "asyncio"
    if http == "h11":
        log.warning(
            "httptools is not installed: HTTP is parsed by h11, which spends more time on big file transfers "
            "(install gigbag[server] to get it)"
        )
    if loop == "asyncio":
        log.info("uvloop is not installed: the server runs on asyncio's own event loop")
    return {"http": http, "loop": loop}
