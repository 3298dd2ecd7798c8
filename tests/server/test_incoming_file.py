"""Incoming content is hashed as it is written (big blocks on another thread); a failed write drops the hash."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from gigbag.server.blob_files import PARALLEL_HASH_BYTES, IncomingFile


def test_big_and_small_blocks_are_hashed_in_order(tmp_path: Path) -> None:
    blocks = [os.urandom(n) for n in (10, PARALLEL_HASH_BYTES, 3, 2 * PARALLEL_HASH_BYTES + 1)]
    with (tmp_path / "in.part").open("wb") as f:
        incoming = IncomingFile(tmp_path / "in.part", f)
        for block in blocks:
            incoming.write(block)
    assert incoming.size == sum(map(len, blocks))
    assert incoming.hexdigest() == hashlib.sha256(b"".join(blocks)).hexdigest()
    assert (tmp_path / "in.part").read_bytes() == b"".join(blocks)


def test_a_failed_big_write_leaves_no_running_hash(tmp_path: Path) -> None:
    class Full(io.BytesIO):
        def write(self, data: object) -> int:
            raise OSError(28, "No space left on device")

    incoming = IncomingFile(tmp_path / "in.part", Full())
    with pytest.raises(OSError, match="No space"):
        incoming.write(os.urandom(PARALLEL_HASH_BYTES))
    assert incoming.hasher is None  # the stored bytes are hashed again, never this hash
    assert incoming.size == 0


def test_received_pieces_are_written_and_hashed_in_order_without_joining(tmp_path: Path) -> None:
    pieces = [os.urandom(n) for n in (65_536, 7, 200_000, 1)]
    with (tmp_path / "in.part").open("wb") as f:
        incoming = IncomingFile(tmp_path / "in.part", f)
        incoming.write(b"head")
        incoming.write_chunks(pieces)
    assert incoming.size == 4 + sum(map(len, pieces))
    assert incoming.hexdigest() == hashlib.sha256(b"head" + b"".join(pieces)).hexdigest()
    assert (tmp_path / "in.part").read_bytes() == b"head" + b"".join(pieces)


def test_a_failed_write_of_pieces_leaves_no_running_hash(tmp_path: Path) -> None:
    class Full(io.BytesIO):
        def write(self, data: object) -> int:
            raise OSError(28, "No space left on device")

        def writelines(self, lines: object) -> None:
            raise OSError(28, "No space left on device")

    incoming = IncomingFile(tmp_path / "in.part", Full())
    with pytest.raises(OSError, match="No space"):
        incoming.write_chunks([os.urandom(1000), os.urandom(1000)])
    assert incoming.hasher is None
    assert incoming.size == 0
