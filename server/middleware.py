"""ASGI middlewares: one log line (and the metrics) per request, the size/encoding guard of JSON bodies,
the short way of a plain pull.

Both are plain ASGI (not Starlette's BaseHTTPMiddleware), so streamed blob bodies and client
disconnects pass through untouched. The guard reads the body of JSON routes up to their limit
(:data:`~gigbag.schema.wire.MAX_PUSH_BYTES` for a push, ``MAX_JSON_BODY_BYTES`` for the
others), answers 413 beyond it before any parsing, and 400 for bytes that are not UTF-8 or text
with unpaired surrogates (which no database can store and no JSON encoder can write back).
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gigbag.schema.wire import ERR_PAYLOAD_TOO_LARGE, MAX_JSON_BODY_BYTES, MAX_PUSH_BYTES, TUS_VERSION

from . import metrics, sync_api
from .responses import SafeJSONResponse

access_log = logging.getLogger("gigbag.server.access")

STREAMED_PREFIXES = ("/v1/blobs/", "/v1/uploads")
PUSH_PATH = "/v1/sync/push"
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


UNMATCHED_ROUTE = "<unmatched>"


_SERIES: dict[tuple[str, str, int], tuple[Any, Any]] = {}  # the metrics' children, as labels() finds them


def _series(method: str, route: str, status: int) -> tuple[Any, Any]:
    """The request counter's and the latency histogram's series of one kind of answer (looked up once:
    ``labels()`` takes a lock and builds its key on every call: ~10 µs of a no-op pull's ~0.35 ms)."""
    key = (method, route, status)
    found = _SERIES.get(key)
    if found is None:
        found = _SERIES[key] = (
            metrics.REQUESTS.labels(method=method, route=route, status=str(status or 0)),
            metrics.LATENCY.labels(method=method, route=route),
        )
    return found


class AccessLogMiddleware:
    """One log line and the request metrics per answer: method, route template, status, duration, account.

    The path and query are logged (no route takes a secret in them); no header (so no token) and
    no body is ever logged.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0
        sent = 0

        async def send_logged(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_logged)
        finally:
            seconds = time.perf_counter() - started
            client = scope.get("client")
            who = f"{client[0]}:{client[1]}" if client else "-"
            user = (scope.get("state") or {}).get("user_id")
            method = scope.get("method", "-")
            route = getattr(scope.get("route"), "path", None) or UNMATCHED_ROUTE
            path = scope.get("path", "")
            query = scope.get("query_string", b"").decode("latin-1")
            target = (f"{path}?{query}" if query else path)[:300]
            counter, latency = _series(method, route, status)
            counter.inc()
            latency.observe(seconds)
            access_log.info(
                '%s "%s %s" %s %dB %.1fms route=%s%s',
                who,
                method,
                target,
                status or "-",
                sent,
                seconds * 1000,
                route,
                f" user={user}" if user else "",
                extra={
                    "request": {
                        "client": who,
                        "method": method,
                        "route": route,
                        "path": target,
                        "status": status or None,
                        "bytes_sent": sent,
                        "duration_ms": round(seconds * 1000, 2),
                        "user_id": user,
                    }
                },
            )


def _error(status: int, code: str, message: str, **extra: Any) -> SafeJSONResponse:
    return SafeJSONResponse({"error": code, "message": message, **extra}, status_code=status)


def _has_lone_surrogate(body: bytes) -> bool:
    if not _SURROGATE_ESCAPE.search(body):
        return False
    try:
        value = json.loads(body)
    except ValueError:
        return False  # not JSON at all: FastAPI answers that
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class JsonBodyGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope.get("method") not in ("POST", "PUT", "PATCH", "DELETE")
            or path.startswith(STREAMED_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        limit = MAX_PUSH_BYTES if path == PUSH_PATH else MAX_JSON_BODY_BYTES
        too_large = _error(
            413,
            ERR_PAYLOAD_TOO_LARGE,
            f"The request body is larger than this route accepts ({limit} bytes).",
            max_bytes=limit,
        )
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _error(400, "bad_request", "The Content-Length header is not a number.")(scope, receive, send)
                    return
                if declared > limit:
                    await too_large(scope, receive, send)
                    return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            await _error(400, "invalid_json", "The request body is not UTF-8 text.")(scope, receive, send)
            return
        if _has_lone_surrogate(body):
            await _error(
                400, "invalid_json", "The request body holds text with an unpaired surrogate (\\ud800-\\udfff)."
            )(scope, receive, send)
            return
        replayed = False

        async def receive_buffered() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, receive_buffered, send)


class TusHeaderMiddleware:
    """Adds ``Tus-Resumable: 1.0.0`` to every answer under /v1/uploads, error answers included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith("/v1/uploads"):
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"tus-resumable" for name, _ in headers):
                    headers.append((b"tus-resumable", TUS_VERSION.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_header)


class PlainPullMiddleware:
    """Answers a pull of plain ``since``, ``limit`` and ``skip`` (a no-op sync's one request, a download's
    pages) before the router (:func:`~.sync_api.answer_plain_pull`); every other request goes on untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and await sync_api.answer_plain_pull(scope, receive, send):
            return
        await self.app(scope, receive, send)
