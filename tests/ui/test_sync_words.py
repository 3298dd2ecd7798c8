"""The words of the sync screens: failures, quotas, summaries, times, server addresses (no server needed)."""

from __future__ import annotations

import datetime as dt

import pytest

from gigbag.app import sync_ui_support as support
from gigbag.sync.engine import SyncSummary
from gigbag.sync.errors import (
    AuthenticationError,
    KeyringUnavailable,
    MassDeleteRefused,
    NetworkError,
    QuotaExceeded,
    RequestRejected,
    ServerError,
    SyncCancelled,
)
from gigbag.sync.push import Refusal
from gigbag.ui.sync.words import last_sync_text, when_text


def test_each_failure_says_why_and_what_to_do():
    cases = {
        NetworkError("x"): ("offline", "Could not reach the sync server at https://s.example", "press Sync again"),
        ServerError("The sync server failed (HTTP 503)."): ("server", "HTTP 503", "Nothing was lost"),
        AuthenticationError(401, "unauthorized", "no"): ("sign_in", "no longer accepts", "Sign in again"),
        KeyringUnavailable("No system keyring ... --insecure-token-file"): ("keyring", "insecure-token-file", ""),
        MassDeleteRefused(30, 40): ("mass_delete", "before deleting 30 of the 40 items", "Nothing was deleted"),
        SyncCancelled(): ("cancelled", "Sync cancelled.", "continues where this one stopped"),
        RuntimeError("disk on fire"): ("other", "disk on fire", "Nothing was lost"),
    }
    for exc, (kind, why, todo) in cases.items():
        e = support.explain_failure(exc, "https://s.example")
        assert e.kind == kind
        assert why in e.text() and todo in e.text()


@pytest.mark.parametrize(
    ("code", "body", "expected"),
    [
        (
            "storage_quota_exceeded",
            {"limit": "storage_quota", "limit_bytes": 50_000_000_000, "remaining_bytes": 1_500_000},
            "storage space on the server is used up: only 1.5 MB of 50 GB is left",
        ),
        (
            "daily_upload_limit_exceeded",
            {"limit": "daily_upload_limit", "limit_bytes": 100_000_000, "remaining_bytes": 20_000_000},
            "daily upload limit (100 MB a day) is reached: 20 MB can still be uploaded today",
        ),
        (
            "upload_too_large",
            {"limit": "max_upload_size", "limit_bytes": 2_000_000_000, "remaining_bytes": 2_000_000_000},
            "larger than the largest file this server accepts (2 GB)",
        ),
    ],
)
def test_quota_errors_name_the_limit_and_the_room_left(code, body, expected):  # type: ignore[no-untyped-def]
    exc = QuotaExceeded(413, code, "refused", body)
    assert expected in support.quota_text(exc)
    assert support.explain_failure(exc).kind == "quota"


def test_sign_in_problems_in_words():
    wrong = AuthenticationError(401, "invalid_credentials", "wrong")
    assert "email or password is wrong" in support.sign_in_problem(wrong)
    taken = RequestRejected(409, "email_taken", "taken", {})
    assert "already exists" in support.sign_in_problem(taken, creating=True)
    locked = RequestRejected(429, "too_many_attempts", "locked", {"retry_after_seconds": 40})
    assert "accepts a new try in 40 seconds" in support.sign_in_problem(locked)


def test_server_addresses_are_checked_before_anything_is_sent():
    with pytest.raises(support.ServerProblem) as empty:
        support.check_server("  ")
    assert empty.value.kind == "invalid_address"
    with pytest.raises(support.ServerProblem) as ftp:
        support.check_server("ftp://files.example")
    assert ftp.value.kind == "invalid_address" and "https://sync.example.com" in str(ftp.value)


def test_summaries_read_like_the_issue_says():
    s = SyncSummary(pushed=12, pulled=42, files_up=2, open_conflicts=1)
    assert support.summary_text(s, received=30) == "12 sent, 30 received, 2 files uploaded, 1 conflict"
    assert support.summary_text(SyncSummary()) == "Everything was already up to date"
    refused = SyncSummary(pushed=1, refused=[Refusal("files", "f1", "does not fit in your storage: 10 kB left")])
    text = support.summary_text(refused, waiting=1)
    assert text == "1 sent — 1 change not accepted by the server (does not fit in your storage: 10 kB left)"
    assert support.summary_text(SyncSummary(pushed=3), waiting=2) == (
        "3 sent — 2 changes made during the sync wait for the next one"
    )


def test_times_of_the_last_sync():
    now = dt.datetime(2026, 5, 10, 15, 0, tzinfo=dt.UTC)
    assert when_text("2026-05-10T14:59:30Z", now) == "just now"
    assert when_text("2026-05-10T14:55:00Z", now) == "5 minutes ago"
    assert when_text("2026-05-10T14:58:30.123Z", now) == "1 minute ago"
    assert when_text(None, now) == "never"
    local = dt.datetime(2026, 5, 9, 9, 15, tzinfo=dt.UTC).astimezone()
    assert when_text("2026-05-09T09:15:00Z", now).endswith(local.strftime("%H:%M"))
    assert last_sync_text(None) == "Never synced"
