"""The server's notion of now: timezone-aware UTC datetimes, and their ISO-8601 text on the wire."""

from __future__ import annotations

import datetime as dt


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(value: dt.datetime | None) -> str | None:
    """``2026-11-22T10:00:00.123456Z`` (the format of every timestamp in the protocol)."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
