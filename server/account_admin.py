"""The operator's account operations, on the database the server uses (SQLite or PostgreSQL).

These run in their own transactions while server processes keep answering: the same locks as the
routes (the user's counter row, ``BEGIN IMMEDIATE`` on SQLite) keep them apart from a push or an
upload of the same user. :mod:`gigbag.server.admin_commands` is their command line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from gigbag.schema.tiers import TIERS

from . import sync_store
from .accounts import check_password, hash_password, insert_user, normalize_email
from .config import ServerConfig
from .database import Database
from .errors import ApiError
from .tables import (
    blobs,
    daily_uploads,
    devices,
    entities,
    idempotency_keys,
    login_failures,
    uploads,
    user_blobs,
    user_counters,
    users,
)
from .text_fields import clean_name
from .tiers import EffectiveLimits, account_limits

KEEP = object()  # set_limits: leave this limit as it is


class AdminError(Exception):
    """A refusal to show the operator as it is (no such account, a bad value)."""


@dataclass(frozen=True)
class UserSummary:
    email: str
    display_name: str
    tier: str
    disabled: bool
    created_at: dt.datetime
    used_bytes: int
    limits: EffectiveLimits
    devices: int  # signed in now (tokens not revoked)
    last_sync_at: dt.datetime | None


@dataclass(frozen=True)
class Session:
    device_id: str
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    last_sync_at: dt.datetime | None
    state: str  # active | expired | revoked


@dataclass(frozen=True)
class Deleted:
    entities: int
    devices: int
    blobs_removed: list[str]
    blobs_kept: int  # blobs other accounts still have


def _user_id(conn: Connection, email: str) -> str:
    try:
        normalized = normalize_email(email)
    except ApiError:
        raise AdminError(f"{email!r} is not an email address") from None
    user_id = conn.execute(select(users.c.id).where(users.c.email == normalized)).scalar()
    if user_id is None:
        raise AdminError(f"there is no account with the email {normalized}")
    return str(user_id)


def check_tier(tier: str) -> str:
    if tier not in TIERS:
        raise AdminError(f"unknown tier {tier!r}; the tiers are {', '.join(TIERS)}")
    return tier


def add_user(db: Database, email: str, display_name: str | None, password: str, tier: str, now: dt.datetime) -> str:
    check_tier(tier)
    try:
        normalized = normalize_email(email)
        check_password(password)
        name = clean_name(display_name or normalized.split("@")[0], "display_name")
    except ApiError as exc:
        raise AdminError(exc.message) from None
    user_id = str(uuid.uuid4())
    try:
        with db.write() as conn:
            insert_user(conn, user_id, normalized, name, hash_password(password), tier, now)
    except ApiError as exc:
        raise AdminError(exc.message) from None
    return user_id


def list_users(db: Database, config: ServerConfig) -> list[UserSummary]:
    with db.read() as conn:
        used: dict[str, Any] = dict(
            conn.execute(select(user_blobs.c.user_id, func.sum(user_blobs.c.size)).group_by(user_blobs.c.user_id)).all()
        )
        signed_in: dict[str, Any] = dict(
            conn.execute(
                select(devices.c.user_id, func.count())
                .where(devices.c.revoked_at.is_(None), devices.c.token_hash.is_not(None))
                .group_by(devices.c.user_id)
            ).all()
        )
        last_sync: dict[str, Any] = dict(
            conn.execute(select(devices.c.user_id, func.max(devices.c.last_sync_at)).group_by(devices.c.user_id)).all()
        )
        rows = conn.execute(
            select(
                users.c.id, users.c.email, users.c.display_name, users.c.tier, users.c.disabled_at, users.c.created_at
            ).order_by(users.c.email)
        ).all()
        out = []
        for r in rows:
            sync_at = last_sync.get(r.id)
            if isinstance(sync_at, str):  # an aggregate over a SQLite text column comes back as text
                sync_at = dt.datetime.fromisoformat(sync_at).replace(tzinfo=dt.UTC)
            out.append(
                UserSummary(
                    email=r.email,
                    display_name=r.display_name,
                    tier=r.tier,
                    disabled=r.disabled_at is not None,
                    created_at=r.created_at,
                    used_bytes=int(used.get(r.id) or 0),
                    limits=account_limits(conn, config, r.id),
                    devices=int(signed_in.get(r.id) or 0),
                    last_sync_at=sync_at,
                )
            )
    return out


def _update_user(db: Database, email: str, **values: object) -> None:
    with db.write() as conn:
        user_id = _user_id(conn, email)
        conn.execute(update(users).where(users.c.id == user_id).values(**values))


def set_disabled(db: Database, email: str, disabled: bool, now: dt.datetime) -> None:
    _update_user(db, email, disabled_at=now if disabled else None)


def set_tier(db: Database, email: str, tier: str) -> None:
    _update_user(db, email, tier=check_tier(tier))


def set_limits(
    db: Database,
    email: str,
    *,
    storage_quota: object = KEEP,
    daily_upload_limit: object = KEEP,
    max_file: object = KEEP,
) -> None:
    """Per-account limits (bytes, or None: back to the tier's); a limit given as KEEP is left alone."""
    values = {
        column: value
        for column, value in (
            ("storage_quota_bytes", storage_quota),
            ("daily_upload_limit_bytes", daily_upload_limit),
            ("max_file_bytes", max_file),
        )
        if value is not KEEP
    }
    if values:
        _update_user(db, email, **values)


def _revoke_devices(conn: Connection, user_id: str, now: dt.datetime, device_id: str | None = None) -> int:
    query = update(devices).where(devices.c.user_id == user_id, devices.c.revoked_at.is_(None))
    if device_id is not None:
        query = query.where(devices.c.id == device_id)
    return int(conn.execute(query.values(token_hash=None, revoked_at=now)).rowcount)


def reset_password(db: Database, email: str, password: str, now: dt.datetime) -> int:
    """A new password; every token of the account is revoked (returns how many) and its lock-out cleared."""
    try:
        check_password(password)
    except ApiError as exc:
        raise AdminError(exc.message) from None
    password_hash = hash_password(password)
    with db.write() as conn:
        user_id = _user_id(conn, email)
        normalized = conn.execute(select(users.c.email).where(users.c.id == user_id)).scalar_one()
        conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))
        throttle_key = hashlib.sha256(normalized.encode("utf-8")).hexdigest()
        conn.execute(delete(login_failures).where(login_failures.c.email == throttle_key))
        return _revoke_devices(conn, user_id, now)


def sessions(db: Database, config: ServerConfig, email: str, now: dt.datetime) -> list[Session]:
    expiry = config.accounts.token_expiry_days
    with db.read() as conn:
        user_id = _user_id(conn, email)
        rows = conn.execute(select(devices).where(devices.c.user_id == user_id).order_by(devices.c.created_at)).all()
    out = []
    for r in rows:
        last_used = r.last_used_at or r.last_sync_at or r.created_at
        if r.revoked_at is not None:
            state = "revoked"
        elif expiry is not None and now - last_used > dt.timedelta(days=expiry):
            state = "expired"
        else:
            state = "active"
        out.append(Session(r.id, r.name, r.created_at, r.last_used_at, r.last_sync_at, state))
    return out


def revoke(db: Database, email: str, now: dt.datetime, device_id: str | None = None) -> int:
    with db.write() as conn:
        user_id = _user_id(conn, email)
        if device_id is not None:
            known = conn.execute(
                select(devices.c.id).where(devices.c.user_id == user_id, devices.c.id == device_id)
            ).first()
            if known is None:
                raise AdminError(f"{email} has no device {device_id} (see 'gigbag-server user sessions {email}')")
        return _revoke_devices(conn, user_id, now, device_id)


def delete_user(
    db: Database, email: str, remove_blob: Callable[[str], None], remove_partial: Callable[[str], None]
) -> Deleted:
    """Delete the account: entities, tokens, uploads, and the files no other account has."""
    with db.write() as conn:
        user_id = _user_id(conn, email)
        sync_store.lock_counter(conn, user_id)  # waits for the user's push or upload in progress
        shas = list(conn.execute(select(user_blobs.c.sha256).where(user_blobs.c.user_id == user_id)).scalars())
        upload_ids = list(conn.execute(select(uploads.c.id).where(uploads.c.user_id == user_id)).scalars())
        n_entities = conn.execute(
            select(func.count()).select_from(entities).where(entities.c.user_id == user_id)
        ).scalar_one()
        n_devices = conn.execute(
            select(func.count()).select_from(devices).where(devices.c.user_id == user_id)
        ).scalar_one()
        for table in (entities, user_blobs, uploads, daily_uploads, idempotency_keys, devices, user_counters):
            conn.execute(delete(table).where(table.c.user_id == user_id))
        conn.execute(delete(users).where(users.c.id == user_id))
        unreferenced: list[str] = []
        for sha in shas:
            # Lock the blob's row first, so another account's upload of the same content either
            # commits before the count (and keeps it) or waits for this deletion.
            conn.execute(select(blobs.c.sha256).where(blobs.c.sha256 == sha).with_for_update())
            others = conn.execute(
                select(func.count()).select_from(user_blobs).where(user_blobs.c.sha256 == sha)
            ).scalar_one()
            if others == 0:
                conn.execute(delete(blobs).where(blobs.c.sha256 == sha))
                unreferenced.append(sha)
    removed = []
    with db.read() as conn:
        for sha in unreferenced:
            # Content stored again since the commit keeps its file.
            if conn.execute(select(blobs.c.sha256).where(blobs.c.sha256 == sha)).first() is None:
                remove_blob(sha)
                removed.append(sha)
    for upload_id in upload_ids:
        remove_partial(upload_id)
    return Deleted(int(n_entities), int(n_devices), removed, len(shas) - len(unreferenced))
