"""Progress events and cancellation of a sync, as plain Python objects (the UI turns them into signals).

The engine reports each step as a :class:`ProgressEvent` (phase, items done of total, bytes done of
total) to a callback, and checks a :class:`CancelToken` between steps and between file chunks; a
cancelled sync stops at the next check with :class:`~gigbag.sync.errors.SyncCancelled`, leaving only
committed transactions behind.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from .errors import SyncCancelled

Phase = Literal["push", "upload", "pull", "apply", "merge", "download", "done"]


@dataclass(frozen=True)
class ProgressEvent:
    phase: Phase
    done: int = 0
    total: int | None = None  # None when not known yet
    bytes_done: int = 0
    bytes_total: int | None = None
    message: str = ""  # the blob's SHA-256 for file events
    name: str = ""  # the file name the artist knows, for file events


ProgressCallback = Callable[[ProgressEvent], None]


def no_progress(_event: ProgressEvent) -> None:
    """The callback used when nobody listens."""


class CancelToken:
    """Set from any thread with :meth:`cancel`; the sync thread calls :meth:`check` between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise SyncCancelled()

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (a retry's back-off) but wake up at once when cancelled."""
        deadline = time.monotonic() + max(0.0, seconds)
        while True:
            self.check()
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._event.wait(min(left, 0.25))
