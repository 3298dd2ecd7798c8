"""Reading a pull answer without building a pydantic model per change, and with pydantic's own verdict.

A pull page holds up to 1,000 changes. Validated as a ``PullResponse`` it costs a model object per change,
on the thread that fetches pages one ahead (``page_fetch``), holding the GIL the main thread needs to apply
the page before. :func:`read_pull_answer` parses the body with ``pydantic_core.from_json``: the JSON parser
(jiter) that ``model_validate_json`` itself uses, so the same bytes, strings, numbers and nesting are
accepted and read alike. It then checks the shape in passes that run in C (``map``, ``itemgetter``,
set inclusion): exactly the fields and types that ``PullResponse`` and ``PulledChange`` declare, with no
coercion at all. Whatever it does not accept — an answer pydantic refuses, and one pydantic accepts only
by coercing it ("7" or 7.0 as an int, 0 as a bool) — gives None, and the caller validates the body with
``PullResponse`` as before: the same error, or the same coerced page.

``tests/sync/test_pull_answer.py`` holds the two readers to the same answers, body by body, and fails when
the models declare anything (a field, a constraint, a setting) this reader does not know.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from operator import itemgetter
from typing import Any, NamedTuple, Protocol

from pydantic_core import from_json


class PageChange(Protocol):
    """One change of a pull page, as the receiver reads it: a ``PulledChange`` or a :class:`PulledVersion`."""

    @property
    def entity_type(self) -> str: ...
    @property
    def entity_id(self) -> str: ...
    @property
    def data(self) -> dict[str, Any] | None: ...
    @property
    def checksum(self) -> str | None: ...
    @property
    def deleted(self) -> bool: ...
    @property
    def seq(self) -> int: ...


class PullPage(Protocol):
    """A pull page, as the receiver reads it: a ``PullResponse`` or a :class:`QuickPullPage`."""

    @property
    def changes(self) -> Sequence[PageChange]: ...
    @property
    def cursor(self) -> int: ...
    @property
    def has_more(self) -> bool: ...


class PulledVersion(NamedTuple):
    """A ``PulledChange`` read by :func:`read_pull_answer` (its fields, in its order)."""

    entity_type: str
    entity_id: str
    data: dict[str, Any] | None
    checksum: str | None
    deleted: bool
    seq: int


class QuickPullPage(NamedTuple):
    """A ``PullResponse`` read by :func:`read_pull_answer`."""

    changes: list[PulledVersion]
    cursor: int
    has_more: bool


_PAGE_KEYS = frozenset(QuickPullPage._fields)
_CHANGE_KEYS = frozenset(PulledVersion._fields)
_change_fields = itemgetter(*PulledVersion._fields)  # a change's values as a tuple, in PulledVersion's order
_NONE = type(None)
# The types each field may hold, in PulledVersion's order: exactly, so a bool is no int and an int no float.
_COLUMN_TYPES = (
    frozenset({str}),
    frozenset({str}),
    frozenset({dict, _NONE}),
    frozenset({str, _NONE}),
    frozenset({bool}),
    frozenset({int}),
)


def read_pull_answer(body: bytes) -> QuickPullPage | None:
    """The page in ``body`` when it is exactly what a ``PullResponse`` holds; None for anything else (the
    caller then validates it with ``PullResponse``, which refuses or coerces it as it always did)."""
    try:
        answer = from_json(body, cache_strings="keys")
    except ValueError:
        return None
    if type(answer) is not dict or answer.keys() != _PAGE_KEYS:
        return None
    changes, cursor, has_more = answer["changes"], answer["cursor"], answer["has_more"]
    if type(changes) is not list or type(cursor) is not int or type(has_more) is not bool:
        return None
    try:
        # tuple.__new__(PulledVersion, values) is what PulledVersion._make does, without a Python frame
        versions = list(map(tuple.__new__, repeat(PulledVersion), map(_change_fields, changes)))
    except (KeyError, TypeError):  # a field missing, or a change that is not an object
        return None
    if versions:
        if max(map(len, changes)) != len(_CHANGE_KEYS):
            return None  # every field is there (or itemgetter raised): a longer change has one more
        for column, types in zip(zip(*versions, strict=True), _COLUMN_TYPES, strict=True):
            if not types.issuperset(map(type, column)):
                return None
    return QuickPullPage(versions, cursor, has_more)
