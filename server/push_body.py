"""A push body checked by plain code: the JSON FastAPI parsed once, no pydantic model per change.

The route takes the body as parsed (``SkipValidation``: its OpenAPI schema is still ``PushRequest``'s).
A body of exactly the shape ``PushRequest`` admits is read here with a few type checks per change;
anything else is handed to ``PushRequest`` itself, so a bad body gets pydantic's errors, word for word
the 422 (or 413 ``too_many_changes``) it got when FastAPI validated the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Body
from fastapi.exceptions import RequestValidationError
from pydantic import SkipValidation, ValidationError

from gigbag.schema.wire import MAX_PUSH_CHANGES, PushRequest

# The body as FastAPI parsed it (JSON), not validated: :func:`read` does that.
RawPushBody = Annotated[PushRequest, SkipValidation, Body()]

_BODY_KEYS = frozenset(("device_id", "changes"))
_CHANGE_KEYS = frozenset(("entity_type", "entity_id", "op", "data", "checksum", "base_checksum"))
_REQUIRED_CHANGE_KEYS = frozenset(("entity_type", "entity_id", "op"))
_OPS = ("upsert", "delete")


@dataclass(slots=True)
class IncomingChange:
    """One change of a push, with the fields (and meaning) of ``wire.Change``."""

    entity_type: str
    entity_id: str
    op: str
    data: dict[str, Any] | None
    checksum: str | None
    base_checksum: str | None


@dataclass(frozen=True, slots=True)
class PushBody:
    device_id: str
    changes: list[IncomingChange]


def _change(item: Any) -> IncomingChange | None:
    """The change, or None when ``item`` is not exactly what ``wire.Change`` admits."""
    if type(item) is not dict or not (_REQUIRED_CHANGE_KEYS <= item.keys() <= _CHANGE_KEYS):
        return None
    entity_type = item["entity_type"]
    entity_id = item["entity_id"]
    op = item["op"]
    data = item.get("data")
    checksum = item.get("checksum")
    base = item.get("base_checksum")
    if (
        type(entity_type) is not str
        or type(entity_id) is not str
        or op not in _OPS
        or type(op) is not str
        or not (data is None or type(data) is dict)
        or not (checksum is None or type(checksum) is str)
        or not (base is None or type(base) is str)
    ):
        return None
    return IncomingChange(entity_type, entity_id, op, data, checksum, base)


def _fast(body: Any) -> PushBody | None:
    if type(body) is not dict or body.keys() != _BODY_KEYS:
        return None
    device_id = body["device_id"]
    items = body["changes"]
    if type(device_id) is not str or type(items) is not list or len(items) > MAX_PUSH_CHANGES:
        return None
    changes = []
    for item in items:
        change = _change(item)
        if change is None:
            return None
        changes.append(change)
    return PushBody(device_id, changes)


def read(body: Any) -> PushBody:
    """The push in ``body``; raise FastAPI's ``RequestValidationError`` (pydantic's errors) when it is not one."""
    fast = _fast(body)
    if fast is not None:
        return fast
    try:
        model = PushRequest.model_validate(body)
    except ValidationError as exc:
        errors = [{**err, "loc": ("body", *err["loc"])} for err in exc.errors()]
        raise RequestValidationError(errors, body=body) from None
    return PushBody(
        model.device_id,
        [IncomingChange(c.entity_type, c.entity_id, c.op, c.data, c.checksum, c.base_checksum) for c in model.changes],
    )
