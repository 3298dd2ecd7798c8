"""Which blobs an entity's data refers to, with nothing but the standard library.

:mod:`.entities` re-exports these; ``gigbag sync``'s quick no-op path (:mod:`gigbag.app.quick_sync`)
checks the files a sync would download or look at again with them, without loading the schemas.
"""

from __future__ import annotations

from typing import Any

BLOB_REF_PREFIX = "blob:"
# The entity types whose data can refer to a blob (what :func:`blob_refs` reads).
BLOB_REF_TYPES = frozenset({"files", "artists"})


def blob_refs(entity_type: str, data: dict[str, Any] | None) -> set[str]:
    """The SHA-256 digests of the blobs an entity's data refers to (uploaded before it, pulled after)."""
    if not data:
        return set()
    refs: set[str] = set()
    if entity_type == "files" and isinstance(data.get("blob_sha256"), str):
        refs.add(data["blob_sha256"])
    if entity_type == "artists":
        for key in ("avatar_url", "banner_url"):
            value = data.get(key)
            if isinstance(value, str) and value.startswith(BLOB_REF_PREFIX):
                refs.add(value[len(BLOB_REF_PREFIX) :])
    return refs
