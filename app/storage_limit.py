"""The local storage limit, enforced where files enter: a file import, a track import, an import.

``storage_quotas`` holds the bytes used by files (kept by triggers) and the limit. A write that
would take ``used_bytes`` over ``limit_bytes`` is refused with how much is over and what to do; a
write that does not add bytes is never refused, even when the limit was lowered below what is used.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from .errors import GigbagError
from .formatting import format_bytes


class StorageLimitExceeded(GigbagError):
    """Storing this would take the files past the storage limit; nothing was written."""

    def __init__(self, used: int, limit: int, adding: int) -> None:
        self.used, self.limit, self.adding = used, limit, adding
        self.over = used + adding - limit
        super().__init__(
            f"This needs {format_bytes(adding)} but only {format_bytes(max(0, limit - used))} of the "
            f"{format_bytes(limit)} storage limit is free: it is {format_bytes(self.over)} over. Nothing was "
            "added. Delete files you no longer need (or mark large ones cloud-only), then try again."
        )


def usage(session: Session) -> tuple[int, int] | None:
    """``(used_bytes, limit_bytes)`` of this computer, or None when there is no quota row."""
    row = session.execute(text("SELECT used_bytes, limit_bytes FROM storage_quotas WHERE id = 1")).first()
    return None if row is None else (int(row[0]), int(row[1]))


def check_room(session: Session, adding: int) -> None:
    """Refuse ``adding`` more bytes when they would not fit under the limit."""
    found = usage(session)
    if found is None or adding <= 0:
        return
    used, limit = found
    if used + adding > limit:
        raise StorageLimitExceeded(used, limit, adding)


def check_after_write(session: Session, used_before: int) -> None:
    """Inside a transaction that has written files: refuse it if it grew past the limit."""
    found = usage(session)
    if found is None:
        return
    used, limit = found
    if used > used_before and used > limit:
        raise StorageLimitExceeded(used_before, limit, used - used_before)
