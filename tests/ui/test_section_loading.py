"""Sections are built when first shown, and a list not read yet says it is being read, never that it is empty."""

from __future__ import annotations

import pytest

from gigbag.ui.context import UiContext
from gigbag.ui.main_window import SECTIONS, MainWindow
from gigbag.ui.sections.files import FilesSection
from gigbag.ui.sections.goals import GoalsSection
from gigbag.ui.sections.portfolio import PortfolioSection
from gigbag.ui.sections.tracks import TracksSection
from gigbag.ui.widgets.track_list import TrackModel


def built(win: MainWindow) -> list[str]:
    return [s.title for s in win.built_sections()]


def test_only_the_section_on_screen_is_built_and_the_others_when_first_shown(open_window, window_idle, data_dir):
    win = open_window()
    window_idle(win)
    assert win.stack.currentWidget() is win.welcome  # a first start: the welcome page, no section needed yet
    assert built(win) == []
    assert win.sidebar_model.titles() == [e.title for e in SECTIONS]  # every section listed all the same
    made: list[str] = []
    win.section_built.connect(lambda s: made.append(s.title))

    goals = win.show_section("Goals")
    assert isinstance(goals, GoalsSection) and win.current_section() is goals
    assert built(win) == ["Goals"] and made == ["Goals"]
    assert win.show_section("Goals") is goals and made == ["Goals"]  # built once
    win.sidebar.setCurrentIndex(win.sidebar_model.index(1))
    assert isinstance(win.current_section(), TracksSection)
    assert built(win) == ["Tracks", "Goals"]  # sidebar order
    assert [s.keys for s in win.shortcut_list() if s.action == "Go to Contacts"] == ["Ctrl+9"]  # not built, listed
    win.close()

    again = open_window()  # a restart opens on the last section, and builds only that one
    window_idle(again)
    assert isinstance(again.current_section(), TracksSection)
    assert built(again) == ["Tracks"]


def test_a_list_shows_that_it_is_being_read_until_the_first_read_answers(qtbot, ctx: UiContext, idle):
    tracks = TracksSection(ctx)
    qtbot.addWidget(tracks)
    tracks.show()
    tracks.activate()
    assert tracks.stack.currentWidget() is tracks.loading  # not "Your tracks: add the songs…" before the read
    assert tracks.loading.title_label.text() == "Reading your tracks…"
    assert not tracks.player_bar.isVisible()
    idle()
    assert tracks.stack.currentWidget() is tracks.empty

    goals = GoalsSection(ctx)
    qtbot.addWidget(goals)
    goals.show()
    assert goals.browser.list_stack.currentWidget() is goals.browser.loading
    idle()
    assert goals.browser.list_stack.currentWidget() is goals.browser.empty

    ctx.workspace.profile.save({"stage_name": "Ya Llegó"})
    portfolio = PortfolioSection(ctx)
    qtbot.addWidget(portfolio)
    portfolio.show()
    portfolio.activate()
    assert portfolio.content_stack.currentWidget() is portfolio.loading  # not an empty "Your stage name" form
    assert not portfolio.save_bar.isVisible()
    idle()
    assert portfolio.content_stack.currentWidget() is portfolio.scroll_area
    assert portfolio.widget_for("stage_name").text() == "Ya Llegó" and portfolio.save_bar.isVisible()

    files = FilesSection(ctx)
    qtbot.addWidget(files)
    files.show()
    files.activate()
    assert files.list_stack.currentWidget() is files.loading
    idle()
    assert files.list_stack.currentWidget() is files.empty


def test_a_first_read_that_fails_says_so_instead_of_loading_forever(
    qtbot, ctx: UiContext, idle, ui_errors, monkeypatch: pytest.MonkeyPatch
):
    def fail(_self: TrackModel, _query: object) -> int:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(TrackModel, "fetch_count", fail)
    tracks = TracksSection(ctx)
    qtbot.addWidget(tracks)
    tracks.show()
    tracks.activate()
    idle()
    assert tracks.stack.currentWidget() is tracks.loading
    assert tracks.loading.title_label.text() == "Your tracks could not be read"
    assert "Input/output error" in tracks.loading.text_label.text()
    assert not tracks.loading.busy.isVisible()
    assert len(ui_errors) == 1  # and the window's error handler has it, as before


def test_files_built_after_the_sync_ui_still_mark_the_files_a_sync_moves(window, window_idle):
    window_idle(window)
    assert "Files" not in built(window)
    controller = window.sync_ui.controller
    moving = {"ab" * 32: "down"}
    controller._transfers = dict(moving)  # a download under way when the artist opens Files
    section = window.show_section("Files")
    assert isinstance(section, FilesSection)
    assert section.model.transfers == moving
    controller.transfers_changed.emit({})
    assert section.model.transfers == {}
