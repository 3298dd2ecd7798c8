"""What the bulk create writes is pushed like any local edit: the server ends up with every row."""

from __future__ import annotations

from typing import Any

from .conftest import server_entities


def test_a_thousand_created_at_once_all_reach_the_server_and_another_computer(
    server: Any, email: str, make_device: Any
) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    ids = a.ws.timeline.create_many(
        [{"date": f"2026-{1 + i % 12:02d}-01", "title": f"Gig {i:04d}", "entry_type": "gig"} for i in range(1000)]
    )
    summary = a.sync()
    assert summary.pushed == 1000
    on_server = {e["id"]: e["data"] for e in server_entities(server, email)["timeline_entries"]}
    assert set(on_server) == set(ids)
    assert sorted(d["title"] for d in on_server.values()) == [f"Gig {i:04d}" for i in range(1000)]
    b.login(server, email)
    b.sync()
    assert b.entities()["timeline_entries"] == a.entities()["timeline_entries"]
    assert a.sync().pushed == 0  # nothing left pending
