"""The HTTP client of the sync protocol (schema.protocol): one method per route, with timeouts and retries.

Network errors, 5xx, 409 and 429 are retried with exponential back-off and jitter, honouring
``Retry-After``; any other 4xx is final and becomes a :mod:`~gigbag.sync.errors` error carrying the
server's own sentence. Pushes are safe to retry because every attempt of a batch carries the same
idempotency key and body. Bodies of file uploads stream from disk, so memory does not grow with file
size. The token travels in the ``Authorization`` header only and is never logged.

A process keeps one HTTP client (and its keep-alive connection) per server and token across syncs
(:func:`close_connections` closes them: sign-out, another server, the end of the process), so a
sync where nothing changed costs one request on an open connection, not a new TCP connection. A
request on a kept connection that the server has closed meanwhile is sent again at once, once.
"""

from __future__ import annotations

import atexit
import base64
import email.utils
import json
import logging
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .. import __version__
from ..schema.protocol import media_type
from ..schema.wire import (
    ACCOUNT_TERMS_HEADER,
    BLOB_DIGEST_HEADER,
    IDEMPOTENCY_HEADER,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    PULL_ACCEPT,
    PULL_LINES_MEDIA_TYPE,
    REPLAYED_HEADER,
    TUS_VERSION,
    UPLOAD_METADATA_SHA256,
    UPLOADS_PATH,
    Account,
    AccountCreate,
    Health,
    PullResponse,
    PushResponse,
    SessionCreate,
    SessionCreated,
    SignupPolicy,
    SyncStatus,
    parse_repr_digest,
)
from ..schema.wire import AccountInfo as ServerAccountInfo
from .errors import (
    AuthenticationError,
    NetworkError,
    ProtocolError,
    QuotaExceeded,
    RequestRejected,
    ServerError,
)
from .http_import import httpx
from .progress import CancelToken
from .pull_answer import PullPage, read_pull_answer
from .pull_lines import FramingError, read_pull_lines
from .tls import tls_context

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=60.0, pool=10.0)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a request is retried."""

    attempts: int = 6  # tries in all, the first included
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_retry_after: float = 120.0  # a longer Retry-After is reported instead of waited for

    def backoff(self, attempt: int) -> float:
        """Exponential back-off with jitter for the retry after try number ``attempt`` (0-based)."""
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        return random.uniform(ceiling / 2, ceiling)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds to wait: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _error_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def error_for(response: httpx.Response, doing: str) -> Exception:
    """The error for a final error answer: the server's sentence, the code, what was being done."""
    body = _error_body(response)
    code = str(body.get("error") or f"http_{response.status_code}")
    said = str(body.get("message") or response.reason_phrase or "no explanation given")
    status = response.status_code
    if status >= 500:
        return ServerError(f"The sync server failed while {doing} (HTTP {status}: {said}). Try again later.")
    if status == 401:
        again = "" if doing == "signing in" else " Sign in again (`gigbag login`)."
        return AuthenticationError(
            status, code, f"The sync server did not accept the sign-in while {doing}: {said}{again}", body
        )
    if status in (413, 429) and "limit" in body:
        return QuotaExceeded(status, code, f"The sync server refused a file while {doing}: {said}", body)
    return RequestRejected(status, code, f"The sync server refused the request while {doing}: {said}", body)


_M = TypeVar("_M", bound=BaseModel)


def blob_answer_problem(headers: httpx.Headers, sha256: str, size: int | None) -> str | None:
    """What is wrong with a HEAD 200 for a blob (``Content-Length``, ``Repr-Digest``), or None."""
    length = headers.get("Content-Length")
    if size is not None and (length is None or not length.isdigit() or int(length) != size):
        return f"its Content-Length is {length!r}, not {size}"
    digest = headers.get(BLOB_DIGEST_HEADER)
    if digest is not None:
        said = parse_repr_digest(digest)
        if said is None:
            return f"its {BLOB_DIGEST_HEADER} header names no sha-256"
        if said != sha256:
            return f"its {BLOB_DIGEST_HEADER} says sha-256 {said[:12]}…"
    return None


def check_protocol(response: httpx.Response, doing: str) -> None:
    """Refuse an answer from a server that speaks another version of the protocol."""
    spoken = response.headers.get(PROTOCOL_HEADER, "").strip()
    if spoken != str(PROTOCOL_VERSION):
        older = f"protocol {spoken}" if spoken else "an older protocol"
        raise ProtocolError(
            f"The sync server speaks {older} and this Gigbag speaks protocol {PROTOCOL_VERSION} "
            f"(while {doing}): update the Gigbag server (or Gigbag, if it is the older one), then sync again."
        )


_PULL_HEADERS = {"Accept": PULL_ACCEPT}


# What a kept connection that the server closed meanwhile (its keep-alive timeout, a restart) gives on
# reuse: the request is sent again at once on a new connection, once per request, before any back-off.
_STALE_CONNECTION = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
# An idle connection is let go after this, a little before the server closes it (its keep-alive is 75 s), so
# that syncs a minute apart share one and none is sent on a connection the server is closing.
KEEP_IDLE_SECONDS = 60.0
_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=KEEP_IDLE_SECONDS)
MAX_KEPT_CLIENTS = 8  # the least recently used one beyond these is closed (a process rarely has more than two)
_kept_lock = threading.Lock()
_kept_clients: OrderedDict[tuple[str, str | None], httpx.Client] = OrderedDict()  # (server URL, token) -> client


def _headers(token: str | None) -> dict[str, str]:
    headers = {
        "User-Agent": f"gigbag/{__version__}",
        "Accept": "application/json",
        PROTOCOL_HEADER: str(PROTOCOL_VERSION),
    }
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def _new_http(
    server_url: str,
    token: str | None,
    timeout: httpx.Timeout,
    transport: httpx.BaseTransport | None = None,
    event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
) -> httpx.Client:
    return httpx.Client(
        base_url=server_url,
        headers=_headers(token),
        timeout=timeout,
        transport=transport,
        event_hooks=dict(event_hooks or {}),
        limits=_LIMITS,
        follow_redirects=False,
        verify=tls_context(verified=not server_url.startswith("http://")),
    )


def _kept_http(server_url: str, token: str | None) -> httpx.Client:
    """The process's client of this server and token (made on first use; httpx clients are thread-safe)."""
    key = (server_url, token)
    retired: list[httpx.Client] = []
    with _kept_lock:
        http = _kept_clients.get(key)
        if http is None or http.is_closed:
            http = _kept_clients[key] = _new_http(server_url, token, DEFAULT_TIMEOUT)
        _kept_clients.move_to_end(key)
        while len(_kept_clients) > MAX_KEPT_CLIENTS:
            retired.append(_kept_clients.popitem(last=False)[1])
    for old in retired:
        old.close()
    return http


def close_connections(server_url: str | None = None, token: str | None = None) -> None:
    """Close the kept clients (and their connections): of ``server_url`` (of one ``token`` of it when
    given), or all of them. After a sign-out, a refused token, a change of server, and at exit."""
    url = normalize_server_url(server_url) if server_url is not None else None
    with _kept_lock:
        keys = [k for k in _kept_clients if url is None or (k[0] == url and (token is None or k[1] == token))]
        closing = [_kept_clients.pop(k) for k in keys]
    for http in closing:
        http.close()


atexit.register(close_connections)

# An answer this process received outside a SyncClient, handed to the next client of the same server and
# token that sends the very same request (``gigbag sync``'s quick path, when it falls through to the
# engine, hands over its pull). Taken by that client's first request, whatever it is, within a few seconds.
HANDED_ANSWER_SECONDS = 10.0
_handed: dict[tuple[str, str | None], tuple[float, str, str, dict[str, Any], list[tuple[str, str]], bytes]] = {}


def hand_answer(
    server_url: str,
    token: str | None,
    method: str,
    path: str,
    params: Mapping[str, Any],
    headers: list[tuple[str, str]],
    body: bytes,
) -> None:
    """Keep a 200 answer to ``method path?params`` for the next client of this server and token."""
    with _kept_lock:
        _handed[(normalize_server_url(server_url), token or None)] = (
            time.monotonic(),
            method,
            path,
            dict(params),
            headers,
            body,
        )


def _take_handed(
    server_url: str, token: str | None, method: str, path: str, params: Mapping[str, Any] | None
) -> tuple[list[tuple[str, str]], bytes] | None:
    with _kept_lock:
        handed = _handed.pop((server_url, token), None)
    if handed is None:
        return None
    at, said_method, said_path, said_params, headers, body = handed
    fresh = time.monotonic() - at < HANDED_ANSWER_SECONDS
    same = (said_method, said_path, said_params) == (method, path, dict(params or {}))
    return (headers, body) if fresh and same else None


class SyncClient:
    """A connection to one sync server. Use as a context manager, or call :meth:`close`.

    Without a ``transport``, ``event_hooks`` or a ``timeout`` of its own it uses the process's kept
    client of this server and token, which :meth:`close` leaves open for the next one.
    """

    def __init__(
        self,
        server_url: str,
        token: str | None = None,
        *,
        retry: RetryPolicy | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        cancel: CancelToken | None = None,
        transport: httpx.BaseTransport | None = None,
        event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
    ) -> None:
        self.server_url = normalize_server_url(server_url)
        self.retry = retry or RetryPolicy()
        self.cancel = cancel or CancelToken()
        # The last account-terms fingerprint the server sent (a pull or GET /v1/account), None before one.
        self.account_terms_tag: str | None = None
        self._token = token or None
        self._kept = transport is None and not event_hooks and timeout is DEFAULT_TIMEOUT
        if self._kept:
            self._http = _kept_http(self.server_url, self._token)
        else:
            self._http = _new_http(self.server_url, self._token, timeout, transport, event_hooks)

    def close(self) -> None:
        """Close this client's own connection; a kept one stays open for the next client."""
        if not self._kept:
            self._http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- the retry loop --------------------------------------------------------------------
    def _send(
        self,
        method: str,
        url: str,
        doing: str,
        *,
        ok: tuple[int, ...] = (200,),
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        body: Callable[[], Iterable[bytes]] | None = None,
        retry_conflict: bool = True,
        retry_throttled: bool = True,
        retry: bool = True,
        stream: bool = False,
        final: tuple[int, ...] = (),
    ) -> httpx.Response:
        """Send until an answer in ``ok`` or ``final`` (returned) or a final error (raised)."""
        if self._kept and _handed:
            handed = _take_handed(self.server_url, self._token, method, url, params)
            if handed is not None and 200 in ok:
                request = self._http.build_request(method, url, params=params, headers=headers)
                return httpx.Response(200, headers=handed[0], content=handed[1], request=request)
        attempts = self.retry.attempts if retry else 1
        last_problem = ""
        for attempt in range(attempts):
            self.cancel.check()
            try:
                response = self._send_once(method, url, params, headers, content, body, stream, again=retry)
            except httpx.TransportError as exc:
                last_problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                log.info(
                    "%s %s while %s: %s (attempt %d of %d)", method, url, doing, last_problem, attempt + 1, attempts
                )
                if attempt + 1 < attempts:
                    self.cancel.sleep(self.retry.backoff(attempt))
                    continue
                raise NetworkError(
                    f"Could not reach the sync server at {self.server_url} while {doing} ({last_problem}). "
                    "Nothing was lost; check the address and the connection and sync again."
                ) from exc
            status = response.status_code
            if status in ok or status in final:
                return response
            retryable = status >= 500 or (status == 429 and retry_throttled) or (status == 409 and retry_conflict)
            if retryable and attempt + 1 < attempts:
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                log.info(
                    "%s %s while %s: HTTP %d, trying again (attempt %d of %d)",
                    method,
                    url,
                    doing,
                    status,
                    attempt + 1,
                    attempts,
                )
                if wait is not None and wait > self.retry.max_retry_after:
                    response.read()
                    response.close()
                    raise error_for(response, doing)
                response.close()
                self.cancel.sleep(wait if wait is not None else self.retry.backoff(attempt))
                continue
            response.read()
            response.close()
            log.info("%s %s while %s: HTTP %d", method, url, doing, status)
            raise error_for(response, doing)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _send_once(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        content: bytes | None,
        body: Callable[[], Iterable[bytes]] | None,
        stream: bool,
        *,
        again: bool,
    ) -> httpx.Response:
        """One try; on a kept connection that turns out closed by the server, the same request once more
        at once (``again``: its body can be made again)."""
        for reuse in (True, False):
            payload: Any = content if body is None else body()
            request = self._http.build_request(method, url, params=params, headers=headers, content=payload)
            try:
                return self._http.send(request, stream=stream)
            except _STALE_CONNECTION as exc:
                if not (reuse and again and self._kept):
                    raise
                log.debug("%s %s: the kept connection was closed (%s); sending again", method, url, exc)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    @staticmethod
    def _json(response: httpx.Response, doing: str) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise ProtocolError(f"The sync server answered with something that is not JSON while {doing}.") from exc

    @staticmethod
    def _parse(model: type[_M], response: httpx.Response, doing: str) -> _M:
        """The answer as ``model``, parsed straight from its bytes; an answer that is not JSON or of the wrong
        shape is a sentence (the detail goes to the log)."""
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise SyncClient._not_understood(response, doing, model.__name__, str(exc)) from exc

    @staticmethod
    def _not_understood(response: httpx.Response, doing: str, what: str, detail: str) -> ProtocolError:
        """The sentence for an answer that is not what it should be (``detail``, what is wrong, goes to the log)."""
        log.warning(
            "the answer to %s %s is not a valid %s: %s",
            response.request.method,
            response.request.url.path,
            what,
            detail,
        )
        return ProtocolError(
            f"The sync server answered with something this version of Gigbag does not understand while "
            f"{doing}. Nothing was applied; try again later, or check that the server and Gigbag are "
            "up to date (the details are in the log)."
        )

    # ---- accounts and sessions -------------------------------------------------------------
    def health(self) -> Health:
        response = self._send("GET", "/v1/health", "checking the server")
        return self._parse(Health, response, "checking the server")

    def create_account(self, email: str, password: str, display_name: str, invite: str | None = None) -> Account:
        doing = "creating the account"
        body = AccountCreate(email=email, password=password, display_name=display_name, invite=invite).model_dump_json(
            exclude_none=True
        )
        response = self._send(
            "POST",
            "/v1/accounts",
            doing,
            ok=(200, 201),
            content=body.encode(),
            headers={"Content-Type": "application/json"},
            retry_conflict=False,
        )
        return self._parse(Account, response, doing)

    def create_session(self, email: str, password: str, device_name: str) -> SessionCreated:
        doing = "signing in"
        body = SessionCreate(email=email, password=password, device_name=device_name).model_dump_json()
        response = self._send(
            "POST",
            "/v1/sessions",
            doing,
            ok=(200, 201),
            content=body.encode(),
            headers={"Content-Type": "application/json"},
            retry_conflict=False,
            retry_throttled=False,  # a lock-out after wrong passwords is reported, not sat out
        )
        return self._parse(SessionCreated, response, doing)

    def delete_session(self) -> None:
        self._send("DELETE", "/v1/sessions/current", "signing out", ok=(200, 204))

    # ---- the server's terms: who may sign up, this account's tier and limits --------------------
    def signup_policy(self) -> SignupPolicy:
        """``GET /v1/signup``: "open", "invite" (a code from the operator is needed) or "closed"."""
        doing = "asking whether the server takes new accounts"
        response = self._send("GET", "/v1/signup", doing)
        return self._parse(SignupPolicy, response, doing)

    def account_info(self) -> ServerAccountInfo:
        """``GET /v1/account``: the signed-in account's tier, the limits in force and the usage."""
        doing = "reading the account's tier and limits"
        response = self._send("GET", "/v1/account", doing)
        self.account_terms_tag = response.headers.get(ACCOUNT_TERMS_HEADER)
        return self._parse(ServerAccountInfo, response, doing)

    # ---- entities ----------------------------------------------------------------------------
    def push(
        self, idempotency_key: str, body: bytes, sent: Callable[[], None] | None = None
    ) -> tuple[PushResponse, bool]:
        """POST one batch; the same key and bytes on every retry. Returns the answer and whether it was replayed.
        ``sent`` is called each time the whole body has been written to the connection."""
        doing = "sending changes"
        headers = {"Content-Type": "application/json", IDEMPOTENCY_HEADER: idempotency_key}
        chunks: Callable[[], Iterable[bytes]] | None = None
        if sent is not None:
            headers["Content-Length"] = str(len(body))  # the same request as with ``content``, not chunked

            def chunks() -> Iterator[bytes]:
                yield body
                sent()  # httpx asks for the next chunk once the last one is written

        response = self._send("POST", "/v1/sync/push", doing, content=body, body=chunks, headers=headers)
        check_protocol(response, doing)
        replayed = response.headers.get(REPLAYED_HEADER, "").lower() == "true"
        return self._parse(PushResponse, response, doing), replayed

    def pull(self, since: int, limit: int, skip: str | None = None) -> PullPage:
        """A page after ``since``; ``skip`` ("lo-hi,…") leaves out versions this device recorded from its pushes.
        Asked for framed as lines (protocol 4), and read by :func:`~gigbag.sync.pull_lines.read_pull_lines`,
        which refuses anything else with the usual sentence. A JSON answer is read by
        :func:`~gigbag.sync.pull_answer.read_pull_answer`; what it does not accept, by ``PullResponse``
        (which refuses it with the usual error, or coerces it as it always did)."""
        doing = "fetching changes"
        params: dict[str, Any] = {"since": since, "limit": limit}
        if skip:
            params["skip"] = skip
        response = self._send("GET", "/v1/sync/pull", doing, params=params, headers=_PULL_HEADERS)
        check_protocol(response, doing)
        self.account_terms_tag = response.headers.get(ACCOUNT_TERMS_HEADER)
        if media_type(response.headers.get("content-type")) == PULL_LINES_MEDIA_TYPE:
            try:
                return read_pull_lines(response.content)
            except FramingError as exc:
                raise self._not_understood(response, doing, "framed pull page", str(exc)) from exc
        page = read_pull_answer(response.content)
        return self._parse(PullResponse, response, doing) if page is None else page

    def status(self) -> SyncStatus:
        response = self._send("GET", "/v1/sync/status", "reading the account's status")
        return self._parse(SyncStatus, response, "reading the account's status")

    # ---- blobs -------------------------------------------------------------------------------
    def blob_exists(self, sha256: str, size: int | None = None) -> bool:
        """Whether the server holds the blob, as far as its answer proves it: a 200 whose size (when
        ``size`` is known) or digest header disagrees is treated as missing, so the file is sent again."""
        response = self._send("HEAD", f"/v1/blobs/{sha256}", "checking a file on the server", final=(404,))
        if response.status_code == 404:
            return False
        problem = blob_answer_problem(response.headers, sha256, size)
        if problem:
            log.warning("HEAD of blob %s answered 200 but %s: treated as missing", sha256[:12], problem)
            return False
        return True

    def put_blob(self, sha256: str, size: int, chunks: Callable[[], Iterable[bytes]]) -> None:
        """Upload a whole blob in one streamed request (small files)."""
        self._send(
            "PUT",
            f"/v1/blobs/{sha256}",
            "uploading a file",
            ok=(200, 201, 204),
            body=chunks,
            headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)},
        )

    def tus_create(self, sha256: str, size: int) -> tuple[str, int]:
        """Create a resumable upload (tus creation); return its absolute URL and the offset the
        server already holds (the whole size when it has this blob already)."""
        metadata = f"{UPLOAD_METADATA_SHA256} {base64.b64encode(sha256.encode()).decode()}"
        response = self._send(
            "POST",
            UPLOADS_PATH,
            "starting a file upload",
            ok=(200, 201),
            headers={"Tus-Resumable": TUS_VERSION, "Upload-Length": str(size), "Upload-Metadata": metadata},
            content=b"",
            retry_conflict=False,
        )
        location = response.headers.get("Location")
        if not location:
            raise ProtocolError("The sync server started an upload but did not say where it is (no Location).")
        offset = response.headers.get("Upload-Offset", "0")
        return str(self._http.base_url.join(location)), int(offset) if offset.isdigit() else 0

    def tus_offset(self, url: str) -> int | None:
        """How many bytes of a resumable upload the server holds; None when it no longer knows it."""
        response = self._send(
            "HEAD",
            url,
            "resuming a file upload",
            headers={"Tus-Resumable": TUS_VERSION},
            ok=(200, 204),
            final=(404, 410),
        )
        if response.status_code in (404, 410):
            return None
        try:
            return int(response.headers["Upload-Offset"])
        except (KeyError, ValueError) as exc:
            raise ProtocolError("The sync server did not say how much of an upload it holds.") from exc

    def tus_patch(self, url: str, offset: int, length: int, chunks: Iterable[bytes]) -> int:
        """Send ``length`` bytes at ``offset`` (one try: a broken PATCH is resumed from the server's offset;
        see ``blob_sync``)."""
        response = self._send(
            "PATCH",
            url,
            "uploading a file",
            ok=(200, 204),
            headers={
                "Tus-Resumable": TUS_VERSION,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
                "Content-Length": str(length),
            },
            body=lambda: chunks,
            retry=False,
        )
        try:
            return int(response.headers["Upload-Offset"])
        except (KeyError, ValueError) as exc:
            raise ProtocolError("The sync server did not say how much of an upload it holds.") from exc

    @property
    def read_timeout(self) -> float | None:
        """Seconds a download may wait for its next bytes (the client's read timeout)."""
        return self._http.timeout.read

    @contextmanager
    def download(self, sha256: str, offset: int = 0) -> Iterator[httpx.Response]:
        """A streaming GET of a blob from ``offset`` (a Range request); status 200 or 206."""
        headers = {"Range": f"bytes={offset}-"} if offset else None
        response = self._send(
            "GET",
            f"/v1/blobs/{sha256}",
            "downloading a file",
            ok=(200, 206),
            headers=headers,
            stream=True,
            final=(404, 416),
        )
        try:
            yield response
        finally:
            response.close()


def normalize_server_url(url: str) -> str:
    """``https://host:port`` without a trailing slash; a bare host gets https://."""
    url = url.strip()
    if "://" not in url:
        url = "https://" + url
    return url.rstrip("/")


def dumps_compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
