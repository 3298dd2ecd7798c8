"""Push order (parents first for upserts, children first for deletes) and batch limits."""

from __future__ import annotations

import json
import uuid

import pytest

from gigbag.schema.canonical import checksum
from gigbag.schema.wire import MAX_PUSH_CHANGES, Change
from gigbag.sync.batching import ENVELOPE_BYTES, PlannedChange, change_size, folder_depths, order_changes, split_batches


def uid() -> str:
    return str(uuid.uuid4())


def test_folder_depth_follows_parent_links_and_survives_cycles_and_missing_parents() -> None:
    a, b, c, d, x, y = (uid() for _ in range(6))
    depths = folder_depths({c: b, b: a, a: None, d: "not-here", x: y, y: x})
    assert depths[a] == 0 and depths[b] == 1 and depths[c] == 2
    assert depths[d] == 1  # its parent is not among the folders: it counts as one level down
    assert {depths[x], depths[y]} == {0, 1}


def test_upserts_go_parents_first_and_deletes_children_first() -> None:
    top, inner = uid(), uid()
    f, t, g, p = uid(), uid(), uid(), uid()
    changes = [
        PlannedChange(("tracks", t), "upsert"),
        PlannedChange(("goal_progress", p), "delete"),
        PlannedChange(("folders", inner), "upsert"),
        PlannedChange(("files", f), "upsert"),
        PlannedChange(("goals", g), "delete"),
        PlannedChange(("folders", top), "upsert"),
        PlannedChange(("artists", uid()), "upsert"),
    ]
    ordered = [c.key[0] + ":" + c.op for c in order_changes(changes, {inner: top, top: None})]
    assert ordered == [
        "artists:upsert",
        "folders:upsert",
        "folders:upsert",
        "files:upsert",
        "tracks:upsert",
        "goal_progress:delete",
        "goals:delete",
    ]
    folder_order = [c.key[1] for c in order_changes(changes, {inner: top, top: None}) if c.key[0] == "folders"]
    assert folder_order == [top, inner]
    deletes = [PlannedChange(("folders", top), "delete"), PlannedChange(("folders", inner), "delete")]
    assert [c.key[1] for c in order_changes(deletes, {inner: top, top: None})] == [inner, top]


def _change(size: int = 10) -> Change:
    data = {"created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z", "name": "x" * size}
    return Change(entity_type="contact_lists", entity_id=uid(), op="upsert", data=data, checksum=checksum(data))


def test_batches_hold_at_most_max_push_changes_in_order() -> None:
    changes = [_change() for _ in range(2 * MAX_PUSH_CHANGES + 203)]
    batches = list(split_batches(changes))
    assert [len(b) for b in batches] == [MAX_PUSH_CHANGES, MAX_PUSH_CHANGES, 203]
    assert [c for b in batches for c in b] == changes


def test_batches_stay_under_the_byte_limit() -> None:
    changes = [_change(1000) for _ in range(50)]
    limit = ENVELOPE_BYTES + 10 * change_size(changes[0]) + 5
    batches = list(split_batches(changes, max_bytes=limit))
    assert all(ENVELOPE_BYTES + sum(change_size(c) for c in b) <= limit for b in batches)
    assert [len(b) for b in batches] == [10] * 5


def test_a_change_larger_than_any_batch_is_refused_by_name() -> None:
    big = _change(5000)
    with pytest.raises(ValueError, match=big.entity_id):
        list(split_batches([_change(), big], max_bytes=ENVELOPE_BYTES + 2000))


_DATA_CASES: list[dict[str, object] | None] = [
    None,  # a delete
    {"title": "Gig", "date": "2025-06-01", "venue": None, "paid": True, "fee": 120},
    {"title": 'quotes " and \\ and \n and \x01 and \u2028', "name": "Zoë ✓ 𝄞 (a clef)"},
    {"bpm": 120.0, "ratio": 0.5, "tiny": 1e-05, "big": 1e16, "neg": -0.0},  # floats: RFC 8785 writes some otherwise
    {"tags": ["a", "b"], "nested": {"z": 1, "a": [1.5, None]}},
    {"\U0001d11e key": "astral", "\uffff": "bmp"},  # sort order by code point vs UTF-16
    {"count": 2**53 - 1, "flag": False},
]


@pytest.mark.parametrize("data", _DATA_CASES)
def test_a_change_is_written_as_the_body_writes_it_whatever_its_data(data: dict[str, object] | None) -> None:
    """The body joined from each change's own bytes is exactly ``body_bytes`` of the same document: a
    stored batch is sent again as ``body_bytes`` of what was stored, so the same key brings the same bytes."""
    from gigbag.schema.canonical import canonical_json, checksum_of_canonical
    from gigbag.sync.batching import OutChange, body_bytes, data_json, push_body, wire_change

    changes = []
    for base in (None, "sha256:" + "0" * 64):
        encoded = None if data is None else canonical_json(data)
        digest = None if encoded is None else checksum_of_canonical(encoded)
        op = "delete" if data is None else "upsert"
        change = OutChange(
            "timeline_entries", uid(), op, data, digest, base if data is not None else "sha256:" + "1" * 64
        )
        change.data_json = None if data is None else data_json(data, encoded or b"")
        change.wire = wire_change(change, change.data_json)
        changes.append(change)
    device = uid()
    as_document = {
        "device_id": device,
        "changes": [
            {
                "entity_type": c.entity_type,
                "entity_id": c.entity_id,
                "op": c.op,
                "data": c.data,
                "checksum": c.checksum,
                "base_checksum": c.base_checksum,
            }
            for c in changes
        ],
    }
    body = push_body(device, changes)
    assert body == body_bytes(as_document)
    assert body_bytes(json.loads(body)) == body  # what a resend of the stored text sends
    for c in changes:
        if c.data is not None:
            assert json.loads(c.data_json or b"") == c.data  # the base written from it reads back the same
