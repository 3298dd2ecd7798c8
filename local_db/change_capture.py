"""Change capture by SQLite triggers: every write to a synced table logs itself, whatever wrote it.

Triggers catch the service layer, raw SQL and rows that a foreign-key cascade deletes or nulls
alike. The sync engine applies server changes with capture suppressed (``applying_server_changes``),
so they are not mistaken for local edits. The DDL is generated here and frozen into migrations;
a migration that rebuilds a synced table (Alembic batch mode) or adds a synced column must create
that table's triggers again (tests/local_db/test_migrations.py compares them with a fresh database).

Suppressed, the triggers still cost their ``WHEN`` subquery on every row: a fifth of a pulled page's
SQLite write. A bulk write of server changes lifts them for its statements instead
(``capture_triggers_lifted``); a transaction of many pages keeps them lifted until it commits
(``capture_lifted_until_commit``): dropping and creating them costs about 1 ms a page, most of it every
prepared statement of the connection compiled again after each change of the schema.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, event, text
from sqlmodel import Session

_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
_CAPTURING = "COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0"
_OPS = ("insert", "update", "delete")
# In the DBAPI connection's info, within ``capture_lifted_until_commit``: each lifted table's triggers as
# (name, sql), to be created again before the transaction commits.
_HELD = "gigbag.capture_lifted"
Lifted = list[tuple[str, str]]


def capture_trigger_name(table: str, op: str) -> str:
    """The name of the trigger capturing ``op`` (insert, update, delete) on ``table``."""
    return f"cc_{table}_{op}"


def capture_triggers(table: str, columns: list[str]) -> list[str]:
    """CREATE TRIGGER statements logging inserts, updates of ``columns`` and deletes of ``table``."""
    log = "INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES"
    cols = ", ".join(columns)
    insert, update, delete = (capture_trigger_name(table, op) for op in _OPS)
    return [
        f"CREATE TRIGGER {insert} AFTER INSERT ON {table} WHEN {_CAPTURING} "
        f"BEGIN {log} ('{table}', NEW.id, 'upsert', {_NOW}); END",
        f"CREATE TRIGGER {update} AFTER UPDATE OF {cols} ON {table} WHEN {_CAPTURING} "
        f"BEGIN {log} ('{table}', NEW.id, 'upsert', {_NOW}); END",
        f"CREATE TRIGGER {delete} AFTER DELETE ON {table} WHEN {_CAPTURING} "
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


@contextmanager
def capture_triggers_lifted(conn: Connection, table: str) -> Iterator[None]:
    """Within ``applying_server_changes``, ``table``'s change-capture triggers are dropped for the block
    and created again after it, from the SQL ``sqlite_master`` held for them (what the migrations made);
    within ``capture_lifted_until_commit``, created again only when the transaction commits.

    Suppressed, they log nothing; lifted, SQLite no longer evaluates their ``WHEN`` on every row. Only
    those three triggers: any other trigger of the table (derived values) runs as always. SQLite's DDL is
    transactional: other connections see the committed schema, with the triggers, and a rollback or a
    crash puts them back. Nothing is lifted outside a transaction, when capture is not suppressed (the
    writes would have been logged), or on another database than SQLite."""
    raw = conn.connection.driver_connection
    if conn.dialect.name != "sqlite" or not isinstance(raw, sqlite3.Connection) or not raw.in_transaction:
        yield
        return
    held: dict[str, Lifted] | None = conn.info.get(_HELD)
    if held is not None and table in held:
        yield  # lifted by an earlier block of this transaction
        return
    flag = raw.execute("SELECT suppressed FROM change_capture WHERE id = 1").fetchone()
    if flag is None or not flag[0]:
        yield
        return
    names = [capture_trigger_name(table, op) for op in _OPS]
    lifted: Lifted = raw.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name IN (?, ?, ?) "
        "ORDER BY rowid",
        (table, *names),
    ).fetchall()
    try:
        for name, _ in lifted:
            raw.execute(f'DROP TRIGGER "{name}"')
        if held is not None:
            held[table] = lifted
        yield
    except BaseException:
        # What an error left dropped is created again; one that SQLite answers by rolling the whole
        # transaction back (a full disk, say) brought them all back already.
        if held is not None:
            held.pop(table, None)
        _create_missing(raw, lifted)
        raise
    if held is None:
        for _, sql in lifted:
            raw.execute(sql)


@contextmanager
def capture_lifted_until_commit(conn: Connection) -> Iterator[None]:
    """Within the block, the triggers ``capture_triggers_lifted`` lifts on ``conn`` stay lifted until its
    transaction ends: created again just before it commits (an event of the connection, whoever commits),
    and at the block's end if it is still open; a rollback brings them back by itself. For transactions
    that write many pages of server changes and nothing else (the writes of a local edit wait for the
    write lock, which the transaction holds until then)."""
    raw = conn.connection.driver_connection
    if conn.dialect.name != "sqlite" or not isinstance(raw, sqlite3.Connection) or _HELD in conn.info:
        yield
        return
    held: dict[str, Lifted] = {}

    def before_commit(_: Connection) -> None:
        _restore(raw, held)

    def after_rollback(_: Connection) -> None:
        held.clear()  # SQLite puts the dropped triggers back with the rest

    conn.info[_HELD] = held
    event.listen(conn, "commit", before_commit)
    event.listen(conn, "rollback", after_rollback)
    try:
        yield
    finally:
        event.remove(conn, "commit", before_commit)
        event.remove(conn, "rollback", after_rollback)
        del conn.info[_HELD]
        _restore(raw, held)


def _restore(raw: sqlite3.Connection, held: dict[str, Lifted]) -> None:
    """Every held table's triggers created again, if its transaction is still open; ``held`` emptied."""
    lifted = [item for items in held.values() for item in items]
    held.clear()
    if lifted:
        _create_missing(raw, lifted)


def _create_missing(raw: sqlite3.Connection, lifted: Lifted) -> None:
    if not raw.in_transaction:
        return
    back = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    for name, sql in lifted:
        if name not in back:
            raw.execute(sql)
