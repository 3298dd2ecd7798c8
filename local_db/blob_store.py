"""The content-addressed file store: every blob is kept once, under its SHA-256, in the data folder.

Imports stream in chunks into a temporary file inside the store while hashing, then move into place
by the digest; a name from outside never decides a path here. Memory does not grow with file size.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..schema.canonical import is_sha256_hex

CHUNK_SIZE = 1024 * 1024

Progress = Callable[[int], None]  # bytes done so far


class BlobStoreError(Exception):
    pass


class BlobMissingError(BlobStoreError):
    def __init__(self, sha256: str) -> None:
        super().__init__(f"the content of this file ({sha256[:12]}…) is not on this computer")
        self.sha256 = sha256


class BlobCorruptError(BlobStoreError):
    pass


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    mime_type: str
    duration_seconds: float | None


def guess_mime_type(name: str, head: bytes = b"") -> str:
    """A MIME type from the name, else from the first bytes, else octet-stream."""
    guessed, _ = mimetypes.guess_type(name)
    if guessed:
        return guessed
    signatures = (
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF8", "image/gif"),
        (b"%PDF", "application/pdf"),
        (b"ID3", "audio/mpeg"),
        (b"fLaC", "audio/flac"),
        (b"OggS", "audio/ogg"),
    )
    for magic, mime in signatures:
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    return "application/octet-stream"


def audio_duration(path: Path) -> float | None:
    """Duration in seconds for audio files mutagen understands, else None."""
    try:
        import mutagen

        info = mutagen.File(path)  # type: ignore[attr-defined]
    except Exception:
        return None
    length = getattr(getattr(info, "info", None), "length", None)
    return round(float(length), 3) if length else None


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._tmp = root / "tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)
        # Contents asked for and not found here (:meth:`missing`), and how many of them the sync's last
        # complete look at the store had seen: a sync looks again when another was asked for since.
        self.misses = 0
        self.misses_looked = 0

    def missing(self, sha256: str) -> BlobMissingError:
        """The error for a content asked for that is not here, counted: the next sync looks at the store
        again for what it should hold, and downloads what went missing."""
        self.misses += 1
        return BlobMissingError(sha256)

    def path(self, sha256: str) -> Path:
        if not is_sha256_hex(sha256):
            raise BlobStoreError(f"not a SHA-256 digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def size(self, sha256: str) -> int:
        try:
            return self.path(sha256).stat().st_size
        except FileNotFoundError:
            raise self.missing(sha256) from None

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.path(sha256).open("rb")
        except FileNotFoundError:
            raise self.missing(sha256) from None

    def iter_chunks(self, sha256: str, offset: int = 0, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        with self.open(sha256) as fh:
            fh.seek(offset)
            while chunk := fh.read(chunk_size):
                yield chunk

    def import_file(
        self,
        source: Path,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> StoredBlob:
        """Copy ``source`` into the store (once per content) and describe it."""
        with source.open("rb") as fh:
            head = fh.read(64)
            fh.seek(0)
            sha, size = self._write_stream(fh, progress, cancelled)
        path = self.path(sha)
        mime = guess_mime_type(source.name, head)
        duration = audio_duration(path) if mime.startswith("audio/") or mime == "video/mp4" else None
        return StoredBlob(sha, size, mime, duration)

    def write_stream(
        self,
        stream: BinaryIO,
        expected_sha256: str | None = None,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> str:
        """Store a stream's bytes; with ``expected_sha256`` refuse content whose digest differs."""
        sha, _ = self._write_stream(stream, progress, cancelled, expected_sha256)
        return sha

    def _write_stream(
        self,
        stream: BinaryIO,
        progress: Progress | None,
        cancelled: Callable[[], bool] | None,
        expected_sha256: str | None = None,
    ) -> tuple[str, int]:
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp, prefix="import-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK_SIZE):
                    if cancelled is not None and cancelled():
                        raise BlobStoreError("cancelled")
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                    if progress is not None:
                        progress(size)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            if expected_sha256 is not None and sha != expected_sha256:
                raise BlobCorruptError(
                    f"content does not match its digest (expected {expected_sha256[:12]}…, got {sha[:12]}…)"
                )
            final = self.path(sha)
            if final.is_file():
                tmp.unlink()
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, final)
            return sha, size
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def verify(self, sha256: str) -> bool:
        """Whether the stored content still hashes to its name."""
        digest = hashlib.sha256()
        for chunk in self.iter_chunks(sha256):
            digest.update(chunk)
        return digest.hexdigest() == sha256

    def remove(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def export(self, sha256: str, destination: Path) -> None:
        """Copy a blob out of the store to ``destination`` (streamed)."""
        with self.open(sha256) as src, destination.open("wb") as dst:
            while chunk := src.read(CHUNK_SIZE):
                dst.write(chunk)
