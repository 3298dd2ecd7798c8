"""The Portfolio section driven through its form: create, edit, validation next to fields, images, undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit
from sqlalchemy import text

from gigbag.schema.entities import ARTIST_ID
from gigbag.ui.sections.portfolio import PortfolioSection


def write_png(path: Path, w: int = 200, h: int = 120) -> Path:
    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.fill(QColor("#8e44ad"))
    assert img.save(str(path))
    return path


@pytest.fixture
def section(ctx, qtbot, idle) -> PortfolioSection:
    s = PortfolioSection(ctx)
    qtbot.addWidget(s)
    s.resize(1000, 800)
    s.show()
    s.activate()
    idle()
    return s


def type_into(qtbot, section: PortfolioSection, name: str, value: str) -> None:
    widget = section.widget_for(name)
    if isinstance(widget, QLineEdit):
        widget.clear()
        qtbot.keyClicks(widget, value)
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(value)
    else:
        raise AssertionError(name)


def error(section: PortfolioSection, name: str) -> str:
    label = section.errors.label(name)
    assert label is not None
    return label.text()


def test_a_fresh_profile_shows_what_is_missing(section):
    assert section.completion_bar.value() == 0
    assert "Needed:" in section.missing_label.text() and "Stage name" in section.missing_label.text()
    assert section.state_label.text() == "Start with your stage name, then save."
    assert not section.save_button.isEnabled()
    assert section.metric_labels["follower_count"].text() == "—"


def test_nothing_is_saved_without_a_stage_name(section, ctx, qtbot, idle):
    type_into(qtbot, section, "bio", "Salsa from the Bronx")
    section.save_button.click()
    idle()
    assert "Stage name is needed" in error(section, "stage_name")
    assert ctx.workspace.profile.current() is None


def test_create_profile_completion_and_undo(section, ctx, qtbot, idle):
    for name, value in {
        "stage_name": "La Clave Azul",
        "location_city": "New York",
        "location_state": "NY",
        "primary_genre": "Salsa",
        "base_rate_flat": "1200",
    }.items():
        type_into(qtbot, section, name, value)
    type_into(qtbot, section, "bio", "Twelve-piece salsa dura orchestra.")
    # live completion: 6 of 7 required fields = 60
    assert section.completion_bar.value() == 60
    assert "complete" in section.completion_label.text()
    assert section.state_label.text() == "Unsaved changes"
    section.save_button.click()
    idle()
    artist = ctx.workspace.profile.current()
    assert artist is not None
    assert (artist.stage_name, artist.base_rate_flat, artist.location_country) == ("La Clave Azul", 1200, "US")
    assert ctx.workspace.profile.completion().score == 60
    assert section.state_label.text() == "All changes saved"
    assert section.name_label.text() == "La Clave Azul"
    ctx.undo.undo()
    idle()
    assert ctx.workspace.profile.current() is None
    assert section.widget_for("stage_name").text() == ""
    ctx.undo.redo()
    idle()
    assert ctx.workspace.profile.current().stage_name == "La Clave Azul"
    assert section.widget_for("stage_name").text() == "La Clave Azul"


def test_invalid_values_are_explained_next_to_their_fields_and_nothing_is_saved(section, ctx, qtbot, idle):
    ctx.workspace.profile.save({"stage_name": "Orquesta Sol", "base_rate_flat": 500})
    section.reload()
    idle()
    type_into(qtbot, section, "base_rate_flat", "-20")
    type_into(qtbot, section, "time_split_creative", "150")
    type_into(qtbot, section, "tagline", "Hot new tagline")
    section.save_button.click()
    idle()
    assert error(section, "base_rate_flat") == "⚠ Flat rate per show must be at least 0"
    assert error(section, "time_split_creative") == "⚠ Time on creative work must be between 0 and 100"
    artist = ctx.workspace.profile.current()
    assert (artist.base_rate_flat, artist.tagline) == (500, None)
    assert ctx.undo.count() == 0
    assert "Not saved" in section.state_label.text()
    type_into(qtbot, section, "base_rate_flat", "lots")
    type_into(qtbot, section, "time_split_creative", "60")
    type_into(qtbot, section, "available_dates", "2025-07-04, 2025-13-40")
    section.save_button.click()
    idle()
    assert error(section, "base_rate_flat") == "⚠ Flat rate per show must be a whole number"
    assert "Available dates" in error(section, "available_dates")
    assert ctx.workspace.profile.current().tagline is None


def test_edit_yes_no_questions_lists_and_undo(section, ctx, qtbot, idle):
    ctx.workspace.profile.save({"stage_name": "Son Bravo", "tagline": "Old tagline"})
    section.reload()
    idle()
    type_into(qtbot, section, "tagline", "Salsa that moves the room")
    type_into(qtbot, section, "secondary_genres", "Timba, Latin jazz")
    combo = section.widget_for("understands_royalties")
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findText("No"))
    section.widget_for("rates_negotiable").setChecked(False)
    section.save_button.click()
    idle()
    artist = ctx.workspace.profile.current()
    assert artist.tagline == "Salsa that moves the room"
    assert artist.secondary_genres == ["Timba", "Latin jazz"]
    assert artist.understands_royalties is False
    assert artist.rates_negotiable is False
    ctx.undo.undo()
    idle()
    artist = ctx.workspace.profile.current()
    assert (artist.tagline, artist.secondary_genres, artist.understands_royalties) == ("Old tagline", [], None)
    assert section.widget_for("tagline").text() == "Old tagline"
    assert section.widget_for("understands_royalties").currentText() == "Not answered"


def test_avatar_and_banner_from_image_files(section, ctx, qtbot, idle, tmp_path):
    ctx.workspace.profile.save({"stage_name": "Mambo Kings"})
    section.reload()
    idle()
    section.set_image_from_file("avatar_url", write_png(tmp_path / "me.png", 300, 300))
    section.set_image_from_file("banner_url", write_png(tmp_path / "stage.png", 1200, 300))
    idle()
    assert section.avatar.has_image() and section.banner.has_image()
    assert section.image_values["avatar_url"].startswith("blob:")
    assert "Avatar" not in section.missing_label.text()
    section.save_button.click()
    idle()
    artist = ctx.workspace.profile.current()
    sha = artist.avatar_url.removeprefix("blob:")
    assert ctx.workspace.blobs.has(sha)
    assert artist.banner_url.startswith("blob:")
    assert ctx.workspace.files.count(filters={"category": "press_photo"}) == 2
    # a file that is not an image is refused next to the avatar
    bad = tmp_path / "me.txt"
    bad.write_text("hello")
    section.set_image_from_file("avatar_url", bad)
    idle()
    assert error(section, "avatar_url") == "⚠ Me.txt is not an image"
    assert ctx.workspace.profile.current().avatar_url == artist.avatar_url
    section.remove_avatar_button.click()
    assert not section.avatar.has_image() or section.image_values["avatar_url"] is None
    section.save_button.click()
    idle()
    assert ctx.workspace.profile.current().avatar_url is None


def test_server_metrics_are_shown_read_only(section, ctx, idle):
    ctx.workspace.profile.save({"stage_name": "Tito Ritmo"})
    with ctx.workspace.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE artists SET follower_count = 1200, avg_rating = 4.6, total_earnings = 18500, "
                "verified = 1 WHERE id = :id"
            ),
            {"id": ARTIST_ID},
        )
    section.reload()
    idle()
    assert section.metric_labels["follower_count"].text() == "1,200"
    assert section.metric_labels["avg_rating"].text() == "4.6 / 5"
    assert section.metric_labels["total_earnings"].text() == "$18,500"
    assert section.metric_labels["verified"].text() == "Yes"
    assert "follower_count" not in section.widgets


def test_missing_links_and_ctrl_n_focus_the_field_to_fill(section):
    section.missing_label.linkActivated.emit("bio")
    assert section.focusWidget() is section.widget_for("bio")
    section.new_item()  # Ctrl+N: the first thing still needed
    assert section.missing_fields[0] == "stage_name"
    assert section.focusWidget() is section.widget_for("stage_name")
