"""Opening a workspace loads Alembic only when the database needs migrating, and then still migrates it."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gigbag.app.workspace import Workspace
from gigbag.local_db import migrate

REVISIONS = Path(__file__).parent.parent / "local_db" / "revisions"


def _version_rows(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
    finally:
        conn.close()


def test_the_head_revision_kept_in_migrate_is_alembics_real_head() -> None:
    # A new migration must change HEAD_REVISION too: this test fails until it does.
    assert migrate.head_revision() == migrate.HEAD_REVISION
    assert migrate._head_is_current()


def test_opening_an_up_to_date_database_loads_neither_alembic_nor_httpx_nor_the_audio_room(tmp_path: Path) -> None:
    Workspace.open(tmp_path / "data").close()  # created and migrated (Alembic, here in the test process)
    code = (
        "import sys\n"
        "from gigbag.app.workspace import Workspace\n"
        f"ws = Workspace.open({str(tmp_path / 'data')!r})\n"
        "print(len(ws.timeline.list()))\n"
        "ws.close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'httpx', 'mako', 'av')"
        " or m.startswith('gigbag.media')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, modules = result.stdout.strip().splitlines()
    assert count == "0"
    assert eval(modules) == []


@pytest.mark.parametrize("saved", sorted(p for p in REVISIONS.glob("*.sqlite3") if p.stem != migrate.HEAD_REVISION))
def test_an_out_of_date_database_is_still_migrated_on_opening(saved: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db = data / "gigbag.sqlite3"
    shutil.copy(saved, db)
    assert not migrate.is_up_to_date(db)
    with Workspace.open(data) as ws:
        assert ws.upgraded_from_backup is not None and ws.upgraded_from_backup.exists()
        assert ws.timeline.list()  # the fixture's entry survived
    assert _version_rows(db) == [migrate.HEAD_REVISION]
    assert migrate.is_up_to_date(db)


def test_a_stale_head_revision_sends_the_opening_through_alembic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were HEAD_REVISION left behind by a new migration, the database would still be upgraded."""
    data = tmp_path / "data"
    data.mkdir()
    db = data / "gigbag.sqlite3"
    older = sorted(p for p in REVISIONS.glob("*.sqlite3") if p.stem != migrate.HEAD_REVISION)[-1]
    shutil.copy(older, db)
    monkeypatch.setattr(migrate, "HEAD_REVISION", older.stem)  # as if the newest migration were not known
    assert _version_rows(db) == [older.stem]
    assert not migrate._head_is_current()
    assert not migrate.is_up_to_date(db)
    Workspace.open(data).close()
    assert _version_rows(db) == [migrate.head_revision()]


def test_a_file_that_is_not_a_database_is_left_to_the_usual_checks(tmp_path: Path) -> None:
    db = tmp_path / "gigbag.sqlite3"
    db.write_bytes(b"not a database at all" * 100)
    assert migrate.stored_revisions(db) is None
    assert not migrate.is_up_to_date(db)
