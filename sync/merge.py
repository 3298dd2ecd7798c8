"""Three-way merge of one entity: the local version, the server's version and the base they share.

The base is the server version this device last saw (``sync_base``). Per field: changed on one side
only → that side; changed on both sides to the same value → that value; changed on both sides to
different values → a real conflict, never settled by clock. ``created_at`` and ``updated_at`` never
conflict (the later one is kept). When both sides created the entity (no base: the artist profile
and the preferences, which have the same id on every computer), each field's schema default is the
base, so a field one side left at its default takes the other side's value. Edit against delete is
a conflict; delete against delete is agreement. Append-only entities (goal progress) never conflict:
entries are only created or removed, so they merge by union and a removal wins.

Everything here is pure: dictionaries in, a :class:`MergeResult` out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic_core import PydanticUndefined

from ..schema.entities import APPEND_ONLY_TYPES, ENTITY_TYPES, EntityValidationError, validate_data

TIMESTAMP_FIELDS = ("created_at", "updated_at")
_NO_DEFAULT = object()

Data = dict[str, Any]


@dataclass(frozen=True)
class MergeResult:
    """``merged``: the version to keep locally (None: deleted). With ``conflict`` it is provisional:
    the local value of every conflicting field, the merged value of every other field; ``fields``
    lists the conflicting fields (empty for edit against delete)."""

    merged: Data | None
    conflict: bool = False
    fields: tuple[str, ...] = ()


@cache
def field_defaults(entity_type: str) -> dict[str, Any]:
    """The default of each field of the type's schema (a marker for fields that have none)."""
    out: dict[str, Any] = {}
    for name, info in ENTITY_TYPES[entity_type].model_fields.items():
        if info.default_factory is not None:
            out[name] = info.default_factory()  # type: ignore[call-arg]
        elif info.default is PydanticUndefined:
            out[name] = _NO_DEFAULT
        else:
            out[name] = info.default
    return out


def _when(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def later_timestamp(a: Any, b: Any) -> Any:
    """The later of two ISO-8601 timestamps (compared as times, not as text); ``a`` on a tie."""
    ta, tb = _when(a), _when(b)
    if ta is None:
        return b if tb is not None else a
    if tb is None:
        return a
    return b if tb > ta else a


def merge_fields(
    entity_type: str,
    base: Data | None,
    local: Data,
    remote: Data,
    still_conflicting: Iterable[str] = (),
) -> tuple[Data, list[str]]:
    """Merge two versions field by field; return the merged data and the conflicting fields.

    ``still_conflicting`` are fields of an open conflict that stay in conflict unless both sides now
    hold the same value (a newer server version does not settle the artist's open question).
    """
    defaults = field_defaults(entity_type)
    pending = set(still_conflicting)
    merged: Data = {}
    conflicts: list[str] = []
    for name in defaults:
        mine = local.get(name, defaults[name])
        theirs = remote.get(name, defaults[name])
        if name in TIMESTAMP_FIELDS:
            merged[name] = later_timestamp(mine, theirs)
            continue
        was = base.get(name, defaults[name]) if base is not None else defaults[name]
        if mine == theirs:
            merged[name] = mine
        elif name in pending:
            merged[name] = mine
            conflicts.append(name)
        elif mine == was:
            merged[name] = theirs
        elif theirs == was:
            merged[name] = mine
        else:
            merged[name] = mine
            conflicts.append(name)
    return merged, conflicts


def _valid(entity_type: str, data: Data) -> bool:
    try:
        validate_data(entity_type, data)
    except EntityValidationError:
        return False
    return True


def reconcile(
    entity_type: str,
    base: Data | None,
    local: Data | None,
    remote: Data | None,
    still_conflicting: Iterable[str] = (),
) -> MergeResult:
    """Merge the local version (None: deleted here) with the server's (None: deleted there)."""
    if local == remote:
        return MergeResult(remote)
    if entity_type in APPEND_ONLY_TYPES:
        if local is None or remote is None:
            return MergeResult(None)
        return MergeResult(remote)
    if local is None:
        assert remote is not None
        # Deleted here. If the server's version is still the one this device deleted, the delete stands.
        if base is not None and remote == base:
            return MergeResult(None)
        return MergeResult(None, conflict=True)
    if remote is None:
        if base is not None and local == base:
            return MergeResult(None)
        return MergeResult(local, conflict=True)
    merged, conflicts = merge_fields(entity_type, base, local, remote, still_conflicting)
    if not _valid(entity_type, merged):
        # Each side is valid on its own but the mix is not (e.g. a goal's status and completed flag):
        # every field the two sides disagree on is the artist's decision.
        conflicts = [name for name in merged if name not in TIMESTAMP_FIELDS and local.get(name) != remote.get(name)]
        merged = {**merged, **{name: local.get(name) for name in conflicts}}
    if conflicts:
        return MergeResult(merged, conflict=True, fields=tuple(conflicts))
    return MergeResult(merged)
