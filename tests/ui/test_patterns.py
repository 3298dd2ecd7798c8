"""The Patterns section driven through its widgets: the editor, instruments, forks, JSON in and out, playback."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaDevices
from PySide6.QtWidgets import QComboBox, QSpinBox

from gigbag.app.workspace import Workspace
from gigbag.schema.beat_catalog import NOTE_NAMES, catalog
from gigbag.ui.context import UiContext
from gigbag.ui.sections.patterns import (
    COL_INSTRUMENT,
    COL_PITCH,
    COL_PROGRAM,
    COL_VOLUME,
    PatternsSection,
)
from gigbag.ui.widgets.pattern_player import NO_DEVICE_MESSAGE, SAMPLE_RATE, LoopDevice
from tests.ui.widget_actions import click, type_into


@pytest.fixture
def section(qtbot, ctx: UiContext, idle: Callable[..., None]) -> PatternsSection:  # type: ignore[no-untyped-def]
    s = PatternsSection(ctx)
    qtbot.addWidget(s)
    s.resize(1280, 900)
    s.show()
    idle()
    yield s
    s.shutdown()


def select_title(section: PatternsSection, title: str) -> None:
    rows = [i for i, p in enumerate(section.model.records()) if p.title == title]
    assert rows, f"{title!r} is not in the list"
    section.view.selectRow(rows[0])


def seeded(
    section: PatternsSection, ctx: UiContext, idle: Callable[..., None], title: str = "Son montuno", **values: object
):  # type: ignore[no-untyped-def]
    pattern = ctx.workspace.patterns.new(title, **values)  # type: ignore[arg-type]
    ctx.events.emit_changed("patterns")
    idle()
    select_title(section, title)
    idle()
    return pattern


def instrument_row(section: PatternsSection, instrument_id: str) -> int:
    items = section.form.instruments.configuration()["instruments"]
    return next(i for i, item in enumerate(items) if item["id"] == instrument_id)


def test_create_a_pattern_with_flavor_tempo_and_key_then_undo(
    qtbot, section: PatternsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    section.new_item()
    form = section.form
    assert [form.key_combo.itemText(i) for i in range(12)] == list(NOTE_NAMES)
    type_into(qtbot, form.title_edit, "Merengue in A")
    form.flavor_combo.setCurrentIndex(form.flavor_combo.findData("Merengue"))
    merengue = catalog()["Merengue"]
    assert [form.instruments.index(r, COL_INSTRUMENT).data() for r in range(form.instruments.rowCount())][:1] == [
        merengue.instruments[0].name
    ]
    assert form.instruments.rowCount() == len(merengue.instruments)
    form.bpm_spin.setValue(170)
    form.key_combo.setCurrentIndex(NOTE_NAMES.index("A"))
    click(qtbot, form.save_button)
    idle()
    [stored] = workspace.patterns.list()
    assert (stored.title, stored.flavor, stored.bpm, stored.key_note) == ("Merengue in A", "Merengue", 170, 9)
    assert stored.configuration == merengue.default_configuration()
    assert section.model.index(0, 3).data() == "A"
    assert section.model.index(0, 2).data() == "170 bpm"
    ctx.undo.undo()
    idle()
    assert workspace.patterns.count() == 0


def test_bpm_outside_80_to_250_is_explained_and_nothing_is_saved(
    qtbot, section: PatternsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    pattern = seeded(section, ctx, idle)
    form = section.form
    form.bpm_spin.setValue(300)
    click(qtbot, form.save_button)
    idle()
    label = form.errors.label("bpm")
    assert label is not None and not label.isHidden()
    assert "between 80 and 250" in label.text()
    assert workspace.patterns.get(pattern.id).bpm == 180
    assert ctx.undo.count() == 0
    click(qtbot, section.play_button)  # a tempo out of range cannot be played either
    idle()
    assert "between 80 and 250" in section.player_label.text()
    assert section.player.state == "stopped"

    section.new_item()
    type_into(qtbot, form.title_edit, "Too slow")
    form.bpm_spin.setValue(40)
    click(qtbot, form.save_button)
    idle()
    assert "between 80 and 250" in form.errors.label("bpm").text()  # type: ignore[union-attr]
    assert workspace.patterns.count() == 1


def test_instruments_by_name_volume_pitch_and_enabled_are_saved_and_undone(
    qtbot, section: PatternsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    pattern = seeded(section, ctx, idle)
    form = section.form
    view = form.instruments_view
    salsa = catalog()["Salsa"]
    row = instrument_row(section, "clave")
    combo = view.indexWidget(form.instruments.index(row, COL_PROGRAM))
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == [p.name for p in salsa.instrument("clave").programs]
    assert combo.accessibleName() == "Program of Clave"
    combo.setCurrentIndex(1)
    combo.activated.emit(1)
    volume = view.indexWidget(form.instruments.index(row, COL_VOLUME))
    pitch = view.indexWidget(form.instruments.index(row, COL_PITCH))
    assert isinstance(volume, QSpinBox) and isinstance(pitch, QSpinBox)
    volume.setValue(60)
    pitch.setValue(-3)
    bongos = instrument_row(section, "bongos")
    assert form.instruments.setData(
        form.instruments.index(bongos, COL_INSTRUMENT), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
    )
    assert form.dirty
    assert form.instruments.index(row, COL_PROGRAM).data() == salsa.instrument("clave").programs[1].name
    click(qtbot, form.save_button)
    idle()
    items = {i["id"]: i for i in workspace.patterns.get(pattern.id).configuration["instruments"]}
    assert items["clave"] == {"id": "clave", "enabled": True, "activeProgram": 1, "volume": 0.6, "pitchOffset": -3}
    assert items["bongos"]["enabled"] is True
    ctx.undo.undo()
    idle()
    assert workspace.patterns.get(pattern.id).configuration == salsa.default_configuration()
    assert form.instruments.configuration() == salsa.default_configuration()


def test_changing_the_flavor_starts_the_instruments_from_its_defaults(
    qtbot, section: PatternsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    pattern = seeded(section, ctx, idle)
    form = section.form
    form.flavor_combo.setCurrentIndex(form.flavor_combo.findData("Merengue"))
    assert form.instruments.flavor == "Merengue"
    click(qtbot, form.save_button)
    idle()
    stored = workspace.patterns.get(pattern.id)
    assert stored.flavor == "Merengue"
    assert stored.configuration == catalog()["Merengue"].default_configuration()


def test_duplicate_as_fork_remembers_the_original(
    qtbot, section: PatternsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    original = seeded(section, ctx, idle, "Guaguancó")
    click(qtbot, section.fork_button)
    idle()
    forks = [p for p in workspace.patterns.list() if p.original_pattern_id == original.id]
    assert [f.title for f in forks] == ["Guaguancó (fork)"]
    assert section.form.record.id == forks[0].id
    idle()
    assert section.form.origin_label.text() == "“Guaguancó”"
    assert not section.form.origin_label.isHidden()
    ctx.undo.undo()
    idle()
    assert [p.id for p in workspace.patterns.list()] == [original.id]


def test_import_refuses_bad_json_and_a_configuration_of_another_flavor(
    qtbot,
    section: PatternsSection,
    ctx: UiContext,
    workspace: Workspace,
    idle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pattern = seeded(section, ctx, idle)
    bad = tmp_path / "broken.json"
    bad.write_text('{"instruments": [', "utf-8")
    monkeypatch.setattr(section, "ask_import_path", lambda: str(bad))
    click(qtbot, section.import_button)
    idle()
    assert not section.io_message.isHidden()
    assert "The file broken.json was not imported" in section.io_message.text()
    assert "not valid JSON" in section.io_message.text()
    assert workspace.patterns.get(pattern.id).configuration == catalog()["Salsa"].default_configuration()
    assert not section.form.dirty

    merengue = tmp_path / "merengue.json"
    merengue.write_text(json.dumps(catalog()["Merengue"].default_configuration()), "utf-8")
    monkeypatch.setattr(section, "ask_import_path", lambda: str(merengue))
    click(qtbot, section.import_button)
    idle()
    text = section.io_message.text()
    assert "does not fit a Salsa pattern" in text and "switch the flavor to Merengue" in text
    assert workspace.patterns.get(pattern.id).configuration == catalog()["Salsa"].default_configuration()
    assert ctx.undo.count() == 0


def test_import_a_configuration_then_undo_and_export_it(
    qtbot,
    section: PatternsSection,
    ctx: UiContext,
    workspace: Workspace,
    idle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pattern = seeded(section, ctx, idle)
    configuration = catalog()["Salsa"].default_configuration()
    configuration["instruments"][0].update(activeProgram=1, volume=0.5, pitchOffset=2)
    configuration["instruments"] = configuration["instruments"][:4]
    source = tmp_path / "from-salsanor.json"
    source.write_text(json.dumps(configuration), "utf-8")
    monkeypatch.setattr(section, "ask_import_path", lambda: str(source))
    click(qtbot, section.import_button)
    idle()
    assert section.io_message.isHidden()
    assert "Imported" in section.info_message.text() and not section.info_message.isHidden()
    assert workspace.patterns.get(pattern.id).configuration == configuration
    assert section.form.instruments.rowCount() == 4

    target = tmp_path / "out.json"
    monkeypatch.setattr(section, "ask_export_path", lambda suggested: str(target))
    click(qtbot, section.export_button)
    idle()
    assert json.loads(target.read_text("utf-8")) == configuration
    assert "Exported" in section.info_message.text() and not section.info_message.isHidden()

    ctx.undo.undo()
    idle()
    assert workspace.patterns.get(pattern.id).configuration == catalog()["Salsa"].default_configuration()


def test_delete_and_undo(qtbot, section: PatternsSection, ctx: UiContext, workspace: Workspace, idle) -> None:
    pattern = seeded(section, ctx, idle)
    section.delete_selected()
    idle()
    assert workspace.patterns.count() == 0
    ctx.undo.undo()
    idle()
    assert workspace.patterns.get(pattern.id).title == "Son montuno"
    assert section.model.rowCount() == 1


def test_models_pass_the_model_tester(qtbot, qtmodeltester, section: PatternsSection, ctx: UiContext, idle) -> None:
    seeded(section, ctx, idle)
    ctx.workspace.patterns.new("Merengue", "Merengue")
    ctx.events.emit_changed("patterns")
    idle()
    qtmodeltester.check(section.model)
    qtmodeltester.check(section.form.instruments)


def test_the_player_renders_off_the_ui_thread_and_starts_and_stops(
    qtbot, section: PatternsSection, ctx: UiContext, idle
) -> None:
    seeded(section, ctx, idle)
    player = section.player
    started = time.monotonic()
    with qtbot.waitSignal(player.rendered, timeout=20_000) as rendered:
        click(qtbot, section.play_button)
        clicked_in = time.monotonic() - started
        assert player.state == "rendering"  # the click returned before the sound was made
        assert section.play_button.text() == "Stop"
    assert clicked_in < 0.25
    # one 16-step Salsa cycle at 180 bpm (a step is an eighth note): 16 * 30 / 180 s
    assert rendered.args[0] == pytest.approx(16 * 30 / 180, abs=1 / SAMPLE_RATE * 2)
    idle()
    assert player.device.loop_bytes == round(16 * 30 / 180 * SAMPLE_RATE) * 2  # 16-bit samples
    if QMediaDevices.audioOutputs():
        assert player.state == "playing", player.message
        assert section.play_button.text() == "Stop"
        assert section.play_button.accessibleName() == "Stop playing the pattern"
        with qtbot.waitSignal(player.rendered, timeout=20_000) as again:
            section.form.bpm_spin.setValue(120)  # heard while playing: rendered again
        assert again.args[0] == pytest.approx(16 * 30 / 120, abs=1 / SAMPLE_RATE * 2)
        click(qtbot, section.play_button)
        assert player.state == "stopped"
    else:
        assert player.state == "stopped"
        assert player.message == NO_DEVICE_MESSAGE
        assert section.player_label.text() == NO_DEVICE_MESSAGE
        assert section.play_button.text() == "Play"
        assert section.play_button.accessibleName() == "Play the pattern"


def test_loop_device_loops_and_keeps_its_place_when_the_loop_changes() -> None:
    device = LoopDevice()
    device.set_pcm(bytes(range(8)))
    assert device.readData(6) == bytes([0, 1, 2, 3, 4, 5])
    assert device.readData(6) == bytes([6, 7, 0, 1, 2, 3])
    assert device.position() == 4
    device.set_pcm(bytes(range(16)))  # halfway through the old loop -> halfway through the new one
    assert device.position() == 8
    assert device.readData(4) == bytes([8, 9, 10, 11])
    assert device.readData(3) == bytes([12, 13])  # whole 16-bit samples only
