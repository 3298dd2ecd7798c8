"""The desktop's side of sync: state for the toolbar, the sync run off the UI thread, sign-in and sign-out.

:class:`SyncController` owns a :class:`~gigbag.app.sync_service.SyncService` and an operation runner
of its own for network work, so a sync never waits behind (or holds up) the window's writer thread:
the artist keeps editing while it runs, and what they change stays pending for the next sync. The
engine's progress events (which name the file they move) are turned into :class:`ProgressView`
values on the sync thread, at most a few per second, and reach the UI thread through a queued
signal. The engine's cancel token stops a sync for real. A big deletion asks the artist on the UI
thread while the sync thread waits (:func:`~gigbag.ui.ui_thread.ask_ui_thread` with a
:class:`DeleteConfirmation`, which a cancel also answers). Every finished sync ends as one
:class:`SyncOutcome` — success with what the engine's summary says, or a failure saying why and what
to do — and announces "anything may have changed" so every view refreshes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

from ...app import sync_words as words
from ...app.conflict_details import ConflictDetail
from ...app.formatting import format_bytes
from ...app.server_check import ServerCheck, ServerProblem
from ...app.sync_outcome import Incomplete, incomplete
from ...app.sync_service import (
    AccountInfo,
    CancelToken,
    ClientFactory,
    DeletionItem,
    MassDeletion,
    ProgressEvent,
    ResolutionSnapshot,
    Side,
    SyncCancelled,
    SyncService,
    SyncStatusView,
    SyncSummary,
)
from ..context import UiContext
from ..operations import OpContext, Operation, OperationRunner
from ..ui_thread import Question, ask_ui_thread
from ..widgets.undo_commands import ServiceCommand, execute

#: how often a progress view may reach the UI thread (a phase change always does)
PROGRESS_INTERVAL = 0.08
#: while the server cannot be reached, how often to look again (ms)
OFFLINE_RETRY_MS = 30_000
#: after an edit, how long to wait before counting pending changes again (ms)
REFRESH_DELAY_MS = 250

PHASE_TITLES = {
    "push": "Sending changes",
    "upload": "Uploading files",
    "pull": "Receiving changes",
    "apply": "Receiving changes",
    "merge": "Receiving changes",
    "download": "Downloading files",
    "done": "Finishing",
}


@dataclass(frozen=True)
class SyncState:
    """What the toolbar and the status bar show about sync."""

    signed_in: bool = False
    server_url: str | None = None
    email: str | None = None
    pending: int = 0  # local changes the next sync sends
    held: int = 0  # local changes held back until their conflict is resolved
    conflicts: int = 0
    last_sync_at: str | None = None
    files_missing: int = 0
    cloud_only_files: int = 0
    running: bool = False
    offline: bool = False
    loaded: bool = False  # the first status read has come back

    @property
    def server_host(self) -> str:
        url = self.server_url or ""
        return url.split("://", 1)[-1]


@dataclass(frozen=True)
class ProgressView:
    """One step of a running sync as the progress panel shows it."""

    phase: str
    title: str  # "Sending changes"
    detail: str  # "120 of 301 changes" / "“demo.wav” — 3.2 MB of 10 MB"
    done: int = 0
    total: int | None = None  # None or 0: not known (the bar shows activity)
    file_name: str | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class SyncOutcome:
    ok: bool
    text: str  # one line for the status bar
    summary: SyncSummary | None = None
    explanation: words.Explanation | None = None
    waiting: int = 0
    received: int = 0  # changes from the other computers (the server's echo of this computer's own left out)
    finished_at: float = field(default_factory=time.time)
    incomplete: Incomplete | None = None  # a sync that ran but did not send or receive everything

    @property
    def cancelled(self) -> bool:
        return self.explanation is not None and self.explanation.kind == "cancelled"

    @property
    def offline(self) -> bool:
        return self.explanation is not None and self.explanation.kind == "offline"


class DeleteConfirmation(Question[bool]):
    """A big deletion waiting for the artist's answer: True lets the sync delete; a cancel answers False."""

    def __init__(self, deletion: MassDeletion) -> None:
        super().__init__(False)
        self.deletion = deletion

    @property
    def deletions(self) -> int:
        return self.deletion.deletions

    @property
    def total(self) -> int:
        return self.deletion.total

    @property
    def items(self) -> list[DeletionItem]:
        return self.deletion.items


def _bytes(n: int | None) -> str:
    return format_bytes(n)


class _ProgressTranslator:
    """On the sync thread: engine events → progress views, throttled."""

    def __init__(self, emit: Callable[[ProgressView], None]) -> None:
        self.emit = emit
        self._last_phase = ""
        self._last_emit = 0.0
        self._files_up: list[str] = []
        self._files_total_down: int | None = None
        self._files_done_down = 0

    def __call__(self, event: ProgressEvent) -> None:
        view = self.view(event)
        now = time.monotonic()
        if view.phase != self._last_phase or event.phase == "done" or now - self._last_emit >= PROGRESS_INTERVAL:
            self._last_phase = view.phase
            self._last_emit = now
            self.emit(view)

    def view(self, e: ProgressEvent) -> ProgressView:
        title = PHASE_TITLES.get(e.phase, e.phase)
        if e.phase == "push":
            total = e.total or 0
            detail = f"{e.done} of {words.count_of(total, 'change')}" if total else "Preparing changes"
            return ProgressView("push", title, detail, e.done, total)
        if e.phase == "upload":
            sha = e.message or ""
            if sha and sha not in self._files_up:
                self._files_up.append(sha)
            name = e.name or "a file"
            nth = len(self._files_up)
            of = f"{_bytes(e.bytes_done)} of {_bytes(e.bytes_total)}" if e.bytes_total else _bytes(e.bytes_done)
            detail = f"“{name}” (file {nth}) — {of}"
            return ProgressView("upload", title, detail, e.bytes_done, e.bytes_total, name, sha or None)
        if e.phase == "pull":
            return ProgressView("pull", title, f"{words.count_of(e.done, 'change')} received so far", e.done, None)
        if e.phase == "apply":
            return ProgressView("apply", title, f"Saving received changes (part {e.done})", e.done, None)
        if e.phase == "merge":
            return ProgressView("merge", title, "Merging received changes with your edits", e.done, None)
        if e.phase == "download":
            sha = e.message or ""
            name = e.name or "a file"
            if e.total is not None:  # one event per file: "file 2 of 5"
                self._files_total_down = e.total
                self._files_done_down = e.done
                detail = f"“{name}” (file {e.done + 1} of {e.total})"
                return ProgressView("download", title, detail, e.done, e.total, name, sha or None)
            files_total = self._files_total_down
            which = f"file {self._files_done_down + 1} of {files_total}" if files_total else "file"
            of = f"{_bytes(e.bytes_done)} of {_bytes(e.bytes_total)}" if e.bytes_total else _bytes(e.bytes_done)
            detail = f"“{name}” ({which}) — {of}"
            return ProgressView("download", title, detail, e.bytes_done, e.bytes_total, name, sha)
        return ProgressView(e.phase, title, "Almost done", 1, 1)


class _Bridge(QObject):
    """Signals emitted on the sync thread and delivered (queued) on the UI thread."""

    progress = Signal(object)


class ResolveConflictCommand(ServiceCommand):
    """Resolving one conflict, as an undoable step (until the next sync sends it)."""

    def __init__(
        self,
        controller: SyncController,
        conflict_id: str,
        entity_type: str,
        text: str,
        choice: Side | None,
        fields: dict[str, Side] | None,
    ) -> None:
        super().__init__(controller.ctx, text, {entity_type})
        self.controller = controller
        self.conflict_id = conflict_id
        self.choice = choice
        self.fields = dict(fields or {})
        self.snapshot: ResolutionSnapshot | None = None

    def forward(self, op: OpContext) -> Any:
        service = self.controller.service
        if self.snapshot is None:
            self.snapshot = service.resolve_undoably(self.conflict_id, self.choice, self.fields)
        else:
            service.redo_resolution(self.snapshot)
        return self.snapshot

    def backward(self, op: OpContext) -> Any:
        assert self.snapshot is not None
        self.controller.service.undo_resolution(self.snapshot)
        return self.snapshot


class SyncController(QObject):
    state_changed = Signal(object)  # SyncState
    progress = Signal(object)  # ProgressView
    sync_started = Signal()
    sync_finished = Signal(object)  # SyncOutcome
    conflicts_changed = Signal()  # resolved, reopened, or new ones from a sync
    account_changed = Signal(object)  # SyncState, after sign-in or sign-out
    delete_confirmation = Signal(object)  # DeleteConfirmation: ask the artist, then .answer()
    message = Signal(str, int)  # text, milliseconds: for the window's status bar
    transfers_changed = Signal(object)  # {sha256: "up" | "down"} of files moving right now

    def __init__(
        self,
        ctx: UiContext,
        service: SyncService | None = None,
        client_factory: ClientFactory | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        if service is None:
            service = SyncService(ctx.workspace, client_factory) if client_factory else SyncService(ctx.workspace)
        self.service = service
        #: network work (sync, sign-in, checks) runs here, never on the window's writer thread
        self.net = OperationRunner(self)
        self.state = SyncState()
        self.last_outcome: SyncOutcome | None = None
        self._cancel: CancelToken | None = None
        self._sync_op: Operation[Any] | None = None
        self._bridge = _Bridge(self)
        self._bridge.progress.connect(self._on_progress)
        self._question: DeleteConfirmation | None = None
        self._resolutions: list[ResolveConflictCommand] = []
        self._transfers: dict[str, str] = {}
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._offline_timer = QTimer(self)
        self._offline_timer.setInterval(OFFLINE_RETRY_MS)
        self._offline_timer.timeout.connect(self.check_connection)
        self._refreshing = False
        self._refresh_again = False
        self._shut_down = False
        ctx.events.changed.connect(self._data_changed)

    # ---- state ---------------------------------------------------------------------------------
    def _set_state(self, **changes: Any) -> None:
        self.state = SyncState(**{**self.state.__dict__, **changes})
        self.state_changed.emit(self.state)

    def _data_changed(self, _types: object) -> None:
        self._refresh_timer.start()

    def refresh(self) -> None:
        """Read the account, pending changes, conflicts and last sync again (off the UI thread)."""
        if self._shut_down:
            return
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        service = self.service

        def read(_op: OpContext) -> SyncStatusView:
            return service.status()

        def done(status: SyncStatusView) -> None:
            unsent = status.unsent_changes
            before = self.state
            self._set_state(
                signed_in=status.signed_in,
                server_url=status.server_url,
                email=status.email,
                pending=unsent,
                held=status.pending_changes - unsent,
                conflicts=status.conflicts,
                last_sync_at=status.last_sync_at,
                files_missing=status.files_missing,
                cloud_only_files=status.cloud_only_files,
                loaded=True,
            )
            if before.loaded and before.conflicts != status.conflicts:
                self.conflicts_changed.emit()

        def finished() -> None:
            self._refreshing = False
            if self._refresh_again:
                self._refresh_again = False
                self.refresh()

        self.net.read(read).success(done).failure(self._status_failed).finished(finished).run()

    def _status_failed(self, exc: BaseException) -> bool:
        self.message.emit(f"Could not read the sync status: {exc}", 8000)
        return True

    @property
    def idle(self) -> bool:
        """No network work running and no status read running or scheduled (for tests and shutdown)."""
        return not self.net.busy and not self._refreshing and not self._refresh_timer.isActive()

    # ---- connection ----------------------------------------------------------------------------
    def check_connection(self) -> None:
        """Ask the server once whether it answers; the Sync button says "offline" until it does."""
        url = self.state.server_url
        if not self.state.signed_in or not url or self.state.running:
            return

        def answered(_check: ServerCheck) -> None:
            if self.state.offline:
                self.message.emit("The sync server answers again.", 5000)
            self._offline_timer.stop()
            self._set_state(offline=False)

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, ServerProblem) and exc.kind == "unreachable":
                self._set_state(offline=True)
                self._offline_timer.start()
            return True

        service = self.service
        self.net.read(lambda _op: service.check_server(url, timeout=5.0)).success(answered).failure(failed).run()

    # ---- syncing -------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.state.running

    def start_sync(self) -> bool:
        """Start a sync now; False when one is running already or this computer is not signed in."""
        if self.state.running or self._shut_down:
            return False
        if not self.state.signed_in and self.state.loaded:
            return False
        self._expire_resolutions()
        cancel = CancelToken()
        self._cancel = cancel
        service = self.service
        translator = _ProgressTranslator(self._bridge.progress.emit)

        def confirm(deletion: MassDeletion) -> bool:  # on the sync thread
            question = DeleteConfirmation(deletion)
            return ask_ui_thread(question, lambda: self._ask_delete(question, cancel))

        def work(_op: OpContext) -> SyncSummary:
            return service.sync(translator, cancel, confirm)

        self._transfers = {}
        self._set_state(running=True)
        self.sync_started.emit()
        self.message.emit("Syncing. You can keep working; what you change now is sent by the next sync.", 0)
        self.progress.emit(ProgressView("start", "Starting", f"Connecting to {self.state.server_host}", 0, None))
        op = self.net.write(work).with_label("Syncing")
        op.success(self._sync_succeeded).failure(self._sync_failed).finished(self._sync_ended)
        self._sync_op = op.run()
        return True

    def _ask_delete(self, question: DeleteConfirmation, cancel: CancelToken) -> None:
        """On the UI thread: put the big-deletion question to the artist (a cancel answers it: no)."""
        if cancel.cancelled or self._shut_down:
            question.answer(False)
            return
        self._question = question
        self.delete_confirmation.emit(question)

    def cancel_sync(self) -> None:
        """Stop the running sync at its next step (what it committed stays; the next sync continues)."""
        if self._question is not None:
            self._question.answer(False)
            self._question = None
        if self._cancel is not None:
            self._cancel.cancel()
            self.progress.emit(ProgressView("cancelling", "Cancelling", "Stopping after the current step…", 0, None))

    def _on_progress(self, view: ProgressView) -> None:
        if not self.state.running:
            return
        transfers = dict(self._transfers)
        if view.sha256 and view.phase in ("upload", "download"):
            transfers = {view.sha256: "up" if view.phase == "upload" else "down"}
        elif view.phase not in ("upload", "download"):
            transfers = {}
        if transfers != self._transfers:
            self._transfers = transfers
            self.transfers_changed.emit(dict(transfers))
        self.progress.emit(view)

    @property
    def transfers(self) -> dict[str, str]:
        return dict(self._transfers)

    def _sync_succeeded(self, summary: SyncSummary) -> None:
        counts = words.summary_text(summary, summary.unsent)
        undone = incomplete(summary)
        text = f"Sync {'finished' if undone is None else 'incomplete'}: {counts[:1].lower()}{counts[1:]}"
        self._finish(
            SyncOutcome(
                True, text, summary=summary, waiting=summary.unsent, received=summary.received, incomplete=undone
            )
        )

    def _sync_failed(self, exc: BaseException) -> bool:
        explanation = words.explain_failure(exc, self.state.server_url)
        if self._cancel is not None and self._cancel.cancelled:
            explanation = words.explain_failure(SyncCancelled(), self.state.server_url)
        self._finish(SyncOutcome(False, explanation.text(), explanation=explanation))
        return True

    def _finish(self, outcome: SyncOutcome) -> None:
        self.last_outcome = outcome
        self._set_state(offline=outcome.offline)
        if outcome.offline:
            self._offline_timer.start()
        else:
            self._offline_timer.stop()

    def _sync_ended(self) -> None:
        self._question = None
        self._cancel = None
        self._sync_op = None
        if self._transfers:
            self._transfers = {}
            self.transfers_changed.emit({})
        self._set_state(running=False)
        outcome = self.last_outcome or SyncOutcome(False, "Sync stopped without a result.")
        self.message.emit(outcome.text, 0)  # stays until the next message: it is the last sync's result
        self.sync_finished.emit(outcome)
        self.ctx.events.emit_changed()  # anything may have changed: every view refreshes
        self.conflicts_changed.emit()
        self.refresh()

    # ---- conflicts -----------------------------------------------------------------------------
    def load_conflicts(self, done: Callable[[list[ConflictDetail]], None]) -> None:
        service = self.service
        self.ctx.ops.read(lambda _op: service.conflict_details()).success(done).run()

    def resolve(
        self,
        detail: ConflictDetail,
        choice: Side | None = None,
        fields: dict[str, Side] | None = None,
        on_failure: Callable[[BaseException], bool | None] | None = None,
    ) -> bool:
        """Resolve one conflict as an undoable step; False (nothing done) while a sync runs."""
        if self.state.running:
            self.message.emit("Wait for the sync to finish before resolving conflicts.", 6000)
            return False
        view = detail.view
        what = f"{words.entity_name(view.entity_type)} “{view.label}”"
        if fields:
            text = f"Resolve {what} field by field"
        elif view.kind == "edited_both":
            text = f"Keep {'my' if choice == 'mine' else 'the other'} version of {what}"
        elif view.kind == "deleted_here":
            text = f"Keep {what} deleted" if choice == "mine" else f"Bring back {what}"
        else:
            text = f"Keep {what}" if choice == "mine" else f"Delete {what}"
        command = ResolveConflictCommand(self, view.id, view.entity_type, text, choice, fields)
        command.applied = lambda _redo, _result: self._conflicts_touched()
        self._resolutions.append(command)

        def succeeded(_result: Any) -> None:
            self.message.emit(f"{text}. You can undo this until the next sync.", 8000)
            self._conflicts_touched()

        execute(self.ctx, command, on_success=succeeded, on_failure=on_failure)
        return True

    def _conflicts_touched(self) -> None:
        self.conflicts_changed.emit()
        self.refresh()

    def _expire_resolutions(self) -> None:
        """A sync sends resolutions to the server: from now on they cannot be taken back."""
        for command in self._resolutions:
            if shiboken6.isValid(command):
                command.setObsolete(True)
                command.setText(f"{command.text()} (already synced: cannot be undone)")
        self._resolutions = []

    # ---- account -------------------------------------------------------------------------------
    def sign_in(
        self,
        server_url: str,
        email: str,
        password: str,
        *,
        create_account: bool = False,
        display_name: str | None = None,
        token_file: Path | None = None,
        invite: str | None = None,
        on_success: Callable[[AccountInfo], None] | None = None,
        on_failure: Callable[[BaseException], bool | None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
    ) -> Operation[AccountInfo]:
        """Check the server, then sign in (creating the account first if asked), off the UI thread.

        Started at once; ``on_success`` runs after the controller took the new account in.
        """
        interactive = self.service.interactive()

        def work(op: OpContext) -> AccountInfo:
            op.progress(0, 2, "Checking the server…")
            checked = interactive.check_server(server_url)
            op.progress(1, 2, "Creating the account…" if create_account else "Signing in…")
            return interactive.sign_in(
                checked.url,
                email.strip(),
                password,
                create_account=create_account,
                display_name=display_name,
                token_file=token_file,
                invite=invite,
            )

        def succeeded(info: AccountInfo) -> None:
            self._set_state(signed_in=True, server_url=info.server_url, email=info.email, offline=False)
            self.account_changed.emit(self.state)
            self.message.emit(f"Signed in as {info.email} on {self.state.server_host}. Press Sync to sync now.", 10_000)
            self.refresh()
            if on_success is not None:
                on_success(info)

        op = self.net.write(work).with_label("Signing in").success(succeeded)
        if on_failure is not None:
            op.failure(on_failure)
        if on_progress is not None:
            op.progress(on_progress)
        return op.run()

    def sign_out(
        self,
        remove_local_data: bool,
        on_failure: Callable[[BaseException], bool | None] | None = None,
    ) -> Operation[tuple[bool, int]] | None:
        """Sign out (revoking the token on the server when it answers); optionally remove the local data.

        Started at once; None (nothing done) while a sync runs.
        """
        if self.state.running:
            self.message.emit("Wait for the sync to finish before signing out.", 6000)
            return None
        service = self.service

        def work(_op: OpContext) -> tuple[bool, int]:
            revoked = service.sign_out()
            removed = service.remove_local_data() if remove_local_data else -1
            return revoked, removed

        def succeeded(result: tuple[bool, int]) -> None:
            revoked, removed = result
            self._offline_timer.stop()
            self._set_state(signed_in=False, offline=False)
            if removed >= 0:
                self.ctx.undo.clear()
                self.ctx.events.emit_changed()
                gone = words.count_of(removed, "item")
                self.message.emit(f"Signed out; {gone} removed from this computer.", 10_000)
            elif revoked:
                self.message.emit("Signed out. Your data stays on this computer.", 8000)
            else:
                self.message.emit(
                    "Signed out here. The server could not be told (it did not answer); this computer's "
                    "sign-in was forgotten anyway. Your data stays on this computer.",
                    12_000,
                )
            self.account_changed.emit(self.state)
            self.refresh()

        op = self.net.write(work).with_label("Signing out").success(succeeded)
        if on_failure is not None:
            op.failure(on_failure)
        return op.run()

    # ---- files ---------------------------------------------------------------------------------
    def fetch_file(self, file_id: str) -> Operation[bool]:
        """Download one file's content now (and keep it on this computer)."""
        service = self.service
        return self.net.read(lambda _op: service.keep_on_computer(file_id)).with_label("Downloading a file")

    # ---- shutdown ------------------------------------------------------------------------------
    def shutdown(self, wait_ms: int = 30_000) -> None:
        """The window closes: stop a running sync and wait for the network threads."""
        self._shut_down = True
        if self._question is not None:
            self._question.answer(False)
        self._refresh_timer.stop()
        self._offline_timer.stop()
        if self._cancel is not None:
            self._cancel.cancel()
        self.net.cancel_all()
        self.net.wait_for_done(wait_ms)
