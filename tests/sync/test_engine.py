"""The sync engine against a real server process: push, pull, merge, conflicts, first sync, no-op sync."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from gigbag.local_db.database import read_session
from gigbag.local_db.sync_tables import SyncAccount, SyncBatch
from gigbag.schema.wire import MAX_PULL_LIMIT, MAX_PUSH_CHANGES
from gigbag.sync.errors import MassDeleteRefused, SyncCancelled
from gigbag.sync.progress import CancelToken, ProgressEvent
from gigbag.sync.pull import MassDeletion, refuse_mass_delete

from .conftest import Device, server_entities


def png(tmp_path: Path, name: str, payload: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + payload)
    return path


def pending(device: Device) -> int:
    return device.service.pending_count()


def cursor(device: Device) -> int:
    with read_session(device.ws.engine) as s:
        account = s.get(SyncAccount, 1)
        assert account is not None
        return account.cursor


def pair(server: Any, email: str, make_device: Any) -> tuple[Device, Device]:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    b.login(server, email)
    return a, b


def test_everything_reaches_a_second_computer_files_included(
    server: Any, email: str, make_device: Any, tmp_path: Path
) -> None:
    a, b = pair(server, email, make_device)
    a.ws.profile.save({"stage_name": "Orquesta Norte", "bio": "Salsa from Oslo"})
    press = a.ws.folders.create({"name": "Press"})
    year = a.ws.folders.create({"name": "2025", "parent_folder_id": press.id})
    photo = a.ws.files.import_file(png(tmp_path, "photo.png", b"p" * 5000), folder_id=year.id)
    goal = a.ws.goals.create({"title": "Play 20 gigs", "goal_type": "gigs", "target_value": 20})
    a.ws.progress.record(goal.id, 3, "first three")
    a.ws.progress.record(goal.id, 2)
    a.ws.patterns.fork(a.ws.patterns.new("Groove").id)
    summary = a.sync()
    assert summary.files_up == 1 and summary.open_conflicts == 0 and pending(a) == 0
    got = b.sync()
    assert got.files_down == 1 and got.open_conflicts == 0
    assert b.entities() == a.entities() == server_entities(server, email)
    assert b.ws.goals.get(goal.id).current_value == 5
    copy = b.ws.files.get(photo.id)
    assert b.ws.files.is_available(copy) and b.ws.blobs.verify(copy.blob_sha256)
    assert b.ws.files.storage().used_bytes == a.ws.files.storage().used_bytes


def test_a_no_op_sync_sends_no_push_and_one_pull(server: Any, email: str, make_device: Any, tmp_path: Path) -> None:
    a, b = pair(server, email, make_device)
    for i in range(30):
        a.ws.timeline.create({"date": "2025-05-01", "title": f"Gig {i}", "entry_type": "gig"})
    a.ws.files.import_file(png(tmp_path, "x.png", b"x" * 100))
    a.sync()
    b.sync()
    a.sync()
    for device in (a, b):
        device.requests.clear()
        summary = device.sync()
        assert device.requests == [("GET", "/v1/sync/pull")], device.name
        assert summary.pushed == summary.pulled == summary.push_requests == 0


def test_pushes_are_batched_parents_first_and_pulls_are_paged_with_the_cursor_stored(
    server: Any, email: str, make_device: Any
) -> None:
    a, b = pair(server, email, make_device)
    fans = a.ws.contact_lists.create({"name": "Fans"})
    total = 2 * MAX_PUSH_CHANGES + 151
    a.ws.contacts.create_many([{"list_id": fans.id, "name": f"Fan {i}"} for i in range(total - 1)])
    summary = a.sync()
    pushes = [r for r in a.requests if r == ("POST", "/v1/sync/push")]
    assert summary.push_requests == len(pushes) == 3 and summary.pushed == total
    # its own versions are recorded from the push answers and not pulled back: one empty page
    assert summary.pulled == 0 and summary.pull_requests == 1
    got = b.sync()
    assert got.pull_requests == -(-total // MAX_PULL_LIMIT)  # pages of MAX_PULL_LIMIT, the largest the server gives
    assert cursor(b) == cursor(a) > 0
    assert b.entities() == a.entities()
    # The list (parent) was sent before its members: its seq is the smallest.
    with read_session(a.ws.engine) as s:
        seqs = dict(s.execute(text("SELECT entity_type, min(seq) FROM sync_base GROUP BY entity_type")).all())
        list_seq = s.execute(text("SELECT seq FROM sync_base WHERE entity_type='contact_lists'")).scalar()
    assert list_seq < seqs["contact_list_members"]


def test_an_interrupted_pull_resumes_from_its_cursor_without_gaps(server: Any, email: str, make_device: Any) -> None:
    a, b = pair(server, email, make_device)
    a.ws.timeline.create_many([{"date": "2025-06-01", "title": f"Entry {i}"} for i in range(MAX_PULL_LIMIT + 200)])
    a.sync()
    cancel = CancelToken()

    def stop_after_first_page(event: ProgressEvent) -> None:
        if event.phase == "apply":
            cancel.cancel()

    with pytest.raises(SyncCancelled):
        b.sync(progress=stop_after_first_page, cancel=cancel)
    first = cursor(b)
    assert 0 < first < cursor(a)
    assert b.ws.timeline.count() == MAX_PULL_LIMIT  # one page
    with b.ws.engine.connect() as c:
        assert c.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    b.requests.clear()
    b.sync()
    assert b.requests[0] == ("GET", "/v1/sync/pull")
    assert b.ws.timeline.count() == MAX_PULL_LIMIT + 200
    assert b.entities() == a.entities()


def test_changes_made_during_a_sync_stay_pending(server: Any, email: str, make_device: Any, tmp_path: Path) -> None:
    a, b = pair(server, email, make_device)
    photo = a.ws.files.import_file(png(tmp_path, "p.png", b"y" * 1000))
    lst = a.ws.contact_lists.create({"name": "Fans"})
    edited: list[str] = []

    def edit_while_uploading(event: ProgressEvent) -> None:
        # The batch was read before its files upload: these edits are newer than what it carries.
        if event.phase == "upload" and not edited:
            a.ws.files.rename(photo.id, "renamed during sync.png")
            a.ws.contact_lists.update(lst.id, {"description": "added during sync"})
            edited.append("yes")

    a.sync(progress=edit_while_uploading)
    assert edited
    assert pending(a) >= 2  # both edits wait for the next sync, none was lost or marked as sent
    assert a.ws.files.get(photo.id).filename == "renamed during sync.png"
    b.sync()
    assert b.ws.files.get(photo.id).filename == "p.png"
    a.sync()
    assert pending(a) == 0
    b.sync()
    assert b.ws.files.get(photo.id).filename == "renamed during sync.png"
    assert b.ws.contact_lists.get(lst.id).description == "added during sync"


def test_a_stored_batch_is_resent_first_with_its_key_and_applies_once(
    server: Any, email: str, make_device: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer of a push is lost after the server committed (here: the process "dies" right after
    the request returns; a crash cannot be timed to that instant, the e2e tests kill at random)."""
    a, b = pair(server, email, make_device)
    for i in range(5):
        a.ws.journal.create({"title": f"Idea {i}"})
    from gigbag.sync import client as client_module

    real_push = client_module.SyncClient.push

    class Died(BaseException):
        pass

    def push_then_die(self: Any, key: str, body: bytes, sent: Any = None) -> Any:
        real_push(self, key, body, sent)
        raise Died()

    monkeypatch.setattr(client_module.SyncClient, "push", push_then_die)
    with pytest.raises(Died):
        a.sync()
    monkeypatch.setattr(client_module.SyncClient, "push", real_push)
    with read_session(a.ws.engine) as s:
        stored = list(s.scalars(select(SyncBatch)))
    assert len(stored) == 1 and pending(a) == 5
    a.ws.journal.create({"title": "Written after the crash"})
    a.requests.clear()
    summary = a.sync()
    assert a.requests[0] == ("POST", "/v1/sync/push")
    assert summary.replayed_batches == 1
    assert pending(a) == 0
    b.sync()
    assert b.ws.journal.count() == 6
    # Applied once: the server's sequence grew by one per entity (artist-less account: 6 journal entries).
    assert cursor(b) == 6


def test_first_sync_keeps_both_computers_offline_work_and_merges_the_profile(
    server: Any, email: str, make_device: Any
) -> None:
    a, b = make_device("a"), make_device("b")
    a.ws.profile.save({"stage_name": "Orquesta Norte", "bio": "Written on the laptop"})
    a.ws.preferences.save({"theme": "dark"})
    a.ws.goals.create({"title": "Laptop goal"})
    b.ws.profile.save({"stage_name": "Orquesta Norte", "location_city": "Oslo"})
    b.ws.preferences.save({"default_bpm": 170})
    b.ws.goals.create({"title": "Desktop goal"})
    a.login(server, email, create=True)
    a.sync()
    b.login(server, email)
    assert b.sync().open_conflicts == 0
    a.sync()
    for device in (a, b):
        profile = device.ws.profile.current()
        assert profile is not None
        assert (profile.bio, profile.location_city) == ("Written on the laptop", "Oslo")
        prefs = device.ws.preferences.current()
        assert (prefs.theme, prefs.default_bpm) == ("dark", 170)
        assert sorted(g.title for g in device.ws.goals.list()) == ["Desktop goal", "Laptop goal"]
    assert a.entities() == b.entities() == server_entities(server, email)
    assert len(a.entities()["artists"]) == 1


def test_different_fields_merge_and_the_same_field_is_one_conflict_resolved_per_field(
    server: Any, email: str, make_device: Any
) -> None:
    a, b = pair(server, email, make_device)
    entry = a.ws.journal.create({"title": "Idea", "content": [{"type": "text", "text": "v1"}]})
    a.sync()
    b.sync()
    a.ws.journal.update(entry.id, {"title": "Idea from A", "entry_type": "song_idea"})
    b.ws.journal.update(entry.id, {"title": "Idea from B", "content": [{"type": "text", "text": "v2"}]})
    a.sync()
    summary = b.sync()
    assert summary.open_conflicts == 1
    [conflict] = b.service.conflicts()
    assert conflict.kind == "edited_both"
    assert [(f.name, f.mine, f.theirs) for f in conflict.fields] == [("title", "Idea from B", "Idea from A")]
    mid = b.ws.journal.get(entry.id)
    assert (mid.entry_type, mid.content) == ("song_idea", [{"type": "text", "text": "v2"}])
    assert b.sync().open_conflicts == 1  # it stays until the artist decides; it is not pushed meanwhile
    b.service.resolve(conflict.id, fields={"title": "mine"})
    assert b.sync().open_conflicts == 0
    a.sync()
    for device in (a, b):
        got = device.ws.journal.get(entry.id)
        assert (got.title, got.entry_type, got.content) == (
            "Idea from B",
            "song_idea",
            [{"type": "text", "text": "v2"}],
        )
    assert a.entities() == b.entities() == server_entities(server, email)


@pytest.mark.parametrize("deleted_on", ["first", "second"])
def test_delete_against_edit_is_a_conflict_resolvable_either_way(
    server: Any, email: str, make_device: Any, deleted_on: str
) -> None:
    a, b = pair(server, email, make_device)
    entry = a.ws.timeline.create({"date": "2025-07-01", "title": "Festival"})
    a.sync()
    b.sync()
    deleter, editor = (a, b) if deleted_on == "first" else (b, a)
    deleter.ws.timeline.delete(entry.id)
    editor.ws.timeline.update(entry.id, {"title": "Festival (moved)"})
    first, second = a, b
    first.sync()
    assert second.sync().open_conflicts == 1
    [conflict] = second.service.conflicts()
    assert conflict.kind == ("deleted_there" if second is editor else "deleted_here")
    second.service.resolve(conflict.id, "theirs")
    second.sync()
    first.sync()
    # "theirs" on the second computer is the first computer's side.
    assert (first.ws.timeline.find(entry.id) is not None) == (first is editor)
    assert a.entities() == b.entities() == server_entities(server, email)


def test_a_file_added_to_a_folder_deleted_elsewhere_moves_to_the_top_level_everywhere(
    server: Any, email: str, make_device: Any, tmp_path: Path
) -> None:
    a, b = pair(server, email, make_device)
    c = make_device("c")
    c.login(server, email)
    folder = a.ws.folders.create({"name": "Old"})
    a.sync()
    b.sync()
    c.sync()
    a.ws.folders.delete(folder.id)  # A never saw the file B adds meanwhile
    added = b.ws.files.import_file(png(tmp_path, "late.png", b"l" * 40), folder_id=folder.id)
    a.sync()
    summary = b.sync()
    assert summary.open_conflicts == 0 and summary.orphans == [("files", added.id)]
    c.sync()
    a.sync()
    assert a.entities() == b.entities() == c.entities() == server_entities(server, email)
    for device in (a, b, c):
        assert device.ws.folders.find(folder.id) is None
        moved = device.ws.files.get(added.id)
        assert moved.folder_id is None and device.ws.files.is_available(moved)


@pytest.mark.parametrize("choice", ["mine", "theirs"])
def test_a_folder_deleted_while_a_file_inside_was_edited_elsewhere_is_kept_for_the_artist(
    server: Any, email: str, make_device: Any, tmp_path: Path, choice: str
) -> None:
    a, b = pair(server, email, make_device)
    folder = a.ws.folders.create({"name": "Rider"})
    inside = a.ws.files.import_file(png(tmp_path, "stage.png", b"s" * 50), folder_id=folder.id)
    a.sync()
    b.sync()
    a.ws.folders.delete(folder.id)
    b.ws.files.rename(inside.id, "stage plot v2.png")
    a.sync()
    assert b.sync().open_conflicts == 2
    conflicts = {c.entity_type: c for c in b.service.conflicts()}
    assert conflicts["folders"].kind == conflicts["files"].kind == "deleted_there"
    assert b.ws.files.get(inside.id).filename == "stage plot v2.png"  # nothing unsynced was lost
    b.service.resolve(conflicts["folders"].id, choice)  # type: ignore[arg-type]
    if choice == "mine":
        b.service.resolve(conflicts["files"].id, "mine")
    assert b.service.conflicts() == []
    b.sync()
    a.sync()
    assert a.entities() == b.entities() == server_entities(server, email)
    kept = a.ws.files.find(inside.id)
    if choice == "mine":
        assert kept is not None and kept.filename == "stage plot v2.png" and kept.folder_id == folder.id
    else:
        assert kept is None and a.ws.folders.find(folder.id) is None


def test_a_pull_deleting_most_local_data_asks_first(server: Any, email: str, make_device: Any) -> None:
    a, b = pair(server, email, make_device)
    ids = [a.ws.journal.create({"title": f"Entry {i}"}).id for i in range(6)]
    a.sync()
    b.sync()
    a.ws.journal.delete_many(ids[:4])
    a.sync()
    with pytest.raises(MassDeleteRefused) as refused:
        b.sync(confirm_mass_delete=refuse_mass_delete)
    assert (refused.value.deletions, refused.value.total) == (4, 6)
    assert b.ws.journal.count() == 6
    asked: list[tuple[int, int]] = []
    listed: list[list[tuple[str, str, str]]] = []

    def confirm(deletion: MassDeletion) -> bool:
        asked.append((deletion.deletions, deletion.total))
        listed.append([(i.entity_type, i.label, i.entity_id) for i in deletion.items])
        return True

    b.sync(confirm_mass_delete=confirm)
    assert asked == [(4, 6)] and b.ws.journal.count() == 2
    # the question lists what would go, read from the pages the pull already holds
    assert sorted(listed[0]) == sorted(("journal_entries", f"Entry {i}", ids[i]) for i in range(4))


def test_goal_progress_from_two_computers_is_a_union(server: Any, email: str, make_device: Any) -> None:
    a, b = pair(server, email, make_device)
    goal = a.ws.goals.create({"title": "Gigs", "goal_type": "gigs", "target_value": 10})
    a.sync()
    b.sync()
    a.ws.progress.record(goal.id, 2, "A")
    b.ws.progress.record(goal.id, 3, "B")
    b.ws.goals.update(goal.id, {"title": "Gigs this year"})
    a.sync()
    b.sync()
    a.sync()
    for device in (a, b):
        assert device.ws.goals.get(goal.id).current_value == 5
        assert device.ws.goals.get(goal.id).title == "Gigs this year"
        assert device.service.conflicts() == []


def test_the_local_database_counts_match_after_a_busy_exchange(server: Any, email: str, make_device: Any) -> None:
    a, b = pair(server, email, make_device)
    with read_session(a.ws.engine) as s:
        assert s.scalar(select(func.count()).select_from(SyncBatch)) == 0
    lists = [a.ws.contact_lists.create({"name": f"List {i}"}) for i in range(3)]
    a.sync()
    b.sync()
    b.ws.contact_lists.delete(lists[0].id)
    a.ws.contact_lists.update(lists[1].id, {"name": "Renamed"})
    b.ws.contact_lists.create({"name": "New on B"})
    a.sync()
    b.sync()
    a.sync()
    assert a.entities() == b.entities() == server_entities(server, email)
    assert sorted(x.name for x in a.ws.contact_lists.list()) == ["List 2", "New on B", "Renamed"]


def test_the_summary_says_what_came_from_elsewhere_and_names_the_files(
    server: Any, email: str, make_device: Any, tmp_path: Path
) -> None:
    a, b = pair(server, email, make_device)
    source = tmp_path / "demo take.wav"
    source.write_bytes(b"RIFF" + os.urandom(4000))
    a.ws.files.import_file(source)
    a.ws.journal.create({"title": "Set list"})
    up: list[ProgressEvent] = []
    first = a.sync(progress=up.append)
    # this computer's own changes do not come back in the pull (the push answers recorded them)
    assert first.pushed == 2 and first.pulled == 0 and first.received == 0 and first.unsent == 0
    assert first.uploaded_files == ["demo take.wav"] and first.files_up == 1
    assert {e.name for e in up if e.phase == "upload"} == {"demo take.wav"}
    down: list[ProgressEvent] = []
    second = b.sync(progress=down.append)
    assert second.received == second.pulled == 2 and second.pushed == 0
    assert second.downloaded_files == ["demo take.wav"]
    assert {e.name for e in down if e.phase == "download"} == {"demo take.wav"}
    b.ws.journal.create({"title": "made on b"})
    assert a.sync().received == 0  # nothing new yet
    third = b.sync()
    assert third.pushed == 1 and third.received == 0
    assert a.sync().received == 1
