"""Signing out: keep the data on this computer (the default) or remove it, with what would be lost said first."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ...app.sync_words import count_of
from ..widgets.field_errors import FieldErrorLabel
from .controller import SyncState


class SignOutDialog(QDialog):
    def __init__(self, state: SyncState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sign-out-dialog")
        self.setWindowTitle("Sign out")
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        head = QLabel(f"<b>Sign out of {state.server_host or 'the sync server'}?</b>", self)
        head.setWordWrap(True)
        layout.addWidget(head)
        text = QLabel(
            f"This computer stops syncing with {state.email or 'this account'}. Signing in again later "
            "continues where it stopped.",
            self,
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        self.keep_radio = QRadioButton("Keep my data on this computer (recommended)", self)
        self.keep_radio.setObjectName("keep-local-data")
        self.remove_radio = QRadioButton("Remove my data from this computer", self)
        self.remove_radio.setObjectName("remove-local-data")
        group = QButtonGroup(self)
        group.addButton(self.keep_radio)
        group.addButton(self.remove_radio)
        self.keep_radio.setChecked(True)
        layout.addWidget(self.keep_radio)
        layout.addWidget(self.remove_radio)
        self.warning = FieldErrorLabel(self)
        self.warning.setObjectName("sign-out-warning")
        layout.addWidget(self.warning)
        unsent = state.pending + state.held
        self._remove_warning = (
            f"{count_of(unsent, 'change')} made on this computer {'has' if unsent == 1 else 'have'} not been "
            "synced yet and would be lost. The server keeps everything that was synced."
            if unsent
            else "Everything is removed from this computer; the server keeps what was synced."
        )
        self.remove_radio.toggled.connect(self._toggled)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.sign_out_button = QPushButton("Sign out", self)
        self.sign_out_button.setObjectName("sign-out-button")
        self.sign_out_button.setDefault(True)
        buttons.addButton(self.sign_out_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _toggled(self, remove: bool) -> None:
        self.warning.set_error(self._remove_warning if remove else None)
        self.sign_out_button.setText("Sign out and remove my data" if remove else "Sign out")

    @property
    def remove_local_data(self) -> bool:
        return self.remove_radio.isChecked()
