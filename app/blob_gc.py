"""Removing blobs nothing refers to any more, and never one the server may still ask for.

A blob stays while a file or the profile refers to it, while the server's last known version of
an entity (``sync_base``) or a kept conflict refers to it, or while a transfer of it is under way.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select
from sqlmodel import col

from ..local_db.database import read_session
from ..local_db.models import Artist, File
from ..local_db.sync_tables import BlobTransfer, SyncBase, SyncConflict
from ..schema.canonical import is_sha256_hex
from ..schema.entities import blob_refs
from ..sync.blob_sync import VERIFIED
from .entity_service import row_data
from .workspace import Workspace


def referenced_blobs(ws: Workspace) -> set[str]:
    refs: set[str] = set()
    with read_session(ws.engine) as s:
        refs.update(s.scalars(select(col(File.blob_sha256))))
        artist = s.scalars(select(Artist)).first()
        if artist is not None:
            refs |= blob_refs("artists", row_data(artist, "artists"))
        for base in s.scalars(select(SyncBase).where(SyncBase.data.is_not(None))):  # type: ignore[union-attr]
            refs |= blob_refs(base.entity_type, base.data)
        for conflict in s.scalars(select(SyncConflict)):
            for data in (conflict.local_data, conflict.remote_data, conflict.base_data):
                refs |= blob_refs(conflict.entity_type, data)
        # Transfers in progress keep their blob; a record that the server holds one does not.
        refs.update(s.scalars(select(col(BlobTransfer.sha256)).where(col(BlobTransfer.direction) != VERIFIED)))
    return refs


def stored_blobs(root: Path) -> set[str]:
    found: set[str] = set()
    for dirpath, _dirs, files in os.walk(root):
        if Path(dirpath).name == "tmp":
            continue
        found.update(name for name in files if is_sha256_hex(name))
    return found


def collect_garbage(ws: Workspace) -> list[str]:
    """Delete unreferenced blobs from the store; return the digests removed."""
    unused = sorted(stored_blobs(ws.blobs.root) - referenced_blobs(ws))
    for sha in unused:
        ws.blobs.remove(sha)
    return unused
