"""The errors of sync, each with a sentence the artist (or the command line) can act on.

The HTTP client turns transport failures and error answers into these classes, so the engine, the
headless commands and the UI never look at status codes or httpx exceptions themselves.
"""

from __future__ import annotations

from typing import Any


class SyncError(Exception):
    """Base of every sync failure; ``str(error)`` is the reason shown to the artist."""


class NetworkError(SyncError):
    """The server could not be reached (or the connection kept failing) after every retry."""


class ServerError(SyncError):
    """The server kept answering with a 5xx error after every retry."""


class ProtocolError(SyncError):
    """The server answered with something the protocol does not allow (wrong shape, wrong digest)."""


class RequestRejected(SyncError):
    """A 4xx answer that retrying cannot fix: ``status``, the server's ``code`` and its message."""

    def __init__(self, status: int, code: str, message: str, body: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.body = body or {}


class AuthenticationError(RequestRejected):
    """401: wrong email or password, or the device's token was revoked (sign in again)."""


class QuotaExceeded(RequestRejected):
    """413/429 for a file: the storage quota or the daily upload limit says no."""


class SyncCancelled(SyncError):
    """The artist cancelled; the database is consistent and the next sync continues."""

    def __init__(self) -> None:
        super().__init__("Sync was cancelled; the next sync continues where this one stopped.")


class NotSignedIn(SyncError):
    def __init__(self) -> None:
        super().__init__("This computer is not signed in to a sync server. Run `gigbag login` first.")


class AccountMismatch(SyncError):
    """The local data belongs to another account: one artist's data never reaches another's."""


class KeyringUnavailable(SyncError):
    """No system keyring can hold the device token; the message names the explicit fallback."""


class MassDeleteRefused(SyncError):
    """A pull would delete more than half of the local data and was not confirmed."""

    def __init__(self, deletions: int, total: int) -> None:
        super().__init__(
            f"The server's changes would delete {deletions} of the {total} items on this computer. "
            "Nothing was deleted. If that is what you want, confirm it (on the command line: "
            "`gigbag sync --yes`)."
        )
        self.deletions = deletions
        self.total = total


class DiskFull(SyncError):
    """This computer's disk has no room for what a sync must write; nothing was lost, the next sync continues.

    ``needed`` and ``free`` are in bytes (``needed`` None when not known), ``where`` the folder."""

    @staticmethod
    def size_text(n: int) -> str:
        """Sizes in these sentences: in MB (1024²) with one decimal, as the app's byte sizes read."""
        return f"{n} bytes" if n < 1024 * 1024 else f"{n / (1024 * 1024):.1f} MB"

    def __init__(self, message: str, where: str, needed: int | None = None, free: int | None = None) -> None:
        super().__init__(message)
        self.where = where
        self.needed = needed
        self.free = free
