"""Canonical JSON (RFC 8785) and the entity checksum: one definition for client and server.

Both ends must compute byte-identical checksums for the same data, so the serialization is the
JSON Canonicalization Scheme (sorted keys, fixed number formatting, UTF-8), not ``json.dumps``.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import rfc8785

CHECKSUM_PREFIX = "sha256:"
CHECKSUM_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
SHA256_HEX_RE = re.compile(r"^[0-9a-f]{64}$")


class CanonicalizationError(ValueError):
    """The value cannot be represented in canonical JSON (NaN, huge integers, non-JSON types)."""


def canonical_json(value: Any) -> bytes:
    """Serialize ``value`` by RFC 8785; raise :class:`CanonicalizationError` for what JCS forbids."""
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise CanonicalizationError(str(exc)) from exc


def checksum(data: Any) -> str:
    """``"sha256:"`` + lowercase hex SHA-256 of the canonical JSON of ``data``."""
    return CHECKSUM_PREFIX + hashlib.sha256(canonical_json(data)).hexdigest()


def is_checksum(value: object) -> bool:
    return isinstance(value, str) and CHECKSUM_RE.match(value) is not None


def is_sha256_hex(value: object) -> bool:
    return isinstance(value, str) and SHA256_HEX_RE.match(value) is not None
