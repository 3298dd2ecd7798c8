"""The bases a push answer records, written from the JSON already made for the body.

``bulk_writes.write_bases`` binds each base's data through its JSON column, which writes the data
again with ``json.dumps``. A pushed change's data was written once already, for the push body
(``OutChange.data_json``: compact JSON with sorted keys), and that text reads back through the
column as the same document, so it goes into ``sync_base`` as it is. Runs inside the caller's
transaction, like ``bulk_writes``.
"""

from __future__ import annotations

from .batching import OutChange, body_bytes
from .local_store import LocalState

_UPSERT_BASE = (
    "INSERT INTO sync_base (entity_type, entity_id, checksum, data, deleted, seq) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (entity_type, entity_id) DO UPDATE SET checksum = excluded.checksum, data = excluded.data, "
    "deleted = excluded.deleted, seq = excluded.seq"
)


def data_text(change: OutChange) -> str | None:
    """The change's data as JSON text (None for a delete: a tombstone's base holds SQL NULL)."""
    if change.data is None:
        return None
    encoded = change.data_json if change.data_json is not None else body_bytes(change.data)
    return encoded.decode()


def write_pushed_bases(st: LocalState, applied: list[tuple[OutChange, int]]) -> None:
    """Each applied change (with the seq the server gave it) becomes its entity's base, in one executemany."""
    if not applied:
        return
    st.s.connection().exec_driver_sql(
        _UPSERT_BASE,
        [
            (c.entity_type, c.entity_id, None, None, 1, seq)
            if c.op == "delete"
            else (c.entity_type, c.entity_id, c.checksum, data_text(c), 0, seq)
            for c, seq in applied
        ],
    )
