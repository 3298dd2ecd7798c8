"""Writes ``revisions/<rev>.sqlite3``: a database at schema revision <rev> holding one row per table.

Run once per new migration, before it is written, with the models of that revision checked out:
    .venv/bin/python tests/local_db/make_revision_fixture.py
The saved files are upgraded to head by test_migrations.py, which checks that no data was lost.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from gigbag.app.workspace import Workspace
from gigbag.local_db.migrate import current_revision

HERE = Path(__file__).parent / "revisions"


def fill(ws: Workspace, media: Path) -> None:
    ws.profile.save({"stage_name": "Fixture Orquesta", "bio": "Saved at this revision", "location_city": "Oslo"})
    ws.preferences.save({"theme": "dark", "default_bpm": 170})
    folder = ws.folders.create({"name": "Press"})
    sub = ws.folders.create({"name": "2025", "parent_folder_id": folder.id})
    photo = media / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    ws.files.import_file(photo, folder_id=sub.id)
    audio = media / "song.mp3"
    audio.write_bytes(b"ID3" + b"\0" * 200)
    song = ws.files.import_file(audio, category="music")
    ws.tracks.create({"title": "Fixture Song", "audio_file_id": song.id, "genre": "Salsa", "release_year": 2025})
    goal = ws.goals.create({"title": "Play 20 gigs", "goal_type": "gigs", "target_value": 20})
    ws.progress.record(goal.id, 3, "first three")
    ws.timeline.create({"date": "2025-05-01", "title": "First gig", "entry_type": "gig"})
    ws.journal.create({"title": "Idea", "content": [{"type": "text", "text": "A montuno in G"}]})
    pattern = ws.patterns.new("Fixture groove")
    ws.patterns.fork(pattern.id)
    lst = ws.contact_lists.create({"name": "Fans"})
    ws.contacts.create({"list_id": lst.id, "name": "Ana", "email": "ana@example.org"})


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        with Workspace.open(Path(tmp) / "dev") as ws:
            fill(ws, Path(tmp))
            db = ws.paths.database
        rev = current_revision(db)
        import sqlite3

        conn = sqlite3.connect(db)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("VACUUM")
        conn.close()
        HERE.mkdir(exist_ok=True)
        shutil.copy(db, HERE / f"{rev}.sqlite3")
        print(f"wrote {HERE / f'{rev}.sqlite3'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
