"""Moving file contents (blobs, named by SHA-256) between the local file store and the server.

Uploads ask first (HEAD): a blob the server already holds is never sent again. Small blobs go in one
streamed PUT, several at once (``ensure_all_uploaded``: each costs the server an fsync of the file and a
commit, which one at a time left both sides waiting; 4,000 small files took 105 s); large ones by tus
(creation + core), in PATCHes of a bounded size, with the upload's URL kept in ``blob_transfers`` so that
an upload cut at any point — by the network, a crash or a kill — continues from the bytes the server
holds. Downloads stream into a partial file in the store's ``tmp`` folder and resume with a Range
request; they are hashed while they are written (a resumed one hashes its partial file first), and the
content moves into the store only after its SHA-256 has been checked, so a file is either complete and
correct or shown as missing, never corrupt. Small ones come down several at once too
(``_download_all``), when the disk has room for all of them with some to spare: one at a time, each
is refused before it starts when it does not fit, which several in flight together could not promise.
Memory stays at a few chunks, whatever the file's size.

Files the artist marks cloud-only (``cloud_only_files``) are not downloaded by sync; they come
down on demand.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..local_db.blob_store import BlobStore, BlobStoreError
from ..local_db.database import read_session, transaction
from ..local_db.models import File
from ..local_db.sync_tables import BlobTransfer, CloudOnlyFile
from ..schema.entities import blob_refs
from ..schema.fields import utc_now
from . import noop_rules
from .client import RetryPolicy, SyncClient
from .driver_read import driver_read
from .errors import (
    AuthenticationError,
    DiskFull,
    NetworkError,
    ProtocolError,
    RequestRejected,
    ServerError,
    SyncCancelled,
    SyncError,
)
from .http_import import httpx
from .part_writer import PartWriter
from .progress import CancelToken, ProgressCallback, ProgressEvent
from .socket_body import body_socket, receive_body

TUS_THRESHOLD = 8 * 1024 * 1024  # blobs from this size upload resumably
UPLOADS_AT_ONCE = 4  # small blobs in flight together (each a HEAD, then a PUT, on a connection of its own)
DOWNLOADS_AT_ONCE = 4  # small blobs coming down together (each a GET, an fsync and three small commits)
ROOM_TO_SPARE = 64 * 1024 * 1024  # downloads come down together only when the disk has room for all and this
PATCH_SIZE = 256 * 1024 * 1024  # bytes per tus PATCH (the server records its offset every 16 MiB within one)
READ_BYTES = 4 * 1024 * 1024  # blocks read from a file being uploaded (sent as they are: no re-chunking)
PROGRESS_BYTES = 1024 * 1024  # a download reports its progress about this often
SOCKET_BODY_BYTES = 1024 * 1024  # downloads from this size are received straight from the socket

log = logging.getLogger(__name__)

# PATCH answers after which the upload continues from the offset the server reports (HEAD):
# gone (404/410: start a new upload), offset mismatch (409), locked by a request still writing (423).
RESUMABLE_PATCH_ANSWERS = (404, 409, 410, 423)
NO_SPACE_ERRNOS = (errno.ENOSPC, errno.EDQUOT)

# ``blob_transfers`` rows with this direction record when the server was last seen holding a blob of
# this computer (after an upload, a download or a checked HEAD); ``blob_audit`` checks the oldest again.
VERIFIED = noop_rules.VERIFIED

_TRANSFERS = BlobTransfer.__table__  # type: ignore[attr-defined]
_CLOUD_ONLY = CloudOnlyFile.__table__  # type: ignore[attr-defined]


@dataclass
class BlobReport:
    uploaded: int = 0
    bytes_up: int = 0  # bytes sent and received: a resumed transfer counts only what moved this time
    downloaded: int = 0
    bytes_down: int = 0
    missing: list[str] = field(default_factory=list)  # neither on this computer nor on the server
    uploaded_names: list[str] = field(default_factory=list)  # file names, in the order they went up
    downloaded_names: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (sha256, reason): not downloaded
    not_uploaded: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)
    reuploaded: list[str] = field(default_factory=list)  # names of files the server had lost, sent again


class _PartDigest:
    """The SHA-256 of a partial download, fed as it is written; a write that does not continue
    what was fed (a resumed or restarted download) hashes the partial file's first bytes again."""

    def __init__(self) -> None:
        self._hasher = hashlib.sha256()
        self._position = 0

    def start(self, part: Path, offset: int) -> None:
        if offset == self._position:
            return
        self._hasher, self._position = hashlib.sha256(), 0
        if offset:
            self._feed_from(part, offset)

    def update(self, chunk: bytes | bytearray | memoryview) -> None:
        self._hasher.update(chunk)
        self._position += len(chunk)

    def hexdigest(self, part: Path) -> str:
        size = part.stat().st_size
        if size != self._position:  # never fed as written (should not happen): hash the file itself
            self._hasher, self._position = hashlib.sha256(), 0
            self._feed_from(part, size)
        return str(self._hasher.hexdigest())

    def _feed_from(self, part: Path, length: int) -> None:
        with part.open("rb", buffering=0) as fh:
            while self._position < length and (block := fh.read(min(READ_BYTES, length - self._position))):
                self.update(block)


def wanted_blobs(db: Engine) -> set[str]:
    """Blobs this computer should hold: those of its files (but cloud-only ones) and of the profile."""
    with driver_read(db) as conn:
        return _wanted(conn.execute(noop_rules.WANTED_BLOBS_SQL).fetchall())


def _wanted(rows: list[Any]) -> set[str]:
    """The blobs named by the rows of ``WANTED_BLOBS_SQL`` (a file's column is NOT NULL: its digest)."""
    wanted: set[str] = set()
    for kind, first, second in rows:
        if kind == "files":
            wanted.add(first)
        else:
            wanted |= blob_refs("artists", {"avatar_url": first, "banner_url": second})
    return wanted


class BlobSync:
    def __init__(
        self,
        db: Engine,
        blobs: BlobStore,
        client: SyncClient,
        progress: ProgressCallback,
        cancel: CancelToken,
        *,
        tus_threshold: int = TUS_THRESHOLD,
        patch_size: int = PATCH_SIZE,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.client = client
        self.progress = progress
        self.cancel = cancel
        self.tus_threshold = tus_threshold
        self.patch_size = patch_size
        self.retry = retry or client.retry
        self.report = BlobReport()
        self._names: dict[str, str] = {}
        self._sizes: dict[str, int | None] = {}  # sizes of downloads, as the server announced them
        self._report_lock = threading.Lock()  # uploads run on several threads (ensure_all_uploaded)
        self._sending = threading.local()  # bytes the upload on this thread has counted in report.bytes_up

    def name_of(self, sha256: str) -> str:
        """The file name the artist knows for a blob (the first one, if several files share it)."""
        if sha256 not in self._names:
            files = File.__table__.c  # type: ignore[attr-defined]
            with read_session(self.db) as s:
                query = select(files.filename).where(files.blob_sha256 == sha256).order_by(files.filename)
                name = s.scalars(query.limit(1)).first()
            self._names[sha256] = name or f"file {sha256[:8]}…"
        return self._names[sha256]

    # ---- bookkeeping of transfers ------------------------------------------------------------
    def _transfer(self, sha256: str, direction: str) -> BlobTransfer | None:
        with read_session(self.db) as s:
            return s.get(BlobTransfer, (sha256, direction))

    def _save_transfer(self, sha256: str, direction: str, url: str | None, done: int) -> None:
        values = {"upload_url": url, "bytes_done": done, "updated_at": utc_now()}
        stmt = sqlite_insert(_TRANSFERS).values(sha256=sha256, direction=direction, **values)
        stmt = stmt.on_conflict_do_update(index_elements=[_TRANSFERS.c.sha256, _TRANSFERS.c.direction], set_=values)
        with transaction(self.db) as s:
            s.execute(stmt)

    def _mark_verified(self, sha256: str, size: int) -> None:
        """Record that the server was seen holding the blob now (see ``blob_audit``)."""
        self._save_transfer(sha256, VERIFIED, None, size)

    def _clear_transfer(self, sha256: str, direction: str) -> None:
        with transaction(self.db) as s:
            s.execute(delete(_TRANSFERS).where(_TRANSFERS.c.sha256 == sha256, _TRANSFERS.c.direction == direction))

    # ---- uploads -------------------------------------------------------------------------------
    def _chunks(self, sha256: str, offset: int, length: int, done: Callable[[int], None]) -> Iterator[bytes]:
        with self.blobs.open(sha256) as fh:
            fh.seek(offset)
            left = length
            while left > 0:
                self.cancel.check()
                chunk = fh.read(min(READ_BYTES, left))
                if not chunk:
                    raise BlobStoreError(f"the file {sha256[:12]}… changed while it was being uploaded")
                left -= len(chunk)
                done(len(chunk))
                yield chunk

    def ensure_uploaded(self, sha256: str) -> bool:
        """Make sure the server holds the blob; True when it was sent now. Safe on several threads at once."""
        size = self.blobs.size(sha256) if self.blobs.has(sha256) else None
        if self.client.blob_exists(sha256, size):
            if size is not None:
                self._mark_verified(sha256, size)
            return False
        if size is None:
            with self._report_lock:
                self.report.missing.append(sha256)
            return False
        self._sending.counted = 0
        try:
            if size < self.tus_threshold:
                self._put(sha256, size)
            else:
                self._tus(sha256, size)
        except RequestRejected as exc:
            with self._report_lock:
                if not isinstance(exc, AuthenticationError):
                    said = exc.body.get("message") if isinstance(exc.body.get("message"), str) else None
                    self.report.not_uploaded.append((self.name_of(sha256), said or str(exc)))
                self.report.bytes_up -= self._sending.counted  # refused: the server did not keep what went out
            raise
        with self._report_lock:
            self.report.uploaded += 1
            self.report.uploaded_names.append(self.name_of(sha256))
        self._mark_verified(sha256, size)
        log.info("uploaded %s (%d bytes)", sha256[:12], size)
        return True

    def ensure_all_uploaded(self, shas: Sequence[str]) -> dict[str, RequestRejected]:
        """:meth:`ensure_uploaded` for each of ``shas``, the small ones (one PUT each) :data:`UPLOADS_AT_ONCE` at a
        time, the others one by one after them; each refused blob with its refusal (the storage quota, the daily
        limit, content the server judged damaged). Any other error (the network, the sign-in, a cancel) is
        raised once the uploads in flight have ended, and no new one starts."""
        refused: dict[str, RequestRejected] = {}

        def one(sha: str) -> None:
            try:
                self.ensure_uploaded(sha)
            except RequestRejected as exc:
                if isinstance(exc, AuthenticationError):
                    raise
                refused[sha] = exc

        small = [sha for sha in shas if self._small_here(sha)]
        if len(small) > 1:
            at_once = set(small)
            rest = [sha for sha in shas if sha not in at_once]
            failure, _ = self._at_once(small, one, UPLOADS_AT_ONCE, "gigbag-upload")
            if failure is not None:
                raise failure
        else:
            rest = list(shas)
        for sha in rest:
            self.cancel.check()
            one(sha)
        return refused

    @staticmethod
    def _at_once(
        shas: Sequence[str], work: Callable[[str], None], threads: int, name: str
    ) -> tuple[BaseException | None, list[str]]:
        """``work`` for each of ``shas`` on up to ``threads`` threads, in order; after the first error none
        starts. That error (once the ones in flight have ended) and the blobs never started."""
        with ThreadPoolExecutor(threads, thread_name_prefix=name) as pool:
            futures = {pool.submit(work, sha): sha for sha in shas}
            failure: BaseException | None = None
            for future in as_completed(futures):
                if future.cancelled():  # not started: a transfer before it failed
                    continue
                error = future.exception()
                if error is not None and failure is None:
                    failure = error
                    for left in futures:
                        left.cancel()
        return failure, [sha for future, sha in futures.items() if future.cancelled()]

    def _small_here(self, sha256: str) -> bool:
        """Whether the blob is here and small enough for one PUT."""
        try:
            return self.blobs.has(sha256) and self.blobs.size(sha256) < self.tus_threshold
        except BlobStoreError:
            return False

    def _reporter(self, sha256: str, size: int, start: int) -> Callable[[int], None]:
        state = {"done": start}

        def done(n: int) -> None:
            state["done"] += n
            self._sending.counted += n
            event = ProgressEvent(
                "upload", bytes_done=state["done"], bytes_total=size, message=sha256, name=self.name_of(sha256)
            )
            with self._report_lock:  # the progress callback too sees one upload's event at a time
                self.report.bytes_up += n  # bytes actually sent (a resumed upload sends only the rest)
                self.progress(event)

        return done

    def _put(self, sha256: str, size: int) -> None:
        self.client.put_blob(sha256, size, lambda: self._chunks(sha256, 0, size, self._reporter(sha256, size, 0)))

    def _tus(self, sha256: str, size: int) -> None:
        transfer = self._transfer(sha256, "up")
        url = transfer.upload_url if transfer is not None else None
        offset = self.client.tus_offset(url) if url else None
        if url is None or offset is None:
            url, offset = self.client.tus_create(sha256, size)
            self._save_transfer(sha256, "up", url, offset)
        failures = 0
        while offset < size:
            self.cancel.check()
            length = min(self.patch_size, size - offset)
            try:
                offset = self.client.tus_patch(
                    url, offset, length, self._chunks(sha256, offset, length, self._reporter(sha256, size, offset))
                )
                failures = 0
            except (NetworkError, ServerError, RequestRejected) as exc:
                if isinstance(exc, AuthenticationError):
                    raise
                if isinstance(exc, RequestRejected) and exc.status not in RESUMABLE_PATCH_ANSWERS:
                    raise
                failures += 1
                if failures >= self.retry.attempts:
                    raise
                self.cancel.sleep(self.retry.backoff(failures - 1))
                held = self.client.tus_offset(url)
                if held is None:  # the server forgot the upload: start it again
                    url, held = self.client.tus_create(sha256, size)
                offset = held
            self._save_transfer(sha256, "up", url, offset)
        self._clear_transfer(sha256, "up")

    # ---- downloads -----------------------------------------------------------------------------
    def _part_path(self, sha256: str) -> Path:
        tmp = self.blobs.root / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return tmp / f"download-{sha256}.part"

    def download(self, sha256: str) -> bool:
        """Fetch one blob into the store (resuming a partial download); False when the server lacks it."""
        if self.blobs.has(sha256):
            return True
        self.blobs.path(sha256)  # refuses a malformed digest before anything touches the disk
        part = self._part_path(sha256)
        self._save_transfer(sha256, "down", None, part.stat().st_size if part.exists() else 0)
        digest = _PartDigest()
        failures = 0
        while True:
            self.cancel.check()
            try:
                if not self._fetch_into(sha256, part, digest):
                    self._clear_transfer(sha256, "down")
                    return False
                break
            except OSError as exc:
                if exc.errno not in NO_SPACE_ERRNOS:
                    raise
                raise self._no_room(sha256, part) from exc
            except (httpx.TransportError, NetworkError, ServerError) as exc:
                failures += 1
                if failures >= self.retry.attempts:
                    if isinstance(exc, httpx.TransportError):
                        raise NetworkError(
                            f"The download of a file kept failing ({exc}); sync again to resume it."
                        ) from exc
                    raise
                self.cancel.sleep(self.retry.backoff(failures - 1))
        if digest.hexdigest(part) != sha256:
            part.unlink(missing_ok=True)
            self._clear_transfer(sha256, "down")
            raise ProtocolError(f"The file {sha256[:12]}… came down damaged (its SHA-256 differs); it was discarded.")
        target = self.blobs.path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(part, target)
        self._clear_transfer(sha256, "down")
        self._mark_verified(sha256, target.stat().st_size)
        name = self.name_of(sha256)
        with self._report_lock:
            self.report.downloaded += 1
            self.report.downloaded_names.append(name)
        log.info("downloaded %s", sha256[:12])
        return True

    def _fetch_into(self, sha256: str, part: Path, digest: _PartDigest) -> bool:
        offset = part.stat().st_size if part.exists() else 0
        with self.client.download(sha256, offset) as response:
            if response.status_code == 404:
                with self._report_lock:
                    self.report.missing.append(sha256)
                return False
            if response.status_code == 416:  # the partial file is not a prefix the server can continue
                part.unlink(missing_ok=True)
                raise ServerError("The server could not continue a partial download; it starts again.")
            if response.status_code == 200:
                offset = 0  # the server sent the whole content
            announced = response.headers.get("Content-Length")
            length = int(announced) if announced and announced.isdigit() else None
            self._sizes[sha256] = offset + length if length is not None else None
            if length is not None and shutil.disk_usage(part.parent).free < length:
                raise OSError(errno.ENOSPC, "not enough free space for the download", str(part))
            self._receive(response, sha256, part, digest, offset, length)
        return True

    def _receive(
        self, response: httpx.Response, sha256: str, part: Path, digest: _PartDigest, offset: int, length: int | None
    ) -> None:
        """The body of ``response`` appended to ``part`` from ``offset``, hashed as written, then synced."""
        total = offset + length if length is not None else None
        progress = {"done": offset, "reported": offset}
        name = self.name_of(sha256)

        def received(n: int) -> None:
            self.cancel.check()
            done = progress["done"] = progress["done"] + n
            report = done - progress["reported"] >= PROGRESS_BYTES or done == total
            if report:
                progress["reported"] = done
            with self._report_lock:  # downloads run on several threads (_download_all)
                self.report.bytes_down += n
                if report:
                    event = ProgressEvent("download", bytes_done=done, bytes_total=total, message=sha256, name=name)
                    self.progress(event)

        sock = body_socket(response) if length is not None and length >= SOCKET_BODY_BYTES else None
        with part.open("ab" if offset else "wb") as out:
            digest.start(part, offset)
            with PartWriter(out, digest) as writer:
                if sock is not None and length is not None:
                    receive_body(response.iter_raw(), sock, length, writer, received, self.client.read_timeout)
                else:
                    for chunk in response.iter_bytes():  # as received: no re-chunking
                        writer.write(chunk)
                        received(len(chunk))
            out.flush()
            os.fsync(out.fileno())

    def _no_room(self, sha256: str, part: Path) -> DiskFull:
        """Remove the partial download (it must not keep the disk full) and say what room is needed."""
        part.unlink(missing_ok=True)
        self._clear_transfer(sha256, "down")
        size = self._sizes.get(sha256)
        folder = self.blobs.root
        free = shutil.disk_usage(folder).free
        need = f"it needs {DiskFull.size_text(size)}, " if size is not None else ""
        log.warning("file %s not downloaded: no space left in %s (size %s, free %d)", sha256[:12], folder, size, free)
        return DiskFull(
            f"There is not enough free space on this computer's disk for “{self.name_of(sha256)}”: {need}"
            f"{DiskFull.size_text(free)} is free in {folder}. The partial download was removed and nothing was lost; "
            "free some space and sync again to download it.",
            str(folder),
            size,
            free,
        )

    def wanted(self) -> set[str]:
        return wanted_blobs(self.db)

    def download_missing(self) -> None:
        """Download every wanted blob that is not here yet; failures are reported, not raised
        (but losing the network or the sign-in stops the sync). The store is not looked at while the
        last look that found everything holds (``noop_rules.look_is_fresh``); a look that finds or
        makes everything here is recorded, with the generation of what it looked for."""
        misses = self.blobs.misses  # a content asked for here and not found, since the last look: look again
        with driver_read(self.db) as conn:  # one snapshot: the generation is that of the wanted blobs read
            look = conn.execute(noop_rules.BLOB_LOOK_SQL).fetchone()
            if noop_rules.look_is_fresh(look, utc_now()) and misses == self.blobs.misses_looked:
                return
            wanted = _wanted(conn.execute(noop_rules.WANTED_BLOBS_SQL).fetchall())
        missing = sorted(sha for sha in wanted if not self.blobs.has(sha))
        if self._download_all(missing) and look is not None:
            with transaction(self.db) as s:
                s.execute(text(noop_rules.RECORD_LOOK_SQL), {"generation": look[0], "now": utc_now()})
            self.blobs.misses_looked = misses

    def _download_all(self, missing: list[str]) -> bool:
        """Download each of ``missing``; whether every one is here now. The small ones (by the size their
        files declare) come down :data:`DOWNLOADS_AT_ONCE` at a time, the others one by one after them."""
        sizes = self._declared_sizes(missing) if len(missing) > 1 else {}
        small = [sha for sha in missing if sizes.get(sha, self.tus_threshold) < self.tus_threshold]
        at_once = set(small) if len(small) > 1 and self._room_for(sum(sizes[sha] for sha in small)) else set()
        started = [0]
        results: dict[str, bool] = {}

        def one(sha: str) -> None:
            name = self.name_of(sha)
            with self._report_lock:
                i = started[0]
                started[0] += 1
                self.progress(ProgressEvent("download", done=i, total=len(missing), message=sha, name=name))
            try:
                results[sha] = self.download(sha)
            except DiskFull as exc:
                with self._report_lock:
                    self.report.failed.append((sha, str(exc)))
                raise
            except (NetworkError, AuthenticationError, SyncCancelled):
                raise
            except (SyncError, BlobStoreError, OSError) as exc:
                log.warning("file %s not downloaded: %s", sha[:12], exc)
                with self._report_lock:
                    self.report.failed.append((sha, str(exc)))
                results[sha] = False

        def disk_full(exc: DiskFull, left: list[str]) -> bool:
            # The files after this one would not fit either: none is started, each is reported.
            log.warning("downloads stopped: %s", exc)
            self.report.failed.extend((sha, str(exc)) for sha in left)
            return False

        rest = [sha for sha in missing if sha not in at_once]
        if at_once:
            failure, not_started = self._at_once(small, one, DOWNLOADS_AT_ONCE, "gigbag-download")
            if isinstance(failure, DiskFull):
                return disk_full(failure, not_started + rest)
            if failure is not None:
                raise failure
        for i, sha in enumerate(rest):
            self.cancel.check()
            try:
                one(sha)
            except DiskFull as exc:
                return disk_full(exc, rest[i + 1 :])
        return all(results.get(sha, False) for sha in missing)

    def _room_for(self, size: int) -> bool:
        """Whether the store's disk holds ``size`` bytes more with :data:`ROOM_TO_SPARE` left: downloads in
        flight together would otherwise fill it together (one at a time, each is refused before it starts)."""
        folder = self.blobs.root
        while not folder.exists() and folder != folder.parent:  # a new store: the disk it will be on
            folder = folder.parent
        try:
            return shutil.disk_usage(folder).free >= size + ROOM_TO_SPARE
        except OSError:
            return False

    def _declared_sizes(self, shas: list[str]) -> dict[str, int]:
        """The sizes the files of ``shas`` declare (only to choose which come down together: the download
        itself trusts nothing but the bytes and their SHA-256)."""
        with driver_read(self.db) as conn:
            rows = conn.execute("SELECT blob_sha256, MAX(file_size_bytes) FROM files GROUP BY blob_sha256").fetchall()
        wanted = set(shas)
        return {sha: size for sha, size in rows if sha in wanted and isinstance(size, int)}

    # ---- cloud-only files ----------------------------------------------------------------------
    def make_cloud_only(self, file_id: str) -> None:
        """Keep the file's content on the server only: upload it if needed, then free the local copy."""
        with read_session(self.db) as s:
            file = s.get(File, file_id)
        if file is None:
            raise SyncError(f"file {file_id} does not exist")
        if self.blobs.has(file.blob_sha256):
            self.ensure_uploaded(file.blob_sha256)
        elif not self.client.blob_exists(file.blob_sha256):
            raise SyncError("The content of this file is neither on this computer nor on the server.")
        with transaction(self.db) as s:
            s.execute(sqlite_insert(_CLOUD_ONLY).values(file_id=file_id, marked_at=utc_now()).on_conflict_do_nothing())
        if file.blob_sha256 not in self.wanted():
            self.blobs.remove(file.blob_sha256)

    def keep_on_computer(self, file_id: str) -> bool:
        """Download a cloud-only file's content and keep it here again; False when the server lacks it."""
        with read_session(self.db) as s:
            file = s.get(File, file_id)
        if file is None:
            raise SyncError(f"file {file_id} does not exist")
        with transaction(self.db) as s:
            s.execute(delete(_CLOUD_ONLY).where(_CLOUD_ONLY.c.file_id == file_id))
        return self.download(file.blob_sha256)
