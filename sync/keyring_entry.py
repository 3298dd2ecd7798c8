"""Where a device token lives in the system keyring: the service and the entry (standard library only).

:mod:`.account` stores and reads tokens there; ``gigbag sync``'s quick no-op path
(:mod:`gigbag.app.quick_sync`) reads the same entry without loading the account's database models.
"""

from __future__ import annotations

KEYRING_SERVICE = "gigbag"


def keyring_user(server_url: str, user_id: str, device_id: str) -> str:
    """The keyring entry of one device's token: per server and user, and per device, because several
    data folders on one computer may be signed in to the same account as separate devices."""
    return f"{user_id}/{device_id}@{server_url}"
