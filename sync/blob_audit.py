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

from ..local_db.database import transaction
from ..schema.canonical import is_sha256_hex
from .blob_sync import BlobSync
from .errors import AuthenticationError, NetworkError, RequestRejected
from .noop_rules import BLOB_CHECKS_SQL, RECORD_AUDIT_SQL, REVERIFY_AFTER, REVERIFY_BUDGET, STAMP

log = logging.getLogger(__name__)

# The entity types whose data can refer to a blob (``noop_rules.REFERRING_TYPES``): only their base
# versions are read (``noop_rules.BLOB_CHECKS_SQL``), so a look costs what the files cost, not what the
# whole history does; and the engine skips it while the last complete one holds (``noop_rules.AUDIT_FRESH``).
_CHECKS = text(BLOB_CHECKS_SQL)
_GENERATION = text("SELECT generation FROM blob_looks WHERE id = 1")
_RECORD = text(RECORD_AUDIT_SQL)


def check_cutoff(older_than: dt.timedelta = REVERIFY_AFTER, now: dt.datetime | None = None) -> str:
    """The stamp before which a blob's last check is too old (as ``blob_transfers.updated_at`` is written)."""
    return ((now or dt.datetime.now(dt.UTC)) - older_than).strftime(STAMP)


def _checks_here(blob_sync: BlobSync) -> tuple[int | None, dict[str, str]]:
    """The generation of what the store holds, and each blob the server should hold that is here, with its
    last check's stamp ("" for none), read in one snapshot."""
    with blob_sync.db.execution_options(begin="DEFERRED").connect() as conn, conn.begin():
        generation = conn.execute(_GENERATION).scalar()
        rows = conn.execute(_CHECKS).all()
    here = blob_sync.blobs.has
    checks = {str(sha): str(checked) for sha, checked in rows if is_sha256_hex(sha) and here(sha)}
    return (None if generation is None else int(generation)), checks


def _due(checks: dict[str, str], cutoff: str) -> list[str]:
    """The blobs checked before ``cutoff``: never checked ("") first, then the oldest."""
    return [sha for checked, sha in sorted((checked, sha) for sha, checked in checks.items() if checked < cutoff)]


def due_for_check(
    blob_sync: BlobSync,
    older_than: dt.timedelta = REVERIFY_AFTER,
    budget: int = REVERIFY_BUDGET,
    now: dt.datetime | None = None,
) -> list[str]:
    """The blobs of this computer to look at again now, oldest check first: those the server should
    hold (referred to by versions it has sent or accepted) that are here and were not seen on the
    server since the cutoff."""
    return _due(_checks_here(blob_sync)[1], check_cutoff(older_than, now))[:budget]


def reverify_uploaded(
    blob_sync: BlobSync, older_than: dt.timedelta = REVERIFY_AFTER, budget: int = REVERIFY_BUDGET
) -> None:
    """Look again at the files whose check is due; upload those the server no longer holds. A look that
    leaves none due is recorded (the generation it saw, the oldest check of the blobs here): the syncs
    after it skip the scan until that check is old or what the store holds changes (``AUDIT_FRESH``)."""
    now = dt.datetime.now(dt.UTC)
    cutoff = check_cutoff(older_than, now)
    generation, checks = _checks_here(blob_sync)
    due = _due(checks, cutoff)
    complete = len(due) <= budget
    for sha in due[:budget]:
        blob_sync.cancel.check()
        missing = len(blob_sync.report.missing)
        try:
            sent = blob_sync.ensure_uploaded(sha)
        except (NetworkError, AuthenticationError):
            raise
        except RequestRejected as exc:  # recorded as not uploaded by ensure_uploaded
            log.warning("file %s is missing on the server and could not be sent again: %s", sha[:12], exc)
            complete = False
            continue
        if len(blob_sync.report.missing) > missing:  # gone from here meanwhile: not checked
            complete = False
        if sent:
            name = blob_sync.name_of(sha)
            blob_sync.report.reuploaded.append(name)
            log.warning("the server no longer held %s (%s): uploaded again", name, sha[:12])
    if complete and generation is not None:
        # The ones just checked are stamped now; the others were checked at or after the cutoff.
        oldest = min([checked for checked in checks.values() if checked >= cutoff] + [now.strftime(STAMP)])
        with transaction(blob_sync.db) as s:
            s.execute(_RECORD, {"generation": generation, "oldest": oldest})
