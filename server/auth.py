"""Bearer tokens: made at sign-in, stored only as SHA-256, resolved to (user, device) per request.

Every route but health, schema, account creation and sign-in depends on :func:`require_device`;
an unknown, revoked or malformed token gets the same 401. A token of a disabled account, and a
token unused for longer than the operator's expiry (default 90 days), get a 401 with their own
code, so the desktop can say why. The token's last use is recorded at most once a minute, so most
requests write nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import or_, select, update

from gigbag.schema.wire import ERR_ACCOUNT_DISABLED, ERR_TOKEN_EXPIRED, ERR_UNAUTHORIZED

from .clock import utc_now
from .errors import ApiError
from .state import ServerState, server_state
from .tables import devices, user_counters, users
from .tiers import tier_limits, with_overrides

bearer_scheme = HTTPBearer(auto_error=False, description="The token returned by POST /v1/sessions")

MAX_TOKEN_LENGTH = 200
# A token's last use is written when the recorded one is older than this.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


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


def require_device(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
) -> DeviceAuth:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized()
    token = credentials.credentials.strip()
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise unauthorized()
    state = server_state(request)
    with state.db.read() as conn:
        row = conn.execute(
            select(
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
            .join(users, users.c.id == devices.c.user_id)
            .outerjoin(user_counters, user_counters.c.user_id == devices.c.user_id)
            .where(devices.c.token_hash == token_hash(token), devices.c.revoked_at.is_(None))
        ).first()
    if row is None:
        raise unauthorized()
    request.state.user_id = row.user_id
    if row.disabled_at is not None:
        raise account_disabled()
    now = utc_now()
    last_used: dt.datetime = row.last_used_at or row.last_sync_at or row.created_at
    expiry_days = state.config.accounts.token_expiry_days
    if expiry_days is not None and now - last_used > dt.timedelta(days=expiry_days):
        raise token_expired(expiry_days)
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        _record_use(state, row.id, now)
    limits = with_overrides(
        tier_limits(state.config, row.tier), row.storage_quota_bytes, row.daily_upload_limit_bytes, row.max_file_bytes
    )
    return DeviceAuth(
        user_id=row.user_id,
        device_id=row.id,
        terms_tag=limits.tag(),
        last_sync_at=row.last_sync_at,
        latest_seq=None if row.last_seq is None else int(row.last_seq),
    )


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


def _record_use(state: ServerState, device_id: str, now: dt.datetime) -> None:
    """Note the token's use (one small write a minute at most, whichever process answers)."""
    with state.db.write() as conn:
        conn.execute(
            update(devices)
            .where(
                devices.c.id == device_id,
                or_(devices.c.last_used_at.is_(None), devices.c.last_used_at < now - LAST_USED_RESOLUTION),
            )
            .values(last_used_at=now)
        )


# The parameter type of every route that needs a signed-in device.
Authenticated = Annotated[DeviceAuth, Depends(require_device)]
