"""Schemathesis hooks for the server's OpenAPI run (loaded through ``SCHEMATHESIS_HOOKS``).

- tus PATCH bodies are ``application/offset+octet-stream``: raw bytes, sent like octet-stream.
- A push only gets past its first checks with the token's own ``device_id`` (given in
  ``GIGBAG_ST_DEVICE_ID``), and a change only reaches the type's rules with a known entity type, a
  UUID and a matching checksum. So that the fuzzer exercises the push itself, every push body gets
  the right device id, and every other change (the even ones) a real type, a UUID and the checksum
  of its generated data; the odd ones go as generated.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from typing import Any

import schemathesis

from gigbag.schema.canonical import CanonicalizationError, checksum
from gigbag.schema.entities import ENTITY_TYPES

schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")

DEVICE_ID = os.environ.get("GIGBAG_ST_DEVICE_ID")
TYPES = sorted(ENTITY_TYPES)


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    operation = context.operation
    if operation is None or DEVICE_ID is None or not isinstance(case.body, dict):
        return
    if operation.method.upper() != "POST" or operation.path != "/v1/sync/push":
        return
    case.body["device_id"] = DEVICE_ID
    changes = case.body.get("changes")
    if not isinstance(changes, list):
        return
    for i, change in enumerate(changes):
        if i % 2 or not isinstance(change, dict):
            continue
        seed = hashlib.sha256(repr(sorted(change.items(), key=str)).encode()).digest()
        change["entity_type"] = TYPES[seed[0] % len(TYPES)]
        change["entity_id"] = str(uuid.UUID(bytes=seed[:16], version=4))
        data = change.get("data")
        if change.get("op") == "upsert" and isinstance(data, dict):
            with contextlib.suppress(CanonicalizationError):  # NaN and the like: sent as generated
                change["checksum"] = checksum(data)
