"""Create, read, update, delete, list and search for one entity type, the same way for all of them.

Input is validated by the entity's data schema (the one the server enforces) before anything is
written; relational rules are checked by each service's hooks; a refused operation writes nothing.
A write and its change-log row (triggers) commit in one transaction. Deleting returns a snapshot of
everything the delete removed or nulled (cascades included) so that the UI can undo it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import JSON, Engine, Table, Text, and_, cast, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from ..local_db.database import read_session, transaction
from ..local_db.models import DERIVED_COLUMNS
from ..schema.entities import ENTITY_TYPES, EntityValidationError, validate_data
from ..schema.fields import utc_now
from .errors import NotFound, ValidationFailed

T = TypeVar("T", bound=SQLModel)


def new_id() -> str:
    return str(uuid.uuid4())


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(column: Any, text: str) -> Any:
    """``column`` contains ``text`` (case-insensitive for ASCII), for text and JSON columns alike.

    A JSON column is stored as JSON text in which non-ASCII characters are escaped ("canción" is
    ``canci\\u00f3n``), so it is searched both as typed and as JSON would spell it.
    """
    if not isinstance(column.type, JSON):
        return column.like(f"%{escape_like(text)}%", escape="\\")
    as_text = cast(column, Text)
    spellings = dict.fromkeys([text, json.dumps(text)[1:-1]])
    return or_(*(as_text.like(f"%{escape_like(s)}%", escape="\\") for s in spellings))


@dataclass
class DeletedSnapshot:
    """What a delete removed: rows (parents first) and references it set to NULL."""

    rows: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    nulled: list[tuple[str, str, str, Any]] = field(default_factory=list)  # table, id, column, old value

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class ListQuery:
    search: str | None = None
    filters: dict[str, Any] = field(default_factory=dict)
    order_by: Sequence[str] = ()
    offset: int = 0
    limit: int | None = None


def row_data(row: SQLModel, entity_type: str) -> dict[str, Any]:
    """The synced data of a row (every field of its data schema)."""
    return {name: getattr(row, name) for name in ENTITY_TYPES[entity_type].model_fields}


class EntityService(Generic[T]):
    entity_type: ClassVar[str]
    table: ClassVar[type[SQLModel]]
    label: ClassVar[str] = "item"
    search_columns: ClassVar[tuple[str, ...]] = ()
    default_order: ClassVar[tuple[str, ...]] = ("-created_at",)
    #: columns whose empty (NULL) values sort after the others, whichever the direction
    nulls_last: ClassVar[frozenset[str]] = frozenset()
    read_only_fields: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ---- reading -------------------------------------------------------------------------
    def get(self, entity_id: str) -> T:
        with read_session(self.engine) as s:
            row = s.get(self.table, entity_id)
        if row is None:
            raise NotFound(self.label, entity_id)
        return row  # type: ignore[return-value]

    def find(self, entity_id: str) -> T | None:
        with read_session(self.engine) as s:
            return s.get(self.table, entity_id)  # type: ignore[return-value]

    def _where(self, query: ListQuery) -> list[Any]:
        cols = self.table.__table__.c  # type: ignore[attr-defined]
        clauses: list[Any] = [cols[k] == v if v is not None else cols[k].is_(None) for k, v in query.filters.items()]
        if query.search and query.search.strip() and self.search_columns:
            text = query.search.strip()
            clauses.append(or_(*(_contains(cols[c], text) for c in self.search_columns)))
        return clauses

    def _order(self, order_by: Sequence[str]) -> list[Any]:
        cols = self.table.__table__.c  # type: ignore[attr-defined]
        out = []
        for key in list(order_by or self.default_order) + ["id"]:
            desc = key.startswith("-")
            name = key.lstrip("-")
            col = cols[name]
            ordered = col.desc() if desc else col.asc()
            out.append(ordered.nulls_last() if name in self.nulls_last else ordered)
        return out

    def list(self, query: ListQuery | None = None, **kwargs: Any) -> list[T]:
        query = query or ListQuery(**kwargs)
        stmt = select(self.table).where(and_(True, *self._where(query))).order_by(*self._order(query.order_by))
        if query.offset:
            stmt = stmt.offset(query.offset)
        if query.limit is not None:
            stmt = stmt.limit(query.limit)
        with read_session(self.engine) as s:
            return list(s.scalars(stmt).all())  # type: ignore[arg-type]

    def count(self, query: ListQuery | None = None, **kwargs: Any) -> int:
        query = query or ListQuery(**kwargs)
        stmt = select(func.count()).select_from(self.table).where(and_(True, *self._where(query)))
        with read_session(self.engine) as s:
            return int(s.scalar(stmt) or 0)

    # ---- validation ----------------------------------------------------------------------
    def _validate(self, data: dict[str, Any]) -> dict[str, Any]:
        try:
            return validate_data(self.entity_type, data)
        except EntityValidationError as exc:
            raise ValidationFailed(exc.errors) from None

    def check(self, session: Session, data: dict[str, Any], entity_id: str, existing: T | None) -> None:
        """Relational rules beyond the schema; raise ValidationFailed. Override per service."""

    def check_delete(self, session: Session, entity: T) -> None:
        """Refuse a delete that would break a reference; raise ValidationFailed. Override per service."""

    def _refuse_read_only(self, values: dict[str, Any]) -> None:
        bad = {k: "is kept by the server and cannot be edited here" for k in values if k in self.read_only_fields}
        if bad:
            raise ValidationFailed(bad)

    def _integrity(self, exc: IntegrityError) -> ValidationFailed:
        msg = str(exc.orig)
        if "FOREIGN KEY" in msg:
            return ValidationFailed({"__root__": f"this {self.label} refers to something that does not exist"})
        if "UNIQUE" in msg:
            return ValidationFailed({"__root__": f"this {self.label} already exists"})
        if "CHECK" in msg:
            return ValidationFailed({"__root__": f"this {self.label} breaks a rule of the database ({msg})"})
        return ValidationFailed({"__root__": msg})

    # ---- writing -------------------------------------------------------------------------
    def defaults(self) -> dict[str, Any]:
        return {}

    def create(self, values: dict[str, Any], *, entity_id: str | None = None) -> T:
        self._refuse_read_only(values)
        now = utc_now()
        data = self._validate({**self.defaults(), **values, "created_at": now, "updated_at": now})
        entity_id = entity_id or new_id()
        try:
            with transaction(self.engine) as s:
                self.check(s, data, entity_id, None)
                row = self.table(id=entity_id, **data)
                s.add(row)
                s.flush()
                self.after_write(s, row)
        except IntegrityError as exc:
            raise self._integrity(exc) from None
        return row  # type: ignore[return-value]

    def update(self, entity_id: str, changes: dict[str, Any]) -> T:
        self._refuse_read_only(changes)
        return self._update(entity_id, changes)

    def _update(self, entity_id: str, changes: dict[str, Any]) -> T:
        try:
            with transaction(self.engine) as s:
                row = s.get(self.table, entity_id)
                if row is None:
                    raise NotFound(self.label, entity_id)
                current = row_data(row, self.entity_type)
                merged = {**current, **changes}
                if merged == current:
                    return row  # type: ignore[return-value]
                data = self._validate({**merged, "updated_at": utc_now()})
                self.check(s, data, entity_id, row)  # type: ignore[arg-type]
                for key, value in data.items():
                    if getattr(row, key) != value:
                        setattr(row, key, value)
                s.add(row)
                s.flush()
                self.after_write(s, row)
        except IntegrityError as exc:
            raise self._integrity(exc) from None
        return row  # type: ignore[return-value]

    def after_write(self, session: Session, row: SQLModel) -> None:
        """Hook run inside the write's transaction."""

    def delete(self, entity_id: str) -> DeletedSnapshot:
        try:
            with transaction(self.engine) as s:
                row = s.get(self.table, entity_id)
                if row is None:
                    raise NotFound(self.label, entity_id)
                self.check_delete(s, row)  # type: ignore[arg-type]
                snapshot = snapshot_delete(s, self.table.__tablename__, [entity_id])  # type: ignore[arg-type]
                s.expunge(row)
                s.execute(delete(self.table).where(self.table.id == entity_id))  # type: ignore[attr-defined]
        except IntegrityError as exc:
            raise self._integrity(exc) from None
        return snapshot

    def delete_many(self, entity_ids: Iterable[str]) -> DeletedSnapshot:
        ids = list(dict.fromkeys(entity_ids))
        try:
            with transaction(self.engine) as s:
                rows = [s.get(self.table, i) for i in ids]
                for row, i in zip(rows, ids, strict=True):
                    if row is None:
                        raise NotFound(self.label, i)
                    self.check_delete(s, row)  # type: ignore[arg-type]
                snapshot = snapshot_delete(s, self.table.__tablename__, ids)  # type: ignore[arg-type]
                for row in rows:
                    s.expunge(row)
                s.execute(delete(self.table).where(self.table.id.in_(ids)))  # type: ignore[attr-defined]
        except IntegrityError as exc:
            raise self._integrity(exc) from None
        return snapshot

    def restore(self, snapshot: DeletedSnapshot) -> None:
        """Undo a delete: put back every row it removed and every reference it nulled."""
        restore_snapshot(self.engine, snapshot)


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def snapshot_delete(session: Session, table_name: str, ids: list[str]) -> DeletedSnapshot:
    """Everything a delete of ``ids`` from ``table_name`` will remove or null, following the FKs."""
    snap = DeletedSnapshot()
    seen: set[tuple[str, str]] = set()

    def visit(name: str, row_ids: list[str]) -> None:
        table = _table(name)
        fresh = [i for i in row_ids if (name, i) not in seen]
        if not fresh:
            return
        seen.update((name, i) for i in fresh)
        rows = [dict(r._mapping) for r in session.execute(select(table).where(table.c.id.in_(fresh)))]
        skip = DERIVED_COLUMNS.get(name, set())
        snap.rows.extend((name, {k: v for k, v in r.items() if k not in skip}) for r in rows)
        for child in SQLModel.metadata.sorted_tables:
            for fk in child.foreign_keys:
                if fk.column.table.name != name:
                    continue
                col = fk.parent
                if fk.ondelete == "CASCADE":
                    child_ids = [r[0] for r in session.execute(select(child.c.id).where(col.in_(fresh)))]
                    visit(child.name, child_ids)
                elif fk.ondelete == "SET NULL":
                    for cid, old in session.execute(select(child.c.id, col).where(col.in_(fresh))):
                        snap.nulled.append((child.name, cid, col.name, old))

    visit(table_name, ids)
    return snap


def restore_snapshot(engine: Engine, snapshot: DeletedSnapshot) -> None:
    with transaction(engine) as s:
        for name, row in snapshot.rows:
            s.execute(insert(_table(name)).values(**row))
        for name, cid, column, old in snapshot.nulled:
            table = _table(name)
            s.execute(update(table).where(table.c.id == cid).values({column: old}))
