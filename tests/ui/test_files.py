"""The Files section driven through its widgets: folders, imports, moves by drag and drop, delete, undo."""

from __future__ import annotations

import datetime as dt
import math
import struct
import wave
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QMimeData, QModelIndex, Qt, QUrl
from PySide6.QtGui import QColor, QImage

from gigbag.app.entity_service import ListQuery
from gigbag.ui.sections.files import FilesSection
from gigbag.ui.widgets import confirm
from gigbag.ui.widgets.file_list import FileModel
from gigbag.ui.widgets.folder_tree import FILE_MIME, FolderTreeModel


def write_png(path: Path) -> Path:
    img = QImage(32, 32, QImage.Format.Format_RGB32)
    img.fill(QColor("#2e86c1"))
    assert img.save(str(path))
    return path


def write_wav(path: Path, seconds: float = 0.5) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"".join(struct.pack("<h", int(6000 * math.sin(i / 5))) for i in range(int(8000 * seconds))))
    return path


@pytest.fixture
def section(ctx, qtbot, idle) -> FilesSection:
    s = FilesSection(ctx)
    qtbot.addWidget(s)
    s.resize(1100, 700)
    s.show()
    s.activate()
    idle()
    return s


def names(section: FilesSection) -> list[str]:
    return sorted(section.model.record(r).file.filename for r in range(section.model.rowCount()))


def folder_names(ctx) -> list[str]:
    return sorted(f.name for f in ctx.workspace.folders.list())


def test_fresh_files_section_is_friendly_and_shows_the_quota(section):
    assert section.list_stack.currentWidget() is section.empty
    assert section.empty.title_label.text() == "Your files"
    assert section.storage_label.text() == "0 bytes of 50 GB used"


def test_import_into_a_folder_filter_by_category_and_undo(section, ctx, idle, tmp_path):
    section.new_folder("Press kit", edit=False)
    idle()
    folder = ctx.workspace.folders.list()[0]
    section.select_folder(folder.id)
    idle()
    assert section.path_label.text() == "My files › Press kit"
    doc = tmp_path / "rider.pdf"
    doc.write_bytes(b"%PDF-1.4 stage rider")
    section.import_paths([write_png(tmp_path / "photo.png"), doc], section.target_folder())
    idle()
    assert names(section) == ["photo.png", "rider.pdf"]
    assert {f.folder_id for f in ctx.workspace.files.list()} == {folder.id}
    assert section.storage_label.text().endswith("of 50 GB used")
    section.category.setCurrentIndex(section.category.findData("press_photo"))
    idle()
    assert names(section) == ["photo.png"]
    section.category.setCurrentIndex(0)
    idle()
    ctx.undo.undo()  # the import
    idle()
    assert ctx.workspace.files.count() == 0
    assert section.model.rowCount() == 0
    ctx.undo.redo()
    idle()
    assert names(section) == ["photo.png", "rider.pdf"]


def test_files_dropped_from_the_desktop_land_in_the_folder_dropped_on(section, ctx, idle, tmp_path):
    section.new_folder("Stems", edit=False)
    idle()
    stems = ctx.workspace.folders.list()[0]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(write_wav(tmp_path / "bass.wav")))])
    target = section.folders.index_for_folder(stems.id)
    assert section.folders.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, target)
    section.folders.dropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, target)
    idle()
    (f,) = ctx.workspace.files.list()
    assert (f.filename, f.folder_id, f.category) == ("bass.wav", stems.id, "music")
    # dropping on the file list imports into the folder shown (all files: the top level)
    mime2 = QMimeData()
    mime2.setUrls([QUrl.fromLocalFile(str(write_png(tmp_path / "flyer.png")))])
    section.model.dropMimeData(mime2, Qt.DropAction.CopyAction, -1, -1, QModelIndex())
    idle()
    flyer = next(f for f in ctx.workspace.files.list() if f.filename == "flyer.png")
    assert flyer.folder_id is None


def test_move_files_and_folders_by_drag_and_drop_and_undo(section, ctx, idle, tmp_path):
    section.new_folder("Photos", edit=False)
    section.new_folder("Archive", edit=False)
    idle()
    photos = next(f for f in ctx.workspace.folders.list() if f.name == "Photos")
    archive = next(f for f in ctx.workspace.folders.list() if f.name == "Archive")
    section.import_paths([write_png(tmp_path / "live.png")], None)
    idle()
    model = section.model
    data = model.mimeData([model.index(0, 0)])
    assert data.hasFormat(FILE_MIME)
    section.folders.dropMimeData(data, Qt.DropAction.MoveAction, -1, 0, section.folders.index_for_folder(photos.id))
    idle()
    assert ctx.workspace.files.list()[0].folder_id == photos.id
    # move the Photos folder into Archive
    tree = section.folders
    fdata = tree.mimeData([tree.index_for_folder(photos.id)])
    assert not tree.canDropMimeData(fdata, Qt.DropAction.MoveAction, -1, 0, tree.index_for_folder(photos.id))
    tree.dropMimeData(fdata, Qt.DropAction.MoveAction, -1, 0, tree.index_for_folder(archive.id))
    idle()
    assert ctx.workspace.folders.get(photos.id).parent_folder_id == archive.id
    assert section.folders.path_text(photos.id) == "My files › Archive › Photos"
    # Archive cannot go into its own subfolder
    adata = tree.mimeData([tree.index_for_folder(archive.id)])
    assert not tree.canDropMimeData(adata, Qt.DropAction.MoveAction, -1, 0, tree.index_for_folder(photos.id))
    ctx.undo.undo()
    idle()
    assert ctx.workspace.folders.get(photos.id).parent_folder_id is None
    ctx.undo.undo()
    idle()
    assert ctx.workspace.files.list()[0].folder_id is None


def test_rename_in_place_and_refused_names(section, ctx, idle, tmp_path):
    section.import_paths([write_png(tmp_path / "img_0042.png")], None)
    section.new_folder("Riders", edit=False)
    idle()
    index = section.model.index(0, 0)
    assert section.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    section.model.setData(index, "Live at Lincoln Center.png")
    idle()
    assert names(section) == ["Live at Lincoln Center.png"]
    section.model.setData(section.model.index(0, 0), "   ")
    idle()
    assert section.error_label.text() == "⚠ Filename must not be empty"
    assert names(section) == ["Live at Lincoln Center.png"]
    folder = ctx.workspace.folders.list()[0]
    section.folders.setData(section.folders.index_for_folder(folder.id), "Stage riders")
    idle()
    assert folder_names(ctx) == ["Stage riders"]
    ctx.undo.undo()
    ctx.undo.undo()
    idle()
    assert folder_names(ctx) == ["Riders"]


def test_delete_folder_asks_once_cascades_and_undo_restores(section, ctx, idle, tmp_path):
    section.new_folder("Old flyers", edit=False)
    idle()
    folder = ctx.workspace.folders.list()[0]
    section.select_folder(folder.id)
    idle()
    section.import_paths([write_png(tmp_path / "a.png"), write_png(tmp_path / "b.png")], folder.id)
    idle()
    confirm.set_auto_answer(False)
    section.delete_folder(folder.id)
    idle()
    assert ctx.workspace.folders.count() == 1
    confirm.set_auto_answer(True)
    section.delete_folder(folder.id)
    idle()
    assert ctx.workspace.folders.count() == 0 and ctx.workspace.files.count() == 0
    assert section.current_folder is None
    ctx.undo.undo()
    idle()
    assert folder_names(ctx) == ["Old flyers"]
    assert ctx.workspace.files.count() == 2


def test_delete_files_from_the_list_and_undo(section, ctx, idle, tmp_path):
    section.import_paths([write_png(tmp_path / "x.png"), write_png(tmp_path / "y.png")], None)
    idle()
    section.table.setFocus()
    section.select_files([section.model.id_at(0), section.model.id_at(1)])
    section.delete_selected()
    idle()
    assert ctx.workspace.files.count() == 0
    ctx.undo.undo()
    idle()
    assert names(section) == ["x.png", "y.png"]


def test_a_folder_holding_a_tracks_audio_is_not_deleted(section, ctx, idle, tmp_path):
    section.new_folder("Masters", edit=False)
    idle()
    folder = ctx.workspace.folders.list()[0]
    track = ctx.workspace.tracks.add_from_file(write_wav(tmp_path / "montuno.wav"))
    ctx.workspace.files.move(track.audio_file_id, folder.id)
    section.delete_folder(folder.id)
    idle()
    assert "“Masters” holds “montuno.wav”, the audio of the track “montuno”" in section.error_label.text()
    assert ctx.workspace.folders.count() == 1 and ctx.workspace.files.count() == 1
    assert ctx.undo.count() == 1  # only the new folder


def test_files_not_on_this_computer_are_marked(section, ctx, idle, tmp_path):
    section.import_paths([write_png(tmp_path / "here.png")], None)
    idle()
    # content that only another computer has: a row whose blob is not in this store
    ctx.workspace.files.create(
        {
            "filename": "from-laptop.mov",
            "file_size_bytes": 1234,
            "mime_type": "video/quicktime",
            "blob_sha256": "ab" * 32,
            "category": "video",
        }
    )
    ctx.events.emit_changed("files")
    idle()
    row = section.model.row_of(next(f.id for f in ctx.workspace.files.list() if f.filename == "from-laptop.mov"))
    assert row is not None
    assert section.model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole).startswith("Not on this computer")
    assert section.model.index(row, 0).data(Qt.ItemDataRole.FontRole).italic()
    assert section.missing_label.text() == "1 file not on this computer yet"
    section.select_files([section.model.id_at(row)])
    assert not section.open_button.isEnabled() and not section.export_button.isEnabled()


def test_open_hands_a_named_copy_to_the_system_and_export_copies(section, ctx, idle, tmp_path, qtbot, monkeypatch):
    section.import_paths([write_png(tmp_path / "Poster.png")], None)
    idle()
    section.select_files([section.model.id_at(0)])
    opened: list[str] = []
    monkeypatch.setattr(
        "gigbag.ui.sections.files.QDesktopServices.openUrl", lambda url: opened.append(url.toLocalFile()) or True
    )
    section.open_selected()
    idle()
    assert len(opened) == 1 and opened[0].endswith("/Poster.png")
    assert Path(opened[0]).read_bytes() == (tmp_path / "Poster.png").read_bytes()
    out = tmp_path / "export" / "copy.png"
    out.parent.mkdir()
    section.export_to(section.model.id_at(0), out)
    idle()
    assert out.read_bytes() == (tmp_path / "Poster.png").read_bytes()


def test_folder_and_file_models_pass_the_model_tester(ctx, idle, tmp_path, qtmodeltester):
    a = ctx.workspace.folders.create({"name": "A"})
    ctx.workspace.folders.create({"name": "B", "parent_folder_id": a.id})
    ctx.workspace.folders.create({"name": "C"})
    ctx.workspace.files.import_file(write_png(tmp_path / "p.png"), folder_id=a.id)
    tree = FolderTreeModel(ctx)
    tree.reload()
    idle()
    assert tree.rowCount() == 1 and tree.rowCount(tree.index(0, 0)) == 2  # "My files" holds A and C
    qtmodeltester.check(tree)
    files = FileModel(ctx)
    files.reload()
    idle()
    qtmodeltester.check(files)
    idle()
    added = [c for c in range(files.columnCount()) if files.headerData(c, Qt.Orientation.Horizontal) == "Added"]
    stored = ctx.workspace.files.list(ListQuery())[0].created_at
    day = dt.datetime.fromisoformat(stored.replace("Z", "+00:00")).astimezone().date()
    # the day as the locale writes it ("1 Dec 2026"), not the stored ISO text
    assert (
        files.index(0, added[0]).data()
        == f"{day.day} {QLocale().monthName(day.month, QLocale.FormatType.ShortFormat)} {day.year}"
    )


def test_files_moving_in_a_sync_are_marked(qtbot, window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The sync controller's transfers reach the Files list: the row says uploading, then goes back."""
    files_section = window.show_section("Files")
    src = tmp_path / "stems.wav"
    src.write_bytes(b"RIFF\x00\x00\x00\x00WAVE" + b"\0" * 64)
    stored = window.ctx.workspace.files.import_file(src)
    window.ctx.events.emit_changed("files")
    model = files_section.model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10_000)
    index = model.index(0, 0)
    assert index.data() == "stems.wav"
    window.sync_ui.controller.transfers_changed.emit({stored.blob_sha256: "up"})
    assert index.data() == "stems.wav · uploading…"
    window.sync_ui.controller.transfers_changed.emit({stored.blob_sha256: "down"})
    assert index.data() == "stems.wav · downloading…"
    window.sync_ui.controller.transfers_changed.emit({})
    assert index.data() == "stems.wav"
