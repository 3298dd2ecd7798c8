"""Every error answer of the server: ``{"error": code, "message": sentence}``, never a bare 500.

:class:`ApiError` is raised by the routes; the handlers installed by :func:`install_error_handlers`
turn it, FastAPI's request validation errors, Starlette's HTTP errors and database errors into that
shape. The codes are listed in ``docs/sync-protocol.md``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from .responses import SafeJSONResponse

log = logging.getLogger("gigbag.server.errors")


class ApiError(Exception):
    """An error answer: HTTP status, machine code, a sentence for a person, optional details."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.details = details

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **self.details}

    def response(self, extra_headers: Mapping[str, str] | None = None) -> Response:
        headers = {**self.headers, **(extra_headers or {})}
        return SafeJSONResponse(self.body(), status_code=self.status, headers=headers)


def not_found(what: str = "There is nothing here") -> ApiError:
    return ApiError(404, "not_found", f"{what}.")


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    411: "length_required",
    413: "payload_too_large",
    415: "unsupported_media_type",
    416: "range_not_satisfiable",
    422: "validation_error",
    429: "too_many_requests",
    503: "service_unavailable",
}

_STATUS_MESSAGES = {
    400: "The request is malformed.",
    404: "There is nothing here.",
    405: "This method is not allowed here.",
}


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "header", "path", "cookie")]
    return ".".join(parts) or "body"


def _validation_message(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind == "json_invalid":
        return "is not valid JSON"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind in ("string_type", "int_type", "int_parsing", "bool_type", "dict_type", "list_type", "model_type"):
        return {
            "string_type": "must be text",
            "int_type": "must be a whole number",
            "int_parsing": "must be a whole number",
            "bool_type": "must be true or false",
            "dict_type": "must be a JSON object",
            "model_type": "must be a JSON object",
            "list_type": "must be a list",
        }[kind]
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} items"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    if kind == "string_pattern_mismatch":
        return f"must match {ctx.get('pattern')}"
    return "is not valid"


def validation_error(fields: Mapping[str, str], message: str | None = None) -> ApiError:
    if message is None:
        message = "; ".join(f"{name} {text}" for name, text in fields.items()) or "The request is not valid."
        message = message[0].upper() + message[1:]
        if not message.endswith("."):
            message += "."
    return ApiError(422, "validation_error", message, fields=dict(fields))


async def _api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _request_validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    for err in errors:
        loc = tuple(err.get("loc", ()))
        if len(loc) >= 2 and loc[0] == "header" and str(loc[1]).lower() == "idempotency-key":
            return ApiError(
                400, "idempotency_key_required", "A push needs an Idempotency-Key header holding a UUID."
            ).response()
        if loc[:2] == ("body", "changes") and err.get("type") == "too_long":
            max_len = (err.get("ctx") or {}).get("max_length")
            return ApiError(
                413, "too_many_changes", f"A push carries at most {max_len} changes.", max_changes=max_len
            ).response()
        if err.get("type") == "json_invalid":
            return ApiError(400, "invalid_json", "The request body is not valid JSON.").response()
    fields: dict[str, str] = {}
    for err in errors:
        fields.setdefault(_field_name(tuple(err.get("loc", ()))), _validation_message(err))
    return validation_error(fields).response()


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = _STATUS_CODES.get(status, "error")
    message = _STATUS_MESSAGES.get(status)
    if message is None:
        detail = exc.detail if isinstance(exc.detail, str) else None
        message = detail if detail and detail[-1:] == "." else (f"{detail}." if detail else "Request refused.")
    headers = dict(exc.headers or {})
    if status < 200 or status in (204, 304):
        return Response(status_code=status, headers=headers)
    return SafeJSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


async def _database_error(_request: Request, exc: Exception) -> Response:
    # A lock wait that ran out, a lost connection, or a race lost to a concurrent request: the
    # transaction was rolled back, so the client may retry (with the same key for a push).
    if not isinstance(exc, (OperationalError, IntegrityError, PoolTimeoutError)):
        log.error("database error", exc_info=exc)
        return _internal_error_response()
    log.warning("database error (answered 503): %s", exc)
    return ApiError(
        503,
        "service_unavailable",
        "The server's database is busy or unreachable; nothing was changed. Try again shortly.",
        headers={"Retry-After": "2"},
    ).response()


def _internal_error_response() -> Response:
    return SafeJSONResponse(
        {"error": "internal_error", "message": "The server failed to answer this request; it was logged."},
        status_code=500,
    )


async def _unexpected_error(_request: Request, exc: Exception) -> Response:
    log.error("unexpected error", exc_info=exc)
    return _internal_error_response()


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeoutError, _database_error)
    app.add_exception_handler(Exception, _unexpected_error)
