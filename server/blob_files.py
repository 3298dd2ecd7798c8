"""The folder blob store (``file:///path``): one file per SHA-256, shared by all users on disk.

Who may read a blob is recorded in the database (``user_blobs``), never inferred from the file.
Incoming content streams into a temporary file inside the folder while it is hashed, and moves
into place atomically only once its digest is verified; so a file at a blob's path is always
complete and correct, and several server processes can share the folder. A tus upload in
progress is a partial file in ``.uploads/``, its length the offset reached (fsync before the
database records it); its running SHA-256 stays in the memory of the process that wrote it
(:mod:`gigbag.server.upload_hashes`), stamped with the file's inode, size and change times, so the
last PATCH needs no second read unless someone else changed the file in between.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO

from gigbag.schema.canonical import is_sha256_hex

from .upload_hashes import RunningHash, RunningHashes

CHUNK_SIZE = 1024 * 1024
SEND_BYTES = 4 * 1024 * 1024  # blocks of a download: each costs a thread hop and a write to the socket
READ_BYTES = 4 * 1024 * 1024  # blocks of a re-hash
STALE_TEMP_SECONDS = 24 * 3600
PARALLEL_HASH_BYTES = 256 * 1024  # blocks from this size are hashed on another thread while they are written
_NEW = object()  # IncomingFile's default: a new hash
_HASHING = ThreadPoolExecutor(max_workers=4, thread_name_prefix="gigbag-blob-hash")


class BlobFiles:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.description = f"folder {root}"
        self.tmp_dir = root / ".tmp"
        self.partial_dir = root / ".uploads"
        self.hashes = RunningHashes()
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

    def size(self, sha256: str) -> int | None:
        try:
            return self.path(sha256).stat().st_size
        except FileNotFoundError:
            return None

    def check(self) -> None:
        from .blob_store import BlobStoreError

        probe = self.tmp_dir / f"ready-{os.getpid()}.probe"
        try:
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise BlobStoreError(f"the blob folder {self.root} is not writable: {exc.strerror or exc}") from None

    def new_writer(self, sha256: str) -> FileBlobWriter:
        path, f = self.new_temp()
        return FileBlobWriter(self, path, f)

    def upload_begin(self, upload_id: str, length: int) -> None:
        self.hashes.forget(upload_id)
        self.partial_path(upload_id).touch()

    def upload_offset(self, upload_id: str, length: int, recorded: int) -> int | None:
        try:
            size = self.partial_path(upload_id).stat().st_size
        except FileNotFoundError:
            return None
        # bytes past the recorded offset were never fsynced before being counted: dropped
        return min(size, recorded)

    def upload_append(self, upload_id: str, length: int, offset: int) -> FileUploadAppender:
        partial = self.partial_path(upload_id)
        f = open(partial, "r+b")  # noqa: SIM115 - closed by the appender
        # the stamp before truncating: truncate changes the file's times even at the same size
        running = self.hashes.take(upload_id, offset, file_stamp(f.fileno()))
        if os.fstat(f.fileno()).st_size != offset:
            f.truncate(offset)
        f.seek(offset)
        hasher = running.hasher if running is not None else hashlib.sha256() if offset == 0 else None
        incoming = IncomingFile(partial, f, hasher=hasher, size=offset)
        return FileUploadAppender(incoming, lambda stamp: self._keep_hash(upload_id, incoming, stamp))

    def _keep_hash(self, upload_id: str, incoming: IncomingFile, stamp: tuple[int, ...]) -> None:
        if incoming.hasher is not None:
            self.hashes.keep(upload_id, RunningHash(incoming.hasher, incoming.size, stamp))

    def upload_assemble(self, upload_id: str, length: int) -> str:
        partial = self.partial_path(upload_id)
        with open(partial, "r+b") as f:
            running = self.hashes.take(upload_id, length, file_stamp(f.fileno()))
            if os.fstat(f.fileno()).st_size != length:
                f.truncate(length)
        if running is not None:
            return str(running.hasher.hexdigest())
        return hash_file(partial)  # another process (or none) hashed the bytes: read them back

    def upload_install(self, upload_id: str, sha256: str) -> None:
        self.hashes.forget(upload_id)
        self.install(self.partial_path(upload_id), sha256)

    def upload_discard(self, upload_id: str) -> None:
        self.hashes.forget(upload_id)
        remove_quietly(self.partial_path(upload_id))

    def remove(self, sha256: str) -> None:
        remove_quietly(self.path(sha256))

    def sha256_of(self, sha256: str) -> str:
        return hash_file(self.path(sha256))

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
        with open(self.path(sha256), "rb", buffering=0) as f:
            f.seek(start)
            remaining = end - start + 1
            while remaining > 0:
                chunk = f.read(min(SEND_BYTES, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                yield chunk


class IncomingFile:
    """A file being written in order, hashed as it goes (``hasher`` None: no running hash)."""

    def __init__(self, path: Path, f: BinaryIO, *, hasher: Any = _NEW, size: int = 0) -> None:
        self.path = path
        self.file = f
        self.hasher = hashlib.sha256() if hasher is _NEW else hasher
        self.size = size

    def write(self, data: bytes) -> None:
        self.write_chunks([data])

    def write_chunks(self, chunks: list[bytes]) -> None:
        """Write received pieces in order without joining them; the hash of a big write runs on another
        thread meanwhile (both release the GIL)."""
        size = sum(map(len, chunks))
        if self.hasher is None:
            self._put(chunks)
        else:
            hashing = _HASHING.submit(_feed, self.hasher, chunks) if size >= PARALLEL_HASH_BYTES else None
            try:
                self._put(chunks)
            except BaseException:
                self.hasher = None  # it was fed bytes the file may not hold: the stored bytes are hashed later
                raise
            finally:
                if hashing is not None:
                    hashing.result()
            if hashing is None:
                _feed(self.hasher, chunks)
        self.size += size

    def _put(self, chunks: list[bytes]) -> None:
        if len(chunks) == 1:
            self.file.write(chunks[0])
        else:
            self.file.writelines(chunks)

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


class FileBlobWriter:
    """A PUT's content in a temporary file of the folder, moved into place once verified."""

    def __init__(self, files: BlobFiles, path: Path, f: BinaryIO) -> None:
        self.files = files
        self.incoming = IncomingFile(path, f)

    @property
    def size(self) -> int:
        return self.incoming.size

    def write(self, data: bytes) -> None:
        self.incoming.write(data)

    def hexdigest(self) -> str:
        return self.incoming.hexdigest()

    def commit(self, sha256: str) -> None:
        self.incoming.sync()
        self.incoming.close()
        self.files.install(self.incoming.path, sha256)

    def abort(self) -> None:
        self.incoming.close()
        remove_quietly(self.incoming.path)


class FileUploadAppender:
    """Appends to a partial file; a checkpoint is an fsync. Closing hands the running hash (if
    any) to ``keep`` with the file's stamp after the last write."""

    checkpoints_alongside_writes = True  # an fsync makes durable what was written before it began

    def __init__(self, incoming: IncomingFile, keep: Callable[[tuple[int, ...]], None]) -> None:
        self.incoming = incoming
        self._keep = keep

    @property
    def size(self) -> int:
        return self.incoming.size

    def write(self, data: bytes) -> None:
        self.incoming.write(data)

    def write_chunks(self, chunks: list[bytes]) -> None:
        self.incoming.write_chunks(chunks)

    def checkpoint(self) -> int:
        written = self.incoming.size  # before the fsync: bytes written meanwhile are not counted
        self.incoming.sync()
        return written

    def close(self) -> int:
        try:
            self.incoming.sync()
            self._keep(file_stamp(self.incoming.file.fileno()))
        finally:
            self.incoming.close()
        return self.incoming.size


def _feed(hasher: Any, chunks: list[bytes]) -> None:
    for chunk in chunks:
        hasher.update(chunk)


def file_stamp(fd: int) -> tuple[int, ...]:
    """What changes whenever a file's bytes change through the file system (ctime cannot be set back)."""
    st = os.fstat(fd)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb", buffering=0) as f:
        buffer = bytearray(READ_BYTES)
        view = memoryview(buffer)
        while n := f.readinto(buffer):
            digest.update(view[:n])
    return digest.hexdigest()


def remove_quietly(path: Path) -> None:
    path.unlink(missing_ok=True)
