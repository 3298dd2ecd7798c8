"""Bearer tokens: made at sign-in, stored only as SHA-256, resolved to (user, device) per request.

Every route but health, schema, account creation and sign-in depends on :func:`require_device`;
an unknown, revoked or malformed token gets the same 401. A token of a disabled account, and a
token unused for longer than the operator's expiry (default 90 days), get a 401 with their own
code, so the desktop can say why. The token's last use is recorded at most once a minute, so most
requests write nothing.

The check is three steps: read the token's row (:func:`read_device`), check it
(:func:`check_device`: refused or not, and whether its use is due to be recorded), write that use
(:func:`record_use`). A route does all three on a worker thread. The short answers given before the
router (:func:`quick_device`) read on the event loop itself: an SQLite file through a connection of the
loop's own (a read in WAL mode waits for no writer), PostgreSQL through an asyncio psycopg connection (the
loop awaits the answer), so the common request — a valid token used within the minute — needs no thread
and no write. The row is read afresh for every request either way: a revoked, disabled
or expired token is refused at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, NamedTuple

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, Engine, bindparam, or_, select, update
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from gigbag.schema.wire import ERR_ACCOUNT_DISABLED, ERR_TOKEN_EXPIRED, ERR_UNAUTHORIZED

from .clock import utc_now
from .config import ServerConfig
from .database import Database
from .errors import ApiError
from .state import ServerState, server_state
from .tables import devices, user_counters, users
from .tiers import tier_limits, with_overrides

bearer_scheme = HTTPBearer(auto_error=False, description="The token returned by POST /v1/sessions")

MAX_TOKEN_LENGTH = 200
# A token's last use is written when the recorded one is older than this.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
# How long a read on the event loop may wait for SQLite (a WAL reader waits only in rare cases, such as
# another process recovering the WAL); beyond it the request goes the threaded way.
LOOP_READ_BUSY_MS = 20
LOOP_CONNECT_TIMEOUT_SECONDS = 5  # PostgreSQL: the event loop's own connection (beyond it: the threaded way)


@dataclass(frozen=True)
class DeviceAuth:
    user_id: str
    device_id: str
    terms_tag: str = ""  # fingerprint of the account's tier and limits in force (ACCOUNT_TERMS_HEADER)
    # Read with the token, in the same statement: the device's recorded last sync, and the user's
    # latest seq (every change up to it was committed then; None: not read), so that a pull with
    # nothing newer than its cursor is answered without another statement.
    last_sync_at: dt.datetime | None = None
    latest_seq: int | None = None


class DeviceRow(NamedTuple):
    """The token's row: its device, the account, and the user's latest seq (one statement, one snapshot)."""

    id: str
    user_id: str
    created_at: dt.datetime
    last_sync_at: dt.datetime | None
    last_used_at: dt.datetime | None
    disabled_at: dt.datetime | None
    tier: str
    storage_quota_bytes: int | None
    daily_upload_limit_bytes: int | None
    max_file_bytes: int | None
    last_seq: int | None


_DEVICE_COLUMNS = (
    devices.c.id,
    devices.c.user_id,
    devices.c.created_at,
    devices.c.last_sync_at,
    devices.c.last_used_at,
    users.c.disabled_at,
    users.c.tier,
    users.c.storage_quota_bytes,
    users.c.daily_upload_limit_bytes,
    users.c.max_file_bytes,
    user_counters.c.last_seq,
)
DEVICE_OF_TOKEN = (
    select(*_DEVICE_COLUMNS)
    .join(users, users.c.id == devices.c.user_id)
    .outerjoin(user_counters, user_counters.c.user_id == devices.c.user_id)
    .where(devices.c.token_hash == bindparam("token_hash"), devices.c.revoked_at.is_(None))
)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def unauthorized() -> ApiError:
    return ApiError(
        401,
        ERR_UNAUTHORIZED,
        "Sign in first: this request needs a valid token (Authorization: Bearer <token>).",
        headers={"WWW-Authenticate": "Bearer"},
    )


def plausible_token(token: str) -> bool:
    """Whether ``token`` (stripped) can be a token at all (else a 401 without a statement)."""
    return bool(token) and len(token) <= MAX_TOKEN_LENGTH and token.isascii()


def read_device(conn: Connection, hashed: str) -> DeviceRow | None:
    """The row of the token whose SHA-256 is ``hashed``, unless unknown or revoked."""
    row = conn.execute(DEVICE_OF_TOKEN, {"token_hash": hashed}).first()
    return None if row is None else DeviceRow(*row)


def check_device(config: ServerConfig, row: DeviceRow, now: dt.datetime) -> tuple[DeviceAuth, bool]:
    """The device of a token's row, and whether its use is due to be recorded (:func:`record_use`);
    raises the 401 of a disabled account or an expired token."""
    if row.disabled_at is not None:
        raise account_disabled()
    last_used: dt.datetime = row.last_used_at or row.last_sync_at or row.created_at
    expiry_days = config.accounts.token_expiry_days
    if expiry_days is not None and now - last_used > dt.timedelta(days=expiry_days):
        raise token_expired(expiry_days)
    limits = with_overrides(
        tier_limits(config, row.tier), row.storage_quota_bytes, row.daily_upload_limit_bytes, row.max_file_bytes
    )
    auth = DeviceAuth(
        user_id=row.user_id,
        device_id=row.id,
        terms_tag=limits.tag(),
        last_sync_at=row.last_sync_at,
        latest_seq=None if row.last_seq is None else int(row.last_seq),
    )
    return auth, row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION


def record_use(db: Database, device_id: str, now: dt.datetime) -> None:
    """Note the token's use (one small write a minute at most, whichever process answers)."""
    with db.write() as conn:
        conn.execute(
            update(devices)
            .where(
                devices.c.id == device_id,
                or_(devices.c.last_used_at.is_(None), devices.c.last_used_at < now - LAST_USED_RESOLUTION),
            )
            .values(last_used_at=now)
        )


def require_device(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
) -> DeviceAuth:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized()
    token = credentials.credentials.strip()
    if not plausible_token(token):
        raise unauthorized()
    state = server_state(request)
    with state.db.read() as conn:
        row = read_device(conn, token_hash(token))
    if row is None:
        raise unauthorized()
    request.state.user_id = row.user_id
    now = utc_now()
    auth, due = check_device(state.config, row, now)
    if due:
        record_use(state.db, row.id, now)
    return auth


class LoopReader:
    """The token's row read through an SQLite connection of the event loop's own (read-only, autocommit:
    one statement sees the latest commit), with the engine's statement and result types; made on first use
    in each process (never shared across a fork)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        dialect = engine.dialect
        compiled = DEVICE_OF_TOKEN.compile(dialect=dialect)
        self._sql = str(compiled)
        self._params = tuple(compiled.positiontup or ())
        self._processors: list[Callable[[Any], Any] | None] = [
            c.type.dialect_impl(dialect).result_processor(dialect, None) for c in _DEVICE_COLUMNS
        ]
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            cargs, cparams = self._engine.dialect.create_connect_args(self._engine.url)
            conn = sqlite3.connect(
                str(cargs[0]), uri=bool(cparams.get("uri")), check_same_thread=False, isolation_level=None
            )
            conn.execute(f"PRAGMA busy_timeout={LOOP_READ_BUSY_MS}")
            conn.execute("PRAGMA query_only=ON")
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def read(self, hashed: str) -> DeviceRow | None:
        """The row (None: unknown or revoked); raises :class:`sqlite3.Error` when the database did not answer
        at once, and :class:`BlockingIOError` while another thread uses the connection."""
        if not self._lock.acquire(blocking=False):
            raise BlockingIOError("the loop's connection is in use")
        try:
            values = {"token_hash": hashed}
            # fetchall: the statement runs to its end, so no read transaction outlives it (none pins the WAL)
            rows = self._connection().execute(self._sql, [values[name] for name in self._params]).fetchall()
        finally:
            self._lock.release()
        if not rows:
            return None
        [raw] = rows  # token_hash is unique
        return DeviceRow(*(v if p is None else p(v) for p, v in zip(self._processors, raw, strict=True)))

    async def fetch(self, hashed: str) -> DeviceRow | None:
        """:meth:`read`, as the loop awaits it (it waits for nothing)."""
        return self.read(hashed)

    async def aclose(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    @classmethod
    def of(cls, db: Database) -> LoopReader | PostgresLoopReader | None:
        """The reader of ``db``: this one for an SQLite file, :class:`PostgresLoopReader` for PostgreSQL,
        None for a database in memory."""
        if db.is_postgres:
            return PostgresLoopReader(db.engine)
        name = db.engine.url.database
        if not db.is_sqlite or not name or name == ":memory:" or "mode=memory" in str(db.engine.url):
            return None
        return cls(db.engine)


class PostgresLoopReader:
    """PostgreSQL: the token's row read on the event loop through an asyncio psycopg connection of its own
    (autocommit: the one statement sees the latest commit), with the engine's statement and result types.
    The loop awaits the answer (it is never blocked by it) and no worker thread is woken. Made on first use
    in each process; a connection that failed is dropped and the request goes the threaded way."""

    def __init__(self, engine: Engine) -> None:
        dialect = engine.dialect
        self._sql = str(DEVICE_OF_TOKEN.compile(dialect=dialect))
        self._processors: list[Callable[[Any], Any] | None] = [
            c.type.dialect_impl(dialect).result_processor(dialect, None) for c in _DEVICE_COLUMNS
        ]
        self._conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._conn: Any = None  # psycopg.AsyncConnection
        self._pid = 0
        self._busy = False

    async def fetch(self, hashed: str) -> DeviceRow | None:
        """The row (None: unknown or revoked); raises :class:`LoopReadFailed` when the database did not
        answer, and :class:`BlockingIOError` while another request waits on the connection."""
        import psycopg

        if self._busy:
            raise BlockingIOError("the loop's connection is in use")
        self._busy = True
        try:
            if self._conn is None or self._conn.closed or self._pid != os.getpid():
                self._conn = await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True, connect_timeout=LOOP_CONNECT_TIMEOUT_SECONDS
                )
                self._pid = os.getpid()
            cursor = await self._conn.execute(self._sql, {"token_hash": hashed})
            rows = await cursor.fetchall()
        except psycopg.Error as exc:
            await self._drop()
            raise LoopReadFailed(str(exc)) from exc
        except BaseException:
            self._conn = None  # cancelled mid-statement: its state is unknown (closed when collected)
            raise
        finally:
            self._busy = False
        if not rows:
            return None
        [raw] = rows  # token_hash is unique
        return DeviceRow(*(v if p is None else p(v) for p, v in zip(self._processors, raw, strict=True)))

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and self._pid == os.getpid():
            with contextlib.suppress(Exception):  # a broken connection may fail to close: it is gone either way
                await conn.close()

    async def aclose(self) -> None:
        await self._drop()


class LoopReadFailed(Exception):
    """The event loop's read of a token did not get an answer (the request goes the threaded way)."""


async def quick_device(scope: Scope, token: str) -> DeviceAuth | None:
    """The device of ``token`` for an answer given before the router, or None when it is refused or cannot
    be told here (the route then answers, checking the token again). Read on the event loop (SQLite:
    :class:`LoopReader`, PostgreSQL: :class:`PostgresLoopReader`), on a worker thread while the loop's
    connection is busy (or for a database in memory); its use recorded on a worker thread when due."""
    app = scope["app"]
    state: ServerState = app.state.gigbag
    reader: LoopReader | PostgresLoopReader | None = getattr(app.state, "token_reader", None)
    token = token.strip()
    if not plausible_token(token):
        return None
    hashed = token_hash(token)
    try:
        row = await reader.fetch(hashed) if reader is not None else None
    except BlockingIOError:  # another request holds the loop's connection
        reader = None
    except (sqlite3.Error, LoopReadFailed):
        return None
    if reader is None:
        row = await run_in_threadpool(_read_device, state.db, hashed)
    if row is None:
        return None
    scope.setdefault("state", {})["user_id"] = row.user_id
    now = utc_now()
    try:
        auth, due = check_device(state.config, row, now)
    except ApiError:
        return None
    if due:
        await run_in_threadpool(record_use, state.db, row.id, now)
    return auth


def _read_device(db: Database, hashed: str) -> DeviceRow | None:
    with db.read() as conn:
        return read_device(conn, hashed)


def account_disabled(status: int = 401) -> ApiError:
    return ApiError(
        status,
        ERR_ACCOUNT_DISABLED,
        "This account is disabled on this server; ask the server's operator.",
        headers={"WWW-Authenticate": "Bearer"} if status == 401 else None,
    )


def token_expired(days: int) -> ApiError:
    return ApiError(
        401,
        ERR_TOKEN_EXPIRED,
        f"This sign-in has expired: it was not used for more than {days} days. Sign in again.",
        headers={"WWW-Authenticate": "Bearer"},
    )


# The parameter type of every route that needs a signed-in device.
Authenticated = Annotated[DeviceAuth, Depends(require_device)]
