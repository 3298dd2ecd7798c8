"""What the app offers about sync, without Qt: the one door the UI's Sync button and the command line use.

Sign in and out, sync now (with progress events, a cancel token and the big-deletion question),
the status overview (pending changes, the ones no conflict holds back, conflicts, last sync, files),
the conflicts with both versions side by side, their resolution and its undo, cloud-only files,
the files not on this computer, and removing the local data on sign-out. The UI runs these on its
background-operation helper and never touches the database or the engine itself; the names it needs
of the sync room (the summary, progress events, the cancel token…) are offered here too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select

from ..local_db.database import read_session
from ..local_db.sync_tables import CloudOnlyFile, SyncBatch
from ..schema.wire import SignupMode
from ..sync import account as accounts
from ..sync import conflicts as conflict_store
from ..sync import local_reset, resolution_undo
from ..sync.account import AccountInfo
from ..sync.blob_sync import BlobSync, wanted_blobs
from ..sync.client import SyncClient
from ..sync.conflicts import ConflictView, Side
from ..sync.engine import SyncSummary, run_sync
from ..sync.errors import SyncCancelled, SyncError
from ..sync.local_store import LocalState
from ..sync.progress import CancelToken, ProgressCallback, ProgressEvent, no_progress
from ..sync.pull import ConfirmMassDelete, DeletionItem, MassDeletion
from ..sync.resolution_undo import ResolutionSnapshot
from . import account_terms
from .account_terms import AccountTerms
from .conflict_details import ConflictDetail, conflict_details
from .remote_files import RemoteFile, files_not_here
from .server_check import ServerCheck, check_server, interactive_client_factory
from .sync_lock import sync_lock
from .workspace import Workspace

__all__ = [
    "AccountInfo",
    "AccountTerms",
    "CancelToken",
    "ClientFactory",
    "ConfirmMassDelete",
    "ConflictDetail",
    "ConflictView",
    "DeletionItem",
    "MassDeletion",
    "ProgressEvent",
    "RemoteFile",
    "ResolutionSnapshot",
    "ServerCheck",
    "Side",
    "SyncCancelled",
    "SyncService",
    "SyncStatusView",
    "SyncSummary",
]

log = logging.getLogger(__name__)

ClientFactory = Callable[..., SyncClient]


@dataclass(frozen=True)
class SyncStatusView:
    signed_in: bool
    server_url: str | None
    email: str | None
    device_id: str | None
    pending_changes: int
    unsent_changes: int  # pending changes no open conflict holds back: the next sync sends them
    conflicts: int
    last_sync_at: str | None
    unfinished_batches: int
    files_missing: int  # files whose content is not on this computer (and not cloud-only)
    cloud_only_files: int
    bound_user_id: str | None


class SyncService:
    def __init__(self, workspace: Workspace, client_factory: ClientFactory = SyncClient) -> None:
        self.workspace = workspace
        self.client_factory = client_factory

    @property
    def _db(self) -> Engine:
        return self.workspace.engine

    # ---- account ------------------------------------------------------------------------------
    def account(self) -> accounts.AccountInfo:
        return accounts.read_account(self._db)

    def sign_in(
        self,
        server_url: str,
        email: str,
        password: str,
        *,
        create_account: bool = False,
        display_name: str | None = None,
        device_name: str | None = None,
        token_file: Path | None = None,
        invite: str | None = None,
    ) -> accounts.AccountInfo:
        info = accounts.sign_in(
            self._db,
            server_url,
            email,
            password,
            device_name=device_name,
            create_account=create_account,
            display_name=display_name,
            token_file=token_file,
            client_factory=self.client_factory,
            invite=invite,
        )
        self.refresh_account_terms()
        return info

    def sign_out(self) -> bool:
        """True when the server confirmed that the token is revoked (it is forgotten here either way)."""
        revoked = accounts.sign_out(self._db, client_factory=self.client_factory)
        account_terms.forget_terms(self.workspace)
        log.info("signed out (the server revoked the token: %s)", revoked)
        return revoked

    def interactive(self) -> SyncService:
        """This service with a retry policy fit for a person waiting in a dialog (sign-in)."""
        return SyncService(self.workspace, interactive_client_factory(self.client_factory))

    def check_server(self, url: str, timeout: float = 8.0) -> ServerCheck:
        """Ask a server address whether a Gigbag server of a protocol this app speaks answers there."""
        return check_server(url, timeout=timeout)

    def default_token_file(self) -> Path:
        """Where the no-keyring fallback keeps the token when the artist accepts it (inside the data folder)."""
        return self.workspace.paths.data / "sync-token"

    def remove_local_data(self) -> int:
        """Delete every item and file content here and forget the account (sign-out "and remove the data")."""
        return local_reset.remove_local_data(self._db, self.workspace.blobs)

    # ---- the server's terms --------------------------------------------------------------------
    def signup_policy(self, server_url: str) -> SignupMode:
        """Whether the server at ``server_url`` takes new accounts: "open", "invite" or "closed"."""
        with self.client_factory(server_url) as client:
            return client.signup_policy().signup

    def refresh_account_terms(self) -> AccountTerms | None:
        """Read the account's tier, limits and usage from the server (its storage limit becomes this
        computer's); None when it cannot be read now (offline, an older server): the last known stay."""
        try:
            with self._client() as client:
                return account_terms.refresh_terms(self.workspace, client)
        except SyncError as exc:
            log.info("the account's terms were not read: %s", exc)
            return None
        except OSError as exc:  # a full disk: the terms kept before stay until the next sync keeps these
            log.warning("the account's terms could not be kept: %s", exc)
            return None

    def account_terms(self) -> AccountTerms | None:
        """The account's terms as last read from the server (for the account menu, offline too)."""
        return account_terms.cached_terms(self.workspace) if self.account().signed_in else None

    # ---- syncing ------------------------------------------------------------------------------
    def sync(
        self,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        confirm_mass_delete: ConfirmMassDelete | None = None,
    ) -> SyncSummary:
        """Sync now; raises :class:`~.sync_lock.SyncBusy` while another process syncs this data folder."""
        with sync_lock(self.workspace.paths.data):
            summary = run_sync(
                self._db,
                self.workspace.blobs,
                progress=progress,
                cancel=cancel,
                confirm_mass_delete=confirm_mass_delete,
                client_factory=self.client_factory,
            )
        if account_terms.worth_refreshing(self.workspace, summary):
            self.refresh_account_terms()
        return summary

    def pending_count(self) -> int:
        with read_session(self._db) as s:
            return LocalState(s).pending_count()

    def last_sync_at(self) -> str | None:
        return self.account().last_sync_at

    # ---- conflicts ----------------------------------------------------------------------------
    def conflicts(self) -> list[ConflictView]:
        return conflict_store.list_conflicts(self._db)

    def resolve(
        self, conflict_id: str, choice: Side | None = None, fields: dict[str, Side] | None = None
    ) -> ConflictView:
        return conflict_store.resolve(self._db, conflict_id, choice, fields)

    def conflict_details(self) -> list[ConflictDetail]:
        """Every open conflict with both versions of every field (conflicting ones first)."""
        return conflict_details(self._db)

    def resolve_undoably(
        self, conflict_id: str, choice: Side | None = None, fields: dict[str, Side] | None = None
    ) -> ResolutionSnapshot:
        """Resolve, keeping what :meth:`undo_resolution` needs (valid until the next sync sends it)."""
        return resolution_undo.resolve_undoably(self._db, conflict_id, choice, fields)

    def redo_resolution(self, snapshot: ResolutionSnapshot) -> None:
        resolution_undo.redo_resolution(self._db, snapshot)

    def undo_resolution(self, snapshot: ResolutionSnapshot) -> None:
        resolution_undo.undo_resolution(self._db, snapshot)

    # ---- files --------------------------------------------------------------------------------
    def _blob_sync(self, client: SyncClient) -> BlobSync:
        return BlobSync(self._db, self.workspace.blobs, client, no_progress, client.cancel)

    def _client(self) -> SyncClient:
        info = self.account()
        token = accounts.load_token(info)
        assert info.server_url is not None
        return self.client_factory(info.server_url, token)

    def make_cloud_only(self, file_id: str) -> None:
        """Keep this file's content only on the server (uploaded first if needed)."""
        with self._client() as client:
            self._blob_sync(client).make_cloud_only(file_id)

    def keep_on_computer(self, file_id: str) -> bool:
        """Download a cloud-only file now and keep it here; False when the server lacks its content."""
        with self._client() as client:
            return self._blob_sync(client).keep_on_computer(file_id)

    def files_not_here(self, limit: int = 5000) -> list[RemoteFile]:
        """Files whose content is not on this computer (arriving with a sync, or kept on the server only)."""
        return files_not_here(self.workspace, limit)

    # ---- overview -----------------------------------------------------------------------------
    def status(self) -> SyncStatusView:
        info = self.account()
        with read_session(self._db) as s:
            st = LocalState(s)
            pending = st.pending_count()
            held = st.conflict_keys()
            conflicts = len(held)
            unsent = sum(1 for key in st.pending_keys() if key not in held)
            batches = int(s.scalar(select(func.count()).select_from(SyncBatch)) or 0)
            cloud_only = int(s.scalar(select(func.count()).select_from(CloudOnlyFile)) or 0)
        blobs = self.workspace.blobs
        missing = sum(1 for sha in wanted_blobs(self._db) if not blobs.has(sha))
        if missing:
            blobs.misses += 1  # the next sync looks at the store again, though nothing changed in the database
        return SyncStatusView(
            signed_in=info.signed_in,
            server_url=info.server_url,
            email=info.email,
            device_id=info.device_id,
            pending_changes=pending,
            unsent_changes=unsent,
            conflicts=conflicts,
            last_sync_at=info.last_sync_at,
            unfinished_batches=batches,
            files_missing=missing,
            cloud_only_files=cloud_only,
            bound_user_id=info.bound_user_id,
        )
