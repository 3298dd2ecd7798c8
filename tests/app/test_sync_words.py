"""The words of sync, shared by the command line and the desktop: failures, quotas, summaries (no server needed)."""

from __future__ import annotations

import pytest

from gigbag.app import sync_words as words
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
from gigbag.sync.pull import DeletionItem
from gigbag.sync.push import Refusal


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
        e = words.explain_failure(exc, "https://s.example")
        assert e.kind == kind
        assert why in e.text() and todo in e.text()


@pytest.mark.parametrize(
    ("code", "body", "expected"),
    [
        (
            "storage_quota_exceeded",
            {"limit": "storage_quota", "limit_bytes": 50_000_000_000, "remaining_bytes": 1_500_000},
            "storage space on the server is used up: only 1.4 MB of 46.6 GB is left",
        ),
        (
            "daily_upload_limit_exceeded",
            {"limit": "daily_upload_limit", "limit_bytes": 100_000_000, "remaining_bytes": 20_000_000},
            "daily upload limit (95.4 MB a day) is reached: 19.1 MB can still be uploaded today",
        ),
        (
            "upload_too_large",
            {"limit": "max_upload_size", "limit_bytes": 2_000_000_000, "remaining_bytes": 2_000_000_000},
            "larger than the largest file this server accepts (1.9 GB)",
        ),
    ],
)
def test_quota_errors_name_the_limit_and_the_room_left(code, body, expected):  # type: ignore[no-untyped-def]
    exc = QuotaExceeded(413, code, "refused", body)
    assert expected in words.quota_text(exc)
    assert words.explain_failure(exc).kind == "quota"


def test_sign_in_problems_in_words():
    wrong = AuthenticationError(401, "invalid_credentials", "wrong")
    assert "email or password is wrong" in words.sign_in_problem(wrong)
    taken = RequestRejected(409, "email_taken", "taken", {})
    assert "already exists" in words.sign_in_problem(taken, creating=True)
    locked = RequestRejected(429, "too_many_attempts", "locked", {"retry_after_seconds": 40})
    assert "accepts a new try in 40 seconds" in words.sign_in_problem(locked)


def test_summaries_read_like_the_issue_says():
    s = SyncSummary(pushed=12, pulled=42, files_up=2, open_conflicts=1)
    assert words.summary_text(s, received=30) == "12 sent, 30 received, 2 files uploaded, 1 conflict"
    assert words.summary_text(SyncSummary()) == "Everything was already up to date"
    refused = SyncSummary(pushed=1, refused=[Refusal("files", "f1", "does not fit in your storage: 10 kB left")])
    text = words.summary_text(refused, waiting=1)
    assert text == "1 sent — 1 change not accepted by the server (does not fit in your storage: 10 kB left)"
    assert words.summary_text(SyncSummary(pushed=3), waiting=2) == (
        "3 sent — 2 changes made during the sync wait for the next one"
    )


def test_a_summary_says_what_came_from_the_other_computers_by_default():
    # the engine's own count of changes from elsewhere (its own pushes coming back left out)
    assert words.summary_text(SyncSummary(pushed=3, pulled=3, received=0)) == "3 sent"
    assert words.summary_text(SyncSummary(pulled=5, received=2)) == "2 received"


def test_big_deletions_are_grouped_by_type_in_words():
    items = [
        DeletionItem("tracks", "t2", "b side"),
        DeletionItem("goals", "g1", "Gone"),
        DeletionItem("tracks", "t1", "Azúcar"),
    ]
    assert words.group_deletions(items) == [("2 tracks", ["Azúcar", "b side"]), ("1 goal", ["Gone"])]


def test_the_servers_account_codes_become_sentences() -> None:
    import httpx

    from gigbag.sync.client import error_for

    def answer(status: int, code: str, message: str) -> BaseException:
        return error_for(httpx.Response(status, json={"error": code, "message": message}), "syncing")

    expired = answer(
        401, "token_expired", "This sign-in has expired: it was not used for more than 90 days. Sign in again."
    )
    assert words.account_code_text(expired) == (
        "You have been signed out because this computer was not used for 90 days; sign in again."
    )
    assert words.explain_failure(expired).headline.startswith("You have been signed out because")
    disabled = answer(401, "account_disabled", "This account is disabled on this server; ask the server's operator.")
    assert words.explain_failure(disabled).headline == (
        "This account has been disabled by the server's operator. Ask them to enable it again."
    )
    closed = answer(403, "signup_closed", "This server does not take new accounts; ask its operator.")
    assert words.sign_in_problem(closed, creating=True) == (
        "This server does not take new accounts; ask its operator for an invite."
    )
    invalid = answer(403, "invite_invalid", "This invite code was used already.")
    assert words.sign_in_field(invalid) == "invite"
    assert words.sign_in_problem(invalid).startswith("This invite code is not valid")
    assert words.account_code_text(answer(403, "something_else", "no")) is None
