"""Running SHA-256s of tus uploads, kept between PATCHes so that the last byte needs no re-read.

A hashlib object cannot be stored in the database, so the hash of an upload's bytes lives in the
memory of the process that received them, next to a stamp of what the store held when the hash
was last fed: the partial file's inode, size and change times, or an S3 upload's part ETags and
tail. A PATCH continues the hash, and the final check uses it, only when the stamp still matches
and the hash covers exactly the bytes the store holds; otherwise (another process wrote, the server
restarted, the stored bytes were changed) the store hashes what it holds again. So the digest
compared with the announced one is always that of the stored bytes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

KEPT = 256  # uploads whose hash one process keeps (the oldest go first: they are re-hashed if continued)


@dataclass
class RunningHash:
    hasher: Any  # hashlib's sha256 object (its type is private)
    position: int  # bytes fed: the first ``position`` bytes of the upload
    stamp: Hashable  # what the store held when the hash was last fed


class RunningHashes:
    """One process's running hashes, by upload id (thread-safe; the upload lock orders PATCHes)."""

    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._items: OrderedDict[str, RunningHash] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, upload_id: str, running: RunningHash) -> None:
        with self._lock:
            self._items[upload_id] = running
            self._items.move_to_end(upload_id)
            while len(self._items) > self._kept:
                self._items.popitem(last=False)

    def take(self, upload_id: str, position: int, stamp: Hashable) -> RunningHash | None:
        """The hash of the upload's first ``position`` bytes if the store still holds what it was fed
        (``stamp``); it is removed either way, so a hash is never continued twice."""
        with self._lock:
            running = self._items.pop(upload_id, None)
        if running is None or running.position != position or running.stamp != stamp:
            return None
        return running

    def forget(self, upload_id: str) -> None:
        with self._lock:
            self._items.pop(upload_id, None)
