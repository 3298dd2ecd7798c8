"""The engine's reads and writes of the local database, inside the caller's transaction.

The artist's rows are read as entity data (the fields of the type's schema, the wire format) and
written back with SQLite upserts, so local-only columns (``goals.current_value``, ``artists.user_id``)
are never touched. Beside them live the sync bookkeeping tables: the change log (what is pending),
``sync_base`` (the server version last seen, the merge base), ``sync_incoming`` (server versions
waiting to be applied) and ``sync_conflicts``. The foreign keys of the synced tables are read from
the models, so what a delete removes or nulls is known before it happens.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Engine, Table, bindparam, delete, func, null, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from ..local_db.models import TABLES
from ..local_db.sync_tables import ChangeLog, SyncBase, SyncConflict, SyncIncoming
from ..schema.entities import ENTITY_TYPES, data_fields
from ..schema.fields import utc_now
from .driver_read import driver_read
from .noop_rules import AUDIT_FRESH

Key = tuple[str, str]  # (entity_type, entity_id)
Data = dict[str, Any]

ORDER = {name: i for i, name in enumerate(ENTITY_TYPES)}  # parents first


@dataclass(frozen=True)
class Reference:
    """A foreign key of a synced table: ``column`` of ``entity_type`` refers to ``target``."""

    entity_type: str
    column: str
    target: str
    ondelete: str | None  # 'CASCADE', 'SET NULL' or None (the row must go before its target)
    nullable: bool


class Version(NamedTuple):
    """One version of an entity as the server knows it (``data`` None for a tombstone). A named tuple: a
    pull makes one per pulled change, and a frozen dataclass took twice as long to build."""

    data: Data | None
    checksum: str | None
    deleted: bool
    seq: int = 0
    # ``data``'s canonical JSON, when a pull verified the checksum on it: its base stores that text as it is.
    text: str | None = None


@dataclass(frozen=True)
class SyncState:
    """What a sync needs to know before it starts, read in one snapshot: the account's row (its
    columns, None when there is none), the newest change-log id (0: nothing pending), whether a
    stored batch or a waiting server version is there at all, and whether a blob the server should
    hold is due for a new look (``blob_audit``; False: the look would find nothing to do)."""

    account: (
        tuple[Any, ...] | None
    )  # server_url, email, user_id, device_id, bound_user_id, cursor, last_sync_at, token_file
    max_change_id: int
    stored_batches: bool
    incoming: bool
    blob_check_due: bool = True


@dataclass(frozen=True)
class PendingCounts:
    """After a sync: entities with local changes, open conflicts, and the pending ones no conflict holds."""

    pending: int
    open_conflicts: int
    unsent: int


# One statement in one read transaction each: a sync where nothing changed reads only these (and the
# files it should hold), through the driver (driver_read), with no write.
_SYNC_STATE_SQL = (
    "SELECT a.server_url, a.email, a.user_id, a.device_id, a.bound_user_id, a.cursor, a.last_sync_at, "
    "a.token_file, a.id IS NOT NULL, (SELECT MAX(id) FROM change_log), "
    "EXISTS (SELECT 1 FROM sync_batches), EXISTS (SELECT 1 FROM sync_incoming), "
    f":cutoff IS NULL OR NOT {AUDIT_FRESH} "
    "FROM (SELECT 1) LEFT JOIN sync_account AS a ON a.id = 1"
)
_PENDING_COUNTS_SQL = (
    "SELECT (SELECT COUNT(*) FROM (SELECT DISTINCT entity_type, entity_id FROM change_log)), "
    "(SELECT COUNT(*) FROM (SELECT DISTINCT entity_type, entity_id FROM sync_conflicts)), "
    "(SELECT COUNT(*) FROM (SELECT DISTINCT entity_type, entity_id FROM change_log AS c WHERE NOT EXISTS "
    "(SELECT 1 FROM sync_conflicts AS k WHERE k.entity_type = c.entity_type AND k.entity_id = c.entity_id)))"
)


def read_sync_state(db: Engine, blob_check_cutoff: str | None = None) -> SyncState:
    """The state before a sync; ``blob_check_cutoff`` (a ``utc_now`` stamp): blobs last seen on the
    server before it are due for a new look (``blob_audit.check_cutoff``), and the uploads' checks are
    looked at unless the last complete look still says none is due then (``noop_rules.AUDIT_FRESH``);
    None: count them due."""
    with driver_read(db) as conn:
        row = conn.execute(_SYNC_STATE_SQL, {"cutoff": blob_check_cutoff}).fetchone()
    return SyncState(tuple(row[:8]) if row[8] else None, int(row[9] or 0), bool(row[10]), bool(row[11]), bool(row[12]))


def read_pending_counts(db: Engine) -> PendingCounts:
    with driver_read(db) as conn:
        pending, conflicts, unsent = conn.execute(_PENDING_COUNTS_SQL).fetchone()
    return PendingCounts(int(pending), int(conflicts), int(unsent))


def table(entity_type: str) -> Table:
    return TABLES[entity_type].__table__  # type: ignore[attr-defined,no-any-return]


@cache
def references(entity_type: str) -> tuple[Reference, ...]:
    out = []
    for fk in table(entity_type).foreign_keys:
        target = fk.column.table.name
        if target in ENTITY_TYPES:
            out.append(Reference(entity_type, fk.parent.name, target, fk.ondelete, bool(fk.parent.nullable)))
    return tuple(sorted(out, key=lambda r: r.column))


@cache
def referrers(target: str) -> tuple[Reference, ...]:
    return tuple(r for t in ENTITY_TYPES for r in references(t) if r.target == target)


_CHANGE_LOG = ChangeLog.__table__  # type: ignore[attr-defined]
_BASE = SyncBase.__table__  # type: ignore[attr-defined]
_INCOMING = SyncIncoming.__table__  # type: ignore[attr-defined]
_CONFLICTS = SyncConflict.__table__  # type: ignore[attr-defined]


def _by_type(keys: Iterable[Key]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for entity_type, entity_id in keys:
        out.setdefault(entity_type, []).append(entity_id)
    return out


def _json(value: Any) -> Any:
    return null() if value is None else value


class LocalState:
    """The local side of sync, bound to one session (one transaction)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    # ---- the artist's rows -----------------------------------------------------------------
    def read(self, entity_type: str, entity_id: str) -> Data | None:
        t = table(entity_type)
        row = self.s.execute(select(t).where(t.c.id == entity_id)).mappings().first()
        if row is None:
            return None
        return {name: row[name] for name in data_fields(entity_type)}

    def read_many(self, entity_type: str, ids: Iterable[str]) -> dict[str, Data]:
        t = table(entity_type)
        names = data_fields(entity_type)
        out: dict[str, Data] = {}
        id_list = list(ids)
        for start in range(0, len(id_list), 500):
            chunk = id_list[start : start + 500]
            for row in self.s.execute(select(t).where(t.c.id.in_(chunk))).mappings():
                out[row["id"]] = {name: row[name] for name in names}
        return out

    def exists(self, entity_type: str, entity_id: str) -> bool:
        t = table(entity_type)
        return self.s.execute(select(t.c.id).where(t.c.id == entity_id)).first() is not None

    def existing(self, entity_type: str, ids: Iterable[str]) -> set[str]:
        t = table(entity_type)
        id_list = list(ids)
        found: set[str] = set()
        for start in range(0, len(id_list), 500):
            found.update(self.s.scalars(select(t.c.id).where(t.c.id.in_(id_list[start : start + 500]))))
        return found

    def write(self, entity_type: str, entity_id: str, data: Data) -> None:
        """Insert or update the row with exactly ``data`` (local-only columns are left alone)."""
        t = table(entity_type)
        values = {name: data.get(name) for name in data_fields(entity_type)}
        stmt = sqlite_insert(t).values({"id": entity_id, **values})
        self.s.execute(stmt.on_conflict_do_update(index_elements=[t.c.id], set_=values))

    def write_many(self, entity_type: str, rows: list[tuple[str, Data]]) -> None:
        """``write`` for many rows of one type in one statement (executemany)."""
        if not rows:
            return
        t = table(entity_type)
        names = data_fields(entity_type)
        stmt = sqlite_insert(t)
        stmt = stmt.on_conflict_do_update(index_elements=[t.c.id], set_={n: stmt.excluded[n] for n in names})
        params = [{"id": entity_id, **{n: data.get(n) for n in names}} for entity_id, data in rows]
        self.s.connection().execute(stmt, params)

    def remove(self, entity_type: str, entity_id: str) -> None:
        t = table(entity_type)
        self.s.execute(delete(t).where(t.c.id == entity_id))

    def remove_many(self, entity_type: str, ids: list[str]) -> None:
        t = table(entity_type)
        for start in range(0, len(ids), 500):
            self.s.execute(delete(t).where(t.c.id.in_(ids[start : start + 500])))

    def count_all(self) -> int:
        total = 0
        for entity_type in ENTITY_TYPES:
            total += int(self.s.scalar(select(func.count()).select_from(table(entity_type))) or 0)
        return total

    def missing_targets(self, entity_type: str, data: Data) -> list[Reference]:
        """The references of ``data`` whose target is not on this computer."""
        return [
            ref
            for ref in references(entity_type)
            if data.get(ref.column) is not None and not self.exists(ref.target, data[ref.column])
        ]

    def dependents(self, entity_type: str, entity_id: str) -> tuple[list[Key], list[tuple[Key, str]]]:
        """What deleting the entity takes with it: rows removed (cascade, or rows that must go first),
        deepest last, and ``(row, column)`` references set to NULL."""
        removed: list[Key] = []
        nulled: list[tuple[Key, str]] = []
        seen: set[Key] = {(entity_type, entity_id)}
        frontier: list[Key] = [(entity_type, entity_id)]
        while frontier:
            parent_type, parent_id = frontier.pop(0)
            for ref in referrers(parent_type):
                t = table(ref.entity_type)
                for child_id in self.s.scalars(select(t.c.id).where(t.c[ref.column] == parent_id)):
                    key = (ref.entity_type, child_id)
                    if ref.ondelete == "SET NULL":
                        nulled.append((key, ref.column))
                    elif key not in seen:
                        seen.add(key)
                        removed.append(key)
                        frontier.append(key)
        return removed, nulled

    def recompute_derived(self) -> None:
        """Values kept by triggers, recomputed after server changes applied in any order."""
        self.s.execute(
            text(
                "UPDATE goals SET current_value = COALESCE("
                "(SELECT SUM(value) FROM goal_progress WHERE goal_id = goals.id), 0)"
            )
        )
        self.s.execute(
            text("UPDATE storage_quotas SET used_bytes = (SELECT COALESCE(SUM(file_size_bytes), 0) FROM files)")
        )

    # ---- pending local changes ---------------------------------------------------------------
    def max_change_id(self) -> int:
        return int(self.s.connection().exec_driver_sql("SELECT MAX(id) FROM change_log").scalar() or 0)

    def pending_keys(self, up_to: int | None = None) -> list[Key]:
        # Plain SQL: a first sync plans every row of the computer from here.
        sql = "SELECT DISTINCT entity_type, entity_id FROM change_log"
        rows = (
            self.s.connection().exec_driver_sql(sql).fetchall()
            if up_to is None
            else self.s.connection().exec_driver_sql(sql + " WHERE id <= ?", (up_to,)).fetchall()
        )
        return [(r[0], r[1]) for r in rows]

    def pending_count(self) -> int:
        sub = select(_CHANGE_LOG.c.entity_type, _CHANGE_LOG.c.entity_id).distinct().subquery()
        return int(self.s.scalar(select(func.count()).select_from(sub)) or 0)

    def is_pending(self, key: Key) -> bool:
        c = _CHANGE_LOG.c
        stmt = select(c.id).where(c.entity_type == key[0], c.entity_id == key[1]).limit(1)
        return self.s.execute(stmt).first() is not None

    def pending_among(self, keys: Iterable[Key]) -> set[Key]:
        """Which of ``keys`` have pending local changes."""
        c = _CHANGE_LOG.c
        found: set[Key] = set()
        for entity_type, ids in _by_type(keys).items():
            for start in range(0, len(ids), 500):
                stmt = (
                    select(c.entity_id)
                    .distinct()
                    .where(c.entity_type == entity_type, c.entity_id.in_(ids[start : start + 500]))
                )
                found.update((entity_type, i) for i in self.s.scalars(stmt))
        return found

    def clear_pending_many(self, keys: Iterable[Key], up_to: int) -> None:
        """``clear_pending`` for many entities: rows with id <= ``up_to`` only."""
        params = [{"t": k[0], "i": k[1], "u": up_to} for k in keys]
        if not params:
            return
        c = _CHANGE_LOG.c
        stmt = delete(_CHANGE_LOG).where(
            c.entity_type == bindparam("t"), c.entity_id == bindparam("i"), c.id <= bindparam("u")
        )
        self.s.connection().execute(stmt, params)

    def clear_pending(self, key: Key, up_to: int | None = None) -> None:
        c = _CHANGE_LOG.c
        stmt = delete(_CHANGE_LOG).where(c.entity_type == key[0], c.entity_id == key[1])
        if up_to is not None:
            stmt = stmt.where(c.id <= up_to)
        self.s.execute(stmt)

    def mark_pending(self, key: Key, op: str) -> None:
        """Record a local change the engine made on the artist's behalf (it is pushed like an edit)."""
        self.s.execute(_CHANGE_LOG.insert().values(entity_type=key[0], entity_id=key[1], op=op, changed_at=utc_now()))

    # ---- server versions: the base and the incoming ------------------------------------------
    def base(self, key: Key) -> Version | None:
        c = _BASE.c
        row = self.s.execute(select(_BASE).where(c.entity_type == key[0], c.entity_id == key[1])).mappings().first()
        if row is None:
            return None
        return Version(row["data"], row["checksum"], bool(row["deleted"]), int(row["seq"]))

    def bases(self, keys: Iterable[Key]) -> dict[Key, Version]:
        """``base`` for many entities at once (absent ones are left out)."""
        c = _BASE.c
        found: dict[Key, Version] = {}
        for entity_type, ids in _by_type(keys).items():
            for start in range(0, len(ids), 500):
                stmt = select(_BASE).where(c.entity_type == entity_type, c.entity_id.in_(ids[start : start + 500]))
                for row in self.s.execute(stmt).mappings():
                    found[(entity_type, row["entity_id"])] = Version(
                        row["data"], row["checksum"], bool(row["deleted"]), int(row["seq"])
                    )
        return found

    def set_bases(self, items: Iterable[tuple[Key, Version]]) -> None:
        """``set_base`` for many entities, in two statements (live versions, tombstones)."""
        all_items = list(items)
        live = [(k, v) for k, v in all_items if not v.deleted]
        gone = [(k, v) for k, v in all_items if v.deleted]
        c = _BASE.c
        index = [c.entity_type, c.entity_id]
        if live:
            stmt = sqlite_insert(_BASE)
            stmt = stmt.on_conflict_do_update(
                index_elements=index,
                set_={
                    "checksum": stmt.excluded.checksum,
                    "data": stmt.excluded.data,
                    "deleted": False,
                    "seq": stmt.excluded.seq,
                },
            )
            self.s.connection().execute(
                stmt,
                [
                    {
                        "entity_type": k[0],
                        "entity_id": k[1],
                        "checksum": v.checksum,
                        "data": v.data,
                        "deleted": False,
                        "seq": v.seq,
                    }
                    for k, v in live
                ],
            )
        if gone:
            stmt = sqlite_insert(_BASE)
            stmt = stmt.on_conflict_do_update(
                index_elements=index,
                set_={"checksum": None, "data": null(), "deleted": True, "seq": stmt.excluded.seq},
            )
            self.s.connection().execute(
                stmt,
                [
                    {"entity_type": k[0], "entity_id": k[1], "checksum": None, "deleted": True, "seq": v.seq}
                    for k, v in gone
                ],
            )

    def set_base(self, key: Key, version: Version) -> None:
        values = {
            "checksum": version.checksum,
            "data": _json(None if version.deleted else version.data),
            "deleted": version.deleted,
            "seq": version.seq,
        }
        stmt = sqlite_insert(_BASE).values(entity_type=key[0], entity_id=key[1], **values)
        self.s.execute(stmt.on_conflict_do_update(index_elements=[_BASE.c.entity_type, _BASE.c.entity_id], set_=values))

    def incoming(self, key: Key) -> Version | None:
        c = _INCOMING.c
        stmt = select(_INCOMING).where(c.entity_type == key[0], c.entity_id == key[1])
        row = self.s.execute(stmt).mappings().first()
        if row is None:
            return None
        return Version(row["data"], row["checksum"], bool(row["deleted"]), int(row["seq"]))

    def all_incoming(self) -> list[tuple[Key, Version]]:
        rows = self.s.execute(select(_INCOMING)).mappings()
        out = [
            ((r["entity_type"], r["entity_id"]), Version(r["data"], r["checksum"], bool(r["deleted"]), int(r["seq"])))
            for r in rows
        ]
        out.sort(key=lambda item: (ORDER.get(item[0][0], len(ORDER)), item[1].seq))
        return out

    def has_incoming(self) -> bool:
        return self.s.execute(select(_INCOMING.c.entity_id).limit(1)).first() is not None

    def incoming_keys(self) -> set[Key]:
        rows = self.s.connection().exec_driver_sql("SELECT entity_type, entity_id FROM sync_incoming").fetchall()
        return {(r[0], r[1]) for r in rows}

    def stage(self, key: Key, version: Version) -> None:
        """Keep a server version to apply when the pull has completed (a newer one replaces it)."""
        current = self.incoming(key)
        if current is not None and current.seq > version.seq:
            return
        values = {
            "checksum": version.checksum,
            "data": _json(None if version.deleted else version.data),
            "deleted": version.deleted,
            "seq": version.seq,
        }
        stmt = sqlite_insert(_INCOMING).values(entity_type=key[0], entity_id=key[1], **values)
        self.s.execute(
            stmt.on_conflict_do_update(index_elements=[_INCOMING.c.entity_type, _INCOMING.c.entity_id], set_=values)
        )

    def unstage(self, key: Key) -> None:
        c = _INCOMING.c
        self.s.execute(delete(_INCOMING).where(c.entity_type == key[0], c.entity_id == key[1]))

    # ---- conflicts -----------------------------------------------------------------------------
    def conflict(self, key: Key) -> SyncConflict | None:
        c = _CONFLICTS.c
        stmt = select(_CONFLICTS).where(c.entity_type == key[0], c.entity_id == key[1])
        row = self.s.execute(stmt).mappings().first()
        return SyncConflict.model_validate(dict(row)) if row is not None else None

    def conflict_keys(self) -> set[Key]:
        rows = self.s.connection().exec_driver_sql("SELECT entity_type, entity_id FROM sync_conflicts").fetchall()
        return {(r[0], r[1]) for r in rows}

    def keep_conflict(
        self,
        key: Key,
        *,
        local: Data | None,
        remote: Version,
        base: Data | None,
        fields: Iterable[str],
    ) -> bool:
        """Record (or update) the conflict of ``key``; True when it is new."""
        existing = self.conflict(key)
        values = {
            "local_data": _json(local if existing is None else existing.local_data),
            "remote_data": _json(None if remote.deleted else remote.data),
            "remote_checksum": remote.checksum,
            "base_data": _json(base if existing is None else existing.base_data),
            "fields": sorted(set(fields)),
        }
        if existing is None:
            self.s.execute(
                _CONFLICTS.insert().values(
                    id=str(uuid.uuid4()), entity_type=key[0], entity_id=key[1], created_at=utc_now(), **values
                )
            )
            return True
        self.s.execute(_CONFLICTS.update().where(_CONFLICTS.c.id == existing.id).values(**values))
        return False

    def drop_conflict(self, key: Key) -> None:
        c = _CONFLICTS.c
        self.s.execute(delete(_CONFLICTS).where(c.entity_type == key[0], c.entity_id == key[1]))
