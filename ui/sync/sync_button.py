"""The toolbar's Sync button (always there, with the number of changes to send) and the account button."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QMenu, QSizePolicy, QToolButton, QWidget

from ..widgets.icons import icon
from .controller import SyncState
from .words import held_text, last_sync_text, pending_text

SHORTCUT_TEXT = "Ctrl+Shift+S"


def _elide(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


class SyncButton(QToolButton):
    """Signed out: "Sign in to sync". Signed in: "Sync · 3 to send", "Syncing…", or "Offline · 3 to send"."""

    sign_in_requested = Signal()
    sync_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sync-button")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setIconSize(QSize(20, 20))
        self.setAutoRaise(True)
        self.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("Sync")
        self._state = SyncState()
        self.clicked.connect(self._clicked)
        self.show_state(self._state)

    def _clicked(self) -> None:
        if not self._state.signed_in and self._state.loaded:
            self.sign_in_requested.emit()
        else:
            self.sync_requested.emit()

    def show_state(self, state: SyncState) -> None:
        self._state = state
        n = state.pending
        if not state.signed_in:
            self.setIcon(icon("cloud"))
            self.setText("Sign in to sync")
            tip = (
                "Gigbag keeps everything on this computer. Sign in to a Gigbag sync server to back it up "
                "and use it on your other computers."
            )
            description = "Not signed in"
            self.setEnabled(state.loaded)
        elif state.running:
            self.setIcon(icon("emblem-synchronizing"))
            self.setText("Syncing…")
            tip = "A sync is running (its progress is shown below the toolbar). You can keep working."
            description = "Syncing"
            self.setEnabled(True)  # pressing it again does nothing: one sync at a time
        elif state.offline:
            self.setIcon(icon("network-offline"))
            self.setText(f"Offline · {n} to send" if n else "Offline")
            tip = (
                f"The sync server ({state.server_host}) cannot be reached. Gigbag keeps working; "
                f"{pending_text(n).lower()}, kept for the next sync. Click to try again ({SHORTCUT_TEXT})."
            )
            description = f"Offline, {pending_text(n)}"
            self.setEnabled(True)
        else:
            self.setIcon(icon("emblem-synchronizing"))
            self.setText(f"Sync · {n} to send" if n else "Sync")
            tip = (
                f"Sync with {state.server_host} now ({SHORTCUT_TEXT}). {pending_text(n)}. "
                f"{last_sync_text(state.last_sync_at)}."
            )
            if state.held:
                tip += f" {held_text(state.held)}"
            description = pending_text(n)
            self.setEnabled(True)
        self.setToolTip(tip)
        self.setAccessibleDescription(description)


class AccountButton(QToolButton):
    """Who is signed in, and where; its menu has the account's actions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("account-button")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setIconSize(QSize(20, 20))
        self.setAutoRaise(True)
        self.setIcon(icon("user-identity"))
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu_ = QMenu(self)
        self.menu_.setObjectName("account-menu")
        self.who_action = QAction(self.menu_)
        self.who_action.setEnabled(False)
        self.menu_.addAction(self.who_action)
        self.terms_action = QAction(self.menu_)  # the tier and limits, once the server has told them
        self.terms_action.setObjectName("account-terms")
        self.terms_action.setEnabled(False)
        self.terms_action.setVisible(False)
        self.menu_.addAction(self.terms_action)
        self.menu_.addSeparator()
        self.sync_action = self.menu_.addAction(icon("emblem-synchronizing"), "Sync now")
        self.conflicts_action = self.menu_.addAction(icon("dialog-warning"), "Review conflicts…")
        self.files_action = self.menu_.addAction(icon("cloud"), "Files not on this computer…")
        self.menu_.addSeparator()
        self.sign_out_action = self.menu_.addAction("Sign out…")
        self.setMenu(self.menu_)
        self.setAccessibleName("Account")
        self.show_state(SyncState())

    def show_state(self, state: SyncState) -> None:
        self.setVisible(state.signed_in)
        if not state.signed_in:
            return
        email = state.email or "?"
        host = state.server_host
        self.setText(f"{_elide(email, 28)} · {_elide(host, 28)}")
        self.setToolTip(f"Signed in as {email} on {state.server_url}. Click for the account's actions.")
        self.setAccessibleDescription(f"Signed in as {email} on {host}")
        self.who_action.setText(f"Signed in as {email} on {host}")
        self.sync_action.setEnabled(not state.running)
        self.conflicts_action.setText(
            f"Review conflicts ({state.conflicts})…" if state.conflicts else "Review conflicts…"
        )
        self.conflicts_action.setEnabled(state.conflicts > 0)
        missing = state.files_missing + state.cloud_only_files
        self.files_action.setText(
            f"Files not on this computer ({missing})…" if missing else "Files not on this computer…"
        )
        self.sign_out_action.setEnabled(not state.running)

    def show_terms(self, text: str | None) -> None:
        """The account's tier and limits as the server set them (None: not known yet)."""
        self.terms_action.setText(text or "")
        self.terms_action.setVisible(bool(text))


class SyncToolbarWidget(QWidget):
    """The two buttons side by side, for the toolbar's reserved slot."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sync-toolbar-widget")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.sync_button = SyncButton(self)
        self.account_button = AccountButton(self)
        layout.addWidget(self.account_button)
        layout.addWidget(self.sync_button)

    def show_state(self, state: SyncState) -> None:
        self.sync_button.show_state(state)
        self.account_button.show_state(state)
