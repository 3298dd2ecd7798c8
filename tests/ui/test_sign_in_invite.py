"""The sign-in dialog asks the server how it takes new accounts: by invite it shows the invite-code
field; closed, it says so plainly. The account menu shows the tier and limits; a disabled account is
said in words. All against a real server process, started with ``--signup``."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from gigbag.app.sync_words import INVITE_NEEDED_TEXT, SIGNUP_CLOSED_TEXT
from tests.fixtures.server_process import start_server
from tests.server.admin_cli import admin_ok
from tests.ui.sync_helpers import EMAIL, PASSWORD, closed, fill_sign_in, press_sync, wait_refreshed

SCREENS = Path("/work/screens")


@pytest.fixture
def invite_server(tmp_path):  # type: ignore[no-untyped-def]
    server = start_server(tmp_path / "server", signup="invite")
    yield server
    server.stop()


def submit_and_wait(qtbot, dialog) -> str:  # type: ignore[no-untyped-def]
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
    return dialog.error_text()


def test_by_invite_the_dialog_asks_for_the_code_and_the_menu_shows_the_tier(window, qtbot, invite_server):  # type: ignore[no-untyped-def]
    code = admin_ok(invite_server, "invite", "create", "--tier", "pro").strip()
    ui = window.sync_ui
    wait_refreshed(qtbot, window)
    dialog = ui.show_sign_in()
    fill_sign_in(qtbot, dialog, invite_server.url, EMAIL, PASSWORD, create=True)
    qtbot.waitUntil(lambda: dialog.signup_mode == "invite", timeout=20_000)
    assert dialog.invite_row.isVisible() and dialog.invite_label.text() == "Invite code:"
    assert dialog.signup_note.text() == INVITE_NEEDED_TEXT and dialog.submit_button.isEnabled()

    assert "Enter the invite code" in submit_and_wait(qtbot, dialog)  # said before asking the server
    qtbot.keyClicks(dialog.invite_edit, "WRONG-WRONG-WRONG-WRONG")
    submit_and_wait(qtbot, dialog)
    assert dialog.errors.message("invite").startswith("⚠ This invite code is not valid")
    dialog.activateWindow()
    SCREENS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(SCREENS / "sign-in-invite.png"))

    dialog.invite_edit.clear()
    qtbot.keyClicks(dialog.invite_edit, code.lower())  # as a person might type it
    dialog.submit()
    qtbot.waitUntil(lambda: ui.controller.state.signed_in and closed(dialog), timeout=30_000)
    wait_refreshed(qtbot, window)

    button = ui.toolbar.account_button
    ui.read_account_terms()
    qtbot.waitUntil(lambda: button.terms_action.isVisible(), timeout=10_000)
    assert button.terms_action.text().startswith("Pro plan: 0 bytes of ")
    assert "files up to" in button.terms_action.text()
    assert button.terms_action in button.menu_.actions()

    # the operator disables the account: the next sync says so in words
    admin_ok(invite_server, "user", "disable", EMAIL)
    outcome = press_sync(qtbot, window)
    assert not outcome.ok
    assert outcome.explanation is not None
    assert outcome.explanation.headline == (
        "This account has been disabled by the server's operator. Ask them to enable it again."
    )
    assert ui.failure_banner.isVisible() and "disabled by the server's operator" in ui.failure_banner.headline.text()


def test_a_closed_server_is_said_before_anything_is_typed(window, qtbot, tmp_path):  # type: ignore[no-untyped-def]
    server = start_server(tmp_path / "server", signup=None)  # the server's default: closed
    try:
        wait_refreshed(qtbot, window)
        dialog = window.sync_ui.show_sign_in()
        fill_sign_in(qtbot, dialog, server.url, EMAIL, PASSWORD, create=False)
        assert not dialog.signup_note.isVisible()  # signing in to an existing account: no question asked
        dialog.create_check.setChecked(True)
        qtbot.waitUntil(lambda: dialog.signup_mode == "closed", timeout=20_000)
        assert dialog.signup_note.isVisible() and dialog.signup_note.text() == SIGNUP_CLOSED_TEXT
        assert not dialog.invite_row.isVisible()
        assert not dialog.submit_button.isEnabled()
        dialog.create_check.setChecked(False)  # signing in stays possible
        assert dialog.submit_button.isEnabled() and not dialog.signup_note.isVisible()
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    finally:
        server.stop()
