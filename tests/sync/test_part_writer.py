"""A download's blocks are written and hashed in order on worker threads; a failed write stops the rest."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from gigbag.sync.part_writer import PartWriter


class _Digest:
    def __init__(self) -> None:
        self.hasher = hashlib.sha256()

    def update(self, chunk: bytes) -> None:
        self.hasher.update(chunk)


def test_writes_and_hashes_every_chunk_in_order() -> None:
    chunks = [os.urandom(n) for n in (1, 700, 4096, 10_000, 3, 65_536, 5)]
    out, digest = io.BytesIO(), _Digest()
    with PartWriter(out, digest, block_bytes=8192) as writer:
        for chunk in chunks:
            writer.write(chunk)
    assert out.getvalue() == b"".join(chunks)
    assert digest.hasher.hexdigest() == hashlib.sha256(b"".join(chunks)).hexdigest()


def test_a_failed_write_is_raised_and_nothing_after_it_is_written() -> None:
    class FailingOut(io.BytesIO):
        writes = 0

        def write(self, data: object) -> int:
            self.writes += 1
            if self.writes == 2:
                raise OSError(28, "No space left on device")
            return super().write(data)  # type: ignore[arg-type]

    out = FailingOut()
    with pytest.raises(OSError, match="No space"), PartWriter(out, _Digest(), block_bytes=4) as writer:
        for _ in range(10):
            writer.write(b"abcd")
    assert out.getvalue() == b"abcd"
    assert out.writes == 2


def test_the_bytes_received_before_an_error_are_kept() -> None:
    out, digest = io.BytesIO(), _Digest()
    with pytest.raises(ConnectionError), PartWriter(out, digest, block_bytes=1 << 20) as writer:
        writer.write(b"received")
        raise ConnectionError("cut")
    assert out.getvalue() == b"received"
    assert digest.hasher.hexdigest() == hashlib.sha256(b"received").hexdigest()
