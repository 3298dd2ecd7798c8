"""Signing this computer in to a sync server and out again; where the device token lives.

Sign-in stores the server URL, the email, the user and the device in ``sync_account`` and the
device token in the system keyring (service ``gigbag``, one entry per server and user) — never in
the database, a file or a log. Sign-out revokes the token on the server and removes it here.

A database that has synced with one account is bound to it (``bound_user_id``, set by the first
sync): signing in as anyone else is refused, so one artist's data never reaches another's account.

When the system has no usable keyring (a headless server, a minimal desktop without a Secret
Service), sign-in stops with :class:`KeyringUnavailable` and names the one explicit fallback:
``gigbag login --insecure-token-file PATH`` keeps the token in PATH (created readable by the owner
only, mode 0600) and records only that path in the database. Anyone who can read the file can act as
this device until it signs out, which is why it is never chosen silently.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import keyring.errors
from keyring.backends import fail
from sqlalchemy import Engine, Table, select, update

from ..local_db.database import read_session, transaction
from ..local_db.models import Artist
from ..local_db.sync_tables import SYNC_ACCOUNT, SyncAccount
from ..schema.entities import ARTIST_ID
from .client import SyncClient, close_connections, normalize_server_url
from .errors import AccountMismatch, KeyringUnavailable, NotSignedIn, SyncError
from .keyring_entry import KEYRING_SERVICE, keyring_user

log = logging.getLogger(__name__)
_ARTIST: Table = Artist.__table__  # type: ignore[attr-defined]


NO_KEYRING_HELP = (
    "No system keyring is available to keep this computer's sign-in token safely ({detail}). "
    "Install or unlock one (e.g. GNOME Keyring / KWallet through the Secret Service, macOS Keychain, "
    "Windows Credential Locker) and sign in again, or — knowing that anyone who can read the file can "
    "act as this device — keep the token in a private file: "
    "`gigbag login --insecure-token-file PATH ...`."
)


def check_keyring() -> None:
    """Raise :class:`KeyringUnavailable` when no keyring backend can store secrets."""
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        raise KeyringUnavailable(NO_KEYRING_HELP.format(detail="keyring found no backend"))
    try:
        backend.get_password(KEYRING_SERVICE, "gigbag-keyring-probe")
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(NO_KEYRING_HELP.format(detail=str(exc) or type(exc).__name__)) from exc


@dataclass(frozen=True)
class AccountInfo:
    server_url: str | None
    email: str | None
    user_id: str | None
    device_id: str | None
    bound_user_id: str | None
    cursor: int
    last_sync_at: str | None
    token_file: str | None

    @property
    def signed_in(self) -> bool:
        return bool(self.server_url and self.user_id and self.device_id)


def read_account(db: Engine) -> AccountInfo:
    with read_session(db) as s:
        row = s.get(SyncAccount, 1)
    if row is None:
        return AccountInfo(None, None, None, None, None, 0, None, None)
    return AccountInfo(
        row.server_url,
        row.email,
        row.user_id,
        row.device_id,
        row.bound_user_id,
        row.cursor,
        row.last_sync_at,
        row.token_file,
    )


def account_of(columns: tuple[Any, ...] | None) -> AccountInfo:
    """The account from its row's columns as :func:`..local_store.read_sync_state` reads them."""
    if columns is None:
        return AccountInfo(None, None, None, None, None, 0, None, None)
    server_url, email, user_id, device_id, bound_user_id, cursor, last_sync_at, token_file = columns
    return AccountInfo(server_url, email, user_id, device_id, bound_user_id, int(cursor or 0), last_sync_at, token_file)


# ---- the token ---------------------------------------------------------------------------------
# Tokens read from the keyring, per entry, for the life of the process: a keyring answers over D-Bus
# or a system service (milliseconds each, twice a sync with the probe). An entry names one device of
# one sign-in, so a new sign-in never meets an old token here; signing out, storing a token and a
# refused token drop the entry. Token files are read every time (cheap, and another process may rewrite one).
_keyring_tokens: dict[tuple[object, str], str] = {}  # (keyring backend, entry) -> token


def forget_cached_token(account: AccountInfo) -> None:
    """Read the token from the keyring again next time (after the server refused it)."""
    if account.server_url and account.user_id and account.device_id:
        _forget_entry(keyring_user(account.server_url, account.user_id, account.device_id))


def _forget_entry(entry: str) -> None:
    for key in [key for key in _keyring_tokens if key[1] == entry]:
        _keyring_tokens.pop(key, None)


def _write_token_file(path: Path, token: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(token)
    os.chmod(path, 0o600)


def store_token(server_url: str, user_id: str, device_id: str, token: str, token_file: Path | None) -> None:
    if token_file is not None:
        _write_token_file(token_file, token)
        return
    check_keyring()
    entry = keyring_user(server_url, user_id, device_id)
    _forget_entry(entry)
    try:
        keyring.set_password(KEYRING_SERVICE, entry, token)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(NO_KEYRING_HELP.format(detail=str(exc) or type(exc).__name__)) from exc


def keep_keyring_token(server_url: str, user_id: str, device_id: str, token: str) -> None:
    """Keep a token this process has just read from the keyring's entry of this sign-in (``gigbag sync``'s
    quick path hands it over when it falls through to the engine), so it is not read twice."""
    _keyring_tokens[(keyring.get_keyring(), keyring_user(server_url, user_id, device_id))] = token


def load_token(account: AccountInfo) -> str:
    """The device token of the signed-in account (raises NotSignedIn or KeyringUnavailable)."""
    if not account.signed_in:
        raise NotSignedIn()
    assert account.server_url is not None and account.user_id is not None and account.device_id is not None
    if account.token_file:
        try:
            token = Path(account.token_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise NotSignedIn() from exc
        if not token:
            raise NotSignedIn()
        return token
    entry = keyring_user(account.server_url, account.user_id, account.device_id)
    cached = _keyring_tokens.get((keyring.get_keyring(), entry))
    if cached is not None:
        return cached
    check_keyring()
    try:
        stored = keyring.get_password(KEYRING_SERVICE, entry)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(NO_KEYRING_HELP.format(detail=str(exc) or type(exc).__name__)) from exc
    if not stored:
        raise NotSignedIn()
    _keyring_tokens[(keyring.get_keyring(), entry)] = stored
    return stored


def forget_token(account: AccountInfo) -> None:
    if account.token_file:
        Path(account.token_file).unlink(missing_ok=True)
        return
    forget_cached_token(account)
    if account.server_url and account.user_id and account.device_id:
        try:
            keyring.delete_password(
                KEYRING_SERVICE, keyring_user(account.server_url, account.user_id, account.device_id)
            )
        except keyring.errors.PasswordDeleteError:
            pass  # already gone
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(NO_KEYRING_HELP.format(detail=str(exc) or type(exc).__name__)) from exc


# ---- sign in, sign out, bind ----------------------------------------------------------------------
def default_device_name() -> str:
    return f"{socket.gethostname() or 'computer'} (Gigbag)"


def _mismatch_message(account: AccountInfo, email: str) -> str:
    return (
        f"The data on this computer belongs to another sync account ({account.email or account.bound_user_id}); "
        f"it will never be synced into {email}'s account. To work as {email}, use a separate data folder "
        "(`gigbag --data-dir OTHER_FOLDER login ...`), or remove the local data first "
        "(after `gigbag export` if you want a copy)."
    )


def sign_in(
    db: Engine,
    server_url: str,
    email: str,
    password: str,
    *,
    device_name: str | None = None,
    create_account: bool = False,
    display_name: str | None = None,
    token_file: Path | None = None,
    client_factory: Callable[..., SyncClient] = SyncClient,
    invite: str | None = None,
) -> AccountInfo:
    """Create a session for this computer (creating the account first if asked, with the operator's
    ``invite`` code when the server takes new accounts by invite) and store it."""
    server_url = normalize_server_url(server_url)
    if token_file is None:
        check_keyring()  # before the server hands out a token that could not be kept
    else:
        token_file = token_file.expanduser().resolve()
    previous = read_account(db)
    with client_factory(server_url) as client:
        if create_account:
            client.create_account(email, password, display_name or email.split("@")[0], invite=invite)
        session = client.create_session(email, password, device_name or default_device_name())
    with client_factory(server_url, session.token) as authed:
        if previous.bound_user_id is not None and previous.bound_user_id != session.user_id:
            _revoke_quietly(authed)
            log.warning("sign-in to %s refused: this data belongs to another account", server_url)
            raise AccountMismatch(_mismatch_message(previous, email))
        try:
            store_token(server_url, session.user_id, session.device_id, session.token, token_file)
        except SyncError:
            _revoke_quietly(authed)
            raise
    if previous.signed_in:
        _retire(previous, token_file, client_factory)
    if previous.server_url is not None:
        close_connections(previous.server_url)  # the earlier sign-in's kept connections (or another server's)
    values = {
        "server_url": server_url,
        "email": email,
        "user_id": session.user_id,
        "device_id": session.device_id,
        "token_file": str(token_file) if token_file is not None else None,
    }
    with transaction(db) as s:
        row = s.get(SyncAccount, 1) or SyncAccount(id=1)
        for name, value in values.items():
            setattr(row, name, value)
        s.add(row)
    log.info(
        "signed in to %s as device %s (token kept in %s)",
        server_url,
        session.device_id,
        "a file" if token_file is not None else "the keyring",
    )
    return read_account(db)


def _retire(previous: AccountInfo, new_token_file: Path | None, client_factory: Callable[..., SyncClient]) -> None:
    """Revoke (if the server can be reached) and forget this computer's earlier device token."""
    try:
        old_token = load_token(previous)
    except SyncError:
        old_token = None
    if old_token is not None and previous.server_url is not None:
        with client_factory(previous.server_url, old_token) as client:
            _revoke_quietly(client)
    if previous.token_file and new_token_file is not None and Path(previous.token_file) == new_token_file:
        return  # the same file now holds the new token
    forget_token(previous)


def _revoke_quietly(client: SyncClient) -> None:
    # The token was never stored; if the server cannot be told now, the session is simply unused.
    with contextlib.suppress(SyncError):
        client.delete_session()


def sign_out(db: Engine, client_factory: Callable[..., SyncClient] = SyncClient) -> bool:
    """Revoke the token on the server and forget it here; True when the server confirmed the revocation.

    The account stays bound to this database, and its cursor and base versions stay, so signing in
    again as the same artist continues where it stopped.
    """
    account = read_account(db)
    if not account.signed_in:
        raise NotSignedIn()
    revoked = False
    try:
        token = load_token(account)
    except NotSignedIn:
        token = None
    if token is not None and account.server_url is not None:
        try:
            with client_factory(account.server_url, token) as client:
                client.delete_session()
            revoked = True
        except SyncError as exc:
            log.warning("sign-out: the server at %s could not revoke the token: %s", account.server_url, exc)
            revoked = False
    forget_token(account)
    if account.server_url is not None:
        close_connections(account.server_url)
    with transaction(db) as s:
        row = s.get(SyncAccount, 1)
        if row is not None:
            row.user_id = None
            row.device_id = None
            row.token_file = None
            s.add(row)
    return revoked


def bind(db: Engine, account: AccountInfo) -> None:
    """Bind the database to the signed-in account before its first sync (never re-bound elsewhere)."""
    if account.bound_user_id is not None:
        if account.bound_user_id != account.user_id:
            raise AccountMismatch(_mismatch_message(account, account.email or "this account"))
        return
    # Plain statements, not the ORM's get: a first sync compiled two ORM queries for the workspace's fresh
    # engine here (8.1 → 3.0 ms median).
    with transaction(db) as s:
        user_id = s.execute(select(SYNC_ACCOUNT.c.user_id).where(SYNC_ACCOUNT.c.id == 1)).scalar()
        if user_id is None:
            raise NotSignedIn()
        s.execute(update(SYNC_ACCOUNT).where(SYNC_ACCOUNT.c.id == 1).values(bound_user_id=user_id))
        # local only: not synced, not a change to push (the capture triggers watch the synced columns)
        s.execute(update(_ARTIST).where(_ARTIST.c.id == ARTIST_ID, _ARTIST.c.user_id.is_(None)).values(user_id=user_id))
