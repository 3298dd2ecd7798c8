"""Push and pull, black-box: round trips, tombstones, pages, conflicts, per-entity refusals, limits."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from gigbag.schema.canonical import checksum
from gigbag.schema.wire import (
    MAX_PULL_LIMIT,
    MAX_PULL_PAGE_BYTES,
    MAX_PUSH_BYTES,
    MAX_PUSH_CHANGES,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    PullResponse,
    PushResponse,
)
from tests.server.api_client import Api, contact_list, delete, upsert


def _only(response: dict) -> dict:
    assert len(response["results"]) == 1, response
    return response["results"][0]


def test_push_then_pull_round_trip_on_another_device(api: Api) -> None:
    other = api.other_device()
    data = contact_list("Venues")
    change = upsert(data)
    pushed = api.push([change])
    PushResponse.model_validate(pushed)  # the wire models parse the real answer
    result = _only(pushed)
    assert result["status"] == "applied"
    assert result["checksum"] == checksum(data) and result["seq"] == 1
    assert pushed["cursor"] == 1
    page = other.pull(0)
    PullResponse.model_validate(page)
    assert page == {
        "changes": [
            {
                "entity_type": "contact_lists",
                "entity_id": change["entity_id"],
                "data": data,
                "checksum": checksum(data),
                "deleted": False,
                "seq": 1,
            }
        ],
        "cursor": 1,
        "has_more": False,
    }
    assert other.pull(1) == {"changes": [], "cursor": 1, "has_more": False}
    other.close()


def test_data_is_stored_as_its_canonical_form(api: Api) -> None:
    # Extra spacing, key order and a float written 2.50: the server keeps the values (their canonical form,
    # keys sorted), and the checksum still matches what it serves.
    goal = {
        "updated_at": "2026-01-02T03:04:05Z",
        "title": "Play 20 shows — ½ abroad 🎵",
        "created_at": "2026-01-02T03:04:05Z",
        "target_value": 2.5,
        "goal_type": "gigs",
        "status": "active",
        "completed": False,
        "description": None,
    }
    entity_id = str(uuid.uuid4())
    raw = json.dumps(
        {
            "device_id": api.device_id,
            "changes": [
                {
                    "entity_type": "goals",
                    "entity_id": entity_id,
                    "op": "upsert",
                    "data": goal,
                    "checksum": checksum(goal),
                    "base_checksum": None,
                }
            ],
        },
        indent=3,
    ).replace("2.5", "2.50")
    r = api.http.post(
        "/v1/sync/push",
        content=raw.encode(),
        headers={"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text
    assert _only(r.json())["status"] == "applied"
    pulled = api.pull(0)["changes"][0]
    assert pulled["data"] == goal
    assert list(pulled["data"]) == sorted(goal)  # canonical order, not normalized (no defaults added)
    assert checksum(pulled["data"]) == pulled["checksum"] == checksum(goal)


def test_update_and_delete_need_the_current_checksum_and_leave_a_tombstone(api: Api) -> None:
    first = contact_list("v1")
    change = upsert(first)
    entity_id = change["entity_id"]
    assert _only(api.push([change]))["seq"] == 1
    second = contact_list("v2")
    updated = _only(api.push([upsert(second, entity_id=entity_id, base=checksum(first))]))
    assert updated["status"] == "applied" and updated["seq"] == 2
    deleted = _only(api.push([delete(entity_id, base=checksum(second))]))
    assert deleted == {
        "entity_type": "contact_lists",
        "entity_id": entity_id,
        "status": "applied",
        "checksum": None,
        "seq": 3,
        "server": None,
        "error": None,
        "error_code": None,
        "field_errors": None,
    }
    changes, cursor = api.pull_all()
    assert cursor == 3
    assert changes == [
        {
            "entity_type": "contact_lists",
            "entity_id": entity_id,
            "data": None,
            "checksum": None,
            "deleted": True,
            "seq": 3,
        }
    ]
    # a device that missed the delete gets a conflict showing the tombstone
    stale = _only(api.push([upsert(contact_list("v3"), entity_id=entity_id, base=checksum(second))]))
    assert stale["status"] == "conflict"
    assert stale["server"] == {"data": None, "checksum": None, "deleted": True}
    # deleting again is a no-op; re-creating over the tombstone (base null) applies
    again = _only(api.push([delete(entity_id, base=None)]))
    assert again["status"] == "applied" and again["seq"] == 3
    revived = _only(api.push([upsert(contact_list("v4"), entity_id=entity_id, base=None)]))
    assert revived["status"] == "applied" and revived["seq"] == 4
    assert api.status()["entity_counts"] == {"contact_lists": 1}


def test_conflict_on_a_stale_base_checksum_carries_the_server_version(api: Api) -> None:
    laptop, desktop = api, api.other_device()
    base = contact_list("Original")
    change = upsert(base)
    entity_id = change["entity_id"]
    laptop.push([change])
    mine = contact_list("Laptop edit")
    assert _only(laptop.push([upsert(mine, entity_id=entity_id, base=checksum(base))]))["status"] == "applied"
    theirs = contact_list("Desktop edit")
    result = _only(desktop.push([upsert(theirs, entity_id=entity_id, base=checksum(base))]))
    assert result["status"] == "conflict"
    assert result["checksum"] == checksum(mine) and result["seq"] == 2
    assert result["server"] == {"data": mine, "checksum": checksum(mine), "deleted": False}
    # a conflicting delete is refused alike; a create over an existing entity too
    assert _only(desktop.push([delete(entity_id, base=checksum(base))]))["status"] == "conflict"
    assert _only(desktop.push([upsert(theirs, entity_id=entity_id, base=None)]))["status"] == "conflict"
    # nothing changed on the server
    changes, cursor = desktop.pull_all()
    assert cursor == 2 and changes[0]["data"] == mine
    # a conflict on an entity the server does not have: server is null
    missing = str(uuid.uuid4())
    gone = _only(desktop.push([upsert(theirs, entity_id=missing, base="sha256:" + "a" * 64)]))
    assert gone["status"] == "conflict" and gone["server"] is None and gone["seq"] is None
    desktop.close()


def test_pushing_the_same_content_again_is_a_no_op(api: Api) -> None:
    data = contact_list("Same")
    change = upsert(data)
    api.push([change])
    again = _only(api.push([upsert(data, entity_id=change["entity_id"], base=checksum(data))]))
    assert again["status"] == "applied" and again["seq"] == 1
    assert api.status()["cursor"] == 1


def test_checksum_mismatch_is_refused_per_entity(api: Api) -> None:
    good = upsert(contact_list("Good"))
    bad = upsert(contact_list("Sent"))
    bad["data"] = contact_list("Tampered")  # checksum no longer matches the data
    uppercase = upsert(contact_list("Upper"))
    uppercase["checksum"] = uppercase["checksum"].upper().replace("SHA256:", "sha256:")
    pushed = api.push([good, bad, uppercase])
    statuses = [r["status"] for r in pushed["results"]]
    assert statuses == ["applied", "invalid", "invalid"]
    refused = pushed["results"][1]
    assert refused["error_code"] == "checksum_mismatch"
    assert checksum(contact_list("Tampered")) in refused["error"]
    assert pushed["results"][2]["error_code"] in ("checksum_mismatch", "invalid_change")
    changes, _ = api.pull_all()
    assert [c["entity_id"] for c in changes] == [good["entity_id"]]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (dict(upsert(contact_list()), entity_type="users"), "unknown_entity_type"),
        (dict(upsert(contact_list()), entity_id="not-a-uuid"), "invalid_entity_id"),
        (dict(upsert(contact_list()), entity_id=str(uuid.uuid4()).upper()), "invalid_entity_id"),
        (dict(upsert(contact_list()), data=None), "invalid_change"),
        (dict(upsert(contact_list()), checksum=None), "invalid_change"),
        (dict(upsert(contact_list()), checksum="md5:abc"), "invalid_change"),
        (dict(upsert(contact_list()), base_checksum="nope"), "invalid_change"),
        (dict(delete(str(uuid.uuid4()), None), data=contact_list()), "invalid_change"),
        (upsert(contact_list(name="")), "invalid_data"),
        (upsert(contact_list(unknown_field=1)), "invalid_data"),
        (upsert({"name": "no timestamps"}), "invalid_data"),
        (upsert(contact_list(), entity_type="goals"), "invalid_data"),
    ],
)
def test_invalid_changes_are_refused_with_a_reason_and_the_rest_applies(api: Api, change: dict, code: str) -> None:
    ok = upsert(contact_list("fine"))
    pushed = api.push([change, ok])
    refused, applied = pushed["results"]
    assert refused["status"] == "invalid" and refused["error_code"] == code, refused
    assert refused["error"] and refused["seq"] is None
    assert refused["entity_type"] == change["entity_type"] and refused["entity_id"] == change["entity_id"]
    assert applied["status"] == "applied"
    assert pushed["cursor"] == 1


def test_invalid_data_names_the_fields(api: Api) -> None:
    goal = {
        "created_at": "2026-01-02T03:04:05Z",
        "updated_at": "yesterday",
        "title": "",
        "goal_type": "fame",
        "status": "active",
        "completed": False,
    }
    result = _only(api.push([upsert(goal, entity_type="goals")]))
    assert result["status"] == "invalid" and result["error_code"] == "invalid_data"
    assert set(result["field_errors"]) == {"updated_at", "title", "goal_type"}


def test_data_that_cannot_be_canonical_json_is_invalid(api: Api) -> None:
    entity_id = str(uuid.uuid4())
    data = (
        '{"created_at": "2026-01-02T03:04:05Z", "updated_at": "2026-01-02T03:04:05Z", "title": "x",'
        ' "target_value": NaN}'
    )
    raw = (
        f'{{"device_id": "{api.device_id}", "changes": [{{"entity_type": "goals", "entity_id": "{entity_id}",'
        f' "op": "upsert", "data": {data}, "checksum": "sha256:{"0" * 64}"}}]}}'
    )
    r = api.http.post(
        "/v1/sync/push",
        content=raw,
        headers={"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text
    assert _only(r.json())["status"] == "invalid"
    huge = upsert(contact_list(), entity_type="goals")
    huge["data"] = {**contact_list(), "title": "x", "target_value": 2**70}
    huge["data"].pop("name")
    huge["checksum"] = "sha256:" + "1" * 64
    assert _only(api.push([huge]))["status"] == "invalid"


def test_one_push_touching_an_entity_twice_applies_in_order(api: Api) -> None:
    a, b = contact_list("a"), contact_list("b")
    first = upsert(a)
    entity_id = first["entity_id"]
    pushed = api.push([first, upsert(b, entity_id=entity_id, base=checksum(a)), delete(entity_id, base=checksum(a))])
    assert [r["status"] for r in pushed["results"]] == ["applied", "applied", "conflict"]
    assert [r["seq"] for r in pushed["results"]] == [1, 2, 2]
    changes, cursor = api.pull_all()
    assert cursor == 2 and [c["data"] for c in changes] == [b]


def test_pull_pages_across_several_pages_in_seq_order(api: Api) -> None:
    ids = []
    for batch in range(5):
        changes = [upsert(contact_list(f"list {batch}-{i}")) for i in range(9)]
        ids += [c["entity_id"] for c in changes]
        assert api.push(changes)["cursor"] == 9 * (batch + 1)
    # delete a few: their tombstones move to the end of the sequence
    deleted = ids[:3]
    api.push([delete(i, base=checksum(contact_list(f"list 0-{n}"))) for n, i in enumerate(deleted)])
    seen: list[dict] = []
    cursor, pages = 0, 0
    while True:
        page = api.pull(cursor, limit=7)
        pages += 1
        seqs = [c["seq"] for c in page["changes"]]
        assert seqs == sorted(seqs) and all(s > cursor for s in seqs)
        if page["changes"]:
            assert page["cursor"] == seqs[-1]
        else:
            assert page["cursor"] == cursor
        seen += page["changes"]
        cursor = page["cursor"]
        if not page["has_more"]:
            break
        assert len(page["changes"]) == 7
    assert pages == 7  # 45 rows (42 live + 3 tombstones) in pages of 7
    assert cursor == 48
    assert len(seen) == 45 and len({(c["entity_type"], c["entity_id"]) for c in seen}) == 45
    assert [c["entity_id"] for c in seen[-3:]] == deleted and all(c["deleted"] for c in seen[-3:])
    assert api.status()["entity_counts"] == {"contact_lists": 42}
    assert api.status()["cursor"] == 48


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=-1", "since"),
        ("limit=0", "limit"),
        (f"limit={MAX_PULL_LIMIT + 1}", "limit"),
        ("since=x", "since"),
        (f"since={2**64}", "since"),
    ],
)
def test_pull_refuses_bad_parameters(api: Api, query: str, field: str) -> None:
    r = api.http.get("/v1/sync/pull?" + query)
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "validation_error" and field in body["fields"]


def test_pull_beyond_the_end_is_empty(api: Api) -> None:
    api.push([upsert(contact_list())])
    assert api.pull(2**62) == {"changes": [], "cursor": 2**62, "has_more": False}


def test_push_needs_a_uuid_idempotency_key(api: Api) -> None:
    body = {"device_id": api.device_id, "changes": [upsert(contact_list())]}
    r = api.http.post("/v1/sync/push", json=body)
    assert r.status_code == 400 and r.json()["error"] == "idempotency_key_required"
    r = api.http.post("/v1/sync/push", json=body, headers={"Idempotency-Key": "retry-1"})
    assert r.status_code == 400 and r.json()["error"] == "idempotency_key_invalid"
    assert api.status()["cursor"] == 0


def test_push_refuses_another_devices_id(api: Api) -> None:
    other = api.other_device()
    r = api.http.post(
        "/v1/sync/push",
        json={"device_id": other.device_id, "changes": [upsert(contact_list())]},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert r.status_code == 422 and r.json()["error"] == "device_mismatch"
    other.close()


def test_push_limits_changes_and_bytes(api: Api) -> None:
    too_many = [upsert(contact_list(f"n{i}")) for i in range(MAX_PUSH_CHANGES + 1)]
    r = api.push_raw(too_many)
    assert r.status_code == 413, r.text
    assert r.json()["error"] == "too_many_changes" and r.json()["max_changes"] == MAX_PUSH_CHANGES
    exactly = api.push(too_many[:MAX_PUSH_CHANGES])
    assert exactly["cursor"] == MAX_PUSH_CHANGES
    assert all(r["status"] == "applied" for r in exactly["results"])
    big_text = "x" * 90_000
    journal = {
        "created_at": "2026-01-02T03:04:05Z",
        "updated_at": "2026-01-02T03:04:05Z",
        "title": "long",
        "content": [{"type": "text", "text": big_text}],
    }
    heavy = [upsert(journal, entity_type="journal_entries") for _ in range(MAX_PUSH_BYTES // 90_000 + 1)]
    r = api.push_raw(heavy)
    assert r.status_code == 413, r.text[:200]
    assert r.json()["error"] == "payload_too_large" and r.json()["max_bytes"] == MAX_PUSH_BYTES
    assert api.status()["cursor"] == MAX_PUSH_CHANGES


def test_a_pull_page_ends_once_it_holds_max_pull_page_bytes(api: Api) -> None:
    """Pages of MAX_PULL_LIMIT large entities would cost either side hundreds of MiB: a page stops after the
    change that takes it to MAX_PULL_PAGE_BYTES, and the next page goes on from its cursor."""
    journal = {
        "created_at": "2026-01-02T03:04:05Z",
        "updated_at": "2026-01-02T03:04:05Z",
        "title": "long",
        "content": [{"type": "text", "text": "x" * (MAX_PULL_PAGE_BYTES // 5)}],
    }
    changes = [upsert(journal, entity_type="journal_entries") for _ in range(7)]
    for start in range(0, len(changes), 3):  # three of them fit in one push body
        api.push(changes[start : start + 3])
    first = api.pull(0, limit=MAX_PULL_LIMIT)
    assert [c["seq"] for c in first["changes"]] == [1, 2, 3, 4, 5]  # five reach the bound, with the JSON around
    assert first["has_more"] and first["cursor"] == 5
    second = api.pull(first["cursor"], limit=MAX_PULL_LIMIT)
    assert [c["seq"] for c in second["changes"]] == [6, 7] and not second["has_more"] and second["cursor"] == 7
    assert [c["entity_id"] for c in first["changes"] + second["changes"]] == [c["entity_id"] for c in changes]
    assert len(api.pull(0, limit=2)["changes"]) == 2  # the count still bounds a page of small ones


def test_push_body_errors_are_json(api: Api) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"}
    r = api.http.post("/v1/sync/push", content=b"{not json", headers=key)
    assert r.status_code == 400 and r.json()["error"] == "invalid_json"
    r = api.http.post("/v1/sync/push", content=b'{"device_id": "\xff"}', headers=key)
    assert r.status_code == 400 and r.json()["error"] == "invalid_json"
    r = api.http.post("/v1/sync/push", content=b'{"device_id": "\\ud800", "changes": []}', headers=key)
    assert r.status_code == 400 and r.json()["error"] == "invalid_json"
    r = api.http.post("/v1/sync/push", json={"device_id": api.device_id}, headers=key)
    assert r.status_code == 422 and r.json()["fields"] == {"changes": "is required"}
    r = api.http.post("/v1/sync/push", json={"device_id": api.device_id, "changes": [{"op": "merge"}]}, headers=key)
    assert r.status_code == 422 and r.json()["error"] == "validation_error"


def test_a_paired_surrogate_escape_is_fine(api: Api) -> None:
    data = contact_list("Fans 🎸")
    raw = json.dumps({"device_id": api.device_id, "changes": [upsert(data)]})  # ensure_ascii: \\ud83c\\udfb8
    assert "\\ud83c" in raw
    r = api.http.post(
        "/v1/sync/push",
        content=raw,
        headers={"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"},
    )
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "applied"
    assert api.pull(0)["changes"][0]["data"]["name"] == "Fans 🎸"


def test_unknown_routes_and_methods_answer_json(server) -> None:
    r = httpx.get(server.url + "/v1/nothing")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = httpx.put(server.url + "/v1/health")
    assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"


def test_a_client_of_another_protocol_is_told_to_update_gigbag(api: Api) -> None:
    body = {"device_id": api.device_id, "changes": [upsert(contact_list())]}
    bare = httpx.Client(base_url=api.base_url, timeout=60.0, headers={"Authorization": f"Bearer {api.token}"})
    try:
        # none (version 1); version 1; the version before this one (2: pushes of at most 500); a newer one
        older = str(PROTOCOL_VERSION - 1)
        for headers in ({}, {PROTOCOL_HEADER: "1"}, {PROTOCOL_HEADER: older}, {PROTOCOL_HEADER: "9"}):
            for r in (
                bare.post("/v1/sync/push", json=body, headers={"Idempotency-Key": str(uuid.uuid4()), **headers}),
                bare.get("/v1/sync/pull", headers=headers),
            ):
                assert r.status_code == 400, r.text
                answer = r.json()
                assert answer["error"] == "protocol_outdated" and answer["protocol"] == PROTOCOL_VERSION
                assert "update Gigbag" in answer["message"]
                assert f"speaks protocol {headers.get(PROTOCOL_HEADER, '')}".strip() in answer["message"]
    finally:
        bare.close()
    assert api.status()["cursor"] == 0  # nothing applied
    ok = api.push_raw([upsert(contact_list())])
    assert ok.status_code == 200 and ok.headers[PROTOCOL_HEADER] == str(PROTOCOL_VERSION)
    assert api.http.get("/v1/sync/pull").headers[PROTOCOL_HEADER] == str(PROTOCOL_VERSION)


def test_pull_leaves_out_the_skipped_seqs_and_still_moves_the_cursor(api: Api) -> None:
    other = api.other_device()
    mine = [upsert(contact_list(f"mine {i}")) for i in range(3)]
    assert api.push(mine)["cursor"] == 3
    theirs = upsert(contact_list("theirs"))
    assert other.push([theirs])["cursor"] == 4
    assert api.push([upsert(contact_list("mine again"))])["cursor"] == 5

    def pull(since: int, skip: str, limit: int = 500) -> dict:
        r = api.http.get("/v1/sync/pull", params={"since": since, "limit": limit, "skip": skip})
        assert r.status_code == 200, r.text
        page: dict = r.json()
        return page

    page = pull(0, "1-3,5-5")
    assert [c["entity_id"] for c in page["changes"]] == [theirs["entity_id"]]
    assert page["cursor"] == 5 and page["has_more"] is False
    assert pull(0, "1-5") == {"changes": [], "cursor": 5, "has_more": False}
    # pages: a full page ends at its last change; the skipped seqs in between are simply absent
    first = pull(0, "2-3", limit=1)
    assert [c["seq"] for c in first["changes"]] == [1] and first["has_more"] and first["cursor"] == 1
    second = pull(1, "2-3", limit=1)
    assert [c["seq"] for c in second["changes"]] == [4] and second["has_more"] and second["cursor"] == 4
    last = pull(4, "2-3", limit=1)
    assert [c["seq"] for c in last["changes"]] == [5] and not last["has_more"] and last["cursor"] == 5
    # without skip, every version comes, as before
    assert [c["seq"] for c in api.pull(0)["changes"]] == [1, 2, 3, 4, 5]
    for bad in ("3-1", "1-2," * 64 + "9-9", "x", "1-"):
        r = api.http.get("/v1/sync/pull", params={"skip": bad})
        assert r.status_code == 422, (bad, r.text)
    other.close()
