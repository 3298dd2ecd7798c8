"""The sync protocol's messages (version 1): what travels between the desktop and the server.

Both ends import these models, so a field renamed here is renamed for both. See
``docs/sync-protocol.md`` for the rules behind them (idempotency, conflicts, cursors, blobs).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL_VERSION = 1
MAX_PUSH_CHANGES = 500
MAX_PUSH_BYTES = 8 * 1024 * 1024  # the request body of one push
DEFAULT_PULL_LIMIT = 500
MAX_PULL_LIMIT = 1000
IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"

Op = Literal["upsert", "delete"]
ResultStatus = Literal["applied", "conflict", "invalid"]


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Health(_Message):
    status: Literal["ok"]
    protocol: int


class AccountCreate(_Message):
    email: str
    password: str
    display_name: str


class Account(_Message):
    user_id: str
    email: str
    display_name: str


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


class SyncStatus(_Message):
    cursor: int
    entity_counts: dict[str, int]
    devices: list[DeviceStatus]


class ErrorBody(_Message):
    """Every error answer: a machine code and a sentence for a person (plus optional details)."""

    model_config = ConfigDict(extra="allow")
    error: str
    message: str
