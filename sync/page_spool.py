"""Where a pull keeps the pages it fetched until it knows it may apply them: memory first, then a file.

A pull that could delete most of the local data holds every page before applying what is not yet
applied (``pull.Puller._spool_then_apply``). Most pulls are a few pages, applied as they came, and the spool
is never read back; pickling each page anyway cost as much as a tenth of a 5,000-edit pull. So the first
pages are kept as they are, up to :data:`IN_MEMORY` of their data's text; the pages after those are
pickled into a temporary file, so memory stays bounded however long the pull. The pages are read back in
the order they came. What is kept in memory is the very objects the pull applied: nothing changes them
(a ``Version`` is a tuple, and applying it copies its data before changing anything).
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from types import TracebackType
from typing import IO, Generic, TypeVar

# Of data text: as Python objects a page takes about four times its text (the 5,000 edits of a pull: 1 MB).
IN_MEMORY = 2 * 1024 * 1024
PER_CHANGE = 200  # bytes counted for a change besides its data's text: its key, checksum and tuples

_Page = TypeVar("_Page")


class PageSpool(Generic[_Page]):
    """Pages appended one by one, read back from the ``start``-th in their order."""

    def __init__(self, in_memory: int = IN_MEMORY) -> None:
        self._budget = in_memory
        self._held: list[_Page] = []
        self._file: IO[bytes] | None = None
        self._filed = 0

    def __enter__(self) -> PageSpool[_Page]:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def append(self, page: _Page, size: int) -> None:
        """Keep ``page``, whose data's text is ``size`` bytes (or characters) long."""
        if self._file is None and size <= self._budget:
            self._budget -= size
            self._held.append(page)
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 - closed by close(), on leaving
        self._budget = -1  # once a page went to the file, every later one does: their order is kept
        self._file.seek(0, 2)
        pickle.dump(page, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._filed += 1

    def pages(self, start: int = 0) -> Iterator[_Page]:
        """The pages from the ``start``-th (0: the first) on, in the order they were appended."""
        yield from self._held[start:]
        if self._file is None:
            return
        self._file.seek(0)
        for index in range(len(self._held), len(self._held) + self._filed):
            page = pickle.load(self._file)  # written by append, above: this process's own temporary file
            if index >= start:
                yield page

    def close(self) -> None:
        self._held = []
        if self._file is not None:
            self._file.close()
            self._file = None


def page_size(texts: list[str | None]) -> int:
    """What :meth:`PageSpool.append` counts for a page whose changes' data texts are ``texts``."""
    return sum(map(len, filter(None, texts))) + PER_CHANGE * len(texts)
