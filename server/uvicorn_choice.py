"""How uvicorn runs: the compiled HTTP parser and event loop when they are installed, and a keep-alive long
enough for a desktop's syncs a minute apart to share one connection.

With big file bodies the server's time goes into parsing and copying 64 KiB pieces of the request
and response; httptools (and uvloop's event loop) do that in C, h11 and asyncio's selector loop in
Python. Both come with ``gigbag[server]``; a server installed without them still runs (h11, asyncio)
and says so once in its log.

uvicorn's own keep-alive (5 s) closed the connection of a desktop between two syncs, so each sync paid for a
new connection (and a TLS handshake behind a real address). The desktop's client lets an idle connection go
a little before the server does (``sync.client.KEEP_IDLE_SECONDS``), so it never sends on one being closed.
"""

from __future__ import annotations

import importlib.util
import logging
from typing import Any

log = logging.getLogger("gigbag.server")

KEEP_ALIVE_SECONDS = 75  # how long an idle connection stays open (nginx's default too)


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


def uvicorn_settings() -> dict[str, Any]:
    """What the server hands to ``uvicorn.Config``: the implementations and the keep-alive."""
    return {**uvicorn_implementations(), "timeout_keep_alive": KEEP_ALIVE_SECONDS}
