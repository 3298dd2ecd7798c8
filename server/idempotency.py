"""Idempotency keys of pushes, by Stripe's rules, kept in the database per (user, key).

A push claims its key inside its own transaction, right after it locked the user's counter row: the
key's row (unique on (user_id, key), with a hash of the request) is inserted as in flight, the
changes are applied and the response is stored in the row, and all of it commits together or not at
all. So a retry after a lost answer finds the stored response (a replay) and a retry with another
body finds another hash (422); a second request with the same key while the first runs waits for
the counter lock and then replays the first's answer; a push that fails or whose process dies
leaves no row, and its retry runs afresh. A row committed in flight (by an older server, which
reserved keys in a transaction of their own) answers 409 until it is :data:`STALE_RESERVATION` old
and is then taken over. Keys expire :data:`KEY_TTL` after they were first used, compared as real
timestamps: a key past that is free whether or not its row is still stored. Each push deletes its
user's expired keys by the (user_id, expires_at) index: one index probe when none is due, however
many keys the user or anyone else holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi.exceptions import RequestValidationError
from sqlalchemy import Connection, delete, select, update

from gigbag.schema.wire import (
    ERR_IDEMPOTENCY_KEY_IN_FLIGHT,
    ERR_IDEMPOTENCY_KEY_REUSED,
    IDEMPOTENCY_KEY_TTL_HOURS,
)

from . import push_body, sync_store
from .database import insert_ignoring_conflict
from .errors import ApiError
from .tables import idempotency_keys

KEY_TTL = dt.timedelta(hours=IDEMPOTENCY_KEY_TTL_HOURS)
STALE_RESERVATION = dt.timedelta(minutes=2)
IN_FLIGHT = "in_flight"
DONE = "done"


@dataclass(frozen=True)
class Reservation:
    key: str
    lock_token: str


@dataclass(frozen=True)
class Replay:
    status: int
    body: str


def request_hash(body: bytes) -> str:
    """:func:`push_hash` of a raw push body (the SHA-256 of the bytes when they are not a push)."""
    try:
        push = push_body.read(json.loads(body))
    except (ValueError, RequestValidationError):
        return hashlib.sha256(body).hexdigest()
    return push_hash(push.device_id, [sync_store.prepare(change) for change in push.changes])


def push_hash(device_id: str, prepared: Sequence[sync_store.PreparedChange]) -> str:
    """SHA-256 of a push as checked, so that key order and spacing do not matter.

    Each change counts with its fields and its data's SHA-256 of the canonical form, which checking it
    computed anyway (no second encoding of the data); data never canonicalised (a change refused
    before) counts as written again with sorted keys.
    """
    parts = []
    for p in prepared:
        c = p.change
        data = p.digest
        if data is None and c.data is not None:
            data = json.dumps(c.data, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=True)
        parts.append((c.entity_type, c.entity_id, c.op, c.checksum, c.base_checksum, data))
    normal = json.dumps((device_id, parts), separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(normal.encode("ascii")).hexdigest()


def _reused() -> ApiError:
    return ApiError(
        422,
        ERR_IDEMPOTENCY_KEY_REUSED,
        "This Idempotency-Key was already used for a different push; use a new key for new changes.",
    )


def _in_flight() -> ApiError:
    return ApiError(
        409,
        ERR_IDEMPOTENCY_KEY_IN_FLIGHT,
        "A push with this Idempotency-Key is still being processed; retry in a moment.",
        headers={"Retry-After": "1"},
    )


def claim(conn: Connection, user_id: str, key: str, req_hash: str, now: dt.datetime) -> Reservation | Replay:
    """In the push's transaction, which holds the user's counter lock: the key's row for this push, or the
    stored response to replay; 422 when the key was used for another body, 409 while an older server's
    reservation of it is in flight."""
    token = secrets.token_hex(16)
    fresh = {
        "request_hash": req_hash,
        "state": IN_FLIGHT,
        "lock_token": token,
        "locked_at": now,
        "response_status": None,
        "response_body": None,
        "created_at": now,
        "expires_at": now + KEY_TTL,
    }
    purge_expired(conn, user_id, now)
    inserted = conn.execute(
        insert_ignoring_conflict(conn, idempotency_keys)
        .values(user_id=user_id, key=key, **fresh)
        .returning(idempotency_keys.c.lock_token)
    ).first()
    if inserted is not None:
        return Reservation(key, token)
    where = (idempotency_keys.c.user_id == user_id, idempotency_keys.c.key == key)
    row = conn.execute(select(idempotency_keys).where(*where).with_for_update()).one()
    if row.expires_at <= now:  # expired between the purge and the insert: start afresh
        conn.execute(update(idempotency_keys).where(*where).values(**fresh))
        return Reservation(key, token)
    if row.request_hash != req_hash:
        raise _reused()
    if row.state == DONE:
        return Replay(int(row.response_status), str(row.response_body))
    if row.locked_at is not None and now - row.locked_at < STALE_RESERVATION:
        raise _in_flight()
    # The process that reserved it died mid-push (its transaction was rolled back): take over.
    conn.execute(update(idempotency_keys).where(*where).values(lock_token=token, locked_at=now))
    return Reservation(key, token)


def purge_expired(conn: Connection, user_id: str, now: dt.datetime) -> None:
    """Delete the user's keys expired at ``now``: a range of the (user_id, expires_at) index.

    Not bounded per push: a LIMIT needs a subquery (no DELETE … LIMIT on PostgreSQL), which cost
    PostgreSQL more than this whole statement when nothing is due, the case of nearly every push;
    a user back after a day away deletes the keys of their last session once.
    """
    t = idempotency_keys
    conn.execute(delete(t).where(t.c.user_id == user_id, t.c.expires_at <= now))


def store_response(conn: Connection, user_id: str, reservation: Reservation, status: int, body: str) -> None:
    conn.execute(
        update(idempotency_keys)
        .where(
            idempotency_keys.c.user_id == user_id,
            idempotency_keys.c.key == reservation.key,
            idempotency_keys.c.lock_token == reservation.lock_token,
        )
        .values(state=DONE, lock_token=None, response_status=status, response_body=body)
    )
