"""The JSON response class of the server and the OpenAPI description of its error answers.

:class:`SafeJSONResponse` escapes non-ASCII (so any text, even a lone surrogate that arrived as
``\\ud800``, renders) and refuses NaN. :func:`error_responses` declares the error statuses of a
route with the :class:`~gigbag.schema.wire.ErrorBody` schema, replacing FastAPI's default
422 body, so ``/openapi.json`` describes the answers the server really gives.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import JSONResponse

from gigbag.schema.wire import ErrorBody, QuotaErrorBody


class SafeJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")


_DESCRIPTIONS = {
    400: "Malformed request (bad JSON, missing or malformed header)",
    401: "unauthorized (missing, unknown or revoked token), token_expired (unused too long: sign in again), "
    "account_disabled (ask the operator); invalid_credentials at sign-in",
    403: "signup_closed, invite_required or invite_invalid (account creation); account_disabled (sign-in)",
    404: "Not found (or not this user's)",
    409: "Conflict with the current state",
    410: "Gone",
    412: "Tus-Resumable version not supported",
    413: "Too large (body, number of changes, or storage quota)",
    415: "Unsupported media type",
    416: "Range not satisfiable",
    422: "Invalid request",
    423: "Locked: another request is writing this upload",
    429: "Too many attempts, or daily upload limit reached (see Retry-After)",
    503: "Database busy; retry",
}

QUOTA_STATUSES = (413, 429)
RETRY_STATUSES = (409, 423, 429, 503)
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "required": False,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
}


def header(description: str, *, required: bool = True, pattern: str | None = None) -> dict[str, Any]:
    """An OpenAPI response header object (a string, optionally with a pattern)."""
    schema: dict[str, Any] = {"type": "string"}
    if pattern:
        schema["pattern"] = pattern
    return {"description": description, "required": required, "schema": schema}


def error_responses(*statuses: int, quota: bool = False) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given error statuses (plus 503, always possible)."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in (*statuses, 503):
        model: type[ErrorBody] = QuotaErrorBody if quota and status in QUOTA_STATUSES else ErrorBody
        out[status] = {"model": model, "description": _DESCRIPTIONS.get(status, "Error")}
        if status in RETRY_STATUSES:
            out[status]["headers"] = RETRY_AFTER
    return out
