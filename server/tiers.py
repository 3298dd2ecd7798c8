"""The limits in force for one account: its tier's (as the operator configured them), or its own.

Precedence, per limit: the account's override (``gigbag-server user set-quota``) over the tier's
setting (``--tier-limit``, or the free tier's built-in 100 MB a day) over the server-wide option
(``--storage-quota``, ``--daily-upload-limit``, ``--max-upload-size``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import Connection, select

from gigbag.schema.tiers import DEFAULT_TIER
from gigbag.schema.wire import AccountLimits, LimitName

from .config import ServerConfig
from .tables import users


@dataclass(frozen=True)
class EffectiveLimits:
    tier: str
    storage_quota_bytes: int
    daily_upload_limit_bytes: int | None  # None: no daily limit
    max_file_bytes: int
    overridden: tuple[LimitName, ...] = ()  # the limits set for this account itself

    def wire(self) -> AccountLimits:
        return AccountLimits(
            storage_quota_bytes=self.storage_quota_bytes,
            daily_upload_limit_bytes=self.daily_upload_limit_bytes,
            max_file_bytes=self.max_file_bytes,
        )

    def tag(self) -> str:
        """A short fingerprint of these terms: it changes whenever the tier, a limit or an override does."""
        text = f"{self.tier}|{self.storage_quota_bytes}|{self.daily_upload_limit_bytes}|{self.max_file_bytes}"
        return hashlib.sha256(f"{text}|{','.join(self.overridden)}".encode()).hexdigest()[:16]


def tier_limits(config: ServerConfig, tier: str) -> EffectiveLimits:
    """A tier's limits, before any account's override."""
    configured = config.accounts.tier_limits.get(tier, {})
    quota = configured.get("storage_quota")
    max_file = configured.get("max_file_size")
    daily = configured.get("daily_upload_limit", config.daily_upload_limit_bytes)
    return EffectiveLimits(
        tier=tier,
        storage_quota_bytes=quota if quota is not None else config.storage_quota_bytes,
        daily_upload_limit_bytes=daily,
        max_file_bytes=max_file if max_file is not None else config.max_upload_bytes,
    )


def with_overrides(
    base: EffectiveLimits, storage_quota: int | None, daily_upload_limit: int | None, max_file: int | None
) -> EffectiveLimits:
    overridden: list[LimitName] = []
    if storage_quota is not None:
        overridden.append("storage_quota")
    if daily_upload_limit is not None:
        overridden.append("daily_upload_limit")
    if max_file is not None:
        overridden.append("max_file_size")
    return EffectiveLimits(
        tier=base.tier,
        storage_quota_bytes=storage_quota if storage_quota is not None else base.storage_quota_bytes,
        daily_upload_limit_bytes=(
            daily_upload_limit if daily_upload_limit is not None else base.daily_upload_limit_bytes
        ),
        max_file_bytes=max_file if max_file is not None else base.max_file_bytes,
        overridden=tuple(overridden),
    )


def account_limits(conn: Connection, config: ServerConfig, user_id: str) -> EffectiveLimits:
    row = conn.execute(
        select(
            users.c.tier, users.c.storage_quota_bytes, users.c.daily_upload_limit_bytes, users.c.max_file_bytes
        ).where(users.c.id == user_id)
    ).first()
    if row is None:
        return tier_limits(config, DEFAULT_TIER)
    return with_overrides(
        tier_limits(config, row.tier), row.storage_quota_bytes, row.daily_upload_limit_bytes, row.max_file_bytes
    )
