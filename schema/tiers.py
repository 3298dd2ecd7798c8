"""The account tiers of the uploads seed (free, pro, enterprise) and what a tier opens.

The server gives every account one tier; the operator sets each tier's limits (see
``gigbag.server.tiers``). The seed's access rule is kept here, on the ground floor, so the server,
the desktop and the shared library all answer "may this tier open a pro-only item?" alike.
"""

from __future__ import annotations

from typing import Literal, get_args

Tier = Literal["free", "pro", "enterprise"]
TIERS: tuple[Tier, ...] = get_args(Tier)
DEFAULT_TIER: Tier = "free"


def is_tier(value: str) -> bool:
    return value in TIERS


def tier_opens_pro_only(tier: str) -> bool:
    """The uploads PRD's check: pro-only items are reachable only for the tiers pro and enterprise."""
    return tier in ("pro", "enterprise")
