"""Applying server versions to a real local database, page by page: parents that come later,
tombstones that take rows along, orphans, and local edits that must never be lost.

The server side here is just data (versions as a pull page carries them), so each situation can
be set up exactly; the same paths run against a real server in test_engine.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from gigbag.app.workspace import Workspace
from gigbag.local_db.change_capture import applying_server_changes
from gigbag.local_db.database import transaction
from gigbag.schema.canonical import checksum
from gigbag.schema.entities import validate_data
from gigbag.sync.incoming import ApplyReport, apply_pulled, settle_incoming
from gigbag.sync.local_store import Key, LocalState, Version

NOW = "2025-03-01T12:00:00Z"
SHA = "ab" * 32
seq_counter = iter(range(1, 10_000))


def uid() -> str:
    return str(uuid.uuid4())


def live(entity_type: str, **data: Any) -> Version:
    full = validate_data(entity_type, {"created_at": NOW, "updated_at": NOW, **data})
    return Version(full, checksum(full), False, next(seq_counter))


def tombstone() -> Version:
    return Version(None, None, True, next(seq_counter))


def file_data(folder_id: str | None = None, name: str = "a.png") -> dict[str, Any]:
    return {
        "filename": name,
        "file_size_bytes": 10,
        "mime_type": "image/png",
        "blob_sha256": SHA,
        "folder_id": folder_id,
    }


@pytest.fixture
def ws(data_dir: Path) -> Iterator[Workspace]:
    workspace = Workspace.open(data_dir)
    yield workspace
    workspace.close()


def page(ws: Workspace, changes: list[tuple[Key, Version]], report: ApplyReport) -> None:
    with transaction(ws.engine) as s:
        s.execute(text("PRAGMA defer_foreign_keys=ON"))
        with applying_server_changes(s):
            apply_pulled(LocalState(s), changes, report)


def settle(ws: Workspace, report: ApplyReport) -> None:
    with transaction(ws.engine) as s:
        s.execute(text("PRAGMA defer_foreign_keys=ON"))
        with applying_server_changes(s):
            settle_incoming(LocalState(s), report)


def pending(ws: Workspace) -> set[tuple[str, str, str]]:
    with ws.engine.connect() as c:
        return {tuple(r) for r in c.execute(text("SELECT entity_type, entity_id, op FROM change_log"))}  # type: ignore[misc]


def test_a_child_whose_parent_comes_in_a_later_page_waits_then_arrives(ws: Workspace) -> None:
    folder, sub, file = uid(), uid(), uid()
    report = ApplyReport()
    page(
        ws,
        [
            (("files", file), live("files", **file_data(sub))),
            (("folders", sub), live("folders", name="Sub", parent_folder_id=folder)),
        ],
        report,
    )
    assert ws.files.find(file) is None and ws.folders.find(sub) is None  # waiting, not broken
    page(ws, [(("folders", folder), live("folders", name="Top"))], report)
    settle(ws, report)
    assert ws.files.get(file).folder_id == sub
    assert ws.folders.get(sub).parent_folder_id == folder
    assert pending(ws) == set() and report.orphans == []


def test_goal_progress_before_its_goal_still_sums_up(ws: Workspace) -> None:
    goal, p1, p2 = uid(), uid(), uid()
    report = ApplyReport()
    page(
        ws,
        [
            (("goal_progress", p1), live("goal_progress", goal_id=goal, value=2, recorded_at=NOW)),
            (("goal_progress", p2), live("goal_progress", goal_id=goal, value=3.5, recorded_at=NOW)),
        ],
        report,
    )
    page(ws, [(("goals", goal), live("goals", title="Gigs"))], report)
    settle(ws, report)
    assert ws.goals.get(goal).current_value == 5.5


def test_a_tombstone_with_unsynced_edits_inside_becomes_a_conflict_and_loses_nothing(
    ws: Workspace, tmp_path: Path
) -> None:
    folder = uid()
    report = ApplyReport()
    page(ws, [(("folders", folder), live("folders", name="Rider"))], report)
    src = tmp_path / "plot.png"
    src.write_bytes(b"\x89PNG\r\n\x1a\n")
    mine = ws.files.import_file(src, folder_id=folder)  # a local edit inside the folder, not synced yet
    page(ws, [(("folders", folder), tombstone())], report)
    settle(ws, report)
    assert ws.folders.find(folder) is not None and ws.files.find(mine.id) is not None
    assert report.new_conflicts == [("folders", folder)]


def test_a_tombstone_takes_along_rows_that_must_go_first_and_settles_the_orphan(ws: Workspace) -> None:
    audio, track = uid(), uid()
    report = ApplyReport()
    page(
        ws,
        [
            (("files", audio), live("files", **file_data(name="song.wav"))),
            (("tracks", track), live("tracks", title="Song", audio_file_id=audio)),
        ],
        report,
    )
    assert ws.tracks.find(track) is not None
    # Another computer deleted the file while a third one still had the track (the server holds both).
    page(ws, [(("files", audio), tombstone())], report)
    settle(ws, report)
    assert ws.files.find(audio) is None and ws.tracks.find(track) is None
    assert ("tracks", track, "delete") in pending(ws)  # the server is told, so every computer ends the same
    assert report.orphans == [("tracks", track)]
    with ws.engine.connect() as c:
        assert c.execute(text("PRAGMA foreign_key_check")).fetchall() == []


def test_a_file_whose_folder_never_comes_moves_to_the_top_level_as_a_local_change(ws: Workspace) -> None:
    gone, file = uid(), uid()
    report = ApplyReport()
    page(ws, [(("files", file), live("files", **file_data(gone)))], report)
    page(ws, [(("folders", gone), tombstone())], report)
    settle(ws, report)
    assert ws.files.get(file).folder_id is None
    assert ("files", file, "upsert") in pending(ws)


def test_a_nullable_reference_to_a_deleted_cover_is_cleared_and_told_to_the_server(ws: Workspace) -> None:
    audio, cover, track = uid(), uid(), uid()
    report = ApplyReport()
    page(
        ws,
        [
            (("files", audio), live("files", **file_data(name="a.wav"))),
            (("files", cover), live("files", **file_data(name="c.png"))),
            (("tracks", track), live("tracks", title="Song", audio_file_id=audio, cover_file_id=cover)),
        ],
        report,
    )
    page(ws, [(("files", cover), tombstone())], report)
    settle(ws, report)
    assert ws.tracks.get(track).cover_file_id is None
    assert ("tracks", track, "upsert") in pending(ws)


def test_the_echo_of_this_devices_own_push_does_not_touch_a_newer_local_edit(ws: Workspace) -> None:
    lst = uid()
    version = live("contact_lists", name="Fans")
    report = ApplyReport()
    page(ws, [(("contact_lists", lst), version)], report)
    ws.contact_lists.update(lst, {"name": "Fans (edited)"})
    page(ws, [(("contact_lists", lst), Version(version.data, version.checksum, False, version.seq + 100))], report)
    settle(ws, report)
    assert ws.contact_lists.get(lst).name == "Fans (edited)"
    assert ("contact_lists", lst, "upsert") in pending(ws)


def test_a_newer_server_version_meets_a_local_edit_and_merges(ws: Workspace) -> None:
    lst = uid()
    report = ApplyReport()
    page(ws, [(("contact_lists", lst), live("contact_lists", name="Fans"))], report)
    ws.contact_lists.update(lst, {"description": "Oslo"})
    page(ws, [(("contact_lists", lst), live("contact_lists", name="Fans 2025"))], report)
    assert ws.contact_lists.get(lst).name == "Fans"  # merged only once the pull is complete
    settle(ws, report)
    merged = ws.contact_lists.get(lst)
    assert (merged.name, merged.description) == ("Fans 2025", "Oslo")
    assert report.merged == 1 and report.to_push == {("contact_lists", lst)}


def test_a_parent_and_its_children_deleted_in_one_page_leave_nothing_waiting(ws: Workspace) -> None:
    lst, members = uid(), [uid() for _ in range(5)]
    report = ApplyReport()
    page(
        ws,
        [(("contact_lists", lst), live("contact_lists", name="Fans"))]
        + [(("contact_list_members", m), live("contact_list_members", list_id=lst, name="x")) for m in members],
        report,
    )
    # The parent's tombstone comes first in the page: its children's must still be taken as tombstones.
    page(
        ws,
        [(("contact_lists", lst), tombstone())] + [(("contact_list_members", m), tombstone()) for m in members],
        report,
    )
    settle(ws, report)
    assert ws.contact_lists.count() == 0 and ws.contacts.count() == 0
    assert report.orphans == [] and pending(ws) == set()
    with ws.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM sync_incoming")).scalar() == 0
        assert c.execute(text("SELECT count(*) FROM sync_base WHERE deleted = 1")).scalar() == 6
