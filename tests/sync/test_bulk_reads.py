"""The push's plain-SQL reads and writes (``bulk_writes``) give what ``LocalState``'s Core versions give:
the same rows with JSON columns and booleans read back as Python values, the same pending and present
keys, the same bases stored, and a clear that takes only the change-log rows up to the given id."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from gigbag.app.workspace import Workspace
from gigbag.local_db.database import read_session, transaction
from gigbag.schema.canonical import checksum
from gigbag.sync.bulk_writes import base_marks, clear_pending, existing, pending_among, read_rows, write_bases
from gigbag.sync.local_store import Key, LocalState, Version
from tests.fixtures.local_rows import write_sample_rows


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.open(tmp_path)
    yield workspace
    workspace.close()


def test_plain_reads_match_the_core_reads(ws: Workspace) -> None:
    written = write_sample_rows(ws)
    absent: Key = ("journal_entries", str(uuid.uuid4()))
    keys = [*written, absent]
    with read_session(ws.engine) as s:
        st = LocalState(s)
        for entity_type in {k[0] for k in keys}:
            ids = [k[1] for k in keys if k[0] == entity_type]
            plain = read_rows(st, entity_type, ids)
            assert plain == st.read_many(entity_type, ids)
            assert existing(st, entity_type, ids) == st.existing(entity_type, ids)
            for entity_id, data in plain.items():
                assert data == written[(entity_type, entity_id)]
                assert {k: type(v) for k, v in data.items()} == {
                    k: type(v) for k, v in written[(entity_type, entity_id)].items()
                }
        assert pending_among(st, keys) == st.pending_among(keys) == set(written)


def test_bases_and_clears_match_the_core_writes(ws: Workspace) -> None:
    written = write_sample_rows(ws)
    keys = list(written)
    versions = [(k, Version(data, checksum(data), False, i + 1)) for i, (k, data) in enumerate(written.items())]
    versions[-1] = (versions[-1][0], Version(None, None, True, 9))
    with transaction(ws.engine) as s:
        up_to = LocalState(s).max_change_id()
    with transaction(ws.engine) as s:
        LocalState(s).write(keys[0][0], keys[0][1], {**written[keys[0]], "title": "Edited meanwhile"})
    with transaction(ws.engine) as s:
        st = LocalState(s)
        write_bases(st, versions)
        clear_pending(st, keys, up_to)
    with read_session(ws.engine) as s:
        st = LocalState(s)
        stored = st.bases(keys)
        assert stored == dict(versions)
        assert base_marks(st, keys)[keys[-1]].deleted
        # The edit made after ``up_to`` stays pending; everything the batch covered is cleared.
        assert st.pending_among(keys) == {keys[0]}
        raw = s.execute(text("SELECT data IS NULL FROM sync_base WHERE entity_id = :i"), {"i": keys[-1][1]}).scalar()
        assert raw == 1  # a tombstone's base holds SQL NULL, as set_bases writes it
