"""The conflicts kept for the artist: listing them and resolving them (mine, theirs, or per field).

A conflict holds both versions and the base they diverged from. While it is open, the entity shows
the artist's own values for the conflicting fields (and the merged values for the others) and is
not pushed. Resolving writes the chosen version as a normal local edit — recorded by change capture
with a new ``updated_at`` — so the next sync pushes it, on top of the server version the conflict
was kept against. Edit against delete is resolved the same way: *mine* keeps this computer's side
(the edit, or the delete), *theirs* takes the server's side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Engine, select

from ..local_db.database import read_session, transaction
from ..local_db.sync_tables import SyncConflict
from ..schema.entities import ENTITY_TYPES, EntityValidationError, validate_data
from ..schema.fields import utc_now
from .errors import SyncError
from .local_store import Key, LocalState

Side = Literal["mine", "theirs"]
Kind = Literal["edited_both", "deleted_here", "deleted_there"]
SIDES = ("mine", "theirs")
LABEL_FIELDS = ("title", "name", "stage_name", "filename", "email", "date")


class ConflictError(SyncError):
    """A resolution that cannot be applied as asked (unknown conflict or field, invalid result)."""


@dataclass(frozen=True)
class FieldConflict:
    name: str
    mine: Any
    theirs: Any
    base: Any


@dataclass(frozen=True)
class ConflictView:
    id: str
    entity_type: str
    entity_id: str
    kind: Kind
    label: str
    fields: tuple[FieldConflict, ...]
    created_at: str

    def describe(self) -> str:
        what = f"{self.entity_type.replace('_', ' ')} “{self.label}”"
        if self.kind == "deleted_here":
            return f"{what} was deleted on this computer and changed on another"
        if self.kind == "deleted_there":
            return f"{what} was changed on this computer (or something inside it was) and deleted on another"
        return f"{what} was changed on both computers: {', '.join(f.name for f in self.fields)}"


def label_of(entity_type: str, data: dict[str, Any] | None, entity_id: str) -> str:
    for name in LABEL_FIELDS:
        value = (data or {}).get(name)
        if isinstance(value, str) and value:
            return value
    return entity_id[:8]


def _kind(local: dict[str, Any] | None, remote: dict[str, Any] | None) -> Kind:
    if local is None:
        return "deleted_here"
    if remote is None:
        return "deleted_there"
    return "edited_both"


def _view(st: LocalState, conflict: SyncConflict) -> ConflictView:
    local = st.read(conflict.entity_type, conflict.entity_id)
    remote = conflict.remote_data
    base = conflict.base_data or {}
    fields = tuple(
        FieldConflict(name, (local or {}).get(name), (remote or {}).get(name), base.get(name))
        for name in conflict.fields
    )
    return ConflictView(
        id=conflict.id,
        entity_type=conflict.entity_type,
        entity_id=conflict.entity_id,
        kind=_kind(local, remote),
        label=label_of(conflict.entity_type, local or remote or conflict.local_data, conflict.entity_id),
        fields=fields,
        created_at=conflict.created_at,
    )


def list_conflicts(db: Engine) -> list[ConflictView]:
    with read_session(db) as s:
        st = LocalState(s)
        rows = list(s.scalars(select(SyncConflict).order_by(SyncConflict.created_at, SyncConflict.id)))  # type: ignore[arg-type]
        return [_view(st, row) for row in rows]


def conflict_count(db: Engine) -> int:
    with read_session(db) as s:
        return len(LocalState(s).conflict_keys())


def _find(st: LocalState, conflict_id: str) -> SyncConflict:
    ids = SyncConflict.__table__.c.id  # type: ignore[attr-defined]
    rows = list(st.s.scalars(select(SyncConflict).where(ids.startswith(conflict_id, autoescape=True))))
    if not rows:
        raise ConflictError(f"There is no conflict {conflict_id} (see `gigbag conflicts`).")
    if len(rows) > 1:
        raise ConflictError(f"{conflict_id} matches several conflicts; give more of the id.")
    return rows[0]


def _checked(entity_type: str, data: dict[str, Any]) -> dict[str, Any]:
    try:
        return validate_data(entity_type, data)
    except EntityValidationError as exc:
        raise ConflictError(f"That choice gives an invalid {entity_type.replace('_', ' ')}: {exc}") from None


def _references_ok(st: LocalState, entity_type: str, data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    for ref in st.missing_targets(entity_type, data):
        if not ref.nullable:
            raise ConflictError(
                f"That choice refers to a {ref.target.replace('_', ' ')} that no longer exists ({ref.column}); "
                "resolve it with the other side."
            )
        out[ref.column] = None
    return out


def resolve(
    db: Engine,
    conflict_id: str,
    choice: Side | None = None,
    fields: dict[str, Side] | None = None,
) -> ConflictView:
    """Resolve a conflict by ``choice`` for every conflicting field, ``fields`` overriding per field.

    Returns the conflict as it was. The result is a local edit, pushed by the next sync.
    """
    fields = dict(fields or {})
    for side in [choice, *fields.values()]:
        if side is not None and side not in SIDES:
            raise ConflictError(f"choose 'mine' or 'theirs', not {side!r}")
    with transaction(db) as s:
        st = LocalState(s)
        conflict = _find(st, conflict_id)
        view = _view(st, conflict)
        key: Key = (conflict.entity_type, conflict.entity_id)
        entity_type, entity_id = key
        if entity_type not in ENTITY_TYPES:
            raise ConflictError(f"unknown entity type {entity_type!r}")
        local = st.read(entity_type, entity_id)
        remote = conflict.remote_data
        if local is None and remote is None:
            st.drop_conflict(key)  # deleted on both sides by now: nothing left to decide
            return view
        if fields and view.kind != "edited_both":
            raise ConflictError("an item deleted on one side is kept or deleted as a whole: use --mine or --theirs")
        unknown = set(fields) - set(conflict.fields)
        if unknown:
            raise ConflictError(
                f"{', '.join(sorted(unknown))} {'is' if len(unknown) == 1 else 'are'} not in conflict here "
                f"(conflicting: {', '.join(conflict.fields) or 'the whole item'})."
            )
        if view.kind == "edited_both":
            assert local is not None and remote is not None
            data = dict(local)
            for name in conflict.fields:
                side = fields.get(name, choice)
                if side is None:
                    raise ConflictError(f"choose mine or theirs for {name} (or for all fields)")
                if side == "theirs":
                    data[name] = remote.get(name)
            data["updated_at"] = utc_now()
            st.write(entity_type, entity_id, _references_ok(st, entity_type, _checked(entity_type, data)))
        else:
            if choice is None:
                raise ConflictError("choose mine or theirs")
            keep_local_side = choice == "mine"
            if view.kind == "deleted_there":
                assert local is not None
                if keep_local_side:
                    st.write(entity_type, entity_id, {**local, "updated_at": utc_now()})
                else:
                    removed = st.dependents(entity_type, entity_id)[0]
                    for child in reversed(removed):
                        st.remove(*child)
                    st.remove(entity_type, entity_id)
                    for child in removed:
                        inner = st.conflict(child)
                        if inner is not None and inner.remote_data is None:
                            st.drop_conflict(child)  # deleted there too: now both sides agree
            else:  # deleted here
                assert remote is not None
                if keep_local_side:
                    st.mark_pending(key, "delete")
                else:
                    data = _checked(entity_type, {**remote, "updated_at": utc_now()})
                    st.write(entity_type, entity_id, _references_ok(st, entity_type, data))
        st.drop_conflict(key)
    return view


__all__ = [
    "ConflictError",
    "ConflictView",
    "FieldConflict",
    "conflict_count",
    "list_conflicts",
    "resolve",
]
