"""A download's bytes written to its partial file and hashed on worker threads.

Receiving a response is Python work (the HTTP parser, 64 KiB at a time) that holds the interpreter
lock; writing a file and feeding SHA-256 a big block release it. So the receiving thread gathers
blocks and hands each to two worker threads at once, one writing it and one hashing it, while the
next block arrives. Blocks are written in order, and hashed in order, one at a time each; memory
stays at two blocks. After a failed write (or hash) nothing more is handed over: the partial file
holds a prefix of the content, which the next sync continues or removes (the digest notices when it
was fed more than the file holds, and then hashes the file).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, BinaryIO, Protocol

BLOCK_BYTES = 4 * 1024 * 1024


class Digest(Protocol):
    def update(self, chunk: bytearray) -> None: ...


class PartWriter:
    """Appends received chunks to ``out`` and feeds them to ``digest`` (each in the order received).

    Use as a context manager: leaving it hands over what is still gathered (unless a job failed)
    and waits for the workers; a job's error is raised by the next :meth:`write` or by the exit.
    """

    def __init__(self, out: BinaryIO, digest: Digest, block_bytes: int = BLOCK_BYTES) -> None:
        self._out = out
        self._digest = digest
        self._block_bytes = block_bytes
        self._buffer = bytearray()
        self._jobs: list[Future[Any]] = []
        self._failed = False
        self._writing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gigbag-download-write")
        self._hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gigbag-download-hash")

    def __enter__(self) -> PartWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._buffer and not self._failed:
                self._hand_over()
            self._wait()
        finally:
            self._writing.shutdown(wait=True)
            self._hashing.shutdown(wait=True)

    def write(self, chunk: bytes) -> None:
        self._buffer += chunk
        if len(self._buffer) >= self._block_bytes:
            self._hand_over()

    def _hand_over(self) -> None:
        self._wait()
        block, self._buffer = self._buffer, bytearray()  # never changed again: both threads read it
        self._jobs = [self._writing.submit(self._out.write, block), self._hashing.submit(self._digest.update, block)]

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
