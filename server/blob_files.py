"""The server's content-addressed blob folder: one file per SHA-256, shared by all users on disk.

Who may read a blob is recorded in the database (``user_blobs``), never inferred from the file.
Incoming content streams into a temporary file inside the folder while it is hashed, and moves
into place atomically only once its digest is verified; so a file at a blob's path is always
complete and correct, and several server processes can share the folder.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from gigbag.schema.canonical import is_sha256_hex

CHUNK_SIZE = 1024 * 1024
STALE_TEMP_SECONDS = 24 * 3600


class BlobFiles:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp_dir = root / ".tmp"
        self.partial_dir = root / ".uploads"
        for d in (self.root, self.tmp_dir, self.partial_dir):
            d.mkdir(parents=True, exist_ok=True)
        self.remove_stale_temps()

    def remove_stale_temps(self, older_than: float = STALE_TEMP_SECONDS) -> None:
        """Delete temporary files a killed process left (old enough that no process still writes them)."""
        cutoff = time.time() - older_than
        for path in self.tmp_dir.glob("in-*.part"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except FileNotFoundError:
                pass

    def path(self, sha256: str) -> Path:
        if not is_sha256_hex(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def new_temp(self) -> tuple[Path, BinaryIO]:
        fd, name = tempfile.mkstemp(dir=self.tmp_dir, prefix="in-", suffix=".part")
        return Path(name), os.fdopen(fd, "wb")

    def install(self, source: Path, sha256: str) -> None:
        """Move verified content into place (atomic; a file already there has the same content)."""
        target = self.path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)

    def partial_path(self, upload_id: str) -> Path:
        if not upload_id.isalnum():
            raise ValueError("bad upload id")
        return self.partial_dir / f"{upload_id}.part"

    def read_range(self, sha256: str, start: int, end: int) -> Iterator[bytes]:
        """Bytes ``start..end`` (inclusive) of a blob, in chunks; memory stays at one chunk."""
        with open(self.path(sha256), "rb") as f:
            f.seek(start)
            remaining = end - start + 1
            while remaining > 0:
                chunk = f.read(min(CHUNK_SIZE, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                yield chunk


class IncomingFile:
    """A file being written in order, hashed as it goes (``hasher`` None: no running hash)."""

    def __init__(self, path: Path, f: BinaryIO, *, hashing: bool = True, size: int = 0) -> None:
        self.path = path
        self.file = f
        self.hasher = hashlib.sha256() if hashing else None
        self.size = size

    def write(self, data: bytes) -> None:
        self.file.write(data)
        if self.hasher is not None:
            self.hasher.update(data)
        self.size += len(data)

    def sync(self) -> None:
        """Make the bytes written so far durable (before their count is recorded anywhere)."""
        self.file.flush()
        os.fsync(self.file.fileno())

    def close(self) -> None:
        if not self.file.closed:
            self.file.close()

    def hexdigest(self) -> str:
        if self.hasher is None:
            raise RuntimeError("no running hash")
        return self.hasher.hexdigest()


def hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def remove_quietly(path: Path) -> None:
    path.unlink(missing_ok=True)
