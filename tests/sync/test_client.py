"""The HTTP client's retry policy: what is retried (network, 5xx, 409, 429 with Retry-After), what is not.

A real server cannot be made to fail on purpose with a 503 or a 409 "in flight", so the retry
mechanics are driven by ``httpx.MockTransport`` scripts here; the errors a real server does give
(wrong password, an unreachable address) are checked against real ones below and in the e2e tests.
"""

from __future__ import annotations

import email.utils
import socket
import time
from collections.abc import Callable

import httpx
import pytest

from gigbag.schema.wire import PROTOCOL_HEADER, PROTOCOL_VERSION
from gigbag.sync.client import RetryPolicy, SyncClient, retry_after_seconds
from gigbag.sync.errors import (
    AuthenticationError,
    NetworkError,
    ProtocolError,
    QuotaExceeded,
    RequestRejected,
    ServerError,
    SyncCancelled,
)
from gigbag.sync.progress import CancelToken

PUSH_OK = {"results": [], "cursor": 7}
PROTOCOL = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}


class RecordingCancel(CancelToken):
    """Records the back-off waits instead of sleeping through them (the policy is what is tested)."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.check()
        self.waits.append(seconds)


def client_for(script: list[httpx.Response], seen: list[httpx.Request], **kwargs: object) -> SyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return script.pop(0)

    return SyncClient(
        "http://sync.test",
        "secret-token",
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(attempts=4, base_delay=0.1, max_delay=1.0),
        **kwargs,  # type: ignore[arg-type]
    )


def error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: object
) -> httpx.Response:
    return httpx.Response(status, json={"error": code, "message": message, **extra}, headers=headers)


def test_5xx_and_409_are_retried_with_the_same_key_and_body_and_jittered_backoff() -> None:
    seen: list[httpx.Request] = []
    cancel = RecordingCancel()
    script = [
        error(503, "unavailable", "busy"),
        error(409, "idempotency_key_in_flight", "still running"),
        httpx.Response(200, json=PUSH_OK, headers={"Idempotent-Replayed": "true", **PROTOCOL}),
    ]
    with client_for(script, seen, cancel=cancel) as client:
        response, replayed = client.push("key-1", b'{"device_id":"d","changes":[]}')
    assert response.cursor == 7 and replayed
    assert [r.headers["Idempotency-Key"] for r in seen] == ["key-1"] * 3
    assert {r.content for r in seen} == {b'{"device_id":"d","changes":[]}'}
    assert seen[0].headers["Authorization"] == "Bearer secret-token"
    assert len(cancel.waits) == 2
    assert 0.05 <= cancel.waits[0] <= 0.1 and 0.1 <= cancel.waits[1] <= 0.2


def test_a_push_says_when_its_body_is_written_and_sends_the_same_request_on_every_retry() -> None:
    seen: list[httpx.Request] = []
    written: list[int] = []  # how many requests the transport had read when the body was written
    body = b'{"changes":[],"device_id":"d"}'
    script = [error(503, "unavailable", "busy"), httpx.Response(200, json=PUSH_OK, headers=PROTOCOL)]
    with client_for(script, seen, cancel=RecordingCancel()) as client:
        response, replayed = client.push("key-1", body, sent=lambda: written.append(len(seen)))
    assert response.cursor == 7 and not replayed
    assert written == [0, 1]  # once per attempt, as the transport read it
    assert [r.content for r in seen] == [body, body]
    assert all(r.headers["Content-Length"] == str(len(body)) for r in seen)
    assert all("Transfer-Encoding" not in r.headers for r in seen)  # not chunked: the bytes of ``content``


def test_retry_after_is_honoured_in_seconds_and_as_a_date() -> None:
    seen: list[httpx.Request] = []
    cancel = RecordingCancel()
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    script = [
        error(429, "too_many_attempts", "slow down", {"Retry-After": "3"}),
        error(503, "unavailable", "maintenance", {"Retry-After": when}),
        httpx.Response(200, json={"status": "ok", "protocol": 1}),
    ]
    with client_for(script, seen, cancel=cancel) as client:
        assert client.health().protocol == 1
    assert cancel.waits[0] == 3.0
    assert 25 <= cancel.waits[1] <= 31
    assert retry_after_seconds("garbage") is None and retry_after_seconds(None) is None


def test_a_retry_after_beyond_the_patience_of_the_policy_is_reported_not_waited() -> None:
    seen: list[httpx.Request] = []
    cancel = RecordingCancel()
    script = [error(429, "too_many_attempts", "Try again in an hour.", {"Retry-After": "3600"})]
    with client_for(script, seen, cancel=cancel) as client, pytest.raises(RequestRejected) as err:
        client.pull(0, 10)
    assert cancel.waits == [] and len(seen) == 1
    assert "Try again in an hour." in str(err.value)


@pytest.mark.parametrize(
    ("response", "kind", "words"),
    [
        (
            error(400, "idempotency_key_required", "An Idempotency-Key header is required."),
            RequestRejected,
            "Idempotency-Key",
        ),
        (error(422, "idempotency_key_reused", "This key was used with another body."), RequestRejected, "another body"),
        (error(401, "unauthorized", "The token is not valid."), AuthenticationError, "not valid"),
        (error(404, "not_found", "There is nothing here."), RequestRejected, "nothing here"),
        (
            error(
                413,
                "storage_quota_exceeded",
                "Your storage is full.",
                limit="storage_quota",
                limit_bytes=10,
                used_bytes=10,
                remaining_bytes=0,
            ),
            QuotaExceeded,
            "storage is full",
        ),
    ],
)
def test_other_4xx_are_final_and_carry_the_servers_sentence(
    response: httpx.Response, kind: type[Exception], words: str
) -> None:
    seen: list[httpx.Request] = []
    with client_for([response], seen, cancel=RecordingCancel()) as client, pytest.raises(kind) as err:
        client.push("k", b"{}")
    assert len(seen) == 1
    assert words in str(err.value)
    assert isinstance(err.value, RequestRejected) and err.value.code == response.json()["error"]


def test_409_on_account_creation_is_final_because_the_email_is_taken() -> None:
    seen: list[httpx.Request] = []
    script = [error(409, "email_taken", "This email already has an account.")]
    with client_for(script, seen) as client, pytest.raises(RequestRejected, match="already has an account"):
        client.create_account("a@example.org", "password123", "A")
    assert len(seen) == 1


def test_5xx_that_never_ends_becomes_a_server_error_after_the_last_attempt() -> None:
    seen: list[httpx.Request] = []
    script = [error(500, "internal", "boom") for _ in range(4)]
    with client_for(script, seen, cancel=RecordingCancel()) as client, pytest.raises(ServerError, match="boom"):
        client.pull(0, 10)
    assert len(seen) == 4


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_server_is_retried_then_named_in_the_error() -> None:
    cancel = RecordingCancel()
    url = f"http://127.0.0.1:{_closed_port()}"
    policy = RetryPolicy(attempts=3, base_delay=0.01)
    with SyncClient(url, retry=policy, cancel=cancel) as client, pytest.raises(NetworkError) as err:
        client.health()
    assert len(cancel.waits) == 2
    assert url in str(err.value) and "Nothing was lost" in str(err.value)


def test_cancel_stops_a_retry_wait_at_once() -> None:
    cancel = CancelToken()
    url = f"http://127.0.0.1:{_closed_port()}"
    timer_started = time.monotonic()

    def cancel_soon() -> Callable[[], None]:
        import threading

        timer = threading.Timer(0.3, cancel.cancel)
        timer.start()
        return timer.cancel

    stop = cancel_soon()
    try:
        policy = RetryPolicy(attempts=10, base_delay=5.0, max_delay=5.0)
        with SyncClient(url, retry=policy, cancel=cancel) as client, pytest.raises(SyncCancelled):
            client.health()
    finally:
        stop()
    assert time.monotonic() - timer_started < 3.0


@pytest.mark.parametrize("spoken", [None, "1", str(PROTOCOL_VERSION - 1), str(PROTOCOL_VERSION + 1)])
def test_an_answer_in_another_protocol_is_refused_with_words_to_update(spoken: str | None) -> None:
    """An older server ignores what it does not know (the pull's skip, the protocol header) and answers
    without the header: the client stops instead of reading pages whose meaning has changed."""
    headers = {PROTOCOL_HEADER: spoken} if spoken else {}
    page = {"changes": [], "cursor": 0, "has_more": False}
    seen: list[httpx.Request] = []
    client = client_for(
        [httpx.Response(200, json=page, headers=headers), httpx.Response(200, json=PUSH_OK, headers=headers)], seen
    )
    with pytest.raises(ProtocolError, match="update the Gigbag server"):
        client.pull(0, 10, "1-5")
    with pytest.raises(ProtocolError, match=f"speaks protocol {PROTOCOL_VERSION}"):
        client.push("5b0e7c9c-8e8e-4a37-9c2e-6d8d2b1f4a10", b"{}")
    assert all(r.headers[PROTOCOL_HEADER] == str(PROTOCOL_VERSION) for r in seen)
    assert seen[0].url.params["skip"] == "1-5"


def test_tls_settings_are_built_once_and_a_plain_http_client_trusts_no_certificate() -> None:
    import ssl

    from gigbag.sync.client import tls_context

    assert tls_context() is tls_context()  # the CA bundle is loaded once per process
    assert tls_context().verify_mode == ssl.CERT_REQUIRED and tls_context().get_ca_certs()
    plain = tls_context(verified=False)
    # an https URL reached from a client of an http:// server fails its handshake: nothing is trusted
    assert plain.verify_mode == ssl.CERT_REQUIRED and plain.check_hostname and plain.get_ca_certs() == []
