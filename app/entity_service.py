"""Create, read, update, delete, list and search for one entity type, the same way for all of them.

Input is validated by the entity's data schema (the one the server enforces) before anything is
written; relational rules are checked by each service's hooks; a refused operation writes nothing.
A write and its change-log row (triggers) commit in one transaction. Deleting returns a snapshot of
everything the delete removed or nulled (cascades included) so that the UI can undo it.

``create_many`` is the bulk path of imports: every item gets the checks of ``create``, then all of
them go in with one INSERT executemany in one transaction (the triggers still log each row), or
none does, with every refused item named by its position.
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import JSON, Engine, Table, Text, and_, cast, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from ..local_db.database import read_session, transaction
from ..local_db.models import DERIVED_COLUMNS
from ..schema.entities import ENTITY_TYPES, EntityValidationError, data_fields, validate_data
from ..schema.fields import utc_now
from .errors import NotFound, ValidationFailed
from .storage_limit import check_after_write, usage

T = TypeVar("T", bound=SQLModel)

#: how many refused items a bulk create names (the rest are counted)
MAX_NAMED_REFUSALS = 50


def new_id() -> str:
    return str(uuid.uuid4())


def new_ids(count: int) -> list[str]:
    """``count`` random (version 4) UUIDs as ``new_id`` spells them, made in one go."""
    raw = bytearray(os.urandom(16 * count))
    out: list[str] = []
    for start in range(0, 16 * count, 16):
        raw[start + 6] = raw[start + 6] & 0x0F | 0x40  # version 4
        raw[start + 8] = raw[start + 8] & 0x3F | 0x80  # the RFC 4122 variant
        h = raw[start : start + 16].hex()
        out.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return out


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def timestamps(count: int) -> list[str]:
    """``count`` distinct, increasing timestamps from now (1 µs apart), in ``utc_now``'s format.

    Items created together keep their order wherever a list sorts by creation time, as they
    would had they been created one by one.
    """
    start = dt.datetime.now(dt.UTC)
    whole = start.replace(microsecond=0)
    out: list[str] = []
    second, prefix = -1, ""
    for i in range(count):
        carry, micro = divmod(start.microsecond + i, 1_000_000)
        if carry != second:
            second = carry
            prefix = (whole + dt.timedelta(seconds=carry)).strftime("%Y-%m-%dT%H:%M:%S.")
        out.append(f"{prefix}{micro:06d}Z")
    return out


def refusals(errors: dict[int, str], where: Callable[[int], str]) -> ValidationFailed:
    """One error naming each refused item (by ``where(index)``, in order), at most ``MAX_NAMED_REFUSALS``."""
    ordered = sorted(errors)
    named = {where(i): errors[i] for i in ordered[:MAX_NAMED_REFUSALS]}
    if len(ordered) > MAX_NAMED_REFUSALS:
        named["__root__"] = f"and {len(ordered) - MAX_NAMED_REFUSALS:,} more are refused too"
    return ValidationFailed(named)


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

    def _validate_quickly(self, data: dict[str, Any]) -> dict[str, Any]:
        """``_validate`` without SQLModel's per-call wrapper: the same pydantic validator and serializer.

        Anything the validator refuses goes through ``_validate``, so a refusal has its words.
        """
        schema = ENTITY_TYPES[self.entity_type]
        try:
            model = schema.__new__(schema)  # as SQLModel validates a model that is not a table
            schema.__pydantic_validator__.validate_python(data, self_instance=model)
            return schema.__pydantic_serializer__.to_python(model, mode="json")  # type: ignore[no-any-return]
        except Exception:  # noqa: BLE001 - _validate raises it again, in words
            return self._validate(data)

    def check(self, session: Session, data: dict[str, Any], entity_id: str, existing: T | None) -> None:
        """Relational rules beyond the schema; raise ValidationFailed. Override per service."""

    def check_new(self, session: Session, data: dict[str, Any], entity_id: str) -> None:
        """``check`` of a row ``create_many`` has just inserted, with the rest of its batch.

        The other rows of the batch are already there (they may refer to each other), and the
        storage limit is checked once for the whole batch; a service whose ``check`` counts room
        for a new row overrides this to leave that out.
        """
        self.check(session, data, entity_id, None)

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

    def prepare(self, values: dict[str, Any]) -> dict[str, Any]:
        """Values of a new row derived from the others given (before validation). Override per service."""
        return values

    def create(self, values: dict[str, Any], *, entity_id: str | None = None) -> T:
        self._refuse_read_only(values)
        values = self.prepare(values)
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

    def create_many(
        self,
        items: Sequence[dict[str, Any]],
        *,
        ids: Sequence[str] | None = None,
        where: Callable[[int], str] | None = None,
    ) -> builtins.list[str]:
        """Create every item, or none: ``create``'s rules for each, one transaction and one executemany.

        A refused item is named ``where(index)`` (by default "<label> <n>", counting from 1) with
        the field and what is wrong; then nothing is written. Returns the new ids, in item order
        (``ids``, if given, are used instead of new ones). ``after_write`` is not called: a service
        that needs it for new rows overrides this too.
        """
        where = where or (lambda i: f"{self.label} {i + 1}")
        datas, errors = self.validate_many(items)
        return self.insert_many(datas, errors, ids=ids, where=where)

    def validate_many(
        self, items: Sequence[dict[str, Any] | None]
    ) -> tuple[builtins.list[dict[str, Any] | None], dict[int, str]]:
        """Each item validated as ``create`` validates it: its data (None if refused), and the refusals by index.

        A None item (one the caller already refused) stays None and is not counted again.
        """
        defaults = self.defaults()
        stamps = timestamps(len(items))
        datas: builtins.list[dict[str, Any] | None] = []
        errors: dict[int, str] = {}
        for i, values in enumerate(items):
            if values is None:
                datas.append(None)
                continue
            try:
                self._refuse_read_only(values)
                prepared = self.prepare(values)
                now = stamps[i]
                datas.append(self._validate_quickly({**defaults, **prepared, "created_at": now, "updated_at": now}))
            except ValidationFailed as exc:
                datas.append(None)
                errors[i] = str(exc)
        return datas, errors

    def insert_many(
        self,
        datas: Sequence[dict[str, Any] | None],
        errors: dict[int, str],
        *,
        ids: Sequence[str] | None = None,
        where: Callable[[int], str],
    ) -> builtins.list[str]:
        """Insert the valid rows of ``validate_many`` in one transaction, check them, commit only if none is refused.

        The relational rules (``check_new``) run on the inserted rows, inside the transaction,
        before it commits (foreign keys are checked at commit: the batch's rows may refer to each
        other in any order), and so does the storage limit for the batch as a whole. Any refusal,
        one of ``errors`` (index -> words) included, rolls everything back.
        """
        if ids is not None and len(ids) != len(datas):
            raise ValueError(f"{len(ids)} ids for {len(datas)} items")
        entity_ids = list(ids) if ids is not None else new_ids(len(datas))
        if ids is not None:
            seen: dict[str, int] = {}
            for i, entity_id in enumerate(entity_ids):
                if entity_id in seen:
                    errors.setdefault(i, f"has the same id as {where(seen[entity_id])}")
                seen.setdefault(entity_id, i)
        checks = type(self).check is not EntityService.check or type(self).check_new is not EntityService.check_new
        try:
            with transaction(self.engine) as s:
                s.execute(text("PRAGMA defer_foreign_keys=ON"))  # rows of the batch may refer to each other
                if ids is not None:
                    self._refuse_existing(s, entity_ids, errors)
                used_before = (usage(s) or (0, 0))[0]
                # The rows not refused so far go in, so that every refusal is found in one pass.
                rows = [
                    (i, entity_ids[i], data) for i, data in enumerate(datas) if data is not None and i not in errors
                ]
                if rows:
                    self._insert_rows(s, [(entity_id, data) for _, entity_id, data in rows])
                if checks:
                    for i, entity_id, data in rows:
                        try:
                            self.check_new(s, data, entity_id)
                        except ValidationFailed as exc:
                            errors[i] = str(exc)
                if errors:
                    raise refusals(errors, where)
                check_after_write(s, used_before)
        except IntegrityError as exc:
            raise self._integrity(exc) from None
        return entity_ids

    def _insert_rows(self, session: Session, rows: builtins.list[tuple[str, dict[str, Any]]]) -> None:
        """One INSERT executemany of the rows' data columns, each value bound as SQLAlchemy binds it."""
        table: Table = self.table.__table__  # type: ignore[attr-defined]
        connection = session.connection()
        names = data_fields(self.entity_type)
        preparer = connection.dialect.identifier_preparer
        columns = ", ".join(preparer.quote(n) for n in ["id", *names])
        sql = f"INSERT INTO {preparer.format_table(table)} ({columns}) VALUES ({', '.join('?' * (len(names) + 1))})"
        binds = [(i, table.c[n].type.bind_processor(connection.dialect)) for i, n in enumerate(names)]
        processors = [(i, bind) for i, bind in binds if bind is not None]
        params: builtins.list[tuple[Any, ...]] = []
        for entity_id, data in rows:
            values = [data[n] for n in names]
            for i, bind in processors:
                values[i] = bind(values[i])
            params.append((entity_id, *values))
        connection.exec_driver_sql(sql, params)

    def _refuse_existing(self, session: Session, entity_ids: builtins.list[str], errors: dict[int, str]) -> None:
        table: Table = self.table.__table__  # type: ignore[attr-defined]
        found: set[str] = set()
        for start in range(0, len(entity_ids), 500):
            chunk = entity_ids[start : start + 500]
            found.update(session.scalars(select(table.c.id).where(table.c.id.in_(chunk))))
        for i, entity_id in enumerate(entity_ids):
            if entity_id in found:
                errors.setdefault(i, f"this {self.label} already exists")

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
        """Hook run inside the write's transaction (of ``create`` and ``update``; not ``create_many``)."""

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
