"""Checks of the free text the server stores (names, emails): length, no control characters.

PostgreSQL text cannot hold NUL, and a name with control characters is never intended, so such
input is refused with a 422 naming the field instead of failing in the database.
"""

from __future__ import annotations

import unicodedata

from .errors import validation_error


def clean_name(value: str, field: str, max_length: int = 200) -> str:
    text = value.strip()
    if not text:
        raise validation_error({field: "must not be empty"})
    if len(text) > max_length:
        raise validation_error({field: f"must be at most {max_length} characters"})
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise validation_error({field: "must not contain control characters"})
    return text
