"""Checking again that the server still holds the files of this computer, a few per sync.

An upload is recorded as verified (``blob_transfers`` rows with direction ``verified``) when the
server was seen holding the blob: after the upload itself, after a HEAD whose size and digest
matched, after a download. A server can still lose a file later (a restored backup, a damaged
disk), or an earlier answer could have been wrong; without a new look, no later sync would repair
that, because the entities that refer to the file are not pushed again. So each sync looks again
(HEAD) at the files whose last check is oldest — never-checked ones first — at most ``budget`` of
them and only those last seen more than ``older_than`` ago, and uploads again what is missing. A
sync where nothing changed therefore adds no request while the checks are fresh.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from ..local_db.database import read_session
from ..local_db.sync_tables import BlobTransfer, SyncBase
from ..schema.entities import blob_refs
from .blob_sync import VERIFIED, BlobSync
from .errors import AuthenticationError, NetworkError, RequestRejected
from .noop_rules import REFERRING_TYPES, REVERIFY_AFTER, REVERIFY_BUDGET, STAMP

log = logging.getLogger(__name__)

_TRANSFERS = BlobTransfer.__table__  # type: ignore[attr-defined]
# The entity types whose data can refer to a blob (``schema.entities.blob_refs``): only their base
# versions are read, so a sync's look costs what the files cost, not what the whole history does.
_REFERRING_TYPES = REFERRING_TYPES


def _server_held_blobs(blob_sync: BlobSync) -> set[str]:
    """Blobs the server should hold for this computer: those referred to by versions it has sent or accepted."""
    refs: set[str] = set()
    with read_session(blob_sync.db) as s:
        for entity_type, data in s.execute(
            select(SyncBase.entity_type, SyncBase.data).where(  # type: ignore[call-overload]
                SyncBase.entity_type.in_(_REFERRING_TYPES),  # type: ignore[attr-defined]
                SyncBase.data.is_not(None),  # type: ignore[union-attr]
            )
        ):
            refs |= blob_refs(entity_type, data)
    return refs


def due_for_check(
    blob_sync: BlobSync,
    older_than: dt.timedelta = REVERIFY_AFTER,
    budget: int = REVERIFY_BUDGET,
    now: dt.datetime | None = None,
) -> list[str]:
    """The blobs of this computer to look at again now, oldest check first."""
    held = {sha for sha in _server_held_blobs(blob_sync) if blob_sync.blobs.has(sha)}
    if not held:
        return []
    with read_session(blob_sync.db) as s:
        rows = s.execute(select(_TRANSFERS.c.sha256, _TRANSFERS.c.updated_at).where(_TRANSFERS.c.direction == VERIFIED))
        checked = {str(sha): str(stamp) for sha, stamp in rows}
    cutoff = ((now or dt.datetime.now(dt.UTC)) - older_than).strftime(STAMP)
    due = [sha for sha in held if checked.get(sha, "") < cutoff]
    due.sort(key=lambda sha: (checked.get(sha, ""), sha))  # never checked ("") first, then the oldest
    return due[:budget]


def reverify_uploaded(
    blob_sync: BlobSync, older_than: dt.timedelta = REVERIFY_AFTER, budget: int = REVERIFY_BUDGET
) -> None:
    """Look again at the files whose check is due; upload those the server no longer holds."""
    for sha in due_for_check(blob_sync, older_than, budget):
        blob_sync.cancel.check()
        try:
            sent = blob_sync.ensure_uploaded(sha)
        except (NetworkError, AuthenticationError):
            raise
        except RequestRejected as exc:  # recorded as not uploaded by ensure_uploaded
            log.warning("file %s is missing on the server and could not be sent again: %s", sha[:12], exc)
            continue
        if sent:
            name = blob_sync.name_of(sha)
            blob_sync.report.reuploaded.append(name)
            log.warning("the server no longer held %s (%s): uploaded again", name, sha[:12])
