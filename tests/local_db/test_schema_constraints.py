"""SQLite itself refuses data that breaks a seed constraint, whatever code path writes it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from gigbag.app.workspace import Workspace

NOW = "'2025-01-01T00:00:00Z'"
SHA = "'" + "a" * 64 + "'"


@pytest.fixture
def db(data_dir: Path) -> sqlite3.Connection:
    with Workspace.open(data_dir) as ws:
        path = ws.paths.database
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def _config() -> str:
    return """'{"instruments": []}'"""


BAD_INSERTS = {
    "bpm 300": f"INSERT INTO patterns (id, created_at, updated_at, title, flavor, bpm, key_note, is_public, configuration) VALUES ('p', {NOW}, {NOW}, 'x', 'Salsa', 300, 0, 0, {_config()})",
    "key_note 12": f"INSERT INTO patterns (id, created_at, updated_at, title, flavor, bpm, key_note, is_public, configuration) VALUES ('p', {NOW}, {NOW}, 'x', 'Salsa', 120, 12, 0, {_config()})",
    "flavor Polka": f"INSERT INTO patterns (id, created_at, updated_at, title, flavor, bpm, key_note, is_public, configuration) VALUES ('p', {NOW}, {NOW}, 'x', 'Polka', 120, 0, 0, {_config()})",
    "goal_type x": f"INSERT INTO goals (id, created_at, updated_at, title, goal_type, completed, status) VALUES ('g', {NOW}, {NOW}, 't', 'x', 0, 'active')",
    "status x": f"INSERT INTO goals (id, created_at, updated_at, title, goal_type, completed, status) VALUES ('g', {NOW}, {NOW}, 't', 'gigs', 0, 'x')",
    "category x": f"INSERT INTO files (id, created_at, updated_at, filename, file_size_bytes, mime_type, blob_sha256, category) VALUES ('f', {NOW}, {NOW}, 'a', 1, 'text/plain', {SHA}, 'x')",
    "file in a missing folder": f"INSERT INTO files (id, created_at, updated_at, filename, file_size_bytes, mime_type, blob_sha256, category, folder_id) VALUES ('f', {NOW}, {NOW}, 'a', 1, 'text/plain', {SHA}, 'other', 'nope')",
    "entry_type x": f"INSERT INTO timeline_entries (id, created_at, updated_at, date, title, entry_type) VALUES ('t', {NOW}, {NOW}, '2025-01-01', 't', 'x')",
    "journal type text": f"INSERT INTO journal_entries (id, created_at, updated_at, title, content, entry_type) VALUES ('j', {NOW}, {NOW}, 't', '[]', 'text')",
    "empty title": f"INSERT INTO goals (id, created_at, updated_at, title, goal_type, completed, status) VALUES ('g', {NOW}, {NOW}, '', 'gigs', 0, 'active')",
    "missing stage_name": f"INSERT INTO artists (id, created_at, updated_at, secondary_genres, influences, equipment, available_dates) VALUES ('a', {NOW}, {NOW}, '[]', '[]', '[]', '[]')",
    "not JSON content": f"INSERT INTO journal_entries (id, created_at, updated_at, title, content, entry_type) VALUES ('j', {NOW}, {NOW}, 't', 'nope', 'general_note')",
    "bad timestamp": f"INSERT INTO contact_lists (id, created_at, updated_at, name) VALUES ('c', 'yesterday', {NOW}, 'n')",
    "bad blob digest": f"INSERT INTO files (id, created_at, updated_at, filename, file_size_bytes, mime_type, blob_sha256, category) VALUES ('f', {NOW}, {NOW}, 'a', 1, 'text/plain', 'XYZ', 'other')",
    "negative size": f"INSERT INTO files (id, created_at, updated_at, filename, file_size_bytes, mime_type, blob_sha256, category) VALUES ('f', {NOW}, {NOW}, 'a', -1, 'text/plain', {SHA}, 'other')",
    "member of a missing list": f"INSERT INTO contact_list_members (id, created_at, updated_at, list_id, opted_in_email, opted_in_sms) VALUES ('m', {NOW}, {NOW}, 'nope', 1, 1)",
    "preference theme x": f"INSERT INTO user_preferences (id, created_at, updated_at, default_bpm, default_key_note, default_flavor, use_glass_ui, auto_play, show_beat_numbers, default_volume, theme, language, notifications_enabled, email_notifications) VALUES ('p', {NOW}, {NOW}, 120, 0, 'Salsa', 1, 0, 1, 1.0, 'x', 'en', 1, 1)",
}


@pytest.mark.parametrize("case", sorted(BAD_INSERTS))
def test_sqlite_refuses(db: sqlite3.Connection, case: str) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(BAD_INSERTS[case])


def test_a_valid_row_is_accepted(db: sqlite3.Connection) -> None:
    db.execute(f"INSERT INTO contact_lists (id, created_at, updated_at, name) VALUES ('c', {NOW}, {NOW}, 'Fans')")
    db.execute(
        f"INSERT INTO goals (id, created_at, updated_at, title, goal_type, completed, status) VALUES ('g', {NOW}, {NOW}, 't', 'gigs', 0, 'active')"
    )
    assert db.execute("SELECT current_value FROM goals").fetchone() == (0,)


def test_connection_pragmas(data_dir: Path) -> None:
    with Workspace.open(data_dir) as ws, ws.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_folder_delete_cascades_to_subfolders_and_files(db: sqlite3.Connection) -> None:
    db.execute(f"INSERT INTO folders (id, created_at, updated_at, name) VALUES ('a', {NOW}, {NOW}, 'A')")
    db.execute(
        f"INSERT INTO folders (id, created_at, updated_at, name, parent_folder_id) VALUES ('b', {NOW}, {NOW}, 'B', 'a')"
    )
    db.execute(
        f"INSERT INTO files (id, created_at, updated_at, filename, file_size_bytes, mime_type, blob_sha256, category, folder_id) VALUES ('f', {NOW}, {NOW}, 'x', 7, 'text/plain', {SHA}, 'other', 'b')"
    )
    assert db.execute("SELECT used_bytes FROM storage_quotas").fetchone() == (7,)
    db.execute("DELETE FROM folders WHERE id = 'a'")
    assert db.execute("SELECT count(*) FROM files").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM folders").fetchone() == (0,)
    assert db.execute("SELECT used_bytes FROM storage_quotas").fetchone() == (0,)
