"""Canonical JSON (RFC 8785) and the entity checksum: one definition for client and server.

Both ends must compute byte-identical checksums for the same data, so the serialization is the
JSON Canonicalization Scheme (sorted keys, fixed number formatting, UTF-8), not plain ``json.dumps``.

``rfc8785`` is the definition, but it is pure Python and was the largest single cost of a sync on both
sides. Most entity data is a value whose RFC 8785 form is exactly what the C ``json`` encoder writes
with sorted keys, no spaces and no ASCII escaping, so :func:`canonical_json` first checks (one cheap
walk) that ``value`` is such a value and lets the C encoder write it; anything else goes to ``rfc8785``
as before. Why the two agree on what the walk admits (tests/schema/test_canonical.py checks each
point, and compares both on many generated and real documents):

- ``None``, ``True``, ``False``, ``str``, ``list``, ``tuple`` and ``dict`` of exactly those types
  (no subclass, whose methods either encoder might call differently) are written the same way.
- Strings: both escape exactly ``"``, ``\\``, ``\\b \\f \\n \\r \\t`` by their short forms and the other
  characters below U+0020 as ``\\u00xx`` in lowercase hex, and write every other character as itself
  (U+007F, U+2028, U+2029 included). A lone surrogate cannot be encoded to UTF-8: the fast path then
  stops and ``rfc8785`` raises its error, as it always did.
- Integers within ±(2**53 − 1) are their decimal digits in both; larger ones are ``rfc8785``'s error.
- Floats: ``rfc8785`` reformats ``repr(f)``; for a finite float of magnitude in [1e-4, 1e16) that is
  not a whole number, ``repr`` has no exponent and a non-zero fraction, which ``rfc8785`` keeps as it
  is — and ``repr`` is what ``json`` writes. A whole float within ±(2**53 − 1) (``1.0``, ``-0.0``) is
  written by ``rfc8785`` as the integer it equals, so the walk hands the encoder that integer instead
  (copying only the containers on its path). Other floats (1e-5, 1e16, NaN, infinities) go to ``rfc8785``.
- Object keys: ``rfc8785`` sorts them by their UTF-16 code units, ``json`` by code points. The two
  orders differ only when a key has a character above U+FFFF (a surrogate pair sorts below U+E000..
  U+FFFF in UTF-16, above them by code point), so such keys go to ``rfc8785``. Keys must be ``str``
  (``json`` would turn an int key into a string; ``rfc8785`` refuses it).

Whatever the fast path does not take (or fails on: too deep, circular) is handed to ``rfc8785`` from
the start, so it gives today's bytes or today's error.
"""

from __future__ import annotations

import hashlib
import json
import json.encoder
import re
from collections.abc import Callable
from typing import Any

import rfc8785

CHECKSUM_PREFIX = "sha256:"
CHECKSUM_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
SHA256_HEX_RE = re.compile(r"^[0-9a-f]{64}$")

_SAFE_INT = 2**53 - 1  # RFC 8785 (I-JSON): integers beyond this are not exact in an IEEE 754 double
_BMP_MAX = "\uffff"

# No circular check: the walk reaches every container first and fails (RecursionError) on a cycle.
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, check_circular=False, allow_nan=False, sort_keys=True, separators=(",", ":")
)


def _c_encoder() -> Callable[[Any], str]:
    """The C encoder of ``_ENCODER`` built once (``JSONEncoder.encode`` builds it on every call, which
    costs as much as encoding a small document); ``_ENCODER.encode`` where CPython's C part is missing."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return _ENCODER.encode
    try:
        # the arguments JSONEncoder.iterencode passes: markers, default, encoder, indent, separators,
        # sort_keys, skipkeys, allow_nan
        chunks = make(None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", True, False, False)
    except TypeError:  # another Python's signature
        return _ENCODER.encode
    join = "".join
    return lambda value: join(chunks(value, 0))


_ENCODE = _c_encoder()


class CanonicalizationError(ValueError):
    """The value cannot be represented in canonical JSON (NaN, huge integers, non-JSON types)."""


class _NotPlain(Exception):
    """The value holds something the C encoder would not write as RFC 8785 does."""


def _plain(value: Any) -> Any:
    """``value`` ready for the C encoder (the same object unless a whole float had to become an int);
    raise :class:`_NotPlain` when its RFC 8785 form could differ from what ``json`` writes."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if kind is int:
        if -_SAFE_INT <= value <= _SAFE_INT:
            return value
        raise _NotPlain
    if kind is float:
        if value.is_integer():  # False for NaN and the infinities
            if -_SAFE_INT <= value <= _SAFE_INT:
                return int(value)
        elif 1e-4 <= abs(value) < 1e16:  # False for NaN
            return value
        raise _NotPlain
    if kind is dict:
        copy: dict[str, Any] | None = None
        for key, item in value.items():
            if type(key) is not str or not (key.isascii() or max(key) <= _BMP_MAX):
                raise _NotPlain
            item_kind = type(item)
            if item_kind is str or item_kind is bool or item is None:
                continue
            ready = _plain(item)
            if ready is not item:
                if copy is None:
                    copy = dict(value)
                copy[key] = ready
        return value if copy is None else copy
    if kind is list or kind is tuple:
        items: list[Any] | None = None
        for index, item in enumerate(value):
            item_kind = type(item)
            if item_kind is str or item_kind is bool or item is None:
                continue
            ready = _plain(item)
            if ready is not item:
                if items is None:
                    items = list(value)
                items[index] = ready
        return value if items is None else items
    raise _NotPlain


def _fast_canonical(value: Any) -> bytes | None:
    """RFC 8785 bytes of ``value`` written by the C encoder, or None when ``rfc8785`` must write them."""
    try:
        return _ENCODE(_plain(value)).encode("utf-8")
    except (_NotPlain, RecursionError, UnicodeEncodeError):
        return None


def canonical_json(value: Any) -> bytes:
    """Serialize ``value`` by RFC 8785; raise :class:`CanonicalizationError` for what JCS forbids."""
    fast = _fast_canonical(value)
    if fast is not None:
        return fast
    return rfc8785_json(value)


def canonical_text(value: Any) -> str:
    """:func:`canonical_json` as text (what a JSON column can store as it is)."""
    try:
        return _ENCODE(_plain(value))
    except (_NotPlain, RecursionError):
        return rfc8785_json(value).decode("utf-8")


def rfc8785_json(value: Any) -> bytes:
    """Serialize ``value`` with the ``rfc8785`` package alone (the reference :func:`canonical_json` keeps)."""
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise CanonicalizationError(str(exc)) from exc


def checksum(data: Any) -> str:
    """``"sha256:"`` + lowercase hex SHA-256 of the canonical JSON of ``data``."""
    return checksum_of_canonical(canonical_json(data))


def checksum_of_canonical(encoded: bytes) -> str:
    """The checksum of a value whose canonical bytes are already at hand (``canonical_json(value)``)."""
    return CHECKSUM_PREFIX + hashlib.sha256(encoded).hexdigest()


def is_checksum(value: object) -> bool:
    return isinstance(value, str) and CHECKSUM_RE.match(value) is not None


def is_sha256_hex(value: object) -> bool:
    return isinstance(value, str) and SHA256_HEX_RE.match(value) is not None
