"""Both versions of a conflicting item, field by field, as the conflicts screen shows them.

Read only: the conflicts themselves are kept by :mod:`gigbag.sync.conflicts`; resolving (and
undoing a resolution) goes through :class:`~gigbag.app.sync_service.SyncService`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from ..local_db.database import read_session
from ..schema.entities import data_fields
from ..schema.labels import field_label, value_label
from ..sync import conflicts as conflict_store
from ..sync.conflicts import ConflictView
from ..sync.local_store import Key, LocalState

HIDDEN_FIELDS = ("created_at", "updated_at")


def value_text(entity_type: str, name: str, value: Any) -> str:
    """A field's value as a person reads it: an enum's label ("Note", not ``general_note``), Yes/No, "(empty)"."""
    if value is None or value == "" or value == [] or value == {}:
        return "(empty)"
    label = value_label(entity_type, name, value)
    if label is not None:
        return label
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, list | dict):
        if isinstance(value, list) and all(isinstance(v, dict) and "text" in v for v in value):
            return "\n".join(str(v["text"]) for v in value)  # journal blocks
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


@dataclass(frozen=True)
class FieldRow:
    name: str
    mine: Any
    theirs: Any
    base: Any
    conflicting: bool  # changed on both computers to different values: the artist decides
    entity_type: str = ""

    @property
    def differs(self) -> bool:
        return self.mine != self.theirs

    @property
    def label(self) -> str:
        """The field's name on screen ("Tempo" for a pattern's ``bpm``)."""
        return field_label(self.entity_type, self.name)

    def text(self, value: Any) -> str:
        return value_text(self.entity_type, self.name, value)


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

    @property
    def surviving(self) -> dict[str, Any] | None:
        """Of a delete-vs-edit conflict, the version that still exists (None when both do)."""
        if self.view.kind == "deleted_here":
            return self.theirs
        if self.view.kind == "deleted_there":
            return self.mine
        return None

    def surviving_rows(self) -> list[tuple[str, str]]:
        """(field label, value in words) of the surviving version's filled fields, for a delete-vs-edit conflict."""
        kept = self.surviving
        if kept is None:
            return []
        return [(r.label, r.text(kept.get(r.name))) for r in self.rows if kept.get(r.name) not in (None, "", [], {})]


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
    rows = [
        FieldRow(n, (mine or {}).get(n), (theirs or {}).get(n), base.get(n), n in conflicting, view.entity_type)
        for n in names
    ]
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
