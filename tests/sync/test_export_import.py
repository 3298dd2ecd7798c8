"""The JSON backup: export holds every entity with its id; import validates each one and applies
all of them as local edits, or nothing at all when any is refused."""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from gigbag.app.export_import import (
    ImportFormatError,
    export_document,
    import_document,
    read_document,
    write_export,
)
from gigbag.app.workspace import Workspace


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.open(tmp_path / "source")
    ws.profile.save({"stage_name": "Orquesta Norte", "secondary_genres": ["son", "timba"]})
    ws.preferences.save({"theme": "dark"})
    top = ws.folders.create({"name": "Press"})
    inner = ws.folders.create({"name": "2025", "parent_folder_id": top.id})
    photo = tmp_path / "p.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"1" * 30)
    ws.files.import_file(photo, folder_id=inner.id)
    goal = ws.goals.create({"title": "Gigs", "target_value": 10})
    ws.progress.record(goal.id, 4)
    original = ws.patterns.new("Groove")
    ws.patterns.fork(original.id)
    yield ws
    ws.close()


def dump(ws: Workspace) -> list[str]:
    conn = sqlite3.connect(ws.paths.database)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_export_then_import_restores_every_entity_as_local_edits(source: Workspace, tmp_path: Path) -> None:
    backup = tmp_path / "backup.json"
    counts = write_export(source.engine, backup)
    assert counts["folders"] == 2 and counts["patterns"] == 2 and counts["artists"] == 1
    with Workspace.open(tmp_path / "restored") as restored:
        result = import_document(restored.engine, read_document(backup))
        assert result.applied and result.created == sum(counts.values())
        assert export_document(restored.engine)["entities"] == export_document(source.engine)["entities"]
        assert restored.goals.list()[0].current_value == 4
        with restored.engine.connect() as c:
            logged = c.execute(text("SELECT count(DISTINCT entity_id) FROM change_log")).scalar()
        assert logged == sum(counts.values())  # the next sync pushes them
        again = import_document(restored.engine, read_document(backup))
        assert again.unchanged == sum(counts.values()) and again.created == again.updated == 0


def test_one_refused_entity_is_reported_and_nothing_changes(source: Workspace, tmp_path: Path) -> None:
    document = export_document(source.engine)
    broken = copy.deepcopy(document)
    fork = next(p for p in broken["entities"]["patterns"] if p["data"]["original_pattern_id"])
    fork["data"]["bpm"] = 400  # nothing refers to the fork, so it alone is refused
    broken["entities"]["goals"][0]["data"]["title"] = "Renamed by the import"
    with Workspace.open(tmp_path / "target") as target:
        target.journal.create({"title": "Already here"})
        before = dump(target)
        result = import_document(target.engine, broken)
        assert not result.applied
        assert [(r.entity_type, r.errors) for r in result.refused] == [
            ("patterns", {"bpm": "bpm must be between 80 and 250"})
        ]
        assert dump(target) == before


def test_references_must_resolve_in_the_file_or_on_this_computer(source: Workspace, tmp_path: Path) -> None:
    document = export_document(source.engine)
    document["entities"]["folders"] = [f for f in document["entities"]["folders"] if f["data"]["parent_folder_id"]]
    with Workspace.open(tmp_path / "target") as target:
        result = import_document(target.engine, document)
    refused = {(r.entity_type, next(iter(r.errors))) for r in result.refused}
    # The inner folder lost its parent; the file inside it goes with it (it would point at nothing).
    assert refused == {("folders", "parent_folder_id"), ("files", "folder_id")}


def test_a_refused_parent_takes_the_entities_that_refer_to_it_along(source: Workspace, tmp_path: Path) -> None:
    document = export_document(source.engine)
    original = next(p for p in document["entities"]["patterns"] if not p["data"]["original_pattern_id"])
    original["data"]["key_note"] = 12
    with Workspace.open(tmp_path / "target") as target:
        result = import_document(target.engine, document)
        assert target.patterns.count() == 0
    assert sorted((r.entity_type, next(iter(r.errors))) for r in result.refused) == [
        ("patterns", "key_note"),
        ("patterns", "original_pattern_id"),
    ]


def test_what_is_not_an_export_is_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"hello": 1}')
    with pytest.raises(ImportFormatError):
        read_document(path)
    path.write_text("not json")
    with pytest.raises(ImportFormatError):
        read_document(path)
