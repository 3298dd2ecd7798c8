"""What a sync where nothing changed still checks and writes, and how often (standard library only).

The engine and ``gigbag sync``'s quick no-op path (:mod:`gigbag.app.quick_sync`) both read these, so
the quick path cannot drift from what the engine would have done: "Last synced" is written at most once
a :data:`LAST_SYNC_RESOLUTION`, and an uploaded file is looked at again once its last check is older
than :data:`REVERIFY_AFTER` (``blob_audit``).
"""

from __future__ import annotations

import datetime as dt

LAST_SYNC_RESOLUTION = dt.timedelta(minutes=1)
REVERIFY_AFTER = dt.timedelta(days=1)
REVERIFY_BUDGET = 32  # HEAD requests per sync at most
STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"  # as schema.fields.utc_now writes it
VERIFIED = "verified"  # blob_transfers.direction of a file last seen held by the server
REFERRING_TYPES = ("files", "artists")  # the entity types whose data can refer to a blob


def age_of(stamp: str, now: str) -> dt.timedelta:
    """How long before ``now`` the stamp ``stamp`` is (both as ``utc_now`` writes them); unreadable: very long."""
    try:
        return dt.datetime.fromisoformat(now) - dt.datetime.fromisoformat(stamp)
    except ValueError:
        return dt.timedelta.max
