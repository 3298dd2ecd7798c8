"""The sync protocol's messages (version 2): what travels between the desktop and the server.

Both ends import these models, so a field renamed here is renamed for both. See
``docs/sync-protocol.md`` for the rules behind them (idempotency, conflicts, cursors, blobs).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .protocol import ACCOUNT_TERMS_HEADER as ACCOUNT_TERMS_HEADER
from .protocol import MAX_PULL_LIMIT as MAX_PULL_LIMIT
from .protocol import PROTOCOL_HEADER as PROTOCOL_HEADER
from .protocol import PROTOCOL_VERSION as PROTOCOL_VERSION
from .protocol import PULL_ACCEPT as PULL_ACCEPT
from .protocol import PULL_LINES_MEDIA_TYPE as PULL_LINES_MEDIA_TYPE
from .tiers import Tier

# ``skip`` of a pull: seq ranges "lo-hi,lo-hi" whose versions the client recorded from its own push answers
# in this sync; the server leaves them out of the pages (they would only come back as echoes).
MAX_PULL_SKIP_RANGES = 64
# Protocol 3 raised this from 500: a 20,000-entity upload is 10 pushes, not 40, and spends a fifth less CPU
# on the two sides (each push's request, transaction and commits); 5,000 saved no more (docs/sync-protocol.md).
MAX_PUSH_CHANGES = 2000
MAX_PUSH_BYTES = 8 * 1024 * 1024  # the request body of one push
DEFAULT_PULL_LIMIT = 500
# A pull page ends early once its changes' JSON reaches this (it always holds at least one change), so a
# page of MAX_PULL_LIMIT large entities costs either side about what one push may.
MAX_PULL_PAGE_BYTES = 8 * 1024 * 1024
IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# RFC 9530: a blob's HEAD and GET answers carry "Repr-Digest: sha-256=:<base64>:", checked by the client.
BLOB_DIGEST_HEADER = "Repr-Digest"


def repr_digest(sha256_hex: str) -> str:
    """The ``Repr-Digest`` value for content whose SHA-256 is ``sha256_hex``."""
    return f"sha-256=:{base64.b64encode(bytes.fromhex(sha256_hex)).decode()}:"


def parse_repr_digest(value: str) -> str | None:
    """The SHA-256 (hex) named by a ``Repr-Digest`` value, or None when it names none readable."""
    for item in value.split(","):
        name, _, rest = item.strip().partition("=")
        if name.strip().lower() != "sha-256":
            continue
        rest = rest.strip()
        if len(rest) < 2 or rest[0] != ":" or rest[-1] != ":":
            return None
        try:
            raw = base64.b64decode(rest[1:-1], validate=True)
        except (binascii.Error, ValueError):
            return None
        return raw.hex() if len(raw) == 32 else None
    return None


IDEMPOTENCY_KEY_TTL_HOURS = 24  # a key is kept (and replayed) at least this long
MAX_JSON_BODY_BYTES = 64 * 1024  # the request body of every other JSON route
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024

# tus 1.0 (core + creation + termination) under UPLOADS_PATH; the metadata key ``sha256`` holds the
# expected hex digest of the whole upload (base64-encoded, as every tus metadata value).
UPLOADS_PATH = "/v1/uploads/"
TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination"
UPLOAD_METADATA_SHA256 = "sha256"

# Error codes (the ``error`` of an ErrorBody) that clients act on; the full list is in
# docs/sync-protocol.md.
ERR_IDEMPOTENCY_KEY_REQUIRED = "idempotency_key_required"
ERR_IDEMPOTENCY_KEY_INVALID = "idempotency_key_invalid"
ERR_IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
ERR_IDEMPOTENCY_KEY_IN_FLIGHT = "idempotency_key_in_flight"
ERR_DEVICE_MISMATCH = "device_mismatch"
ERR_PROTOCOL_OUTDATED = "protocol_outdated"
ERR_TOO_MANY_CHANGES = "too_many_changes"
ERR_PAYLOAD_TOO_LARGE = "payload_too_large"
ERR_UNAUTHORIZED = "unauthorized"
ERR_INVALID_CREDENTIALS = "invalid_credentials"
ERR_TOO_MANY_ATTEMPTS = "too_many_attempts"
ERR_EMAIL_TAKEN = "email_taken"
ERR_DIGEST_MISMATCH = "digest_mismatch"
ERR_STORAGE_QUOTA_EXCEEDED = "storage_quota_exceeded"
ERR_DAILY_UPLOAD_LIMIT_EXCEEDED = "daily_upload_limit_exceeded"
ERR_UPLOAD_TOO_LARGE = "upload_too_large"
ERR_OFFSET_MISMATCH = "offset_mismatch"
# The operator's accounts: sign-up refused (403), a disabled account or an idle token (401).
ERR_SIGNUP_CLOSED = "signup_closed"
ERR_INVITE_REQUIRED = "invite_required"
ERR_INVITE_INVALID = "invite_invalid"
ERR_ACCOUNT_DISABLED = "account_disabled"
ERR_TOKEN_EXPIRED = "token_expired"
# The shared library: the full file of a pro-only track, asked by an account whose tier is free (403).
ERR_PRO_ONLY = "pro_only"

# ``error_code`` of a push result with status "invalid".
INVALID_UNKNOWN_TYPE = "unknown_entity_type"
INVALID_ENTITY_ID = "invalid_entity_id"
INVALID_CHANGE = "invalid_change"
INVALID_CHECKSUM_MISMATCH = "checksum_mismatch"
INVALID_DATA = "invalid_data"

Op = Literal["upsert", "delete"]
ResultStatus = Literal["applied", "conflict", "invalid"]


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Health(_Message):
    status: Literal["ok"]
    protocol: int


SignupMode = Literal["closed", "invite", "open"]


class AccountCreate(_Message):
    email: str
    password: str
    display_name: str
    invite: str | None = None  # the operator's one-time code (needed when sign-up is by invite)


class Account(_Message):
    user_id: str
    email: str
    display_name: str
    tier: Tier = "free"


class SignupPolicy(_Message):
    """``GET /v1/signup``: whether this server takes new accounts, and how."""

    signup: SignupMode


class SessionCreate(_Message):
    email: str
    password: str
    device_name: str


class SessionCreated(_Message):
    token: str
    user_id: str
    device_id: str


class Change(_Message):
    """One entity change of a push. A delete has ``data`` and ``checksum`` null."""

    entity_type: str
    entity_id: str
    op: Op
    data: dict[str, Any] | None = None
    checksum: str | None = None
    base_checksum: str | None = None


class PushRequest(_Message):
    device_id: str
    changes: list[Change] = Field(max_length=MAX_PUSH_CHANGES)


class ServerVersion(_Message):
    data: dict[str, Any] | None
    checksum: str | None
    deleted: bool


class PushResult(_Message):
    entity_type: str
    entity_id: str
    status: ResultStatus
    checksum: str | None = None
    seq: int | None = None
    server: ServerVersion | None = None
    error: str | None = None
    # With status "invalid": a machine code (INVALID_*) and, for invalid data, {field: message}.
    error_code: str | None = None
    field_errors: dict[str, str] | None = None


class PushResponse(_Message):
    results: list[PushResult]
    cursor: int


class PulledChange(_Message):
    entity_type: str
    entity_id: str
    data: dict[str, Any] | None
    checksum: str | None
    deleted: bool
    seq: int


class PullResponse(_Message):
    changes: list[PulledChange]
    cursor: int
    has_more: bool


class DeviceStatus(_Message):
    device_id: str
    name: str
    last_sync_at: str | None
    revoked: bool = False  # signed out (its token no longer works)


class StorageUsage(_Message):
    """The user's file storage against the quotas (``daily_*`` are null when no daily limit is set)."""

    used_bytes: int
    quota_bytes: int
    remaining_bytes: int
    daily_upload_limit_bytes: int | None = None
    uploaded_today_bytes: int = 0
    daily_remaining_bytes: int | None = None


class AccountLimits(_Message):
    """The limits in force for one account: its tier's, or the operator's override for it."""

    storage_quota_bytes: int
    daily_upload_limit_bytes: int | None  # null: no daily limit
    max_file_bytes: int


LimitName = Literal["storage_quota", "daily_upload_limit", "max_file_size"]


class AccountInfo(_Message):
    """``GET /v1/account``: who is signed in, the tier, the limits in force and the usage against them."""

    user_id: str
    email: str
    display_name: str
    tier: Tier
    limits: AccountLimits
    overridden: list[LimitName]  # the limits the operator set for this account (they win over the tier's)
    storage: StorageUsage
    token_idle_expiry_seconds: int | None  # a token unused this long stops working; null: never


class SyncStatus(_Message):
    cursor: int
    entity_counts: dict[str, int]  # live (not deleted) entities per type
    devices: list[DeviceStatus]
    storage: StorageUsage | None = None


class ErrorBody(_Message):
    """Every error answer: a machine code and a sentence for a person (plus optional details)."""

    model_config = ConfigDict(extra="allow")
    error: str
    message: str


QuotaLimit = Literal["storage_quota", "daily_upload_limit", "max_upload_size"]


class QuotaErrorBody(ErrorBody):
    """A 413/429 for a file: which limit refused it and how many bytes are left under it."""

    limit: QuotaLimit
    limit_bytes: int
    used_bytes: int
    remaining_bytes: int
    tier: Tier | None = None  # the account's tier, whose limit (or the account's own) refused the file


class EntitySchemas(_Message):
    """``GET /v1/schema``: every entity type with the JSON Schema of its data."""

    protocol: int
    entity_types: dict[str, dict[str, Any]]


class BlobStored(_Message):
    sha256: str
    size: int


DEFAULT_LIBRARY_LIMIT = 200
MAX_LIBRARY_LIMIT = 500


class LibraryTrack(_Message):
    """One track of the server's shared library (``GET /v1/library``)."""

    id: str
    title: str
    artist: str | None = None
    genre: str | None = None
    bpm: float | None = None
    key: str | None = None
    duration_seconds: float
    file_name: str
    mime_type: str
    size_bytes: int
    sha256: str  # of the full file; the desktop checks a download against it
    has_preview: bool
    preview_size_bytes: int | None = None
    is_pro_only: bool
    added_at: str
    updated_at: str
    seq: int


class LibraryPage(_Message):
    """A page of library changes after ``since``: tracks added or changed, ids removed, the next cursor."""

    tracks: list[LibraryTrack]
    removed: list[str]
    cursor: int
    has_more: bool
    tier: Tier  # the asking account's tier: whether pro-only files open to it
