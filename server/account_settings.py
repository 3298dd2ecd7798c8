"""The operator's account rules: who may sign up, which tier they get, the tiers' limits, idle tokens.

One frozen :class:`AccountSettings` hangs off :class:`~gigbag.server.config.ServerConfig`; it is
built from the command line and the environment by :mod:`gigbag.server.account_options`. Limits a
tier does not set here fall back to the server-wide options (``--storage-quota``,
``--daily-upload-limit``, ``--max-upload-size``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gigbag.schema.tiers import DEFAULT_TIER

if TYPE_CHECKING:  # pydantic stays out of ``gigbag-server --help``
    from gigbag.schema.wire import LimitName, SignupMode

SIGNUP_MODES: tuple[SignupMode, ...] = ("closed", "invite", "open")
LIMIT_NAMES: tuple[LimitName, ...] = ("storage_quota", "daily_upload_limit", "max_file_size")
DEFAULT_SIGNUP: SignupMode = "closed"
DEFAULT_TOKEN_EXPIRY_DAYS = 90
# The uploads PRD's daily quota (100 MB a day) is the free tier's default; the other tiers have none.
FREE_DAILY_UPLOAD_LIMIT_BYTES = 100 * 1000 * 1000
BUILT_IN_TIER_LIMITS: Mapping[str, Mapping[LimitName, int | None]] = {
    "free": {"daily_upload_limit": FREE_DAILY_UPLOAD_LIMIT_BYTES},
}


def built_in_tier_limits() -> dict[str, dict[LimitName, int | None]]:
    return {tier: dict(limits) for tier, limits in BUILT_IN_TIER_LIMITS.items()}


@dataclass(frozen=True)
class AccountSettings:
    signup: SignupMode = DEFAULT_SIGNUP
    signup_tier: str = DEFAULT_TIER  # the tier of an account made by open sign-up
    token_expiry_days: int | None = DEFAULT_TOKEN_EXPIRY_DAYS  # None: tokens never expire
    # Per tier, the limits the operator set for it (a daily limit may be None: no daily limit).
    tier_limits: Mapping[str, Mapping[LimitName, int | None]] = field(default_factory=built_in_tier_limits)

    @property
    def token_expiry_seconds(self) -> int | None:
        return None if self.token_expiry_days is None else self.token_expiry_days * 24 * 3600
