"""Signing in to a sync server (or creating an account there), with each problem said next to its field.

The dialog first asks the address whether it is a Gigbag server at all, then signs in; whatever goes
wrong is named precisely (no server answers there, it is not a Gigbag server, it speaks a newer
protocol, the password is wrong, the email is taken, too many tries). To create an account it asks
the server how it takes new accounts (``GET /v1/signup``): by invite, the invite-code field appears;
closed, the dialog says so plainly before the artist types anything more. Where this computer has no
keyring to keep the sign-in token safely, the dialog says so and offers the one explicit fallback —
a private file — which the artist must choose; it is never chosen silently.
"""

from __future__ import annotations

import logging
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...app.sync_service import AccountInfo
from ...app.sync_words import INVITE_NEEDED_TEXT, SIGNUP_CLOSED_TEXT, sign_in_field, sign_in_problem
from ...schema.wire import MIN_PASSWORD_LENGTH
from ..widgets.field_errors import FieldErrorLabel, FieldErrors
from ..widgets.theme import set_semantic_foreground
from .controller import SyncController

log = logging.getLogger(__name__)

INTRO = (
    "Syncing keeps a copy of your Gigbag data on a sync server, so you can work on it from your other "
    "computers too. Everything also stays on this computer, and Gigbag works offline as before."
)


class SignInDialog(QDialog):
    signed_in = Signal(object)  # AccountInfo

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("sign-in-dialog")
        self.setWindowTitle("Sign in to sync")
        self.setMinimumWidth(520)
        self._busy = False
        self._keyring_missing = False

        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)  # always fits what it shows now
        intro = QLabel(INTRO, self)
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.general_error = FieldErrorLabel(self)
        self.general_error.setObjectName("sign-in-error")
        self.errors = FieldErrors(self.general_error)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.server_edit = QLineEdit(self)
        self.server_edit.setObjectName("server-edit")
        self.server_edit.setPlaceholderText("https://sync.example.com")
        self.server_edit.setMinimumWidth(380)
        self.server_edit.setAccessibleName("Server address")
        self.server_edit.setToolTip("The address of the Gigbag sync server (you get it from whoever runs it).")
        self.email_edit = QLineEdit(self)
        self.email_edit.setObjectName("email-edit")
        self.email_edit.setPlaceholderText("you@example.com")
        self.email_edit.setAccessibleName("Email")
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("password-edit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName("Password")
        self.create_check = QCheckBox("Create a new account on this server", self)
        self.create_check.setObjectName("create-account-check")
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("display-name-edit")
        self.name_edit.setPlaceholderText("How the server greets you (optional)")
        self.name_edit.setAccessibleName("Your name")
        self.repeat_edit = QLineEdit(self)
        self.repeat_edit.setObjectName("repeat-password-edit")
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_edit.setAccessibleName("Repeat the password")
        self.name_label = QLabel("Your name:", self)
        self.repeat_label = QLabel("Repeat password:", self)
        self.invite_edit = QLineEdit(self)
        self.invite_edit.setObjectName("invite-edit")
        self.invite_edit.setPlaceholderText("ABCDE-FGHJK-…")
        self.invite_edit.setAccessibleName("Invite code")
        self.invite_edit.setToolTip("The one-time code the server's operator gave you.")
        self.invite_label = QLabel("Invite code:", self)
        self.signup_note = QLabel(self)
        self.signup_note.setObjectName("signup-note")
        self.signup_note.setWordWrap(True)
        self.signup_note.hide()
        self.signup_mode: str | None = None  # the server's answer to GET /v1/signup, when known
        self._signup_asked: str | None = None  # the address it was asked for

        def field(widget: QWidget, name: str) -> QWidget:
            box = QWidget(self)
            v = QVBoxLayout(box)
            v.setContentsMargins(0, 0, 0, 0)
            v.setSpacing(2)
            v.addWidget(widget)
            v.addWidget(self.errors.add(name, widget, FieldErrorLabel(box)))
            return box

        form.addRow("Server address:", field(self.server_edit, "server"))
        form.addRow("Email:", field(self.email_edit, "email"))
        form.addRow("Password:", field(self.password_edit, "password"))
        form.addRow("", self.create_check)
        self.name_row = field(self.name_edit, "display_name")
        self.repeat_row = field(self.repeat_edit, "repeat")
        form.addRow(self.name_label, self.name_row)
        form.addRow(self.repeat_label, self.repeat_row)
        self.invite_row = field(self.invite_edit, "invite")
        form.addRow("", self.signup_note)
        form.addRow(self.invite_label, self.invite_row)
        layout.addLayout(form)
        layout.addWidget(self.general_error)

        # The explicit no-keyring fallback: shown only when the keyring cannot keep the token.
        self.keyring_box = QFrame(self)
        self.keyring_box.setObjectName("keyring-fallback")
        self.keyring_box.setFrameShape(QFrame.Shape.StyledPanel)
        kb = QVBoxLayout(self.keyring_box)
        self.keyring_check = QCheckBox(
            "Keep the sign-in token in a private file instead (anyone who can read this file can sync as you):",
            self.keyring_box,
        )
        self.keyring_check.setObjectName("token-file-check")
        self.token_file_edit = QLineEdit(str(controller.service.default_token_file()), self.keyring_box)
        self.token_file_edit.setObjectName("token-file-edit")
        self.token_file_edit.setAccessibleName("Token file")
        self.token_file_edit.setEnabled(False)
        self.keyring_check.toggled.connect(self.token_file_edit.setEnabled)
        kb.addWidget(self.keyring_check)
        kb.addWidget(self.token_file_edit)
        self.keyring_box.hide()
        layout.addWidget(self.keyring_box)

        status_row = QHBoxLayout()
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(90)
        self.busy_bar.setMaximumHeight(12)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setAccessibleName("Working")
        self.busy_bar.hide()
        self.status_label = QLabel(self)
        self.status_label.setObjectName("sign-in-status")
        set_semantic_foreground(self.status_label, "muted")
        status_row.addWidget(self.busy_bar)
        status_row.addWidget(self.status_label, 1)
        self.status_label.hide()
        layout.addLayout(status_row)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.submit_button = QPushButton("Sign in", self)
        self.submit_button.setObjectName("sign-in-button")
        self.submit_button.setDefault(True)
        self.buttons.addButton(self.submit_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.create_check.toggled.connect(self._mode_changed)
        self.server_edit.editingFinished.connect(self._ask_signup)
        self._mode_changed(False)
        state = controller.state
        if state.server_url:
            self.server_edit.setText(state.server_url)
        if state.email:
            self.email_edit.setText(state.email)
        (self.password_edit if state.server_url and state.email else self.server_edit).setFocus()

    # ---- modes and state -----------------------------------------------------------------------
    def _mode_changed(self, creating: bool) -> None:
        for w in (self.name_label, self.name_row, self.repeat_label, self.repeat_row):
            w.setVisible(creating)
        self.submit_button.setText("Create account and sign in" if creating else "Sign in")
        self.setWindowTitle("Create a sync account" if creating else "Sign in to sync")
        self._show_signup_mode()
        if creating:
            self._ask_signup()

    def _ask_signup(self) -> None:
        """Ask the server (off the UI thread) how it takes new accounts, once per address."""
        url = self.server_edit.text().strip()
        if not self.create_check.isChecked() or not url or url == self._signup_asked:
            return
        self._signup_asked = url
        self.signup_mode = None
        self._show_signup_mode()
        service = self.controller.service.interactive()

        def answered(mode: str) -> None:
            if shiboken6.isValid(self) and self._signup_asked == url:
                self.signup_mode = mode
                self._show_signup_mode()

        def unknown(exc: BaseException) -> bool:
            # an older server, or none there yet: the submit says what is wrong with the address
            log.info("could not ask %s how it takes new accounts: %s", url, exc)
            return True

        self.controller.net.read(lambda _op: service.signup_policy(url)).success(answered).failure(unknown).run()

    def _show_signup_mode(self) -> None:
        creating = self.create_check.isChecked()
        by_invite = creating and self.signup_mode == "invite"
        closed = creating and self.signup_mode == "closed"
        self.invite_label.setVisible(by_invite)
        self.invite_row.setVisible(by_invite)
        self.signup_note.setVisible(by_invite or closed)
        if closed:
            self.signup_note.setText(SIGNUP_CLOSED_TEXT)
            set_semantic_foreground(self.signup_note, "warning")
        elif by_invite:
            self.signup_note.setText(INVITE_NEEDED_TEXT)
            set_semantic_foreground(self.signup_note, "muted")
        if not self._busy:
            self.submit_button.setEnabled(not closed)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        for w in (
            self.server_edit,
            self.email_edit,
            self.password_edit,
            self.create_check,
            self.name_edit,
            self.repeat_edit,
            self.keyring_check,
            self.invite_edit,
            self.submit_button,
        ):
            w.setEnabled(not busy)
        if not busy:
            self._show_signup_mode()
        self.token_file_edit.setEnabled(not busy and self.keyring_check.isChecked())
        self.busy_bar.setVisible(busy)
        self.status_label.setText(text)
        self.status_label.setVisible(busy)

    @property
    def busy(self) -> bool:
        return self._busy

    def error_text(self) -> str:
        """Every error the dialog shows now (for tests and screen readers)."""
        parts = [self.errors.message(n) for n in ("server", "email", "password", "display_name", "repeat", "invite")]
        parts.append(self.general_error.text() if self.general_error.isVisible() else "")
        return " ".join(p for p in parts if p)

    # ---- checks before asking the server -------------------------------------------------------
    def _local_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not self.server_edit.text().strip():
            errors["server"] = "Enter the address of your Gigbag sync server, e.g. https://sync.example.com."
        email = self.email_edit.text().strip()
        if not email:
            errors["email"] = "Enter your email."
        elif "@" not in email:
            errors["email"] = "This does not look like an email address."
        if not self.password_edit.text():
            errors["password"] = "Enter your password."
        if self.create_check.isChecked():
            if self.password_edit.text() and len(self.password_edit.text()) < MIN_PASSWORD_LENGTH:
                errors["password"] = f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters."
            if self.repeat_edit.text() != self.password_edit.text():
                errors["repeat"] = "The two passwords differ."
            if self.signup_mode == "invite" and not self.invite_edit.text().strip():
                errors["invite"] = "Enter the invite code the server's operator gave you."
        return errors

    # ---- signing in ----------------------------------------------------------------------------
    def submit(self) -> None:
        if self._busy:
            return
        self.errors.clear()
        local = self._local_errors()
        if local:
            self.errors.show(local)
            return
        creating = self.create_check.isChecked()
        token_file: Path | None = None
        if self._keyring_missing and self.keyring_check.isChecked():
            token_file = Path(self.token_file_edit.text().strip()).expanduser()
        self._set_busy(True, "Checking the server…")
        self.controller.sign_in(
            self.server_edit.text(),
            self.email_edit.text(),
            self.password_edit.text(),
            create_account=creating,
            display_name=self.name_edit.text().strip() or None,
            token_file=token_file,
            invite=(self.invite_edit.text().strip() or None) if creating and self.invite_row.isVisible() else None,
            on_success=self._succeeded,
            on_failure=lambda exc: self._failed(exc, creating),
            on_progress=lambda _d, _t, text: self.status_label.setText(text),
        )

    def _succeeded(self, info: AccountInfo) -> None:
        self._set_busy(False, "")
        self.signed_in.emit(info)
        self.accept()

    def _failed(self, exc: BaseException, creating: bool) -> bool:
        self._set_busy(False, "")
        message = sign_in_problem(exc, creating=creating)
        where = sign_in_field(exc)
        if where == "keyring":
            self._keyring_missing = True
            self.keyring_box.show()
            self.errors.show({"__root__": message})
            self.keyring_check.setFocus()
            return True
        if where == "invite" or message == SIGNUP_CLOSED_TEXT:
            # the server's mode changed since it was asked (or was never known): show what it said
            self.signup_mode = "closed" if message == SIGNUP_CLOSED_TEXT else "invite"
            self._show_signup_mode()
        self.errors.show({where: message})
        if where == "invite":
            self.invite_edit.selectAll()
        if where == "password":
            self.password_edit.selectAll()
        return True

    def reject(self) -> None:
        if self._busy:
            return  # the check runs to its end (bounded by its timeouts); closing now would drop its answer
        super().reject()

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.key() == Qt.Key.Key_Escape and self._busy:
            return
        super().keyPressEvent(event)
