"""The OpenAPI document at ``/openapi.json``: FastAPI's, plus the header rules the routes check by hand.

The tus routes read their headers themselves (so a missing ``Tus-Resumable`` is the 412 the tus
protocol prescribes, not a generic 422); here the document states those headers as required, with
their formats, so clients and schema-driven tools see the real contract.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from gigbag.schema.wire import IDEMPOTENCY_HEADER, TUS_VERSION

_DIGITS = {"type": "string", "pattern": "^[0-9]{1,19}$"}
HEADER_RULES: dict[str, dict[str, Any]] = {
    "Tus-Resumable": {"required": True, "schema": {"type": "string", "enum": [TUS_VERSION]}},
    "Upload-Length": {"required": True, "schema": _DIGITS, "description": "Size of the whole upload in bytes"},
    "Upload-Offset": {"required": True, "schema": _DIGITS, "description": "Bytes the server already holds"},
    "Upload-Metadata": {
        "required": True,
        "schema": {"type": "string"},
        "description": "tus metadata; must hold 'sha256 <base64 of the 64 hex digits>'",
    },
    "Upload-Defer-Length": {"description": "Not supported: send Upload-Length"},
    IDEMPOTENCY_HEADER: {"schema": {"type": "string", "format": "uuid"}},
}


def _drop_unused_validation_schemas(doc: dict[str, Any]) -> None:
    """FastAPI registers its own 422 body even when no route answers with it; every 422 here is ErrorBody."""
    schemas = doc.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    text = json.dumps(doc)
    for name in ("HTTPValidationError", "ValidationError"):
        if f"#/components/schemas/{name}" in text:
            raise RuntimeError(f"a route still refers to {name}; declare its 422 with error_responses()")


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            for path_item in doc.get("paths", {}).values():
                for operation in path_item.values():
                    for param in operation.get("parameters", []):
                        if param.get("in") == "header" and param.get("name") in HEADER_RULES:
                            param.update(HEADER_RULES[param["name"]])
            _drop_unused_validation_schemas(doc)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
