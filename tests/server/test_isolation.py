"""One user never sees or changes another user's entities: same ids, probes and pulls stay per user."""

from __future__ import annotations

import uuid

from gigbag.schema.canonical import checksum
from tests.server.api_client import contact_list, delete, upsert


def test_user_b_cannot_read_overwrite_or_probe_user_a(new_api) -> None:
    alice, bob = new_api(), new_api()
    secret = contact_list("Alice's label contacts")
    change = upsert(secret)
    entity_id = change["entity_id"]
    alice.push([change])
    # read: bob's pull and status show nothing of alice
    assert bob.pull(0) == {"changes": [], "cursor": 0, "has_more": False}
    assert bob.status()["entity_counts"] == {} and bob.status()["cursor"] == 0
    assert {d["device_id"] for d in bob.status()["devices"]} == {bob.device_id}
    # probe: a conflict would reveal alice's version; bob's own namespace has no such entity
    probe = bob.push([upsert(contact_list("x"), entity_id=entity_id, base=checksum(secret))])["results"][0]
    assert probe["status"] == "conflict" and probe["server"] is None
    deleting = bob.push([delete(entity_id, base=checksum(secret))])["results"][0]
    assert deleting["status"] == "conflict" and deleting["server"] is None
    # overwrite: the same id under bob is bob's own entity
    mine = contact_list("Bob's list")
    assert bob.push([upsert(mine, entity_id=entity_id)])["results"][0]["status"] == "applied"
    assert bob.push([delete(entity_id, base=checksum(mine))])["results"][0]["status"] == "applied"
    changes, cursor = alice.pull_all()
    assert cursor == 1
    assert changes == [
        {
            "entity_type": "contact_lists",
            "entity_id": entity_id,
            "data": secret,
            "checksum": checksum(secret),
            "deleted": False,
            "seq": 1,
        }
    ]
    bob_changes, bob_cursor = bob.pull_all()
    assert bob_cursor == 2 and bob_changes[0]["deleted"] is True


def test_each_user_has_an_own_sequence(new_api) -> None:
    alice, bob = new_api(), new_api()
    alice.push([upsert(contact_list(str(i))) for i in range(3)])
    assert bob.push([upsert(contact_list("b"))])["cursor"] == 1
    assert alice.push([upsert(contact_list("a"))])["cursor"] == 4
    assert [c["seq"] for c in bob.pull_all()[0]] == [1]


def test_a_token_is_tied_to_its_user(new_api) -> None:
    alice, bob = new_api(), new_api()
    r = bob.http.post(
        "/v1/sync/push",
        json={"device_id": alice.device_id, "changes": [upsert(contact_list())]},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert r.status_code == 422 and r.json()["error"] == "device_mismatch"
    assert alice.status()["cursor"] == 0
