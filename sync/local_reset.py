"""Removing this computer's data and forgetting its account (signing out "and remove the data").

It empties every entity table and every table the sync engine keeps (change log, bases, waiting
versions, conflicts, batches, transfers, cloud-only marks), resets the account row and deletes the
file contents, so the data folder is as new and another account may sign in.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine, delete, text

from ..local_db.blob_store import BlobStore, is_sha256_hex
from ..local_db.change_capture import applying_server_changes
from ..local_db.database import transaction
from ..local_db.sync_tables import (
    SYNC_ACCOUNT,
    BlobTransfer,
    ChangeLog,
    CloudOnlyFile,
    SyncBase,
    SyncBatch,
    SyncConflict,
    SyncIncoming,
)
from ..schema.entities import ENTITY_TYPES
from .local_store import LocalState, table

log = logging.getLogger(__name__)

_SYNC_TABLES = (ChangeLog, SyncBase, SyncIncoming, SyncConflict, SyncBatch, BlobTransfer, CloudOnlyFile)


def remove_local_data(db: Engine, blobs: BlobStore) -> int:
    """Delete every item and file content of this computer and forget the account; the number of items removed.

    What was not synced is lost: the screens ask first.
    """
    removed = 0
    with transaction(db) as s:
        st = LocalState(s)
        s.execute(text("PRAGMA defer_foreign_keys=ON"))
        with applying_server_changes(s):
            for entity_type in reversed(ENTITY_TYPES):
                result = s.execute(delete(table(entity_type)))
                removed += int(getattr(result, "rowcount", 0) or 0)
        for model in _SYNC_TABLES:
            s.execute(delete(model.__table__))  # type: ignore[attr-defined,union-attr]
        s.execute(
            SYNC_ACCOUNT.update()
            .where(SYNC_ACCOUNT.c.id == 1)
            .values(
                server_url=None,
                email=None,
                user_id=None,
                device_id=None,
                bound_user_id=None,
                cursor=0,
                last_sync_at=None,
                token_file=None,
            )
        )
        st.recompute_derived()
    root = blobs.root
    for path in list(root.glob("??/??/*")) if root.exists() else []:
        if is_sha256_hex(path.name):
            blobs.remove(path.name)
    log.info("local data removed: %d items", removed)
    return removed
