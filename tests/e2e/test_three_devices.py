"""Three computers (data folders) and a real server, driven by the ``gigbag`` command line.

Each works offline, they sync in different orders, and afterwards every computer and the server
hold the same data (their exports are equal). Conflicts go through ``gigbag conflicts`` and
``gigbag resolve``; a failure is exit code 1 with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from gigbag.app.export_import import export_document
from gigbag.app.workspace import Workspace

from .conftest import CliDevice, server_entities

T = TypeVar("T")


def offline(device: CliDevice, work: Callable[[Workspace], T]) -> T:
    """Edit a device's data with the app's own services while no sync runs (the artist at work)."""
    with Workspace.open(device.data_dir) as ws:
        return work(ws)


def converged(server: Any, email: str, *devices: CliDevice, cli: bool = False) -> dict[str, Any]:
    """Every device and the server hold the same entities (compared by `gigbag export` with ``cli``,
    else by the same export read in-process, which is quicker)."""
    exports = [d.export() if cli else offline(d, lambda ws: export_document(ws.engine)["entities"]) for d in devices]
    for other, d in zip(exports[1:], devices[1:], strict=True):
        assert other == exports[0], f"{d.name} differs from {devices[0].name}"
    assert exports[0] == server_entities(server.url, email)
    return exports[0]


def test_three_computers_work_offline_sync_in_any_order_and_end_identical(
    server: Any, email: str, device: Any, tmp_path: Path
) -> None:
    a, b, c = device("laptop"), device("desktop"), device("studio")
    a.login(server, email, create=True)
    b.login(server, email)
    c.login(server, email)
    photo = tmp_path / "press.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"press" * 500)

    def laptop_work(ws: Workspace) -> dict[str, str]:
        ws.profile.save({"stage_name": "Orquesta Norte", "bio": "Salsa dura from Oslo"})
        press = ws.folders.create({"name": "Press"})
        ws.files.import_file(photo, folder_id=press.id)
        idea = ws.journal.create({"title": "Montuno", "content": [{"type": "text", "text": "in G"}]})
        gig = ws.timeline.create({"date": "2025-08-01", "title": "Festival"})
        return {"idea": idea.id, "gig": gig.id}

    def desktop_work(ws: Workspace) -> str:
        ws.profile.save({"stage_name": "Orquesta Norte", "location_city": "Oslo"})
        goal = ws.goals.create({"title": "Play 20 gigs", "goal_type": "gigs", "target_value": 20})
        ws.progress.record(goal.id, 3)
        return goal.id

    def studio_work(ws: Workspace) -> None:
        fans = ws.contact_lists.create({"name": "Fans"})
        for i in range(25):
            ws.contacts.create({"list_id": fans.id, "name": f"Fan {i}", "email": f"fan{i}@example.org"})
        ws.patterns.fork(ws.patterns.new("Son clave groove").id)

    ids = offline(a, laptop_work)
    goal_id = offline(b, desktop_work)
    offline(c, studio_work)
    for d in (b, a, c, b, a):
        assert d.sync()["open_conflicts"] == 0
    data = converged(server, email, a, b, c, cli=True)
    [profile] = data["artists"]
    assert (profile["data"]["bio"], profile["data"]["location_city"]) == ("Salsa dura from Oslo", "Oslo")
    assert len(data["contact_list_members"]) == 25 and len(data["files"]) == 1

    # Different fields of one entity on two computers merge; progress from both adds up.
    offline(a, lambda ws: ws.goals.update(goal_id, {"title": "Play 25 gigs"}))
    offline(c, lambda ws: ws.goals.update(goal_id, {"description": "Summer season"}))
    offline(c, lambda ws: ws.progress.record(goal_id, 2))
    for d in (c, a, b, c):
        assert d.sync()["open_conflicts"] == 0
    converged(server, email, a, b, c)
    goal = offline(b, lambda ws: ws.goals.get(goal_id))
    assert (goal.title, goal.description, goal.current_value) == ("Play 25 gigs", "Summer season", 5)

    # The same field on two computers: one conflict, both values kept, resolved by the artist.
    offline(a, lambda ws: ws.journal.update(ids["idea"], {"title": "Montuno (laptop)"}))
    offline(b, lambda ws: ws.journal.update(ids["idea"], {"title": "Montuno (desktop)"}))
    a.sync()
    assert b.sync(expect=2)["open_conflicts"] == 1
    [conflict] = b.json("conflicts")["conflicts"]
    assert conflict["kind"] == "edited_both"
    assert conflict["fields"] == [
        {"name": "title", "mine": "Montuno (desktop)", "theirs": "Montuno (laptop)", "base": "Montuno"}
    ]
    listed = b.run("conflicts").stdout
    assert conflict["id"] in listed and "Montuno (laptop)" in listed
    b.run("resolve", conflict["id"][:8], "--theirs")
    assert b.json("conflicts")["conflicts"] == []
    for d in (b, c, a):
        assert d.sync()["open_conflicts"] == 0
    data = converged(server, email, a, b, c)
    assert [e["data"]["title"] for e in data["journal_entries"]] == ["Montuno (laptop)"]

    # Deleted on one computer, edited on another: a conflict too; keeping the edit brings it back.
    offline(a, lambda ws: ws.timeline.delete(ids["gig"]))
    offline(c, lambda ws: ws.timeline.update(ids["gig"], {"title": "Festival (main stage)"}))
    a.sync()
    assert c.sync(expect=2)["open_conflicts"] == 1
    [conflict] = c.json("conflicts")["conflicts"]
    assert conflict["kind"] == "deleted_there"
    refused = c.run("resolve", conflict["id"], "--field", "title=mine", expect=1)
    assert "as a whole" in refused.stderr
    c.run("resolve", conflict["id"], "--mine")
    for d in (c, a, b):
        assert d.sync()["open_conflicts"] == 0
    data = converged(server, email, a, b, c, cli=True)
    assert [e["data"]["title"] for e in data["timeline_entries"]] == ["Festival (main stage)"]

    status = a.json("status")
    assert status["signed_in"] and status["pending_changes"] == 0 and status["conflicts"] == 0
    assert status["last_sync_at"]


def test_per_field_resolution_from_the_command_line(server: Any, email: str, device: Any) -> None:
    a, b = device("a"), device("b")
    a.login(server, email, create=True)
    b.login(server, email)
    lst = offline(a, lambda ws: ws.contact_lists.create({"name": "Fans", "description": "All"}).id)
    a.sync()
    b.sync()
    offline(a, lambda ws: ws.contact_lists.update(lst, {"name": "Fans A", "description": "Desc A"}))
    offline(b, lambda ws: ws.contact_lists.update(lst, {"name": "Fans B", "description": "Desc B"}))
    a.sync()
    b.sync(expect=2)
    [conflict] = b.json("conflicts")["conflicts"]
    assert {f["name"] for f in conflict["fields"]} == {"name", "description"}
    partial = b.run("resolve", conflict["id"], "--field", "name=mine", expect=1)
    assert "description" in partial.stderr
    b.run("resolve", conflict["id"], "--field", "name=mine", "--field", "description=theirs")
    b.sync()
    a.sync()
    data = converged(server, email, a, b)
    assert [(x["data"]["name"], x["data"]["description"]) for x in data["contact_lists"]] == [("Fans B", "Desc A")]


def test_failures_are_exit_1_with_the_reason(server: Any, email: str, device: Any) -> None:
    a = device("a")
    not_signed_in = a.run("sync", expect=1)
    assert "gigbag login" in not_signed_in.stderr
    no_keyring = a.run(
        "login", "--server", server.url, "--email", email, "--password-stdin", stdin=PASSWORD_LINE, expect=1
    )
    assert "--insecure-token-file" in no_keyring.stderr and "keyring" in no_keyring.stderr
    a.login(server, email, create=True)
    offline(a, lambda ws: ws.journal.create({"title": "waiting"}))
    server.stop()
    down = a.run("sync", expect=1)
    assert "Could not reach the sync server" in down.stderr
    assert a.json("status")["pending_changes"] == 1
    as_json = a.json("sync", expect=1)
    assert as_json["ok"] is False and "Could not reach" in as_json["error"]


PASSWORD_LINE = "correct horse battery\n"
