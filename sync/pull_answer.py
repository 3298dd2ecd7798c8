"""Reading a pull answer: plain values, not a pydantic model per change.

A first download reads tens of thousands of changes; building a ``PulledChange`` model for each was
a tenth of its time. The body is parsed by pydantic's own JSON parser (``pydantic_core.from_json``,
the one ``PullResponse.model_validate_json`` uses), and an answer is taken here only when every
value already has exactly the type the model declares, so the model would accept it unchanged.
Anything else — a missing or extra key, a string where a number goes, a seq that is a float — goes
to ``PullResponse`` itself, which either accepts it (lax conversions included) or gives the same
error as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from pydantic_core import from_json

from ..schema.wire import PullResponse

_PAGE_KEYS = frozenset(("changes", "cursor", "has_more"))
_CHANGE_KEYS = frozenset(("entity_type", "entity_id", "data", "checksum", "deleted", "seq"))


class PulledVersion(NamedTuple):
    """One change of a pull page (the fields of ``PulledChange``)."""

    entity_type: str
    entity_id: str
    data: dict[str, Any] | None
    checksum: str | None
    deleted: bool
    seq: int


@dataclass(frozen=True)
class PulledPage:
    changes: list[PulledVersion]
    cursor: int
    has_more: bool


def _change(item: object) -> PulledVersion | None:
    if type(item) is not dict or item.keys() != _CHANGE_KEYS:
        return None
    entity_type, entity_id, data = item["entity_type"], item["entity_id"], item["data"]
    checksum, deleted, seq = item["checksum"], item["deleted"], item["seq"]
    if (
        type(entity_type) is not str
        or type(entity_id) is not str
        or (data is not None and type(data) is not dict)
        or (checksum is not None and type(checksum) is not str)
        or type(deleted) is not bool
        or type(seq) is not int
    ):
        return None
    return PulledVersion(entity_type, entity_id, data, checksum, deleted, seq)


def _plain(body: bytes) -> PulledPage | None:
    """The page when ``body`` is exactly of the declared types; None: ``PullResponse`` decides."""
    try:
        top = from_json(body)
    except ValueError:
        return None
    if type(top) is not dict or top.keys() != _PAGE_KEYS:
        return None
    items, cursor, has_more = top["changes"], top["cursor"], top["has_more"]
    if type(items) is not list or type(cursor) is not int or type(has_more) is not bool:
        return None
    changes: list[PulledVersion] = []
    for item in items:
        change = _change(item)
        if change is None:
            return None
        changes.append(change)
    return PulledPage(changes, cursor, has_more)


def read_pull_answer(body: bytes) -> PulledPage:
    """The pull page in ``body``; raises pydantic's ``ValidationError`` when ``PullResponse`` refuses it."""
    page = _plain(body)
    if page is not None:
        return page
    model = PullResponse.model_validate_json(body)
    return PulledPage(
        [PulledVersion(c.entity_type, c.entity_id, c.data, c.checksum, c.deleted, c.seq) for c in model.changes],
        model.cursor,
        model.has_more,
    )
