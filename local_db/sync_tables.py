"""Local bookkeeping of sync: the change log, the server versions last seen, conflicts, batches.

These tables are written in the same transactions as the artist's data: a local edit and its
change-log row commit together; a pulled page, its base versions, the server versions it could not
apply yet (``sync_incoming``) and the cursor commit together.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Index, Table, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class ChangeLog(SQLModel, table=True):
    """One row per local write of a synced entity, written by triggers (change_capture.py)."""

    __tablename__ = "change_log"
    __table_args__ = (
        Index("idx_change_log_entity", "entity_type", "entity_id"),
        {"sqlite_autoincrement": True},
    )
    id: int | None = Field(default=None, primary_key=True)
    entity_type: str
    entity_id: str
    op: str  # 'upsert' | 'delete'
    changed_at: str


class ChangeCapture(SQLModel, table=True):
    """One row; ``suppressed`` = 1 only inside a transaction that applies changes from the server."""

    __tablename__ = "change_capture"
    id: int = Field(default=1, primary_key=True)
    suppressed: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})


class SyncBase(SQLModel, table=True):
    """The server's version of an entity as this device last saw it: the base of three-way merges."""

    __tablename__ = "sync_base"
    entity_type: str = Field(primary_key=True)
    entity_id: str = Field(primary_key=True)
    checksum: str | None = None  # None for a tombstone
    data: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    deleted: bool = False
    seq: int = 0


class SyncIncoming(SQLModel, table=True):
    """A server version not applied locally yet, applied or merged when the pull has completed.

    Kept when the entity has local edits or an open conflict (it is merged then, against the
    unchanged ``sync_base``), when a push answered with a conflict, or when the version refers to an
    entity this device does not hold yet (a parent that comes in a later page, or never).
    """

    __tablename__ = "sync_incoming"
    entity_type: str = Field(primary_key=True)
    entity_id: str = Field(primary_key=True)
    checksum: str | None = None  # None for a tombstone
    data: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    deleted: bool = False
    seq: int = 0


class SyncConflict(SQLModel, table=True):
    """A real conflict kept for the artist: both versions and the base they diverged from."""

    __tablename__ = "sync_conflicts"
    __table_args__ = (UniqueConstraint("entity_type", "entity_id"),)
    id: str = Field(primary_key=True)
    entity_type: str
    entity_id: str
    local_data: dict[str, Any] | None = Field(default=None, sa_type=JSON)  # None: deleted here
    remote_data: dict[str, Any] | None = Field(default=None, sa_type=JSON)  # None: deleted there
    remote_checksum: str | None = None
    base_data: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    fields: list[str] = Field(default_factory=list, sa_type=JSON)
    created_at: str


class SyncBatch(SQLModel, table=True):
    """A push batch, stored with its idempotency key before the first attempt, reused on retries."""

    __tablename__ = "sync_batches"
    idempotency_key: str = Field(primary_key=True)
    created_at: str
    body: dict[str, Any] = Field(sa_type=JSON)
    # The change-log rows this batch covers (rows with id <= this, for the entities in the body).
    last_change_id: int


class SyncAccount(SQLModel, table=True):
    """One row: the account this database syncs with. ``bound_user_id`` never changes once set."""

    __tablename__ = "sync_account"
    id: int = Field(default=1, primary_key=True)
    server_url: str | None = None
    email: str | None = None
    user_id: str | None = None
    device_id: str | None = None
    bound_user_id: str | None = None
    cursor: int = 0
    last_sync_at: str | None = None
    # Only with the explicit no-keyring fallback (``gigbag login --insecure-token-file PATH``): the
    # path of the file that holds the token. The token itself is never stored in the database.
    token_file: str | None = None


# The account row's table, for the sync's Core statements (its cursor, binding, last sync).
SYNC_ACCOUNT: Table = SyncAccount.__table__  # type: ignore[attr-defined]


class BlobTransfer(SQLModel, table=True):
    """A resumable blob upload or download in progress (the tus upload URL, bytes done)."""

    __tablename__ = "blob_transfers"
    sha256: str = Field(primary_key=True)
    direction: str = Field(primary_key=True)  # 'up' | 'down'
    upload_url: str | None = None
    bytes_done: int = 0
    updated_at: str


class BlobLook(SQLModel, table=True):
    """One row: how often what this computer should hold of file contents has changed (``generation``,
    counted by the triggers of :mod:`.blob_looks`); the generation and time of the last look that found
    every such content here (``sync.noop_rules.look_is_fresh``); and the generation and oldest server check
    of the contents here that the last complete re-check of uploads saw (``sync.blob_audit``). Until one of
    them moves on, a sync need not look at every file again, in the store or in ``blob_transfers``."""

    __tablename__ = "blob_looks"
    id: int = Field(default=1, primary_key=True)
    generation: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    looked_generation: int | None = None
    looked_at: str | None = None
    audit_generation: int | None = None
    audit_oldest: str | None = None


class CloudOnlyFile(SQLModel, table=True):
    """A file the artist keeps only on the server: its content is not downloaded until asked for."""

    __tablename__ = "cloud_only_files"
    file_id: str = Field(primary_key=True)
    marked_at: str
