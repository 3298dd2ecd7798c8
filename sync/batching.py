"""The order in which pending changes are pushed, and how they are cut into batches.

Upserts go parents first (the protocol's type order; among folders, outer folders before the ones
inside them), then deletes children first, so that the server's sequence — which every other
computer replays — never has a child before its parent. A batch holds at most
``MAX_PUSH_CHANGES`` changes and stays under the push byte limit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..schema.wire import MAX_PUSH_BYTES, MAX_PUSH_CHANGES, Change
from .local_store import ORDER, Key

# Room for the request's envelope ({"device_id": ..., "changes": [...]}) under the byte limit.
ENVELOPE_BYTES = 1024


@dataclass(frozen=True)
class PlannedChange:
    key: Key
    op: str  # 'upsert' | 'delete'


def folder_depths(parents: Mapping[str, str | None]) -> dict[str, int]:
    """Depth of each folder from its parent links (0 at the top; a cycle or missing parent stops the walk)."""
    depths: dict[str, int] = {}
    for start in parents:
        chain: list[str] = []
        current: str | None = start
        while current is not None and current not in depths and current not in chain:
            chain.append(current)
            current = parents.get(current)
        depth = depths[current] if current is not None and current in depths else -1
        for folder in reversed(chain):
            depth += 1
            depths[folder] = depth
    return depths


def order_changes(changes: Iterable[PlannedChange], folder_parents: Mapping[str, str | None]) -> list[PlannedChange]:
    """Upserts parents first, then deletes children first (see the module's docstring)."""
    depths = folder_depths(folder_parents)

    def depth(change: PlannedChange) -> int:
        return depths.get(change.key[1], 0) if change.key[0] == "folders" else 0

    items = list(changes)
    upserts = sorted((c for c in items if c.op == "upsert"), key=lambda c: (ORDER[c.key[0]], depth(c), c.key[1]))
    deletes = sorted((c for c in items if c.op == "delete"), key=lambda c: (-ORDER[c.key[0]], -depth(c), c.key[1]))
    return upserts + deletes


# Per change, room for the few characters by which the body as sent (compact JSON, sorted keys) and
# canonical JSON (RFC 8785), whose length is measured, can differ in writing a number.
SIZE_MARGIN = 32
# The characters of one change's JSON object besides its values: {"base_checksum":…,"checksum":…,
# "data":…,"entity_id":"…","entity_type":"…","op":"…"} and the comma that separates it from the next.
_CHANGE_FRAME = len('{"base_checksum":,"checksum":,"data":,"entity_id":"","entity_type":"","op":""},')


def body_bytes(body: dict[str, Any]) -> bytes:
    """A push body as sent: compact JSON with sorted keys, the same bytes for the same stored body."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _json_text_len(value: str | None) -> int:
    return 4 if value is None else len(value.encode()) + 2  # null, or a string without escapes (ids, checksums)


def change_size(change: Change, data_bytes: int | None = None) -> int:
    """Bytes (an upper bound) the change adds to a push body, separating comma included.

    ``data_bytes``: the length of the data's canonical JSON when the caller has it (0 for a delete);
    otherwise the data is encoded here.
    """
    if data_bytes is None:
        data_bytes = 4 if change.data is None else len(body_bytes(change.data))
    return (
        _CHANGE_FRAME
        + _json_text_len(change.base_checksum)
        + _json_text_len(change.checksum)
        + (data_bytes if change.data is not None else 4)
        + _json_text_len(change.entity_id)
        + _json_text_len(change.entity_type)
        + _json_text_len(change.op)
        + SIZE_MARGIN
    )


def split_batches(
    changes: Iterable[Change],
    max_changes: int = MAX_PUSH_CHANGES,
    max_bytes: int = MAX_PUSH_BYTES,
) -> Iterator[list[Change]]:
    """Consecutive batches in the given order; a change too large for any batch raises ValueError."""
    batch: list[Change] = []
    size = ENVELOPE_BYTES
    for change in changes:
        n = change_size(change)
        if ENVELOPE_BYTES + n > max_bytes:
            raise ValueError(f"{change.entity_type} {change.entity_id} is larger than one push may be")
        if batch and (len(batch) >= max_changes or size + n > max_bytes):
            yield batch
            batch, size = [], ENVELOPE_BYTES
        batch.append(change)
        size += n
    if batch:
        yield batch
