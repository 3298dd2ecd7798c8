"""What the server needs of a blob store, and the choice between a folder and an S3-compatible bucket.

``--blob-store file:///srv/gigbag/blobs`` (the default: ``DATA_DIR/blobs``) keeps one file per
SHA-256 in a folder (:mod:`gigbag.server.blob_files`); ``--blob-store s3://bucket/prefix`` keeps
one object per SHA-256 in a bucket of any S3-compatible service (:mod:`gigbag.server.blob_s3`).
Both take content as a stream (memory stays at one chunk or one multipart part), make a blob
visible only once its digest is verified, and keep the bytes of a tus upload in progress in the
store itself, so any server process sharing the database and the store can continue it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from .config import ServerConfig


class BlobStoreError(RuntimeError):
    """The store cannot be used (missing bucket or folder, refused credentials, unreachable endpoint)."""


class BlobWriter(Protocol):
    """The content of one ``PUT /v1/blobs``: written in order, hashed as it goes."""

    @property
    def size(self) -> int: ...

    def write(self, data: bytes) -> None: ...

    def hexdigest(self) -> str: ...

    def commit(self, sha256: str) -> None:
        """Make the (verified) content the blob ``sha256``; atomic, idempotent for equal content."""

    def abort(self) -> None:
        """Drop what was written (safe to call after commit: then it does nothing)."""


class UploadAppender(Protocol):
    """Bytes appended to a tus upload by one PATCH, from the offset it was opened at."""

    @property
    def size(self) -> int:
        """The upload's offset including what this appender received so far."""

    def write(self, data: bytes) -> None: ...

    def checkpoint(self) -> int:
        """Make durable what can be made durable now; returns the offset a new process would find."""

    def close(self) -> int:
        """Make every byte received durable (the request ended or was cut); returns the offset.

        The store keeps the running SHA-256 of what it holds (see :mod:`gigbag.server.upload_hashes`)."""


class BlobStore(Protocol):
    description: str  # for logs and errors, never with credentials

    def check(self) -> None:
        """Raise :class:`BlobStoreError` with a sentence when the store does not answer as it should."""

    def exists(self, sha256: str) -> bool: ...

    def size(self, sha256: str) -> int | None:
        """The stored blob's size, None when it is not there."""

    def read_range(self, sha256: str, start: int, end: int) -> Iterator[bytes]:
        """Bytes ``start..end`` (inclusive), in chunks."""

    def new_writer(self, sha256: str) -> BlobWriter:
        """A writer for content announced as ``sha256`` (it becomes that blob only if it matches)."""

    def upload_begin(self, upload_id: str, length: int) -> None:
        """Prepare the store for a new tus upload."""

    def upload_offset(self, upload_id: str, length: int, recorded: int) -> int | None:
        """The offset to continue from (``recorded`` is the database's), None when the store lost it."""

    def upload_append(self, upload_id: str, length: int, offset: int) -> UploadAppender: ...

    def upload_assemble(self, upload_id: str, length: int) -> str:
        """All bytes are in: join them (not yet a blob) and return the SHA-256 of what is stored (from
        the running hash when it still covers exactly the stored bytes, else by reading them back)."""

    def upload_install(self, upload_id: str, sha256: str) -> None:
        """Make an assembled upload the blob ``sha256`` (called once its digest matched)."""

    def upload_discard(self, upload_id: str) -> None:
        """Forget the bytes of an upload (idempotent)."""

    def remove(self, sha256: str) -> None:
        """Delete a stored blob (idempotent): only for blobs no account references any more."""

    def sha256_of(self, sha256: str) -> str:
        """Read the stored blob back and return the SHA-256 of its bytes (``gigbag-server check``)."""


def parse_blob_store_url(url: str) -> tuple[str, str, str]:
    """``file:///path`` → ("file", "", "/path"); ``s3://bucket/prefix`` → ("s3", "bucket", "prefix/")."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"a file: blob store names a local folder (file:///path), not {url!r}")
        if not parts.path:
            raise ValueError("the file: blob store needs a folder: file:///path/to/blobs")
        return "file", "", unquote(parts.path)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError(f"an s3: blob store names a bucket: s3://bucket/prefix, not {url!r}")
        prefix = parts.path.strip("/")
        return "s3", parts.netloc, f"{prefix}/" if prefix else ""
    raise ValueError(f"the blob store must be file:///path or s3://bucket/prefix, not {url!r}")


def open_blob_store(config: ServerConfig) -> BlobStore:
    """The store the configuration names; raises :class:`BlobStoreError` when it cannot be used."""
    kind, bucket, where = parse_blob_store_url(config.blob_store_url)
    if kind == "file":
        from .blob_files import BlobFiles

        try:
            return BlobFiles(Path(where))
        except OSError as exc:
            raise BlobStoreError(f"cannot use the blob folder {where}: {exc.strerror or exc}") from None
    from .blob_s3 import S3BlobStore

    store = S3BlobStore(bucket, where, endpoint_url=config.s3_endpoint_url)
    store.check()
    return store
