"""The offline services: validation in words, relational rules, derived values, undoable deletes."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import wave
from pathlib import Path

import pytest
from sqlalchemy import text

from gigbag.app.entity_service import ListQuery
from gigbag.app.errors import NotFound, ValidationFailed
from gigbag.app.goals import standing
from gigbag.app.profile import completion
from gigbag.app.workspace import Workspace


@pytest.fixture
def ws(data_dir: Path) -> Workspace:
    workspace = Workspace.open(data_dir)
    yield workspace
    workspace.close()


def log_count(ws: Workspace) -> int:
    with ws.engine.connect() as c:
        return int(c.execute(text("SELECT count(*) FROM change_log")).scalar() or 0)


def dump(ws: Workspace) -> list[str]:
    conn = sqlite3.connect(ws.paths.database)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def wav(path: Path, seconds: float = 1.0) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * int(8000 * seconds))
    return path


def test_profile_completion_follows_umbrellas_formula() -> None:
    assert completion(None).score == 0
    full_required = {
        "stage_name": "A",
        "location_city": "Oslo",
        "location_state": "Oslo",
        "bio": "b",
        "primary_genre": "Salsa",
        "base_rate_flat": 500,
        "avatar_url": "blob:" + "a" * 64,
    }
    c = completion(full_required)
    assert (c.score, c.complete, c.missing_required) == (70, True, ())
    assert completion({**full_required, "base_rate_flat": 0}).score == 60  # 0 does not count
    assert completion({"stage_name": "A", "tagline": ""}).score == 10
    assert (
        completion(
            {
                **full_required,
                "tagline": "t",
                "website_url": "w",
                "instagram_handle": "i",
                "spotify_url": "s",
                "secondary_genres": ["son"],
                "influences": ["x"],
            }
        ).score
        == 100
    )
    assert completion({"stage_name": "A", "bio": "b", "location_city": "c"}).complete is False


def test_profile_is_one_entity_and_server_metrics_are_read_only(ws: Workspace) -> None:
    ws.profile.save({"stage_name": "La Sonora"})
    ws.profile.save({"bio": "Salsa dura from Oslo"})
    assert ws.profile.count() == 1
    assert ws.profile.completion().score == 20
    with pytest.raises(ValidationFailed) as err:
        ws.profile.save({"follower_count": 10_000})
    assert "follower_count" in err.value.errors


def test_bad_input_gets_field_messages_and_changes_nothing(ws: Workspace) -> None:
    ws.goals.create({"title": "Release an EP", "goal_type": "tracks"})
    before, changes = dump(ws), log_count(ws)
    cases = [
        (lambda: ws.patterns.new("Fast", bpm=300), {"bpm": "bpm must be between 80 and 250"}),
        (lambda: ws.patterns.new("Key", key_note=12), {"key_note": "key note must be between 0 and 11"}),
        (lambda: ws.goals.create({"title": "x", "goal_type": "fame"}), None),
        (lambda: ws.goals.create({"title": "", "goal_type": "gigs"}), {"title": "title must not be empty"}),
        (lambda: ws.timeline.create({"title": "Gig", "date": "2025-02-30"}), None),
        (lambda: ws.contact_lists.create({}), {"name": "name is required"}),
        (
            lambda: ws.files.create(
                {
                    "filename": "x",
                    "file_size_bytes": 1,
                    "mime_type": "a/b",
                    "blob_sha256": "a" * 64,
                    "folder_id": "nope",
                }
            ),
            None,
        ),
    ]
    for call, expected in cases:
        with pytest.raises(ValidationFailed) as err:
            call()
        if expected is not None:
            assert err.value.errors == expected
        assert all(isinstance(m, str) and m for m in err.value.errors.values())
    assert dump(ws) == before and log_count(ws) == changes


def test_folders_cannot_be_moved_into_themselves(ws: Workspace) -> None:
    top = ws.folders.create({"name": "Press"})
    mid = ws.folders.create({"name": "2025", "parent_folder_id": top.id})
    low = ws.folders.create({"name": "Summer", "parent_folder_id": mid.id})
    with pytest.raises(ValidationFailed, match="cannot be moved into itself"):
        ws.folders.move(top.id, top.id)
    with pytest.raises(ValidationFailed, match="own subfolders"):
        ws.folders.move(top.id, low.id)
    ws.folders.move(low.id, None)
    assert [f.name for f in ws.folders.path(mid.id)] == ["Press", "2025"]


def test_moving_a_track_rewrites_only_that_track(ws: Workspace, tmp_path: Path) -> None:
    tracks = [ws.tracks.add_from_file(wav(tmp_path / f"song {i}.wav", 0.5)) for i in range(5)]
    assert [t.title for t in ws.tracks.list()] == [f"song {i}" for i in range(5)]
    assert tracks[0].duration_seconds == pytest.approx(0.5, abs=0.01)
    before = log_count(ws)
    ws.tracks.move_to_row(tracks[4].id, 1)
    assert [t.title for t in ws.tracks.list()] == ["song 0", "song 4", "song 1", "song 2", "song 3"]
    with ws.engine.connect() as c:
        rows = c.execute(text("SELECT entity_type, entity_id FROM change_log WHERE id > :b"), {"b": before}).all()
    assert rows == [("tracks", tracks[4].id)]


def test_a_non_audio_file_is_not_a_track(ws: Workspace, tmp_path: Path) -> None:
    doc = tmp_path / "rider.pdf"
    doc.write_bytes(b"%PDF-1.4")
    with pytest.raises(ValidationFailed, match="not an audio file"):
        ws.tracks.add_from_file(doc)
    assert ws.tracks.count() == 0 and ws.files.count() == 0


def test_a_file_used_as_track_audio_cannot_be_deleted(ws: Workspace, tmp_path: Path) -> None:
    track = ws.tracks.add_from_file(wav(tmp_path / "a.wav"))
    with pytest.raises(ValidationFailed, match="delete the track first"):
        ws.files.delete(track.audio_file_id)


def test_goal_percent_days_left_and_overdue(ws: Workspace) -> None:
    goal = ws.goals.create({"title": "50 gigs", "goal_type": "gigs", "target_value": 50, "target_date": "2030-01-11"})
    ws.progress.record(goal.id, 10, "spring")
    ws.progress.record(goal.id, 5)
    goal = ws.goals.get(goal.id)
    s = standing(goal, today=dt.date(2030, 1, 1))
    assert (s.percent, s.days_left, s.overdue) == (30.0, 10, False)
    assert standing(goal, today=dt.date(2030, 2, 1)).overdue
    assert [p.value for p in ws.progress.history(goal.id)] == [10, 5]
    done = ws.goals.set_status(goal.id, "completed")
    assert done.completed and not standing(done, today=dt.date(2030, 2, 1)).overdue
    with pytest.raises(ValidationFailed, match="append-only"):
        ws.progress.update(ws.progress.history(goal.id)[0].id, {"value": 1})


def test_patterns_fork_and_configuration_json(ws: Workspace) -> None:
    original = ws.patterns.new("Son montuno", "Salsa")
    assert (original.bpm, original.key_note) == (180, 0)
    fork = ws.patterns.fork(original.id)
    assert fork.original_pattern_id == original.id and fork.configuration == original.configuration
    config = json.loads(ws.patterns.export_configuration(original.id))
    config["instruments"][0]["volume"] = 0.5
    updated = ws.patterns.import_configuration(original.id, json.dumps(config))
    assert updated.configuration["instruments"][0]["volume"] == 0.5
    with pytest.raises(ValidationFailed, match="not valid JSON"):
        ws.patterns.import_configuration(original.id, "{nope")
    bad = {"instruments": [{"id": "tuba", "enabled": True, "activeProgram": 0, "volume": 1, "pitchOffset": 0}]}
    with pytest.raises(ValidationFailed, match="no instrument 'tuba'"):
        ws.patterns.import_configuration(original.id, json.dumps(bad))
    merengue = ws.patterns.set_flavor(fork.id, "Merengue")
    assert {i["id"] for i in merengue.configuration["instruments"]} >= {"guira", "tambora"}
    ws.patterns.delete(original.id)
    assert ws.patterns.get(fork.id).original_pattern_id is None


def test_contacts_csv_is_all_or_nothing(ws: Workspace) -> None:
    fans = ws.contact_lists.create({"name": "Fans"})
    assert ws.contacts.import_csv(fans.id, "name,email,opted_in_sms\nAna,ana@example.org,no\nBo,,yes\n") == 2
    before = dump(ws)
    with pytest.raises(ValidationFailed) as err:
        ws.contacts.import_csv(fans.id, "name,email\nCy,cy@example.org\nDi,not-an-email\n")
    assert list(err.value.errors) == ["row 3"]
    assert dump(ws) == before
    exported = ws.contacts.export_csv(fans.id)
    assert exported.splitlines()[0] == "name,email,phone,opted_in_email,opted_in_sms"
    assert "Ana,ana@example.org,,yes,no" in exported


def test_delete_returns_a_snapshot_that_restores_everything(ws: Workspace, tmp_path: Path) -> None:
    top = ws.folders.create({"name": "Press"})
    sub = ws.folders.create({"name": "2025", "parent_folder_id": top.id})
    src = tmp_path / "p.png"
    src.write_bytes(b"\x89PNG\r\n\x1a\nabc")
    ws.files.import_file(src, folder_id=sub.id)
    goal = ws.goals.create({"title": "Gigs", "goal_type": "gigs"})
    ws.progress.record(goal.id, 4)
    before = dump(ws)
    snap = ws.folders.delete(top.id)
    assert snap.count == 3
    goal_snap = ws.goals.delete(goal.id)
    assert ws.files.count() == 0 and ws.files.storage().used_bytes == 0
    ws.folders.restore(snap)
    ws.goals.restore(goal_snap)
    # The change log and blob_looks' count of writes to the files (local_db.blob_looks) move on by design.
    moving = ("change_log", "sqlite_sequence", '"blob_looks"')
    after = [line for line in dump(ws) if not any(name in line for name in moving)]
    assert after == [line for line in before if not any(name in line for name in moving)]
    assert ws.goals.get(goal.id).current_value == 4


def test_list_search_paging_and_not_found(ws: Workspace) -> None:
    for i in range(30):
        ws.timeline.create(
            {
                "title": f"Gig {i:02d}" if i % 3 else f"Release {i:02d}",
                "date": f"2025-01-{i % 28 + 1:02d}",
                "entry_type": "gig" if i % 3 else "release",
            }
        )
    assert ws.timeline.count() == 30
    assert ws.timeline.count(search="release") == 10
    assert ws.timeline.count(filters={"entry_type": "gig"}) == 20
    page = ws.timeline.list(ListQuery(order_by=("title",), offset=5, limit=5))
    assert [e.title for e in page] == sorted(e.title for e in ws.timeline.list())[5:10]
    assert ws.timeline.count(search="100%_") == 0
    with pytest.raises(NotFound):
        ws.timeline.get("00000000-0000-4000-8000-000000000000")


def test_data_dir_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gigbag.app.paths import resolve_paths

    monkeypatch.setenv("GIGBAG_DATA_DIR", str(tmp_path / "env"))
    assert resolve_paths().data == (tmp_path / "env").resolve()
    assert resolve_paths(tmp_path / "flag").data == (tmp_path / "flag").resolve()
    monkeypatch.delenv("GIGBAG_DATA_DIR")
    assert "gigbag" in str(resolve_paths().data).lower()
