"""Reading a pull page framed as lines (protocol 4), strictly: the bytes of each version's data kept for its checksum.

The server answers a pull framed when asked for ``PULL_LINES_MEDIA_TYPE``: a header line
``{"cursor":N,"has_more":B,"changes":[[entity_type, entity_id, checksum, deleted, seq], …]}``, then one
line per change with its data's JSON text (``null`` for a tombstone), joined by LF, none after the last.
Since protocol 4 the server stores each version's data as its canonical text, so the line is the very bytes
its checksum was computed on: :func:`~.verify.verify_pulled_page` hashes the line instead of writing the
parsed data out again as canonical text (most of a download's checking time before).

:func:`read_pull_lines` accepts exactly that and nothing else, as :func:`~.pull_answer.read_pull_answer`
and ``PullResponse`` accept exactly a JSON page: the header's fields and types as ``PullResponse`` declares
them (no coercion: a bool is no int), exactly one line per change, a tombstone's line ``null``, an upsert's
a JSON object; no CR, no byte order mark, valid UTF-8. Anything else is a :class:`FramingError` naming what
is wrong, which the client reports as an answer it does not understand (nothing of it applied).

An upsert's line of a type whose schema reads JSON straight (``schema.quick_validation``) is read by that
schema at once: its data is then the normalized data the client would have made of the parsed line next,
as :class:`~gigbag.schema.quick_validation.NormalizedData`, and the line is not parsed a second time
(a 5,000-entry page: 25 → 19 ms). A line it does not take (no JSON, no object, data this client's schema
refuses) makes the whole page read the usual way, which says what is wrong or keeps the data as it came.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from itertools import compress, repeat
from operator import not_
from typing import Any, NamedTuple

from pydantic_core import from_json

from ..schema.quick_validation import NormalizedData, straight_normalizer
from .pull_answer import PulledVersion

_HEADER_KEYS = frozenset({"cursor", "has_more", "changes"})
_NONE = type(None)
# The types each header entry may hold, in its order (entity_type, entity_id, checksum, deleted, seq): exactly.
_ENTRY_TYPES = (frozenset({str}), frozenset({str}), frozenset({str, _NONE}), frozenset({bool}), frozenset({int}))
_ENTRY_FIELDS = ("entity_type", "entity_id", "checksum", "deleted", "seq")
_parse = partial(from_json, cache_strings="keys")


class FramingError(ValueError):
    """A framed pull answer that is not exactly what protocol 4 sends (the message says what is wrong)."""


class FramedPullPage(NamedTuple):
    """A framed pull page: the changes as a ``PullResponse`` holds them, and each change's data line as it
    came (``lines``: the bytes its checksum is checked on; ``texts``: the same line as text)."""

    changes: list[PulledVersion]
    cursor: int
    has_more: bool
    lines: list[bytes]
    texts: list[str]


def read_pull_lines(body: bytes) -> FramedPullPage:
    """The page in ``body``; :class:`FramingError` for anything that is not exactly a framed page."""
    if b"\r" in body:
        raise FramingError("it holds a carriage return")
    if body.startswith(b"\xef\xbb\xbf"):
        raise FramingError("it starts with a byte order mark")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FramingError(f"it is not UTF-8 ({exc})") from exc
    lines = body.split(b"\n")
    texts = text.split("\n")  # LF only: str.splitlines would also split at U+2028 and others
    columns, cursor, has_more = _header(lines[0])
    del lines[0], texts[0]
    count = len(columns[0]) if columns else 0
    if len(lines) != count:
        raise FramingError(f"its header lists {count} changes and {len(lines)} data lines follow it")
    if not count:
        return FramedPullPage([], cursor, has_more, lines, texts)
    entity_types, entity_ids, checksums, deleted, seqs = columns
    datas = _normalized(entity_types, deleted, lines)
    if datas is None:
        try:
            datas = list(map(_parse, lines))
        except ValueError:
            datas = _parsed_or_refused(lines)  # raises, naming the line
    # Passes in C: each change's (tombstone?, type of its data) is one of the two a framed page holds.
    if not _FITTING.issuperset(zip(deleted, map(type, datas), strict=True)):
        raise FramingError(_misfit(deleted, datas))
    if True in deleted and not _NULL_LINE.issuperset(compress(lines, deleted)):
        raise FramingError("the data line of a tombstone is not exactly null")
    fields = zip(entity_types, entity_ids, datas, checksums, deleted, seqs, strict=True)  # PulledVersion's order
    versions = list(map(tuple.__new__, repeat(PulledVersion), fields))
    return FramedPullPage(versions, cursor, has_more, lines, texts)


# An upsert's data is an object (read straight: its normalized data), a tombstone's null.
_FITTING = frozenset({(False, dict), (False, NormalizedData), (True, _NONE)})
_NULL_LINE = frozenset({b"null"})


def _normalized(entity_types: Sequence[str], deleted: Sequence[bool], lines: list[bytes]) -> list[Any] | None:
    """Each line's data read straight by its type's schema (None for a tombstone), when every upsert's type
    reads so and takes its line; else None: the page is read the usual way."""
    tombstones = True in deleted
    kinds = set(compress(entity_types, map(not_, deleted)) if tombstones else entity_types)
    read = {}
    for kind in kinds:
        normalize = straight_normalizer(kind)
        if normalize is None:
            return None
        read[kind] = normalize
    try:
        if len(read) == 1 and not tombstones:
            return list(map(read[entity_types[0]], lines))
        return [
            None if gone else read[kind](line) for kind, gone, line in zip(entity_types, deleted, lines, strict=True)
        ]
    except (ValueError, TypeError):
        return None


def _parsed_or_refused(lines: list[bytes]) -> list[Any]:
    for number, line in enumerate(lines, start=1):
        try:
            _parse(line)
        except ValueError as exc:
            raise FramingError(f"the data line of change {number} is not JSON ({exc})") from exc
    raise AssertionError("unreachable")  # pragma: no cover - called when a line does not parse


def _misfit(deleted: Sequence[bool], datas: list[Any]) -> str:
    for number, (gone, data) in enumerate(zip(deleted, datas, strict=True), start=1):
        if gone and data is not None:
            return f"the data line of change {number}, a tombstone, is not null"
        if not gone and type(data) is not dict:
            return f"the data line of change {number}, an upsert, is not a JSON object"
    raise AssertionError("unreachable")  # pragma: no cover - called for a misfit


def _header(line: bytes) -> tuple[list[tuple[Any, ...]], int, bool]:
    """The header's changes as columns (entity types, ids, checksums, deleted flags, seqs; [] for none), its
    cursor and has_more."""
    try:
        header = _parse(line)
    except ValueError as exc:
        raise FramingError(f"its header line is not JSON ({exc})") from exc
    if type(header) is not dict or header.keys() != _HEADER_KEYS:
        raise FramingError('its header line is not an object of exactly "cursor", "has_more" and "changes"')
    changes, cursor, has_more = header["changes"], header["cursor"], header["has_more"]
    if type(cursor) is not int:
        raise FramingError("the cursor in its header line is not an integer")
    if type(has_more) is not bool:
        raise FramingError("has_more in its header line is not true or false")
    if type(changes) is not list:
        raise FramingError("the changes in its header line are not a list")
    if not changes:
        return [], cursor, has_more
    if set(map(type, changes)) != {list} or set(map(len, changes)) != {len(_ENTRY_TYPES)}:
        raise FramingError("a change in its header line is not a list of five values")
    columns = list(zip(*changes, strict=True))
    for name, column, types in zip(_ENTRY_FIELDS, columns, _ENTRY_TYPES, strict=True):
        if not types.issuperset(map(type, column)):
            raise FramingError(f"the {name} of a change in its header line is not of its type")
    return columns, cursor, has_more
