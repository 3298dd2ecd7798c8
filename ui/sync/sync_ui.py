"""Putting sync into the main window: toolbar buttons, shortcut, banner, progress strip, status bar, dialogs.

:func:`install_sync_ui` is called once by the main window. It needs from its host only the public
hooks the window offers: ``ctx``, ``add_toolbar_widget`` (the reserved slot), ``add_banner`` (above
the sections), ``statusBar``, ``show_message`` and ``extra_shortcuts`` (listed under Help).
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QMainWindow, QMenu

from ...app.account_terms import terms_text
from ...app.sync_service import AccountTerms, ClientFactory
from ..widgets.icons import icon
from ..widgets.theme import set_semantic_foreground
from .big_delete_dialog import BigDeleteDialog
from .conflict_banner import ConflictBanner
from .conflicts_view import ConflictsDialog
from .controller import DeleteConfirmation, SyncController, SyncOutcome, SyncState
from .failure_banner import SyncFailureBanner
from .files_dialog import RemoteFilesDialog
from .incomplete_banner import IncompleteSyncBanner, unfinished_status
from .progress_panel import SyncProgressPanel
from .sign_in_dialog import SignInDialog
from .sign_out_dialog import SignOutDialog
from .sync_button import SyncToolbarWidget
from .words import last_sync_text

SYNC_SHORTCUTS = ("Ctrl+Shift+S", "F5")


class SyncUi(QObject):
    """Everything sync shows in one window, around one :class:`SyncController`."""

    def __init__(self, window: Any, client_factory: ClientFactory | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.controller = SyncController(window.ctx, client_factory=client_factory, parent=self)
        c = self.controller

        self.toolbar = SyncToolbarWidget()
        window.add_toolbar_widget(self.toolbar)
        self.banner = ConflictBanner()
        self.progress_panel = SyncProgressPanel()
        self.failure_banner = SyncFailureBanner()
        window.add_banner(self.failure_banner)
        self.incomplete_banner = IncompleteSyncBanner()
        window.add_banner(self.incomplete_banner)
        window.add_banner(self.banner)
        window.add_banner(self.progress_panel)
        self.status_label = QLabel(window)
        self.status_label.setObjectName("sync-status")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        window.statusBar().addPermanentWidget(self.status_label)
        # The window's "Offline · <data folder>" says the app works offline; once signed in the sync
        # status beside it says how syncing goes, so the label then names the folder only.
        self._place_label: QLabel | None = getattr(window, "place_label", None)
        self._place_text = self._place_label.text() if self._place_label is not None else ""

        self.sync_action = QAction(icon("emblem-synchronizing"), "Sync now", window)
        self.sync_action.setObjectName("sync-action")
        self.sync_action.setShortcuts([QKeySequence(k) for k in SYNC_SHORTCUTS])
        self.sync_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.sync_action.triggered.connect(lambda _checked=False: self.sync_now())
        window.addAction(self.sync_action)
        self.account_action = QAction(icon("user-identity"), "Sign in to sync…", window)
        self.account_action.setObjectName("account-action")
        self.account_action.triggered.connect(lambda _checked=False: self._account_action())
        self._add_to_file_menu(window)
        window.extra_shortcuts = [*getattr(window, "extra_shortcuts", []), (" / ".join(SYNC_SHORTCUTS), "Sync now")]

        self.sign_in_dialog: SignInDialog | None = None
        self.conflicts_dialog: ConflictsDialog | None = None
        self.files_dialog: RemoteFilesDialog | None = None
        self.delete_dialog: BigDeleteDialog | None = None

        buttons = self.toolbar
        buttons.sync_button.sync_requested.connect(self.sync_now)
        buttons.sync_button.sign_in_requested.connect(self.show_sign_in)
        buttons.account_button.sync_action.triggered.connect(self.sync_now)
        buttons.account_button.conflicts_action.triggered.connect(self.show_conflicts)
        buttons.account_button.files_action.triggered.connect(self.show_files)
        buttons.account_button.sign_out_action.triggered.connect(self.sign_out)
        self.banner.review_requested.connect(self.show_conflicts)
        self.progress_panel.cancel_requested.connect(c.cancel_sync)
        self.failure_banner.retry_requested.connect(self.sync_now)
        self.failure_banner.sign_in_requested.connect(self.show_sign_in)
        c.sync_started.connect(self.failure_banner.hide)
        c.sync_started.connect(self.incomplete_banner.hide)
        self.incomplete_banner.retry_requested.connect(self.sync_now)

        c.state_changed.connect(self._state_changed)
        c.sync_started.connect(self.progress_panel.start)
        c.progress.connect(self.progress_panel.show_progress)
        c.sync_finished.connect(self._sync_finished)
        c.message.connect(window.show_message)
        c.delete_confirmation.connect(self.confirm_big_delete)
        if hasattr(window, "section_built"):  # Files marks the files moving now, from whenever it is built
            window.section_built.connect(self._section_built)
            for section in window.built_sections():
                self._section_built(section)
        c.account_changed.connect(self._account_changed)
        for terms_may_change in (c.account_changed, c.sync_finished, buttons.account_button.menu_.aboutToShow):
            terms_may_change.connect(self.read_account_terms)
        window.installEventFilter(self)
        self._state_changed(c.state)
        c.refresh()
        self._first_state = True

    def _section_built(self, section: QObject) -> None:
        set_transfers = getattr(getattr(section, "model", None), "set_transfers", None)
        if getattr(section, "title", "") == "Files" and set_transfers is not None:
            self.controller.transfers_changed.connect(set_transfers)
            set_transfers(self.controller.transfers)

    # ---- window hooks --------------------------------------------------------------------------
    def _add_to_file_menu(self, window: QMainWindow) -> None:
        menu: QMenu | None = None
        for action in window.menuBar().actions():
            if action.menu() is not None and action.text().replace("&", "") == "File":
                menu = action.menu()  # type: ignore[assignment]
                break
        if menu is None:
            return
        actions = menu.actions()
        if not actions:
            menu.addActions([self.sync_action, self.account_action])
            return
        before = actions[-1]  # Quit stays last
        menu.insertAction(before, self.sync_action)
        menu.insertAction(before, self.account_action)
        menu.insertSeparator(before)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            if self.delete_dialog is not None:
                self.delete_dialog.request.answer(False)
            self.controller.shutdown()
        return False

    # ---- state ---------------------------------------------------------------------------------
    def _state_changed(self, state: SyncState) -> None:
        self.toolbar.show_state(state)
        self.banner.set_count(state.conflicts if state.signed_in or state.conflicts else 0)
        self.sync_action.setEnabled(not state.running)
        self.account_action.setText("Sign out…" if state.signed_in else "Sign in to sync…")
        self.account_action.setEnabled(not state.running)
        self._show_status(state)
        if self._place_label is not None:
            folder = str(self.window.ctx.workspace.paths.data)
            self._place_label.setText(folder if state.signed_in else self._place_text)
        if getattr(self, "_first_state", False) and state.loaded and state.signed_in:
            self._first_state = False
            self.controller.check_connection()

    def _show_status(self, state: SyncState) -> None:
        outcome = self.controller.last_outcome
        if not state.loaded:
            self.status_label.setText("")
            return
        if not state.signed_in:
            self.status_label.setText("Not syncing")
            self.status_label.setToolTip("Everything is kept on this computer. Sign in to sync it with a server.")
            set_semantic_foreground(self.status_label, "muted")
            return
        if state.running:
            text = "Syncing…"
            kind = "muted"
        elif outcome is not None and not outcome.ok and not outcome.cancelled:
            text = f"Last sync failed · {last_sync_text(state.last_sync_at).replace('Last synced', 'last success')}"
            kind = "error"
        elif outcome is not None and (outcome.cancelled or outcome.incomplete is not None):
            text, kind = unfinished_status(outcome.cancelled, state.last_sync_at)
        elif state.offline:
            text = f"Offline · {last_sync_text(state.last_sync_at)}"
            kind = "warning"
        else:
            text = last_sync_text(state.last_sync_at)
            kind = "muted"
        self.status_label.setText(text)
        tip = f"Syncing with {state.server_url} as {state.email}."
        if outcome is not None:
            tip += f"\nLast sync: {outcome.text}"
        self.status_label.setToolTip(tip)
        set_semantic_foreground(self.status_label, kind)

    def _sync_finished(self, outcome: SyncOutcome) -> None:
        self.progress_panel.finish()
        if not outcome.ok and outcome.explanation is not None and not outcome.cancelled:
            self.failure_banner.show_failure(outcome.explanation)  # the whole reason, not a cut-off line
        if outcome.incomplete is not None:
            self.incomplete_banner.show_incomplete(outcome.incomplete)
        if self.delete_dialog is not None:
            self.delete_dialog.close()
        self._show_status(self.controller.state)

    def _account_changed(self, state: SyncState) -> None:
        if self.conflicts_dialog is not None and not state.signed_in:
            self.conflicts_dialog.close()

    def read_account_terms(self, *_args: object) -> None:
        """The account menu's tier and limits, read off the UI thread (kept from the last sync or sign-in)."""
        if not self.window.isVisible():
            return  # closing (a sync stopped by the close ends here): start nothing new
        service = self.controller.service
        button = self.toolbar.account_button

        def show(terms: AccountTerms | None) -> None:
            if shiboken6.isValid(button):
                button.show_terms(terms_text(terms) if terms is not None else None)

        # a small local read (the terms kept since the last sync): the window's runner, not the network's
        self.window.ctx.ops.read(lambda _op: service.account_terms()).success(show).run()

    def _forget(self, name: str, dialog: QObject) -> None:
        if getattr(self, name) is dialog:
            setattr(self, name, None)

    # ---- actions -------------------------------------------------------------------------------
    def sync_now(self) -> None:
        state = self.controller.state
        if state.running:
            return
        if state.loaded and not state.signed_in:
            self.show_sign_in()
            return
        self.controller.start_sync()

    def _account_action(self) -> None:
        if self.controller.state.signed_in:
            self.sign_out()
        else:
            self.show_sign_in()

    def show_sign_in(self) -> SignInDialog:
        if self.sign_in_dialog is not None and self.sign_in_dialog.isVisible():
            self.sign_in_dialog.raise_()
            self.sign_in_dialog.activateWindow()
            return self.sign_in_dialog
        dialog = SignInDialog(self.controller, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda _o=None, d=dialog: self._forget("sign_in_dialog", d))
        self.sign_in_dialog = dialog
        dialog.open()
        return dialog

    def sign_out(self) -> SignOutDialog | None:
        state = self.controller.state
        if not state.signed_in or state.running:
            return None
        dialog = SignOutDialog(state, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def decided(result: int) -> None:
            if int(result) != QDialog.DialogCode.Accepted.value:
                return
            self.controller.sign_out(dialog.remove_local_data, on_failure=self._sign_out_failed)

        dialog.finished.connect(decided)
        dialog.open()
        return dialog

    def _sign_out_failed(self, exc: BaseException) -> bool:
        self.window.show_error(exc)
        return True

    def show_conflicts(self) -> ConflictsDialog:
        if self.conflicts_dialog is None:
            self.conflicts_dialog = ConflictsDialog(self.controller, self.window)
            self.conflicts_dialog.destroyed.connect(
                lambda _o=None, d=self.conflicts_dialog: self._forget("conflicts_dialog", d)
            )
            self.conflicts_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        else:
            self.conflicts_dialog.reload()
        self.conflicts_dialog.show()
        self.conflicts_dialog.raise_()
        self.conflicts_dialog.activateWindow()
        return self.conflicts_dialog

    def show_files(self) -> RemoteFilesDialog:
        if self.files_dialog is None:
            self.files_dialog = RemoteFilesDialog(self.controller, self.window)
            self.files_dialog.destroyed.connect(lambda _o=None, d=self.files_dialog: self._forget("files_dialog", d))
            self.files_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        else:
            self.files_dialog.reload()
        self.files_dialog.show()
        self.files_dialog.raise_()
        return self.files_dialog

    def confirm_big_delete(self, request: DeleteConfirmation) -> BigDeleteDialog | None:
        try:
            dialog = BigDeleteDialog(request, self.window)
        except Exception as exc:  # noqa: BLE001 - the sync thread waits for an answer: never leave it waiting
            request.answer(False)
            self.window.show_error(exc)
            return None
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda _o=None, d=dialog: self._forget("delete_dialog", d))
        self.delete_dialog = dialog
        dialog.open()
        return dialog


def install_sync_ui(window: Any, client_factory: ClientFactory | None = None) -> SyncUi:
    return SyncUi(window, client_factory)
