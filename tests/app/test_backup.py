"""The backup archive: the demo workspace restored into an empty folder equals the original (every
entity, every file's SHA-256); a damaged archive is refused whole; another account's data needs a yes."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from gigbag.app.backup import (
    CONTENT_DIR,
    ENTITIES,
    MANIFEST,
    BackupCancelled,
    BackupError,
    OtherAccountBackup,
    restore_backup,
    write_backup,
)
from gigbag.app.demo_data import seed_demo
from gigbag.app.export_import import export_document
from gigbag.app.workspace import Workspace
from gigbag.cli.main import main


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A demo workspace and its backup archive (made once for the module)."""
    root = tmp_path_factory.mktemp("demo")
    with Workspace.open(root / "device") as ws:
        seed_demo(ws)
        summary = write_backup(ws.engine, ws.blobs, root / "demo-backup.zip")
    assert summary.files > 10 and summary.missing_content == []
    return root / "device", root / "demo-backup.zip"


def _entities(ws: Workspace) -> dict[str, Any]:
    return export_document(ws.engine)["entities"]  # type: ignore[no-any-return]


def _blob_files(ws: Workspace) -> set[str]:
    return {p.name for p in ws.blobs.root.rglob("*") if p.is_file() and p.parent != ws.blobs.root / "tmp"}


def _file_shas(ws: Workspace) -> dict[str, str]:
    return {f.id: f.blob_sha256 for f in ws.files.list()}


def test_the_demo_backup_restored_into_an_empty_folder_equals_the_original(demo: tuple[Path, Path], data_dir: Path):
    source, archive = demo
    progress: list[tuple[int, int]] = []
    with Workspace.open(data_dir) as target:
        restored = restore_backup(target.engine, target.blobs, archive, progress=lambda d, t: progress.append((d, t)))
        assert not restored.imported.refused and restored.contents_added > 10
        with Workspace.open(source) as original:
            assert _entities(target) == _entities(original)
            assert _file_shas(target) == _file_shas(original)
            assert _blob_files(target) == _blob_files(original)
        for file in target.files.list():  # every file opens and its content hashes to its SHA-256
            assert target.files.is_available(file) and target.blobs.verify(file.blob_sha256)
            assert target.files.content_path(file).stat().st_size == file.file_size_bytes
    assert progress and progress[-1][0] == progress[-1][1]


def _rewrite(archive: Path, out: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """A copy of ``archive`` with members changed (None drops the member)."""
    with zipfile.ZipFile(archive) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
    return out


def _first_content(archive: Path) -> str:
    with zipfile.ZipFile(archive) as zf:
        return next(n for n in zf.namelist() if n.startswith(CONTENT_DIR))


DAMAGES: dict[str, Callable[[Path, Path], Path]] = {
    "not a zip": lambda a, out: (out.write_bytes(b"this is not an archive at all" * 10), out)[1],
    "cut short": lambda a, out: (out.write_bytes(a.read_bytes()[: a.stat().st_size // 2]), out)[1],
    "garbage manifest": lambda a, out: _rewrite(a, out, lambda n, d: b"{not json" if n == MANIFEST else d),
    "foreign manifest": lambda a, out: _rewrite(
        a, out, lambda n, d: json.dumps({"format": "something-else"}).encode() if n == MANIFEST else d
    ),
    "altered content": lambda a, out: _rewrite(
        a, out, lambda n, d: (d[:-1] + bytes([d[-1] ^ 1])) if n == _first_content(a) else d
    ),
    "altered entities": lambda a, out: _rewrite(
        a, out, lambda n, d: d.replace(b"Salsa", b"Salsb", 1) if n == ENTITIES else d
    ),
    "missing content": lambda a, out: _rewrite(a, out, lambda n, d: None if n == _first_content(a) else d),
    "missing entities": lambda a, out: _rewrite(a, out, lambda n, d: None if n == ENTITIES else d),
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_archive_is_refused_whole_with_a_sentence(
    demo: tuple[Path, Path], data_dir: Path, tmp_path: Path, damage: str
) -> None:
    _, archive = demo
    broken = DAMAGES[damage](archive, tmp_path / "broken.zip")
    with Workspace.open(data_dir) as ws:
        ws.journal.create({"title": "Mine"})
        before, blobs_before = _entities(ws), _blob_files(ws)
        with pytest.raises(BackupError) as caught:
            restore_backup(ws.engine, ws.blobs, broken)
        assert "cannot be restored" in str(caught.value) and "Nothing was changed" in str(caught.value)
        assert _entities(ws) == before and _blob_files(ws) == blobs_before
    code = main(["import", str(broken), "--data-dir", str(data_dir)])
    assert code == 1


def _bind(ws: Workspace, user_id: str, email: str) -> None:
    with ws.engine.begin() as conn:
        conn.execute(text("INSERT OR IGNORE INTO sync_account (id, cursor) VALUES (1, 0)"))
        conn.execute(
            text("UPDATE sync_account SET bound_user_id = :u, user_id = :u, email = :e, server_url = :s WHERE id = 1"),
            {"u": user_id, "e": email, "s": "https://sync.example.org"},
        )


def test_another_accounts_backup_needs_a_yes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    with Workspace.open(a) as ws:
        ws.profile.save({"stage_name": "Orquesta Norte"})
        _bind(ws, "11111111-1111-4111-8111-111111111111", "norte@example.org")
    archive = tmp_path / "a.zip"
    assert main(["export", str(archive), "--data-dir", str(a)]) == 0
    with Workspace.open(b) as ws:
        _bind(ws, "22222222-2222-4222-8222-222222222222", "sur@example.org")
        with pytest.raises(OtherAccountBackup, match="norte@example.org.*sur@example.org"):
            restore_backup(ws.engine, ws.blobs, archive)
    capsys.readouterr()
    assert main(["import", str(archive), "--data-dir", str(b)]) == 1
    err = capsys.readouterr().err
    assert "holds the data of norte@example.org" in err and "--yes" in err
    with Workspace.open(b) as ws:
        assert ws.profile.current() is None or ws.profile.current().stage_name != "Orquesta Norte"
    assert main(["import", str(archive), "--yes", "--data-dir", str(b)]) == 0
    with Workspace.open(b) as ws:
        assert ws.profile.current().stage_name == "Orquesta Norte"


def test_a_cancelled_restore_keeps_nothing(demo: tuple[Path, Path], data_dir: Path) -> None:
    _, archive = demo
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)

    with Workspace.open(data_dir) as ws:
        before, blobs_before = _entities(ws), _blob_files(ws)
        # Cancel once verification is done and the contents are being stored.
        with pytest.raises(BackupCancelled):
            restore_backup(
                ws.engine,
                ws.blobs,
                archive,
                progress=progress,
                cancelled=lambda: bool(seen) and seen[-1] > archive.stat().st_size // 2,
            )
        assert _entities(ws) == before and _blob_files(ws) == blobs_before


def test_a_cancelled_backup_leaves_no_file(demo: tuple[Path, Path], tmp_path: Path) -> None:
    source, _ = demo
    out = tmp_path / "never.zip"
    calls: list[int] = []
    with Workspace.open(source) as ws, pytest.raises(BackupCancelled):
        write_backup(ws.engine, ws.blobs, out, progress=lambda d, t: calls.append(d), cancelled=lambda: bool(calls))
    assert not out.exists() and not list(tmp_path.iterdir())


def test_the_command_line_backs_up_and_restores(
    demo: tuple[Path, Path], data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, _ = demo
    archive = tmp_path / "cli.zip"
    assert main(["export", str(archive), "--data-dir", str(source), "--json"]) == 0
    written = json.loads(capsys.readouterr().out)
    assert written["files"] > 10 and written["counts"]["tracks"] == 6
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read(MANIFEST))
    assert manifest["format_version"] == 1 and manifest["app_version"] and manifest["account"] is None
    assert manifest["counts"]["tracks"] == 6 and len(manifest["contents"]) == written["files"]
    assert main(["import", str(archive), "--data-dir", str(data_dir)]) == 0
    assert "Restored:" in capsys.readouterr().out
    with Workspace.open(source) as a, Workspace.open(data_dir) as b:
        assert _entities(a) == _entities(b) and _blob_files(a) == _blob_files(b)
