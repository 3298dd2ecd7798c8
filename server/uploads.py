"""Resumable uploads by the tus 1.0 protocol (core, creation and termination) under ``/v1/uploads/``.

The state of an upload lives in the database (length, expected digest, bytes received) and its
bytes in the blob store (a partial file in the shared folder, or a multipart upload in the
bucket), so a process that did not start an upload can continue it. A PATCH holds the upload's
lock (:mod:`gigbag.server.upload_locks`; it vanishes with a process that dies) while it writes,
records the offset every few megabytes once the store holds the bytes durably, and keeps every
byte received before a cut. The bytes are written (and hashed) by a worker thread while the next
ones are received. When the last byte arrives the digest of what the store holds (a running hash
kept across PATCHes while nobody else touched the stored bytes, else a re-read) is checked against
the ``sha256`` metadata; the content then becomes a blob served at ``/v1/blobs/{sha256}``. Memory
stays at a few chunks (one S3 part) whatever the size.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from sqlalchemy import delete, insert, select, update
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from gigbag.schema.canonical import is_sha256_hex
from gigbag.schema.wire import (
    ERR_DIGEST_MISMATCH,
    ERR_OFFSET_MISMATCH,
    TUS_EXTENSIONS,
    TUS_VERSION,
    UPLOAD_METADATA_SHA256,
)

from . import metrics, quotas, sync_store
from .auth import Authenticated
from .clock import utc_now
from .errors import ApiError, not_found
from .responses import error_responses, header
from .state import ServerState, server_state
from .tables import uploads

router = APIRouter(prefix="/v1", tags=["uploads (tus 1.0)"])

OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
CHECKPOINT_BYTES = 16 * 1024 * 1024
WRITE_BYTES = 4 * 1024 * 1024  # received bytes handed to the writer thread at a time
LOCK_WAIT_SECONDS = 10.0
HEAD_LOCK_WAIT_SECONDS = 2.0
PURGE_BATCH = 100
MAX_LENGTH = 2**62
DIGITS = "^[0-9]+$"
ACTIVE = "active"
COMPLETE = "complete"


def _tus_headers(**extra: str) -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, **extra}


def _require_tus(tus_resumable: str | None) -> None:
    if tus_resumable != TUS_VERSION:
        raise ApiError(
            412,
            "tus_version_unsupported",
            f"This server speaks tus {TUS_VERSION}; send the header Tus-Resumable: {TUS_VERSION}.",
            headers={"Tus-Version": TUS_VERSION},
        )


def _bad(code: str, message: str) -> ApiError:
    return ApiError(400, code, message)


def parse_metadata(raw: str | None) -> dict[str, str]:
    """tus Upload-Metadata: comma-separated ``key base64value`` pairs (value optional)."""
    out: dict[str, str] = {}
    if not raw:
        return out
    for pair in raw.split(","):
        parts = pair.strip().split(" ")
        if not parts[0] or len(parts) > 2:
            raise _bad("invalid_upload_metadata", "Upload-Metadata must be comma-separated 'key base64' pairs.")
        value = ""
        if len(parts) == 2:
            try:
                value = base64.b64decode(parts[1], validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                raise _bad(
                    "invalid_upload_metadata", f"The Upload-Metadata value of {parts[0]!r} is not base64 UTF-8."
                ) from None
        out[parts[0]] = value
    return out


def _expected_sha256(metadata: dict[str, str]) -> str:
    value = metadata.get(UPLOAD_METADATA_SHA256, "").strip().lower()
    if not is_sha256_hex(value):
        raise _bad(
            "invalid_upload_metadata",
            "Upload-Metadata must hold 'sha256' with the file's SHA-256 as 64 hex digits (base64-encoded).",
        )
    return value


def _parse_int(raw: str | None, header: str, code: str) -> int:
    if raw is None or not raw.strip().isdigit() or len(raw.strip()) > 19:
        raise _bad(code, f"The {header} header must be a whole number of bytes.")
    value = int(raw.strip())
    if value > MAX_LENGTH:
        raise _bad(code, f"The {header} header is too large.")
    return value


@dataclass(frozen=True)
class UploadRow:
    id: str
    user_id: str
    sha256: str
    length: int
    offset: int
    state: str
    expires_at: dt.datetime


def _load(state: ServerState, user_id: str, upload_id: str) -> UploadRow:
    if len(upload_id) != 32 or not upload_id.isalnum():
        raise not_found("There is no such upload")
    with state.db.read() as conn:
        r = conn.execute(select(uploads).where(uploads.c.id == upload_id, uploads.c.user_id == user_id)).first()
    if r is None or (r.state == ACTIVE and r.expires_at <= utc_now()):
        raise not_found("There is no such upload (or it expired)")
    return UploadRow(r.id, r.user_id, r.sha256, int(r.length), int(r.offset_bytes), r.state, r.expires_at)


def _expiry(state: ServerState, now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(seconds=state.config.upload_expiry_seconds)


def _purge_expired(state: ServerState) -> None:
    """Forget a batch of expired uploads (of any user) and delete their bytes."""
    now = utc_now()
    with state.db.write() as conn:
        ids = conn.execute(select(uploads.c.id).where(uploads.c.expires_at <= now).limit(PURGE_BATCH)).scalars().all()
        if ids:
            conn.execute(delete(uploads).where(uploads.c.id.in_(ids)))
    for upload_id in ids:
        state.files.upload_discard(upload_id)
        state.locks.forget(upload_id)


@router.options(
    "/uploads/",
    status_code=204,
    response_class=Response,
    responses={
        204: {
            "description": "tus capabilities in the headers",
            "headers": {
                "Tus-Version": header("1.0.0"),
                "Tus-Extension": header("creation,termination"),
                "Tus-Max-Size": header("Largest upload in bytes", pattern=DIGITS),
            },
        }
    },
    summary="tus discovery (Tus-Version, Tus-Extension, Tus-Max-Size)",
)
def tus_options(request: Request) -> Response:
    state = server_state(request)
    return Response(
        status_code=204,
        headers=_tus_headers(
            **{
                "Tus-Version": TUS_VERSION,
                "Tus-Extension": TUS_EXTENSIONS,
                "Tus-Max-Size": str(state.config.max_upload_bytes),
            }
        ),
    )


router.add_api_route("/uploads", tus_options, methods=["OPTIONS"], include_in_schema=False, status_code=204)


def create_upload(
    request: Request,
    auth: Authenticated,
    tus_resumable: Annotated[str | None, Header(alias="Tus-Resumable")] = None,
    upload_length: Annotated[str | None, Header(alias="Upload-Length")] = None,
    upload_metadata: Annotated[str | None, Header(alias="Upload-Metadata")] = None,
    upload_defer_length: Annotated[str | None, Header(alias="Upload-Defer-Length")] = None,
) -> Response:
    state = server_state(request)
    _require_tus(tus_resumable)
    if upload_defer_length is not None:
        raise _bad("invalid_upload_length", "Upload-Defer-Length is not supported; send Upload-Length.")
    length = _parse_int(upload_length, "Upload-Length", "invalid_upload_length")
    sha256 = _expected_sha256(parse_metadata(upload_metadata))
    _purge_expired(state)
    upload_id = uuid.uuid4().hex
    now = utc_now()
    with state.db.write() as conn:
        sync_store.lock_counter(conn, auth.user_id)  # serializes this user's quota checks
        owned = quotas.owns(conn, auth.user_id, sha256) is not None and state.files.exists(sha256)
        if owned:
            offset, upload_state = length, COMPLETE
        else:
            quotas.check_room(conn, state.config, auth.user_id, length, now)
            offset, upload_state = 0, ACTIVE
            state.files.upload_begin(upload_id, length)
        conn.execute(
            insert(uploads).values(
                id=upload_id,
                user_id=auth.user_id,
                sha256=sha256,
                length=length,
                offset_bytes=offset,
                state=upload_state,
                created_at=now,
                updated_at=now,
                expires_at=_expiry(state, now),
            )
        )
    if upload_state == ACTIVE and length == 0:
        row = _load(state, auth.user_id, upload_id)
        held = _acquire_blocking(state, upload_id)
        try:
            _finalize(state, row)
        finally:
            state.locks.release(held)
        offset = length
    return Response(
        status_code=201,
        headers=_tus_headers(Location=f"/v1/uploads/{upload_id}", **{"Upload-Offset": str(offset)}),
    )


_CREATE_DOC: dict[str, Any] = dict(
    status_code=201,
    response_class=Response,
    responses={
        201: {
            "description": "Created; Location is the upload's URL",
            "headers": {
                "Location": header("The upload's URL, e.g. /v1/uploads/<id>"),
                "Upload-Offset": header("Bytes already held (the length when the blob is owned)", pattern=DIGITS),
                "Tus-Resumable": header("1.0.0"),
            },
        },
        **error_responses(400, 401, 412, 413, 422, 429, quota=True),
    },
    summary="tus creation: start an upload (Upload-Length, Upload-Metadata with sha256)",
)
router.add_api_route("/uploads/", create_upload, methods=["POST"], **_CREATE_DOC)
router.add_api_route("/uploads", create_upload, methods=["POST"], include_in_schema=False, **_CREATE_DOC)


def _acquire_blocking(state: ServerState, upload_id: str) -> Any:
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while (held := state.locks.try_acquire(upload_id)) is None:
        if time.monotonic() > deadline:
            raise _locked()
        time.sleep(0.05)
    return held


async def _try_acquire(state: ServerState, upload_id: str, wait: float) -> Any | None:
    """Wait up to ``wait`` seconds (without blocking the event loop) for the upload's lock."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        held = await run_in_threadpool(state.locks.try_acquire, upload_id)
        if held is not None:
            return held
        if loop.time() >= deadline:
            return None
        await asyncio.sleep(0.05)


def _locked() -> ApiError:
    return ApiError(
        423,
        "upload_locked",
        "Another request is still writing this upload; ask for its offset (HEAD) and retry.",
        headers={"Retry-After": "2"},
    )


async def _acquire(state: ServerState, upload_id: str) -> Any:
    """The upload's lock, waiting a while for a writer to finish; 423 if it stays taken."""
    held = await _try_acquire(state, upload_id, LOCK_WAIT_SECONDS)
    if held is None:
        raise _locked()
    return held


async def _release(state: ServerState, held: Any) -> None:
    await run_in_threadpool(state.locks.release, held)


def _save_offset(state: ServerState, upload_id: str, offset: int) -> None:
    now = utc_now()
    with state.db.write() as conn:
        conn.execute(
            update(uploads)
            .where(uploads.c.id == upload_id, uploads.c.state == ACTIVE)
            .values(offset_bytes=offset, updated_at=now, expires_at=_expiry(state, now))
        )


def _recover(state: ServerState, row: UploadRow) -> UploadRow:
    """Repair what a process that died mid-upload left behind (called under the upload's lock).

    The store says which bytes it holds durably (the recorded offset never counts more); an
    upload the store no longer holds but whose blob exists only misses its final database step;
    the final step also runs for an upload whose bytes are all in.
    """
    if row.state != ACTIVE:
        return row
    held = state.files.upload_offset(row.id, row.length, row.offset)
    if held is None:
        if state.files.exists(row.sha256):
            _record_complete(state, row, install=False)
            return _reload(state, row)
        state.files.upload_begin(row.id, row.length)
        if row.offset:
            _save_offset(state, row.id, 0)
        return _reload(state, row)
    if held != row.offset:
        _save_offset(state, row.id, held)
        row = _reload(state, row)
    if row.offset == row.length:
        _finalize(state, row)
        return _reload(state, row)
    return row


def _reload(state: ServerState, row: UploadRow) -> UploadRow:
    return _load(state, row.user_id, row.id)


def _finalize(state: ServerState, row: UploadRow) -> None:
    """All bytes are in: check the digest of what the store holds, make it a blob, record ownership."""
    digest = state.files.upload_assemble(row.id, row.length)
    if digest != row.sha256:
        _drop(state, row.id)
        raise ApiError(
            422,
            ERR_DIGEST_MISMATCH,
            f"The uploaded content's SHA-256 is {digest}, not the {row.sha256} announced in Upload-Metadata; "
            "the upload was discarded.",
            actual_sha256=digest,
        )
    _record_complete(state, row, install=True)


def _record_complete(state: ServerState, row: UploadRow, *, install: bool) -> None:
    if install:
        # Verified content becomes the blob before the database records it, so a slow move (an S3
        # copy) never runs inside the write transaction; content no one owns yet is harmless.
        state.files.upload_install(row.id, row.sha256)
    now = utc_now()
    try:
        with state.db.write() as conn:
            sync_store.lock_counter(conn, row.user_id)
            if quotas.owns(conn, row.user_id, row.sha256) is None:
                quotas.check_room(
                    conn, state.config, row.user_id, row.length, now, exclude_upload=row.id, count_daily=False
                )
            quotas.record_blob(conn, row.user_id, row.sha256, row.length, now)
            conn.execute(
                update(uploads)
                .where(uploads.c.id == row.id)
                .values(state=COMPLETE, offset_bytes=row.length, updated_at=now)
            )
    except ApiError:
        _drop(state, row.id)
        raise
    state.locks.forget(row.id)


def _drop(state: ServerState, upload_id: str) -> None:
    """Forget an upload and its bytes (a waiter on its lock then finds it gone: 404)."""
    with state.db.write() as conn:
        conn.execute(delete(uploads).where(uploads.c.id == upload_id))
    state.files.upload_discard(upload_id)
    state.locks.forget(upload_id)


def _offset_headers(row: UploadRow) -> dict[str, str]:
    metadata = base64.b64encode(row.sha256.encode()).decode()
    return _tus_headers(
        **{
            "Upload-Offset": str(row.offset),
            "Upload-Length": str(row.length),
            "Upload-Metadata": f"{UPLOAD_METADATA_SHA256} {metadata}",
            "Cache-Control": "no-store",
        }
    )


@router.head(
    "/uploads/{upload_id}",
    response_class=Response,
    responses={
        200: {
            "description": "Upload-Offset and Upload-Length in the headers",
            "headers": {
                "Upload-Offset": header("Bytes the server holds", pattern=DIGITS),
                "Upload-Length": header("Size of the whole upload", pattern=DIGITS),
                "Tus-Resumable": header("1.0.0"),
            },
        },
        **error_responses(401, 404, 412, 413, 422, quota=True),
    },
    summary="tus: how many bytes the server holds",
)
async def upload_offset(
    upload_id: str,
    request: Request,
    auth: Authenticated,
    tus_resumable: Annotated[str | None, Header(alias="Tus-Resumable")] = None,
) -> Response:
    state = server_state(request)
    _require_tus(tus_resumable)
    row = await run_in_threadpool(_load, state, auth.user_id, upload_id)
    if row.state == ACTIVE:
        # A writer cut a moment ago finishes its last checkpoint first; one still busy
        # writing leaves the lock taken, and its last recorded offset is the answer.
        lock = await _try_acquire(state, upload_id, HEAD_LOCK_WAIT_SECONDS)
        if lock is not None:
            try:
                row = await run_in_threadpool(_recover, state, await run_in_threadpool(_reload, state, row))
            finally:
                await _release(state, lock)
        else:
            row = await run_in_threadpool(_reload, state, row)
    return Response(status_code=200, headers=_offset_headers(row))


@router.patch(
    "/uploads/{upload_id}",
    status_code=204,
    response_class=Response,
    responses={
        204: {
            "description": "Bytes stored; Upload-Offset is the new offset",
            "headers": {
                "Upload-Offset": header("Bytes the server holds now", pattern=DIGITS),
                "Tus-Resumable": header("1.0.0"),
            },
        },
        **error_responses(400, 401, 404, 409, 412, 413, 415, 422, 423, quota=True),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {OFFSET_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
    summary="tus: append bytes at Upload-Offset",
)
async def upload_patch(
    upload_id: str,
    request: Request,
    auth: Authenticated,
    tus_resumable: Annotated[str | None, Header(alias="Tus-Resumable")] = None,
    upload_offset: Annotated[str | None, Header(alias="Upload-Offset")] = None,
) -> Response:
    state = server_state(request)
    _require_tus(tus_resumable)
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != OFFSET_CONTENT_TYPE:
        raise ApiError(415, "unsupported_media_type", f"A PATCH carries Content-Type: {OFFSET_CONTENT_TYPE}.")
    offset = _parse_int(upload_offset, "Upload-Offset", "invalid_upload_offset")
    row = await run_in_threadpool(_load, state, auth.user_id, upload_id)
    if row.state == COMPLETE:
        if offset != row.length:
            raise _offset_mismatch(row)
        return Response(status_code=204, headers=_tus_headers(**{"Upload-Offset": str(row.length)}))
    lock = await _acquire(state, upload_id)
    try:
        row = await run_in_threadpool(_recover, state, await run_in_threadpool(_reload, state, row))
        if row.state == COMPLETE or offset != row.offset:
            raise _offset_mismatch(row)
        new_offset = await _receive(state, row, request)
    finally:
        await _release(state, lock)
    return Response(status_code=204, headers=_tus_headers(**{"Upload-Offset": str(new_offset)}))


def _offset_mismatch(row: UploadRow) -> ApiError:
    return ApiError(
        409,
        ERR_OFFSET_MISMATCH,
        f"The server holds {row.offset} bytes of this upload; send the bytes from there (Upload-Offset).",
        headers={"Upload-Offset": str(row.offset)},
        offset=row.offset,
    )


class _Writer:
    """The PATCH's writes, one job at a time on a worker thread, so receiving never waits for the disk
    (or S3) unless the previous job is still running; the offset is recorded after each checkpoint.

    A store whose checkpoint may run while the next bytes are written (a partial file: an fsync
    covers what was written before it began) checkpoints on a thread of its own, so the data path
    never waits for the disk to make bytes durable or for the database to record the offset."""

    def __init__(self, state: ServerState, row: UploadRow, appender: Any) -> None:
        self.state = state
        self.row = row
        self.appender = appender
        self.recorded = row.offset
        self.alongside = bool(getattr(appender, "checkpoints_alongside_writes", False))
        self._job: asyncio.Future[None] | None = None
        self._checkpoint: asyncio.Future[None] | None = None
        self._checkpointing = False

    def _store(self, chunks: list[bytes]) -> None:
        write_chunks = getattr(self.appender, "write_chunks", None)
        if write_chunks is not None:
            write_chunks(chunks)
        else:
            self.appender.write(b"".join(chunks))
        metrics.BLOB_BYTES_IN.inc(sum(map(len, chunks)))
        if not self.alongside and self.appender.size - self.recorded >= CHECKPOINT_BYTES:
            self._record(self.appender.checkpoint())

    def _record(self, durable: int) -> None:
        if durable > self.recorded:
            _save_offset(self.state, self.row.id, durable)
            self.recorded = durable

    def _checkpoint_alongside(self) -> None:
        try:
            self._record(self.appender.checkpoint())
        finally:
            self._checkpointing = False

    async def wait(self) -> None:
        job, self._job = self._job, None
        if job is not None:
            await job

    async def write(self, chunks: list[bytes]) -> None:
        """Hand ``chunks`` (as received: joined, if at all, on the thread) to the thread once the previous
        job is done."""
        await self.wait()
        due = self.appender.size - self.recorded >= CHECKPOINT_BYTES
        if self.alongside and due and not self._checkpointing:
            if self._checkpoint is not None:
                await self._checkpoint  # done (or failed: its error is raised here)
            self._checkpointing = True
            self._checkpoint = asyncio.ensure_future(run_in_threadpool(self._checkpoint_alongside))
        self._job = asyncio.ensure_future(run_in_threadpool(self._store, chunks))

    async def close(self) -> int:
        try:
            try:
                await self.wait()
            finally:
                if self._checkpoint is not None:
                    await self._checkpoint
        finally:
            durable = await run_in_threadpool(self.appender.close)
            if durable != self.recorded:
                await run_in_threadpool(_save_offset, self.state, self.row.id, durable)
                self.recorded = durable
        return durable


async def _receive(state: ServerState, row: UploadRow, request: Request) -> int:
    """Append the request's bytes at the row's offset; returns the offset reached (durably recorded)."""
    appender = await run_in_threadpool(state.files.upload_append, row.id, row.length, row.offset)
    writer = _Writer(state, row, appender)
    pending: list[bytes] = []  # received, not yet handed to the writer (never copied on the event loop)
    pending_bytes = 0
    received = row.offset
    too_long = False
    metrics.UPLOADS_WRITING.inc()
    try:
        try:
            async for chunk in request.stream():
                room = row.length - received
                if len(chunk) > room:
                    pending.append(chunk[:room])
                    received += room
                    too_long = True
                    break
                pending.append(chunk)
                pending_bytes += len(chunk)
                received += len(chunk)
                if pending_bytes >= WRITE_BYTES:
                    await writer.write(pending)
                    pending, pending_bytes = [], 0
        except ClientDisconnect:
            pass  # keep every byte that arrived: the client continues from the recorded offset
    finally:
        metrics.UPLOADS_WRITING.dec()
        try:
            if pending:
                await writer.write(pending)
        finally:
            durable = await writer.close()
    if too_long:
        raise ApiError(
            400,
            "upload_exceeds_length",
            f"The upload is {row.length} bytes long (Upload-Length); the bytes beyond it were refused.",
            headers={"Upload-Offset": str(durable)},
        )
    if durable == row.length:
        done = UploadRow(row.id, row.user_id, row.sha256, row.length, row.length, ACTIVE, row.expires_at)
        await run_in_threadpool(_finalize, state, done)
    return durable


@router.delete(
    "/uploads/{upload_id}",
    status_code=204,
    response_class=Response,
    responses={204: {"description": "The upload and its bytes are gone"}, **error_responses(401, 404, 412, 422, 423)},
    summary="tus termination: abandon an upload",
)
async def upload_delete(
    upload_id: str,
    request: Request,
    auth: Authenticated,
    tus_resumable: Annotated[str | None, Header(alias="Tus-Resumable")] = None,
) -> Response:
    state = server_state(request)
    _require_tus(tus_resumable)
    await run_in_threadpool(_load, state, auth.user_id, upload_id)
    lock = await _acquire(state, upload_id)
    try:
        await run_in_threadpool(_drop, state, upload_id)
    finally:
        await _release(state, lock)
    return Response(status_code=204, headers=_tus_headers())
