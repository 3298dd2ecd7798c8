"""Signing in and out: the token lives in the keyring (or the explicit file fallback), never in the
database; a database synced with one account never syncs into another."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import httpx
import keyring
import pytest
from keyring.backends import fail
from sqlalchemy import text

from gigbag.sync.account import KEYRING_SERVICE, keyring_user, load_token
from gigbag.sync.errors import AccountMismatch, KeyringUnavailable, NotSignedIn

from .conftest import PASSWORD, server_entities


def files_containing(root: Path, needle: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_the_token_is_in_the_keyring_and_nowhere_in_the_data_folder(
    server: Any, email: str, make_device: Any, memory_keyring: Any
) -> None:
    a = make_device("a")
    a.login(server, email, create=True)
    a.ws.journal.create({"title": "x"})
    a.sync()
    info = a.service.account()
    token = memory_keyring.get_password(KEYRING_SERVICE, keyring_user(info.server_url, info.user_id, info.device_id))
    assert token and load_token(info) == token
    assert files_containing(a.ws.paths.data, token.encode()) == []
    assert token not in server.log_text()


def test_two_data_folders_signed_in_to_one_account_keep_separate_tokens(
    server: Any, email: str, make_device: Any
) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    b.login(server, email)
    assert load_token(a.service.account()) != load_token(b.service.account())
    a.ws.journal.create({"title": "from a"})
    assert a.sync().pushed == 1
    assert b.sync().pulled == 1


def test_without_a_keyring_sign_in_stops_before_asking_the_server_and_names_the_fallback(
    server: Any, email: str, make_device: Any
) -> None:
    keyring.set_keyring(fail.Keyring())
    a = make_device("a")
    with pytest.raises(KeyringUnavailable) as err:
        a.login(server, email, create=True)
    assert "--insecure-token-file" in str(err.value)
    assert a.requests == []  # no account was created, no token handed out
    assert not a.service.account().signed_in


def test_the_insecure_token_file_is_private_and_the_database_holds_only_its_path(
    server: Any, email: str, make_device: Any, tmp_path: Path
) -> None:
    keyring.set_keyring(fail.Keyring())
    a = make_device("a")
    token_file = tmp_path / "secret" / "token"
    a.service.sign_in(server.url, email, PASSWORD, create_account=True, display_name="A", token_file=token_file)
    mode = stat.S_IMODE(token_file.stat().st_mode)
    assert mode == 0o600
    token = token_file.read_text()
    assert files_containing(a.ws.paths.data, token.encode()) == []
    a.ws.journal.create({"title": "x"})
    assert a.sync().pushed == 1
    assert a.service.sign_out() is True
    assert not token_file.exists()
    response = httpx.get(
        server.url + "/v1/sync/pull", params={"since": 0}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401  # revoked on the server


def test_a_database_synced_with_one_account_refuses_another(server: Any, email: str, make_device: Any) -> None:
    a = make_device("a")
    a.login(server, email, create=True)
    a.ws.journal.create({"title": "Private notes of artist one"})
    a.sync()
    a.service.sign_out()
    other = "other-" + email
    with pytest.raises(AccountMismatch) as err:
        a.service.sign_in(server.url, other, PASSWORD, create_account=True, display_name="Other")
    assert "--data-dir" in str(err.value) and "remove the local data" in str(err.value)
    assert not a.service.account().signed_in
    with pytest.raises(NotSignedIn):
        a.sync()
    assert all(items == [] for items in server_entities(server, other).values())
    a.login(server, email)  # the same artist again: allowed, and it continues where it stopped
    assert a.sync().pulled == 0


def test_the_first_sync_binds_the_database_and_its_artist_to_the_account_without_a_change_to_push(
    server: Any, email: str, make_device: Any
) -> None:
    a = make_device("a")
    a.ws.profile.save({"stage_name": "Norte"})
    a.login(server, email, create=True)
    assert a.sync().pushed == 1  # the profile itself
    user_id = a.service.account().user_id
    with a.ws.engine.connect() as conn:
        assert conn.execute(text("SELECT bound_user_id FROM sync_account")).scalar() == user_id
        assert conn.execute(text("SELECT user_id FROM artists")).scalar() == user_id
        assert conn.execute(text("SELECT count(*) FROM change_log")).scalar() == 0  # local only: nothing to push
    assert a.sync().pushed == 0


def test_before_the_first_sync_a_database_may_still_sign_in_as_someone_else(
    server: Any, email: str, make_device: Any
) -> None:
    a = make_device("a")
    a.login(server, email, create=True)
    a.service.sign_out()
    other = "second-" + email
    a.service.sign_in(server.url, other, PASSWORD, create_account=True, display_name="Second")
    a.ws.journal.create({"title": "x"})
    a.sync()
    assert len(server_entities(server, other)["journal_entries"]) == 1


def test_a_sync_where_nothing_moved_asks_for_the_terms_only_when_the_operator_changed_them(
    server: Any, email: str, make_device: Any
) -> None:
    from tests.server.admin_cli import admin_ok

    a = make_device("a")
    a.login(server, email, create=True)
    a.sync()
    a.requests.clear()
    a.sync()
    assert a.requests == [("GET", "/v1/sync/pull")]  # the fingerprint in the pull matches the kept terms
    admin_ok(server, "user", "set-quota", email, "7MiB")
    a.requests.clear()
    a.sync()
    assert a.requests == [("GET", "/v1/sync/pull"), ("GET", "/v1/account")]
    assert a.ws.files.storage().limit_bytes == 7 * 1024**2
    assert a.service.account_terms().storage_quota_bytes == 7 * 1024**2  # type: ignore[union-attr]
    a.requests.clear()
    a.sync()
    assert a.requests == [("GET", "/v1/sync/pull")]


def test_the_terms_are_read_again_after_a_sync_only_when_an_upload_may_have_moved_the_usage(
    server: Any, email: str, make_device: Any, tmp_path: Path
) -> None:
    """The usage is the size of the account's uploaded files: a sync that sends or receives other data asks
    for nothing more than its pushes and pulls; one that uploads, or receives a file from another computer,
    reads the terms again and shows the new usage."""
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    b.login(server, email)
    a.sync()
    b.sync()
    a.ws.journal.create({"title": "Tour diary"})
    a.requests.clear()
    a.sync()
    assert ("GET", "/v1/account") not in a.requests and ("POST", "/v1/sync/push") in a.requests
    b.requests.clear()
    summary = b.sync()
    assert summary.received == 1 and not summary.file_refs_moved
    assert b.requests == [("GET", "/v1/sync/pull")]
    song = tmp_path / "demo.wav"
    song.write_bytes(b"RIFF" + b"\x01" * 4096)
    a.ws.files.import_file(song)
    a.requests.clear()
    a.sync()
    assert ("GET", "/v1/account") in a.requests
    b.requests.clear()
    summary = b.sync()
    assert summary.file_refs_moved
    assert ("GET", "/v1/account") in b.requests
    assert b.service.account_terms().used_bytes == song.stat().st_size  # type: ignore[union-attr]


def test_the_kept_terms_are_read_from_disk_only_when_the_file_changed(
    server: Any, email: str, make_device: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A no-op compares the pull's fingerprint with the kept terms without reading their file; a file
    another process rewrote (another ``gigbag`` of this data folder) is read again."""
    from gigbag.app import account_terms

    a = make_device("a")
    a.login(server, email, create=True)
    a.sync()
    reads: list[Path] = []
    read_text = Path.read_text

    def counted(self: Path, *args: Any, **kwargs: Any) -> str:
        if self.name == account_terms.TERMS_FILE:
            reads.append(self)
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", counted)
    a.requests.clear()
    a.sync()
    a.sync()
    assert reads == [] and a.requests == [("GET", "/v1/sync/pull")] * 2
    path = a.ws.paths.data / account_terms.TERMS_FILE
    kept = json.loads(read_text(path, encoding="utf-8"))
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps({**kept, "tag": "an older fingerprint"}), encoding="utf-8")
    partial.replace(path)
    a.requests.clear()
    a.sync()
    assert len(reads) == 1  # the new file, once
    assert a.requests == [("GET", "/v1/sync/pull"), ("GET", "/v1/account")]  # its fingerprint differs


def test_terms_that_cannot_be_kept_on_a_full_disk_leave_the_sync_done_and_the_old_terms_in_place(
    server: Any, email: str, make_device: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The terms are a copy of the server's: a disk too full to keep the new ones is a log line, not a
    failed sync; the copy kept before stays whole and the next sync keeps the new one."""
    import errno

    from gigbag.app import account_terms

    a = make_device("a")
    a.login(server, email, create=True)
    a.sync()
    path = a.ws.paths.data / account_terms.TERMS_FILE
    before = path.read_bytes()
    write_text = Path.write_text

    def full(self: Path, data: str, *args: Any, **kwargs: Any) -> int:
        if self.name.startswith(account_terms.TERMS_FILE):
            write_text(self, data[: len(data) // 2], *args, **kwargs)
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return write_text(self, data, *args, **kwargs)

    song = tmp_path / "demo.wav"
    song.write_bytes(b"RIFF" + b"\x02" * 4096)
    a.ws.files.import_file(song)
    monkeypatch.setattr(Path, "write_text", full)
    summary = a.sync()
    assert summary.complete and summary.files_up == 1
    assert path.read_bytes() == before and list(path.parent.glob(f"{account_terms.TERMS_FILE}*")) == [path]
    monkeypatch.setattr(Path, "write_text", write_text)
    song.write_bytes(b"RIFF" + b"\x03" * 4096)
    a.ws.files.import_file(song)
    a.sync()
    assert a.service.account_terms().used_bytes == 2 * song.stat().st_size  # type: ignore[union-attr]
