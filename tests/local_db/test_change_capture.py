"""Every local write records its change in the same transaction; server-applied writes do not."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from gigbag.app.errors import ValidationFailed
from gigbag.app.workspace import Workspace
from gigbag.local_db.change_capture import applying_server_changes
from gigbag.local_db.database import transaction
from gigbag.local_db.models import ContactList


def changes(ws: Workspace) -> list[tuple[str, str, str]]:
    with ws.engine.connect() as c:
        return [tuple(r) for r in c.execute(text("SELECT entity_type, entity_id, op FROM change_log ORDER BY id"))]


@pytest.fixture
def ws(data_dir: Path) -> Workspace:
    workspace = Workspace.open(data_dir)
    yield workspace
    workspace.close()


def test_create_update_delete_record_one_change_each(ws: Workspace) -> None:
    lst = ws.contact_lists.create({"name": "Fans"})
    assert changes(ws) == [("contact_lists", lst.id, "upsert")]
    ws.contact_lists.update(lst.id, {"description": "Oslo fans"})
    assert changes(ws)[-1] == ("contact_lists", lst.id, "upsert")
    assert len(changes(ws)) == 2
    ws.contact_lists.delete(lst.id)
    assert changes(ws)[-1] == ("contact_lists", lst.id, "delete")
    assert len(changes(ws)) == 3


def test_update_without_a_difference_records_nothing(ws: Workspace) -> None:
    lst = ws.contact_lists.create({"name": "Fans"})
    ws.contact_lists.update(lst.id, {"name": "Fans"})
    assert len(changes(ws)) == 1


def test_cascade_deletes_are_recorded(ws: Workspace, tmp_path: Path) -> None:
    top = ws.folders.create({"name": "Press"})
    sub = ws.folders.create({"name": "2025", "parent_folder_id": top.id})
    src = tmp_path / "photo.png"
    src.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 10)
    photo = ws.files.import_file(src, folder_id=sub.id)
    before = len(changes(ws))
    ws.folders.delete(top.id)
    deleted = set(changes(ws)[before:])
    assert deleted == {("folders", top.id, "delete"), ("folders", sub.id, "delete"), ("files", photo.id, "delete")}


def test_set_null_by_cascade_is_recorded(ws: Workspace, tmp_path: Path) -> None:
    audio = tmp_path / "a.wav"
    audio.write_bytes(b"RIFF\x00\x00\x00\x00WAVE" + b"\0" * 30)
    cover_src = tmp_path / "c.png"
    cover_src.write_bytes(b"\x89PNG\r\n\x1a\n")
    track = ws.tracks.add_from_file(audio)
    track = ws.tracks.set_cover(track.id, cover_src)
    before = len(changes(ws))
    ws.files.delete(track.cover_file_id)
    assert ("tracks", track.id, "upsert") in changes(ws)[before:]
    assert ws.tracks.get(track.id).cover_file_id is None


def test_raw_sql_writes_are_captured_too(ws: Workspace) -> None:
    conn = sqlite3.connect(ws.paths.database)
    conn.execute(
        "INSERT INTO contact_lists (id, created_at, updated_at, name) "
        "VALUES ('c1', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', 'Raw')"
    )
    conn.commit()
    conn.close()
    assert changes(ws) == [("contact_lists", "c1", "upsert")]


def test_server_applied_writes_are_not_local_edits(ws: Workspace) -> None:
    with transaction(ws.engine) as s, applying_server_changes(s):
        s.add(ContactList(id="c2", created_at="2025-01-01T00:00:00Z", updated_at="2025-01-01T00:00:00Z", name="Pulled"))
    assert changes(ws) == []
    ws.contact_lists.update("c2", {"name": "Edited here"})
    assert changes(ws) == [("contact_lists", "c2", "upsert")]


def test_a_failed_write_records_nothing_and_leaves_content_unchanged(ws: Workspace) -> None:
    ws.patterns.new("Groove")
    conn = sqlite3.connect(ws.paths.database)
    before = list(conn.iterdump())
    with pytest.raises(ValidationFailed) as err:
        ws.patterns.new("Too fast", bpm=300)
    assert err.value.errors == {"bpm": "bpm must be between 80 and 250"}
    with pytest.raises(ValidationFailed) as err:
        ws.patterns.new("", key_note=12)
    assert set(err.value.errors) == {"title", "key_note"}
    assert list(conn.iterdump()) == before


def test_goal_progress_sums_into_current_value_without_touching_the_goal(ws: Workspace) -> None:
    goal = ws.goals.create({"title": "Gigs", "goal_type": "gigs", "target_value": 10})
    before = len(changes(ws))
    ws.progress.record(goal.id, 2, "weekend")
    ws.progress.record(goal.id, 3)
    assert ws.goals.get(goal.id).current_value == 5
    assert [c[0] for c in changes(ws)[before:]] == ["goal_progress", "goal_progress"]
