"""How deep an entity's data may nest: one limit for the server's push and the client's import.

Real data is shallow (a journal entry's blocks nest a few levels). A document nested hundreds of
levels deep is refused where it enters, before any hashing or validation works on it: a deep
structure breaks recursive code (pydantic's serializer, canonical JSON) in ways that surface as a
500 or a traceback instead of a sentence. The walk here is iterative, so it cannot itself overflow.
"""

from __future__ import annotations

from typing import Any

MAX_DATA_DEPTH = 32  # levels of lists/objects inside one entity's ``data``
ERR_DOCUMENT_TOO_DEEP = "document_too_deep"


def nesting_depth(value: Any, stop_at: int | None = None) -> int:
    """Levels of nested lists and dicts in ``value`` (a scalar is 0); stops counting past ``stop_at``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        depth += 1
        if depth > deepest:
            deepest = depth
            if stop_at is not None and deepest > stop_at:
                return deepest
        stack.extend((child, depth) for child in children)
    return deepest


def data_too_deep(data: Any) -> str | None:
    """A sentence when ``data`` (an entity's data object) nests deeper than allowed, else None."""
    # The data object itself is one level; the limit counts what is inside it.
    if nesting_depth(data, stop_at=MAX_DATA_DEPTH + 1) - 1 > MAX_DATA_DEPTH:
        return f"nests more than {MAX_DATA_DEPTH} levels deep; Gigbag data is never that deep"
    return None
