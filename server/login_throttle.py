"""Slowing down repeated failed sign-ins for one account, with the state in the database.

After ``max_failures`` failures in a row for one email (known account or not, so the answers do
not reveal which emails exist), further attempts are refused with 429 and ``Retry-After`` until a
lock-out ends; each further failure doubles the lock-out, up to 15 minutes. A success clears it.
Kept in the database so every server process sharing it enforces the same count; the key is the
SHA-256 of the email (see :func:`gigbag.server.accounts._throttle_key`).
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import Connection, delete, select, update

from gigbag.schema.wire import ERR_TOO_MANY_ATTEMPTS

from .config import MAX_LOGIN_LOCKOUT_SECONDS
from .database import insert_ignoring_conflict
from .errors import ApiError
from .tables import login_failures

# Failures older than this no longer count (unless a lock-out is running).
FAILURE_WINDOW = dt.timedelta(minutes=15)


def check_not_locked(conn: Connection, email: str, now: dt.datetime) -> None:
    row = conn.execute(select(login_failures.c.locked_until).where(login_failures.c.email == email)).first()
    if row is not None and row.locked_until is not None and row.locked_until > now:
        raise too_many_attempts(row.locked_until, now)


def too_many_attempts(locked_until: dt.datetime, now: dt.datetime) -> ApiError:
    seconds = max(1, math.ceil((locked_until - now).total_seconds()))
    return ApiError(
        429,
        ERR_TOO_MANY_ATTEMPTS,
        f"Too many failed sign-ins for this account. Try again in {seconds} seconds.",
        headers={"Retry-After": str(seconds)},
        retry_after_seconds=seconds,
    )


def record_failure(conn: Connection, email: str, now: dt.datetime, max_failures: int, lockout_seconds: int) -> None:
    conn.execute(
        insert_ignoring_conflict(conn, login_failures).values(
            email=email, failures=0, last_failure_at=now, locked_until=None
        )
    )
    row = conn.execute(select(login_failures).where(login_failures.c.email == email).with_for_update()).one()
    lock_over = row.locked_until is None or row.locked_until <= now
    stale = lock_over and now - row.last_failure_at > FAILURE_WINDOW
    failures = 1 if stale else row.failures + 1
    locked_until = None
    if failures >= max_failures:
        extra = min(failures - max_failures, 20)
        seconds = min(lockout_seconds * (2**extra), MAX_LOGIN_LOCKOUT_SECONDS)
        locked_until = now + dt.timedelta(seconds=seconds)
    conn.execute(
        update(login_failures)
        .where(login_failures.c.email == email)
        .values(failures=failures, last_failure_at=now, locked_until=locked_until)
    )


def clear_failures(conn: Connection, email: str) -> None:
    conn.execute(delete(login_failures).where(login_failures.c.email == email))
