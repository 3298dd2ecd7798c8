"""Fetching pull pages one ahead, on a thread: the server renders page n+1 while this computer checks
and applies page n.

One request at a time, on the sync's one connection, in order: the thread asks for the page after the
last one it received, as a sequential loop would, and asks for page n+1 only once the consumer has
taken page n (so a refused page costs at most one request more). The consumer sees the pages in
order, and an error (network, protocol, cancel) where its page would have come. Nothing here touches
the database: the stored cursor moves only when the consumer has applied and committed a page.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator

from .pull_answer import PullPage

_POLL = 0.1  # seconds between looks at the stop flag while waiting


class PageFetcher:
    """``fetch(since)`` for each page after ``since`` until one says it is the last; iterate for the pages."""

    def __init__(self, fetch: Callable[[int], PullPage], since: int) -> None:
        self._fetch = fetch
        self._pages: queue.SimpleQueue[PullPage | BaseException] = queue.SimpleQueue()
        self._may_ask = threading.Semaphore(1)  # released each time the consumer takes a page
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(since,), name="gigbag-pull-pages", daemon=True)

    def __enter__(self) -> PageFetcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop asking and wait for the request in flight, if any (the connection is the caller's)."""
        self._stop.set()
        self._thread.join()

    def _run(self, since: int) -> None:
        try:
            while self._wait_turn():
                page = self._fetch(since)
                self._pages.put(page)
                if not page.has_more:
                    return
                since = page.cursor
        except BaseException as exc:  # handed to the consumer, raised where its page would have come
            self._pages.put(exc)

    def _wait_turn(self) -> bool:
        while not self._stop.is_set():
            if self._may_ask.acquire(timeout=_POLL):
                return not self._stop.is_set()
        return False

    def __iter__(self) -> Iterator[PullPage]:
        while True:
            item = self._pages.get()
            if isinstance(item, BaseException):
                raise item
            self._may_ask.release()
            yield item
            if not item.has_more:
                return
