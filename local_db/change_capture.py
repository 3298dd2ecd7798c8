"""Change capture by SQLite triggers: every write to a synced table logs itself, whatever wrote it.

Triggers catch the service layer, raw SQL and rows that a foreign-key cascade deletes or nulls
alike. The sync engine applies server changes with capture suppressed (``applying_server_changes``),
so they are not mistaken for local edits. The DDL is generated here and frozen into migrations;
a migration that rebuilds a synced table (Alembic batch mode) or adds a synced column must create
that table's triggers again (tests/local_db/test_migrations.py compares them with a fresh database).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlmodel import Session

_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
_CAPTURING = "COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0"


def capture_triggers(table: str, columns: list[str]) -> list[str]:
    """CREATE TRIGGER statements logging inserts, updates of ``columns`` and deletes of ``table``."""
    log = "INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES"
    cols = ", ".join(columns)
    return [
        f"CREATE TRIGGER cc_{table}_insert AFTER INSERT ON {table} WHEN {_CAPTURING} "
        f"BEGIN {log} ('{table}', NEW.id, 'upsert', {_NOW}); END",
        f"CREATE TRIGGER cc_{table}_update AFTER UPDATE OF {cols} ON {table} WHEN {_CAPTURING} "
        f"BEGIN {log} ('{table}', NEW.id, 'upsert', {_NOW}); END",
        f"CREATE TRIGGER cc_{table}_delete AFTER DELETE ON {table} WHEN {_CAPTURING} "
        f"BEGIN {log} ('{table}', OLD.id, 'delete', {_NOW}); END",
    ]


DERIVED_VALUE_TRIGGERS = [
    # A goal's current value is the sum of its progress history.
    "CREATE TRIGGER dv_goal_progress_insert AFTER INSERT ON goal_progress BEGIN "
    "UPDATE goals SET current_value = current_value + NEW.value WHERE id = NEW.goal_id; END",
    "CREATE TRIGGER dv_goal_progress_delete AFTER DELETE ON goal_progress BEGIN "
    "UPDATE goals SET current_value = current_value - OLD.value WHERE id = OLD.goal_id; END",
    "CREATE TRIGGER dv_goal_progress_update AFTER UPDATE OF value, goal_id ON goal_progress BEGIN "
    "UPDATE goals SET current_value = current_value - OLD.value WHERE id = OLD.goal_id; "
    "UPDATE goals SET current_value = current_value + NEW.value WHERE id = NEW.goal_id; END",
    # Storage used is the sum of the files' sizes.
    "CREATE TRIGGER dv_files_insert AFTER INSERT ON files BEGIN "
    "UPDATE storage_quotas SET used_bytes = used_bytes + NEW.file_size_bytes WHERE id = 1; END",
    "CREATE TRIGGER dv_files_delete AFTER DELETE ON files BEGIN "
    "UPDATE storage_quotas SET used_bytes = used_bytes - OLD.file_size_bytes WHERE id = 1; END",
    "CREATE TRIGGER dv_files_update AFTER UPDATE OF file_size_bytes ON files BEGIN "
    "UPDATE storage_quotas SET used_bytes = used_bytes - OLD.file_size_bytes + NEW.file_size_bytes "
    "WHERE id = 1; END",
]


@contextmanager
def applying_server_changes(session: Session) -> Iterator[None]:
    """Within the session's transaction, writes are not logged as local edits.

    The flag is set and cleared inside the same transaction; SQLite's single writer means no
    other connection's writes can happen while it is set, and readers never see it set.
    """
    session.execute(text("UPDATE change_capture SET suppressed = 1 WHERE id = 1"))
    try:
        yield
    finally:
        session.execute(text("UPDATE change_capture SET suppressed = 0 WHERE id = 1"))
