"""The words of sync, for the command line and the desktop alike: outcomes, failures, counts.

One set of sentences: why a sync stopped and what to do (:func:`explain_failure`), which server
limit was reached (:func:`quota_text`), what a finished sync did (:func:`summary_text`), why a
sign-in failed and which field it concerns (:func:`sign_in_problem`, :func:`sign_in_field`), and
what a big deletion would remove (:func:`group_deletions`). Sizes read as :func:`format_bytes` says.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from ..schema.entities import ENTITY_TYPES
from ..schema.wire import (
    ERR_DAILY_UPLOAD_LIMIT_EXCEEDED,
    ERR_EMAIL_TAKEN,
    ERR_INVALID_CREDENTIALS,
    ERR_STORAGE_QUOTA_EXCEEDED,
    ERR_TOO_MANY_ATTEMPTS,
    ERR_UPLOAD_TOO_LARGE,
)
from ..sync.engine import SyncSummary
from ..sync.errors import (
    AccountMismatch,
    AuthenticationError,
    KeyringUnavailable,
    MassDeleteRefused,
    NetworkError,
    NotSignedIn,
    ProtocolError,
    QuotaExceeded,
    RequestRejected,
    ServerError,
    SyncCancelled,
    SyncError,
)
from ..sync.pull import DeletionItem
from .formatting import format_bytes
from .server_check import ServerProblem
from .sync_lock import SyncBusy

# ---- words for things --------------------------------------------------------------------------

#: (singular, plural) of every entity type, as the artist calls them
ENTITY_NAMES: dict[str, tuple[str, str]] = {
    "artists": ("profile", "profiles"),
    "user_preferences": ("preferences", "preferences"),
    "folders": ("folder", "folders"),
    "files": ("file", "files"),
    "tracks": ("track", "tracks"),
    "goals": ("goal", "goals"),
    "goal_progress": ("goal progress entry", "goal progress entries"),
    "timeline_entries": ("timeline entry", "timeline entries"),
    "journal_entries": ("journal entry", "journal entries"),
    "patterns": ("beat pattern", "beat patterns"),
    "contact_lists": ("contact list", "contact lists"),
    "contact_list_members": ("contact", "contacts"),
}


def entity_name(entity_type: str, count: int = 1) -> str:
    singular, plural = ENTITY_NAMES.get(entity_type, (entity_type.replace("_", " "), entity_type.replace("_", " ")))
    return singular if count == 1 else plural


def count_of(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


# ---- signing in ------------------------------------------------------------------------------


def sign_in_problem(exc: BaseException, *, creating: bool = False) -> str:
    """The sentence a sign-in dialog shows for ``exc``."""
    if isinstance(exc, ServerProblem):
        return str(exc)
    if isinstance(exc, AuthenticationError) or (
        isinstance(exc, RequestRejected) and exc.code == ERR_INVALID_CREDENTIALS
    ):
        return (
            "The email or password is wrong for this server. Check both (passwords are case-sensitive), "
            "or tick “Create a new account” if you have none there yet."
        )
    if isinstance(exc, RequestRejected):
        if exc.code == ERR_EMAIL_TAKEN:
            return (
                "An account with this email already exists on this server. Untick “Create a new account” and sign in."
            )
        if exc.code == ERR_TOO_MANY_ATTEMPTS:
            wait = exc.body.get("retry_after_seconds")
            when = f"in {wait} seconds" if isinstance(wait, int) else "in a few minutes"
            return f"Too many wrong passwords for this account. The server accepts a new try {when}."
        said = str(exc.body.get("message") or "")
        if exc.status == 422 or exc.status == 400:
            return f"The server did not accept these details: {said or exc}"
        return str(exc)
    if isinstance(exc, NetworkError):
        return f"{exc}"
    if isinstance(exc, KeyringUnavailable | AccountMismatch | ServerError | ProtocolError):
        return str(exc)
    if isinstance(exc, SyncError):
        return str(exc)
    what = "create the account" if creating else "sign in"
    return f"Could not {what}: {exc or type(exc).__name__}"


SignInField = Literal["keyring", "server", "password", "email", "__root__"]


def sign_in_field(exc: BaseException) -> SignInField:
    """Which part of a sign-in form ``exc`` is about ("__root__": the form as a whole)."""
    if isinstance(exc, KeyringUnavailable):
        return "keyring"
    if isinstance(exc, ServerProblem):
        return "server"
    if isinstance(exc, AuthenticationError) or (
        isinstance(exc, RequestRejected) and exc.code in (ERR_INVALID_CREDENTIALS, ERR_TOO_MANY_ATTEMPTS)
    ):
        return "password"
    if isinstance(exc, RequestRejected) and exc.code == ERR_EMAIL_TAKEN:
        return "email"
    if isinstance(exc, RequestRejected) and "password" in str(exc.body.get("message", "")).lower():
        return "password"
    return "__root__"


# ---- words for the end of a sync ---------------------------------------------------------------

FailureKind = Literal[
    "offline", "server", "sign_in", "quota", "keyring", "account", "mass_delete", "cancelled", "not_signed_in", "other"
]


@dataclass(frozen=True)
class Explanation:
    """Why a sync stopped (``headline``) and what to do about it (``advice``)."""

    kind: FailureKind
    headline: str
    advice: str

    def text(self) -> str:
        return f"{self.headline} {self.advice}".strip()


KEPT = "Nothing was lost: your changes stay on this computer and are sent by the next sync."


def quota_text(exc: QuotaExceeded) -> str:
    """Which limit the server applied and how much room is left under it."""
    body = exc.body
    limit = body.get("limit")
    limit_bytes = body.get("limit_bytes")
    remaining = body.get("remaining_bytes")
    room = format_bytes(remaining) if isinstance(remaining, int) else None
    if exc.code == ERR_STORAGE_QUOTA_EXCEEDED or limit == "storage_quota":
        of = f" of {format_bytes(limit_bytes)}" if isinstance(limit_bytes, int) else ""
        left = f"only {room}{of} is left" if room is not None else "it is full"
        return (
            f"Your storage space on the server is used up: {left}. "
            "Delete files you no longer need, or ask the server's owner for more space."
        )
    if exc.code == ERR_DAILY_UPLOAD_LIMIT_EXCEEDED or limit == "daily_upload_limit":
        of = f" ({format_bytes(limit_bytes)} a day)" if isinstance(limit_bytes, int) else ""
        left = f"{room} can still be uploaded today" if room is not None else "nothing more can be uploaded today"
        return f"The server's daily upload limit{of} is reached: {left}. The rest uploads tomorrow."
    if exc.code == ERR_UPLOAD_TOO_LARGE or limit == "max_upload_size":
        most = format_bytes(limit_bytes) if isinstance(limit_bytes, int) else "its limit"
        return f"A file is larger than the largest file this server accepts ({most})."
    return str(exc)


def explain_failure(exc: BaseException, server_url: str | None = None) -> Explanation:
    where = f" at {server_url}" if server_url else ""
    if isinstance(exc, SyncCancelled):
        return Explanation(
            "cancelled", "Sync cancelled.", "Nothing is lost; the next sync continues where this one stopped."
        )
    if isinstance(exc, NetworkError):
        return Explanation(
            "offline",
            f"Could not reach the sync server{where}.",
            f"Check your internet connection (or whether the server is running), then press Sync again. {KEPT}",
        )
    if isinstance(exc, AuthenticationError):
        return Explanation(
            "sign_in",
            "The server no longer accepts this computer's sign-in (it may have been signed out from another device).",
            f"Sign in again from the account menu. {KEPT}",
        )
    if isinstance(exc, QuotaExceeded):
        return Explanation("quota", quota_text(exc), KEPT)
    if isinstance(exc, KeyringUnavailable):
        return Explanation("keyring", str(exc), "")
    if isinstance(exc, AccountMismatch):
        return Explanation("account", str(exc), "")
    if isinstance(exc, MassDeleteRefused):
        return Explanation(
            "mass_delete",
            f"Sync stopped before deleting {exc.deletions} of the {exc.total} items on this computer.",
            "Nothing was deleted. Press Sync again and confirm if those deletions are what you want.",
        )
    if isinstance(exc, NotSignedIn):
        return Explanation("not_signed_in", "This computer is not signed in to a sync server.", "Sign in first.")
    if isinstance(exc, ServerError):
        return Explanation("server", str(exc), KEPT)
    if isinstance(exc, SyncError):
        return Explanation("other", str(exc), KEPT)
    if isinstance(exc, SyncBusy):
        return Explanation(
            "other",
            "Another Gigbag is syncing this data folder right now.",
            f"Wait for it to finish (or close it), then press Sync again. {KEPT}",
        )
    return Explanation("other", f"Sync failed unexpectedly: {exc or type(exc).__name__}.", KEPT)


# ---- what a sync did ----------------------------------------------------------------------------


def summary_parts(summary: SyncSummary, received: int | None = None) -> list[str]:
    parts: list[str] = []
    received = summary.received if received is None else received
    if summary.pushed:
        parts.append(f"{summary.pushed} sent")
    if received:
        parts.append(f"{received} received")
    if summary.merged:
        parts.append(f"{summary.merged} merged")
    if summary.files_up:
        parts.append(f"{count_of(summary.files_up, 'file')} uploaded")
    if summary.files_down:
        parts.append(f"{count_of(summary.files_down, 'file')} downloaded")
    if summary.open_conflicts:
        parts.append(count_of(summary.open_conflicts, "conflict"))
    return parts


def summary_text(summary: SyncSummary, waiting: int = 0, received: int | None = None) -> str:
    """ "12 sent, 30 received, 2 files uploaded, 1 conflict" (or that nothing needed syncing).

    ``waiting``: local changes still unsent that no conflict holds back (the summary's ``unsent``);
    ``received``: changes from the other computers, when not the summary's own count.
    """
    parts = summary_parts(summary, received)
    text_ = ", ".join(parts) if parts else "Everything was already up to date"
    problems = summary_problems(summary, waiting)
    if problems:
        text_ += " — " + "; ".join(problems)
    return text_


def summary_problems(summary: SyncSummary, waiting: int = 0) -> list[str]:
    """What a finished sync could not do (changes the server refused, files it could not move)."""
    problems: list[str] = []
    if summary.refused:
        reasons = sorted({r.reason for r in summary.refused})
        problems.append(f"{count_of(len(summary.refused), 'change')} not accepted by the server ({reasons[0]})")
    if summary.file_errors:
        problems.append(f"{count_of(len(summary.file_errors), 'file')} could not be downloaded")
    if summary.missing_files:
        problems.append(f"{count_of(len(summary.missing_files), 'file')} missing on every computer")
    waiting -= len(summary.refused)
    if waiting > 0:
        problems.append(f"{count_of(waiting, 'change')} made during the sync wait for the next one")
    return problems


# ---- big deletions -----------------------------------------------------------------------------


def group_deletions(items: Iterable[DeletionItem]) -> list[tuple[str, list[str]]]:
    """[("12 tracks", ["Azúcar", ...]), ...] in the order of the entity types."""
    by_type: dict[str, list[str]] = {}
    for item in items:
        by_type.setdefault(item.entity_type, []).append(item.label)
    return [
        (count_of(len(labels), entity_name(t), entity_name(t, 2)), sorted(labels, key=str.casefold))
        for t, labels in sorted(by_type.items(), key=lambda kv: list(ENTITY_TYPES).index(kv[0]))
    ]
