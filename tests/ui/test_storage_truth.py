"""The storage bar tells the truth: over the limit it is full, in the warning colour, says how much
is over and what to do; signed in, the limit is the server's for the account (local refusals use it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QPalette
from sqlalchemy import text

from gigbag.app.storage_limit import StorageLimitExceeded
from gigbag.local_db.database import transaction
from gigbag.ui.sections.files import FilesSection
from gigbag.ui.widgets.storage_bar import OVER_ADVICE
from gigbag.ui.widgets.theme import semantic_color
from tests.fixtures.server_process import start_server
from tests.server.admin_cli import admin_ok
from tests.ui.sync_helpers import EMAIL, press_sync, sign_in_through_dialog, wait_refreshed

SCREENS = Path("/work/screens")
MIB = 1024 * 1024


@pytest.fixture
def section(ctx, qtbot, idle) -> FilesSection:
    s = FilesSection(ctx)
    qtbot.addWidget(s)
    s.resize(1100, 500)
    s.show()
    s.activate()
    idle()
    return s


def set_limit(ctx, limit: int) -> None:  # type: ignore[no-untyped-def]
    with transaction(ctx.workspace.engine) as s:
        s.execute(text("UPDATE storage_quotas SET limit_bytes = :l WHERE id = 1"), {"l": limit})


def test_over_the_limit_the_bar_is_full_in_the_warning_colour_and_says_what_to_do(section, ctx, idle, tmp_path):
    for name, size in (("live-set.wav", 2 * MIB), ("rehearsal.wav", int(1.8 * MIB))):
        (tmp_path / name).write_bytes(b"RIFF" + b"\x00" * (size - 4))
        ctx.workspace.files.import_file(tmp_path / name)
    ctx.events.emit_changed("files")
    idle()
    assert section.storage_label.text() == "3.8 MB of 50 GB used"
    assert not section.storage.over and not section.storage.advice_label.isVisible()
    normal_highlight = section.storage_bar.palette().color(QPalette.ColorRole.Highlight)

    set_limit(ctx, int(3.4 * MIB))  # a limit lowered below what the files already use
    section.refresh_storage()
    idle()
    assert section.storage_label.text() == "3.8 MB of 3.4 MB used — 0.4 MB over"
    assert section.storage.over
    assert section.storage_bar.value() == section.storage_bar.maximum()  # full, never the empty bar
    warning = semantic_color("warning")
    assert section.storage_bar.palette().color(QPalette.ColorRole.Highlight) == warning != normal_highlight
    assert section.storage_label.palette().color(QPalette.ColorRole.WindowText) == warning
    assert section.storage.advice_label.isVisible() and section.storage.advice_label.text() == OVER_ADVICE
    assert OVER_ADVICE in section.storage_bar.toolTip()
    SCREENS.mkdir(parents=True, exist_ok=True)
    assert section.grab().save(str(SCREENS / "over-quota-bar.png"))

    # the same limit refuses more files here, with how much is over
    (tmp_path / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 1000)
    with pytest.raises(StorageLimitExceeded, match="3.4 MB storage limit"):
        ctx.workspace.files.import_file(tmp_path / "cover.png")

    # back under the limit: the ordinary bar again
    set_limit(ctx, 10 * MIB)
    section.refresh_storage()
    idle()
    assert section.storage_label.text() == "3.8 MB of 10 MB used"
    assert not section.storage.over and not section.storage.advice_label.isVisible()
    assert section.storage_bar.palette().color(QPalette.ColorRole.Highlight) == normal_highlight


def test_signed_in_the_limit_is_the_servers_for_the_account(window, qtbot, tmp_path):  # type: ignore[no-untyped-def]
    server = start_server(tmp_path / "server", extra_args=("--storage-quota", str(int(3.4 * MIB))))
    try:
        ws = window.workspace
        assert ws.files.storage().limit_bytes == 50 * 1024**3  # nobody's limit yet: the local default
        sign_in_through_dialog(qtbot, window, server.url)
        qtbot.waitUntil(lambda: ws.files.storage().limit_bytes == int(3.4 * MIB), timeout=20_000)
        files = window.show_section("Files")
        assert isinstance(files, FilesSection)
        wait_refreshed(qtbot, window)
        qtbot.waitUntil(lambda: files.storage_label.text() == "0 bytes of 3.4 MB used", timeout=10_000)
        big = tmp_path / "master.wav"
        big.write_bytes(b"RIFF" + b"\x00" * (4 * MIB))
        with pytest.raises(StorageLimitExceeded, match="3.4 MB storage limit"):
            ws.files.import_file(big)  # refused here, before the server would refuse it
        # the operator gives this account more room: the next sync brings its limit here
        admin_ok(server, "user", "set-quota", EMAIL, "8MiB")
        assert press_sync(qtbot, window).ok
        qtbot.waitUntil(lambda: files.storage_label.text() == "0 bytes of 8 MB used", timeout=10_000)
        ws.files.import_file(big)  # fits now
        terms = window.sync_ui.controller.service.account_terms()
        assert terms is not None and terms.tier == "free" and terms.storage_quota_bytes == 8 * MIB
        assert terms.overridden == ("storage_quota",)
    finally:
        server.stop()
