"""The Library section on a real workspace signed in to a real server process with a published library.

The operator publishes real audio files (``gigbag-server library add``); the section lists them,
filters by text, bpm and key, plays a preview with QMediaPlayer to its end, adds a free track to
Files with progress, shows the closed button's reason for a pro-only track, and without a sign-in
says so. A screenshot is saved (``GIGBAG_SCREENSHOTS``, default ``screenshots/``) to be looked at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtMultimedia import QMediaPlayer

from gigbag.app.shared_library import LIBRARY_FOLDER
from gigbag.app.sync_service import SyncService
from gigbag.ui.context import UiContext
from gigbag.ui.sections.library import LibrarySection
from tests.fixtures.audio_files import write_tone
from tests.fixtures.server_process import ServerProcess, start_server
from tests.server.admin_cli import admin_ok
from tests.ui.widget_actions import click, type_into

SHOTS = Path(os.environ.get("GIGBAG_SCREENSHOTS") or Path(__file__).resolve().parents[2] / "screenshots")


@pytest.fixture(scope="module")
def library_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = start_server(tmp_path_factory.mktemp("ui-library-server"))
    audio = tmp_path_factory.mktemp("ui-library-audio")
    publish = [
        (
            "groove.flac",
            14.0,
            [
                "--title",
                "Groove in A",
                "--artist",
                "House Band",
                "--genre",
                "Funk",
                "--bpm",
                "96",
                "--key",
                "Am",
                "--preview-length",
                "6",
            ],
        ),
        (
            "ballad.mp3",
            10.0,
            ["--title", "Slow Ballad", "--artist", "Mira Quartet", "--genre", "Soul", "--bpm", "68", "--key", "C"],
        ),
        (
            "stems.wav",
            9.0,
            [
                "--title",
                "Horn Stems",
                "--artist",
                "Brass Collective",
                "--genre",
                "Funk",
                "--bpm",
                "112",
                "--key",
                "Bb",
                "--pro-only",
            ],
        ),
        ("click.wav", 3.0, ["--title", "Click 120", "--genre", "Click track", "--bpm", "120"]),
    ]
    for name, seconds, args in publish:
        admin_ok(server, "library", "add", str(write_tone(audio / name, seconds)), *args)
    yield server
    server.stop()


def _section(qtbot, ctx: UiContext) -> LibrarySection:  # type: ignore[no-untyped-def]
    section = LibrarySection(ctx)
    qtbot.addWidget(section)
    section.resize(980, 600)
    section.show()
    return section


def test_the_library_section_lists_filters_plays_and_adds(
    qtbot,
    ctx: UiContext,
    idle,  # type: ignore[no-untyped-def]
    library_server: ServerProcess,
) -> None:
    SyncService(ctx.workspace).sign_in(
        library_server.url, "ui-lib@example.com", "correct horse battery", create_account=True, display_name="Ana"
    )
    section = _section(qtbot, ctx)
    section.activate()
    idle()
    assert section.model.rowCount() == 4
    assert [e.title for e in section.model.entries] == ["Click 120", "Groove in A", "Horn Stems", "Slow Ballad"]
    assert "4 tracks · as of" in section.status_label.text() and "tier: free" in section.status_label.text()

    type_into(qtbot, section.search, "funk")
    section.search.flush()
    assert [e.title for e in section.model.entries] == ["Groove in A", "Horn Stems"]
    section.search.clear()
    section.search.flush()
    section.bpm_min.setValue(90)
    section.bpm_max.setValue(115)
    assert [e.title for e in section.model.entries] == ["Groove in A", "Horn Stems"]
    section.key_box.setCurrentText("Am")
    assert [e.title for e in section.model.entries] == ["Groove in A"]
    assert "1 of 4 tracks" in section.status_label.text()
    section.key_box.setCurrentIndex(0)
    section.bpm_min.setValue(0)
    section.bpm_max.setValue(0)
    assert section.model.rowCount() == 4

    # The pro-only track: badge, closed button and the reason.
    pro_row = next(i for i, e in enumerate(section.model.entries) if e.is_pro_only)
    assert section.model.index(pro_row, 1).data() == "Pro"
    section.select_track(section.model.entries[pro_row].id)
    assert not section.add_button.isEnabled()
    assert "pro-only" in section.reason_label.text() and "operator can change your tier" in section.reason_label.text()
    assert section.play_button.isEnabled()  # its preview is open to everyone

    # Play the groove's 6 s preview to its end.
    groove = next(e for e in section.model.entries if e.title == "Groove in A")
    section.select_track(groove.id)
    with qtbot.waitSignal(
        section.preview_status, timeout=30_000, check_params_cb=lambda s: s == QMediaPlayer.MediaStatus.EndOfMedia
    ):
        click(qtbot, section.play_button)
    assert section.play_button.text() == "Play preview"

    # Add it to Files.
    progress: list[int] = []
    section.progress.valueChanged.connect(progress.append)
    click(qtbot, section.add_button)
    assert section.cancel_button.isVisible()
    idle()
    assert progress and progress[-1] == 1000
    files = ctx.workspace.files.list()
    assert [f.filename for f in files] == ["House Band – Groove in A.flac"]
    assert ctx.workspace.folders.get(files[0].folder_id).name == LIBRARY_FOLDER
    assert "is in your files" in section.reason_label.text()
    assert not section.cancel_button.isVisible()

    section.select_track(next(e.id for e in section.model.entries if e.is_pro_only))
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert section.grab().save(str(SHOTS / "library.png"))
    section.shutdown()


def test_without_a_sign_in_the_section_says_so(qtbot, ctx: UiContext, idle) -> None:  # type: ignore[no-untyped-def]
    section = _section(qtbot, ctx)
    section.activate()
    idle()
    assert section.stack.currentWidget() is section.empty
    assert "Sign in" in section.empty.title_label.text() and "Sync button" in section.empty.text_label.text()
    assert not section.add_button.isEnabled() and not section.play_button.isEnabled()
    SHOTS.mkdir(parents=True, exist_ok=True)
    section.grab().save(str(SHOTS / "library-signed-out.png"))
