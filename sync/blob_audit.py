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

from sqlalchemy import text

from .blob_sync import BlobSync
from .errors import AuthenticationError, NetworkError, RequestRejected
from .noop_rules import BLOB_CHECKS_DUE_SQL, REVERIFY_AFTER, REVERIFY_BUDGET, STAMP

log = logging.getLogger(__name__)

# The entity types whose data can refer to a blob (``noop_rules.REFERRING_TYPES``): only their base
# versions are read (``noop_rules.BLOB_CHECKS_DUE_SQL``), so a sync's look costs what the files cost,
# not what the whole history does; and the engine skips it when that statement finds nothing due.
_DUE = text(BLOB_CHECKS_DUE_SQL)


def check_cutoff(older_than: dt.timedelta = REVERIFY_AFTER, now: dt.datetime | None = None) -> str:
    """The stamp before which a blob's last check is too old (as ``blob_transfers.updated_at`` is written)."""
    return ((now or dt.datetime.now(dt.UTC)) - older_than).strftime(STAMP)


def due_for_check(
    blob_sync: BlobSync,
    older_than: dt.timedelta = REVERIFY_AFTER,
    budget: int = REVERIFY_BUDGET,
    now: dt.datetime | None = None,
) -> list[str]:
    """The blobs of this computer to look at again now, oldest check first: those the server should
    hold (referred to by versions it has sent or accepted) that are here and were not seen on the
    server since the cutoff."""
    with blob_sync.db.execution_options(begin="DEFERRED").connect() as conn, conn.begin():
        rows = conn.execute(_DUE, {"cutoff": check_cutoff(older_than, now)}).all()
    due = sorted((str(checked), str(sha)) for sha, checked in rows)  # never checked ("") first, then the oldest
    return [sha for _, sha in due if blob_sync.blobs.has(sha)][:budget]


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
