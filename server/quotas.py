"""Per-user file quotas: the storage quota, the daily upload limit and the largest file.

The limits are the account's (its tier's, or its own overrides: :mod:`gigbag.server.tiers`); the
usage is computed from the database (blobs the user owns, uploads in progress, bytes uploaded
today), and checked again under the user's counter lock when a file is recorded, so several
server processes enforce one limit. A refusal is 413 (storage, or a file over the size limit) or
429 (daily limit, with Retry-After until the next UTC midnight), with a body naming the limit and
the bytes left under it.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import NoReturn

from sqlalchemy import Connection, func, select, update

from gigbag.schema.wire import (
    ERR_DAILY_UPLOAD_LIMIT_EXCEEDED,
    ERR_STORAGE_QUOTA_EXCEEDED,
    ERR_UPLOAD_TOO_LARGE,
    StorageUsage,
)

from .clock import utc_now
from .config import ServerConfig
from .database import insert_ignoring_conflict
from .errors import ApiError
from .tables import blobs, daily_uploads, uploads, user_blobs
from .tiers import EffectiveLimits, account_limits


def human_size(n: int) -> str:
    for unit, size in (("GB", 1000**3), ("MB", 1000**2), ("kB", 1000)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def used_bytes(conn: Connection, user_id: str) -> int:
    return int(
        conn.execute(
            select(func.coalesce(func.sum(user_blobs.c.size), 0)).where(user_blobs.c.user_id == user_id)
        ).scalar_one()
    )


def _pending(conn: Connection, user_id: str, now: dt.datetime, *, today_only: bool, exclude: str | None) -> int:
    query = select(func.coalesce(func.sum(uploads.c.length), 0)).where(
        uploads.c.user_id == user_id, uploads.c.state == "active", uploads.c.expires_at > now
    )
    if today_only:
        query = query.where(uploads.c.created_at >= _midnight(now))
    if exclude is not None:
        query = query.where(uploads.c.id != exclude)
    return int(conn.execute(query).scalar_one())


def _midnight(now: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(now.date(), dt.time(), tzinfo=dt.UTC)


def uploaded_today(conn: Connection, user_id: str, now: dt.datetime) -> int:
    value = conn.execute(
        select(daily_uploads.c.bytes).where(daily_uploads.c.user_id == user_id, daily_uploads.c.day == now.date())
    ).scalar()
    return int(value or 0)


def storage_usage(conn: Connection, config: ServerConfig, user_id: str, now: dt.datetime) -> StorageUsage:
    used = used_bytes(conn, user_id)
    limits = account_limits(conn, config, user_id)
    limit = limits.daily_upload_limit_bytes
    today = uploaded_today(conn, user_id, now)
    return StorageUsage(
        used_bytes=used,
        quota_bytes=limits.storage_quota_bytes,
        remaining_bytes=max(0, limits.storage_quota_bytes - used),
        daily_upload_limit_bytes=limit,
        uploaded_today_bytes=today,
        daily_remaining_bytes=None if limit is None else max(0, limit - today),
    )


def allowed_bytes(conn: Connection, config: ServerConfig, user_id: str) -> int:
    """The most bytes one new file of this user may have (room left, and the largest file)."""
    limits = account_limits(conn, config, user_id)
    return min(limits.storage_quota_bytes - used_bytes(conn, user_id), limits.max_file_bytes)


def check_size_limit(limits: EffectiveLimits, size: int) -> None:
    if size > limits.max_file_bytes:
        raise ApiError(
            413,
            ERR_UPLOAD_TOO_LARGE,
            f"This file ({human_size(size)}) is larger than the largest file your account may store "
            f"({human_size(limits.max_file_bytes)}).",
            limit="max_upload_size",
            limit_bytes=limits.max_file_bytes,
            used_bytes=0,
            remaining_bytes=limits.max_file_bytes,
            tier=limits.tier,
        )


def check_room(
    conn: Connection,
    config: ServerConfig,
    user_id: str,
    size: int,
    now: dt.datetime,
    *,
    exclude_upload: str | None = None,
    count_daily: bool = True,
) -> None:
    """Refuse (413/429) a new file of ``size`` bytes that would break a quota.

    Uploads in progress count as if finished (so two parallel uploads cannot both take the last
    gigabyte); ``exclude_upload`` is the upload being completed, already counted in ``size``.
    """
    limits = account_limits(conn, config, user_id)
    check_size_limit(limits, size)
    used = used_bytes(conn, user_id) + _pending(conn, user_id, now, today_only=False, exclude=exclude_upload)
    quota = limits.storage_quota_bytes
    if used + size > quota:
        raise _storage_quota_error(size, used, quota, limits.tier)
    limit = limits.daily_upload_limit_bytes
    if limit is None or not count_daily:
        return
    today = uploaded_today(conn, user_id, now) + _pending(conn, user_id, now, today_only=True, exclude=exclude_upload)
    if today + size > limit:
        left = max(0, limit - today)
        retry_after = max(1, math.ceil((_midnight(now) + dt.timedelta(days=1) - now).total_seconds()))
        raise ApiError(
            429,
            ERR_DAILY_UPLOAD_LIMIT_EXCEEDED,
            f"This file ({human_size(size)}) is over today's upload limit: {human_size(today)} of "
            f"{human_size(limit)} uploaded today, {human_size(left)} left. The limit resets at midnight UTC.",
            headers={"Retry-After": str(retry_after)},
            limit="daily_upload_limit",
            limit_bytes=limit,
            used_bytes=today,
            remaining_bytes=left,
            tier=limits.tier,
        )


def _storage_quota_error(size: int, used: int, quota: int, tier: str) -> ApiError:
    left = max(0, quota - used)
    return ApiError(
        413,
        ERR_STORAGE_QUOTA_EXCEEDED,
        f"This file ({human_size(size)}) does not fit in your storage: {human_size(used)} of "
        f"{human_size(quota)} used, {human_size(left)} left.",
        limit="storage_quota",
        limit_bytes=quota,
        used_bytes=used,
        remaining_bytes=left,
        tier=tier,
    )


def refuse_oversize(conn: Connection, config: ServerConfig, user_id: str, size: int) -> NoReturn:
    """A body of unannounced length grew past what the user may store: raise the limit it broke."""
    check_room(conn, config, user_id, size, utc_now(), count_daily=False)
    limits = account_limits(conn, config, user_id)
    raise _storage_quota_error(size, used_bytes(conn, user_id), limits.storage_quota_bytes, limits.tier)


def owns(conn: Connection, user_id: str, sha256: str) -> int | None:
    """The blob's size when the user owns it, else None."""
    size = conn.execute(
        select(user_blobs.c.size).where(user_blobs.c.user_id == user_id, user_blobs.c.sha256 == sha256)
    ).scalar()
    return None if size is None else int(size)


def record_blob(conn: Connection, user_id: str, sha256: str, size: int, now: dt.datetime) -> bool:
    """Record that the user owns a blob whose file is in place; count it today. False if owned already.

    The caller holds the user's counter lock and has called :func:`check_room`.
    """
    conn.execute(insert_ignoring_conflict(conn, blobs).values(sha256=sha256, size=size, created_at=now))
    if owns(conn, user_id, sha256) is not None:
        return False
    conn.execute(user_blobs.insert().values(user_id=user_id, sha256=sha256, size=size, created_at=now))
    conn.execute(insert_ignoring_conflict(conn, daily_uploads).values(user_id=user_id, day=now.date(), bytes=0))
    conn.execute(
        update(daily_uploads)
        .where(daily_uploads.c.user_id == user_id, daily_uploads.c.day == now.date())
        .values(bytes=daily_uploads.c.bytes + size)
    )
    return True
