"""The Files section: a dropped folder keeps its shape, a file's kind can be changed (and undone),
and the tree has one top item, "My files"."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QModelIndex, Qt, QUrl

from gigbag.app.importing import find_files, import_files
from gigbag.ui.sections.files import FilesSection


@pytest.fixture
def section(ctx, qtbot, idle) -> FilesSection:
    s = FilesSection(ctx)
    qtbot.addWidget(s)
    s.resize(1100, 600)
    s.show()
    s.activate()
    idle()
    return s


def press_kit(root: Path) -> Path:
    kit = root / "Press kit"
    (kit / "Photos" / "Live").mkdir(parents=True)
    (kit / "Riders").mkdir()
    (kit / ".cache").mkdir()
    (kit / "bio.txt").write_text("Orquesta Norte plays salsa.")
    (kit / "Photos" / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"c" * 64)
    (kit / "Photos" / "Live" / "stage.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"s" * 64)
    (kit / "Riders" / "rider.pdf").write_bytes(b"%PDF-1.4 rider")
    (kit / ".cache" / "junk.bin").write_bytes(b"hidden")
    return kit


def where_is(ctx) -> dict[str, str]:  # type: ignore[no-untyped-def]
    folders = {f.id: f for f in ctx.workspace.folders.list()}

    def path(folder_id: str | None) -> str:
        parts: list[str] = []
        while folder_id is not None:
            parts.append(folders[folder_id].name)
            folder_id = folders[folder_id].parent_folder_id
        return "/".join(reversed(parts))

    return {f.filename: path(f.folder_id) for f in ctx.workspace.files.list()}


def test_a_dropped_folder_keeps_its_subfolders_and_undo_takes_them_away(section, ctx, idle, tmp_path):
    section.new_folder("Gigs 2026", edit=False)
    idle()
    gigs = ctx.workspace.folders.list()[0]
    kit = press_kit(tmp_path)
    mime = QMimeData()
    # the folder, and a file inside it dropped beside it (imported once, where the folder has it)
    mime.setUrls([QUrl.fromLocalFile(str(kit)), QUrl.fromLocalFile(str(kit / "bio.txt"))])
    target = section.folders.index_for_folder(gigs.id)
    assert section.folders.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, target)
    section.folders.dropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, target)
    idle()
    placed = where_is(ctx)
    assert ctx.workspace.files.count() == 4
    assert placed == {
        "bio.txt": "Gigs 2026/Press kit",  # the dropped folder itself is kept, in the folder dropped on
        "cover.png": "Gigs 2026/Press kit/Photos",
        "stage.png": "Gigs 2026/Press kit/Photos/Live",
        "rider.pdf": "Gigs 2026/Press kit/Riders",
    }
    assert sorted(f.name for f in ctx.workspace.folders.list()) == [
        "Gigs 2026",
        "Live",
        "Photos",
        "Press kit",
        "Riders",
    ]
    assert "junk.bin" not in placed  # hidden folders stay out

    # dropping it again fills the same folders (no "Press kit (2)")
    (kit / "Riders" / "stage-plot.pdf").write_bytes(b"%PDF-1.4 plot")
    section.import_paths([kit / "Riders"], gigs.id)
    idle()
    assert where_is(ctx)["stage-plot.pdf"] == "Gigs 2026/Riders"

    ctx.undo.undo()  # the second import: its file and the folder made for it
    idle()
    assert "stage-plot.pdf" not in where_is(ctx)
    ctx.undo.undo()  # the folder drop: its files and the folders made for them
    idle()
    assert where_is(ctx) == {}
    assert [f.name for f in ctx.workspace.folders.list()] == ["Gigs 2026"]
    ctx.undo.redo()
    idle()
    assert where_is(ctx)["stage.png"] == "Gigs 2026/Press kit/Photos/Live"


def test_the_use_case_without_folders_still_imports_into_one_folder(ctx, tmp_path):  # type: ignore[no-untyped-def]
    kit = press_kit(tmp_path)
    found = {f.path.name: f.folders for f in find_files([kit])}
    assert found == {
        "bio.txt": ("Press kit",),
        "cover.png": ("Press kit", "Photos"),
        "stage.png": ("Press kit", "Photos", "Live"),
        "rider.pdf": ("Press kit", "Riders"),
    }

    class Watcher:
        cancelled = False

        def progress(self, done: int, total: int = 0, text: str = "") -> None:
            pass

    outcome = import_files(ctx.workspace.files, [kit], None, Watcher())
    assert len(outcome.added) == 4 and outcome.folders == [] and ctx.workspace.folders.count() == 0


def test_a_files_kind_can_be_changed_and_undone(section, ctx, idle, tmp_path, qtbot):
    cover = tmp_path / "cover.png"
    cover.write_bytes(b"\x89PNG\r\n\x1a\n" + b"c" * 64)
    flyer = tmp_path / "flyer.png"
    flyer.write_bytes(b"\x89PNG\r\n\x1a\n" + b"f" * 64)
    section.import_paths([cover, flyer], None)
    idle()
    assert {f.category for f in ctx.workspace.files.list()} == {"press_photo"}
    section.table.clearSelection()
    idle()
    assert not section.kind_button.isEnabled()  # nothing selected
    ids = [f.id for f in ctx.workspace.files.list()]
    assert section.select_files(ids)
    idle()
    assert section.kind_button.isEnabled()
    labels = [a.text() for a in section.kind_menu.actions()]
    assert labels == ["Press photo", "Music", "Video", "Document", "Other"]
    next(a for a in section.kind_menu.actions() if a.text() == "Document").trigger()
    idle()
    assert {f.category for f in ctx.workspace.files.list()} == {"document"}
    assert ctx.undo.undoText() == "Mark 2 files as Document"
    kinds = {section.model.index(r, 1).data() for r in range(section.model.rowCount())}
    assert kinds == {"Document"}
    ctx.undo.undo()
    idle()
    assert {f.category for f in ctx.workspace.files.list()} == {"press_photo"}
    ctx.undo.redo()
    idle()
    assert {f.category for f in ctx.workspace.files.list()} == {"document"}


def test_the_tree_has_one_top_item_my_files_showing_every_file(section, ctx, idle, tmp_path):
    section.new_folder("Stems", edit=False)
    idle()
    stems = ctx.workspace.folders.list()[0]
    loose = tmp_path / "loose.txt"
    loose.write_text("x")
    inside = tmp_path / "bass.txt"
    inside.write_text("y")
    section.import_paths([loose], None)
    idle()
    section.import_paths([inside], stems.id)
    idle()
    model = section.folders
    assert model.rowCount(QModelIndex()) == 1
    top = model.index(0, 0, QModelIndex())
    assert model.data(top) == "My files"
    assert [model.data(model.index(r, 0, top)) for r in range(model.rowCount(top))] == ["Stems"]
    section.select_folder(None)
    idle()
    assert section.path_label.text() == "My files"
    assert sorted(section.model.record(r).file.filename for r in range(section.model.rowCount())) == [
        "bass.txt",
        "loose.txt",
    ]
    section.select_folder(stems.id)
    idle()
    assert [section.model.record(r).file.filename for r in range(section.model.rowCount())] == ["bass.txt"]
