"""Where data enters: never-syncable data refused at import, the storage limit, one sync per data folder."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import text

from gigbag.app.export_import import export_document
from gigbag.app.storage_limit import StorageLimitExceeded
from gigbag.app.sync_lock import SyncBusy, sync_lock
from gigbag.app.workspace import Workspace
from gigbag.cli.main import main
from gigbag.schema.entities import ARTIST_ID


def _document(tmp_path: Path, **entities: list[dict]) -> Path:
    with Workspace.open(tmp_path / "scratch") as ws:
        doc = export_document(ws.engine)
    doc["entities"].update(entities)
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))  # json writes Infinity/NaN as Python reads them back
    return path


GOAL = {
    "title": "Gigs",
    "goal_type": "gigs",
    "status": "active",
    "current_value": 0,
    "created_at": "2026-01-01T00:00:00Z",
    "updated_at": "2026-01-01T00:00:00Z",
}


@pytest.mark.parametrize("value", [float("inf"), float("nan")])
def test_a_goal_with_a_non_finite_target_is_refused_at_import(
    tmp_path: Path, data_dir: Path, value: float, capsys: pytest.CaptureFixture[str]
) -> None:
    goal = {"id": "0b9c53a4-7a4c-4a55-9d5e-1b2f6c3a9e01", "data": {**GOAL, "target_value": value}}
    path = _document(tmp_path, goals=[goal])
    assert main(["import", str(path), "--data-dir", str(data_dir)]) == 1
    err = capsys.readouterr().err
    assert "nothing was imported" in err and "target_value" in err and "finite" in err
    with Workspace.open(data_dir) as ws:
        assert ws.goals.count() == 0


def test_server_owned_profile_metrics_are_refused_at_import(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    artist = {
        "stage_name": "Orquesta",
        "verified": True,
        "follower_count": 5000,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
    }
    path = _document(tmp_path, artists=[{"id": ARTIST_ID, "data": artist}])
    assert main(["import", str(path), "--data-dir", str(data_dir), "--json"]) == 1
    refused = json.loads(capsys.readouterr().out)["refused"]
    assert refused[0]["entity_type"] == "artists"
    assert set(refused[0]["errors"]) == {"verified", "follower_count"}
    assert "set by the sync server" in refused[0]["errors"]["verified"]
    with Workspace.open(data_dir) as ws:
        assert ws.profile.current() is None


def test_a_deep_import_is_refused_in_a_sentence(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = {
        "title": "Deep",
        "entry_type": "general_note",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "content": "PLACEHOLDER",
    }
    path = _document(tmp_path, journal_entries=[{"id": "0b9c53a4-7a4c-4a55-9d5e-1b2f6c3a9e02", "data": entry}])
    for levels, words in ((300, "nests more than 32 levels deep"), (20000, "nests too deep")):
        deep = '[{"k":' * (levels // 2) + "0" + "}]" * (levels // 2)
        path.write_text(path.read_text().replace('"PLACEHOLDER"', deep))
        assert main(["import", str(path), "--data-dir", str(data_dir)]) == 1
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err
        path = _document(tmp_path, journal_entries=[{"id": "0b9c53a4-7a4c-4a55-9d5e-1b2f6c3a9e02", "data": entry}])
    with Workspace.open(data_dir) as ws:
        assert ws.journal.count() == 0


def _set_limit(ws: Workspace, limit: int) -> None:
    with ws.engine.begin() as conn:
        conn.execute(text("UPDATE storage_quotas SET limit_bytes = :l WHERE id = 1"), {"l": limit})


def test_file_imports_beyond_the_storage_limit_are_refused(data_dir: Path, tmp_path: Path) -> None:
    small, big = tmp_path / "small.bin", tmp_path / "big.wav"
    small.write_bytes(b"s" * 600_000)
    big.write_bytes(b"RIFF" + b"b" * 600_000)
    with Workspace.open(data_dir) as ws:
        _set_limit(ws, 1_000_000)
        ws.files.import_file(small)
        blobs_before = sorted(p.name for p in ws.blobs.root.rglob("*") if p.is_file())
        with pytest.raises(StorageLimitExceeded) as caught:
            ws.files.import_file(big)
        message = str(caught.value)
        assert "over" in message and "Delete files" in message and "Nothing was added" in message
        assert caught.value.over == 600_000 + 4 + 600_000 - 1_000_000
        with pytest.raises(StorageLimitExceeded):
            ws.tracks.add_from_file(big)
        assert ws.tracks.count() == 0
        assert ws.files.count() == 1 and ws.files.storage().used_bytes == 600_000
        assert sorted(p.name for p in ws.blobs.root.rglob("*") if p.is_file()) == blobs_before


def test_an_import_that_would_go_over_the_limit_is_refused(data_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "source"
    photo = tmp_path / "p.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 500_000)
    with Workspace.open(source) as ws:
        ws.files.import_file(photo)
        ws.files.import_file(photo, category="other")
    archive = tmp_path / "b.zip"
    assert main(["export", str(archive), "--data-dir", str(source)]) == 0
    with Workspace.open(data_dir) as ws:
        _set_limit(ws, 700_000)
    assert main(["import", str(archive), "--data-dir", str(data_dir)]) == 1
    with Workspace.open(data_dir) as ws:
        assert ws.files.count() == 0


def test_used_bytes_can_never_be_negative(data_dir: Path) -> None:
    with Workspace.open(data_dir) as ws:
        db = ws.paths.database
    conn = sqlite3.connect(db)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute("UPDATE storage_quotas SET used_bytes = -1 WHERE id = 1")
    conn.close()


HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from gigbag.app.sync_lock import sync_lock
    with sync_lock(Path(sys.argv[1])):
        print("holding", flush=True)
        sys.stdin.readline()
    """
)


def test_gigbag_sync_refuses_while_another_process_syncs_the_folder(data_dir: Path) -> None:
    with Workspace.open(data_dir):
        pass
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        with pytest.raises(SyncBusy), sync_lock(data_dir):
            pass
        done = subprocess.run(
            [sys.executable, "-m", "gigbag", "sync", "--data-dir", str(data_dir)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 75, done
        assert "Another Gigbag is syncing this data folder" in done.stderr and "Traceback" not in done.stderr
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=30)
    with sync_lock(data_dir):  # released when the other process ended
        pass


def test_the_app_explains_a_busy_data_folder_in_words(data_dir: Path) -> None:
    from gigbag.app.sync_words import explain_failure

    explained = explain_failure(SyncBusy(data_dir))
    assert explained.headline == "Another Gigbag is syncing this data folder right now."
    assert "press Sync again" in explained.advice


def test_an_oversized_item_is_refused_at_import(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = {
        "title": "Huge",
        "entry_type": "general_note",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "content": [{"type": "text", "text": "x" * 1000}] * 5000,
    }
    path = _document(tmp_path, journal_entries=[{"id": "0b9c53a4-7a4c-4a55-9d5e-1b2f6c3a9e03", "data": entry}])
    assert main(["import", str(path), "--data-dir", str(data_dir)]) == 1
    err = capsys.readouterr().err
    assert "to sync" in err and "MB" in err and "nothing was imported" in err
    with Workspace.open(data_dir) as ws:
        assert ws.journal.count() == 0
