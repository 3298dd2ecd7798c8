"""What a sync did, as the command line and the UI read it (standard library only).

Kept apart from the engine so that ``gigbag sync``'s quick no-op path (:mod:`gigbag.app.quick_sync`)
reports with the very same summary without loading the engine's database and HTTP libraries.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .push import Refusal


@dataclass
class SyncSummary:
    """What a sync did, for the command line (``to_dict`` for --json) and the UI."""

    pushed: int = 0  # changes the server applied
    pulled: int = 0  # changes the server sent (this sync's own pushes are left out; earlier ones may come back)
    received: int = 0  # changes from the other computers (what the artist calls "received")
    merged: int = 0  # server versions merged with local edits
    new_conflicts: int = 0
    open_conflicts: int = 0
    files_up: int = 0
    bytes_up: int = 0
    files_down: int = 0
    bytes_down: int = 0
    pending: int = 0  # local changes still waiting (edits made during the sync, refused ones, held ones)
    unsent: int = 0  # of those, the ones no open conflict holds back: the next sync sends them
    push_requests: int = 0
    pull_requests: int = 0
    replayed_batches: int = 0
    refused: list[Refusal] = field(default_factory=list)
    orphans: list[tuple[str, str]] = field(default_factory=list)
    unusable: list[tuple[tuple[str, str], str]] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)
    file_errors: list[tuple[str, str]] = field(default_factory=list)
    uploaded_files: list[str] = field(default_factory=list)  # names of the files sent, in order
    downloaded_files: list[str] = field(default_factory=list)
    not_uploaded: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)
    reuploaded_files: list[str] = field(default_factory=list)  # the server had lost them: sent again
    # Titles of what the lists above name, for the words: "entity_type/entity_id" or a blob's
    # SHA-256 -> "Azúcar" (a file name for a blob).
    labels: dict[str, str] = field(default_factory=dict)
    # The server's fingerprint of the account's tier and limits as of this sync's pull (None: not sent);
    # when it differs from the one kept with the account's terms, the desktop reads the terms again.
    account_terms_tag: str | None = None
    # Whether a change sent or received can refer to a file's content (a file, the profile): a file uploaded
    # by another computer, or taken from the shared library, may have moved the account's storage use.
    file_refs_moved: bool = False

    @property
    def complete(self) -> bool:
        """Whether everything was sent and received: no refused change, no file left behind, no
        server version this computer could not use. Only a complete sync counts as "Last synced"."""
        return not (self.refused or self.not_uploaded or self.file_errors or self.unusable)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "complete": self.complete}
