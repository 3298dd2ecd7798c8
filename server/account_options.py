"""The command-line options (and environment variables) of the operator's account rules.

``gigbag-server`` and its ``user``/``invite`` commands share them, so an admin command computes the
same limits as the running server. Tier limits are ``TIER.LIMIT=VALUE`` items:

    --tier-limit free.quota=5GB --tier-limit free.daily=100MB --tier-limit pro.max-file=20GB
    GIGBAG_TIER_LIMITS="free.quota=5GB free.daily=100MB pro.daily=off"

LIMIT is ``quota`` (storage), ``daily`` (bytes uploaded per UTC day; ``off`` for none) or
``max-file`` (largest single file). A limit a tier does not set is the server-wide option's.
"""

from __future__ import annotations

import argparse
import os
import re

from gigbag.schema.tiers import TIERS

from .account_settings import (
    DEFAULT_SIGNUP,
    DEFAULT_TOKEN_EXPIRY_DAYS,
    SIGNUP_MODES,
    AccountSettings,
    built_in_tier_limits,
)
from .config import parse_size

_LIMIT_ALIASES = {
    "quota": "storage_quota",
    "storage": "storage_quota",
    "storage_quota": "storage_quota",
    "daily": "daily_upload_limit",
    "daily_upload_limit": "daily_upload_limit",
    "max_file": "max_file_size",
    "max_file_size": "max_file_size",
}
_OFF = ("off", "none", "unlimited")


def parse_tier_limits(items: list[str]) -> dict[str, dict[str, int | None]]:
    """``["free.quota=5GB", "pro.daily=off"]`` → ``{"free": {"storage_quota": 5e9}, "pro": {...}}``."""
    out: dict[str, dict[str, int | None]] = {}
    for item in items:
        match = re.fullmatch(r"\s*([a-z]+)\.([a-z_-]+)\s*=\s*(\S+)\s*", item.lower())
        if match is None:
            raise ValueError(
                f"not a tier limit: {item!r} (examples: free.quota=5GB, free.daily=100MB, pro.max-file=20GB)"
            )
        tier, raw_name, raw_value = match.groups()
        if tier not in TIERS:
            raise ValueError(f"unknown tier {tier!r} in {item!r}; the tiers are {', '.join(TIERS)}")
        name = _LIMIT_ALIASES.get(raw_name.replace("-", "_"))
        if name is None:
            raise ValueError(f"unknown limit {raw_name!r} in {item!r}; the limits are quota, daily, max-file")
        value: int | None
        if raw_value in _OFF:
            if name != "daily_upload_limit":
                raise ValueError(f"{item!r}: only the daily limit can be off")
            value = None
        else:
            value = parse_size(raw_value)
        out.setdefault(tier, {})[name] = value
    return out


def _split_env(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", text) if part]


def _tier_limit(text: str) -> str:
    try:
        parse_tier_limits([text])
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _expiry_days(text: str) -> int:
    if text.strip().lower() in _OFF or text.strip() == "0":
        return 0
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"not a number of days: {text!r} (0 or 'off': never)")
    return int(text)


def add_account_options(parser: argparse.ArgumentParser, *, signup: bool = True) -> None:
    """The options of the account rules (``signup``: also who may sign up; the admin commands skip those)."""
    env = os.environ.get
    group = parser.add_argument_group("accounts and tiers")
    if signup:
        group.add_argument(
            "--signup",
            choices=SIGNUP_MODES,
            default=env("GIGBAG_SIGNUP", DEFAULT_SIGNUP),
            help="who may create an account with POST /v1/accounts: nobody (closed; the operator "
            "adds users with 'gigbag-server user add'), holders of an invite code ('gigbag-server "
            f"invite create'), or anyone (open) (GIGBAG_SIGNUP; default {DEFAULT_SIGNUP})",
        )
        group.add_argument(
            "--signup-tier",
            choices=TIERS,
            default=env("GIGBAG_SIGNUP_TIER", "free"),
            help="the tier of an account made by open sign-up; an invite carries its own "
            "(GIGBAG_SIGNUP_TIER; default free)",
        )
    group.add_argument(
        "--token-expiry-days",
        type=_expiry_days,
        default=_expiry_days(env("GIGBAG_TOKEN_EXPIRY_DAYS", str(DEFAULT_TOKEN_EXPIRY_DAYS))),
        help="a token unused this many days stops working (the device signs in again); "
        f"0 or off: never (GIGBAG_TOKEN_EXPIRY_DAYS; default {DEFAULT_TOKEN_EXPIRY_DAYS})",
    )
    group.add_argument(
        "--tier-limit",
        type=_tier_limit,
        action="append",
        default=[],
        metavar="TIER.LIMIT=VALUE",
        help="a limit of one tier, repeatable: free.quota=5GB, free.daily=100MB (off: none), "
        "pro.max-file=20GB; added to GIGBAG_TIER_LIMITS (space-separated items). Unset limits are "
        "the server-wide --storage-quota, --daily-upload-limit, --max-upload-size; when "
        "--daily-upload-limit is not given, the free tier's daily limit is 100MB",
    )


def account_settings_from_args(args: argparse.Namespace, *, daily_limit_given: bool) -> AccountSettings:
    """The settings of the parsed options; ``daily_limit_given``: a server-wide daily limit was set,
    so it replaces the free tier's built-in 100 MB a day. Raises ValueError for a bad GIGBAG_TIER_LIMITS."""
    tier_limits = built_in_tier_limits() if not daily_limit_given else {}
    items = _split_env(os.environ.get("GIGBAG_TIER_LIMITS", "")) + list(args.tier_limit)
    for tier, limits in parse_tier_limits(items).items():
        tier_limits.setdefault(tier, {}).update(limits)  # type: ignore[arg-type]
    days = args.token_expiry_days
    return AccountSettings(
        signup=getattr(args, "signup", DEFAULT_SIGNUP),
        signup_tier=getattr(args, "signup_tier", "free"),
        token_expiry_days=days or None,
        tier_limits=tier_limits,  # type: ignore[arg-type]
    )
