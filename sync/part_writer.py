"""A download's bytes written to its partial file and hashed on worker threads.

Receiving a response is Python work that holds the interpreter lock; writing a file and feeding
SHA-256 a big block release it. So the receiving thread fills a block and hands it to two worker
threads at once, one writing it and one hashing it, while the next block arrives. Blocks are
written in order, and hashed in order, one at a time each; memory stays at two blocks. Received
bytes come either as chunks (:meth:`PartWriter.write`, gathered into a block) or straight into a
free block (:meth:`PartWriter.block` then :meth:`PartWriter.hand_over_block`, no copy): the two
blocks are allocated once and reused. After a failed write (or hash) nothing more is handed over:
the partial file holds a prefix of the content, which the next sync continues or removes (the
digest notices when it was fed more than the file holds, and then hashes the file).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, BinaryIO, Protocol

BLOCK_BYTES = 4 * 1024 * 1024


class Digest(Protocol):
    def update(self, chunk: memoryview) -> None: ...


class PartWriter:
    """Appends received bytes to ``out`` and feeds them to ``digest`` (each in the order received).

    Use as a context manager: leaving it hands over what is still gathered (unless a job failed)
    and waits for the workers; a job's error is raised by the next hand-over or by the exit.
    """

    def __init__(self, out: BinaryIO, digest: Digest, block_bytes: int = BLOCK_BYTES) -> None:
        self._out = out
        self._digest = digest
        self._block_bytes = block_bytes
        self._blocks = [bytearray(block_bytes), bytearray(block_bytes)]
        self._current = 0  # the block being filled; the other one is the workers' (or free)
        self._gathered = 0  # bytes of the current block filled by write()
        self._jobs: list[Future[Any]] = []
        self._failed = False
        self._writing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gigbag-download-write")
        self._hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gigbag-download-hash")

    def __enter__(self) -> PartWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._gathered and not self._failed:
                self.hand_over_block(self._gathered)
            self._wait()
        finally:
            self._writing.shutdown(wait=True)
            self._hashing.shutdown(wait=True)

    def write(self, chunk: bytes | bytearray | memoryview) -> None:
        """Gather a received chunk (copied into the current block); full blocks are handed over."""
        data = memoryview(chunk)
        while len(data):
            take = min(len(data), self._block_bytes - self._gathered)
            self._blocks[self._current][self._gathered : self._gathered + take] = data[:take]
            self._gathered += take
            data = data[take:]
            if self._gathered == self._block_bytes:
                self.hand_over_block(self._gathered)

    def block(self) -> memoryview:
        """The free block to receive into (whole; nothing gathered by :meth:`write` may be in it)."""
        if self._gathered:
            raise RuntimeError("the current block holds gathered chunks: hand them over first")
        return memoryview(self._blocks[self._current])

    def hand_over_block(self, length: int) -> None:
        """Write and hash the current block's first ``length`` bytes; the other block becomes current
        once its own jobs are done (so it may be overwritten)."""
        self._wait()
        self._gathered = 0
        if not length or self._failed:
            return
        view = memoryview(self._blocks[self._current])[:length]  # untouched until its jobs are done
        self._jobs = [self._writing.submit(self._out.write, view), self._hashing.submit(self._digest.update, view)]
        self._current ^= 1

    def _wait(self) -> None:
        jobs, self._jobs = self._jobs, []
        error: BaseException | None = None
        for job in jobs:  # both, even when the first failed: no thread may still touch the file or the digest
            try:
                job.result()
            except BaseException as exc:
                error = error or exc
        if error is not None:
            self._failed = True
            raise error
