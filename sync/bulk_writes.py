"""The sync's bulk reads and writes: a pulled page's plainly taken versions and a push batch's rows, bases
and answers, one statement (or executemany) per table and chunk.

``LocalState.write_many`` and ``set_bases`` go through SQLAlchemy Core, which builds and processes a
parameter dictionary per row and reads each base's data back as JSON; a first download writes tens
of thousands of rows and bases. Here the same upserts are built once per table and run with plain
tuples through the driver's ``executemany``, each value converted by its column's own SQLAlchemy
type, so the stored values are the ones Core would store (a JSON column's objects are encoded by the
C encoder ``json.dumps`` itself uses, built once instead of per call: the same text). The base
lookup reads only what deciding needs (checksum, tombstone, seq), not the data; rows are read with
plain SQL, each value converted by its column's own result processor, so they read as
``LocalState.read_many`` reads them. Everything runs inside the caller's transaction. Pulled rows are
written without SQLite's CHECK constraints, which their validation already proved (``_checks_proven``),
and many at once without the table's change-capture triggers, which would log nothing (``_captureless``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Container, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import CheckConstraint, Dialect, Table

from ..local_db.change_capture import capture_triggers_lifted
from ..local_db.sync_tables import SyncBase
from ..schema.entities import ENTITY_TYPES, data_fields
from .local_store import Data, Key, LocalState, Version, table

_BASE: Table = SyncBase.__table__  # type: ignore[attr-defined]
_CHUNK = 900  # ids per IN (...) query, under SQLite's oldest limit of 999 variables
# Sort keys of the rows a bulk write binds (a stable sort: the same key twice keeps its order, the last wins).
# Rows written in key order touch each index page once, not at random: 20 pages of 1,000 pulled rows and
# bases, raw SQLite: 308 → 275 ms.
_BY_ID = itemgetter(0)
_BY_KEY = itemgetter(0, 1)

Processor = Callable[[Any], Any] | None


class BaseMark(NamedTuple):
    """What deciding about a pulled version needs of the base: not its data. A named tuple: a pull of
    edits reads one per pulled version, and a frozen dataclass took three times as long to build."""

    checksum: str | None
    deleted: bool
    seq: int


@dataclass(frozen=True)
class _Upsert:
    sql: str
    columns: tuple[str, ...]
    processors: tuple[Processor, ...]

    def params(self, rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """Each row's values as its columns' types bind them (a JSON column's None is JSON null, as in Core)."""
        procs = self.processors
        if not any(procs):
            return [row if type(row) is tuple else tuple(row) for row in rows]
        return [tuple(v if p is None else p(v) for p, v in zip(procs, row, strict=True)) for row in rows]


_STATEMENTS: dict[tuple[str, str], _Upsert] = {}
_UPDATES: dict[tuple[str, str], _Upsert] = {}


def _update(t: Table, columns: list[str], key: list[str], dialect: Dialect) -> _Upsert:
    """``UPDATE`` of every column of ``columns`` not in ``key``, where the key is: its parameters are the
    values in the order of ``columns`` with the key's last (:func:`_key_last`)."""
    cache_key = (t.name, dialect.name)
    found = _UPDATES.get(cache_key)
    if found is None:
        q = dialect.identifier_preparer.quote
        ordered = [c for c in columns if c not in key] + key
        sets = ", ".join(f"{q(c)} = ?" for c in ordered[: -len(key)])
        where = " AND ".join(f"{q(c)} = ?" for c in key)
        processors = tuple(_upsert(t, columns, key, dialect).processors[columns.index(c)] for c in ordered)
        sql = f"UPDATE {q(t.name)} SET {sets} WHERE {where}"
        found = _UPDATES[cache_key] = _Upsert(sql, tuple(ordered), processors)
    return found


def _key_last(rows: list[tuple[Any, ...]], keys: int) -> list[tuple[Any, ...]]:
    return [(*row[keys:], *row[:keys]) for row in rows]


def _update_held(
    conn: Any,
    t: Table,
    columns: list[str],
    key: list[str],
    rows: list[tuple[Any, ...]],
    held: list[bool],
    bound: bool = False,
) -> list[tuple[Any, ...]]:
    """Update in place the rows marked ``held`` (the caller knows them to be here): cheaper than an upsert,
    which first tries to insert. The rows still to upsert: the others, or all when one of the held ones
    was not found after all (the upsert then sets the updated ones to the same values again).
    ``bound``: the rows' values are bound already (by the upsert's processors, which are the update's)."""
    if not any(held):
        return rows
    stmt = _update(t, columns, key, conn.dialect)
    here = _key_last([row for row, h in zip(rows, held, strict=True) if h], len(key))
    found = conn.exec_driver_sql(stmt.sql, here if bound else stmt.params(here)).rowcount
    if found != len(here):
        return rows
    return [row for row, h in zip(rows, held, strict=True) if not h]


def _upsert(t: Table, columns: list[str], key: list[str], dialect: Dialect) -> _Upsert:
    cache_key = (t.name, dialect.name)
    found = _STATEMENTS.get(cache_key)
    if found is not None:
        return found
    q = dialect.identifier_preparer.quote
    names = ", ".join(q(c) for c in columns)
    marks = ", ".join("?" for _ in columns)
    updates = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in columns if c not in key)
    sql = (
        f"INSERT INTO {q(t.name)} ({names}) VALUES ({marks}) "
        f"ON CONFLICT ({', '.join(q(c) for c in key)}) DO UPDATE SET {updates}"
    )
    processors = tuple(_quick_json(t.c[c].type.dialect_impl(dialect).bind_processor(dialect)) for c in columns)
    made = _Upsert(sql, tuple(columns), processors)
    _STATEMENTS[cache_key] = made
    return made


# The C encoder that ``json.dumps(value)`` builds on every call (default separators, ASCII, NaN allowed),
# built once: the same text at about half the cost per base.
_ENCODE = (
    c_make_encoder(None, None, encode_basestring_ascii, None, ": ", ", ", False, False, True)
    if c_make_encoder is not None
    else None
)
_PROBE = {"a": [1, 2.5, None, True, "é\u2028"], "b": {"c": "d"}}


def _quick_json(process: Processor) -> Processor:
    """A JSON column's bind processor that encodes objects and arrays with :data:`_ENCODE`, when that
    processor is plain ``json.dumps`` (the dialect's default serializer); anything else goes to it."""
    if process is None or _ENCODE is None:
        return process
    encode = _ENCODE
    try:
        if process(_PROBE) != json.dumps(_PROBE) or "".join(encode(_PROBE, 0)) != json.dumps(_PROBE):
            return process
    except Exception:  # not a JSON column: a processor of some other type
        return process

    def bind(value: Any) -> Any:
        if type(value) is dict or type(value) is list:
            try:
                return "".join(encode(value, 0))
            except Exception:  # what json.dumps refuses, it refuses in its own words
                pass
        return process(value)

    return bind


def _chunks(ids: list[str]) -> Iterator[tuple[list[str], str]]:
    """``ids`` in chunks that fit one ``IN (...)``, each with its placeholders."""
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        yield chunk, ", ".join("?" for _ in chunk)


def _typed_chunks(keys: Iterable[Key]) -> Iterator[tuple[str, list[str], str]]:
    """``keys`` grouped by entity type, in chunks that fit one ``IN (...)``: (type, ids, placeholders)."""
    by_type: dict[str, list[str]] = {}
    for entity_type, entity_id in keys:
        by_type.setdefault(entity_type, []).append(entity_id)
    for entity_type, ids in by_type.items():
        for chunk, marks in _chunks(ids):
            yield entity_type, chunk, marks


def base_marks(st: LocalState, keys: Iterable[Key]) -> dict[Key, BaseMark]:
    """The bases of ``keys`` that exist, without their data."""
    conn = st.s.connection()
    found: dict[Key, BaseMark] = {}
    for entity_type, chunk, marks in _typed_chunks(keys):
        sql = (
            f"SELECT entity_id, checksum, deleted, seq FROM sync_base WHERE entity_type = ? AND entity_id IN ({marks})"
        )
        for entity_id, checksum, deleted, seq in conn.exec_driver_sql(sql, (entity_type, *chunk)).fetchall():
            found[(entity_type, entity_id)] = BaseMark(checksum, bool(deleted), int(seq))
    return found


_READERS: dict[tuple[str, str], tuple[str, tuple[str, ...], tuple[Processor, ...]]] = {}


def _reader(entity_type: str, dialect: Dialect) -> tuple[str, tuple[str, ...], tuple[Processor, ...]]:
    found = _READERS.get((entity_type, dialect.name))
    if found is None:
        t = table(entity_type)
        q = dialect.identifier_preparer.quote
        names = tuple(data_fields(entity_type))
        sql = f"SELECT {q('id')}, {', '.join(q(n) for n in names)} FROM {q(t.name)} WHERE {q('id')} IN "
        procs = tuple(t.c[n].type.dialect_impl(dialect).result_processor(dialect, None) for n in names)
        found = _READERS[(entity_type, dialect.name)] = (sql, names, procs)
    return found


def read_rows(st: LocalState, entity_type: str, ids: list[str]) -> dict[str, Data]:
    """``LocalState.read_many``: the data of the rows of ``ids`` that exist, by id."""
    conn = st.s.connection()
    sql, names, procs = _reader(entity_type, conn.dialect)
    convert = any(procs)
    out: dict[str, Data] = {}
    for chunk, marks in _chunks(ids):
        for row in conn.exec_driver_sql(f"{sql}({marks})", tuple(chunk)).fetchall():
            values = row[1:]
            if convert:
                values = tuple(v if p is None else p(v) for p, v in zip(procs, values, strict=True))
            out[row[0]] = dict(zip(names, values, strict=True))
    return out


def existing(st: LocalState, entity_type: str, ids: Iterable[str]) -> set[str]:
    """``LocalState.existing``: which of ``ids`` have a row of ``entity_type``."""
    conn = st.s.connection()
    q = conn.dialect.identifier_preparer.quote
    found: set[str] = set()
    for chunk, marks in _chunks(list(ids)):
        sql = f"SELECT id FROM {q(table(entity_type).name)} WHERE id IN ({marks})"
        found.update(row[0] for row in conn.exec_driver_sql(sql, tuple(chunk)).fetchall())
    return found


def any_entities(st: LocalState) -> bool:
    """Whether this computer holds any entity at all (one statement; no count of big tables)."""
    conn = st.s.connection()
    q = conn.dialect.identifier_preparer.quote
    sql = "SELECT " + " OR ".join(f"EXISTS (SELECT 1 FROM {q(table(t).name)})" for t in ENTITY_TYPES)
    return bool(conn.exec_driver_sql(sql).scalar())


def pending_among(st: LocalState, keys: Iterable[Key]) -> set[Key]:
    """``LocalState.pending_among``: which of ``keys`` have change-log rows."""
    conn = st.s.connection()
    found: set[Key] = set()
    if not conn.exec_driver_sql("SELECT EXISTS (SELECT 1 FROM change_log)").scalar():
        return found  # nothing pending at all (a first download's usual case): no lookup of each key
    for entity_type, chunk, marks in _typed_chunks(keys):
        sql = f"SELECT DISTINCT entity_id FROM change_log WHERE entity_type = ? AND entity_id IN ({marks})"
        found.update((entity_type, row[0]) for row in conn.exec_driver_sql(sql, (entity_type, *chunk)).fetchall())
    return found


def clear_pending(st: LocalState, keys: Iterable[Key], up_to: int) -> None:
    """``LocalState.clear_pending_many``: the change-log rows of ``keys`` with id <= ``up_to``, one executemany."""
    params = [(k[0], k[1], up_to) for k in keys]
    if params:
        st.s.connection().exec_driver_sql(
            "DELETE FROM change_log WHERE entity_type = ? AND entity_id = ? AND id <= ?", params
        )


def write_rows(
    st: LocalState, entity_type: str, rows: list[tuple[str, Data]], held: Container[str] = frozenset()
) -> None:
    """``LocalState.write_many``: insert or update each row with exactly its data (local-only columns
    are left alone), in one executemany (two when some are ``held``: ids the caller knows are here)."""
    if not rows:
        return
    conn = st.s.connection()
    names = data_fields(entity_type)
    columns = ["id", *names]
    values = _row_values(names, rows)
    values.sort(key=_BY_ID)  # in key order: each insert lands next to the last one in the indexes' pages
    with _checks_proven(conn, entity_type, values), _captureless(conn, entity_type, len(values)):
        if held:
            values = _update_held(conn, table(entity_type), columns, ["id"], values, [v[0] in held for v in values])
        if values:
            stmt = _upsert(table(entity_type), columns, ["id"], conn.dialect)
            conn.exec_driver_sql(stmt.sql, stmt.params(values))


# Rows from which a bulk write lifts its table's change-capture triggers. Dropping and creating them again
# costs about 1.5 million instructions a page (their SQL parsed, every statement of the connection prepared
# again: about 0.15 ms), each row lifted saves about 10,000 (timeline entries): pages of 100 pulled rows cost
# 0.25 million more lifted, of 200 0.24 million less (callgrind, 40 pages). Another connection reads the
# whole schema again after a commit that changed it (about 1 ms, once): a margin.
LIFT_FROM = 250


def _captureless(conn: Any, entity_type: str, rows: int) -> AbstractContextManager[None]:
    """``capture_triggers_lifted`` for a write of ``rows`` rows (not worth it for a few)."""
    return capture_triggers_lifted(conn, table(entity_type).name) if rows >= LIFT_FROM else nullcontext()


def remove_rows(st: LocalState, entity_type: str, ids: list[str]) -> None:
    """``LocalState.remove_many`` for a page's tombstones: a DELETE per chunk of ids, many of them without the
    table's change-capture triggers (``_captureless``). Its other triggers run, and so do its foreign keys'
    actions, with the triggers of the rows they reach."""
    if not ids:
        return
    conn = st.s.connection()
    q = conn.dialect.identifier_preparer.quote
    sql = f"DELETE FROM {q(table(entity_type).name)} WHERE {q('id')} IN "
    with _captureless(conn, entity_type, len(ids)):
        for chunk, marks in _chunks(ids):
            conn.exec_driver_sql(f"{sql}({marks})", tuple(chunk))


_LENGTH_COLUMNS: dict[str, tuple[itemgetter[Any], ...]] = {}


def _length_checked(entity_type: str) -> tuple[itemgetter[Any], ...]:
    """What reads, from a row of (id, *data fields), each column a ``length(…)`` CHECK judges (none: empty)."""
    if entity_type not in _LENGTH_COLUMNS:
        names = data_fields(entity_type)
        judged = sorted(
            {
                1 + names.index(name)
                for check in table(entity_type).constraints
                if isinstance(check, CheckConstraint)
                for name in names
                if f"length({name})" in str(check.sqltext)
            }
        )
        _LENGTH_COLUMNS[entity_type] = tuple(map(itemgetter, judged))
    return _LENGTH_COLUMNS[entity_type]


@contextmanager
def _checks_proven(conn: Any, entity_type: str, rows: list[tuple[Any, ...]]) -> Iterator[None]:
    """SQLite's CHECK constraints left out of the statements run inside: the rows written here are
    normalized data, validated by the entity schemas those constraints are derived from
    (``local_db.constraints``), so each check holds — and they were a third of a pulled row's write.
    One difference is known: SQLite's ``length()`` counts a text only up to a NUL character (U+0000), so
    a title of one NUL meets the schema's "at least one character" and not the CHECK; rows with a NUL in
    a column a ``length`` check judges are written with the checks, refused as they always were (a row
    stored past its CHECK would be called damage by the start-up ``quick_check``). Tests keep the two in
    step: tests/sync/test_checks_proven.py writes every type's valid data, its boundaries and tricky
    values this way and asks ``PRAGMA integrity_check``, which judges every CHECK of every row."""
    # One text of each judged column's values (a None or a number has no NUL in its str; anything else that
    # shows one is written with the checks, which only costs time): the scan runs in C, not once per value.
    if conn.dialect.name != "sqlite" or any(
        "\x00" in "".join(map(str, map(column, rows))) for column in _length_checked(entity_type)
    ):
        yield
        return
    conn.exec_driver_sql("PRAGMA ignore_check_constraints=ON")
    try:
        yield
    finally:
        conn.exec_driver_sql("PRAGMA ignore_check_constraints=OFF")


def _row_values(names: list[str], rows: list[tuple[str, Data]]) -> list[tuple[Any, ...]]:
    """(id, *the data's values in ``names`` order) per row, a missing field as None. Normalized data holds
    every field, so one ``itemgetter`` call per row reads it; a row without them falls back to ``get``."""
    pick = itemgetter(*names)
    try:
        if len(names) == 1:
            return [(entity_id, pick(data)) for entity_id, data in rows]
        return [(entity_id, *pick(data)) for entity_id, data in rows]
    except KeyError:
        return [(entity_id, *(data.get(n) for n in names)) for entity_id, data in rows]


def write_bases(st: LocalState, items: list[tuple[Key, Version]], held: Container[Key] = frozenset()) -> None:
    """``LocalState.set_bases`` in one executemany (a tombstone's base holds no data); two when some are
    ``held``: keys the caller knows have a base."""
    if not items:
        return
    conn = st.s.connection()
    columns = ["entity_type", "entity_id", "checksum", "data", "deleted", "seq"]
    key = ["entity_type", "entity_id"]
    stmt = _upsert(_BASE, columns, key, conn.dialect)
    # The data is bound here: a tombstone's is SQL NULL (as ``set_bases`` writes it), not JSON null; a pulled
    # version's is the canonical text its checksum was verified on (the same JSON, written once).
    as_json = stmt.processors[3] or (lambda value: value)
    bind_flag = stmt.processors[4] or (lambda value: value)
    deleted, live = bind_flag(True), bind_flag(False)
    rows = [
        (k[0], k[1], None, None, deleted, v.seq)
        if v.deleted
        else (k[0], k[1], v.checksum, as_json(v.data) if v.text is None else v.text, live, v.seq)
        for k, v in items
    ]
    rows.sort(key=_BY_KEY)  # in key order, as write_rows
    if held:
        rows = _update_held(conn, _BASE, columns, key, rows, [(r[0], r[1]) in held for r in rows], bound=True)
    if rows:
        conn.exec_driver_sql(stmt.sql, rows)


def raise_base_seqs(st: LocalState, items: list[tuple[Key, int]]) -> None:
    """Versions seen again (this computer already holds them): only their base's seq moves up."""
    if not items:
        return
    st.s.connection().exec_driver_sql(
        "UPDATE sync_base SET seq = MAX(seq, ?) WHERE entity_type = ? AND entity_id = ?",
        [(seq, k[0], k[1]) for k, seq in items],
    )
