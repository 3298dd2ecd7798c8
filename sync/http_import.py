"""httpx, loaded without its command-line client.

``import httpx`` also imports ``httpx._main`` (the ``httpx`` command) whenever click, rich and pygments
are installed (uvicorn brings click), and that is tens of milliseconds of every ``gigbag sync`` that
loads the engine, and of the window's start, for a command Gigbag never runs. While httpx loads here,
that one module is marked absent, so httpx takes its own fallback (a ``main`` that names the missing
extra); the mark goes afterwards, so an explicit ``import httpx._main`` still works. Gigbag's modules
import httpx from here.
"""

from __future__ import annotations

import sys

_CLI = "httpx._main"

if "httpx" not in sys.modules and _CLI not in sys.modules:
    sys.modules[_CLI] = None  # type: ignore[assignment]  # None in sys.modules: "import fails"
    try:
        import httpx
    finally:
        del sys.modules[_CLI]
else:
    import httpx

__all__ = ["httpx"]
