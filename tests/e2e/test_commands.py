"""The other headless commands end to end: backup export/import, the mass-delete question, logout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from gigbag.app.workspace import Workspace

from .conftest import CliDevice


def test_export_and_import_make_a_real_backup_and_a_bad_file_changes_nothing(device: Any, tmp_path: Path) -> None:
    a, b = device("a"), device("b")
    with Workspace.open(a.data_dir) as ws:
        ws.profile.save({"stage_name": "Orquesta Norte"})
        folder = ws.folders.create({"name": "Press"})
        photo = tmp_path / "p.png"
        photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 10)
        ws.files.import_file(photo, folder_id=folder.id)
        ws.goals.create({"title": "Gigs"})
    backup = tmp_path / "backup.json"
    assert a.json("export", str(backup))["counts"]["folders"] == 1
    imported = b.json("import", str(backup))
    assert imported["created"] == 4
    assert b.export() == a.export()
    assert b.json("status")["pending_changes"] == 4  # local edits: the next sync sends them

    document = json.loads(backup.read_text())
    document["entities"]["goals"][0]["data"]["status"] = "finished"
    document["entities"]["folders"][0]["id"] = "not-a-uuid"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document))
    c = device("c")
    with Workspace.open(c.data_dir) as ws:
        ws.journal.create({"title": "Mine"})
    before = c.export()
    refused = c.json("import", str(broken), expect=1)
    assert refused["ok"] is False
    reasons = {(r["entity_type"], next(iter(r["errors"]))) for r in refused["refused"]}
    assert reasons == {("goals", "status"), ("folders", "id"), ("files", "folder_id")}
    assert c.export() == before
    words = c.run("import", str(broken), expect=1).stderr
    assert "nothing was imported" in words and "status" in words


def test_a_sync_that_would_delete_most_data_needs_yes(server: Any, email: str, device: Any) -> None:
    a, b = device("a"), device("b")
    a.login(server, email, create=True)
    b.login(server, email)
    with Workspace.open(a.data_dir) as ws:
        ids = [ws.timeline.create({"date": "2025-01-01", "title": f"Gig {i}"}).id for i in range(4)]
    a.sync()
    b.sync()
    with Workspace.open(a.data_dir) as ws:
        ws.timeline.delete_many(ids[:3])
    a.sync()
    asked = b.run("sync", expect=1)
    assert "--yes" in asked.stderr and "3 of the 4" in asked.stderr
    assert len(b.export()["timeline_entries"]) == 4
    assert b.json("sync", "--yes")["pulled"] == 3
    assert len(b.export()["timeline_entries"]) == 1


def test_logout_revokes_the_token_and_forgets_it(server: Any, email: str, device: Any) -> None:
    a: CliDevice = device("a")
    a.login(server, email, create=True)
    token_file = a.data_dir.parent / "a.token"
    token = token_file.read_text()
    assert a.json("logout")["revoked"] is True
    assert not token_file.exists()
    assert httpx.get(server.url + "/v1/sync/status", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    status = a.json("status")
    assert status["signed_in"] is False and status["server_url"] == server.url
    assert "gigbag login" in a.run("sync", expect=1).stderr
