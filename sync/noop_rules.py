"""What a sync where nothing changed still checks and writes, and how often (standard library only).

The engine and ``gigbag sync``'s quick no-op path (:mod:`gigbag.app.quick_sync`) both read these, so
the quick path cannot drift from what the engine would have done: "Last synced" is written at most once
a :data:`LAST_SYNC_RESOLUTION`, and an uploaded file is looked at again once its last check is older
than :data:`REVERIFY_AFTER` (``blob_audit``); the file store is looked at for the contents to download only
when what it should hold changed since the last look that found them all, or that look is
:data:`LOOK_AGAIN_AFTER` old (:func:`look_is_fresh`).
"""

from __future__ import annotations

import datetime as dt

LAST_SYNC_RESOLUTION = dt.timedelta(minutes=1)
REVERIFY_AFTER = dt.timedelta(days=1)
REVERIFY_BUDGET = 32  # HEAD requests per sync at most
# How long a look that found every wanted content in the store holds, when nothing it depends on changed:
# a content lost from the store some other way (a disk's damage, a hand in the data folder) is
# downloaded again by the first sync after that.
LOOK_AGAIN_AFTER = dt.timedelta(hours=1)
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

# The generation of what the store should hold (moved by ``local_db.blob_looks``'s triggers), and the generation
# and time of the last look that found it all there.
BLOB_LOOK_SQL = "SELECT generation, looked_generation, looked_at FROM blob_looks WHERE id = 1"
RECORD_LOOK_SQL = "UPDATE blob_looks SET looked_generation = :generation, looked_at = :now WHERE id = 1"


def look_is_fresh(look: tuple[object, ...] | None, now: str) -> bool:
    """Whether the last look (a row of :data:`BLOB_LOOK_SQL`) still holds at ``now``: nothing it depends on
    changed since, and it is less than :data:`LOOK_AGAIN_AFTER` old (a look stamped later than now, the
    clock put back, holds no longer)."""
    if look is None:
        return False
    generation, looked_generation, looked_at = look
    if looked_generation != generation or not isinstance(looked_at, str):
        return False
    return dt.timedelta(0) <= age_of(looked_at, now) < LOOK_AGAIN_AFTER


# The blobs the server should hold for this computer (those its base versions refer to, as
# ``schema.entities.blob_refs`` reads them: a file's ``blob_sha256``, a profile's ``blob:`` pictures),
# each with its last seen-on-the-server record's stamp (``blob_transfers``, direction 'verified'; '' for
# none). Only base rows of the two referring types are read, through the primary key's prefix; still a
# scan of every file's base (19 ms for 5,000), which a sync where nothing changed skips (:data:`AUDIT_FRESH_SQL`).
BLOB_CHECKS_SQL = (
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
    "LEFT JOIN blob_transfers AS v ON v.sha256 = refs.sha AND v.direction = 'verified'"
)
# Those whose last check is older than ``:cutoff`` (or never happened).
BLOB_CHECKS_DUE_SQL = f"{BLOB_CHECKS_SQL} WHERE COALESCE(v.updated_at, '') < :cutoff"
# 1 when the last complete re-check of the uploads (``blob_audit.reverify_uploaded``) still says that none
# is due at ``:cutoff``: nothing the store should hold changed since (the generation), and the oldest check
# of those here it saw is newer than the cutoff. Checks only ever move later (a check stamps now), and a
# content that comes here or a version that refers to another moves the generation.
AUDIT_FRESH = (
    "COALESCE((SELECT audit_generation = generation AND audit_oldest >= :cutoff FROM blob_looks WHERE id = 1), 0)"
)
AUDIT_FRESH_SQL = f"SELECT {AUDIT_FRESH}"
RECORD_AUDIT_SQL = "UPDATE blob_looks SET audit_generation = :generation, audit_oldest = :oldest WHERE id = 1"
