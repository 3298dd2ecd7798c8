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
REFERRING_TYPES = ("files", "artists")  # the entity types whose data can refer to a blob (the statements below)


def age_of(stamp: str, now: str) -> dt.timedelta:
    """How long before ``now`` the stamp ``stamp`` is (both as ``utc_now`` writes them); unreadable: very long."""
    try:
        return dt.datetime.fromisoformat(now) - dt.datetime.fromisoformat(stamp)
    except ValueError:
        return dt.timedelta.max


# The blobs this computer should hold: its files' (but cloud-only ones), and the profile's pictures
# (its avatar_url/banner_url, read by ``schema.blob_refs``).
WANTED_BLOBS_SQL = (
    "SELECT 'files', f.blob_sha256, NULL FROM files AS f "
    "WHERE NOT EXISTS (SELECT 1 FROM cloud_only_files AS c WHERE c.file_id = f.id) "
    "UNION ALL SELECT * FROM (SELECT 'artists', avatar_url, banner_url FROM artists LIMIT 1)"
)

# The blobs the server should hold for this computer (those its base versions refer to, as
# ``schema.entities.blob_refs`` reads them: a file's ``blob_sha256``, a profile's ``blob:`` pictures)
# whose last seen-on-the-server record (``blob_transfers``, direction 'verified') is missing or older
# than ``:cutoff``: never-checked ones first, then the oldest. Only base rows of the two referring
# types are read, through the primary key's prefix.
BLOB_CHECKS_DUE_SQL = (
    "WITH refs(sha) AS ("
    "SELECT json_extract(data, '$.blob_sha256') FROM sync_base "
    "WHERE entity_type = 'files' AND json_type(data, '$.blob_sha256') = 'text' "
    "UNION SELECT substr(json_extract(data, '$.avatar_url'), 6) FROM sync_base "
    "WHERE entity_type = 'artists' AND json_type(data, '$.avatar_url') = 'text' "
    "AND substr(json_extract(data, '$.avatar_url'), 1, 5) = 'blob:' "
    "UNION SELECT substr(json_extract(data, '$.banner_url'), 6) FROM sync_base "
    "WHERE entity_type = 'artists' AND json_type(data, '$.banner_url') = 'text' "
    "AND substr(json_extract(data, '$.banner_url'), 1, 5) = 'blob:') "
    "SELECT refs.sha, COALESCE(v.updated_at, '') AS checked FROM refs "
    "LEFT JOIN blob_transfers AS v ON v.sha256 = refs.sha AND v.direction = 'verified' "
    "WHERE COALESCE(v.updated_at, '') < :cutoff"
)
