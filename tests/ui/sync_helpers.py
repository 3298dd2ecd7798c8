"""Helpers for the sync UI tests: signing in through the dialog, pressing Sync, a second device.

The desktop under test is a real main window on its data folder; the "other computer" is a second
data folder synced headlessly through ``app.sync_service`` against the same real server process.
Both run in one test process, so they cannot share the (in-memory) keyring entry of one account:
the second device keeps its token with the explicit token-file fallback instead.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gigbag.app.export_import import export_document
from gigbag.app.sync_service import SyncService
from gigbag.app.workspace import Workspace
from gigbag.sync.client import RetryPolicy, SyncClient
from gigbag.ui.main_window import MainWindow
from gigbag.ui.sync.controller import SyncController, SyncOutcome

EMAIL = "ana@example.com"
PASSWORD = "correct horse battery"

#: retries in milliseconds, so that a stopped server fails a test's sync in well under a second
FAST_RETRY = RetryPolicy(attempts=2, base_delay=0.02, max_delay=0.05, max_retry_after=1.0)
fast_client = functools.partial(SyncClient, retry=FAST_RETRY)


def controller_of(win: MainWindow) -> SyncController:
    return win.sync_ui.controller


def use_fast_retries(win: MainWindow) -> None:
    controller_of(win).service.client_factory = fast_client


def sign_in_through_dialog(
    qtbot: Any, win: MainWindow, url: str, email: str = EMAIL, password: str = PASSWORD, create: bool = True
) -> None:
    """Fill the sign-in dialog like a person and wait until the window shows the account."""
    ui = win.sync_ui
    qtbot.waitUntil(lambda: ui.controller.state.loaded, timeout=10_000)
    qtbot.mouseClick(ui.toolbar.sync_button, Qt.MouseButton.LeftButton)
    dialog = ui.sign_in_dialog
    assert dialog is not None and dialog.isVisible()
    fill_sign_in(qtbot, dialog, url, email, password, create)
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ui.controller.state.signed_in and closed(dialog), timeout=20_000)
    wait_refreshed(qtbot, win)


def closed(widget: Any) -> bool:
    """The dialog was closed (and perhaps deleted already: dialogs delete themselves on close)."""
    return not shiboken6.isValid(widget) or not widget.isVisible()


def fill_sign_in(qtbot: Any, dialog: Any, url: str, email: str, password: str, create: bool = False) -> None:
    for edit, text in ((dialog.server_edit, url), (dialog.email_edit, email), (dialog.password_edit, password)):
        edit.clear()
        qtbot.keyClicks(edit, text)
    dialog.create_check.setChecked(create)
    if create:
        dialog.repeat_edit.clear()
        qtbot.keyClicks(dialog.repeat_edit, password)


def wait_refreshed(qtbot: Any, win: MainWindow) -> None:
    """Wait until the controller's status reads and the window's operations are done."""
    c = controller_of(win)
    QApplication.processEvents()
    qtbot.waitUntil(lambda: c.idle and not win.ops.busy, timeout=20_000)
    QApplication.processEvents()
    qtbot.waitUntil(lambda: c.idle and not win.ops.busy, timeout=20_000)


def press_sync(qtbot: Any, win: MainWindow, timeout: int = 120_000) -> SyncOutcome:
    """Press the Sync button and wait for the finished signal; return the outcome."""
    c = controller_of(win)
    with qtbot.waitSignal(c.sync_finished, timeout=timeout) as blocker:
        qtbot.mouseClick(win.sync_ui.toolbar.sync_button, Qt.MouseButton.LeftButton)
    outcome = blocker.args[0]
    assert isinstance(outcome, SyncOutcome)
    wait_refreshed(qtbot, win)
    return outcome


def write(win: MainWindow, qtbot: Any, fn: Any, *entity_types: str) -> Any:
    """An edit as the sections make it: on the writer thread, then announced so views refresh."""
    box: dict[str, Any] = {}
    win.ctx.ops.write(lambda _op: fn()).success(lambda r: box.setdefault("r", r)).run()
    qtbot.waitUntil(lambda: "r" in box, timeout=20_000)
    win.ctx.events.emit_changed(*entity_types)
    return box["r"]


class OtherComputer:
    """A second device: its own data folder, signed in to the same account, synced headlessly."""

    def __init__(self, folder: Path, url: str, email: str = EMAIL, password: str = PASSWORD) -> None:
        self.workspace = Workspace.open(folder)
        self.service = SyncService(self.workspace, fast_client)
        self.service.sign_in(url, email, password, token_file=folder / "token")

    def sync(self, **kwargs: Any) -> Any:
        return self.service.sync(**kwargs)

    def close(self) -> None:
        self.workspace.close()


def data_of(workspace: Workspace) -> dict[str, Any]:
    """Every entity of a device (its export without the time of the export): devices that converged are equal."""
    doc = export_document(workspace.engine)
    return doc["entities"]


@contextmanager
def fake_health_server(body: dict[str, Any]) -> Iterator[str]:
    """A web server on 127.0.0.1 whose /v1/health answers ``body`` (a server of another protocol version)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            payload = json.dumps(body).encode()
            self.send_response(200 if self.path.endswith("/v1/health") else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
