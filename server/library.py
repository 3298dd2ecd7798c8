"""``GET /v1/library``, ``…/{id}/preview``, ``…/{id}/file``: the operator's shared library, for artists.

Listing is paged by the library's change cursor (tracks added or changed and ids removed since it),
so a desktop that keeps the list updates it with what changed only. Previews are open to every
signed-in account; the full file of a pro-only track opens to the tiers pro and enterprise only
(the seed's check, :func:`gigbag.schema.tiers.tier_opens_pro_only`) and answers 403 ``pro_only``
to a free account: the server decides, not the desktop. Both downloads honour one byte range.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy import select
from starlette.responses import StreamingResponse

from gigbag.schema.tiers import DEFAULT_TIER, tier_opens_pro_only
from gigbag.schema.wire import DEFAULT_LIBRARY_LIMIT, ERR_PRO_ONLY, MAX_LIBRARY_LIMIT, ErrorBody, LibraryPage

from . import library_store, quotas, sync_store
from .auth import Authenticated
from .blobs import BINARY, parse_range
from .clock import utc_now
from .errors import ApiError, not_found
from .responses import error_responses, header
from .state import ServerState, server_state
from .tables import user_blobs, users

router = APIRouter(prefix="/v1", tags=["library"])

TrackId = Annotated[str, Path(pattern="^[0-9a-f]{12}$", description="The library track's id")]

_DOWNLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
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
}


def _tier(state: ServerState, user_id: str) -> str:
    with state.db.read() as conn:
        tier = conn.execute(select(users.c.tier).where(users.c.id == user_id)).scalar()
    return str(tier or DEFAULT_TIER)


@router.get(
    "/library",
    response_model=LibraryPage,
    responses=error_responses(401, 422),
    summary="The shared library's changes after a cursor (0: the whole list), paged",
)
def list_library(
    request: Request,
    auth: Authenticated,
    since: Annotated[int, Query(ge=0, le=2**62, description="The cursor of the last page read (0: the start)")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIBRARY_LIMIT)] = DEFAULT_LIBRARY_LIMIT,
    q: Annotated[
        str | None, Query(max_length=200, description="Only tracks whose title, artist or genre holds this text")
    ] = None,
) -> LibraryPage:
    state = server_state(request)
    with state.db.read() as conn:
        tracks, removed, cursor, has_more = library_store.changes_since(conn, since, limit, q or None)
        tier = conn.execute(select(users.c.tier).where(users.c.id == auth.user_id)).scalar() or DEFAULT_TIER
    return LibraryPage(tracks=tracks, removed=removed, cursor=cursor, has_more=has_more, tier=tier)


def _stream(request: Request, sha256: str, size: int, media_type: str) -> Response:
    state = server_state(request)
    if not state.files.exists(sha256):
        raise not_found("The server has lost this file; tell its operator")
    headers = {"Accept-Ranges": "bytes", "ETag": f'"{sha256}"', "Content-Length": str(size)}
    byte_range = parse_range(request.headers.get("range"), size)
    if byte_range is None:
        return StreamingResponse(state.files.read_range(sha256, 0, size - 1), headers=headers, media_type=media_type)
    start, end = byte_range
    headers["Content-Length"] = str(end - start + 1)
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return StreamingResponse(
        state.files.read_range(sha256, start, end), status_code=206, headers=headers, media_type=media_type
    )


def _row(state: ServerState, track_id: str) -> Any:
    with state.db.read() as conn:
        row = library_store.track_row(conn, track_id)
    if row is None:
        raise not_found("There is no such track in the library (it may have been removed)")
    return row


@router.get(
    "/library/{track_id}/preview",
    response_class=Response,
    responses=_DOWNLOAD_RESPONSES,
    summary="Stream a library track's preview clip (MP3; Range requests supported); open to every account",
)
def get_preview(track_id: TrackId, request: Request, auth: Authenticated) -> Response:
    row = _row(server_state(request), track_id)
    if row.preview_key is None or not row.preview_size_bytes:
        raise not_found("This library track has no preview")
    return _stream(request, row.preview_key, int(row.preview_size_bytes), "audio/mpeg")


@router.get(
    "/library/{track_id}/file",
    response_class=Response,
    responses={
        **_DOWNLOAD_RESPONSES,
        403: {
            "model": ErrorBody,
            "description": "pro_only: the track is for the tiers pro and enterprise, and this account's tier is free",
        },
    },
    summary="Download a library track's full file (Range requests supported); pro-only tracks need tier pro",
)
def get_file(track_id: TrackId, request: Request, auth: Authenticated) -> Response:
    state = server_state(request)
    row = _row(state, track_id)
    if row.is_pro_only:
        tier = _tier(state, auth.user_id)
        if not tier_opens_pro_only(tier):
            raise ApiError(
                403,
                ERR_PRO_ONLY,
                f"“{row.title}” is pro-only: it opens to the tiers pro and enterprise, and this account's tier "
                f"is {tier}. The server's operator can change your tier.",
                tier=tier,
            )
    _keep_for(state, auth.user_id, row.file_key, int(row.size_bytes))
    return _stream(request, row.file_key, int(row.size_bytes), row.mime_type)


def _keep_for(state: ServerState, user_id: str, sha256: str, size: int) -> None:
    """The artist's copy of a library file is theirs on the server without uploading it again.

    Once added to their files it syncs like any file: owning the content here makes the sync's
    ``HEAD /v1/blobs`` say 200, so the bytes are not sent back (nor counted against the daily
    upload limit); they count in the account's storage like any file it has. Without room in the
    storage quota nothing is recorded, and a later upload says why in the quota's words.
    """
    with state.db.read() as conn:
        if quotas.owns(conn, user_id, sha256) is not None:
            return
    now = utc_now()
    try:
        with state.db.write() as conn:
            sync_store.lock_counter(conn, user_id)
            if quotas.owns(conn, user_id, sha256) is not None:
                return
            quotas.check_room(conn, state.config, user_id, size, now, count_daily=False)
            conn.execute(user_blobs.insert().values(user_id=user_id, sha256=sha256, size=size, created_at=now))
    except ApiError:
        return
