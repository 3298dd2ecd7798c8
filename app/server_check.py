"""Checking a server address before signing in, and saying precisely what is wrong with it.

One GET of ``/v1/health``: no server answers, something answers that is not a Gigbag server, a
server of a newer protocol, a server error — each a :class:`ServerProblem` whose ``kind`` tells
the sign-in form which field to point at. Sign-in itself waits for a person, so it retries briefly
(:func:`interactive_client_factory`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ..schema.wire import PROTOCOL_VERSION
from ..sync.client import RetryPolicy, SyncClient, normalize_server_url
from ..sync.errors import SyncError
from ..sync.http_import import httpx

log = logging.getLogger(__name__)

ServerProblemKind = Literal["invalid_address", "unreachable", "not_gigbag", "protocol_too_new", "server_error"]


class ServerProblem(SyncError):
    """What is wrong with a server address, in words; ``kind`` tells the screens which field to point at."""

    def __init__(self, kind: ServerProblemKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class ServerCheck:
    url: str
    protocol: int


def check_server(url: str, *, timeout: float = 8.0, transport: httpx.BaseTransport | None = None) -> ServerCheck:
    """Ask ``url`` for ``/v1/health`` once; raise :class:`ServerProblem` saying precisely what is wrong."""
    try:
        return _check(url, timeout, transport)
    except ServerProblem as exc:
        log.info("server check of %r: %s: %s", url.strip(), exc.kind, exc)
        raise


def _check(url: str, timeout: float, transport: httpx.BaseTransport | None) -> ServerCheck:
    if not url.strip():
        raise ServerProblem("invalid_address", "Enter the address of your Gigbag sync server.")
    try:
        normalized = normalize_server_url(url)
        parsed = httpx.URL(normalized)
    except (httpx.InvalidURL, ValueError) as exc:
        raise ServerProblem("invalid_address", f"“{url.strip()}” is not a web address ({exc}).") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ServerProblem(
            "invalid_address", f"“{url.strip()}” is not a web address; it should look like https://sync.example.com."
        )
    try:
        with httpx.Client(timeout=timeout, transport=transport, follow_redirects=False) as http:
            response = http.get(normalized + "/v1/health", headers={"Accept": "application/json"})
    except httpx.TransportError as exc:
        raise ServerProblem(
            "unreachable",
            f"No server answers at {normalized} ({type(exc).__name__}). Check the address, your internet "
            "connection, and that the server is running.",
        ) from exc
    if response.status_code >= 500:
        raise ServerProblem(
            "server_error",
            f"The server at {normalized} answered with an error (HTTP {response.status_code}). "
            "It may be starting or broken; try again in a minute.",
        )
    try:
        body = response.json() if response.status_code == 200 else None
    except ValueError:
        body = None
    protocol = body.get("protocol") if isinstance(body, dict) else None
    if not isinstance(body, dict) or body.get("status") != "ok" or not isinstance(protocol, int):
        raise ServerProblem(
            "not_gigbag",
            f"{normalized} answers, but it is not a Gigbag sync server. Check the address "
            "(it is the one your server's owner gave you, e.g. https://sync.example.com).",
        )
    if protocol > PROTOCOL_VERSION:
        raise ServerProblem(
            "protocol_too_new",
            f"The server at {normalized} speaks a newer sync protocol (version {protocol}) than this Gigbag "
            f"(version {PROTOCOL_VERSION}). Update Gigbag on this computer to sync with it.",
        )
    return ServerCheck(normalized, protocol)


#: Sign-in waits for a person: a server that says "wait" for long is reported, not waited for.
INTERACTIVE_RETRY = RetryPolicy(attempts=2, base_delay=0.3, max_delay=2.0, max_retry_after=3.0)


def interactive_client_factory(base: Callable[..., SyncClient]) -> Callable[..., SyncClient]:
    """``base`` with a retry policy fit for a person waiting in a dialog (a caller's own policy wins)."""

    @functools.wraps(base)
    def make(*args: Any, **kwargs: Any) -> SyncClient:
        kwargs.setdefault("retry", INTERACTIVE_RETRY)
        return base(*args, **kwargs)

    return make
