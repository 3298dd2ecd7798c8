"""The sync routes: entity schema, push (with idempotency keys), pull and status."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from gigbag.schema.entities import entity_json_schemas
from gigbag.schema.wire import (
    ACCOUNT_TERMS_HEADER,
    DEFAULT_PULL_LIMIT,
    ERR_DEVICE_MISMATCH,
    ERR_IDEMPOTENCY_KEY_INVALID,
    ERR_PROTOCOL_OUTDATED,
    IDEMPOTENCY_HEADER,
    MAX_PULL_LIMIT,
    MAX_PULL_SKIP_RANGES,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    PULL_LINES_MEDIA_TYPE,
    REPLAYED_HEADER,
    DeviceStatus,
    EntitySchemas,
    PullResponse,
    PushResponse,
    SyncStatus,
)

from . import idempotency, metrics, push_body, sync_store
from .auth import Authenticated, DeviceAuth, quick_device
from .clock import iso, utc_now
from .database import Database
from .document_shape import ShallowDocuments
from .errors import ApiError
from .quotas import storage_usage
from .responses import error_responses, header
from .state import ServerState, server_state
from .tables import devices

router = APIRouter(prefix="/v1")
MAX_SEQ = 2**63 - 1

_SCHEMAS = EntitySchemas(protocol=PROTOCOL_VERSION, entity_types=entity_json_schemas())


@router.get(
    "/schema",
    response_model=EntitySchemas,
    tags=["sync"],
    summary="Entity types and the JSON Schema of their data",
)
def schema() -> EntitySchemas:
    return _SCHEMAS


def _json(body: str | bytes, *, replayed: bool = False) -> Response:
    headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
    if replayed:
        headers[REPLAYED_HEADER] = "true"
    return Response(content=body, media_type="application/json", headers=headers)


async def require_protocol(
    protocol: Annotated[
        str | None,
        Header(
            alias=PROTOCOL_HEADER,
            description=f"The sync protocol the client speaks; this server speaks {PROTOCOL_VERSION}",
        ),
    ] = None,
) -> None:
    """Refuse a client that speaks another protocol, in words that say what to do."""
    if protocol is not None and protocol.strip() == str(PROTOCOL_VERSION):
        return
    spoken = f"protocol {protocol.strip()}" if protocol and protocol.strip() else "an older protocol"
    raise ApiError(
        400,
        ERR_PROTOCOL_OUTDATED,
        f"This Gigbag speaks {spoken} and this sync server speaks protocol {PROTOCOL_VERSION}: "
        "update Gigbag on this computer (or the server, if it is the older one), then sync again.",
        protocol=PROTOCOL_VERSION,
    )


SameProtocol = Annotated[None, Depends(require_protocol)]


@router.post(
    "/sync/push",
    response_model=PushResponse,
    responses={
        200: {
            "description": "One result per change; a replay of a stored answer carries Idempotent-Replayed",
            "headers": {
                REPLAYED_HEADER: header(
                    "'true' when this is the stored answer of an earlier request", required=False, pattern="^true$"
                )
            },
        },
        **error_responses(400, 401, 409, 413, 422),
    },
    tags=["sync"],
    summary="Send local changes (one transaction; per entity applied, conflict or invalid)",
)
def push(
    auth: Authenticated,
    _protocol: SameProtocol,
    _shallow: ShallowDocuments,
    body: push_body.RawPushBody,
    request: Request,
    idempotency_key: Annotated[
        str,
        Header(
            alias=IDEMPOTENCY_HEADER,
            description="A UUID made by the client for this batch; reused on every retry of it",
        ),
    ],
) -> Response:
    state = server_state(request)
    key = _parse_key(idempotency_key)
    push = push_body.read(body)  # the JSON FastAPI parsed, checked by plain code
    if push.device_id != auth.device_id:
        raise ApiError(
            422,
            ERR_DEVICE_MISMATCH,
            "device_id is not the device this token was issued to; sign in again on this computer.",
        )
    prepared = [sync_store.prepare(change) for change in push.changes]
    req_hash = idempotency.push_hash(push.device_id, prepared)
    status, text, replayed = _apply(state.db, auth, key, req_hash, prepared)
    return _json(text, replayed=replayed)


def _parse_key(raw: str) -> str:
    try:
        return str(uuid.UUID(raw.strip()))
    except ValueError:
        raise ApiError(400, ERR_IDEMPOTENCY_KEY_INVALID, "The Idempotency-Key header must be a UUID.") from None


def _apply(
    db: Database, auth: DeviceAuth, key: str, req_hash: str, prepared: list[sync_store.PreparedChange]
) -> tuple[int, str, bool]:
    """The push in one transaction: the counter lock, the key, the changes and the stored answer (an error
    rolls all of it back, the key included, so its retry runs afresh)."""
    now = utc_now()
    with db.write() as conn:
        last_seq = sync_store.lock_counter(conn, auth.user_id)
        outcome = idempotency.claim(conn, auth.user_id, key, req_hash, now)
        if isinstance(outcome, idempotency.Replay):
            return outcome.status, outcome.body, True
        answer = sync_store.apply_push(conn, auth.user_id, auth.device_id, prepared, last_seq, now)
        text = answer.render()
        idempotency.store_response(conn, auth.user_id, outcome, 200, text)
        sync_store.touch_device(conn, auth.device_id, now)
    metrics.record_push(answer.statuses())
    return 200, text, False


# ``skip`` of a pull, as the route declares it and the short way (answer_plain_pull) reads it.
_SKIP_PATTERN = r"^[0-9]{1,19}-[0-9]{1,19}(,[0-9]{1,19}-[0-9]{1,19})*$"
_SKIP_MAX_LENGTH = MAX_PULL_SKIP_RANGES * 42


@router.get(
    "/sync/pull",
    response_model=PullResponse,
    responses={
        200: {
            "description": "A page of changes; the account-terms header changes when the tier or a limit does. "
            f"Framed as lines when the Accept header names {PULL_LINES_MEDIA_TYPE} (docs/sync-protocol.md)",
            "headers": {ACCOUNT_TERMS_HEADER: header("A fingerprint of the account's tier and limits in force")},
            "content": {PULL_LINES_MEDIA_TYPE: {"schema": {"type": "string"}}},
        },
        **error_responses(400, 401, 422),
    },
    tags=["sync"],
    summary="Changes after a cursor, in seq order, tombstones included",
)
async def pull(
    auth: Authenticated,
    _protocol: SameProtocol,
    request: Request,
    since: Annotated[int, Query(ge=0, le=MAX_SEQ, description="The cursor of the last page applied (0 at first)")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT,
    skip: Annotated[
        str | None,
        Query(
            max_length=_SKIP_MAX_LENGTH,
            pattern=_SKIP_PATTERN,
            description="Seq ranges lo-hi (comma-separated) whose versions the client holds from its own "
            f"push answers: left out of the pages (at most {MAX_PULL_SKIP_RANGES} ranges)",
        ),
    ] = None,
) -> Response:
    ranges = _skip_ranges(skip)
    framed = wants_lines(request.headers.get("accept"))
    now = utc_now()
    if _nothing_newer(auth, since, now):
        body = _empty_page(since, framed)  # no statement, no worker thread: what pull_page would answer
    else:
        body = await run_in_threadpool(_read_page, server_state(request), auth, since, limit, ranges, now, framed)
    return _pull_answer(body, auth, framed)


def _pull_answer(body: bytes, auth: DeviceAuth, framed: bool) -> Response:
    response = _json(body)
    if framed:
        response.headers["content-type"] = PULL_LINES_MEDIA_TYPE
    response.headers[ACCOUNT_TERMS_HEADER] = auth.terms_tag
    return response


def wants_lines(accept: str | None) -> bool:
    """Whether an Accept header names the framed pull page's media type (with a quality above 0)."""
    if not accept or PULL_LINES_MEDIA_TYPE not in accept.lower():
        return False
    for item in accept.lower().split(","):
        media, *params = item.split(";")
        if media.strip() != PULL_LINES_MEDIA_TYPE:
            continue
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    return float(value.strip()) > 0
                except ValueError:
                    return False
        return True
    return False


@dataclass(frozen=True)
class _Route:
    path: str  # what the access log and the metrics name a request by


PULL_ROUTE = _Route("/v1/sync/pull")


_SKIP_TEXT = re.compile(_SKIP_PATTERN)  # the route's own pattern, for the short way


def _plain_query(query: bytes) -> tuple[int, int, list[tuple[int, int]]] | None:
    """``since``, ``limit`` and the ``skip`` ranges of a query of only these, each at most once (``since``
    required), plain numbers and ranges the route accepts; None for any other query (the route reads it)."""
    found: dict[bytes, bytes] = {}
    for part in query.split(b"&"):
        name, sep, value = part.partition(b"=")
        if not sep or name not in (b"since", b"limit", b"skip") or name in found:
            return None
        found[name] = value
    numbers = [found.get(b"since"), found.get(b"limit", b"%d" % DEFAULT_PULL_LIMIT)]
    if any(value is None or not value.isdigit() or len(value) > 19 for value in numbers):
        return None
    since, limit = (int(value) for value in numbers if value is not None)
    if since > MAX_SEQ or not 1 <= limit <= MAX_PULL_LIMIT:
        return None
    ranges: list[tuple[int, int]] = []
    skip = found.get(b"skip")
    if skip is not None:
        text = skip.replace(b"%2C", b",").replace(b"%2c", b",").decode("latin-1")
        if len(text) > _SKIP_MAX_LENGTH or _SKIP_TEXT.fullmatch(text) is None:
            return None
        try:
            ranges = _skip_ranges(text)
        except ApiError:
            return None
    return since, limit, ranges


async def answer_plain_pull(scope: Scope, receive: Receive, send: Send) -> bool:
    """Answer a pull of only ``since``, ``limit`` and ``skip`` without the router and the route's
    dependencies (most of a small page's cost, and a worker thread for the token), exactly as :func:`pull`
    answers it: the token checked as :func:`~.auth.require_device` checks it (read on the event loop:
    :func:`~.auth.quick_device`), the same protocol check, the same bytes and headers. A pull with nothing
    newer than its cursor is answered from the token's read (no statement, no worker thread), any other page
    is read as the route reads it. False (nothing sent) for any other request, any doubt, any error: the
    route answers it, checking the token again (and reading the page again)."""
    if scope.get("method") != "GET" or scope.get("path") != PULL_ROUTE.path:
        return False
    query = _plain_query(scope.get("query_string", b""))
    if query is None:
        return False
    since, limit, ranges = query
    protocol = authorization = accept = None
    for name, value in scope.get("headers", ()):  # the first of each, as Starlette's Headers.get finds it
        if name == b"authorization" and authorization is None:
            authorization = value.decode("latin-1")
        elif name == _PROTOCOL_HEADER_NAME and protocol is None:
            protocol = value.decode("latin-1")
        elif name == b"accept" and accept is None:
            accept = value.decode("latin-1")
    if protocol is None or protocol.strip() != _PROTOCOL_TEXT or authorization is None:
        return False
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    auth = await quick_device(scope, token)
    if auth is None:
        return False
    framed = wants_lines(accept)
    now = utc_now()
    if _nothing_newer(auth, since, now):
        body = _empty_page(since, framed)
    else:
        try:
            body = await run_in_threadpool(
                _read_page, scope["app"].state.gigbag, auth, since, limit, ranges, now, framed
            )
        except Exception:  # the route reads it again and answers as it answers errors
            return False
    scope["route"] = PULL_ROUTE
    headers = [
        (_PROTOCOL_HEADER_NAME, _PROTOCOL_TEXT.encode()),
        (b"content-length", b"%d" % len(body)),
        (b"content-type", _LINES_TYPE if framed else b"application/json"),
        (_TERMS_HEADER_NAME, auth.terms_tag.encode("latin-1")),
    ]  # what _pull_answer's Response sends, in its order
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
    return True


_PROTOCOL_HEADER_NAME = PROTOCOL_HEADER.lower().encode("latin-1")
_TERMS_HEADER_NAME = ACCOUNT_TERMS_HEADER.lower().encode("latin-1")
_PROTOCOL_TEXT = str(PROTOCOL_VERSION)
_LINES_TYPE = PULL_LINES_MEDIA_TYPE.encode("latin-1")


def _nothing_newer(auth: DeviceAuth, since: int, now: dt.datetime) -> bool:
    """Whether a pull from ``since`` is an empty last page that has nothing to record: the user's latest
    seq (read with the token) is not after it, and the device's sync was recorded within the minute."""
    recorded = auth.last_sync_at is not None and now - auth.last_sync_at < sync_store.LAST_SYNC_RESOLUTION
    return recorded and auth.latest_seq is not None and auth.latest_seq <= since


def _empty_page(cursor: int, framed: bool) -> bytes:
    if framed:
        return sync_store.empty_framed_page(cursor)
    return b'{"changes":[],"cursor":%d,"has_more":false}' % cursor


def _read_page(
    state: ServerState,
    auth: DeviceAuth,
    since: int,
    limit: int,
    ranges: list[tuple[int, int]],
    now: dt.datetime,
    framed: bool = False,
) -> bytes:
    with state.db.read() as conn:
        body, has_more = sync_store.pull_page(conn, auth.user_id, since, limit, ranges, framed=framed)
        recorded = has_more or sync_store.sync_recorded_recently(conn, auth.device_id, now)
    if not recorded:  # the last page: the device has synced (to the minute; a no-op writes nothing)
        with state.db.write() as conn:
            sync_store.touch_device_coarsely(conn, auth.device_id, now)
    return body


def _skip_ranges(raw: str | None) -> list[tuple[int, int]]:
    if not raw:
        return []
    ranges = []
    for part in raw.split(","):
        lo, _, hi = part.partition("-")
        ranges.append((int(lo), int(hi)))
    if len(ranges) > MAX_PULL_SKIP_RANGES or any(lo > hi or hi > MAX_SEQ for lo, hi in ranges):
        message = f"skip must hold at most {MAX_PULL_SKIP_RANGES} ranges lo-hi with lo <= hi <= {MAX_SEQ}."
        raise ApiError(422, "validation_error", message, fields={"skip": message})
    return ranges


@router.get(
    "/sync/status",
    response_model=SyncStatus,
    responses=error_responses(401),
    tags=["sync"],
    summary="Latest seq, entity counts, devices, storage",
)
def status(request: Request, auth: Authenticated) -> SyncStatus:
    state = server_state(request)
    now = utc_now()
    with state.db.read() as conn:
        cursor = sync_store.latest_seq(conn, auth.user_id)
        counts = sync_store.entity_counts(conn, auth.user_id)
        rows = conn.execute(
            select(devices.c.id, devices.c.name, devices.c.last_sync_at, devices.c.revoked_at)
            .where(devices.c.user_id == auth.user_id)
            .order_by(devices.c.created_at)
        ).all()
        usage = storage_usage(conn, state.config, auth.user_id, now)
    return SyncStatus(
        cursor=cursor,
        entity_counts=counts,
        devices=[
            DeviceStatus(
                device_id=r.id, name=r.name, last_sync_at=iso(r.last_sync_at), revoked=r.revoked_at is not None
            )
            for r in rows
        ],
        storage=usage,
    )
