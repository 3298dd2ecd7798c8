"""The user's entities on the server: applying a push, reading a pull page, and the sync status.

A push is one transaction that first locks the user's counter row (``SELECT … FOR UPDATE`` on
PostgreSQL; ``BEGIN IMMEDIATE`` on SQLite), so each user's writes are serialized and every seq it
hands out is larger than any seq already committed: per user, seq order is commit order, and a
pull that read up to seq N can never later find a new change below N. An upsert or delete applies
only when the entity's current checksum equals the change's ``base_checksum`` (absent and
tombstone both count as null); otherwise the change is a conflict and the answer carries the
server's version. Data is stored as its canonical JSON text (RFC 8785: the very bytes its checksum is the
sha-256 of), written once at push time, after that checksum was computed and matched; rows stored before
protocol 4 keep the text as sent (its keys in the order sent), and rows before migration 0005 their JSON
column. A pull page splices that text in as it is: no decode or encode per row, and in the framed form
(protocol 4) each version's text is a line the receiver hashes as it came. A push reads and writes its rows
with plain SQL through the driver (on PostgreSQL one statement each per batch), not a Core statement per row.
"""

from __future__ import annotations

import datetime as dt
import json
import json.encoder
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Dialect, Select, func, not_, or_, select, update

from gigbag.schema.canonical import CanonicalizationError, canonical_json, checksum_of_canonical, is_checksum
from gigbag.schema.entities import ENTITY_TYPES, EntityValidationError
from gigbag.schema.fields import UUID_RE
from gigbag.schema.quick_validation import quick_check_data
from gigbag.schema.wire import (
    INVALID_CHANGE,
    INVALID_CHECKSUM_MISMATCH,
    INVALID_DATA,
    INVALID_ENTITY_ID,
    INVALID_UNKNOWN_TYPE,
    MAX_PULL_PAGE_BYTES,
    PushResult,
)

from .push_body import IncomingChange
from .tables import devices, entities, user_counters

_quote = json.encoder.encode_basestring_ascii  # the C encoder of a JSON string (ASCII, as pages always were)


_is_uuid = re.compile(UUID_RE).match  # ``fields.is_uuid`` without its pattern looked up per call

LOAD_BATCH = 400


@dataclass(slots=True)  # not frozen: a frozen dataclass sets each field through object.__setattr__
class PreparedChange:
    """A change checked outside the transaction; ``invalid`` is its answer when it cannot apply."""

    change: IncomingChange
    invalid: PushResult | None = None
    text: str | None = None  # an upsert's data as its canonical JSON text (its checksum verified)
    digest: str | None = None  # the checksum of the data's canonical form, once computed


def _invalid(
    change: IncomingChange,
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
    digest: str | None = None,
) -> PreparedChange:
    return PreparedChange(
        change,
        PushResult(
            entity_type=change.entity_type,
            entity_id=change.entity_id,
            status="invalid",
            error=message,
            error_code=code,
            field_errors=fields,
        ),
        digest=digest,
    )


def prepare(change: IncomingChange) -> PreparedChange:
    """Check one change against the protocol and its type's rules (no database needed)."""
    if change.entity_type not in ENTITY_TYPES:
        return _invalid(change, INVALID_UNKNOWN_TYPE, "This entity type is not synced by this server.")
    if _is_uuid(change.entity_id) is None:
        return _invalid(change, INVALID_ENTITY_ID, "entity_id must be a lowercase UUID.")
    if change.base_checksum is not None and not is_checksum(change.base_checksum):
        return _invalid(change, INVALID_CHANGE, "base_checksum must be null or 'sha256:' and 64 hex digits.")
    if change.op == "delete":
        if change.data is not None or change.checksum is not None:
            return _invalid(change, INVALID_CHANGE, "A delete carries data and checksum null.")
        return PreparedChange(change)
    if change.data is None or change.checksum is None:
        return _invalid(change, INVALID_CHANGE, "An upsert carries data and its checksum.")
    if not is_checksum(change.checksum):
        return _invalid(change, INVALID_CHANGE, "checksum must be 'sha256:' and 64 lowercase hex digits.")
    try:
        encoded = canonical_json(change.data)
    except CanonicalizationError as exc:
        return _invalid(change, INVALID_DATA, f"The data cannot be written as canonical JSON: {exc}.")
    computed = checksum_of_canonical(encoded)
    if computed != change.checksum:
        return _invalid(
            change,
            INVALID_CHECKSUM_MISMATCH,
            f"The checksum does not match the data (the server computed {computed}).",
            digest=computed,
        )
    try:
        quick_check_data(change.entity_type, change.data)
    except EntityValidationError as exc:
        return _invalid(change, INVALID_DATA, str(exc), dict(exc.errors), digest=computed)
    return PreparedChange(change, text=encoded.decode("utf-8"), digest=computed)


@dataclass
class PushAnswer:
    """The answer of a push (a ``PushResponse`` in shape): each result as the JSON it is sent as."""

    results: list[str]
    cursor: int
    counted: list[str]  # each result's status

    def render(self) -> str:
        return f'{{"results":[{",".join(self.results)}],"cursor":{self.cursor}}}'

    def statuses(self) -> Iterator[str]:
        return iter(self.counted)


_as_sent_string = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) writes for a str


def _written(result: dict[str, Any]) -> str:
    return json.dumps(result, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _applied(change: IncomingChange, checksum: str | None, seq: int) -> str:
    """``_written(_result(change, "applied", checksum, seq))``, the same text without a dict per change."""
    q = _as_sent_string
    digest = "null" if checksum is None else q(checksum)
    return (
        f'{{"entity_type":{q(change.entity_type)},"entity_id":{q(change.entity_id)},"status":"applied",'
        f'"checksum":{digest},"seq":{int(seq)},"server":null,"error":null,"error_code":null,"field_errors":null}}'
    )


def _result(
    change: IncomingChange,
    status: str,
    checksum: str | None,
    seq: int | None,
    server: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One result with every field of ``PushResult`` (no pydantic model per change)."""
    return {
        "entity_type": change.entity_type,
        "entity_id": change.entity_id,
        "status": status,
        "checksum": checksum,
        "seq": seq,
        "server": server,
        "error": None,
        "error_code": None,
        "field_errors": None,
    }


@dataclass(slots=True)
class _Row:
    text: str | None  # the data as JSON text: canonical, or as sent before protocol 4 (before 0005: ``data``)
    checksum: str | None
    deleted: bool
    seq: int
    data: dict[str, Any] | None = None

    def value(self) -> dict[str, Any] | None:
        """The data as a value (decoded only for the answer of a conflict)."""
        return json.loads(self.text) if self.text is not None else self.data


def lock_counter(conn: Connection, user_id: str) -> int:
    """Lock the user's counter row until the transaction ends; return the latest seq."""
    return int(
        conn.execute(
            select(user_counters.c.last_seq).where(user_counters.c.user_id == user_id).with_for_update()
        ).scalar_one()
    )


def _load(conn: Connection, user_id: str, keys: set[tuple[str, str]]) -> dict[tuple[str, str], _Row]:
    by_type: dict[str, list[str]] = {}
    for entity_type, entity_id in keys:
        by_type.setdefault(entity_type, []).append(entity_id)
    out: dict[tuple[str, str], _Row] = {}
    statements = _statements(conn.dialect)
    decode = statements.decode_data
    for entity_type, ids in by_type.items():
        chunks: list[tuple[str, tuple[Any, ...]]]
        if statements.postgres:
            chunks = [(statements.load, (ids, user_id, entity_type))]
        else:
            chunks = [
                (statements.load % ", ".join("?" * len(chunk)), (user_id, entity_type, *chunk))
                for chunk in (ids[start : start + LOAD_BATCH] for start in range(0, len(ids), LOAD_BATCH))
            ]
        for sql, params in chunks:
            for entity_id, data, text, check, deleted, seq in conn.exec_driver_sql(sql, params).fetchall():
                if data is not None and decode is not None:
                    data = decode(data)
                out[(entity_type, entity_id)] = _Row(text, check, bool(deleted), int(seq), data)
    return out


def apply_push(
    conn: Connection,
    user_id: str,
    device_id: str,
    prepared: list[PreparedChange],
    last_seq: int,
    now: dt.datetime,
) -> PushAnswer:
    """Apply checked changes in the caller's transaction, which holds the counter lock."""
    keys = {(p.change.entity_type, p.change.entity_id) for p in prepared if p.invalid is None}
    current = _load(conn, user_id, keys)
    dirty: dict[tuple[str, str], _Row] = {}
    results: list[str] = []
    counted: list[str] = []
    seq = last_seq
    for p in prepared:
        change = p.change
        if p.invalid is not None:
            results.append(_written(p.invalid.model_dump(mode="json")))
            counted.append("invalid")
            continue
        key = (change.entity_type, change.entity_id)
        row = current.get(key)
        if change.base_checksum != (row.checksum if row else None):
            server = {"data": row.value(), "checksum": row.checksum, "deleted": row.deleted} if row else None
            conflict = _result(change, "conflict", row.checksum if row else None, row.seq if row else None, server)
            results.append(_written(conflict))
            counted.append("conflict")
            continue
        if change.op == "upsert":
            unchanged = row is not None and not row.deleted and row.checksum == change.checksum
            new = None if unchanged else _Row(p.text, change.checksum, False, seq + 1)
        else:
            unchanged = row is not None and row.deleted
            new = None if unchanged else _Row(None, None, True, seq + 1)
        if new is None:
            assert row is not None
            results.append(_applied(change, row.checksum, row.seq))
            counted.append("applied")
            continue
        seq = new.seq
        current[key] = dirty[key] = new
        results.append(_applied(change, new.checksum, new.seq))
        counted.append("applied")
    if dirty:
        _write(conn, user_id, device_id, dirty, now)
        conn.execute(update(user_counters).where(user_counters.c.user_id == user_id).values(last_seq=seq))
    return PushAnswer(results, seq, counted)


def _write(
    conn: Connection, user_id: str, device_id: str, dirty: dict[tuple[str, str], _Row], now: dt.datetime
) -> None:
    statements = _statements(conn.dialect)
    # In seq order, so the unique (user_id, seq) index never sees a transient duplicate.
    rows = sorted(dirty.items(), key=lambda item: item[1].seq)
    when = statements.bind_time(now)
    if statements.postgres:
        # One statement for the whole batch: the rows travel as one array per column.
        columns = (
            [entity_type for (entity_type, _), _ in rows],
            [entity_id for (_, entity_id), _ in rows],
            [row.text for _, row in rows],
            [row.checksum for _, row in rows],
            [row.deleted for _, row in rows],
            [row.seq for _, row in rows],
        )
        conn.exec_driver_sql(statements.write, (user_id, device_id, when, *columns))
        return
    yes, no = statements.bind_bool(True), statements.bind_bool(False)
    conn.exec_driver_sql(
        statements.write,
        [
            (
                user_id,
                entity_type,
                entity_id,
                None,
                row.text,
                row.checksum,
                yes if row.deleted else no,
                device_id,
                row.seq,
                when,
            )
            for (entity_type, entity_id), row in rows
        ],
    )


_WRITTEN = ("data", "data_text", "checksum", "deleted", "last_device_id", "seq", "updated_at")
_UPDATE = ", ".join(f"{name} = excluded.{name}" for name in _WRITTEN)
_ON_KEY = f"ON CONFLICT (user_id, entity_type, entity_id) DO UPDATE SET {_UPDATE}"
_SELECTED = "entity_id, data, data_text, checksum, deleted, seq"


@dataclass(frozen=True)
class _Statements:
    """A push's two statements in plain SQL for one dialect, and the column conversions SQLAlchemy would apply.

    The rows go through the driver as they are (no compiled statement, no parameter dictionary and no
    type processing per row); each value is converted by its column's own SQLAlchemy type once per push
    where Core would do it per row, so the stored values are the ones Core stored.
    """

    postgres: bool
    load: str
    write: str
    bind_time: Callable[[dt.datetime], Any]
    bind_bool: Callable[[bool], Any]
    decode_data: Callable[[Any], Any] | None


def _processor(column: str, dialect: Dialect) -> Callable[[Any], Any]:
    process = entities.c[column].type.dialect_impl(dialect).bind_processor(dialect)
    return process if process is not None else (lambda value: value)


_CACHE: dict[str, _Statements] = {}


def _statements(dialect: Dialect) -> _Statements:
    found = _CACHE.get(dialect.name)
    if found is not None:
        return found
    decode = entities.c.data.type.dialect_impl(dialect).result_processor(dialect, None)
    if dialect.name == "postgresql":
        # A lookup per key, planned the same with or without statistics: an ``IN``/``ANY`` list on a table
        # analyzed before the user's rows came can be planned as a scan of all the user's rows per push.
        # Parameters in binary (%b): psycopg writes a list in text form escaping each element with a regex.
        load = (
            f"SELECT e.{_SELECTED.replace(', ', ', e.')} FROM unnest(%b::text[]) AS k(entity_id) "
            f"CROSS JOIN LATERAL (SELECT {_SELECTED} FROM entities WHERE user_id = %b AND entity_type = %b "
            "AND entity_id = k.entity_id LIMIT 1) AS e"
        )
        write = (
            "INSERT INTO entities (user_id, entity_type, entity_id, data, data_text, checksum, deleted, "
            "last_device_id, seq, updated_at) "
            "SELECT %b::varchar, t.entity_type, t.entity_id, NULL::json, t.data_text, t.checksum, t.deleted, "
            "%b::varchar, t.seq, %b::timestamptz "
            "FROM unnest(%b::varchar[], %b::varchar[], %b::text[], %b::varchar[], %b::boolean[], %b::bigint[]) "
            f"AS t(entity_type, entity_id, data_text, checksum, deleted, seq) {_ON_KEY}"
        )
    else:
        load = f"SELECT {_SELECTED} FROM entities WHERE user_id = ? AND entity_type = ? AND entity_id IN (%s)"
        write = (
            "INSERT INTO entities (user_id, entity_type, entity_id, data, data_text, checksum, deleted, "
            f"last_device_id, seq, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) {_ON_KEY}"
        )
    made = _Statements(
        postgres=dialect.name == "postgresql",
        load=load,
        write=write,
        bind_time=_processor("updated_at", dialect),
        bind_bool=_processor("deleted", dialect),
        decode_data=decode,
    )
    _CACHE[dialect.name] = made
    return made


# A device's last sync is recorded at most once a minute by a pull (a push records it exactly, in its own
# transaction): a no-op sync then writes nothing, and status and the device lists stay right to the minute.
LAST_SYNC_RESOLUTION = dt.timedelta(minutes=1)


def touch_device(conn: Connection, device_id: str, now: dt.datetime) -> None:
    """Record the device's sync now (inside a write transaction that writes anyway: a push)."""
    conn.execute(update(devices).where(devices.c.id == device_id).values(last_sync_at=now))


def sync_recorded_recently(conn: Connection, device_id: str, now: dt.datetime) -> bool:
    """Whether the device's last sync was recorded less than :data:`LAST_SYNC_RESOLUTION` before ``now``."""
    last = conn.execute(select(devices.c.last_sync_at).where(devices.c.id == device_id)).scalar_one_or_none()
    return last is not None and now - last < LAST_SYNC_RESOLUTION


def touch_device_coarsely(conn: Connection, device_id: str, now: dt.datetime) -> None:
    """Record the device's sync now unless it was recorded less than a resolution ago (by any process)."""
    conn.execute(
        update(devices)
        .where(
            devices.c.id == device_id,
            or_(devices.c.last_sync_at.is_(None), devices.c.last_sync_at <= now - LAST_SYNC_RESOLUTION),
        )
        .values(last_sync_at=now)
    )


def pull_page(
    conn: Connection,
    user_id: str,
    since: int,
    limit: int,
    skip: Sequence[tuple[int, int]] = (),
    *,
    core: bool = False,
    framed: bool = False,
) -> tuple[bytes, bool]:
    """A pull page rendered as JSON bytes (a ``PullResponse``), or framed as lines (``framed``, see
    :func:`_framed_page`), and whether more pages follow.

    A page holds at most ``limit`` changes and ends after the one that takes it to MAX_PULL_PAGE_BYTES
    (counted as the JSON form's changes, so both forms hold the same changes), so neither side holds much
    more than a push's worth of large entities at once.

    Versions whose seq lies in one of the ``skip`` ranges are left out (the client recorded them from
    its own push answers). Each version's stored JSON text is spliced into the page as it is;
    only rows written before migration 0005 have their ``data`` encoded here. The rows are read with
    plain SQL through the driver's cursor (half of a page's time went into Core's result rows);
    ``core`` reads them with the Core statement instead (the tests compare the two).
    """
    # The latest seq first: every row up to it is committed, so a last page may move the cursor there
    # even when the rows it skipped (or rows since rewritten at a higher seq) are not in the page.
    if core:
        latest = latest_seq(conn, user_id)
        result: CursorResult[Any] = conn.execute(_page_query(user_id, since, latest, limit, skip))
        rows: Iterable[Sequence[Any]] = result
        decode = None  # Core's result rows hold old rows' data decoded
    else:
        latest = int(conn.exec_driver_sql(_latest_statement(conn.dialect.name), (user_id,)).scalar_one())
        params: list[Any] = [user_id, since, latest]
        for lo, hi in skip:
            params += (lo, hi)
        params.append(limit + 1)
        result = conn.exec_driver_sql(_page_statement(conn.dialect.name, len(skip)), tuple(params))
        rows = cast(Iterable[Sequence[Any]], result.cursor)  # row by row in C: SQLite reads no row past the page
        decode = _statements(conn.dialect).decode_data
    try:
        if framed:
            heads, texts, last, has_more = _framed_changes(rows, since, limit, decode)
        else:
            parts, last, has_more = _rendered_changes(rows, since, limit, decode)
    finally:
        result.close()
    cursor = last if has_more else max(since, latest, last)
    if framed:
        return _framed_page(heads, texts, cursor, has_more), has_more
    head, tail = '{"changes":[', f'],"cursor":{cursor},"has_more":{"true" if has_more else "false"}}}'
    if not parts:
        return (head + tail).encode("utf-8"), has_more
    # One join makes the page's text: a page of 1,000 changes is ~350 KB, and each copy of it costs
    # fresh memory pages (~0.3 ms) that an f-string around the join would pay once more.
    parts[0] = head + parts[0]
    parts[-1] += tail
    return ",".join(parts).encode("utf-8"), has_more


def empty_framed_page(cursor: int) -> bytes:
    """A framed page without changes: its header line alone."""
    return b'{"cursor":%d,"has_more":false,"changes":[]}' % cursor


def _framed_page(heads: list[str], texts: list[str], cursor: int, has_more: bool) -> bytes:
    """The framed form of a page: line 1 ``{"cursor":N,"has_more":B,"changes":[[entity_type, entity_id,
    checksum, deleted, seq], …]}``, then one line per change, in order, with its data's stored JSON text
    (``null`` for a tombstone). Lines are joined by LF, with none after the last: a page without changes is
    its header line alone."""
    head = f'{{"cursor":{cursor},"has_more":{"true" if has_more else "false"},"changes":[{",".join(heads)}]}}'
    texts.insert(0, head)
    return "\n".join(texts).encode("utf-8")


def _page_query(user_id: str, since: int, latest: int, limit: int, skip: Sequence[tuple[int, int]]) -> Select[Any]:
    query = select(
        entities.c.entity_type,
        entities.c.entity_id,
        entities.c.data_text,
        # Old rows only: NULL (nothing to decode) for every version pushed since 0005.
        entities.c.data,
        entities.c.checksum,
        entities.c.deleted,
        entities.c.seq,
    ).where(entities.c.user_id == user_id, entities.c.seq > since, entities.c.seq <= latest)
    if skip:
        query = query.where(not_(or_(*(entities.c.seq.between(lo, hi) for lo, hi in skip))))
    return query.order_by(entities.c.seq).limit(limit + 1)


def _mark(dialect: str) -> str:
    """The driver's parameter placeholder (psycopg's format style, sqlite3's qmark style)."""
    return "%s" if dialect == "postgresql" else "?"


def _latest_statement(dialect: str) -> str:
    """:func:`latest_seq`'s statement in plain SQL (its parameter: the user)."""
    return f"SELECT last_seq FROM user_counters WHERE user_id = {_mark(dialect)}"


_PAGE_STATEMENTS: dict[tuple[str, int], str] = {}


def _page_statement(dialect: str, skipped: int) -> str:
    """:func:`_page_query` in plain SQL with ``skipped`` skip ranges: its parameters are the user, since,
    latest, each range's two ends and the row limit."""
    found = _PAGE_STATEMENTS.get((dialect, skipped))
    if found is None:
        mark = _mark(dialect)
        ranges = " OR ".join([f"seq BETWEEN {mark} AND {mark}"] * skipped)
        found = _PAGE_STATEMENTS[(dialect, skipped)] = (
            "SELECT entity_type, entity_id, data_text, data, checksum, deleted, seq FROM entities "
            f"WHERE user_id = {mark} AND seq > {mark} AND seq <= {mark}{f' AND NOT ({ranges})' if skipped else ''} "
            f"ORDER BY seq LIMIT {mark}"
        )
    return found


def _rendered_changes(
    rows: Iterable[Sequence[Any]], since: int, limit: int, decode: Callable[[Any], Any] | None
) -> tuple[list[str], int, bool]:
    """Each change's JSON text up to the page's bounds, the last one's seq (``since`` if none) and whether
    more follow."""
    quote = _quote
    quoted_types: dict[str, str] = {}  # a page holds few types
    parts: list[str] = []
    size = 0
    last = since
    has_more = False
    for entity_type, entity_id, text, data, check, deleted, seq in rows:
        if len(parts) == limit or size >= MAX_PULL_PAGE_BYTES:
            has_more = True
            break
        if text is None:
            text = _old_row_text(data, decode)
        of_type = quoted_types.get(entity_type)
        if of_type is None:
            of_type = quoted_types[entity_type] = quote(entity_type)
        part = (
            f'{{"entity_type":{of_type},"entity_id":{quote(entity_id)},"data":{text},'
            f'"checksum":{"null" if check is None else quote(check)},'
            f'"deleted":{"true" if deleted else "false"},"seq":{int(seq)}}}'
        )
        parts.append(part)
        size += len(part)
        last = seq
    return parts, int(last), has_more


def _old_row_text(data: Any, decode: Callable[[Any], Any] | None) -> str:
    """The JSON text of a row stored before migration 0005 (no ``data_text``): its ``data`` column's value."""
    if data is not None and decode is not None:
        data = decode(data)
    return "null" if data is None else _old_data_text(data)


def _old_data_text(data: Any) -> str:
    """The JSON of a row's ``data`` written before migration 0005 (as every page wrote it then)."""
    return json.dumps(data, ensure_ascii=True, allow_nan=False, separators=(",", ":"))


# What a change adds to the JSON form of a page beyond its framed header entry and its data text (its field
# names and braces, less the header entry's brackets and the separator the data took there): a framed page
# counts each change's size as the JSON form does, so it ends at the same change.
_JSON_FORM_EXTRA = len('{"entity_type":,"entity_id":,"data":,"checksum":,"deleted":,"seq":}') - len("[,,,,]")


def _framed_changes(
    rows: Iterable[Sequence[Any]], since: int, limit: int, decode: Callable[[Any], Any] | None
) -> tuple[list[str], list[str], int, bool]:
    """:func:`_rendered_changes` for a framed page: each change's header entry and its data line, up to the
    same bounds, the last one's seq (``since`` if none) and whether more follow."""
    quote = _quote
    quoted_types: dict[str, str] = {}  # a page holds few types
    heads: list[str] = []
    texts: list[str] = []
    size = 0
    last = since
    has_more = False
    extra = _JSON_FORM_EXTRA
    for entity_type, entity_id, text, data, check, deleted, seq in rows:
        if len(heads) == limit or size >= MAX_PULL_PAGE_BYTES:
            has_more = True
            break
        if text is None:
            text = _old_row_text(data, decode)
        counted = len(text)  # as the JSON form counts it, whatever the line below holds
        if "\n" in text or "\r" in text:
            # Not written by this server's encoders (they escape control characters, so a raw LF or CR can only
            # be whitespace between tokens): the same value re-encoded on one line.
            text = _old_data_text(json.loads(text))
        of_type = quoted_types.get(entity_type)
        if of_type is None:
            of_type = quoted_types[entity_type] = quote(entity_type)
        head = (
            f"[{of_type},{quote(entity_id)},{'null' if check is None else quote(check)},"
            f"{'true' if deleted else 'false'},{int(seq)}]"
        )
        heads.append(head)
        texts.append(text)
        size += len(head) + counted + extra
        last = seq
    return heads, texts, int(last), has_more


def latest_seq(conn: Connection, user_id: str) -> int:
    return int(conn.execute(select(user_counters.c.last_seq).where(user_counters.c.user_id == user_id)).scalar_one())


def entity_counts(conn: Connection, user_id: str) -> dict[str, int]:
    rows = conn.execute(
        select(entities.c.entity_type, func.count())
        .where(entities.c.user_id == user_id, entities.c.deleted.is_(False))
        .group_by(entities.c.entity_type)
        .order_by(entities.c.entity_type)
    )
    return {r[0]: int(r[1]) for r in rows}
