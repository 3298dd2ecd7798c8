"""The server's own tables (SQLAlchemy Core), shared by SQLite and PostgreSQL.

Everything that must stay correct across several server processes lives here, not in memory:
the per-user sequence counter, idempotency keys, login throttling, blob ownership, quotas and
tus upload state. The migrations in ``server/migrations`` create exactly this schema.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A real timestamp, always UTC: ``timestamptz`` on PostgreSQL, fixed-format text on SQLite.

    Values go in and come out timezone-aware, so comparisons are between datetimes, never
    between strings of two formats.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


users = Table(
    "users",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    # The operator's: the tier (free, pro, enterprise), a disabled account, and per-account limits
    # that win over the tier's (NULL: the tier's).
    Column("tier", String(16), nullable=False, server_default="free"),
    Column("disabled_at", UTCDateTime(), nullable=True),
    Column("storage_quota_bytes", BigInteger, nullable=True),
    Column("daily_upload_limit_bytes", BigInteger, nullable=True),
    Column("max_file_bytes", BigInteger, nullable=True),
)

# One row per user, locked by every write of the user's entities: seq order == commit order.
user_counters = Table(
    "user_counters",
    metadata,
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("last_seq", BigInteger, nullable=False, default=0),
)

# A device is one signed-in session: one token per device, stored only as its SHA-256.
devices = Table(
    "devices",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=True, unique=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_sync_at", UTCDateTime(), nullable=True),
    Column("revoked_at", UTCDateTime(), nullable=True),
    # The last request made with the token, to within a minute; an idle token expires.
    Column("last_used_at", UTCDateTime(), nullable=True),
)

entities = Table(
    "entities",
    metadata,
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_type", String(64), primary_key=True),
    Column("entity_id", String(64), primary_key=True),
    # A version pushed since migration 0005 is kept as JSON text written at push time (its canonical text
    # since protocol 4, as sent before; its checksum verified), ``data`` NULL, and a pull page splices the
    # text in; older rows have ``data``.
    Column("data", JSON(none_as_null=True), nullable=True),
    Column("data_text", Text, nullable=True),
    Column("checksum", String(71), nullable=True),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("last_device_id", String(36), nullable=True),
    Column("seq", BigInteger, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_entities_user_id_seq", "user_id", "seq", unique=True),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(36), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("state", String(16), nullable=False),  # 'in_flight' | 'done'
    Column("lock_token", String(32), nullable=True),
    Column("locked_at", UTCDateTime(), nullable=True),
    Column("response_status", Integer, nullable=True),
    Column("response_body", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    # A push purges its user's expired keys by this range (server.idempotency.purge_expired).
    Index("ix_idempotency_keys_user_id_expires_at", "user_id", "expires_at"),
)

# Failed sign-ins per email, known account or not, so both answer alike. ``email`` holds the
# SHA-256 hex of the (normalized) email as typed, not the address itself.
login_failures = Table(
    "login_failures",
    metadata,
    Column("email", String(320), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", UTCDateTime(), nullable=False),
    Column("locked_until", UTCDateTime(), nullable=True),
)

# Content on disk (shared by all users) ...
blobs = Table(
    "blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

# ... and who may read it: a user owns a blob only after uploading its content.
user_blobs = Table(
    "user_blobs",
    metadata,
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("sha256", String(64), ForeignKey("blobs.sha256"), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

daily_uploads = Table(
    "daily_uploads",
    metadata,
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("bytes", BigInteger, nullable=False),
)

# tus uploads: the state another server process needs to continue one (the bytes are a file).
uploads = Table(
    "uploads",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("sha256", String(64), nullable=False),
    Column("length", BigInteger, nullable=False),
    Column("offset_bytes", BigInteger, nullable=False),
    Column("state", String(16), nullable=False),  # 'active' | 'complete'
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False, index=True),
)

# One-time sign-up codes the operator hands out (``gigbag-server invite create``); only the
# code's SHA-256 is kept. ``id`` is the short name ``invite list`` and ``invite revoke`` use.
invites = Table(
    "invites",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("tier", String(16), nullable=False),
    Column("note", String(200), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=True),
    Column("used_at", UTCDateTime(), nullable=True),
    Column("used_by", String(36), ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("revoked_at", UTCDateTime(), nullable=True),
)

# The shared library the operator publishes (``gigbag-server library …``). Every add, change and
# removal takes the next number of the one-row ``library_counter`` (locked), so ``seq`` order is
# commit order and a client asks for "what changed since my cursor". A removed track stays as a
# tombstone (``removed_at`` set) so the next list update can say it is gone. ``file_key`` and
# ``preview_key`` are SHA-256 keys of the server's blob store.
library_counter = Table(
    "library_counter",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("last_seq", BigInteger, nullable=False),
)

library_tracks = Table(
    "library_tracks",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("title", String(300), nullable=False),
    Column("artist", String(300), nullable=True),
    Column("genre", String(100), nullable=True),
    Column("bpm", Float, nullable=True),
    Column("musical_key", String(16), nullable=True),
    Column("duration_seconds", Float, nullable=False),
    Column("file_key", String(64), nullable=False, unique=True),
    Column("file_name", String(255), nullable=False),
    Column("mime_type", String(100), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("preview_key", String(64), nullable=True),
    Column("preview_size_bytes", BigInteger, nullable=True),
    Column("is_pro_only", Boolean, nullable=False, default=False),
    Column("added_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("removed_at", UTCDateTime(), nullable=True),
    CheckConstraint("length(trim(title)) > 0", name="ck_library_tracks_title_not_empty"),
    CheckConstraint("size_bytes > 0", name="ck_library_tracks_size_positive"),
    Index("ix_library_tracks_seq", "seq", unique=True),
)
