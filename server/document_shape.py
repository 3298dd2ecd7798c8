"""Refusing a push whose entity data nests too deep, before any work is done on it.

FastAPI would otherwise hand the body to pydantic and the idempotency hash, whose recursive code
fails on a document nested a few hundred levels deep with a 500. This dependency of the push route
runs before the body is validated; it reads the raw body (already size-limited by the middleware)
and answers 400 ``document_too_deep`` naming the change.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from gigbag.schema.document_limits import ERR_DOCUMENT_TOO_DEEP, MAX_DATA_DEPTH, data_too_deep

from .errors import ApiError

_NESTING = frozenset((dict, list))  # what json.loads makes that nests


def _flat(data: Any) -> bool:
    """Whether ``data`` is an object of scalars only (one level: never too deep), checked without a walk."""
    return type(data) is dict and _NESTING.isdisjoint(map(type, data.values()))


def _too_deep(where: str) -> ApiError:
    return ApiError(
        400,
        ERR_DOCUMENT_TOO_DEEP,
        f"{where} nests more than {MAX_DATA_DEPTH} levels deep; nothing was applied. "
        "Gigbag data is never that deep: this push was not made by a Gigbag client.",
        max_depth=MAX_DATA_DEPTH,
    )


async def refuse_deep_documents(request: Request) -> None:
    try:
        # Starlette keeps what FastAPI parsed for the route (``request.json()`` is json.loads of the
        # body, cached on the request): the body is parsed once for both.
        body: Any = await request.json()
    except RecursionError:
        raise _too_deep("The request body") from None
    except ValueError:
        return  # not JSON: the body validation answers it with its own words
    changes = body.get("changes") if isinstance(body, dict) else None
    if not isinstance(changes, list):
        return
    for index, change in enumerate(changes):
        if not isinstance(change, dict):
            continue
        data = change.get("data")
        if _flat(data):
            continue
        if data_too_deep(data) is not None:
            kind = change.get("entity_type")
            raise _too_deep(f"Change {index} ({kind if isinstance(kind, str) else 'an entity'})")


ShallowDocuments = Annotated[None, Depends(refuse_deep_documents)]
