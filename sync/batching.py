"""The order in which pending changes are pushed, and how they are cut into batches.

Upserts go parents first (the protocol's type order; among folders, outer folders before the ones
inside them), then deletes children first, so that the server's sequence — which every other
computer replays — never has a child before its parent. A batch holds at most
``MAX_PUSH_CHANGES`` changes and stays under the push byte limit.

A change to push is an :class:`OutChange`, its JSON object already written (``wire``) as it goes in
the body, so the batch's size is counted from those bytes and the body is joined from them, with
no model per change and no second encoding of the whole body: :func:`push_body` gives exactly the
bytes :func:`body_bytes` writes for the same body (a stored batch is sent again as ``body_bytes``
of its stored document, so the two must agree).
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..schema.wire import MAX_PUSH_BYTES, MAX_PUSH_CHANGES, Change
from .local_store import ORDER, Key

# Room for the request's envelope ({"device_id": ..., "changes": [...]}) under the byte limit.
ENVELOPE_BYTES = 1024


class PlannedChange(NamedTuple):
    key: Key
    op: str  # 'upsert' | 'delete'


@dataclass(slots=True)
class OutChange:
    """One change of a push as this computer sends it (the fields of ``wire.Change``), with its JSON
    object as written in the body and its data's JSON in it (both unset for a change read back from
    a stored batch, whose body is kept whole)."""

    entity_type: str
    entity_id: str
    op: str
    data: dict[str, Any] | None
    checksum: str | None
    base_checksum: str | None
    wire: bytes = b""
    data_json: bytes | None = None


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

    # By type first (a few groups), then each group's ids: one plain string sort per type instead of a
    # tuple key per change.
    groups: dict[tuple[str, str], list[PlannedChange]] = {}
    for change in changes:
        groups.setdefault((change.op, change.key[0]), []).append(change)
    out: list[PlannedChange] = []
    for op, sign in (("upsert", 1), ("delete", -1)):
        for entity_type in sorted((t for o, t in groups if o == op), key=lambda t: sign * ORDER[t]):
            group = groups[(op, entity_type)]
            if entity_type == "folders":
                group.sort(key=lambda c: (sign * depth(c), c.key[1]))
            else:
                group.sort(key=_entity_id)
            out.extend(group)
    return out


def _entity_id(change: PlannedChange) -> str:
    return change.key[1]


# Per change, room for the few characters by which the body as sent (compact JSON, sorted keys) and
# canonical JSON (RFC 8785), whose length is measured, can differ in writing a number.
SIZE_MARGIN = 32
# The characters of one change's JSON object besides its values: {"base_checksum":…,"checksum":…,
# "data":…,"entity_id":"…","entity_type":"…","op":"…"} and the comma that separates it from the next.
_CHANGE_FRAME = len('{"base_checksum":,"checksum":,"data":,"entity_id":"","entity_type":"","op":""},')


def body_bytes(body: dict[str, Any]) -> bytes:
    """A push body as sent: compact JSON with sorted keys, the same bytes for the same stored body."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


_STRING = json.encoder.encode_basestring  # the one json.dumps(ensure_ascii=False) uses for str
_PLAIN_SCALARS = (str, int, bool, type(None))


def _text(value: str | None) -> str:
    return "null" if value is None else _STRING(value)


def data_json(data: dict[str, Any], canonical: bytes) -> bytes:
    """The data's JSON as :func:`body_bytes` writes it, given its canonical JSON (RFC 8785).

    For data of plain strings, integers (canonicalisation refuses what is beyond ±2**53), booleans and
    nulls under ASCII keys the two are the same bytes (the canonical encoder is the same C encoder with
    the same settings, see ``schema/canonical.py``), so those are reused; anything else (a float, which
    RFC 8785 may write another way, a nested value, other keys) is written again by ``json.dumps``.
    """
    for key, value in data.items():
        if type(value) not in _PLAIN_SCALARS or not key.isascii():
            return body_bytes(data)
    return canonical


def wire_change(change: OutChange, data_bytes: bytes | None) -> bytes:
    """The change's JSON object as :func:`body_bytes` writes it (keys sorted, compact); ``data_bytes``:
    its data's JSON (:func:`data_json`), None for a delete."""
    base, digest = _text(change.base_checksum), _text(change.checksum)
    data = "null" if data_bytes is None else data_bytes.decode()
    entity_id, entity_type, op = _STRING(change.entity_id), _STRING(change.entity_type), _STRING(change.op)
    return (
        f'{{"base_checksum":{base},"checksum":{digest},"data":{data},'
        f'"entity_id":{entity_id},"entity_type":{entity_type},"op":{op}}}'
    ).encode()


def push_body(device_id: str, changes: Iterable[OutChange]) -> bytes:
    """``body_bytes({"device_id": device_id, "changes": [...]})`` joined from the changes' ``wire`` bytes."""
    return b'{"changes":[%b],"device_id":%b}' % (b",".join(c.wire for c in changes), _STRING(device_id).encode())


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
