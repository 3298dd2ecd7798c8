"""Resolving a conflict so that it can be taken back until the next sync sends it.

Next to :mod:`.conflicts`, which owns ``sync_conflicts``: a resolution rewrites rows, their
``change_log`` entries and the conflict itself, so taking it back means putting those three back
exactly as they were. :func:`resolve_undoably` keeps that snapshot; :func:`undo_resolution` writes it
back in one transaction (change capture off: the change log is restored, not recorded anew).
Meant for a person at a screen while no sync runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Engine, Table, delete, null, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..local_db.change_capture import applying_server_changes
from ..local_db.database import read_session, transaction
from ..local_db.sync_tables import ChangeLog, SyncConflict
from . import conflicts as conflict_store
from .conflicts import Side
from .local_store import Key, LocalState, table

_LOG = ChangeLog.__table__  # type: ignore[attr-defined]
_CONFLICTS = SyncConflict.__table__  # type: ignore[attr-defined]


@dataclass
class ResolutionSnapshot:
    """Everything a resolution changes, as it was before: rows, their change log, the conflict."""

    conflict: dict[str, Any]
    rows: list[tuple[Key, dict[str, Any] | None]]  # parents first
    change_log: list[dict[str, Any]]
    choice: Side | None = None
    fields: dict[str, Side] = field(default_factory=dict)

    @property
    def key(self) -> Key:
        return (self.conflict["entity_type"], self.conflict["entity_id"])


def _full_row(st: LocalState, key: Key) -> dict[str, Any] | None:
    t = table(key[0])
    row = st.s.execute(select(t).where(t.c.id == key[1])).mappings().first()
    return dict(row) if row is not None else None


def _snapshot(st: LocalState, conflict_id: str) -> ResolutionSnapshot:
    conflict = conflict_store._find(st, conflict_id)  # same lookup (and message) as resolve()
    key: Key = (conflict.entity_type, conflict.entity_id)
    keys: list[Key] = [key]
    if st.exists(*key):
        removed, nulled = st.dependents(*key)
        keys += removed
        keys += [k for k, _column in nulled if k not in keys]
    rows = [(k, _full_row(st, k)) for k in keys]
    entries: list[dict[str, Any]] = []
    for entity_type, entity_id in keys:
        stmt = select(_LOG).where(_LOG.c.entity_type == entity_type, _LOG.c.entity_id == entity_id)
        entries += [dict(r) for r in st.s.execute(stmt).mappings()]
    return ResolutionSnapshot(conflict=conflict.model_dump(), rows=rows, change_log=entries)


def resolve_undoably(
    db: Engine, conflict_id: str, choice: Side | None = None, fields: dict[str, Side] | None = None
) -> ResolutionSnapshot:
    """Resolve like :func:`.conflicts.resolve` and return what :func:`undo_resolution` needs to take it back."""
    with read_session(db) as s:
        snapshot = _snapshot(LocalState(s), conflict_id)
    conflict_store.resolve(db, snapshot.conflict["id"], choice, fields)
    snapshot.choice = choice
    snapshot.fields = dict(fields or {})
    return snapshot


def redo_resolution(db: Engine, snapshot: ResolutionSnapshot) -> None:
    conflict_store.resolve(db, snapshot.conflict["id"], snapshot.choice, snapshot.fields)


def _sql_values(t: Table, row: dict[str, Any]) -> dict[str, Any]:
    """``row`` for an insert, with None in JSON columns written as SQL NULL (as the engine writes it)."""
    return {k: (null() if v is None and isinstance(t.c[k].type, JSON) else v) for k, v in row.items()}


def undo_resolution(db: Engine, snapshot: ResolutionSnapshot) -> None:
    """Put back the rows, their pending changes and the conflict exactly as they were before resolving."""
    with transaction(db) as s:
        st = LocalState(s)
        s.execute(text("PRAGMA defer_foreign_keys=ON"))
        with applying_server_changes(s):
            for key, row in reversed(snapshot.rows):  # children first: nothing stale refers to a parent
                if row is None and st.exists(*key):
                    st.remove(*key)
            for key, row in snapshot.rows:  # parents first
                if row is None:
                    continue
                t = table(key[0])
                full = _sql_values(t, row)
                values = {k: v for k, v in full.items() if k != "id"}
                stmt = sqlite_insert(t).values(full).on_conflict_do_update(index_elements=[t.c.id], set_=values)
                s.execute(stmt)
        for entity_type, entity_id in {k for k, _r in snapshot.rows}:
            s.execute(delete(_LOG).where(_LOG.c.entity_type == entity_type, _LOG.c.entity_id == entity_id))
        if snapshot.change_log:
            s.execute(_LOG.insert(), snapshot.change_log)
        key = snapshot.key
        s.execute(delete(_CONFLICTS).where(_CONFLICTS.c.entity_type == key[0], _CONFLICTS.c.entity_id == key[1]))
        s.execute(_CONFLICTS.insert().values(_sql_values(_CONFLICTS, snapshot.conflict)))
        st.recompute_derived()
