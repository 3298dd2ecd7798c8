"""The bulk create of the services: create's rules for every item, one transaction, one change record a row."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from gigbag.app.entity_service import MAX_NAMED_REFUSALS, new_ids, row_data, timestamps
from gigbag.app.errors import ValidationFailed
from gigbag.app.storage_limit import StorageLimitExceeded
from gigbag.app.workspace import Workspace
from gigbag.schema.beat_catalog import catalog
from gigbag.schema.fields import is_uuid


@pytest.fixture
def ws(data_dir: Path) -> Workspace:
    workspace = Workspace.open(data_dir)
    yield workspace
    workspace.close()


SALSA = catalog()["Salsa"].default_configuration()


def change_log(ws: Workspace) -> list[tuple[str, str, str]]:
    with ws.engine.connect() as c:
        return [tuple(r) for r in c.execute(text("SELECT entity_type, entity_id, op FROM change_log ORDER BY id"))]


def dump(ws: Workspace) -> list[str]:
    conn = sqlite3.connect(ws.paths.database)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def gigs(count: int) -> list[dict[str, Any]]:
    return [{"date": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}", "title": f"Gig {i:05d}"} for i in range(count)]


def test_every_item_is_written_with_one_change_record_each(ws: Workspace) -> None:
    ids = ws.timeline.create_many(gigs(2000))
    assert len(ids) == len(set(ids)) == 2000 and all(is_uuid(i) for i in ids)
    assert change_log(ws) == [("timeline_entries", i, "upsert") for i in ids]
    rows = {r.id: r for r in ws.timeline.list()}
    assert [rows[i].title for i in ids] == [f"Gig {i:05d}" for i in range(2000)]
    assert all(rows[i].entry_type == "other" for i in ids)  # the schema's default, as create gives it
    # Creation times are distinct and follow the items' order, as if they were made one by one.
    stamps = [rows[i].created_at for i in ids]
    assert stamps == sorted(stamps) and len(set(stamps)) == 2000
    assert all(rows[i].updated_at == rows[i].created_at for i in ids)
    assert ws.timeline.create_many([]) == [] and len(change_log(ws)) == 2000


def test_a_bad_item_in_the_middle_names_itself_and_nothing_is_written(ws: Workspace) -> None:
    ws.timeline.create({"date": "2026-01-01", "title": "Already here"})
    before, log_before = dump(ws), change_log(ws)
    items = gigs(1000)
    items[500] = {"date": "2026-02-30", "title": "Bad date"}
    items[700] = {"date": "2026-03-01", "title": ""}
    with pytest.raises(ValidationFailed) as err:
        ws.timeline.create_many(items)
    assert list(err.value.errors) == ["timeline entry 501", "timeline entry 701"]
    assert "date" in err.value.errors["timeline entry 501"]
    assert "title" in err.value.errors["timeline entry 701"]
    assert "timeline entry 701: title" in str(err.value)
    assert dump(ws) == before and change_log(ws) == log_before


def test_a_relational_refusal_is_named_and_nothing_is_written(ws: Workspace) -> None:
    fans = ws.contact_lists.create({"name": "Fans"})
    before = dump(ws)
    items: list[dict[str, Any]] = [{"list_id": fans.id, "name": f"Fan {i}"} for i in range(300)]
    items[120] = {"list_id": fans.id, "email": "not-an-email"}
    items[250] = {"list_id": "0b0d2c4e-0000-4000-8000-000000000000", "name": "Nobody's"}
    with pytest.raises(ValidationFailed) as err:
        ws.contacts.create_many(items, where=lambda i: f"row {i + 2}")
    assert err.value.errors == {
        "row 122": "email: 'not-an-email' is not an email address",
        "row 252": "list id: the contact list does not exist",
    }
    assert dump(ws) == before


def test_rows_of_one_batch_may_refer_to_each_other_in_any_order(ws: Workspace) -> None:
    top, middle, leaf = new_ids(3)
    ids = ws.folders.create_many(
        [
            {"name": "Leaf", "parent_folder_id": middle},
            {"name": "Middle", "parent_folder_id": top},
            {"name": "Top"},
        ],
        ids=[leaf, middle, top],
    )
    assert ids == [leaf, middle, top]
    assert [f.name for f in ws.folders.path(leaf)] == ["Top", "Middle", "Leaf"]
    with pytest.raises(ValidationFailed) as err:
        ws.folders.create_many([{"name": "Orphan", "parent_folder_id": new_ids(1)[0]}])
    assert err.value.errors == {"folder 1": "parent folder id: the destination folder does not exist"}


def test_given_ids_that_repeat_or_exist_are_refused(ws: Workspace) -> None:
    (taken,) = ws.timeline.create_many(gigs(1))
    fresh = new_ids(1)[0]
    before = dump(ws)
    with pytest.raises(ValidationFailed) as err:
        ws.timeline.create_many(gigs(3), ids=[fresh, fresh, taken])
    assert err.value.errors == {
        "timeline entry 2": "has the same id as timeline entry 1",
        "timeline entry 3": "this timeline entry already exists",
    }
    assert dump(ws) == before


def audio(ws: Workspace, count: int) -> list[str]:
    return ws.files.create_many(
        [
            {
                "filename": f"take {i}.wav",
                "file_size_bytes": 1000,
                "mime_type": "audio/wav",
                "blob_sha256": f"{i:064x}",
                "category": "music",
            }
            for i in range(count)
        ]
    )


def test_read_only_fields_are_refused_per_item(ws: Workspace) -> None:
    a, b = audio(ws, 2)
    with pytest.raises(ValidationFailed) as err:
        ws.tracks.create_many([{"title": "A", "audio_file_id": a}, {"title": "B", "plays": 10, "audio_file_id": b}])
    assert list(err.value.errors) == ["track 2"] and "plays" in err.value.errors["track 2"]


def test_at_most_fifty_refusals_are_named_and_the_rest_counted(ws: Workspace) -> None:
    with pytest.raises(ValidationFailed) as err:
        ws.timeline.create_many([{"date": "nope", "title": "x"}] * (MAX_NAMED_REFUSALS + 10))
    assert len(err.value.errors) == MAX_NAMED_REFUSALS + 1
    assert err.value.errors["__root__"] == "and 10 more are refused too"


def test_the_storage_limit_counts_the_whole_batch(ws: Workspace) -> None:
    with ws.engine.begin() as c:
        c.execute(text("UPDATE storage_quotas SET limit_bytes = 2500 WHERE id = 1"))
    before = dump(ws)

    def file(i: int) -> dict[str, Any]:
        return {
            "filename": f"take {i}.wav",
            "file_size_bytes": 1000,
            "mime_type": "audio/wav",
            "blob_sha256": f"{i:064x}",
            "category": "music",
        }

    with pytest.raises(StorageLimitExceeded):  # each fits alone; the three do not
        ws.files.create_many([file(i) for i in range(3)])
    assert dump(ws) == before
    assert len(ws.files.create_many([file(i) for i in range(2)])) == 2
    assert ws.files.storage().used_bytes == 2000


def test_per_service_rules_of_create_apply(ws: Workspace) -> None:
    a, b, c, d = audio(ws, 4)
    first = ws.tracks.create({"title": "Opener", "audio_file_id": a})
    ids = ws.tracks.create_many(
        [
            {"title": "Second", "audio_file_id": b},
            {"title": "Third", "audio_file_id": c},
            {"title": "Pinned", "display_order": "Zz", "audio_file_id": d},
        ]
    )
    ordered = [t.title for t in ws.tracks.list(order_by=("display_order",))]
    assert ordered == ["Pinned", "Opener", "Second", "Third"] and first.display_order > "Zz"
    assert len(ids) == 3
    done, active = ws.goals.create_many([{"title": "Done", "status": "completed"}, {"title": "Going"}])
    assert ws.goals.get(done).completed is True and ws.goals.get(active).completed is False
    groove = {"title": "Groove", "flavor": "Salsa", "bpm": 190, "configuration": SALSA}
    (pattern,) = ws.patterns.create_many([groove])
    assert ws.patterns.get(pattern).is_public is False  # the service's default
    goal = ws.goals.get(active)
    ws.progress.create_many([{"goal_id": goal.id, "value": 2, "recorded_at": s} for s in timestamps(3)])
    assert ws.goals.get(active).current_value == 6  # the derived value's trigger ran for each row


@pytest.mark.parametrize(
    ("service", "values"),
    [
        ("timeline", {"date": "2026-05-01", "title": "Release", "entry_type": "release", "description": "x"}),
        ("journal", {"title": "Idea", "content": [{"type": "text", "text": "la noche"}], "entry_type": "song_idea"}),
        ("goals", {"title": "Earn", "goal_type": "earnings", "target_value": 100.5, "target_date": "2027-01-01"}),
        ("patterns", {"title": "P", "flavor": "Salsa", "bpm": 180, "key_note": 3, "configuration": SALSA}),
        ("profile", {"stage_name": "Marisol", "secondary_genres": ["Son"], "base_rate_flat": 2400}),
    ],
)
def test_a_bulk_created_row_is_the_row_create_makes(ws: Workspace, service: str, values: dict[str, Any]) -> None:
    svc = getattr(ws, service)
    one = svc.create(dict(values)) if service != "profile" else svc.save(dict(values))
    if service == "profile":
        svc.delete(one.id)
    (bulk_id,) = svc.create_many([dict(values)], ids=[one.id] if service == "profile" else None)
    bulk = svc.get(bulk_id)
    skip = {"created_at", "updated_at"}
    entity_type = svc.entity_type
    assert {k: v for k, v in row_data(bulk, entity_type).items() if k not in skip} == {
        k: v for k, v in row_data(one, entity_type).items() if k not in skip
    }
