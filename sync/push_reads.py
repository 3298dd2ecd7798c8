"""What a push batch reads of its planned entities: one statement per type and window.

Deciding each change needs three things of a planned entity: whether it is still pending, the
checksum of its base (none for a tombstone), and its row's data. ``bulk_writes`` has a query for
each, so a batch asked all three for every window of keys; here one statement per type and window
joins them — the pending ids of the change log with their base and their row — so only the pending
entities come back. Each value is converted by its column's own result processor, so the data reads
as ``bulk_writes.read_rows`` (and ``LocalState.read_many``) reads it. Runs in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Dialect

from ..schema.entities import data_fields
from .local_store import Data, Key, LocalState, table

_CHUNK = 900  # ids per IN (...), under SQLite's oldest limit of 999 variables (two more are bound)

Processor = Callable[[Any], Any] | None
_QUERIES: dict[tuple[str, str], tuple[str, tuple[str, ...], tuple[Processor, ...]]] = {}


def _query(entity_type: str, dialect: Dialect) -> tuple[str, tuple[str, ...], tuple[Processor, ...]]:
    found = _QUERIES.get((entity_type, dialect.name))
    if found is None:
        t = table(entity_type)
        q = dialect.identifier_preparer.quote
        names = tuple(data_fields(entity_type))
        columns = ", ".join(f"e.{q(n)}" for n in names)
        sql = (
            f"SELECT c.entity_id, CASE WHEN b.deleted THEN NULL ELSE b.checksum END, e.{q('id')} IS NOT NULL, "
            f"{columns} FROM (SELECT DISTINCT entity_id FROM change_log WHERE entity_type = ? AND entity_id IN "
            "({marks})) AS c LEFT JOIN sync_base AS b ON b.entity_type = ? AND b.entity_id = c.entity_id "
            f"LEFT JOIN {q(t.name)} AS e ON e.{q('id')} = c.entity_id"
        )
        procs = tuple(t.c[n].type.dialect_impl(dialect).result_processor(dialect, None) for n in names)
        found = _QUERIES[(entity_type, dialect.name)] = (sql, names, procs)
    return found


def pending_entities(st: LocalState, keys: Iterable[Key]) -> dict[Key, tuple[Data | None, str | None]]:
    """For each of ``keys`` still pending: its row's data (None: not on this computer) and the checksum
    of its base (None: no base, or the base is a tombstone)."""
    by_type: dict[str, list[str]] = {}
    for entity_type, entity_id in keys:
        by_type.setdefault(entity_type, []).append(entity_id)
    conn = st.s.connection()
    out: dict[Key, tuple[Data | None, str | None]] = {}
    for entity_type, ids in by_type.items():
        template, names, procs = _query(entity_type, conn.dialect)
        convert = any(procs)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            sql = template.format(marks=", ".join("?" for _ in chunk))
            for row in conn.exec_driver_sql(sql, (entity_type, *chunk, entity_type)).fetchall():
                data: Data | None = None
                if row[2]:
                    values = row[3:]
                    if convert:
                        values = tuple(v if p is None else p(v) for p, v in zip(procs, values, strict=True))
                    data = dict(zip(names, values, strict=True))
                out[(entity_type, row[0])] = (data, row[1])
    return out


def pending_presence(st: LocalState, up_to: int | None) -> list[tuple[Key, bool]]:
    """Every entity with a change-log row (with id <= ``up_to`` when given) and whether its row is on this
    computer (an upsert to push) or not (a delete): one statement per type in the change log."""
    conn = st.s.connection()
    q = conn.dialect.identifier_preparer.quote
    bound: tuple[int, ...] = () if up_to is None else (up_to,)
    limit = "" if up_to is None else " AND id <= ?"
    types = conn.exec_driver_sql(
        "SELECT DISTINCT entity_type FROM change_log" + ("" if up_to is None else " WHERE id <= ?"), bound
    ).fetchall()
    out: list[tuple[Key, bool]] = []
    for (entity_type,) in types:
        name = q(table(entity_type).name)
        sql = (
            f"SELECT c.entity_id, EXISTS (SELECT 1 FROM {name} WHERE {q('id')} = c.entity_id) FROM "
            f"(SELECT DISTINCT entity_id FROM change_log WHERE entity_type = ?{limit}) AS c"
        )
        rows = conn.exec_driver_sql(sql, (entity_type, *bound)).fetchall()  # at once: not a row at a time
        out.extend(((entity_type, i), bool(present)) for i, present in rows)
    return out
