"""Idempotency keys of pushes, by Stripe's rules, kept in the database per (user, key).

A push first *reserves* its key in a short transaction of its own: the row is unique on
(user_id, key) and records a hash of the request, so a concurrent retry with the same key sees it
and gets 409 while the first is in flight, and a retry with another body gets 422. The push's own
transaction then locks that row, checks the reservation is still its own, applies the changes and
stores the response in the row, all atomically: the changes and the stored response commit
together or not at all. A failed push releases its reservation; one whose process died is taken
over after :data:`STALE_RESERVATION`. Keys expire :data:`KEY_TTL` after they were first used,
compared as real timestamps.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, delete, select, update

from gigbag.schema.wire import (
    ERR_IDEMPOTENCY_KEY_IN_FLIGHT,
    ERR_IDEMPOTENCY_KEY_REUSED,
    IDEMPOTENCY_KEY_TTL_HOURS,
)

from .database import Database, insert_ignoring_conflict
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
    """SHA-256 of the request body, so that key order and spacing do not matter.

    The body is parsed and written again with sorted keys by the standard library's C JSON code: one
    pass each way, not an RFC 8785 canonicalisation of every change (each change's own checksum is
    verified once, in ``sync_store.prepare``).
    """
    try:
        value = json.loads(body)
    except ValueError:
        return hashlib.sha256(body).hexdigest()
    return value_hash(value)


def value_hash(value: object) -> str:
    """:func:`request_hash` of a body already parsed (by ``json.loads``, as FastAPI parses a push)."""
    normal = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=True)
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


def reserve(db: Database, user_id: str, key: str, req_hash: str, now: dt.datetime) -> Reservation | Replay:
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
    with db.write() as conn:
        conn.execute(
            delete(idempotency_keys).where(idempotency_keys.c.user_id == user_id, idempotency_keys.c.expires_at <= now)
        )
        conn.execute(insert_ignoring_conflict(conn, idempotency_keys).values(user_id=user_id, key=key, **fresh))
        row = conn.execute(
            select(idempotency_keys)
            .where(idempotency_keys.c.user_id == user_id, idempotency_keys.c.key == key)
            .with_for_update()
        ).one()
        if row.lock_token == token:
            return Reservation(key, token)
        where = (idempotency_keys.c.user_id == user_id, idempotency_keys.c.key == key)
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


def claim_in_push(conn: Connection, user_id: str, reservation: Reservation) -> Replay | None:
    """Inside the push's transaction: lock the key's row and check it is still this push's.

    Returns a replay when another request took the key over and finished; raises 409 when another
    request holds it; returns None when the push may go on.
    """
    row = conn.execute(
        select(idempotency_keys)
        .where(idempotency_keys.c.user_id == user_id, idempotency_keys.c.key == reservation.key)
        .with_for_update()
    ).first()
    if row is not None and row.lock_token == reservation.lock_token and row.state == IN_FLIGHT:
        return None
    if row is not None and row.state == DONE:
        return Replay(int(row.response_status), str(row.response_body))
    raise _in_flight()


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


def release(db: Database, user_id: str, reservation: Reservation) -> None:
    """Forget a reservation whose push failed (nothing was committed), so a retry can run."""
    with db.write() as conn:
        conn.execute(
            delete(idempotency_keys).where(
                idempotency_keys.c.user_id == user_id,
                idempotency_keys.c.key == reservation.key,
                idempotency_keys.c.lock_token == reservation.lock_token,
                idempotency_keys.c.state == IN_FLIGHT,
            )
        )
