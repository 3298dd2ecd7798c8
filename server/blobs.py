"""``HEAD``/``PUT``/``GET /v1/blobs/{sha256}``: a user's files, addressed by their SHA-256.

A user sees only blobs they uploaded themselves: HEAD and GET answer 404 for content another user
stored (even though the file is shared on disk), and PUT always takes the full content and checks
its digest, so nobody can claim a blob by knowing its hash. PUT streams to a temporary file while
hashing (memory stays at one chunk); GET streams back, honouring a single byte range.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect
from starlette.responses import StreamingResponse

from gigbag.schema.canonical import is_sha256_hex
from gigbag.schema.wire import ERR_DIGEST_MISMATCH, BlobStored, ErrorBody

from . import quotas, sync_store
from .auth import Authenticated
from .blob_files import CHUNK_SIZE, IncomingFile, remove_quietly
from .clock import utc_now
from .errors import ApiError, not_found, validation_error
from .responses import error_responses, header
from .state import ServerState, server_state

router = APIRouter(prefix="/v1", tags=["blobs"])

BINARY = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
SHA256_PATTERN = "^[0-9a-f]{64}$"
DRAIN_LIMIT = 64 * 1024 * 1024
_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


class _OverLimit(Exception):
    """The streamed body went past the bytes this user may still store."""


def check_sha256(sha256: str) -> str:
    if not is_sha256_hex(sha256):
        raise validation_error({"sha256": "must be 64 lowercase hex digits (the SHA-256 of the content)"})
    return sha256


Sha256Path = Annotated[
    str,
    Path(pattern=SHA256_PATTERN, description="The SHA-256 of the content, 64 lowercase hex digits"),
]


def _owned_size(state: ServerState, user_id: str, sha256: str) -> int | None:
    with state.db.read() as conn:
        return quotas.owns(conn, user_id, sha256)


def _blob_headers(sha256: str, size: int) -> dict[str, str]:
    return {"Accept-Ranges": "bytes", "ETag": f'"{sha256}"', "Content-Length": str(size)}


@router.head(
    "/blobs/{sha256}",
    response_class=Response,
    responses={
        200: {
            "description": "This user has the blob (Content-Length is its size)",
            "headers": {"Content-Length": header("The blob's size in bytes", pattern="^[0-9]+$")},
        },
        **error_responses(401, 404, 422),
    },
    summary="Does this user already have the blob?",
)
def head_blob(sha256: Sha256Path, request: Request, auth: Authenticated) -> Response:
    state = server_state(request)
    check_sha256(sha256)
    size = _owned_size(state, auth.user_id, sha256)
    if size is None or not state.files.exists(sha256):
        raise not_found("This user has no such file")
    return Response(status_code=200, headers=_blob_headers(sha256, size), media_type="application/octet-stream")


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """One ``bytes=`` range as (start, end) inclusive; None to send everything; raises 416."""
    if not header:
        return None
    match = _RANGE_RE.match(header.strip())
    if match is None:  # several ranges, or not bytes: allowed to ignore, the whole body is sent
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise _unsatisfiable(size)
        return max(0, size - suffix), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # syntactically invalid: ignored
    if start >= size:
        raise _unsatisfiable(size)
    return start, min(end, size - 1)


def _unsatisfiable(size: int) -> ApiError:
    return ApiError(
        416,
        "range_not_satisfiable",
        f"The requested range is outside the file ({size} bytes).",
        headers={"Content-Range": f"bytes */{size}"},
    )


@router.get(
    "/blobs/{sha256}",
    response_class=Response,
    responses={
        200: {"content": BINARY, "description": "The whole content"},
        206: {
            "content": BINARY,
            "description": "The requested byte range",
            "headers": {"Content-Range": header("bytes <first>-<last>/<size>", pattern="^bytes [0-9]+-[0-9]+/[0-9]+$")},
        },
        **error_responses(401, 404, 416, 422),
        416: {
            "model": ErrorBody,
            "description": "Range not satisfiable",
            "headers": {"Content-Range": header("bytes */<size>", pattern="^bytes \\*/[0-9]+$")},
        },
    },
    summary="Download a blob (Range requests supported)",
)
def get_blob(sha256: Sha256Path, request: Request, auth: Authenticated) -> Response:
    state = server_state(request)
    check_sha256(sha256)
    size = _owned_size(state, auth.user_id, sha256)
    if size is None or not state.files.exists(sha256):
        raise not_found("This user has no such file")
    byte_range = parse_range(request.headers.get("range"), size)
    headers = _blob_headers(sha256, size)
    if byte_range is None:
        return StreamingResponse(
            _chunks(state, sha256, 0, size - 1), headers=headers, media_type="application/octet-stream"
        )
    start, end = byte_range
    headers["Content-Length"] = str(end - start + 1)
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return StreamingResponse(
        _chunks(state, sha256, start, end), status_code=206, headers=headers, media_type="application/octet-stream"
    )


def _chunks(state: ServerState, sha256: str, start: int, end: int) -> Iterator[bytes]:
    if end < start:
        return iter(())
    return state.files.read_range(sha256, start, end)


def declared_length(request: Request) -> int | None:
    raw = request.headers.get("content-length")
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise ApiError(400, "bad_request", "The Content-Length header is not a valid number.")
    return int(raw)


@router.put(
    "/blobs/{sha256}",
    status_code=201,
    response_model=BlobStored,
    responses={
        200: {"model": BlobStored, "description": "This user already had the blob; nothing was read"},
        **error_responses(400, 401, 413, 422, 429, quota=True),
    },
    openapi_extra={"requestBody": {"required": True, "content": BINARY}},
    summary="Upload a blob in one request (its SHA-256 must match the path)",
)
async def put_blob(sha256: Sha256Path, request: Request, auth: Authenticated) -> Response:
    state = server_state(request)
    check_sha256(sha256)
    length = declared_length(request)

    def precheck() -> tuple[bool, int]:
        now = utc_now()
        with state.db.read() as conn:
            if quotas.owns(conn, auth.user_id, sha256) is not None and state.files.exists(sha256):
                return True, 0
            quotas.check_room(conn, state.config, auth.user_id, length or 0, now)
            return False, quotas.allowed_bytes(conn, state.config, auth.user_id)

    already, allowed = await run_in_threadpool(precheck)
    if already:
        await _drain(request, length)
        return _stored(sha256, _owned_size(state, auth.user_id, sha256) or 0, 200)
    path, f = state.files.new_temp()
    incoming = IncomingFile(path, f)
    try:
        buffer = bytearray()
        try:
            async for chunk in request.stream():
                buffer += chunk
                if incoming.size + len(buffer) > allowed:
                    raise _OverLimit
                if len(buffer) >= CHUNK_SIZE:
                    await run_in_threadpool(incoming.write, bytes(buffer))
                    buffer.clear()
        except ClientDisconnect:
            raise ApiError(
                400, "client_disconnected", "The upload was cut before its end; nothing was stored."
            ) from None
        except _OverLimit:
            await run_in_threadpool(_refuse_oversize, state, auth.user_id, incoming.size + len(buffer))
        if buffer:
            await run_in_threadpool(incoming.write, bytes(buffer))
        await run_in_threadpool(incoming.sync)
        incoming.close()
        if incoming.hexdigest() != sha256:
            raise ApiError(
                422,
                ERR_DIGEST_MISMATCH,
                f"The content's SHA-256 is {incoming.hexdigest()}, not the {sha256} named in the path; "
                "nothing was stored.",
                actual_sha256=incoming.hexdigest(),
            )
        created = await run_in_threadpool(_store, state, auth.user_id, sha256, incoming)
        return _stored(sha256, incoming.size, 201 if created else 200)
    finally:
        incoming.close()
        remove_quietly(path)


async def _drain(request: Request, length: int | None) -> None:
    """Read and drop a body the answer does not need, so the client reads the answer, not a reset.

    Only up to :data:`DRAIN_LIMIT`; beyond, answering at once is cheaper than reading on.
    """
    if length is not None and length > DRAIN_LIMIT:
        return
    read = 0
    try:
        async for chunk in request.stream():
            read += len(chunk)
            if read > DRAIN_LIMIT:
                return
    except ClientDisconnect:
        return


def _refuse_oversize(state: ServerState, user_id: str, size: int) -> None:
    """Raise the refusal (413) of the limit that a streamed body of ``size`` bytes went past."""
    with state.db.read() as conn:
        quotas.refuse_oversize(conn, state.config, user_id, size)


def _store(state: ServerState, user_id: str, sha256: str, incoming: IncomingFile) -> bool:
    now = utc_now()
    with state.db.write() as conn:
        sync_store.lock_counter(conn, user_id)  # serializes this user's quota checks
        if quotas.owns(conn, user_id, sha256) is not None and state.files.exists(sha256):
            return False
        quotas.check_room(conn, state.config, user_id, incoming.size, now)
        state.files.install(incoming.path, sha256)
        return quotas.record_blob(conn, user_id, sha256, incoming.size, now)


def _stored(sha256: str, size: int, status: int) -> Response:
    body = BlobStored(sha256=sha256, size=size).model_dump_json()
    return Response(content=body, status_code=status, media_type="application/json")
