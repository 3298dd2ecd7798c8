"""Both versions of a conflicting item, field by field, as the conflicts screen shows them.

Read only: the conflicts themselves are kept by :mod:`gigbag.sync.conflicts`; resolving (and
undoing a resolution) goes through :class:`~gigbag.app.sync_service.SyncService`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from ..local_db.database import read_session
from ..schema.entities import data_fields
from ..sync import conflicts as conflict_store
from ..sync.conflicts import ConflictView
from ..sync.local_store import Key, LocalState

HIDDEN_FIELDS = ("created_at", "updated_at")


@dataclass(frozen=True)
class FieldRow:
    name: str
    mine: Any
    theirs: Any
    base: Any
    conflicting: bool  # changed on both computers to different values: the artist decides

    @property
    def differs(self) -> bool:
        return self.mine != self.theirs


@dataclass(frozen=True)
class ConflictDetail:
    view: ConflictView
    mine: dict[str, Any] | None  # None: deleted on this computer
    theirs: dict[str, Any] | None  # None: deleted on the other computer
    rows: tuple[FieldRow, ...]
    mine_changed_at: str | None
    theirs_changed_at: str | None
    goes_with_it: int  # items inside this one that a delete takes along

    @property
    def conflicting_fields(self) -> list[str]:
        return [r.name for r in self.rows if r.conflicting]


def conflict_details(db: Engine) -> list[ConflictDetail]:
    """Every open conflict with both versions of every field (conflicting ones first)."""
    views = conflict_store.list_conflicts(db)
    with read_session(db) as s:
        st = LocalState(s)
        return [_detail(st, view) for view in views]


def _detail(st: LocalState, view: ConflictView) -> ConflictDetail:
    key: Key = (view.entity_type, view.entity_id)
    row = st.conflict(key)
    mine = st.read(*key)
    theirs = row.remote_data if row is not None else None
    base = (row.base_data if row is not None else None) or {}
    conflicting = set(row.fields if row is not None else ())
    names = [n for n in data_fields(view.entity_type) if n not in HIDDEN_FIELDS]
    rows = [FieldRow(n, (mine or {}).get(n), (theirs or {}).get(n), base.get(n), n in conflicting) for n in names]
    rows.sort(key=lambda r: (not r.conflicting, not r.differs))
    goes = len(st.dependents(*key)[0]) if mine is not None else 0
    return ConflictDetail(
        view=view,
        mine=mine,
        theirs=theirs,
        rows=tuple(rows),
        mine_changed_at=(mine or {}).get("updated_at"),
        theirs_changed_at=(theirs or {}).get("updated_at"),
        goes_with_it=goes,
    )
