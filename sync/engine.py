"""One sync, as a straight line: push, pull, settle, push what merging produced, fetch files.

1. **Push.** A batch a previous sync left unfinished is sent again first (same key, same body).
   Then every entity with a change logged before this sync started is pushed in batches, after
   the files those entities refer to are on the server (``push.py``, ``blob_sync.py``).
2. **Pull.** From the stored cursor, page by page, each page committed with its cursor; when the
   last page is in, server versions that waited are merged with local edits or settled
   (``pull.py``, ``incoming.py``, ``merge.py``). Real conflicts are kept for the artist.
3. **Push again** what the merges produced (a merged version differs from the server's), so that
   the server and this computer agree after one sync when nothing else happened meanwhile. Edits
   the artist made while this sync ran are not part of it: they stay pending for the next one.
4. **Files.** Blobs that entities on this computer refer to and that are not here are downloaded
   and verified (cloud-only files excepted).

No step depends on clocks; every step commits before the next begins, so a cancel or a crash at
any point leaves a database that the next sync completes. A sync where nothing changed anywhere
sends no push and exactly one pull request.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, update
from sqlalchemy.exc import OperationalError

from ..local_db.blob_store import BlobStore
from ..local_db.database import read_session
from ..local_db.sync_tables import SYNC_ACCOUNT
from ..schema.blob_refs import BLOB_REF_TYPES
from ..schema.entities import ENTITY_TYPES
from ..schema.fields import utc_now
from .account import account_of, bind, forget_cached_token, load_token
from .blob_audit import check_cutoff, reverify_uploaded
from .blob_sync import BlobSync
from .client import SyncClient, close_connections
from .conflicts import label_of
from .errors import AuthenticationError, DiskFull, NotSignedIn, SyncCancelled, SyncError
from .local_store import LocalState, SyncState, read_pending_counts, read_sync_state
from .noop_rules import LAST_SYNC_RESOLUTION, age_of
from .progress import CancelToken, ProgressCallback, ProgressEvent, no_progress
from .pull import ConfirmMassDelete, Puller, refuse_mass_delete
from .push import Pusher
from .summary import SyncSummary

ClientFactory = Callable[..., SyncClient]

log = logging.getLogger(__name__)


class SyncEngine:
    """Runs syncs of one local database through one connected client."""

    def __init__(
        self,
        db: Engine,
        blobs: BlobStore,
        client: SyncClient,
        device_id: str,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        confirm_mass_delete: ConfirmMassDelete | None = None,
    ) -> None:
        self.db = db
        self.client = client
        self.progress = progress or no_progress
        self.cancel = cancel or client.cancel
        self.blob_sync = BlobSync(db, blobs, client, self.progress, self.cancel)
        self.pusher = Pusher(db, client, device_id, self.blob_sync, self.progress, self.cancel)
        self.puller = Puller(db, client, self.progress, self.cancel, confirm_mass_delete or refuse_mass_delete)

    def run(self, state: SyncState | None = None) -> SyncSummary:
        """One sync; ``state``: what :func:`.local_store.read_sync_state` read just before (read here when None)."""
        state = state or read_sync_state(self.db, check_cutoff())
        started_at = state.max_change_id
        if state.stored_batches:
            self.pusher.resend_unfinished()
        if state.blob_check_due:  # else the look would find no file due: no statement, no request
            reverify_uploaded(self.blob_sync)
        if started_at:  # an empty change log: nothing to plan
            self.pusher.push_pending(up_to=started_at)
        pushed_before = self.pusher.report.batches or state.stored_batches
        pull = self.puller.run(
            skip=self.pusher.skip_ranges(),
            since=None if pushed_before else account_of(state.account).cursor,
            staged=state.incoming or bool(pushed_before),
        )
        if pull.apply.to_push:
            self.pusher.push_pending(up_to=None, only=pull.apply.to_push)
        self.blob_sync.download_missing()
        self.cancel.check()
        counts = read_pending_counts(self.db)
        pending, open_conflicts, unsent = counts.pending, counts.open_conflicts, counts.unsent
        push, blobs = self.pusher.report, self.blob_sync.report
        self.progress(ProgressEvent("done", done=1, total=1))
        summary = SyncSummary(
            pushed=push.applied,
            pulled=pull.changes,
            received=max(0, pull.changes - pull.apply.echoes),
            merged=pull.apply.merged,
            new_conflicts=len(pull.apply.new_conflicts),
            open_conflicts=open_conflicts,
            files_up=blobs.uploaded,
            bytes_up=blobs.bytes_up,
            files_down=blobs.downloaded,
            bytes_down=blobs.bytes_down,
            pending=pending,
            unsent=unsent,
            push_requests=push.batches,
            pull_requests=pull.requests,
            replayed_batches=push.replayed,
            refused=push.refused,
            orphans=list(pull.apply.orphans),
            unusable=list(pull.apply.unusable),
            missing_files=sorted(set(blobs.missing)),
            file_errors=blobs.failed,
            uploaded_files=list(blobs.uploaded_names),
            downloaded_files=list(blobs.downloaded_names),
            not_uploaded=list(dict.fromkeys(blobs.not_uploaded)),
            reuploaded_files=list(blobs.reuploaded),
            account_terms_tag=self.client.account_terms_tag,
            file_refs_moved=not BLOB_REF_TYPES.isdisjoint(pull.entity_types | push.entity_types),
        )
        summary.labels = self._labels(summary)
        if summary.complete:  # "Last synced" is the last sync that sent and received everything
            wrote = bool(push.batches or push.replayed or pull.applied or blobs.uploaded or blobs.downloaded)
            self._record_last_sync(account_of(state.account).last_sync_at, exact=wrote or pull.changes > 0)
        return summary

    def _record_last_sync(self, recorded: str | None, *, exact: bool) -> None:
        """Record the sync's end as "Last synced": always after a sync that changed something, else at
        most once a :data:`LAST_SYNC_RESOLUTION` (a no-op writes nothing; the screens say "just now"
        for the first minute, so what they show stays right to the minute)."""
        now = utc_now()
        if not exact and recorded is not None and age_of(recorded, now) < LAST_SYNC_RESOLUTION:
            return
        with self.db.connect() as conn, conn.begin():
            conn.execute(update(SYNC_ACCOUNT).where(SYNC_ACCOUNT.c.id == 1).values(last_sync_at=now))

    def _labels(self, summary: SyncSummary) -> dict[str, str]:
        labels = {sha: self.blob_sync.name_of(sha) for sha, _ in summary.file_errors}
        keys = [(r.entity_type, r.entity_id) for r in summary.refused] + [key for key, _ in summary.unusable]
        if not keys:
            return labels
        with read_session(self.db) as s:
            st = LocalState(s)
            for entity_type, entity_id in keys:
                data = st.read(entity_type, entity_id) if entity_type in ENTITY_TYPES else None
                if data is None:
                    staged = st.incoming((entity_type, entity_id))
                    data = staged.data if staged is not None else None
                labels[f"{entity_type}/{entity_id}"] = label_of(entity_type, data, entity_id)
        return labels


def database_full(exc: OperationalError, db: Engine) -> DiskFull | None:
    """SQLite's "database or disk is full" as a sentence (None for any other database error)."""
    if "disk is full" not in str(exc.orig):
        return None
    folder = Path(db.url.database or ".").resolve().parent
    free = shutil.disk_usage(folder).free if folder.exists() else None
    room = f" ({DiskFull.size_text(free)} free)" if free is not None else ""
    return DiskFull(
        f"The disk that holds this computer's Gigbag data ({folder}) is full{room}: the sync stopped. "
        "Nothing was lost: what it had saved stays, and the next sync continues once there is room. "
        "Free some space, then sync again.",
        str(folder),
        None,
        free,
    )


def run_sync(
    db: Engine,
    blobs: BlobStore,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    confirm_mass_delete: ConfirmMassDelete | None = None,
    client_factory: ClientFactory = SyncClient,
) -> SyncSummary:
    """Sync the signed-in account's data of this database now (binding it to the account first)."""
    state = read_sync_state(db, check_cutoff())
    account = account_of(state.account)
    where = account.server_url or "no server"
    started = time.monotonic()
    try:
        token = load_token(account)
        if account.server_url is None or account.device_id is None:
            raise NotSignedIn()
        bind(db, account)
        cancel = cancel or CancelToken()
        log.info("sync with %s started", where)
        with client_factory(account.server_url, token, cancel=cancel) as client:
            engine = SyncEngine(
                db,
                blobs,
                client,
                account.device_id,
                progress=progress,
                cancel=cancel,
                confirm_mass_delete=confirm_mass_delete,
            )
            summary = engine.run(state if account.bound_user_id is not None else None)
    except SyncCancelled:
        log.info("sync with %s cancelled after %.1f s", where, time.monotonic() - started)
        raise
    except SyncError as exc:
        if isinstance(exc, AuthenticationError):
            forget_cached_token(account)  # the keyring is read again next time
            if account.server_url is not None:
                close_connections(account.server_url)  # and a new connection carries what it gives
        log.warning("sync with %s failed: %s: %s", where, type(exc).__name__, exc)
        raise
    except OperationalError as exc:
        full = database_full(exc, db)
        if full is None:
            log.exception("sync with %s failed unexpectedly", where)
            raise
        log.warning("sync with %s stopped: %s", where, exc)
        raise full from exc
    except Exception:
        log.exception("sync with %s failed unexpectedly", where)
        raise
    log.info(
        "sync with %s done in %.1f s: %d sent, %d received (%d pulled), %d merged, %d new conflicts, "
        "%d open conflicts, files %d up (%d bytes) %d down (%d bytes), %d unsent, %d refused, %d file errors",
        where,
        time.monotonic() - started,
        summary.pushed,
        summary.received,
        summary.pulled,
        summary.merged,
        summary.new_conflicts,
        summary.open_conflicts,
        summary.files_up,
        summary.bytes_up,
        summary.files_down,
        summary.bytes_down,
        summary.unsent,
        len(summary.refused),
        len(summary.file_errors),
    )
    for refusal in summary.refused:
        log.warning(
            "change %s %s not accepted by the server: %s", refusal.entity_type, refusal.entity_id, refusal.reason
        )
    return summary
